//! Where the 64 WSQ subbands lie in the image, and the two-dimensional splits that made them
//! (IAFIS-IC-0110 v3, Part 1, Annex A: the subband decomposition).
//!
//! The decomposition is a fixed tree. Each split divides a rectangle into four along both
//! axes; along each axis the lowpass half has ⌈n/2⌉ samples and the highpass half ⌊n/2⌋. The
//! part that came out of a highpass filter is spectrally reversed, so when such a part is
//! split again the specification stores its highpass output first ("inverted" here): the
//! second part along an axis is always split inverted along that axis. Subbands are numbered
//! in depth-first order of the tree, which is also the order their coefficients are coded in.
//!
//! Why a module of its own: the layout is shared by [`super::quantization`] (where each
//! coefficient goes) and [`super::wavelet`] (which splits to undo, in which order).
//! Deliberately absent: the filters and any pixel values.

/// A rectangle of the coefficient plane, in samples.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) struct Rect {
    pub x: usize,
    pub y: usize,
    pub width: usize,
    pub height: usize,
}

/// One two-dimensional split of the decomposition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Split {
    pub rect: Rect,
    /// Whether the highpass half comes first along x.
    pub inverted_x: bool,
    /// Whether the highpass half comes first along y.
    pub inverted_y: bool,
}

/// The subbands of an image and the splits to undo to rebuild it.
#[derive(Debug, Clone)]
pub(super) struct Layout {
    pub subbands: [Rect; SUBBANDS],
    /// Every split, each after all the splits inside it: the order of reconstruction.
    pub splits: Vec<Split>,
}

pub(super) const SUBBANDS: usize = 64;

/// The shape of the decomposition: a leaf is a subband, a split has four parts in the order
/// first-x/first-y, second-x/first-y, first-x/second-y, second-x/second-y.
enum Tree {
    Leaf,
    Split(&'static [Tree; 4]),
}

const LEAF: Tree = Tree::Leaf;
/// A rectangle split once: four subbands.
const FOUR: Tree = Tree::Split(&[LEAF, LEAF, LEAF, LEAF]);
/// A rectangle split twice: sixteen subbands.
const SIXTEEN: Tree = Tree::Split(&[FOUR, FOUR, FOUR, FOUR]);
/// The lowest frequencies: split twice, and the lowest of those split once more
/// (subbands 0–18).
const LOWEST: Tree = Tree::Split(&[Tree::Split(&[FOUR, LEAF, LEAF, LEAF]), FOUR, FOUR, FOUR]);
/// The whole image: the lowpass quarter holds subbands 0–51, the other three quarters are
/// split once each (52–55, 56–59, 60–63).
const WSQ_DECOMPOSITION: Tree = Tree::Split(&[Tree::Split(&[LOWEST, SIXTEEN, SIXTEEN, LEAF]), FOUR, FOUR, FOUR]);

/// The two parts of `length` samples along an axis: (first, second).
fn halves(length: usize, inverted: bool) -> (usize, usize) {
    let lowpass = length.div_ceil(2);
    let highpass = length / 2;
    if inverted {
        (highpass, lowpass)
    } else {
        (lowpass, highpass)
    }
}

impl Layout {
    pub(super) fn new(width: usize, height: usize) -> Layout {
        let mut layout = Layout {
            subbands: [Rect::default(); SUBBANDS],
            splits: Vec::new(),
        };
        let mut next_subband = 0;
        let whole = Rect {
            x: 0,
            y: 0,
            width,
            height,
        };
        layout.walk(&WSQ_DECOMPOSITION, whole, false, false, &mut next_subband);
        debug_assert_eq!(next_subband, SUBBANDS, "the decomposition tree has 64 leaves");
        layout
    }

    fn walk(&mut self, tree: &Tree, rect: Rect, inverted_x: bool, inverted_y: bool, next_subband: &mut usize) {
        match tree {
            Tree::Leaf => {
                self.subbands[*next_subband] = rect;
                *next_subband += 1;
            }
            Tree::Split(parts) => {
                let (first_width, second_width) = halves(rect.width, inverted_x);
                let (first_height, second_height) = halves(rect.height, inverted_y);
                let part = |second_x: bool, second_y: bool| Rect {
                    x: rect.x + if second_x { first_width } else { 0 },
                    y: rect.y + if second_y { first_height } else { 0 },
                    width: if second_x { second_width } else { first_width },
                    height: if second_y { second_height } else { first_height },
                };
                let places = [(false, false), (true, false), (false, true), (true, true)];
                for (subtree, (second_x, second_y)) in parts.iter().zip(places) {
                    // The second part along an axis is the highpass one when this split is
                    // not inverted, and the lowpass one of a reversed spectrum when it is:
                    // either way it is stored inverted when split again.
                    self.walk(subtree, part(second_x, second_y), second_x, second_y, next_subband);
                }
                self.splits.push(Split {
                    rect,
                    inverted_x,
                    inverted_y,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subbands_tile_the_image_exactly_for_odd_and_even_sizes() {
        for (width, height) in [(357, 504), (256, 256), (1, 1), (33, 7), (500, 499)] {
            let layout = Layout::new(width, height);
            let mut covered = vec![0u8; width * height];
            for rect in layout.subbands {
                for y in rect.y..rect.y + rect.height {
                    for x in rect.x..rect.x + rect.width {
                        covered[y * width + x] += 1;
                    }
                }
            }
            assert!(
                covered.iter().all(|&c| c == 1),
                "{width}×{height}: every sample in one subband"
            );
            assert_eq!(layout.splits.len(), 21, "one split per inner node of the tree");
            assert_eq!(
                layout.splits.last().unwrap().rect.width,
                width,
                "the whole image is undone last"
            );
        }
    }

    #[test]
    fn the_lowest_subband_is_five_levels_down() {
        let layout = Layout::new(512, 512);
        assert_eq!((layout.subbands[0].width, layout.subbands[0].height), (16, 16));
        assert_eq!((layout.subbands[51].x, layout.subbands[51].y), (128, 128));
        assert_eq!(layout.subbands[63].width, 128);
    }

    #[test]
    fn odd_lengths_give_the_extra_sample_to_the_lowpass_half() {
        assert_eq!(halves(7, false), (4, 3));
        assert_eq!(halves(7, true), (3, 4));
        assert_eq!(halves(8, true), (4, 4));
    }
}
