//! Crash safety, with real processes and a real file system:
//!
//! - `sigkill_at_random_points_loses_and_duplicates_nothing`: the `vault-worker` binary moves
//!   registrations along the lifecycle and prints `SAVED ...` after each call that returned
//!   `Ok`; this harness SIGKILLs it at random moments, hundreds of times, and after every kill
//!   reopens the vault and checks it (integrity, every reported save there in that state or a
//!   later one and readable, nothing duplicated, at most the one in-flight write unreported).
//!   The seed is fixed and printed; set `ENROLL_CRASH_SEED` (and `ENROLL_CRASH_KILLS`) to
//!   replay. Kill moments are wall-clock delays drawn from the seed, so a replay makes the same
//!   choices but may land each kill a few instructions apart.
//! - `a_full_disk_gives_a_clear_error_and_leaves_the_vault_intact`: the vault on a 16 MiB tmpfs
//!   mounted in a private mount namespace (needs root, as in CI), 10 MiB of it taken by a
//!   ballast file that is removed to free space. The ballast is large on purpose: in WAL mode
//!   the data written since the last completed checkpoint sits in the WAL *and* needs room in
//!   the database file, so freeing less than the data's size does not let the checkpoint
//!   finish, and the disk is full again at once.
//!
//! Deliberately absent: timing assertions (speed is the benchmarks' business).

use std::collections::{HashMap, HashSet};
use std::io::{BufRead as _, BufReader};
use std::os::unix::process::ExitStatusExt as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use enroll_bench::fixture::{self, ADMIN, ADMIN_PASSWORD};
use enroll_bench::inspect::{inspect_vault, lifecycle_rank, RowReport};
use enroll_packet::RegisterKeyPair;
use enroll_store::{DataKey, RegistrationState, Vault};
use rand::{Rng as _, SeedableRng as _};

const DEFAULT_SEED: u64 = 20_250_301;
const DEFAULT_KILLS: usize = 300;
/// Fresh data folders over the run, so that no vault grows large enough to slow the checks.
const EPOCHS: usize = 5;

fn worker_binary() -> &'static str {
    env!("CARGO_BIN_EXE_vault-worker")
}

/// What the worker reported saved for one registration: the furthest state, the latest draft
/// save, and whether the upload URL was recorded.
#[derive(Debug, Clone, Copy)]
struct Claim {
    state: RegistrationState,
    draft_version: u32,
    upload_url: bool,
}

fn parse_state(text: &str) -> RegistrationState {
    match text {
        "draft" => RegistrationState::Draft,
        "pending_approval" => RegistrationState::PendingApproval,
        "sealed" => RegistrationState::Sealed,
        "uploaded" => RegistrationState::Uploaded,
        "acknowledged" => RegistrationState::Acknowledged,
        other => panic!("the worker reported an unknown state {other:?}"),
    }
}

/// Fold `SAVED` lines into the claims; returns the ids named.
fn record_claims(lines: &[String], claims: &mut HashMap<String, Claim>) -> HashSet<String> {
    let mut named = HashSet::new();
    for line in lines {
        let parts: Vec<&str> = line.split(' ').collect();
        if parts.first() != Some(&"SAVED") {
            continue;
        }
        let (id, state) = (parts[1].to_string(), parse_state(parts[2]));
        let claim = claims.entry(id.clone()).or_insert(Claim {
            state,
            draft_version: 0,
            upload_url: false,
        });
        if lifecycle_rank(state) > lifecycle_rank(claim.state) {
            claim.state = state;
        }
        if state == RegistrationState::Draft {
            let version: u32 = parts[3].parse().expect("a draft line ends with its save number");
            claim.draft_version = claim.draft_version.max(version);
        }
        if parts.get(3) == Some(&"upload_url") {
            claim.upload_url = true;
        }
        named.insert(id);
    }
    named
}

struct Run {
    lines: Vec<String>,
    reached_ready: bool,
}

