//! The worker that the crash harness kills: it opens the station's vault in a data folder and
//! moves registrations along the lifecycle (new draft, draft save, finalize, approve and seal,
//! upload URL, uploaded, receipt), choosing each step with a seeded random generator. Right
//! after a call returns `Ok` it prints one line and flushes it:
//!
//! ```text
//! SAVED <registration id> draft <save number>
//! SAVED <registration id> pending_approval
//! SAVED <registration id> sealed            (approved and sealed)
//! SAVED <registration id> sealed upload_url (the upload URL is recorded)
//! SAVED <registration id> uploaded
//! SAVED <registration id> acknowledged
//! ```
//!
//! So every line the harness reads is a promise the vault made. On start it picks up where the
//! last (killed) run left off, from the vault alone.
//!
//! Also: [`fill_until_disk_full`], the full-disk scenario.
//!
//! Deliberately absent: the intake. Upload bookkeeping is driven on the vault directly with the
//! calls `sync` makes (`record_upload_url`, `mark_uploaded`, `record_receipt`); the network
//! part of an upload changes nothing in the vault.

use std::io::Write;
use std::path::Path;

use anyhow::{bail, Context as _};
use enroll_store::{RegistrationState, StoreError};
use rand::{Rng as _, SeedableRng as _};

use crate::drafts::{check_draft_content, draft_content};
use crate::fixture::{open_or_set_up, OpenStation, CENTER_ID, STATION_ID};
use crate::packets::{contents_with, PacketShape};
use enroll_packet::{DocumentFormat, Modality};
use enroll_station::packaging::{self, Review};

/// The packets the worker finalizes: small, so that hundreds of runs stay quick, but with
/// several entries so that the container and the envelope have some structure.
const SMALL_PACKET: PacketShape = PacketShape {
    captures: &[
        (Modality::Face, "", 24 * 1024),
        (Modality::Finger, "Right Thumb", 8 * 1024),
        (Modality::Finger, "Left Thumb", 8 * 1024),
    ],
    documents: &[("POI", DocumentFormat::Jpeg, 8 * 1024)],
};
/// Registrations in progress that the worker keeps going before it starts more.
const IN_PROGRESS: usize = 4;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Draft(u32),
    Pending,
    Sealed { upload_url: bool },
    Uploaded,
}

pub struct Worker<'a> {
    station: OpenStation,
    random: rand::rngs::StdRng,
    in_progress: Vec<(String, Stage)>,
    clock: &'a dyn Fn() -> String,
    out: &'a mut dyn Write,
}

impl<'a> Worker<'a> {
    /// Open (setting up if needed) the station in `data_dir` and find the registrations that a
    /// previous run left in progress.
    pub fn open(
        data_dir: &Path,
        seed: u64,
        clock: &'a dyn Fn() -> String,
        out: &'a mut dyn Write,
    ) -> anyhow::Result<Self> {
        let station = open_or_set_up(data_dir, &clock())?;
        let mut in_progress = Vec::new();
        for row in station.vault.registrations()? {
            let stage = match row.state {
                RegistrationState::Draft => {
                    let content = station
                        .vault
                        .registration_content(&row.registration_id, &station.data_key)?;
                    Stage::Draft(check_draft_content(&row.registration_id, &content)?)
                }
                RegistrationState::PendingApproval => Stage::Pending,
                RegistrationState::Sealed => Stage::Sealed {
                    upload_url: row.upload_url.is_some(),
                },
                RegistrationState::Uploaded => Stage::Uploaded,
                _ => continue,
            };
            in_progress.push((row.registration_id, stage));
        }
        // Oldest first, so that the run's choices depend only on the seed and the vault.
        in_progress.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(Worker {
            station,
            random: rand::rngs::StdRng::seed_from_u64(seed),
            in_progress,
            clock,
            out,
        })
    }

    fn say(&mut self, line: std::fmt::Arguments<'_>) -> anyhow::Result<()> {
        writeln!(self.out, "{line}")?;
        self.out.flush()?;
        Ok(())
    }

    /// Tell the harness that the worker is open and about to write.
    pub fn ready(&mut self) -> anyhow::Result<()> {
        let count = self.in_progress.len();
        self.say(format_args!("READY {count}"))
    }

    /// One step: start a registration, or move one along.
    pub fn step(&mut self) -> anyhow::Result<()> {
        if self.in_progress.len() < IN_PROGRESS || self.random.gen_bool(0.15) {
            return self.new_registration().map(|_| ());
        }
        let index = self.random.gen_range(0..self.in_progress.len());
        let save_again = self.random.gen_bool(0.5);
        self.advance(index, save_again)
    }

    /// Move every registration in progress through to acknowledged.
    pub fn drain(&mut self) -> anyhow::Result<usize> {
        let mut steps = 0;
        while !self.in_progress.is_empty() {
            self.advance(0, false)?;
            steps += 1;
        }
        Ok(steps)
    }

    /// Take a sequence number and save the first version of a draft.
    pub fn new_registration(&mut self) -> anyhow::Result<String> {
        let filler = self.random.gen_range(2 * 1024..40 * 1024);
        let id = self.save_new_draft(filler)?;
        self.in_progress.push((id.clone(), Stage::Draft(1)));
        Ok(id)
    }

