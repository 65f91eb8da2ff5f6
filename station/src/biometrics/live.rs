//! Live preview of a capture step: the clerk sees the hand on the glass (or the eyes, or the
//! face) before pressing Capture, as every enrollment client shows it.
//!
//! The device streams on a background thread into a sink that the caller gives (the app: a
//! Tauri channel). One preview runs at a time, for the whole station: a device streams to one
//! screen, and the window shows one step's preview. Starting another preview or taking a
//! capture stops the running one without waiting for it: the stop cancels the device's stream
//! and closes the sink at once, so a capture never waits on a preview holding the device (SBI
//! services expect `RCAPTURE` while a `STREAM` is open) and no frame reaches the window after
//! `stop` returns. The thread ends by itself once the device notices the cancel.
//!
//! Frames are made fit for a WebView here: at most [`MAX_FRAMES_PER_SECOND`] (devices send more;
//! the rest are dropped before any encoding work), and no larger than [`MAX_FRAME_BYTES`]
//! (bigger frames are scaled down and sent as JPEG).
//!
//! Deliberately absent: keeping anything. Preview frames are never stored, logged or put into a
//! packet; a capture is the only way a biometric enters the draft.

use std::ops::ControlFlow;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use base64::Engine as _;
use enroll_devices::{BiometricDevice, CancelToken, CaptureStep, FrameFormat, PreviewFrame};
use enroll_schemas::PolicyStep;
use enroll_store::RegistrationState;
use serde::Serialize;

use super::{draft, step_name, DeviceListView};
use crate::{ErrorView, Station, StationError};

/// The most frames a second the window is sent. Enough to place a finger or an eye; more would
/// only load the IPC bridge and the WebView with images nobody can follow.
pub const MAX_FRAMES_PER_SECOND: u32 = 10;

/// The largest frame sent as the device made it. A larger one is scaled down and sent as JPEG:
/// base64 in a data URL grows it by a third, ten times a second.
pub const MAX_FRAME_BYTES: usize = 96 * 1024;

/// The longest side of a frame that had to be scaled down, in pixels: about the size the
/// preview takes on screen.
pub const SCALED_FRAME_SIDE: u32 = 480;

/// The JPEG quality of scaled-down frames: a preview, not a record.
const SCALED_FRAME_QUALITY: u8 = 70;

/// Where a preview's frames go. Called from the preview's thread.
pub type FrameSink = Box<dyn FnMut(PreviewFrameView) + Send>;

/// What the window receives, one message per frame, and one when the stream ends by itself.
/// Tagged by `kind` (`frame`, `ended`); fields in snake_case as in every view.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PreviewFrameView {
    /// A frame to show.
    Frame {
        /// Counts the frames sent in this preview, from 0.
        sequence: u32,
        /// `data:image/jpeg;base64,...` or `data:image/png;base64,...`.
        data_url: String,
    },
    /// The device ended the stream: on its own (`error` absent; an SBI stream's timeout) or
    /// failing (unplugged, busy, cannot preview). Never sent after a stop.
    Ended { error: Option<ErrorView> },
}

/// The answer to starting a preview: which device streams, for its SIMULATED and DEVELOPER
/// MODE badges.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct LivePreviewView {
    pub step: PolicyStep,
    pub device: DeviceListView,
}

impl Station {
    /// Stream `step`'s device into `sink` until [`Station::stop_biometric_preview`], another
    /// preview, a capture, a sign-out or the device's end. Allowed to whoever may capture for
    /// the registration: a signed-in operator, on a draft.
    pub fn start_biometric_preview(
        &self,
        registration_id: &str,
        step: PolicyStep,
        sink: FrameSink,
    ) -> Result<LivePreviewView, StationError> {
        self.signed_in()?;
        if !self.capture_policy().steps.contains(&step) {
            return Err(StationError::InvalidInput(format!(
                "{step:?} is not a step of this capture policy"
            )));
        }
        let row = self.vault().registration(registration_id)?;
        if row.state != RegistrationState::Draft {
            return Err(crate::invalid_state(&row));
        }
        let device_step = draft::capture_step(step);
        let device = self
            .devices
            .for_step(device_step)
            .ok_or_else(|| StationError::NoDevice { step: step_name(step) })?;
        let view = LivePreviewView {
            step,
            device: DeviceListView::from(&device.descriptor()),
        };
        self.live.start(device, device_step, sink)?;
        tracing::debug!(registration_id, ?step, device = %view.device.id, "live preview started");
        Ok(view)
    }

