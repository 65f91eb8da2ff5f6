//! The scale-out backend's bytes: S3-compatible object storage through `object_store`.
//!
//! Where the store is: `--objects s3://bucket[/prefix]`; how to reach it: the standard `AWS_*`
//! variables (`AWS_ENDPOINT_URL` for a store other than AWS, `AWS_ACCESS_KEY_ID`,
//! `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`, default `us-east-1`). Plain HTTP is allowed to a
//! loopback endpoint (a store on the intake's own machine); elsewhere only with
//! `AWS_ALLOW_HTTP=true`, said on purpose.
//!
//! A chunk ([`ObjectChunk`]) is written by a task on the backend's runtime, fed through a
//! short channel: the `PATCH` handler hands it frames as they arrive and never holds more than
//! a few; `object_store`'s `BufWriter` turns a small chunk into one put and a large one into a
//! multipart upload, and aborts it when the chunk is abandoned.
//!
//! This module knows object names and nothing of uploads' rows.

use std::sync::Arc;

use axum::body::Bytes;
use object_store::aws::AmazonS3Builder;
use object_store::buffered::BufWriter;
use object_store::path::Path as ObjectPath;
use object_store::prefix::PrefixStore;
use object_store::{ObjectStore, PutPayload};
use tokio::io::AsyncWriteExt;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::objects_error;
use crate::IntakeError;

/// Frames a chunk's writer may hold before the handler waits (a frame is at most some 16 KiB to
/// a few hundred KiB as hyper reads them).
const CHUNK_CHANNEL_FRAMES: usize = 8;

/// `s3://bucket[/prefix]` → (bucket, prefix).
pub(super) fn parse_location(url: &str) -> Result<(String, String), String> {
    let rest = url
        .strip_prefix("s3://")
        .ok_or_else(|| format!("'{url}' is not an S3 location; expected s3://bucket or s3://bucket/prefix"))?;
    let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    let valid_bucket = (3..=63).contains(&bucket.len())
        && bucket
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.');
    if !valid_bucket {
        return Err(format!(
            "'{bucket}' is not a bucket name (3 to 63 lower-case letters, digits, dots and dashes)"
        ));
    }
    Ok((bucket.to_owned(), prefix.trim_matches('/').to_owned()))
}

pub(super) struct Objects {
    store: Arc<dyn ObjectStore>,
    runtime: tokio::runtime::Handle,
}

impl Objects {
    /// The store at `url`, reached as the `AWS_*` variables say. Nothing is asked of it yet.
    pub(super) fn open(
        url: &str,
        settings: &[(String, String)],
        runtime: tokio::runtime::Handle,
    ) -> Result<Objects, IntakeError> {
        let (bucket, prefix) =
            parse_location(url).map_err(|message| IntakeError::BadRequest(format!("--objects: {message}")))?;
        // The variables, then the settings given, each as `from_env` reads a variable.
        let setting = |name: &str| {
            settings
                .iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.clone())
                .or_else(|| std::env::var(name).ok())
        };
        let mut builder = AmazonS3Builder::from_env().with_bucket_name(&bucket);
        for (name, value) in settings {
            let key = name.to_ascii_lowercase().parse().map_err(|error| {
                IntakeError::BadRequest(format!("--objects: {name} is not an object store setting: {error}"))
            })?;
            builder = builder.with_config(key, value);
        }
        if setting("AWS_REGION").is_none() && setting("AWS_DEFAULT_REGION").is_none() {
            builder = builder.with_region("us-east-1");
        }
        if let Some(endpoint) = setting("AWS_ENDPOINT_URL").or_else(|| setting("AWS_ENDPOINT")) {
            if is_loopback_http(&endpoint) {
                builder = builder.with_allow_http(true);
            }
        }
        let s3 = builder.build().map_err(|error| {
            IntakeError::BadRequest(format!(
                "--objects: the object store cannot be set up from {url} and the AWS_* variables: {error}"
            ))
        })?;
        let store: Arc<dyn ObjectStore> = if prefix.is_empty() {
            Arc::new(s3)
        } else {
            Arc::new(PrefixStore::new(s3, prefix))
        };
        Ok(Objects { store, runtime })
    }

    /// Fails with the store's own words when the bucket cannot be listed (wrong endpoint,
    /// credentials or bucket), so a misconfigured intake stops at start, not at the first packet.
    pub(super) async fn check_reachable(&self) -> Result<(), IntakeError> {
        self.store
            .list_with_delimiter(Some(&ObjectPath::from("packets")))
            .await
            .map_err(|error| {
                IntakeError::Io(std::io::Error::other(format!(
                    "--objects: the bucket does not answer: {error}"
                )))
            })?;
        Ok(())
    }

    /// A writer for the bytes of `upload_id` from `offset`, into an object of its own.
    pub(super) fn start_chunk(&self, upload_id: &str, offset: u64) -> ObjectChunk {
        let key = format!(
            "uploads/{upload_id}/{offset:020}-{}",
            hex::encode(rand::random::<[u8; 8]>())
        );
        ObjectChunk::start(Arc::clone(&self.store), &self.runtime, key)
    }

    pub(super) async fn delete_chunk(&self, key: Option<&str>) -> Result<(), IntakeError> {
        match key {
            Some(key) => self.delete(key).await,
            None => Ok(()),
        }
    }

    pub(super) async fn get(&self, key: &str) -> Result<Bytes, IntakeError> {
        let got = self.store.get(&ObjectPath::from(key)).await.map_err(objects_error)?;
        got.bytes().await.map_err(objects_error)
    }

    /// Puts a packet under its hash's name; done when the store holds it.
    pub(super) async fn put_packet(&self, sha256: &str, envelope: &[u8]) -> Result<(), IntakeError> {
        self.store
            .put(
                &ObjectPath::from(packet_key(sha256)),
                PutPayload::from(Bytes::copy_from_slice(envelope)),
            )
            .await
            .map_err(objects_error)?;
        Ok(())
    }

    pub(super) async fn delete_packet(&self, sha256: &str) -> Result<(), IntakeError> {
        self.delete(&packet_key(sha256)).await
    }

    /// Deletes every object of an upload: its counted chunks and any a dead writer left.
    pub(super) async fn delete_upload_objects(&self, upload_id: &str) -> Result<(), IntakeError> {
        let prefix = ObjectPath::from(format!("uploads/{upload_id}"));
        let listed = self
            .store
            .list_with_delimiter(Some(&prefix))
            .await
            .map_err(objects_error)?;
        for object in listed.objects {
            match self.store.delete(&object.location).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                Err(error) => return Err(objects_error(error)),
            }
        }
        Ok(())
    }

    async fn delete(&self, key: &str) -> Result<(), IntakeError> {
        match self.store.delete(&ObjectPath::from(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(error) => Err(objects_error(error)),
        }
    }
}

