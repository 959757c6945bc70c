//! Keeps the configuration snapshot (`cache`) in step with other processes on the same
//! database: Postgres `LISTEN baton_config` (the `config_version` trigger's `NOTIFY`, sent when
//! a configuration write commits) drops it within milliseconds; a poll of `config_version`
//! every `POLL` covers a notification lost while the listener reconnects, and is the only
//! channel between two processes on one SQLite file.

use super::{Pool, SqlStore};
use std::time::Duration;

/// How often `config_version` is read: Postgres also listens, so its poll is only a fallback.
const POLL_POSTGRES: Duration = Duration::from_secs(1);
const POLL_SQLITE: Duration = Duration::from_millis(50);

pub(super) async fn watch_config(store: &SqlStore) {
    match &store.pool {
        Pool::Postgres(pool) => postgres(store, pool).await,
        Pool::Sqlite(_) => loop {
            poll(store).await;
            tokio::time::sleep(POLL_SQLITE).await;
        },
    }
}

async fn poll(store: &SqlStore) {
    let version: Result<(i64,), sqlx::Error> = super::with_pool!(store, |p| {
        sqlx::query_as("SELECT version FROM config_version WHERE id = 1").fetch_one(p).await
    });
    match version {
        Ok((v,)) => store.cache.observe_version(v as u64),
        Err(e) => tracing::debug!(error = %e, "reading config_version failed"),
    }
}

async fn postgres(store: &SqlStore, pool: &sqlx::PgPool) {
    let mut tick = tokio::time::interval(POLL_POSTGRES);
    let mut listener = None;
    loop {
        if listener.is_none() {
            listener = match sqlx::postgres::PgListener::connect_with(pool).await {
                Ok(mut l) => match l.listen("baton_config").await {
                    Ok(()) => Some(l),
                    Err(e) => {
                        tracing::debug!(error = %e, "LISTEN baton_config failed");
                        None
                    }
                },
                Err(e) => {
                    tracing::debug!(error = %e, "connecting the configuration listener failed");
                    None
                }
            };
            // Whatever was announced while not listening is caught by this poll.
            poll(store).await;
        }
        let Some(l) = listener.as_mut() else {
            tick.tick().await;
            continue;
        };
        tokio::select! {
            notified = l.try_recv() => match notified {
                // A notification; or the connection was lost (the listener reconnects on its
                // next use) and announcements may have been missed.
                Ok(_) => store.cache.invalidate(),
                Err(e) => {
                    tracing::debug!(error = %e, "the configuration listener failed");
                    listener = None;
                    store.cache.invalidate();
                }
            },
            _ = tick.tick() => poll(store).await,
        }
    }
}
