//! Face scores.