pub(super) fn packet_key(sha256: &str) -> String {
    format!("packets/{sha256}.envelope")
}

pub(super) fn is_loopback_http(endpoint: &str) -> bool {
    let Some(rest) = endpoint.strip_prefix("http://") else {
        return false;
    };
    let host = rest.split('/').next().unwrap_or("");
    let host = match host.strip_prefix('[') {
        Some(bracketed) => bracketed.split(']').next().unwrap_or(""),
        None => host.rsplit_once(':').map_or(host, |(host, _port)| host),
    };
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|address| address.is_loopback())
}

enum ChunkMessage {
    Data(Bytes),
    Finish,
}

/// One chunk on its way into its object. Dropped without [`ObjectChunk::finish`], the writer
/// task aborts the upload and nothing is left but, at worst, an object no row names.
pub(crate) struct ObjectChunk {
    key: String,
    frames: mpsc::Sender<ChunkMessage>,
    task: JoinHandle<Result<(), IntakeError>>,
}

impl ObjectChunk {
    fn start(store: Arc<dyn ObjectStore>, runtime: &tokio::runtime::Handle, key: String) -> ObjectChunk {
        let (frames, mut received) = mpsc::channel(CHUNK_CHANNEL_FRAMES);
        let path = ObjectPath::from(key.as_str());
        let task = runtime.spawn(async move {
            let mut writer = BufWriter::new(store, path);
            while let Some(message) = received.recv().await {
                match message {
                    ChunkMessage::Data(data) => {
                        if let Err(error) = writer.write_all(&data).await {
                            let _ = writer.abort().await;
                            return Err(IntakeError::Io(std::io::Error::other(format!("object store: {error}"))));
                        }
                    }
                    ChunkMessage::Finish => {
                        return writer
                            .shutdown()
                            .await
                            .map_err(|error| IntakeError::Io(std::io::Error::other(format!("object store: {error}"))));
                    }
                }
            }
            // The handler let go without finishing: nothing of this chunk counts.
            let _ = writer.abort().await;
            Ok(())
        });
        ObjectChunk { key, frames, task }
    }

    pub(crate) async fn write(&mut self, data: Bytes) -> Result<(), IntakeError> {
        if self.frames.send(ChunkMessage::Data(data)).await.is_err() {
            // The task ended early: it failed, and says why when finished.
            return Err(IntakeError::Io(std::io::Error::other(
                "object store: the chunk's writer stopped",
            )));
        }
        Ok(())
    }

    /// Completes the object; returns its key once the store holds it.
    pub(crate) async fn finish(self) -> Result<String, IntakeError> {
        let ObjectChunk { key, frames, task } = self;
        let _ = frames.send(ChunkMessage::Finish).await;
        drop(frames);
        task.await
            .map_err(|join| IntakeError::Internal(format!("a chunk's writer failed: {join}")))??;
        Ok(key)
    }
}
