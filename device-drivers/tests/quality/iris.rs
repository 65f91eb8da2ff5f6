//! Iris scores.
