//! `SqlStore`: every store trait implemented once over a `Pool` of either backend.
//!
//! Both dialects accept the same SQL for everything baton needs (`$N` placeholders, `RETURNING`,
//! `ON CONFLICT`, portable column types), so each query is written once here and compiled for
//! both drivers by `with_pool!`, which expands its body once per backend. What differs between
//! the backends (connection options, migrations) lives in `postgres/` and `sqlite/`; the store
//! conformance suite (`tests/store_conformance.rs`) runs every method against both.

mod agents;
mod apps;
mod auth_servers;
pub(crate) mod cache;
mod consent;
mod grants;
mod keys;
mod logs;
mod org;
mod rows;
mod sessions;
mod users;
mod watch;
mod wipe;
mod writer;

use super::{Store, StoreError, StoreResult};
use crate::domain::Millis;
use async_trait::async_trait;

#[derive(Clone)]
pub enum Pool {
    Postgres(sqlx::PgPool),
    Sqlite(sqlx::SqlitePool),
}

pub struct SqlStore {
    pub(crate) pool: Pool,
    /// The configuration snapshot (`cache`): the token path's reads, served from memory.
    pub(crate) cache: cache::ConfigCache,
    /// Group commit of the token path's rows (`writer`).
    pub(crate) writer: writer::Writer,
    /// Which trigrams of a keyword SQLite's System Log index is asked for (`logs`).
    pub(crate) log_sample: logs::SampleCache,
}

/// Runs `$body` with `$p` bound to the concrete pool of the store's backend. The body is
/// compiled once per backend, so it must be valid SQL and Rust for both.
macro_rules! with_pool {
    ($store:expr, |$p:ident| $body:expr) => {
        match &$store.pool {
            $crate::store::sql::Pool::Postgres($p) => $body,
            $crate::store::sql::Pool::Sqlite($p) => $body,
        }
    };
}

/// Runs `$body` inside a transaction `$tx`, then appends `$events` to the System Log in the
/// same transaction and commits. Evaluates to `StoreResult<T>` where `T` is the body's value.
/// `SQLite` transactions take the write lock up front (`BEGIN IMMEDIATE`), so two writers queue on
/// the busy timeout instead of failing on a read-to-write upgrade.
macro_rules! write_tx {
    ($store:expr, $events:expr, |$tx:ident| $body:expr) => {
        match &$store.pool {
            $crate::store::sql::Pool::Postgres(pool) => {
                let mut $tx = pool.begin().await?;
                $crate::store::sql::finish_tx!($tx, $events, $body)
            }
            $crate::store::sql::Pool::Sqlite(pool) => {
                let mut $tx = pool.begin_with("BEGIN IMMEDIATE").await?;
                $crate::store::sql::finish_tx!($tx, $events, $body)
            }
        }
    };
}

macro_rules! finish_tx {
    ($tx:ident, $events:expr, $body:expr) => {{
        let out = $body;
        $crate::store::sql::insert_events!($tx, $events);
        $tx.commit().await?;
        Ok(out)
    }};
}

/// Appends System Log events (and their target index rows) inside an open transaction: one
/// multi-row `INSERT` per `MAX_ROWS` events, and one per `MAX_ROWS` targets, each target finding
/// its event's `seq` by the event's unique uuid. `$events` yields `&LogRecord`s (a slice of one
/// write's events, or every job's of a group commit).
macro_rules! insert_events {
    ($tx:ident, $events:expr) => {{
        use $crate::store::sql::{placeholders, storable, storable_json, MAX_ROWS};
        let events: Vec<&$crate::domain::LogRecord> = ($events).into_iter().collect();
        for chunk in events.chunks(MAX_ROWS) {
            let sql = format!(
                "INSERT INTO log_events (uuid, published, event_type, severity, outcome_result, actor_id, \
                 client_id, transaction_id, body, search) VALUES {}",
                placeholders(chunk.len(), 10)
            );
            let mut q = sqlx::query(&sql);
            for ev in chunk {
                q = q
                    .bind(&ev.uuid)
                    .bind(ev.published)
                    .bind(&ev.event_type)
                    .bind(&ev.severity)
                    .bind(&ev.outcome_result)
                    .bind(storable(&ev.actor_id))
                    .bind(ev.client_id.as_deref().map(storable))
                    .bind(&ev.transaction_id)
                    .bind(storable_json(&ev.body))
                    .bind(storable(&ev.search_text()));
            }
            q.execute(&mut *$tx).await?;
        }
        let targets: Vec<(&str, &str, &str)> = events
            .iter()
            .flat_map(|ev| ev.targets.iter().map(|(id, kind)| (ev.uuid.as_str(), id.as_str(), kind.as_str())))
            .collect();
        for chunk in targets.chunks(MAX_ROWS) {
            let sql = format!(
                "WITH t (uuid, target_id, target_type) AS (VALUES {}) \
                 INSERT INTO log_event_targets (seq, target_id, target_type) \
                 SELECT e.seq, t.target_id, t.target_type FROM t JOIN log_events e ON e.uuid = t.uuid \
                 WHERE true ON CONFLICT DO NOTHING",
                placeholders(chunk.len(), 3)
            );
            let mut q = sqlx::query(&sql);
            for (uuid, id, kind) in chunk {
                q = q.bind(*uuid).bind(storable(id)).bind(*kind);
            }
            q.execute(&mut *$tx).await?;
        }
    }};
}

/// Most rows in one multi-row `INSERT` (10 parameters each for events: well under SQLite's and
/// Postgres's limits).
pub(crate) const MAX_ROWS: usize = 200;

