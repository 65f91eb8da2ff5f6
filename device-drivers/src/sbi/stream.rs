//! Reading an SBI `STREAM` answer: a multipart body (`multipart/x-mixed-replace`, M-JPEG) whose
//! parts are preview frames.
//!
//! Why by hand: the body never ends while the preview runs, so it is read part by part as the
//! bytes arrive. Parts with a `Content-Length` are read by length; parts without one (some
//! services send none) end at the next boundary. Every size is capped and nothing is allocated
//! from a length field before its bytes have arrived: a broken or hostile service gets a clear
//! error, not the station's memory.
//!
//! Deliberately absent: decoding the frames (the UI shows the JPEG as it is) and writing the
//! stream (the service's job).

use std::io::Read;

use crate::capture::{FrameFormat, PreviewFrame};
use crate::iso19794::{JPEG_SIGNATURE, PNG_SIGNATURE};
use crate::DeviceError;

/// No preview frame is bigger than this (a 4K JPEG is a few MiB).
pub const MAX_FRAME_BYTES: usize = 16 * 1024 * 1024;
/// Boundary and header lines are short; a longer line means the body is not multipart.
const MAX_LINE_BYTES: usize = 4096;
const MAX_HEADER_LINES: usize = 32;
const READ_CHUNK: usize = 64 * 1024;

/// The boundary named by a `Content-Type` such as `multipart/x-mixed-replace; boundary=frame`.
pub fn boundary_from_content_type(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|parameter| {
        let (name, value) = parameter.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| value.trim().trim_matches('"').to_string())
            .filter(|boundary| !boundary.is_empty())
    })
}

/// Preview frames read one at a time from a multipart body.
pub struct MultipartFrames<R> {
    reader: R,
    /// Bytes read and not yet used are `buffer[position..]`.
    buffer: Vec<u8>,
    position: usize,
    boundary: Option<String>,
    finished: bool,
}

impl<R: Read> MultipartFrames<R> {
    /// `boundary` from the answer's `Content-Type`; when `None`, the first boundary line names it.
    pub fn new(reader: R, boundary: Option<String>) -> MultipartFrames<R> {
        MultipartFrames {
            reader,
            buffer: Vec::new(),
            position: 0,
            boundary,
            finished: false,
        }
    }

    /// The next frame, or `None` at the end of the stream.
    pub fn next_frame(&mut self) -> Result<Option<PreviewFrame>, DeviceError> {
        if self.finished {
            return Ok(None);
        }
        // The boundary line, after any blank lines (the CRLF that ends the previous part).
        let line = loop {
            match self.read_line()? {
                None => {
                    self.finished = true;
                    return Ok(None);
                }
                Some(line) if line.is_empty() => continue,
                Some(line) => break line,
            }
        };
        let Some(marker) = line.strip_prefix("--") else {
            return Err(DeviceError::Protocol(format!(
                "the preview stream is not multipart: expected a boundary, got {:?}",
                truncate(&line)
            )));
        };
        let boundary = self.boundary.get_or_insert_with(|| marker.to_string()).clone();
        if marker == format!("{boundary}--") {
            self.finished = true;
            return Ok(None);
        }
        if marker != boundary {
            return Err(DeviceError::Protocol(format!(
                "the preview stream's boundary {:?} is not the announced {boundary:?}",
                truncate(marker)
            )));
        }

        let mut content_type = None;
        let mut content_length = None;
        for _ in 0..=MAX_HEADER_LINES {
            let line = self
                .read_line()?
                .ok_or_else(|| DeviceError::Protocol("the preview stream ended inside a frame's headers".into()))?;
            if line.is_empty() {
                let bytes = match content_length {
                    Some(length) => self.read_exact_len(length)?,
                    None => self.read_until_boundary(&boundary)?,
                };
                return Ok(Some(frame(content_type.as_deref(), bytes)?));
            }
            let Some((name, value)) = line.split_once(':') else {
                return Err(DeviceError::Protocol(format!(
                    "a preview frame header is not `name: value`: {:?}",
                    truncate(&line)
                )));
            };
            let value = value.trim();
            if name.trim().eq_ignore_ascii_case("content-type") {
                content_type = Some(value.to_ascii_lowercase());
            } else if name.trim().eq_ignore_ascii_case("content-length") {
                let length: usize = value.parse().map_err(|_| {
                    DeviceError::Protocol(format!("a preview frame's Content-Length is not a number: {value:?}"))
                })?;
                if length > MAX_FRAME_BYTES {
                    return Err(DeviceError::Protocol(format!(
                        "a preview frame of {length} bytes is larger than any preview ({MAX_FRAME_BYTES} bytes at most)"
                    )));
                }
                content_length = Some(length);
            }
        }
        Err(DeviceError::Protocol(
            "a preview frame has too many header lines".into(),
        ))
    }

