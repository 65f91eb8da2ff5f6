//! The rules a packet's values must meet: written before a container is made, checked again
//! after one is read, so that a container this software accepts is one it could have written.
//!
//! Deliberately absent: byte layout and hashes (`codec`), which are about the container rather
//! than its values.

use super::model::{Document, PacketMeta, SupervisorDecision};
use crate::PacketError;

/// Longest accepted document category; it becomes part of an entry name.
const MAX_CATEGORY_LEN: usize = 32;

/// A category becomes part of an entry name that tools may turn into a file path, so only a
/// short, plain name is accepted: no separators, dots or spaces.
pub(super) fn check_category(category: &str) -> Result<(), String> {
    let plain = category
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if category.is_empty() || category.len() > MAX_CATEGORY_LEN || !plain {
        return Err(format!(
            "category {category:?} must be 1 to {MAX_CATEGORY_LEN} characters of A-Z, a-z, 0-9, '_' and '-'"
        ));
    }
    Ok(())
}

/// A CBEFF subtype is a list of words; written with single spaces it reads back the same.
pub(super) fn check_position(position: &str) -> Result<(), String> {
    let normal = position.split_whitespace().collect::<Vec<_>>().join(" ");
    if normal != position {
        return Err(format!(
            "position {position:?} must be words separated by single spaces, e.g. \"Left Thumb\""
        ));
    }
    Ok(())
}

pub(super) fn check_document(index: usize, document: &Document) -> Result<(), PacketError> {
    if document.document_type.trim().is_empty() {
        return Err(PacketError::Document(format!(
            "document {index} ({}) has no document type",
            document.category
        )));
    }
    if !document.format.magic_matches(&document.data) {
        return Err(PacketError::Document(format!(
            "document {index} ({}) is declared {} but its bytes are not a {} file",
            document.category,
            document.format.extension(),
            document.format.extension()
        )));
    }
    Ok(())
}

pub(super) fn check_meta(meta: &PacketMeta) -> Result<(), PacketError> {
    if meta.supervisor_decision == Some(SupervisorDecision::Rejected)
        && meta.supervisor_reason.as_deref().is_none_or(|r| r.trim().is_empty())
    {
        return Err(PacketError::Contents(
            "a rejected registration must say why (supervisor_reason)".into(),
        ));
    }
    if meta.supervisor_decision.is_some() && meta.supervisor.is_none() {
        return Err(PacketError::Contents(
            "a supervisor decision is recorded without the supervisor who made it".into(),
        ));
    }
    if let Some(gps) = meta.gps {
        let valid = gps.latitude.is_finite()
            && gps.longitude.is_finite()
            && (-90.0..=90.0).contains(&gps.latitude)
            && (-180.0..=180.0).contains(&gps.longitude)
            && gps.accuracy_m.is_none_or(|a| a.is_finite() && a >= 0.0);
        if !valid {
            return Err(PacketError::Contents(format!(
                "GPS position {}, {} (accuracy {:?} m) is not a place on Earth",
                gps.latitude, gps.longitude, gps.accuracy_m
            )));
        }
    }
    Ok(())
}
