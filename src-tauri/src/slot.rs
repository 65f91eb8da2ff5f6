//! The station the window talks to, opened when the app starts or, if that failed, at the
//! window's next call.
//!
//! Why not simply fail at start: the likeliest reason a station does not open is that another
//! window of the app holds its vault (`vault_in_use`: the vault takes one writer at a time, see
//! `enroll_store::Vault::open`), the second launch of a double click. Quitting would show
//! nothing at all. Instead the window opens, its first call gets the error, it shows it with a
//! Try again button (`ui/src/App.svelte`), which opens the station once the other window is
//! closed.
//!
//! Deliberately absent: focusing the other window (that needs a session bus and a plugin; the
//! message says where the station is open instead).

use std::sync::{Arc, Mutex, MutexGuard};

use enroll_station::biometrics::DeviceSettings;
use enroll_station::{BackgroundSync, Station, StationConfig, StationError};

/// How often the app checks whether the signed-in session has been idle too long.
const IDLE_LOCK_CHECK: std::time::Duration = std::time::Duration::from_secs(5);

/// The station, once it opened.
pub struct StationSlot {
    config: StationConfig,
    devices: DeviceSettings,
    /// How the background sync paces itself; `None`: no background sync (unit tests).
    background_sync: Option<BackgroundSync>,
    opened: Mutex<Option<Arc<Station>>>,
}

impl StationSlot {
    /// Try to open the station now; a failure is logged and tried again at the next call.
    /// Once open, the station syncs in the background at `background_sync`'s pace.
    pub fn open(
        config: StationConfig,
        devices: DeviceSettings,
        background_sync: Option<BackgroundSync>,
    ) -> StationSlot {
        let slot = StationSlot {
            config,
            devices,
            background_sync,
            opened: Mutex::new(None),
        };
        if let Err(error) = slot.station() {
            tracing::warn!(code = error.code(), %error, "the station did not open; the window will say why");
        }
        slot
    }

    /// The open station, opening it first if it is not yet.
    pub fn station(&self) -> Result<Arc<Station>, StationError> {
        let mut opened = self.lock();
        if let Some(station) = opened.as_ref() {
            return Ok(Arc::clone(station));
        }
        // Opening is fast (no network, no key derivation): fine under the lock.
        let station = Station::open(self.config.clone())?;
        // On a thread of its own: the commands open the slot from the IPC runtime, where the
        // SBI backend's blocking HTTP client may not be built (reqwest panics there: "Cannot
        // drop a runtime in a context where blocking is not allowed"), as a second window's
        // Retry did.
        let backends = std::thread::scope(|scope| scope.spawn(|| self.devices.backends()).join())
            .map_err(|_| StationError::Internal("building the device backends panicked".into()))??;
        station.use_device_backends(backends);
        let station = Arc::new(station);
        lock_idle_sessions_on_time(Arc::clone(&station));
        if let Some(pace) = self.background_sync {
            if let Err(error) = enroll_station::start_background_sync(&station, pace) {
                // Sync now still works; say so loudly.
                tracing::error!(%error, "no background sync thread: packets leave only when someone syncs");
            }
        }
        tracing::info!(data_dir = %self.config.data_dir.display(), "station opened");
        *opened = Some(Arc::clone(&station));
        Ok(station)
    }

    fn lock(&self) -> MutexGuard<'_, Option<Arc<Station>>> {
        // The slot only ever goes from empty to full; a panic elsewhere cannot half-fill it.
        self.opened.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Lock an idle session on time, whatever the window does: a hidden or hung window's timers
/// may not run (WebKit throttles them), and the keys must leave memory at the idle deadline,
/// not at the next click. The window shows the lock screen from its own timer
/// (`session_state`); this thread is what makes Rust the authority. The check is a mutex and
/// a clock read; it never counts as activity. The thread holds the station weakly and ends
/// with it, so that closing a station releases its vault.
fn lock_idle_sessions_on_time(station: Arc<Station>) {
    let station = Arc::downgrade(&station);
    let spawned = std::thread::Builder::new()
        .name("idle-lock".into())
        .spawn(move || loop {
            std::thread::sleep(IDLE_LOCK_CHECK);
            let Some(station) = station.upgrade() else { return };
            if let Err(error) = station.lock_if_idle() {
                tracing::error!(%error, "the idle session could not be locked");
            }
        });
    if let Err(error) = spawned {
        // The lock still happens at the next call and when the window asks; say so loudly.
        tracing::error!(%error, "no idle-lock thread: idle sessions lock only at the next call");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(dir: &std::path::Path) -> StationConfig {
        StationConfig {
            data_dir: dir.to_path_buf(),
            intake_url: "http://127.0.0.1:9".into(),
        }
    }

    #[test]
    fn a_second_window_on_the_same_vault_gets_vault_in_use_until_the_first_is_closed() {
        let dir = tempfile::tempdir().unwrap();
        let first = StationSlot::open(config(dir.path()), DeviceSettings::default(), None);
        first.station().unwrap();

        let second = StationSlot::open(config(dir.path()), DeviceSettings::default(), None);
        let error = second.station().err().expect("the vault is held by the first window");
        assert_eq!(error.code(), "vault_in_use");
        assert!(error.to_string().contains("open in another program"), "{error}");

        drop(first);
        let station = second.station().expect("retry opens it once the first is gone");
        assert!(station.status().unwrap().needs_setup);
        assert!(
            Arc::ptr_eq(&station, &second.station().unwrap()),
            "opened once, then kept"
        );
    }
}