/// Start `vault-worker crash`, kill it with SIGKILL after `delay` (counted from READY, or from
/// the start when `before_ready`), and collect what it printed.
fn run_and_kill(dir: &Path, seed: u64, delay: Duration, before_ready: bool) -> Run {
    let mut child = Command::new(worker_binary())
        .args(["crash", dir.to_str().unwrap(), &seed.to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start vault-worker");
    let stdout = child.stdout.take().unwrap();
    let (sender, receiver) = mpsc::channel::<String>();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    let mut lines = Vec::new();
    let mut reached_ready = false;
    if !before_ready {
        let deadline = Instant::now() + Duration::from_secs(30);
        while !reached_ready {
            let left = deadline.saturating_duration_since(Instant::now());
            match receiver.recv_timeout(left) {
                Ok(line) => {
                    reached_ready = line.starts_with("READY");
                    lines.push(line);
                }
                Err(_) => break,
            }
        }
        assert!(reached_ready, "the worker did not get ready within 30 s: {lines:?}");
    }
    std::thread::sleep(delay);
    child.kill().expect("SIGKILL the worker");
    let status = child.wait().unwrap();
    reader.join().unwrap();
    lines.extend(receiver.try_iter());
    reached_ready |= lines.iter().any(|line| line.starts_with("READY"));
    if status.signal() != Some(9) {
        let mut stderr = String::new();
        std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
        panic!("the worker stopped by itself ({status}) instead of being killed; a rerun must continue cleanly.\nstderr: {stderr}\nstdout: {lines:?}");
    }
    Run { lines, reached_ready }
}

/// The data key and the register key of the station in `dir`, once it exists.
fn keys_of(dir: &Path, vault: &Vault) -> Option<(DataKey, RegisterKeyPair)> {
    vault.station().unwrap()?;
    let (_, data_key) = vault
        .unlock(ADMIN, ADMIN_PASSWORD)
        .expect("the admin unlocks the vault");
    let register = RegisterKeyPair::from_json(&std::fs::read_to_string(dir.join(fixture::REGISTER_KEY_FILE)).unwrap())
        .expect("the register key beside the vault");
    Some((data_key, register))
}

/// Every claim holds in `rows`.
fn check_claims(rows: &[RowReport], claims: &HashMap<String, Claim>, context: &str) {
    let by_id: HashMap<&str, &RowReport> = rows.iter().map(|row| (row.registration_id.as_str(), row)).collect();
    assert_eq!(by_id.len(), rows.len(), "{context}: a registration id appears twice");
    for (id, claim) in claims {
        let row = by_id.get(id.as_str()).unwrap_or_else(|| {
            panic!(
                "{context}: {id} was reported saved as {} but is gone",
                claim.state.as_str()
            )
        });
        assert!(
            lifecycle_rank(row.state) >= lifecycle_rank(claim.state),
            "{context}: {id} was reported {} but the vault has it {}",
            claim.state.as_str(),
            row.state.as_str()
        );
        if row.state == RegistrationState::Draft {
            let stored = row.draft_version.expect("a draft row has a version");
            assert!(
                stored >= claim.draft_version,
                "{context}: draft {id} was reported at save {} but the vault holds save {stored}",
                claim.draft_version
            );
        }
        if claim.upload_url && row.state == RegistrationState::Sealed {
            assert!(
                row.has_upload_url,
                "{context}: the upload URL of {id} was reported saved but is gone"
            );
        }
    }
}

fn env_number<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .map(|text| text.parse().unwrap_or_else(|_| panic!("{name} must be a number")))
        .unwrap_or(default)
}

#[test]
fn sigkill_at_random_points_loses_and_duplicates_nothing() {
    let seed: u64 = env_number("ENROLL_CRASH_SEED", DEFAULT_SEED);
    let kills: usize = env_number("ENROLL_CRASH_KILLS", DEFAULT_KILLS);
    eprintln!(
        "crash harness: seed {seed}, {kills} kills (replay: ENROLL_CRASH_SEED={seed} ENROLL_CRASH_KILLS={kills})"
    );
    let mut random = rand::rngs::StdRng::seed_from_u64(seed);
    let started = Instant::now();
    let (mut total_saves, mut total_rows, mut killed_after_ready) = (0usize, 0usize, 0usize);
    let mut final_states: HashMap<&'static str, usize> = HashMap::new();

    for epoch in 0..EPOCHS {
        let kills_here = kills / EPOCHS + usize::from(epoch < kills % EPOCHS);
        let folder = tempfile::tempdir().unwrap();
        let dir = folder.path();
        let mut claims: HashMap<String, Claim> = HashMap::new();
        let mut known: HashSet<String> = HashSet::new();
        let mut keys: Option<(DataKey, RegisterKeyPair)> = None;
        for round in 0..kills_here {
            let context = format!("seed {seed}, epoch {epoch}, kill {round}");
            let run_seed: u64 = random.gen();
            // One kill in ten lands while the worker opens the vault (or sets the station up);
            // the rest while it writes.
            let before_ready = random.gen_bool(0.1);
            let delay = Duration::from_micros(if before_ready {
                random.gen_range(0..150_000)
            } else {
                random.gen_range(0..120_000)
            });
            let run = run_and_kill(dir, run_seed, delay, before_ready);
            killed_after_ready += usize::from(run.reached_ready);
            let named = record_claims(&run.lines, &mut claims);
            total_saves += run.lines.iter().filter(|line| line.starts_with("SAVED")).count();

            // Reopen as the station would after a crash, then check everything.
            if !fixture::vault_path(dir).exists() {
                assert!(
                    claims.is_empty(),
                    "{context}: saves were reported but there is no vault"
                );
                continue;
            }
            let vault = Vault::open(&fixture::vault_path(dir)).unwrap_or_else(|e| panic!("{context}: reopen: {e}"));
            if keys.is_none() {
                keys = keys_of(dir, &vault);
            }
            let Some((data_key, register)) = &keys else {
                assert!(
                    claims.is_empty(),
                    "{context}: saves were reported but the station is not set up"
                );
                continue;
            };
            let rows = inspect_vault(&vault, data_key, register).unwrap_or_else(|e| panic!("{context}: {e:#}"));
            check_claims(&rows, &claims, &context);
            let unreported: Vec<&str> = rows
                .iter()
                .map(|row| row.registration_id.as_str())
                .filter(|id| !known.contains(*id) && !named.contains(*id))
                .collect();
            assert!(
                unreported.len() <= 1,
                "{context}: only the write in flight at the kill may be unreported, found {unreported:?}"
            );
            known.extend(rows.iter().map(|row| row.registration_id.clone()));
        }

        // A clean run after all those kills takes everything to the end.
        let output = Command::new(worker_binary())
            .args(["drain", dir.to_str().unwrap()])
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "seed {seed}, epoch {epoch}: the clean run after the kills failed: {}\n{stdout}",
            String::from_utf8_lossy(&output.stderr)
        );
        let lines: Vec<String> = stdout.lines().map(str::to_string).collect();
        assert!(lines.last().is_some_and(|line| line.starts_with("DONE")), "{lines:?}");
        record_claims(&lines, &mut claims);
        let vault = Vault::open(&fixture::vault_path(dir)).unwrap();
        let keys = keys
            .or_else(|| keys_of(dir, &vault))
            .expect("the station exists after a clean run");
        let rows = inspect_vault(&vault, &keys.0, &keys.1)
            .unwrap_or_else(|e| panic!("seed {seed}, epoch {epoch}, after the clean run: {e:#}"));
        check_claims(
            &rows,
            &claims,
            &format!("seed {seed}, epoch {epoch}, after the clean run"),
        );
        for row in &rows {
            assert_eq!(
                row.state,
                RegistrationState::Acknowledged,
                "{} is left {} after the clean run",
                row.registration_id,
                row.state.as_str()
            );
            *final_states.entry(row.state.as_str()).or_default() += 1;
        }
        assert!(
            rows.len() >= claims.len(),
            "every reported registration is among the {} rows",
            rows.len()
        );
        total_rows += rows.len();
    }
    eprintln!(
        "crash harness: seed {seed}: {kills} kills ({killed_after_ready} while writing), {total_saves} reported saves, \
         {total_rows} registrations all acknowledged after the clean runs, {:.1} s",
        started.elapsed().as_secs_f64()
    );
    assert!(
        total_saves > kills,
        "the worker made progress between kills ({total_saves} saves)"
    );
}