    /// Reads more bytes; `false` at the end of the body.
    fn fill(&mut self) -> Result<bool, DeviceError> {
        if self.position > 0 && self.position == self.buffer.len() {
            self.buffer.clear();
            self.position = 0;
        }
        let start = self.buffer.len();
        self.buffer.resize(start + READ_CHUNK, 0);
        let read = loop {
            match self.reader.read(&mut self.buffer[start..]) {
                Ok(read) => break read,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.buffer.truncate(start);
                    return Err(DeviceError::NotConnected(format!(
                        "preview stream (reading failed: {e})"
                    )));
                }
            }
        };
        self.buffer.truncate(start + read);
        Ok(read > 0)
    }

    /// A line without its CR LF (or LF); `None` at the end of the body.
    fn read_line(&mut self) -> Result<Option<String>, DeviceError> {
        loop {
            if let Some(offset) = self.buffer[self.position..].iter().position(|b| *b == b'\n') {
                let line = &self.buffer[self.position..self.position + offset];
                let line = line.strip_suffix(b"\r").unwrap_or(line);
                let text = String::from_utf8_lossy(line).into_owned();
                self.position += offset + 1;
                return Ok(Some(text));
            }
            if self.buffer.len() - self.position > MAX_LINE_BYTES {
                return Err(DeviceError::Protocol(
                    "the preview stream has a line longer than any multipart header".into(),
                ));
            }
            if !self.fill()? {
                let rest = &self.buffer[self.position..];
                if rest.is_empty() {
                    return Ok(None);
                }
                let text = String::from_utf8_lossy(rest).into_owned();
                self.position = self.buffer.len();
                return Ok(Some(text));
            }
        }
    }

    fn read_exact_len(&mut self, length: usize) -> Result<Vec<u8>, DeviceError> {
        while self.buffer.len() - self.position < length {
            if !self.fill()? {
                return Err(DeviceError::Protocol(
                    "the preview stream ended inside a frame (fewer bytes than its Content-Length)".into(),
                ));
            }
        }
        let bytes = self.buffer[self.position..self.position + length].to_vec();
        self.position += length;
        Ok(bytes)
    }

    fn read_until_boundary(&mut self, boundary: &str) -> Result<Vec<u8>, DeviceError> {
        let delimiter = format!("\r\n--{boundary}");
        let delimiter = delimiter.as_bytes();
        let mut searched = 0;
        loop {
            let pending = &self.buffer[self.position..];
            if let Some(offset) = find(&pending[searched..], delimiter) {
                let end = searched + offset;
                let bytes = pending[..end].to_vec();
                // Keep the boundary line for the next frame: skip only the CR LF before it.
                self.position += end + 2;
                return Ok(bytes);
            }
            searched = pending.len().saturating_sub(delimiter.len());
            if pending.len() > MAX_FRAME_BYTES {
                return Err(DeviceError::Protocol(format!(
                    "a preview frame is larger than any preview ({MAX_FRAME_BYTES} bytes at most)"
                )));
            }
            if !self.fill()? {
                return Err(DeviceError::Protocol("the preview stream ended inside a frame".into()));
            }
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|window| window == needle)
}

fn truncate(text: &str) -> String {
    text.chars().take(60).collect()
}

fn frame(content_type: Option<&str>, bytes: Vec<u8>) -> Result<PreviewFrame, DeviceError> {
    let format = match content_type {
        Some(t) if t.starts_with("image/jpeg") || t.starts_with("image/jpg") => FrameFormat::Jpeg,
        Some(t) if t.starts_with("image/png") => FrameFormat::Png,
        _ if bytes.starts_with(JPEG_SIGNATURE) => FrameFormat::Jpeg,
        _ if bytes.starts_with(PNG_SIGNATURE) => FrameFormat::Png,
        other => {
            return Err(DeviceError::Protocol(format!(
                "a preview frame is neither JPEG nor PNG (Content-Type {other:?})"
            )))
        }
    };
    Ok(PreviewFrame { format, bytes })
}

/// One part of a multipart stream as the service writes it.
pub fn write_part(boundary: &str, frame: &PreviewFrame) -> Vec<u8> {
    let content_type = match frame.format {
        FrameFormat::Jpeg => "image/jpeg",
        FrameFormat::Png => "image/png",
    };
    let mut part = format!(
        "--{boundary}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
        frame.bytes.len()
    )
    .into_bytes();
    part.extend_from_slice(&frame.bytes);
    part.extend_from_slice(b"\r\n");
    part
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jpeg(n: u8) -> Vec<u8> {
        vec![0xff, 0xd8, n, 0x0d, 0x0a, b'-', b'-', 0xff, 0xd9]
    }

    /// A reader that hands out at most a few bytes per call, as a slow socket does.
    struct Trickle<'a>(&'a [u8]);
    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = buf.len().min(3).min(self.0.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn frames_with_and_without_length_arrive_whole() {
        let mut body = write_part(
            "b",
            &PreviewFrame {
                format: FrameFormat::Jpeg,
                bytes: jpeg(1),
            },
        );
        body.extend_from_slice(b"--b\r\nContent-Type: image/jpeg\r\n\r\n");
        body.extend_from_slice(&jpeg(2));
        body.extend_from_slice(b"\r\n--b--\r\n");
        let mut frames = MultipartFrames::new(Trickle(&body), None);
        assert_eq!(frames.next_frame().unwrap().unwrap().bytes, jpeg(1));
        let second = frames.next_frame().unwrap().unwrap();
        assert_eq!(second.bytes, jpeg(2));
        assert_eq!(second.format, FrameFormat::Jpeg);
        assert_eq!(frames.next_frame().unwrap(), None);
    }

    #[test]
    fn broken_streams_are_protocol_errors() {
        let cases: [&[u8]; 4] = [
            b"HTTP garbage\r\n",
            b"--b\r\nContent-Length: 99999999999\r\n\r\n",
            b"--b\r\nContent-Length: 10\r\n\r\nshort",
            b"--b\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nhi",
        ];
        for body in cases {
            let error = MultipartFrames::new(body, Some("b".into())).next_frame().unwrap_err();
            assert_eq!(error.code(), "device_protocol", "{:?}", String::from_utf8_lossy(body));
        }
    }

    #[test]
    fn boundary_is_read_from_the_content_type() {
        assert_eq!(
            boundary_from_content_type("multipart/x-mixed-replace; boundary=\"frame\""),
            Some("frame".into())
        );
        assert_eq!(boundary_from_content_type("multipart/x-mixed-replace"), None);
    }
}
