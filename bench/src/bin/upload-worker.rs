//! The station's side of `make bench`'s upload-memory limit, in a process of its own so that
//! what it measures is the uploading station alone (the intake runs in the bench).
//!
//! `upload-worker <intake url> <station id> <registration id> <envelope file> <request key seed
//! base64> <its proof base64>`: sets up a client that signs as the station
//! and reaches the intake once (the station idle, ready to sync), notes its resident memory and
//! resets the kernel's peak (`/proc/self/clear_refs`), uploads the envelope from its file as
//! the station does, and prints `idle_kib <n> peak_kib <n>` (the peak while uploading).
//! Linux only: elsewhere it says so and exits 2.

use std::path::Path;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [url, station_id, registration_id, file, seed, proof] = args.as_slice() else {
        eprintln!(
            "usage: upload-worker <intake url> <station id> <registration id> <envelope file> <request key seed base64> <proof base64>"
        );
        std::process::exit(2);
    };
    match run(url, station_id, registration_id, Path::new(file), seed, proof) {
        Ok((idle, peak)) => println!("idle_kib {idle} peak_kib {peak}"),
        Err(error) => {
            eprintln!("upload-worker: {error:#}");
            std::process::exit(1);
        }
    }
}

fn run(
    url: &str,
    station_id: &str,
    registration_id: &str,
    file: &Path,
    seed: &str,
    proof: &str,
) -> anyhow::Result<(u64, u64)> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    use base64::Engine as _;
    let seed: [u8; 32] = base64::engine::general_purpose::STANDARD
        .decode(seed)?
        .try_into()
        .map_err(|_| anyhow::anyhow!("the request key seed is not 32 bytes"))?;
    let proof: [u8; 64] = base64::engine::general_purpose::STANDARD
        .decode(proof)?
        .try_into()
        .map_err(|_| anyhow::anyhow!("the proof is not 64 bytes"))?;
    let client = enroll_sync::IntakeClient::new(url)?.with_request_key(seed, proof);
    runtime.block_on(client.health())?;
    let idle = status_kib("VmRSS")?;
    // From here the kernel's high-water mark is the upload's.
    std::fs::write("/proc/self/clear_refs", "5")?;
    let envelope = enroll_sync::EnvelopeFile::open(file)?;
    runtime.block_on(client.upload(registration_id, station_id, &envelope, None, &|_, _| {}))?;
    Ok((idle, status_kib("VmHWM")?))
}

/// A `kB` line of `/proc/self/status`.
fn status_kib(field: &str) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|value| value.trim().strip_suffix("kB")?.trim().parse().ok())
        .ok_or_else(|| anyhow::anyhow!("/proc/self/status has no {field} in kB"))
}
