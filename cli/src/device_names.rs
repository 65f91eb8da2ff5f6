//! The names the CLI gives positions and capture steps (`left-ring`, `left-slap`), one table
//! each, so that the flags, the record file names (`left-ring.iso`) and `capture.json` agree.
//!
//! Deliberately absent: MOSIP's names ("Left RingFinger"), which `enroll_devices::Position`
//! keeps, and which modality a step belongs to (the capture model says).

use enroll_devices::{CaptureStep, Position};

const POSITIONS: [(&str, Position); 14] = [
    ("right-thumb", Position::RightThumb),
    ("right-index", Position::RightIndex),
    ("right-middle", Position::RightMiddle),
    ("right-ring", Position::RightRing),
    ("right-little", Position::RightLittle),
    ("left-thumb", Position::LeftThumb),
    ("left-index", Position::LeftIndex),
    ("left-middle", Position::LeftMiddle),
    ("left-ring", Position::LeftRing),
    ("left-little", Position::LeftLittle),
    ("left-iris", Position::LeftIris),
    ("right-iris", Position::RightIris),
    ("face", Position::Face),
    ("exception-photo", Position::ExceptionPhoto),
];

const STEPS: [(&str, CaptureStep); 7] = [
    ("left-slap", CaptureStep::LeftSlap),
    ("right-slap", CaptureStep::RightSlap),
    ("thumbs", CaptureStep::Thumbs),
    ("both-irises", CaptureStep::BothIrises),
    ("left-iris", CaptureStep::LeftIris),
    ("right-iris", CaptureStep::RightIris),
    ("face", CaptureStep::Face),
];

/// The CLI's name of a position: the record's file stem and `capture.json`'s key.
pub fn position_name(position: Position) -> &'static str {
    POSITIONS
        .iter()
        .find(|(_, p)| *p == position)
        .map(|(name, _)| *name)
        // The table holds every variant; the unit test walks them.
        .unwrap_or("unknown")
}

/// A position from its CLI name, for clap: the error lists the names it takes.
pub fn parse_position(text: &str) -> Result<Position, String> {
    POSITIONS
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(text.trim()))
        .map(|(_, p)| *p)
        .ok_or_else(|| format!("not a position; one of {}", names(POSITIONS.iter().map(|(n, _)| *n))))
}

/// A capture step from its CLI name, for clap.
pub fn parse_step(text: &str) -> Result<CaptureStep, String> {
    STEPS
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(text.trim()))
        .map(|(_, s)| *s)
        .ok_or_else(|| format!("not a capture step; one of {}", names(STEPS.iter().map(|(n, _)| *n))))
}

pub fn step_name(step: CaptureStep) -> String {
    STEPS
        .iter()
        .find(|(_, s)| *s == step)
        .map(|(name, _)| (*name).to_string())
        .unwrap_or_else(|| format!("{step:?}"))
}

fn names<'a>(names: impl Iterator<Item = &'a str>) -> String {
    names.collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_position_has_one_name_that_reads_back() {
        let all = Position::FINGERS.iter().copied().chain([
            Position::LeftIris,
            Position::RightIris,
            Position::Face,
            Position::ExceptionPhoto,
        ]);
        let mut seen = std::collections::HashSet::new();
        for position in all {
            let name = position_name(position);
            assert_ne!(name, "unknown", "{position:?} is missing from the table");
            assert!(seen.insert(name), "{name} names two positions");
            assert_eq!(parse_position(name), Ok(position));
        }
        assert_eq!(seen.len(), POSITIONS.len());
    }

    #[test]
    fn steps_read_back_and_unknown_names_list_the_choices() {
        for (name, step) in STEPS {
            assert_eq!(parse_step(name), Ok(step));
            assert_eq!(step_name(step), name);
        }
        let error = parse_step("left-hand").unwrap_err();
        assert!(error.contains("left-slap") && error.contains("both-irises"), "{error}");
        assert!(parse_position("left-toe").unwrap_err().contains("left-ring"));
    }
}
