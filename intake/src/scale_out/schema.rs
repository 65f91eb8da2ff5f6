//! The scale-out backend's PostgreSQL schema, and its migrations.
//!
//! Everything lives in the schema [`SCHEMA_NAME`], so the register's database can hold its back
//! office beside it. `schema_version` has one row: the number of the last migration applied.
//! Migrations are an append-only list, applied in one transaction under an advisory lock, so
//! that several intake processes starting at once migrate once. Forward compatibility as in the
//! embedded database: a newer version only adds tables or nullable columns, and an older intake
//! refuses to run on a newer schema instead of misreading it.
//!
//! The constraints are the embedded database's: one packet per registration id (primary key),
//! a request key names one station (unique), a nonce is refused a second time (primary key),
//! offset within length (check). Times are stored as the embedded database stores them (RFC 3339
//! text; an upload's expiry in Unix seconds), so both backends answer with the same text.

use tokio_postgres::Client;

use super::database_error;
use crate::IntakeError;

pub(super) const SCHEMA_NAME: &str = "enroll_intake";

/// Taken (for the migration's transaction) by every process that opens the database.
const MIGRATION_LOCK: i64 = 0x656e_726f_6c6c_0001;

const MIGRATIONS: &[(i32, &str)] = &[(1, MIGRATION_1)];

const MIGRATION_1: &str = "
CREATE TABLE stations (
    station_id    TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    public_key    BYTEA NOT NULL CHECK (length(public_key) = 32),
    registered_at TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'revoked')),
    decided_at    TEXT,
    request_key   BYTEA UNIQUE CHECK (request_key IS NULL OR length(request_key) = 32)
);
-- One-time enrollment codes, by the SHA-256 of their text: never stored in clear.
CREATE TABLE enrollment_codes (
    code_sha256 TEXT PRIMARY KEY,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_by     TEXT,
    used_at     TEXT
);
-- One row per tus upload. Complete uploads are kept: their receipt is fetched through them.
CREATE TABLE uploads (
    upload_id       TEXT PRIMARY KEY,
    registration_id TEXT NOT NULL,
    station_id      TEXT NOT NULL REFERENCES stations(station_id),
    sha256          TEXT NOT NULL,
    upload_length   BIGINT NOT NULL CHECK (upload_length > 0),
    upload_offset   BIGINT NOT NULL CHECK (upload_offset BETWEEN 0 AND upload_length),
    metadata        TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    expires_at      BIGINT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('receiving', 'complete', 'expired')),
    created_by      TEXT
);
CREATE INDEX uploads_receiving_by_expiry ON uploads(expires_at) WHERE state = 'receiving';
CREATE INDEX uploads_by_registration ON uploads(registration_id);
-- The counted chunks of an upload in progress: each one object, keyed by where it starts.
CREATE TABLE upload_chunks (
    upload_id    TEXT NOT NULL REFERENCES uploads(upload_id) ON DELETE CASCADE,
    start_offset BIGINT NOT NULL CHECK (start_offset >= 0),
    length       BIGINT NOT NULL CHECK (length > 0),
    object_key   TEXT NOT NULL,
    PRIMARY KEY (upload_id, start_offset)
);
-- At most one packet per registration id: the register never stores a registration twice.
CREATE TABLE packets (
    registration_id   TEXT PRIMARY KEY,
    station_id        TEXT NOT NULL REFERENCES stations(station_id),
    envelope_sha256   TEXT NOT NULL,
    envelope_length   BIGINT NOT NULL,
    received_at       TEXT NOT NULL,
    intake_reference  TEXT NOT NULL,
    signed_receipt    TEXT NOT NULL,
    status            TEXT NOT NULL DEFAULT 'received'
        CHECK (status IN ('received', 'processing', 'processed', 'rejected', 're_register')),
    status_reason     TEXT,
    status_changed_at TEXT
);
-- Nonces of signed requests still inside the time window, across every intake process.
CREATE TABLE seen_nonces (
    request_key  BYTEA NOT NULL,
    nonce        TEXT NOT NULL,
    forget_after BIGINT NOT NULL,
    PRIMARY KEY (request_key, nonce)
);
CREATE INDEX seen_nonces_by_age ON seen_nonces(forget_after);
";

/// Creates the schema or brings it up to date; refuses a newer one.
pub(super) async fn migrate(client: &mut Client) -> Result<(), IntakeError> {
    let transaction = client.transaction().await.map_err(database_error)?;
    transaction
        .execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await
        .map_err(database_error)?;
    transaction
        .batch_execute(&format!(
            "CREATE SCHEMA IF NOT EXISTS {SCHEMA_NAME};
             SET LOCAL search_path TO {SCHEMA_NAME};
             CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);"
        ))
        .await
        .map_err(database_error)?;
    let version: i32 = match transaction
        .query_opt("SELECT version FROM schema_version", &[])
        .await
        .map_err(database_error)?
    {
        Some(row) => row.get(0),
        None => {
            transaction
                .execute("INSERT INTO schema_version (version) VALUES (0)", &[])
                .await
                .map_err(database_error)?;
            0
        }
    };
    let known = MIGRATIONS.last().map_or(0, |(to, _)| *to);
    if version > known {
        return Err(IntakeError::Internal(format!(
            "the intake database was written by a newer intake (schema {version}, this one knows {known})"
        )));
    }
    for (to, migration) in MIGRATIONS {
        if version < *to {
            transaction.batch_execute(migration).await.map_err(database_error)?;
            transaction
                .execute("UPDATE schema_version SET version = $1", &[to])
                .await
                .map_err(database_error)?;
        }
    }
    transaction.commit().await.map_err(database_error)
}
