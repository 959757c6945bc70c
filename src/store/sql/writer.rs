//! Group commit for the token path's durable rows: a request's issued tokens and System Log
//! events go to one writer task, which commits every job waiting at that moment in a single
//! transaction with multi-row inserts, then answers each job. A request is answered only after
//! its rows are committed, so nothing it reports is lost; under load the transaction (and, on
//! SQLite, the write lock) is shared by many requests instead of queued for by each.
//!
//! If a batch fails, each of its jobs is retried alone, so one bad row (a NUL character on
//! Postgres, say) fails only its own request. The task owns its transactions: a request that
//! goes away cannot cancel one half-way.

use super::{placeholders, Pool, MAX_ROWS};
use crate::domain::{AccessTokenRecord, LogRecord, RefreshFamily, RefreshToken};
use crate::store::{Issuance, StoreError, StoreResult};
use prometheus_client::metrics::histogram::Histogram;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::{mpsc, oneshot};

/// Most jobs committed together.
const MAX_BATCH: usize = 256;

/// What one request writes: owned copies, since the writer outlives the request's borrows.
pub(crate) struct Job {
    access_token: Option<AccessTokenRecord>,
    new_family: Option<RefreshFamily>,
    refresh_token: Option<RefreshToken>,
    events: Vec<LogRecord>,
    done: oneshot::Sender<StoreResult<()>>,
}

/// The handle requests send their rows through.
pub(crate) struct Writer {
    jobs: mpsc::UnboundedSender<Job>,
    /// Jobs sent and not yet taken into a batch (`/metrics`).
    queued: Arc<AtomicU64>,
    /// Time each batch took to commit (`/metrics`).
    pub(crate) commit_seconds: Histogram,
}

impl Writer {
    /// Starts the writer task on `pool`; it ends when the `Writer` is dropped.
    pub(crate) fn spawn(pool: Pool) -> Self {
        let (jobs, rx) = mpsc::unbounded_channel();
        let queued = Arc::new(AtomicU64::new(0));
        let commit_seconds = crate::metrics::commit_histogram();
        tokio::spawn(run(pool, rx, queued.clone(), commit_seconds.clone()));
        Self { jobs, queued, commit_seconds }
    }

    /// Jobs waiting to be committed.
    pub(crate) fn queued(&self) -> u64 {
        self.queued.load(Ordering::Relaxed)
    }

    /// Commits `issuance` and `events` (with every other job waiting) and returns once they are.
    #[tracing::instrument(name = "store.write", level = "debug", skip_all, fields(events = events.len()))]
    pub(crate) async fn write(&self, issuance: &Issuance<'_>, events: &[LogRecord]) -> StoreResult<()> {
        let (done, answer) = oneshot::channel();
        let job = Job {
            access_token: issuance.access_token.cloned(),
            new_family: issuance.new_family.cloned(),
            refresh_token: issuance.refresh_token.cloned(),
            events: events.to_vec(),
            done,
        };
        self.queued.fetch_add(1, Ordering::Relaxed);
        self.jobs.send(job).map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

fn stopped() -> StoreError {
    StoreError::Database(sqlx::Error::PoolClosed)
}

async fn run(pool: Pool, mut rx: mpsc::UnboundedReceiver<Job>, queued: Arc<AtomicU64>, commit_seconds: Histogram) {
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        queued.fetch_sub(batch.len() as u64, Ordering::Relaxed);
        let started = Instant::now();
        let result = commit(&pool, &batch).await;
        commit_seconds.observe(started.elapsed().as_secs_f64());
        match result {
            Ok(()) => batch.into_iter().for_each(|j| drop(j.done.send(Ok(())))),
            Err(e) if batch.len() == 1 => batch.into_iter().for_each(|j| drop(j.done.send(Err(e.clone_lossy())))),
            Err(_) => {
                for job in batch {
                    let result = commit(&pool, std::slice::from_ref(&job)).await;
                    let _ = job.done.send(result);
                }
            }
        }
    }
}

impl StoreError {
    /// The same error for another waiter (sqlx errors are not `Clone`; the text is kept).
    fn clone_lossy(&self) -> Self {
        match self {
            Self::Conflict(s) => Self::Conflict(s.clone()),
            Self::MissingReference(s) => Self::MissingReference(s.clone()),
            Self::Corrupt(s) => Self::Corrupt(s.clone()),
            Self::InvalidText(s) => Self::InvalidText(s.clone()),
            other => Self::Database(sqlx::Error::Protocol(other.to_string())),
        }
    }
}

/// One transaction for every job of `batch`.
async fn commit(pool: &Pool, batch: &[Job]) -> StoreResult<()> {
    match pool {
        Pool::Postgres(p) => {
            let mut tx = p.begin().await?;
            insert_all!(tx, batch);
            tx.commit().await?;
        }
        Pool::Sqlite(p) => {
            let mut tx = p.begin_with("BEGIN IMMEDIATE").await?;
            insert_all!(tx, batch);
            tx.commit().await?;
        }
    }
    Ok(())
}

macro_rules! insert_all {
    ($tx:ident, $batch:expr) => {{
        let batch: &[Job] = $batch;
        for job in batch {
            if let Some(family) = &job.new_family {
                let issuance = Issuance { new_family: Some(family), ..Issuance::default() };
                super::grants::insert_issuance!($tx, &issuance);
            }
            if let Some(token) = &job.refresh_token {
                let issuance = Issuance { refresh_token: Some(token), ..Issuance::default() };
                super::grants::insert_issuance!($tx, &issuance);
            }
        }
        let tokens: Vec<&AccessTokenRecord> = batch.iter().filter_map(|j| j.access_token.as_ref()).collect();
        for chunk in tokens.chunks(MAX_ROWS) {
            let sql = format!(
                "INSERT INTO access_tokens (jti, auth_server_id, client_id, user_id, grant_id, created, expires, \
                 revoked) VALUES {}",
                placeholders(chunk.len(), 8)
            );
            let mut q = sqlx::query(&sql);
            for t in chunk {
                q = q
                    .bind(&t.jti)
                    .bind(&t.auth_server_id)
                    .bind(&t.client_id)
                    .bind(&t.user_id)
                    .bind(&t.grant_id)
                    .bind(t.created)
                    .bind(t.expires)
                    .bind(t.revoked);
            }
            q.execute(&mut *$tx).await?;
        }
        super::insert_events!($tx, batch.iter().flat_map(|j| j.events.iter()));
    }};
}

use insert_all;
