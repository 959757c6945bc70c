//! `Store::wipe_data`: every row of every table but the org and the migration history, in one
//! transaction that also records the given events (the `/dev/v1/reset` test helper). Tables are
//! listed from the database catalog, so tables added by later migrations are wiped too. The
//! System Log's sequence is not restarted, so a poller's cursor never goes back.

use super::{insert_events, Pool, SqlStore};
use crate::domain::LogRecord;
use crate::store::StoreResult;

/// Tables that survive a wipe.
const KEPT: &[&str] = &["org", "_sqlx_migrations", "config_version"];

pub(super) async fn wipe_data(store: &SqlStore, events: &[LogRecord]) -> StoreResult<()> {
    match &store.pool {
        Pool::Postgres(pool) => {
            let mut tx = pool.begin().await?;
            let tables: Vec<(String,)> =
                sqlx::query_as("SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema()")
                    .fetch_all(&mut *tx)
                    .await?;
            let names: Vec<String> = tables
                .into_iter()
                .map(|(t,)| t)
                .filter(|t| !KEPT.contains(&t.as_str()))
                .map(|t| format!("\"{}\"", t.replace('"', "\"\"")))
                .collect();
            if !names.is_empty() {
                sqlx::query(&format!("TRUNCATE {} CASCADE", names.join(", "))).execute(&mut *tx).await?;
            }
            sqlx::query("UPDATE config_version SET version = version + 1").execute(&mut *tx).await?;
            insert_events!(tx, events);
            tx.commit().await?;
        }
        Pool::Sqlite(pool) => {
            let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
            // Foreign keys are checked at commit, when every referencing row is gone too.
            sqlx::query("PRAGMA defer_foreign_keys = ON").execute(&mut *tx).await?;
            // Virtual tables (the System Log's FTS5 index) and their shadow tables are kept in
            // step with their content tables by triggers: deleting from them directly would
            // corrupt them.
            let tables: Vec<(String,)> = sqlx::query_as(
                "SELECT name FROM sqlite_master m WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
                 AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' AND NOT EXISTS (SELECT 1 FROM sqlite_master v \
                 WHERE v.type = 'table' AND v.sql LIKE 'CREATE VIRTUAL TABLE%' AND m.name LIKE v.name || '\\_%' ESCAPE '\\') \
                 ORDER BY name",
            )
            .fetch_all(&mut *tx)
            .await?;
            for (table,) in tables.iter().filter(|(t,)| !KEPT.contains(&t.as_str())) {
                sqlx::query(&format!("DELETE FROM \"{}\"", table.replace('"', "\"\""))).execute(&mut *tx).await?;
            }
            sqlx::query("UPDATE config_version SET version = version + 1").execute(&mut *tx).await?;
            insert_events!(tx, events);
            tx.commit().await?;
        }
    }
    Ok(())
}
