//! No resident data in any file the station writes: a registration with an unusual name and a
//! face record carrying marker bytes is written through the API, then every file under the
//! data folder (the vault, its WAL and shared-memory files, its blob files, anything
//! temporary, the log) is
//! scanned for the markers, raw and base64-encoded, at draft, pending approval and after
//! approval.

use std::ops::ControlFlow;
use std::path::Path;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use enroll_devices::iso19794::{write_face_record, CaptureDateTime, CaptureDevice, FaceRecordInput, QualityBlock};
use enroll_devices::{
    BiometricDevice, CancelToken, CaptureRequest, CaptureResult, CaptureStep, CapturedData, DeviceBackend,
    DeviceDescriptor, DeviceError, PreviewFrame, QualitySource, SimulatedFaceCamera,
};
use enroll_station::biometrics::Position;

use crate::{as_user, data_dir, fixture_with_devices, identity, SUPERVISOR};

const MARKER_NAME: &str = "Qzxvmarker Wyjnamefind";
const MARKER_BYTES: &[u8] = b"\x00\xfeFPRINT-MARKER-7f3a9c\x01\x99";

/// The simulated face camera handing over an ISO/IEC 19794-5 record (as an SBI device does),
/// its PNG carrying the marker bytes in a private ancillary chunk (which PNG readers skip), so
/// that the record that travels through the station, untouched, carries them.
struct MarkerCamera(SimulatedFaceCamera);

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn png_with_marker(image: &image::GrayImage) -> Vec<u8> {
    let mut png = Vec::new();
    image
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    let iend = png.len() - 12;
    let mut chunk = Vec::new();
    chunk.extend_from_slice(&(MARKER_BYTES.len() as u32).to_be_bytes());
    let mut typed = b"mrKr".to_vec();
    typed.extend_from_slice(MARKER_BYTES);
    chunk.extend_from_slice(&typed);
    chunk.extend_from_slice(&crc32(&typed).to_be_bytes());
    png.splice(iend..iend, chunk);
    png
}

impl BiometricDevice for MarkerCamera {
    fn descriptor(&self) -> DeviceDescriptor {
        self.0.descriptor()
    }

    fn capture(&self, request: &CaptureRequest, cancel: &CancelToken) -> Result<CaptureResult, DeviceError> {
        let mut result = self.0.capture(request, cancel)?;
        for capture in &mut result.captures {
            let CapturedData::Image { image, .. } = &capture.data else {
                unreachable!("the simulated camera hands over pixels")
            };
            // Small enough for the station to show the record's PNG as it is (a larger one is
            // scaled down for the screen, which would drop the marker's chunk from the preview).
            let image = image::imageops::thumbnail(image, image.width().min(320), image.height().min(320));
            let record = write_face_record(&FaceRecordInput {
                png: &png_with_marker(&image),
                captured_at: CaptureDateTime {
                    year: 2026,
                    month: 11,
                    day: 25,
                    hour: 9,
                    minute: 0,
                    second: 0,
                    millisecond: 0,
                },
                device: CaptureDevice::default(),
                quality: QualityBlock {
                    score: capture.quality,
                    algorithm_vendor_id: 0,
                    algorithm_id: 0,
                },
                colour_space: 0,
            })?;
            capture.data = CapturedData::IsoRecord(record);
            capture.quality_source = QualitySource::Device;
        }
        Ok(result)
    }

    fn preview(
        &self,
        step: CaptureStep,
        on_frame: &mut dyn FnMut(PreviewFrame) -> ControlFlow<()>,
        cancel: &CancelToken,
    ) -> Result<(), DeviceError> {
        self.0.preview(step, on_frame, cancel)
    }
}

struct MarkerBackend(Arc<MarkerCamera>);

impl DeviceBackend for MarkerBackend {
    fn name(&self) -> &'static str {
        "marker"
    }
    fn discover(&self) -> Result<Vec<Arc<dyn BiometricDevice>>, DeviceError> {
        Ok(vec![self.0.clone()])
    }
}

/// The marker as it could appear: raw, and inside base64 at each of the three alignments.
fn forms(marker: &[u8]) -> Vec<Vec<u8>> {
    let mut forms = vec![marker.to_vec()];
    for shift in 0..3 {
        let mut padded = vec![b'x'; shift];
        padded.extend_from_slice(marker);
        let encoded = base64::engine::general_purpose::STANDARD.encode(&padded);
        // Drop the characters that depend on the neighbours.
        let start = (shift * 4).div_ceil(3) + 1;
        let end = encoded.trim_end_matches('=').len() - 2;
        forms.push(encoded.as_bytes()[start..end].to_vec());
    }
    forms
}

