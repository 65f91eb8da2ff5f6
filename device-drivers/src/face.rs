//! The face camera model.

use crate::{DeviceError, DeviceInfo};

/// One face capture: a PNG and its quality score.
#[derive(Debug, Clone)]
pub struct FaceCapture {
    pub png: Vec<u8>,
    pub width: u32,
    pub height: u32,
    /// 0..=100, from [`crate::quality::face_quality`].
    pub quality: u8,
}

/// A camera that captures faces. Implementations must be cheap to call from any thread.
pub trait FaceCamera: Send + Sync {
    fn info(&self) -> DeviceInfo;
    fn capture(&self) -> Result<FaceCapture, DeviceError>;
}
