//! No resident data in any file the station writes: a registration with an unusual name and a
//! face record carrying marker bytes is written through the API, then every file under the
//! data folder (the vault, its WAL and shared-memory files, its blob files, anything
//! temporary, the log) is
//! scanned for the markers, raw and base64-encoded, at draft, pending approval and after
//! approval.

use std::path::Path;
use std::sync::Mutex;

use base64::Engine as _;
use enroll_devices::{DeviceError, DeviceInfo, FaceCamera, FaceCapture, SimulatedFaceCamera};

use crate::{as_user, data_dir, fixture_with_camera, identity, SUPERVISOR};

const MARKER_NAME: &str = "Qzxvmarker Wyjnamefind";
const MARKER_BYTES: &[u8] = b"\x00\xfeFPRINT-MARKER-7f3a9c\x01\x99";

/// The simulated camera, with the marker bytes in a private ancillary PNG chunk (which PNG
/// readers skip), so the record that travels through the station carries them.
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

impl FaceCamera for MarkerCamera {
    fn info(&self) -> DeviceInfo {
        self.0.info()
    }
    fn capture(&self) -> Result<FaceCapture, DeviceError> {
        let mut capture = self.0.capture()?;
        let iend = capture.png.len() - 12;
        let mut chunk = Vec::new();
        chunk.extend_from_slice(&(MARKER_BYTES.len() as u32).to_be_bytes());
        let mut typed = b"mrKr".to_vec();
        typed.extend_from_slice(MARKER_BYTES);
        chunk.extend_from_slice(&typed);
        chunk.extend_from_slice(&crc32(&typed).to_be_bytes());
        capture.png.splice(iend..iend, chunk);
        Ok(capture)
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
    let fixture = fixture_with_camera(Box::new(camera)).await;
    let dir = data_dir(fixture.dir.path());
    // The station's log goes to its file in the data folder, at the most talkative level.
    log_to(&dir.join(enroll_station::LOG_FILE));

    let station = &fixture.station;
    as_user(station, crate::MAKER);
    let rid = station.new_registration().unwrap().registration_id;
    station.save_draft(&rid, identity(MARKER_NAME)).unwrap();
    let capture = station.capture_face(&rid).unwrap();
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
    let content_file = dir.join("vault.blobs").join(format!("{rid}.content"));
    assert!(content_file.is_file(), "the scan covers the pending content file");
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