/// Where the test binary's log goes: one global subscriber (a scoped one can miss events when
/// other tests run at the same time, because callsites cache their interest), writing to the
/// file the marker test names. Other tests' lines may land there too; they hold no markers.
static LOG: Mutex<Option<std::fs::File>> = Mutex::new(None);

struct LogWriter;

impl std::io::Write for LogWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        match LOG.lock().unwrap().as_mut() {
            Some(file) => file.write(bytes),
            None => Ok(bytes.len()),
        }
    }
    fn flush(&mut self) -> std::io::Result<()> {
        match LOG.lock().unwrap().as_mut() {
            Some(file) => file.flush(),
            None => Ok(()),
        }
    }
}

fn log_to(path: &Path) {
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    *LOG.lock().unwrap() = Some(
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .unwrap(),
    );
    INSTALLED.call_once(|| {
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(|| LogWriter)
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("no other subscriber in this test binary");
    });
}

fn files_under(dir: &Path, found: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files_under(&path, found);
        } else {
            found.push(path);
        }
    }
}

fn assert_no_marker_on_disk(dir: &Path, stage: &str) {
    let mut files = Vec::new();
    files_under(dir, &mut files);
    let names: Vec<String> = files
        .iter()
        .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().any(|n| n == enroll_station::VAULT_FILE), "{names:?}");
    assert!(names.iter().any(|n| n == enroll_station::LOG_FILE), "{names:?}");
    let mut scanned = 0;
    for file in &files {
        let bytes = std::fs::read(file).unwrap();
        scanned += bytes.len();
        for (label, marker) in [("name", MARKER_NAME.as_bytes()), ("fingerprint bytes", MARKER_BYTES)] {
            for form in forms(marker) {
                assert!(
                    !bytes.windows(form.len()).any(|w| w == form.as_slice()),
                    "{stage}: the marker {label} is readable in {}",
                    file.display()
                );
            }
        }
    }
    assert!(scanned > 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_file_the_station_writes_holds_resident_data() {
    let camera = MarkerCamera(SimulatedFaceCamera::new("SIM-MARKER", 3));
    let fixture = fixture_with_devices(vec![Arc::new(MarkerBackend(Arc::new(camera)))]).await;
    let dir = data_dir(fixture.dir.path());
    // The station's log goes to its file in the data folder, at the most talkative level.
    log_to(&dir.join(enroll_station::LOG_FILE));

    let station = &fixture.station;
    as_user(station, crate::MAKER);
    let rid = station.new_registration().unwrap().registration_id;
    station.record_consent(&rid, true).unwrap();
    station.save_draft(&rid, identity(MARKER_NAME)).unwrap();
    crate::attach_proof_of_identity(station, &rid);
    crate::capture_face(station, &rid);
    let capture = station.biometric_preview(&rid, Position::Face).unwrap();
    let png = base64::engine::general_purpose::STANDARD
        .decode(capture.preview_data_url.trim_start_matches("data:image/png;base64,"))
        .unwrap();
    assert!(
        png.windows(MARKER_BYTES.len()).any(|w| w == MARKER_BYTES),
        "the marker really travels in the face record"
    );
    assert_eq!(
        station.registration(&rid).unwrap().identity.unwrap()["fullName"][0]["value"],
        MARKER_NAME
    );
    assert_no_marker_on_disk(&dir, "draft");

    station.finalize(&rid).unwrap();
    let pending_file = dir.join("vault.blobs").join(format!("{rid}.envelope"));
    assert!(pending_file.is_file(), "the scan covers the pending envelope file");
    assert_no_marker_on_disk(&dir, "pending approval");

    as_user(station, SUPERVISOR);
    station.approve(&rid).unwrap();
    assert_no_marker_on_disk(&dir, "approved");
    station.sync_now().await.unwrap();
    assert_no_marker_on_disk(&dir, "acknowledged");
    fixture.intake.shutdown().await;
    drop(fixture.station);
    assert_no_marker_on_disk(&dir, "closed");
    let log = std::fs::read_to_string(dir.join(enroll_station::LOG_FILE)).unwrap();
    assert!(log.contains(&rid), "the scanned log really is the station's log");
}