    fn save_new_draft(&mut self, filler: usize) -> anyhow::Result<String> {
        let now = (self.clock)();
        let vault = &mut self.station.vault;
        let sequence = vault.take_registration_sequence()?;
        let at = time::OffsetDateTime::parse(&now, &time::format_description::well_known::Rfc3339)?;
        let id = enroll_station::registration_id(CENTER_ID, STATION_ID, sequence, at);
        vault.insert_draft(
            &id,
            "officer",
            &draft_content(&id, 1, filler),
            &self.station.data_key,
            &now,
        )?;
        self.say(format_args!("SAVED {id} draft 1"))?;
        Ok(id)
    }

    fn advance(&mut self, index: usize, save_again: bool) -> anyhow::Result<()> {
        let (id, stage) = self.in_progress[index].clone();
        let now = (self.clock)();
        let key = &self.station.data_key;
        let vault = &mut self.station.vault;
        let next = match stage {
            Stage::Draft(version) => {
                // As the station does: read the draft back before changing it.
                let stored = check_draft_content(&id, &vault.registration_content(&id, key)?)?;
                if stored != version {
                    bail!("draft {id} is at save {stored}, but this run saved {version}");
                }
                if save_again {
                    let filler = self.random.gen_range(2 * 1024..40 * 1024);
                    vault.update_draft(&id, &draft_content(&id, version + 1, filler), key, &now)?;
                    self.say(format_args!("SAVED {id} draft {}", version + 1))?;
                    Some(Stage::Draft(version + 1))
                } else {
                    let seed = self.random.gen();
                    let contents = contents_with(&id, &self.station.signing_key, &SMALL_PACKET, seed, &now);
                    packaging::store_finalized(vault, key, &contents)?;
                    self.say(format_args!("SAVED {id} pending_approval"))?;
                    Some(Stage::Pending)
                }
            }
            Stage::Pending => {
                packaging::store_reviewed(vault, key, &id, "supervisor", Review::Approve, &now)?;
                self.say(format_args!("SAVED {id} sealed"))?;
                Some(Stage::Sealed { upload_url: false })
            }
            Stage::Sealed { upload_url: false } => {
                vault.record_upload_url(&id, &upload_url(&id), &now)?;
                self.say(format_args!("SAVED {id} sealed upload_url"))?;
                Some(Stage::Sealed { upload_url: true })
            }
            Stage::Sealed { upload_url: true } => {
                vault.mark_uploaded(&id, &upload_url(&id), &now)?;
                self.say(format_args!("SAVED {id} uploaded"))?;
                Some(Stage::Uploaded)
            }
            Stage::Uploaded => {
                let receipt = format!(r#"{{"receipt":{{"registration_id":"{id}","intake_reference":"ref-{id}"}}}}"#);
                vault.record_receipt(&id, &receipt, &now)?;
                self.say(format_args!("SAVED {id} acknowledged"))?;
                None
            }
        };
        match next {
            Some(stage) => self.in_progress[index].1 = stage,
            None => {
                self.in_progress.remove(index);
            }
        }
        Ok(())
    }
}

fn upload_url(registration_id: &str) -> String {
    format!("http://127.0.0.1:9/files/{registration_id}")
}

/// The stable code of the vault error behind `error`, if there is one.
pub fn store_error_code(error: &anyhow::Error) -> Option<&'static str> {
    error
        .chain()
        .find_map(|cause| cause.downcast_ref::<StoreError>())
        .map(StoreError::code)
}

/// The full-disk scenario, on a data folder whose file system also holds `ballast`: save drafts
/// of `draft_size` bytes until a save fails, and say how (`FULL <code> <message>`); check the
/// vault while the disk is still full; free the ballast; save the failed draft again and take
/// it all the way to sealed.
pub fn fill_until_disk_full(
    data_dir: &Path,
    ballast: &Path,
    draft_size: usize,
    clock: &dyn Fn() -> String,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let mut saved = 0usize;
    let error = {
        let mut worker = Worker::open(data_dir, 1, clock, out)?;
        loop {
            match worker.save_new_draft(draft_size) {
                Ok(_) => saved += 1,
                Err(error) => break error,
            }
            if saved > 10_000 {
                bail!("saved {saved} drafts of {draft_size} bytes and the disk is still not full");
            }
        }
    };
    let code = store_error_code(&error).unwrap_or("not_a_vault_error");
    writeln!(out, "FULL {code} {error}")?;
    writeln!(out, "FULL_CAUSE {error:#}")?;

    // While the disk is still full: the vault must be whole and every saved draft readable.
    let station = open_or_set_up(data_dir, &clock()).context("opening the vault on the full disk")?;
    let rows = crate::inspect::inspect_vault(&station.vault, &station.data_key, &station.register)
        .context("checking the vault on the full disk")?;
    writeln!(out, "INTACT_WHILE_FULL {}", rows.len())?;
    drop(station);

    std::fs::remove_file(ballast).with_context(|| format!("removing {}", ballast.display()))?;
    writeln!(out, "FREED")?;
    let mut worker = Worker::open(data_dir, 2, clock, out)?;
    let id = worker
        .save_new_draft(draft_size)
        .context("saving after space was freed")?;
    worker.in_progress = vec![(id, Stage::Draft(1))];
    worker.advance(0, false).context("finalizing after space was freed")?;
    worker.advance(0, false).context("approving after space was freed")?;
    out.flush()?;
    Ok(())
}
