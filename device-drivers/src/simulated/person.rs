//! A simulated sitter: one seed fixes the pattern of each finger, the texture of each iris and
//! the face, so that repeated captures of the same person differ only as real captures do
//! (placement, pressure, pupil size, pose, light, noise), while different fingers, eyes and
//! people differ in what they are.
//!
//! Finger patterns cost a few tens of milliseconds each to grow, so a person grows each one at
//! its first capture and keeps it.
//!
//! Deliberately absent: demographics, and any link to a real person.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use rand::{Rng, SeedableRng};

use super::face::FaceTraits;
use super::finger::{FingerPattern, PatternClass};
use super::iris::IrisTexture;
use super::noise::derive_seed;
use crate::Position;

/// One simulated sitter.
#[derive(Debug)]
pub struct SimulatedPerson {
    seed: u64,
    /// The person's mean ridge period in pixels at 500 ppi.
    ridge_period: f32,
    fingers: Mutex<HashMap<Position, Arc<FingerPattern>>>,
}

impl SimulatedPerson {
    pub fn new(seed: u64) -> SimulatedPerson {
        let mut rng = rand::rngs::StdRng::seed_from_u64(derive_seed(seed, 0xF1));
        SimulatedPerson {
            seed,
            ridge_period: rng.gen_range(9.0..10.2),
            fingers: Mutex::new(HashMap::new()),
        }
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The Henry class of a finger's pattern: loops about two times in three (mostly ulnar,
    /// opening towards the little finger), whorls one in four, arches the rest.
    pub fn finger_class(&self, position: Position) -> PatternClass {
        let mut rng = rand::rngs::StdRng::seed_from_u64(self.finger_seed(position));
        let draw: f32 = rng.gen();
        let right_hand = Position::FINGERS[..5].contains(&position);
        // On a fingerprint the right hand's little finger lies to the image's right.
        let (ulnar, radial) = if right_hand {
            (PatternClass::RightLoop, PatternClass::LeftLoop)
        } else {
            (PatternClass::LeftLoop, PatternClass::RightLoop)
        };
        match draw {
            d if d < 0.58 => ulnar,
            d if d < 0.66 => radial,
            d if d < 0.92 => PatternClass::Whorl,
            d if d < 0.96 => PatternClass::Arch,
            _ => PatternClass::TentedArch,
        }
    }

    /// The finger's ridge pattern, grown at the first call and kept.
    pub fn finger(&self, position: Position) -> Arc<FingerPattern> {
        let mut fingers = self.fingers.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        fingers
            .entry(position)
            .or_insert_with(|| {
                Arc::new(FingerPattern::generate(
                    self.finger_seed(position),
                    self.finger_class(position),
                    self.ridge_period,
                    finger_width_scale(position),
                ))
            })
            .clone()
    }

    /// The texture of one iris; each eye has its own.
    pub fn iris(&self, position: Position) -> IrisTexture {
        IrisTexture::new(derive_seed(self.seed, 0x1815 ^ position as u64))
    }

    /// The face's fixed traits.
    pub fn face(&self) -> FaceTraits {
        FaceTraits::new(derive_seed(self.seed, 0xFACE))
    }

    fn finger_seed(&self, position: Position) -> u64 {
        derive_seed(self.seed, 0xF1_0000 ^ position as u64)
    }
}

/// How wide a finger is compared with an index finger.
fn finger_width_scale(position: Position) -> f32 {
    match position {
        Position::RightThumb | Position::LeftThumb => 1.15,
        Position::RightMiddle | Position::LeftMiddle => 1.02,
        Position::RightRing | Position::LeftRing => 0.95,
        Position::RightLittle | Position::LeftLittle => 0.82,
        _ => 1.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_person_keeps_each_finger_and_two_people_differ() {
        let person = SimulatedPerson::new(8);
        let index = person.finger(Position::RightIndex);
        assert!(
            Arc::ptr_eq(&index, &person.finger(Position::RightIndex)),
            "grown once, then kept"
        );
        // The same seed grows the same finger again from scratch.
        let again = SimulatedPerson::new(8).finger(Position::RightIndex);
        assert_eq!(index.ridge_at(200.0, 250.0), again.ridge_at(200.0, 250.0));
        assert_eq!(index.cores(), again.cores());

        let classes: Vec<PatternClass> = Position::FINGERS.iter().map(|p| person.finger_class(*p)).collect();
        let differing_seeds = (10..40).filter(|seed| {
            Position::FINGERS
                .iter()
                .map(|p| SimulatedPerson::new(*seed).finger_class(*p))
                .collect::<Vec<_>>()
                != classes
        });
        // Ten fingers' classes coincide between two people only rarely.
        assert!(differing_seeds.count() >= 25, "{classes:?}");
        assert!(person.iris(Position::LeftIris) != person.iris(Position::RightIris));
    }
}