    /// Stop the running preview, if any. Needs no sign-in: stopping is always safe, and the
    /// window stops its preview on its way out, after a sign-out too.
    pub fn stop_biometric_preview(&self) {
        self.live.stop();
    }
}

/// The station's one running preview.
#[derive(Default)]
pub(crate) struct LivePreviews {
    running: Mutex<Option<RunningPreview>>,
}

struct RunningPreview {
    cancel: CancelToken,
    /// The sink while the preview is open; `None` once stopped. The thread sends under this
    /// lock, so a stop that has taken the sink is followed by no frame.
    sink: Arc<Mutex<Option<FrameSink>>>,
}

impl RunningPreview {
    fn stop(self) {
        // The sink first: a cancel first would let the thread see the stream end and send
        // `Ended` for a stop.
        lock(&self.sink).take();
        self.cancel.cancel();
    }
}

impl LivePreviews {
    /// Stop whatever runs, then stream `device` into `sink` on a thread of its own.
    fn start(&self, device: Arc<dyn BiometricDevice>, step: CaptureStep, sink: FrameSink) -> Result<(), StationError> {
        let mut running = lock(&self.running);
        if let Some(previous) = running.take() {
            previous.stop();
        }
        let cancel = CancelToken::new();
        let sink = Arc::new(Mutex::new(Some(sink)));
        let preview = RunningPreview {
            cancel: cancel.clone(),
            sink: Arc::clone(&sink),
        };
        std::thread::Builder::new()
            .name("live-preview".into())
            .spawn(move || stream(device.as_ref(), step, &cancel, &sink))
            .map_err(|e| StationError::Internal(format!("cannot start the live preview thread: {e}")))?;
        *running = Some(preview);
        Ok(())
    }

    /// Stop the running preview; true if one ran.
    pub(crate) fn stop(&self) -> bool {
        match lock(&self.running).take() {
            Some(preview) => {
                preview.stop();
                true
            }
            None => false,
        }
    }
}

/// The preview thread: frames through the throttle and the size limit into the sink, then
/// the end of the stream if nobody stopped it first.
fn stream(device: &dyn BiometricDevice, step: CaptureStep, cancel: &CancelToken, sink: &Mutex<Option<FrameSink>>) {
    let mut throttle = Throttle::default();
    let mut sequence = 0u32;
    let outcome = device.preview(
        step,
        &mut |frame| {
            if cancel.is_cancelled() {
                return ControlFlow::Break(());
            }
            // Dropped before any work: most frames of a fast device end here.
            if !throttle.admit(Instant::now()) {
                return ControlFlow::Continue(());
            }
            let data_url = match displayable(&frame) {
                Ok(data_url) => data_url,
                Err(error) => {
                    // One bad frame (a truncated JPEG in a stream) is skipped, not fatal.
                    tracing::debug!(%error, "a preview frame was skipped");
                    return ControlFlow::Continue(());
                }
            };
            match lock(sink).as_mut() {
                Some(send) => {
                    send(PreviewFrameView::Frame { sequence, data_url });
                    sequence = sequence.saturating_add(1);
                    ControlFlow::Continue(())
                }
                None => ControlFlow::Break(()),
            }
        },
        cancel,
    );
    let error = match outcome {
        Ok(()) => None,
        Err(error) => {
            let error = StationError::from(error);
            tracing::info!(code = error.code(), %error, "the live preview ended");
            Some(ErrorView::from(&error))
        }
    };
    if let Some(mut send) = lock(sink).take() {
        send(PreviewFrameView::Ended { error });
    }
}

/// Lets through at most [`MAX_FRAMES_PER_SECOND`] frames a second. Time is passed in.
#[derive(Debug, Default)]
struct Throttle {
    last_sent: Option<Instant>,
}

