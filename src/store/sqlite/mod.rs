//! The embedded `SQLite` backend: WAL, foreign keys on, a busy timeout so concurrent writers
//! wait instead of failing, and migrations (`migrations/sqlite`). `sqlite::memory:` gives a
//! private in-memory database held by a single connection.

use crate::store::{StoreError, StoreResult};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::str::FromStr;
use std::time::Duration;

pub async fn connect(url: &str) -> StoreResult<sqlx::SqlitePool> {
    let in_memory = url.contains(":memory:") || url.contains("mode=memory");
    let mut options = SqliteConnectOptions::from_str(url)?
        .create_if_missing(true)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10));
    if !in_memory {
        options = options.journal_mode(SqliteJournalMode::Wal).synchronous(SqliteSynchronous::Normal);
        if let Some(parent) = options.get_filename().parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| {
                StoreError::Unavailable(format!("cannot create the SQLite directory {}: {e}", parent.display()))
            })?;
        }
    }
    let file = options.get_filename().display().to_string();
    // An in-memory database lives and dies with its connection: keep exactly one, forever.
    let pool = SqlitePoolOptions::new()
        .max_connections(if in_memory { 1 } else { 8 })
        .min_connections(u32::from(in_memory))
        .idle_timeout(if in_memory { None } else { Some(Duration::from_secs(600)) })
        .max_lifetime(if in_memory { None } else { Some(Duration::from_secs(3600)) })
        .acquire_timeout(Duration::from_secs(30))
        .connect_with(options)
        .await
        .map_err(|e| StoreError::Unavailable(format!("the SQLite database {file}: {e}")))?;
    Ok(pool)
}

pub async fn migrate(pool: &sqlx::SqlitePool) -> StoreResult<()> {
    sqlx::migrate!("migrations/sqlite").run(pool).await?;
    Ok(())
}
