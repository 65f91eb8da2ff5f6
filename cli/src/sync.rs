//! `enroll sync`: send a station's upload queue to its intake from the command line, once or
//! for as long as it runs (`--watch`), with the very engine the app runs in the background
//! (`enroll_station::sync_engine`). For a station without a window (a kiosk that only queues,
//! a script after a day offline) and for support staff.
//!
//! The vault admits one program at a time: this refuses to run while the app has the station
//! open (`vault_in_use`), and the app's own background sync does the same work there.
//! Progress goes to stderr as lines, the report to stdout as JSON.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use clap::Args;
use enroll_station::{BackgroundSync, IntakeLink, Station, StationConfig, SyncStatusView};

use crate::Failure;

#[derive(Args)]
pub struct SyncArgs {
    /// The station's data folder (the one holding vault.sqlite)
    #[arg(long)]
    data: PathBuf,
    /// Keep running: send whatever is queued whenever the intake answers, until Ctrl-C
    #[arg(long)]
    watch: bool,
}

pub fn run(args: SyncArgs) -> Result<(), Failure> {
    let runtime = tokio::runtime::Runtime::new()
        .map_err(|error| Failure::server(format!("cannot start the async runtime: {error}")))?;
    let station = Station::open(StationConfig {
        data_dir: args.data.clone(),
        // The station's own record names its intake; this is only for a station not set up.
        intake_url: String::new(),
    })
    .map_err(crate::audit::station_failure)?;
    if station.status().map_err(crate::audit::station_failure)?.needs_setup {
        return Err(Failure::input(format!(
            "{} holds no station that is set up: set it up in the app first",
            args.data.display()
        )));
    }
    station.on_sync_status(Some(Arc::new(print_progress)));
    if args.watch {
        return runtime.block_on(watch(station));
    }
    let report = runtime
        .block_on(station.sync_unattended())
        .map_err(crate::audit::station_failure)?;
    println!("{}", serde_json::to_string_pretty(&report).expect("plain JSON values"));
    if report.failures.is_empty() {
        Ok(())
    } else {
        Err(Failure::server(format!(
            "{} of {} packets were not acknowledged (they stay queued, or set aside for a supervisor: see the report)",
            report.failures.len(),
            report.attempted
        )))
    }
}

async fn watch(station: Station) -> Result<(), Failure> {
    let station = Arc::new(station);
    let stopping = Arc::new(AtomicBool::new(false));
    {
        let (station, stopping) = (Arc::clone(&station), Arc::clone(&stopping));
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                eprintln!("stopping after the packet being sent");
                stopping.store(true, Ordering::SeqCst);
                station.wake_sync();
            }
        });
    }
    enroll_station::watch_sync(&station, BackgroundSync::default(), || !stopping.load(Ordering::SeqCst))
        .await
        .map_err(crate::audit::station_failure)
}

/// One line per change worth a line: a packet's progress (already throttled by the station),
/// the link coming or going, a station the intake refuses.
fn print_progress(status: &SyncStatusView) {
    if let Some(current) = &status.current {
        let percent = (current.sent * 100).checked_div(current.total).unwrap_or(100);
        eprintln!(
            "packet {} of {}: {} {}% ({} of {} bytes, {} bytes/s)",
            status.run_done + 1,
            status.run_total,
            current.registration_id,
            percent,
            current.sent,
            current.total,
            current.bytes_per_second
        );
    } else if let Some(blocked) = &status.blocked {
        eprintln!("the intake refuses this station: {}", blocked.code.as_str());
    } else if status.link == IntakeLink::Offline {
        match &status.next_check_at {
            Some(at) => eprintln!("the intake does not answer; looking again at {at}"),
            None => eprintln!("the intake does not answer"),
        }
    }
}
