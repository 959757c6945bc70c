//! Storage: small traits grouped by concern, one atomic domain operation per method
//! (`find_*`, `create_*`, `update_*`, `delete_*`, and intent verbs `consume_*`, `rotate_*`,
//! `revoke_*`). Every write takes the System Log events that record it and commits them in the
//! same transaction, so no state change is ever unlogged.
//!
//! `sql::SqlStore` implements every trait once over a `Pool` of either backend: the SQL that
//! both dialects share lives in `sql/`, and what differs (connection options, migrations)
//! lives in `postgres/` and `sqlite/`. Database errors become `StoreError` in two places:
//! constraint violations by sqlx's backend-neutral kind (`sql::constraint`), Postgres's
//! refusals of NUL text by SQLSTATE (`From<sqlx::Error>` below). `connect(url)` picks the
//! backend from the URL scheme.

pub mod agents;
pub mod apps;
pub mod auth_servers;
pub mod grants;
pub mod keys;
pub mod logs;
pub mod org;
pub mod postgres;
pub mod sessions;
pub mod sql;
pub mod sqlite;
pub mod users;

pub use agents::AgentStore;
pub use apps::AppStore;
pub use auth_servers::AuthServerStore;
pub use grants::{CodeUse, ConsentStore, GrantStore, Issuance};
pub use keys::KeyStore;
pub use logs::{LogQuery, LogStore, LOG_FILTER_ATTRIBUTES};
pub use org::{ApiTokenStore, OrgStore};
pub use sessions::SessionStore;
pub use sql::SqlStore;
pub use users::{GroupStore, UserStore};

use crate::domain::Millis;
use std::sync::Arc;

/// Every concern together: what `AppState` holds.
#[async_trait::async_trait]
pub trait Store:
    OrgStore
    + UserStore
    + GroupStore
    + AppStore
    + AgentStore
    + AuthServerStore
    + KeyStore
    + SessionStore
    + GrantStore
    + ConsentStore
    + ApiTokenStore
    + LogStore
    + Send
    + Sync
{
    /// `postgres` or `sqlite`.
    fn backend(&self) -> &'static str;
    /// The pool and the write queue, for `/metrics`.
    fn gauges(&self) -> crate::metrics::StoreGauges;
    /// Group-commit latency, registered once in the server's metrics.
    fn commit_histogram(&self) -> prometheus_client::metrics::histogram::Histogram;
    /// Cheap liveness probe of the database (`/readyz`).
    async fn ping(&self) -> StoreResult<()>;
    /// Delete expired per-grant state (codes, session tokens, sessions, jtis, token records).
    async fn purge_expired(&self, now: Millis) -> StoreResult<u64>;
    /// Deletes every row but the org's (test helper `/dev/v1/reset`; bootstrap and the seed
    /// then rebuild the rest) and records `events`, in one transaction.
    async fn wipe_data(&self, events: &[crate::domain::LogRecord]) -> StoreResult<()>;
    /// Runs for the life of the process: drops the configuration snapshot whenever another
    /// process changes configuration (Postgres `LISTEN`, and a poll of `config_version`).
    async fn watch_config(&self);
}

pub type DynStore = Arc<dyn Store>;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique constraint was violated; names the constraint's subject (e.g. `login`).
    #[error("conflict on {0}")]
    Conflict(String),
    /// A referenced row does not exist (foreign key).
    #[error("missing reference: {0}")]
    MissingReference(String),
    /// A stored value could not be read back (bad enum text or JSON): a bug or a manual edit.
    #[error("corrupt stored value: {0}")]
    Corrupt(String),
    /// Text the database cannot store or compare: Postgres refuses a NUL character in text
    /// (SQLSTATE 22021) and in jsonb (22P05). Bad input, not a failure: answered as a 400.
    #[error("text the database cannot store: {0}")]
    InvalidText(String),
    #[error("database error: {0}")]
    Database(sqlx::Error),
    /// The database could not be reached or opened at start; names where and why.
    #[error("cannot open the database: {0}")]
    Unavailable(String),
    #[error("migration error: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        let code = e.as_database_error().and_then(|d| d.code().map(std::borrow::Cow::into_owned));
        // 22021: NUL in text; 22P05: `\u0000` in JSON bound to jsonb.
        if matches!(code.as_deref(), Some("22021" | "22P05")) {
            Self::InvalidText(e.as_database_error().map_or_else(String::new, |d| d.message().to_owned()))
        } else {
            Self::Database(e)
        }
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Keyset pagination: rows ordered by id, strictly after `after`.
#[derive(Debug, Clone, Default)]
pub struct Page {
    pub after: Option<String>,
    pub limit: i64,
}

impl Page {
    #[must_use]
    pub fn first(limit: i64) -> Self {
        Self { after: None, limit }
    }
}

/// Open the store named by `url` (`postgres://…`, `postgresql://…` or `sqlite:…`) and run
/// migrations.
pub async fn connect(url: &str) -> StoreResult<DynStore> {
    let store = SqlStore::connect(url).await?;
    store.migrate().await?;
    Ok(Arc::new(store))
}
