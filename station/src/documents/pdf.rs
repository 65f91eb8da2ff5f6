//! The smallest PDF writer that does the one job the station needs: a document scanned as
//! several images goes into the packet as one PDF with a page per image, as MOSIP's
//! registration client does with scanned pages, so the register reads one file per document.
//!
//! Each page is an A4 sheet (portrait, or landscape for a landscape image) with the image fitted
//! on it, centred, its aspect kept. A JPEG of 8-bit grey or YCbCr samples is embedded as it is
//! (`/DCTDecode`: the bytes the clerk scanned, not a copy of a copy); any other image (a PNG, a
//! CMYK or 12-bit JPEG) is decoded and encoded once as a JPEG of quality 90, its transparency
//! laid on white. That keeps the writer free of a deflate encoder and the packet small; a scan
//! of a paper document loses nothing a reader needs at that quality.
//!
//! Deliberately absent: reading PDFs (the station only checks a PDF's outline, see
//! [`super::pdf_outline_is_plausible`]), fonts, text, compression of the page descriptions (a
//! few dozen bytes each) and metadata with times (the same images give the same bytes).

use image::DynamicImage;

use enroll_schemas::DocumentFileFormat;

/// A4 in PDF points (1/72 inch), rounded to whole points as most writers do.
const A4_SHORT_SIDE: f64 = 595.0;
const A4_LONG_SIDE: f64 = 842.0;

/// The JPEG quality of an image re-encoded for a page: a scanned document stays sharp.
const PAGE_JPEG_QUALITY: u8 = 90;

/// One page's image as the PDF embeds it: JPEG bytes and what `/DCTDecode` needs to know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PageImage {
    pub(crate) jpeg: Vec<u8>,
    pub(crate) width: u32,
    pub(crate) height: u32,
    /// 1 (grey) or 3 (colour).
    pub(crate) components: u8,
}

/// What a JPEG's frame header says (the first SOF segment).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct JpegFrame {
    pub(crate) precision: u8,
    pub(crate) width: u16,
    pub(crate) height: u16,
    pub(crate) components: u8,
}

/// Read a JPEG's frame header: walk the marker segments from SOI to the first SOFn. `None`
/// for anything else (no SOI, a scan before a frame, a truncated segment, a height left to a
/// later DNL marker).
pub(crate) fn jpeg_frame(bytes: &[u8]) -> Option<JpegFrame> {
    if !bytes.starts_with(&[0xFF, 0xD8]) {
        return None;
    }
    let mut at = 2;
    loop {
        // A marker is 0xFF (any number of fill bytes) then its code.
        if *bytes.get(at)? != 0xFF {
            return None;
        }
        while *bytes.get(at)? == 0xFF {
            at += 1;
        }
        let marker = *bytes.get(at)?;
        at += 1;
        match marker {
            // Markers without a segment: TEM, RSTn.
            0x01 | 0xD0..=0xD7 => continue,
            // SOS or EOI before any frame: not a JPEG we can describe.
            0xDA | 0xD9 => return None,
            _ => {}
        }
        let length = usize::from(u16::from_be_bytes([*bytes.get(at)?, *bytes.get(at + 1)?]));
        if length < 2 {
            return None;
        }
        // SOF0..SOF15 but DHT (C4), JPG (C8) and DAC (CC).
        let is_frame = matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC);
        if is_frame {
            let segment = bytes.get(at + 2..at + length)?;
            let frame = JpegFrame {
                precision: *segment.first()?,
                height: u16::from_be_bytes([*segment.get(1)?, *segment.get(2)?]),
                width: u16::from_be_bytes([*segment.get(3)?, *segment.get(4)?]),
                components: *segment.get(5)?,
            };
            return (frame.width > 0 && frame.height > 0).then_some(frame);
        }
        at += length;
    }
}

/// The page image of one attached image file: a plain JPEG as it is, anything else decoded
/// (within the station's decoding limits) and encoded as a JPEG.
pub(crate) fn page_image(format: DocumentFileFormat, bytes: &[u8]) -> Result<PageImage, String> {
    if format == DocumentFileFormat::Jpeg {
        if let Some(frame) = jpeg_frame(bytes).filter(|f| f.precision == 8 && matches!(f.components, 1 | 3)) {
            return Ok(PageImage {
                jpeg: bytes.to_vec(),
                width: u32::from(frame.width),
                height: u32::from(frame.height),
                components: frame.components,
            });
        }
    }
    let decoded = super::decode_image(format, bytes)?;
    jpeg_page(&decoded)
}