fn is_root() -> bool {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|line| line.starts_with("Uid:"))
        .and_then(|line| line.split_whitespace().nth(2))
        == Some("0")
}

/// The scenario inside a private mount namespace: the tmpfs disappears with it, whatever
/// happens to this test.
const DISK_FULL_SCRIPT: &str = r#"set -eu
dir="$1"; worker="$2"
mount -t tmpfs -o size=16m,mode=0700 enroll-disk-full "$dir"
"$worker" check "$dir"
head -c 10485760 /dev/zero > "$dir/ballast"
echo "FILL"
"$worker" fill "$dir" "$dir/ballast"
echo "CHECK_AFTER"
"$worker" check "$dir"
"#;

#[test]
fn a_full_disk_gives_a_clear_error_and_leaves_the_vault_intact() {
    if !is_root() {
        eprintln!("skipped: mounting a size-limited tmpfs needs root (CI runs as root)");
        return;
    }
    let folder = tempfile::tempdir().unwrap();
    let output = Command::new("unshare")
        .args([
            "--mount",
            "--propagation",
            "private",
            "bash",
            "-c",
            DISK_FULL_SCRIPT,
            "bash",
        ])
        .arg(folder.path())
        .arg(worker_binary())
        .output()
        .expect("run unshare (util-linux)");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "the scenario failed:\n{stderr}\n{stdout}");
    eprintln!("{stdout}");
    let lines: Vec<&str> = stdout.lines().collect();
    let section = |from: &str, to: &str| -> Vec<&str> {
        let start = lines.iter().position(|l| *l == from).unwrap() + 1;
        let end = lines.iter().position(|l| *l == to).unwrap_or(lines.len());
        lines[start..end].to_vec()
    };

    let fill = section("FILL", "CHECK_AFTER");
    let full_at = fill.iter().position(|l| l.starts_with("FULL ")).expect("a save failed");
    let saved: Vec<&str> = fill[..full_at]
        .iter()
        .filter_map(|l| l.strip_prefix("SAVED "))
        .map(|rest| rest.split(' ').next().unwrap())
        .collect();
    assert!(saved.len() >= 3, "drafts fit before the disk filled: {fill:?}");
    let expected_message = enroll_store::StoreError::DiskFull.to_string();
    assert_eq!(
        fill[full_at],
        format!("FULL disk_full {expected_message}"),
        "the failure is the clear disk-full error ({})",
        fill[full_at + 1]
    );
    assert_eq!(fill[full_at + 2], format!("INTACT_WHILE_FULL {}", saved.len()));
    assert_eq!(fill[full_at + 3], "FREED");
    let after: Vec<&str> = fill[full_at + 4..].to_vec();
    assert_eq!(after.len(), 4, "{after:?}");
    let again = after[0].strip_prefix("SAVED ").unwrap().split(' ').next().unwrap();
    assert_eq!(
        after,
        [
            format!("SAVED {again} draft 1"),
            format!("SAVED {again} pending_approval"),
            format!("SAVED {again} sealed"),
            "DONE".to_string()
        ]
    );

    let check = section("CHECK_AFTER", "");
    let mut expected: Vec<String> = saved.iter().map(|id| format!("ROW {id} draft 1")).collect();
    expected.push(format!("ROW {again} sealed "));
    expected.push(format!("INTEGRITY ok {}", saved.len() + 1));
    let mut found: Vec<String> = check.iter().map(|l| l.to_string()).collect();
    found.sort();
    expected.sort();
    assert_eq!(found, expected);
}