/// `$1, $2, …` for `rows` rows of `cols` columns: `($1, $2), ($3, $4)`.
pub(crate) fn placeholders(rows: usize, cols: usize) -> String {
    (0..rows)
        .map(|r| {
            let cells: Vec<String> = (1..=cols).map(|c| format!("${}", r * cols + c)).collect();
            format!("({})", cells.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) use cache::{cached, config_tx};
pub(crate) use {finish_tx, insert_events, with_pool, write_tx};

/// `text` with every NUL character replaced by U+FFFD: what a System Log event quotes from a
/// request (a client id, a login) must be storable, or the event of a refused request would be
/// lost (Postgres refuses NUL in text and jsonb).
pub(crate) fn storable(text: &str) -> String {
    text.replace('\0', "\u{FFFD}")
}

/// `value` as JSON text, its strings and keys made `storable`.
pub(crate) fn storable_json(value: &serde_json::Value) -> String {
    fn clean(v: &serde_json::Value) -> serde_json::Value {
        match v {
            serde_json::Value::String(s) if s.contains('\0') => serde_json::Value::String(storable(s)),
            serde_json::Value::Array(items) => items.iter().map(clean).collect(),
            serde_json::Value::Object(map) => map.iter().map(|(k, v)| (storable(k), clean(v))).collect(),
            other => other.clone(),
        }
    }
    let text = value.to_string();
    if text.contains("\\u0000") {
        clean(value).to_string()
    } else {
        text
    }
}

/// Maps a unique-constraint violation to `Conflict(what)` and a foreign-key violation to
/// `MissingReference(what)`; other errors pass through.
pub(crate) fn constraint(what: &'static str) -> impl Fn(sqlx::Error) -> StoreError {
    constraints(what, what)
}

/// `constraint` where the unique field and the referenced field differ.
pub(crate) fn constraints(unique: &'static str, reference: &'static str) -> impl Fn(sqlx::Error) -> StoreError {
    move |e| match e.as_database_error().map(sqlx::error::DatabaseError::kind) {
        Some(sqlx::error::ErrorKind::UniqueViolation) => StoreError::Conflict(unique.to_owned()),
        Some(sqlx::error::ErrorKind::ForeignKeyViolation) => StoreError::MissingReference(reference.to_owned()),
        _ => StoreError::from(e),
    }
}

impl SqlStore {
    /// Connects to `postgres://…`/`postgresql://…` or `sqlite:…` (without running migrations).
    pub async fn connect(url: &str) -> StoreResult<Self> {
        let pool = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Pool::Postgres(super::postgres::connect(url).await?)
        } else if url.starts_with("sqlite:") {
            Pool::Sqlite(super::sqlite::connect(url).await?)
        } else {
            return Err(StoreError::Database(sqlx::Error::Configuration(
                format!(
                    "unsupported database URL scheme (expected postgres:// or sqlite:): {}",
                    crate::config::redact(url)
                )
                .into(),
            )));
        };
        let writer = writer::Writer::spawn(pool.clone());
        Ok(Self { pool, cache: cache::ConfigCache::default(), writer, log_sample: logs::SampleCache::default() })
    }

    /// Applies the pending migrations of this backend.
    pub async fn migrate(&self) -> StoreResult<()> {
        match &self.pool {
            Pool::Postgres(p) => super::postgres::migrate(p).await,
            Pool::Sqlite(p) => super::sqlite::migrate(p).await,
        }
    }

    /// Closes every connection of the pool.
    pub async fn close(&self) {
        with_pool!(self, |p| p.close().await);
    }
}

#[async_trait]
impl Store for SqlStore {
    fn backend(&self) -> &'static str {
        match self.pool {
            Pool::Postgres(_) => "postgres",
            Pool::Sqlite(_) => "sqlite",
        }
    }

    fn gauges(&self) -> crate::metrics::StoreGauges {
        let (pool_size, pool_idle) = with_pool!(self, |p| (p.size(), u32::try_from(p.num_idle()).unwrap_or(u32::MAX)));
        crate::metrics::StoreGauges { pool_size, pool_idle, write_queue: self.writer.queued() }
    }

    fn commit_histogram(&self) -> prometheus_client::metrics::histogram::Histogram {
        self.writer.commit_seconds.clone()
    }

    async fn ping(&self) -> StoreResult<()> {
        with_pool!(self, |p| sqlx::query("SELECT 1").execute(p).await.map(|_| ()).map_err(StoreError::from))
    }

    async fn purge_expired(&self, now: Millis) -> StoreResult<u64> {
        const PURGES: &[&str] = &[
            "DELETE FROM authorization_codes WHERE expires < $1",
            "DELETE FROM session_tokens WHERE expires < $1",
            "DELETE FROM sessions WHERE expires < $1",
            "DELETE FROM consumed_jtis WHERE expires < $1",
            "DELETE FROM access_tokens WHERE expires < $1",
            "DELETE FROM consent_requests WHERE expires < $1",
            "DELETE FROM refresh_families WHERE expires IS NOT NULL AND expires < $1",
            "DELETE FROM refresh_families WHERE last_used + idle_window_ms < $1",
        ];
        let mut total = 0;
        for sql in PURGES {
            total += with_pool!(self, |p| sqlx::query(sql).bind(now).execute(p).await?.rows_affected());
        }
        Ok(total)
    }

    async fn wipe_data(&self, events: &[crate::domain::LogRecord]) -> StoreResult<()> {
        let result = wipe::wipe_data(self, events).await;
        self.cache.invalidate();
        result
    }

    async fn watch_config(&self) {
        watch::watch_config(self).await;
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn placeholders_number_rows_and_columns() {
        assert_eq!(super::placeholders(2, 3), "($1, $2, $3), ($4, $5, $6)");
        assert_eq!(super::placeholders(1, 1), "($1)");
    }
}