/// An image encoded as a page's JPEG: grey stays grey, anything else becomes RGB, with its
/// transparency laid on white paper (a transparent PNG's hidden colour is often black).
fn jpeg_page(image: &DynamicImage) -> Result<PageImage, String> {
    let (width, height) = (image.width(), image.height());
    let (pixels, color, components) = if !image.color().has_color() && !image.color().has_alpha() {
        (image.to_luma8().into_raw(), image::ExtendedColorType::L8, 1)
    } else {
        let rgba = image.to_rgba8();
        let mut rgb = Vec::with_capacity(width as usize * height as usize * 3);
        for pixel in rgba.pixels() {
            let [r, g, b, a] = pixel.0;
            let on_white = |c: u8| ((u16::from(c) * u16::from(a) + 255 * (255 - u16::from(a)) + 127) / 255) as u8;
            rgb.extend_from_slice(&[on_white(r), on_white(g), on_white(b)]);
        }
        (rgb, image::ExtendedColorType::Rgb8, 3)
    };
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, PAGE_JPEG_QUALITY)
        .encode(&pixels, width, height, color)
        .map_err(|e| format!("the image cannot be encoded as a JPEG page: {e}"))?;
    Ok(PageImage {
        jpeg,
        width,
        height,
        components,
    })
}