impl Throttle {
    const INTERVAL: Duration = Duration::from_millis(1000 / MAX_FRAMES_PER_SECOND as u64);

    fn admit(&mut self, now: Instant) -> bool {
        match self.last_sent {
            Some(last) if now.saturating_duration_since(last) < Self::INTERVAL => false,
            _ => {
                self.last_sent = Some(now);
                true
            }
        }
    }
}

/// A frame as a data URL the WebView shows: as the device made it when small enough, else
/// scaled down to [`SCALED_FRAME_SIDE`] and encoded as JPEG.
fn displayable(frame: &PreviewFrame) -> Result<String, StationError> {
    let encode = |mime: &str, bytes: &[u8]| {
        format!(
            "data:{mime};base64,{}",
            base64::engine::general_purpose::STANDARD.encode(bytes)
        )
    };
    if frame.bytes.len() <= MAX_FRAME_BYTES {
        let mime = match frame.format {
            FrameFormat::Jpeg => "image/jpeg",
            FrameFormat::Png => "image/png",
        };
        return Ok(encode(mime, &frame.bytes));
    }
    let format = match frame.format {
        FrameFormat::Jpeg => image::ImageFormat::Jpeg,
        FrameFormat::Png => image::ImageFormat::Png,
    };
    let picture = image::load_from_memory_with_format(&frame.bytes, format)
        .map_err(|e| StationError::Internal(format!("reading a preview frame: {e}")))?;
    // Preview frames are grey (fingers, irises) or shown small (the face): grey is enough and
    // a third of the bytes.
    let scaled = picture
        .resize(
            SCALED_FRAME_SIDE,
            SCALED_FRAME_SIDE,
            image::imageops::FilterType::Triangle,
        )
        .into_luma8();
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, SCALED_FRAME_QUALITY)
        .encode_image(&scaled)
        .map_err(|e| StationError::Internal(format!("encoding a preview frame: {e}")))?;
    Ok(encode("image/jpeg", &jpeg))
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // The guarded values stay whole whatever panics (an option taken or put), so a poisoned
    // lock is still safe to use.
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;

    use enroll_devices::simulated::{SimulatedFailure, SimulationHandle, SimulationSettings};
    use enroll_devices::SimulatedBackend;

    use super::*;
    use crate::test_support::{TestStation, OFFICER};

    /// Frames come fast from the simulators here; the throttle still holds them to 10 a second.
    fn station_with_simulators() -> (TestStation, SimulationHandle) {
        let TestStation { dir, clock, station } = TestStation::new();
        let station = station.with_capture_policy(enroll_schemas::CapturePolicy::default_policy());
        let settings = SimulationHandle::new(SimulationSettings {
            latency: Duration::ZERO,
            preview_interval: Duration::from_millis(10),
            ..SimulationSettings::default()
        });
        station.use_device_backends(vec![Arc::new(SimulatedBackend::new(settings.clone()))]);
        let test = TestStation { dir, clock, station };
        test.as_user(OFFICER);
        (test, settings)
    }

    fn channel() -> (FrameSink, mpsc::Receiver<PreviewFrameView>) {
        let (sender, receiver) = mpsc::channel();
        let sink: FrameSink = Box::new(move |frame| {
            // The receiver is gone once the test has what it wanted.
            let _ = sender.send(frame);
        });
        (sink, receiver)
    }

    /// Long enough for a debug build to draw a simulated frame.
    const WAIT: Duration = Duration::from_secs(30);

    fn next_frame(receiver: &mpsc::Receiver<PreviewFrameView>) -> (u32, String) {
        match receiver.recv_timeout(WAIT).expect("a frame within the wait") {
            PreviewFrameView::Frame { sequence, data_url } => (sequence, data_url),
            ended => panic!("expected a frame, got {ended:?}"),
        }
    }

    /// A preview of `step` on `registration_id`, past its first frame.
    fn streaming(station: &Station, registration_id: &str, step: PolicyStep) -> mpsc::Receiver<PreviewFrameView> {
        let (sink, frames) = channel();
        station.start_biometric_preview(registration_id, step, sink).unwrap();
        next_frame(&frames);
        frames
    }

    /// The stream is over for this sink: at most a few frames sent before the stop are still
    /// queued, then the sink is dropped (the channel disconnects). A preview that kept streaming
    /// fails here rather than keeping the test waiting.
    fn assert_stopped(frames: &mpsc::Receiver<PreviewFrameView>) {
        for _ in 0..3 {
            match frames.recv_timeout(WAIT) {
                Ok(PreviewFrameView::Frame { .. }) => continue,
                Ok(ended) => panic!("nothing but frames sent before the stop, got {ended:?}"),
                Err(mpsc::RecvTimeoutError::Disconnected) => return,
                Err(mpsc::RecvTimeoutError::Timeout) => panic!("the stopped preview kept its sink"),
            }
        }
        panic!("the preview still streams after its stop");
    }

    #[test]
    fn frames_of_the_simulated_device_arrive_as_images() {
        let (test, _) = station_with_simulators();
        let station = &test.station;
        let rid = station.new_registration().unwrap().registration_id;
        let (sink, frames) = channel();
        let started = station
            .start_biometric_preview(&rid, PolicyStep::BothIrises, sink)
            .unwrap();
        assert!(started.device.simulated, "the window must be able to say SIMULATED");
        assert_eq!(started.device.id, "sim:iris-double");

        let (first, data_url) = next_frame(&frames);
        assert_eq!(first, 0);
        let (mime, base64) = data_url.split_once(";base64,").unwrap();
        let bytes = base64::engine::general_purpose::STANDARD.decode(base64).unwrap();
        let format = if mime == "data:image/png" {
            image::ImageFormat::Png
        } else {
            assert_eq!(mime, "data:image/jpeg");
            image::ImageFormat::Jpeg
        };
        let picture = image::load_from_memory_with_format(&bytes, format).unwrap();
        assert!(picture.width() > 0);
        assert!(bytes.len() <= MAX_FRAME_BYTES, "{} bytes", bytes.len());
        assert_eq!(next_frame(&frames).0, 1, "frames are numbered in order");
        station.stop_biometric_preview();
    }

    #[test]
    fn stop_ends_the_stream_at_once() {
        let (test, _) = station_with_simulators();
        let station = &test.station;
        let rid = station.new_registration().unwrap().registration_id;
        let frames = streaming(station, &rid, PolicyStep::BothIrises);
        station.stop_biometric_preview();
        // Nothing is sent after the stop, not even an end message.
        assert_stopped(&frames);
    }

    #[test]
    fn a_second_start_replaces_the_first() {
        let (test, _) = station_with_simulators();
        let station = &test.station;
        let rid = station.new_registration().unwrap().registration_id;
        let first = streaming(station, &rid, PolicyStep::BothIrises);
        let (second_sink, second) = channel();
        let started = station
            .start_biometric_preview(&rid, PolicyStep::Face, second_sink)
            .unwrap();
        assert_eq!(started.device.id, "sim:face");
        // The first sink is closed by the second start, the second one streams.
        assert_stopped(&first);
        assert_eq!(next_frame(&second).0, 0);
        station.stop_biometric_preview();
    }

    #[test]
    fn a_capture_stops_the_preview_and_does_not_wait_for_it() {
        let (test, _) = station_with_simulators();
        let station = &test.station;
        let rid = station.new_registration().unwrap().registration_id;
        let frames = streaming(station, &rid, PolicyStep::BothIrises);
        let view = station.capture_biometrics(&rid, PolicyStep::BothIrises).unwrap();
        assert!(view
            .steps
            .iter()
            .any(|s| s.step == PolicyStep::BothIrises && s.attempts == 1));
        assert_stopped(&frames);
        assert!(!station.live.stop(), "the capture stopped the preview already");
    }

    #[test]
    fn the_idle_lock_and_a_sign_out_stop_the_preview() {
        let (test, _) = station_with_simulators();
        let station = &test.station;
        let rid = station.new_registration().unwrap().registration_id;
        let frames = streaming(station, &rid, PolicyStep::BothIrises);
        test.clock.advance(crate::test_support::DAY);
        assert!(station.lock_if_idle().unwrap(), "a day idle locks the session");
        assert_stopped(&frames);

        test.as_user(OFFICER);
        let frames = streaming(station, &rid, PolicyStep::BothIrises);
        station.log_out();
        assert_stopped(&frames);
    }

    #[test]
    fn a_device_failing_mid_stream_ends_it_with_the_error() {
        let (test, settings) = station_with_simulators();
        let station = &test.station;
        let rid = station.new_registration().unwrap().registration_id;
        let frames = streaming(station, &rid, PolicyStep::BothIrises);
        settings.update(|s| s.failure = SimulatedFailure::UnpluggedMidCapture);
        // A frame or two drawn before the failure may come first; then the end, not more frames.
        let ended = (0..5)
            .find_map(|_| match frames.recv_timeout(WAIT).expect("the end of the stream") {
                PreviewFrameView::Frame { .. } => None,
                PreviewFrameView::Ended { error } => Some(error),
            })
            .expect("the stream ends once the device is unplugged");
        assert_eq!(
            ended.expect("the device's failure").code.as_str(),
            "device_not_connected"
        );
    }

    #[test]
    fn wrong_state_wrong_registration_no_sign_in_and_steps_outside_the_policy_are_refused() {
        let (test, _) = station_with_simulators();
        let station = &test.station;
        let rid = station.new_registration().unwrap().registration_id;
        let refuse = |registration_id: &str, step: PolicyStep| {
            let (sink, _) = channel();
            station
                .start_biometric_preview(registration_id, step, sink)
                .expect_err("must be refused")
                .code()
        };
        let other = station.new_registration().unwrap().registration_id;
        assert_eq!(
            refuse("10001999999999999999999999", PolicyStep::BothIrises),
            "not_found"
        );
        station.discard_draft(&rid).unwrap();
        assert_eq!(refuse(&rid, PolicyStep::BothIrises), "invalid_state");
        station.log_out();
        assert_eq!(refuse(&other, PolicyStep::BothIrises), "not_signed_in");
        test.as_user(OFFICER);
        let face_only = TestStation::new();
        face_only.as_user(OFFICER);
        let draft = face_only.station.new_registration().unwrap().registration_id;
        let (sink, _) = channel();
        let error = face_only
            .station
            .start_biometric_preview(&draft, PolicyStep::LeftSlap, sink)
            .unwrap_err();
        assert_eq!(
            error.code(),
            "invalid_input",
            "the left slap is not in a face-only policy"
        );
        assert!(!station.live.stop(), "no refused start left a preview running");
    }

    #[test]
    fn the_throttle_lets_ten_frames_a_second_through() {
        let mut throttle = Throttle::default();
        let start = Instant::now();
        let admitted = (0..100)
            .filter(|i| throttle.admit(start + Duration::from_millis(i * 20)))
            .count();
        assert_eq!(admitted, 20, "50 frames a second for 2 s become 10 a second");
        assert!(throttle.admit(start + Duration::from_secs(10)));
    }

    #[test]
    fn a_large_frame_is_scaled_down_to_a_small_jpeg() {
        // A noisy 1600 x 1500 frame (a slap at 500 ppi): far over the limit as PNG.
        let mut seed = 7u32;
        let noisy = image::GrayImage::from_fn(1600, 1500, |_, _| {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            image::Luma([(seed >> 16) as u8])
        });
        let mut png = Vec::new();
        noisy
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        assert!(png.len() > MAX_FRAME_BYTES);
        let data_url = displayable(&PreviewFrame {
            format: FrameFormat::Png,
            bytes: png,
        })
        .unwrap();
        let base64 = data_url.strip_prefix("data:image/jpeg;base64,").expect("sent as JPEG");
        let jpeg = base64::engine::general_purpose::STANDARD.decode(base64).unwrap();
        let shown = image::load_from_memory_with_format(&jpeg, image::ImageFormat::Jpeg).unwrap();
        assert_eq!(shown.width().max(shown.height()), SCALED_FRAME_SIDE);

        // A small frame goes through as the device made it.
        let small = PreviewFrame {
            format: FrameFormat::Jpeg,
            bytes: vec![0xFF, 0xD8, 0xFF, 0xD9],
        };
        assert_eq!(displayable(&small).unwrap(), "data:image/jpeg;base64,/9j/2Q==");
    }
}
