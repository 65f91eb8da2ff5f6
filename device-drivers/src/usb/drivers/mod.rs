//! The native drivers: one file per scanner family, each a [`crate::BiometricDevice`] over a
//! [`super::transport::UsbTransport`].
//!
//! Deliberately absent: anything shared between drivers beyond the transport; protocols differ
//! too much for a common state machine to help.

pub mod nb1010;
pub mod uru4000;
