//! The scale-out backend's runtime and its PostgreSQL connections.
//!
//! [`IoRuntime`]: two worker threads of its own, on which the PostgreSQL connections and the
//! object store's HTTP connections live, so the blocking methods of the storage trait can wait
//! on them from any thread that may block (a `spawn_blocking` thread of the server, the CLI).
//!
//! [`Pool`]: a handful of lines instead of a pool crate: idle connections in a list, at most
//! [`MAX_CONNECTIONS`] at once (a semaphore), a closed one dropped instead of reused. Each
//! connection sets its `search_path` to the intake's schema once.
//!
//! Deliberately absent: TLS (see the module docs of `scale_out`), health checks of idle
//! connections (a dead one fails one statement, is dropped, and the next request connects anew).

use std::future::Future;
use std::ops::{Deref, DerefMut};
use std::sync::Mutex;

use tokio::sync::{Semaphore, SemaphorePermit};
use tokio_postgres::{Client, NoTls};

use super::database_error;
use super::schema::SCHEMA_NAME;
use crate::IntakeError;

/// Connections one process holds at most: enough for the blocking threads that wait on them
/// under load, few enough that ten processes stay within PostgreSQL's default of 100.
pub const MAX_CONNECTIONS: usize = 8;

/// The backend's own runtime. Shut down in the background when dropped, so dropping the storage
/// on an async thread (a server shutting down) does not panic.
pub(super) struct IoRuntime(Option<tokio::runtime::Runtime>);

impl IoRuntime {
    pub(super) fn new() -> Result<IoRuntime, IntakeError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("intake-scale-out")
            .enable_all()
            .build()?;
        Ok(IoRuntime(Some(runtime)))
    }

    fn runtime(&self) -> &tokio::runtime::Runtime {
        // Present until drop.
        self.0
            .as_ref()
            .expect("the storage runtime lives as long as the storage")
    }

    pub(super) fn handle(&self) -> tokio::runtime::Handle {
        self.runtime().handle().clone()
    }

    /// Runs `work` to its end on this runtime, blocking the calling thread.
    pub(super) fn block_on<T>(&self, work: impl Future<Output = T>) -> T {
        self.runtime().block_on(work)
    }
}

impl Drop for IoRuntime {
    fn drop(&mut self) {
        if let Some(runtime) = self.0.take() {
            runtime.shutdown_background();
        }
    }
}

pub(super) struct Pool {
    config: tokio_postgres::Config,
    idle: Mutex<Vec<Client>>,
    permits: Semaphore,
}

/// A connection lent by the pool; back to it when dropped, unless it closed.
pub(super) struct Pooled<'a> {
    client: Option<Client>,
    pool: &'a Pool,
    _permit: SemaphorePermit<'a>,
}

impl Pool {
    pub(super) fn new(url: &str) -> Result<Pool, IntakeError> {
        let config = url.parse::<tokio_postgres::Config>().map_err(|error| {
            IntakeError::BadRequest(format!("--database is not a PostgreSQL connection string: {error}"))
        })?;
        Ok(Pool {
            config,
            idle: Mutex::new(Vec::new()),
            permits: Semaphore::new(MAX_CONNECTIONS),
        })
    }

    /// A connection, waiting while [`MAX_CONNECTIONS`] are lent. Must run on the backend's
    /// runtime: a new connection's task is spawned there.
    pub(super) async fn get(&self) -> Result<Pooled<'_>, IntakeError> {
        let permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| IntakeError::Internal("the connection pool is closed".to_owned()))?;
        let reused = {
            let mut idle = self.idle.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            let mut found = None;
            while let Some(client) = idle.pop() {
                if !client.is_closed() {
                    found = Some(client);
                    break;
                }
            }
            found
        };
        let client = match reused {
            Some(client) => client,
            None => self.connect().await?,
        };
        Ok(Pooled {
            client: Some(client),
            pool: self,
            _permit: permit,
        })
    }

    async fn connect(&self) -> Result<Client, IntakeError> {
        let (client, connection) = self.config.connect(NoTls).await.map_err(database_error)?;
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::warn!(%error, "a PostgreSQL connection ended with an error");
            }
        });
        client
            .batch_execute(&format!("SET search_path TO {SCHEMA_NAME}"))
            .await
            .map_err(database_error)?;
        Ok(client)
    }
}

impl Deref for Pooled<'_> {
    type Target = Client;
    fn deref(&self) -> &Client {
        self.client.as_ref().expect("a pooled connection is present until drop")
    }
}

impl DerefMut for Pooled<'_> {
    fn deref_mut(&mut self) -> &mut Client {
        self.client.as_mut().expect("a pooled connection is present until drop")
    }
}

impl Drop for Pooled<'_> {
    fn drop(&mut self) {
        if let Some(client) = self.client.take() {
            if !client.is_closed() {
                let mut idle = self.pool.idle.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
                idle.push(client);
            }
        }
    }
}