/// The PDF with one A4 page per image, in order. Objects: 1 the catalog, 2 the page tree, then
/// for each page its page object, its image and its content stream.
pub(crate) fn pdf_of_pages(pages: &[PageImage]) -> Vec<u8> {
    let page_object = |index: usize| 3 + 3 * index;
    let object_count = 2 + 3 * pages.len();
    let mut pdf = Vec::with_capacity(pages.iter().map(|p| p.jpeg.len() + 600).sum::<usize>() + 400);
    // The comment of four high bytes tells transfer tools the file is binary (PDF 32000 §7.5.2).
    pdf.extend_from_slice(b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n");
    let mut offsets = vec![0usize; object_count + 1];

    offsets[1] = pdf.len();
    pdf.extend_from_slice(b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n");
    offsets[2] = pdf.len();
    let kids: Vec<String> = (0..pages.len()).map(|i| format!("{} 0 R", page_object(i))).collect();
    pdf.extend_from_slice(
        format!(
            "2 0 obj\n<< /Type /Pages /Kids [{}] /Count {} >>\nendobj\n",
            kids.join(" "),
            pages.len()
        )
        .as_bytes(),
    );
    for (index, page) in pages.iter().enumerate() {
        let (page_id, image_id, content_id) = (page_object(index), page_object(index) + 1, page_object(index) + 2);
        let (sheet_width, sheet_height) = if page.width > page.height {
            (A4_LONG_SIDE, A4_SHORT_SIDE)
        } else {
            (A4_SHORT_SIDE, A4_LONG_SIDE)
        };
        let scale = (sheet_width / f64::from(page.width)).min(sheet_height / f64::from(page.height));
        let (drawn_width, drawn_height) = (f64::from(page.width) * scale, f64::from(page.height) * scale);
        let (left, bottom) = ((sheet_width - drawn_width) / 2.0, (sheet_height - drawn_height) / 2.0);

        offsets[page_id] = pdf.len();
        pdf.extend_from_slice(
            format!(
                "{page_id} 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {sheet_width:.0} {sheet_height:.0}] \
                 /Resources << /XObject << /Im0 {image_id} 0 R >> >> /Contents {content_id} 0 R >>\nendobj\n"
            )
            .as_bytes(),
        );
        offsets[image_id] = pdf.len();
        let color_space = if page.components == 1 {
            "/DeviceGray"
        } else {
            "/DeviceRGB"
        };
        pdf.extend_from_slice(
            format!(
                "{image_id} 0 obj\n<< /Type /XObject /Subtype /Image /Width {} /Height {} /ColorSpace {color_space} \
                 /BitsPerComponent 8 /Filter /DCTDecode /Length {} >>\nstream\n",
                page.width,
                page.height,
                page.jpeg.len()
            )
            .as_bytes(),
        );
        pdf.extend_from_slice(&page.jpeg);
        pdf.extend_from_slice(b"\nendstream\nendobj\n");
        offsets[content_id] = pdf.len();
        let content = format!("q {drawn_width:.2} 0 0 {drawn_height:.2} {left:.2} {bottom:.2} cm /Im0 Do Q\n");
        pdf.extend_from_slice(
            format!(
                "{content_id} 0 obj\n<< /Length {} >>\nstream\n{content}endstream\nendobj\n",
                content.len()
            )
            .as_bytes(),
        );
    }

    let xref_at = pdf.len();
    pdf.extend_from_slice(format!("xref\n0 {}\n", object_count + 1).as_bytes());
    // Each entry is exactly 20 bytes, its end of line two characters (PDF 32000 §7.5.4).
    pdf.extend_from_slice(b"0000000000 65535 f \n");
    for offset in &offsets[1..] {
        pdf.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref_at}\n%%EOF\n",
            object_count + 1
        )
        .as_bytes(),
    );
    pdf
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a reader needs of the file, checked the way a reader finds it: from `startxref` at
    /// the end to the table, from each entry to its object, and each image stream's length.
    struct Outline {
        /// Each object's number, at the offset the table gives for it.
        objects: usize,
        pages: usize,
        /// The image streams' bytes, in page order.
        images: Vec<Vec<u8>>,
        /// Each page's MediaBox.
        boxes: Vec<String>,
    }

    fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
        haystack[from..]
            .windows(needle.len())
            .position(|w| w == needle)
            .map(|p| p + from)
    }

    fn text(bytes: &[u8]) -> &str {
        std::str::from_utf8(bytes).unwrap()
    }

    fn outline(pdf: &[u8]) -> Outline {
        assert!(pdf.starts_with(b"%PDF-1.4\n"), "header");
        assert!(pdf.ends_with(b"%%EOF\n"), "end");
        let startxref = find(pdf, b"startxref\n", pdf.len() - 40).expect("startxref near the end");
        let xref_at: usize = text(&pdf[startxref + 10..pdf.len() - 7]).trim().parse().unwrap();
        assert!(pdf[xref_at..].starts_with(b"xref\n0 "), "startxref points at the table");
        let header_end = find(pdf, b"\n", xref_at + 5).unwrap();
        let size: usize = text(&pdf[xref_at + 7..header_end]).parse().unwrap();
        let entries = &pdf[header_end + 1..];
        assert_eq!(&entries[..20], b"0000000000 65535 f \n");
        for number in 1..size {
            let entry = &entries[20 * number..20 * (number + 1)];
            assert_eq!(&entry[10..], b" 00000 n \n", "entry {number} is 20 bytes");
            let offset: usize = text(&entry[..10]).parse().unwrap();
            assert!(
                pdf[offset..].starts_with(format!("{number} 0 obj\n").as_bytes()),
                "object {number} is where the table says"
            );
        }
        let trailer = find(pdf, b"trailer\n", xref_at).unwrap();
        assert_eq!(trailer, header_end + 1 + 20 * size, "the table has {size} entries");
        assert!(text(&pdf[trailer..startxref]).contains(&format!("/Size {size} /Root 1 0 R")));

        let mut images = Vec::new();
        let mut at = 0;
        while let Some(found) = find(pdf, b"/Subtype /Image", at) {
            let length_at = find(pdf, b"/Length ", found).unwrap() + 8;
            let length_end = find(pdf, b" >>", length_at).unwrap();
            let length: usize = text(&pdf[length_at..length_end]).parse().unwrap();
            let stream = find(pdf, b"stream\n", length_end).unwrap() + 7;
            assert!(
                pdf[stream + length..].starts_with(b"\nendstream"),
                "the image's /Length is its stream's"
            );
            images.push(pdf[stream..stream + length].to_vec());
            at = stream + length;
        }
        let as_text = String::from_utf8_lossy(pdf);
        let pages = as_text.matches("/Type /Page ").count();
        let boxes = as_text
            .match_indices("/MediaBox [")
            .map(|(i, _)| as_text[i + 11..].split(']').next().unwrap().to_string())
            .collect();
        assert!(as_text.contains(&format!("/Count {pages} ")));
        Outline {
            objects: size - 1,
            pages,
            images,
            boxes,
        }
    }

    fn jpeg(width: u32, height: u32) -> Vec<u8> {
        let image = image::RgbImage::from_fn(width, height, |x, y| image::Rgb([(x * 7) as u8, (y * 5) as u8, 90]));
        let mut bytes = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 80)
            .encode_image(&image)
            .unwrap();
        bytes
    }

    fn png_with_alpha(width: u32, height: u32) -> Vec<u8> {
        let image = image::RgbaImage::from_fn(width, height, |x, _| {
            image::Rgba([0, 0, 0, if x < width / 2 { 0 } else { 255 }])
        });
        let mut bytes = Vec::new();
        DynamicImage::ImageRgba8(image)
            .write_to(&mut std::io::Cursor::new(&mut bytes), image::ImageFormat::Png)
            .unwrap();
        bytes
    }

    #[test]
    fn a_jpegs_frame_header_is_read_past_its_other_segments() {
        let bytes = jpeg(37, 21);
        assert_eq!(
            jpeg_frame(&bytes),
            Some(JpegFrame {
                precision: 8,
                width: 37,
                height: 21,
                components: 3
            })
        );
        assert_eq!(jpeg_frame(b"\xFF\xD8\xFF\xDA\x00\x02"), None, "a scan before any frame");
        assert_eq!(jpeg_frame(&bytes[..20]), None, "cut short");
        assert_eq!(jpeg_frame(b"%PDF-1.4"), None);
    }

    #[test]
    fn every_image_becomes_a_page_and_the_file_reads_back_as_a_pdf() {
        let portrait = jpeg(200, 300);
        let landscape = png_with_alpha(300, 100);
        let pages = vec![
            page_image(DocumentFileFormat::Jpeg, &portrait).unwrap(),
            page_image(DocumentFileFormat::Png, &landscape).unwrap(),
            page_image(DocumentFileFormat::Jpeg, &portrait).unwrap(),
        ];
        let pdf = pdf_of_pages(&pages);
        let outline = outline(&pdf);
        assert_eq!(outline.pages, 3);
        assert_eq!(outline.objects, 2 + 3 * 3);
        assert_eq!(outline.boxes, ["0 0 595 842", "0 0 842 595", "0 0 595 842"]);
        assert_eq!(outline.images.len(), 3);
        assert_eq!(outline.images[0], portrait, "a JPEG is embedded as it was scanned");
        assert_eq!(outline.images[2], portrait);
        // The PNG became a JPEG of its pixels, the transparent half white.
        let converted = image::load_from_memory_with_format(&outline.images[1], image::ImageFormat::Jpeg)
            .unwrap()
            .to_rgb8();
        assert_eq!(converted.dimensions(), (300, 100));
        assert!(
            converted.get_pixel(10, 50).0.iter().all(|&c| c > 240),
            "transparent on white"
        );
        assert!(
            converted.get_pixel(290, 50).0.iter().all(|&c| c < 15),
            "opaque black stays black"
        );
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.contains("/Width 200 /Height 300 /ColorSpace /DeviceRGB"));
        assert!(text.contains("/Width 300 /Height 100 /ColorSpace /DeviceRGB"));
        // Fitted on A4, centred: 200×300 on 595×842 scales by 2.806..., so 842 high.
        assert!(text.contains("q 561.33 0 0 842.00 16.83 0.00 cm /Im0 Do Q"), "{text}");
    }

    #[test]
    fn a_grey_image_stays_grey() {
        let grey = image::GrayImage::from_fn(40, 40, |x, _| image::Luma([(x * 6) as u8]));
        let mut png = Vec::new();
        DynamicImage::ImageLuma8(grey)
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        let page = page_image(DocumentFileFormat::Png, &png).unwrap();
        assert_eq!(page.components, 1);
        let pdf = pdf_of_pages(&[page]);
        assert_eq!(outline(&pdf).pages, 1);
        assert!(String::from_utf8_lossy(&pdf).contains("/ColorSpace /DeviceGray"));
    }
}
