//! The Postgres backend: connecting (with retries while the server is not up yet), pool
//! options and migrations (`migrations/postgres`).

use crate::store::{StoreError, StoreResult};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions as _, Connection as _};
use std::str::FromStr as _;
use std::time::{Duration, Instant};

/// How long start-up waits for a Postgres that refuses connections or is still starting.
const PATIENCE: Duration = Duration::from_secs(60);
const FIRST_RETRY: Duration = Duration::from_millis(250);
const LONGEST_RETRY: Duration = Duration::from_secs(5);

/// Connects once, retrying with backoff (for up to `PATIENCE`) while the server is unreachable
/// or starting up, so that the error, if any, is the server's own ("connection refused",
/// "password authentication failed", …) and names the host, not a pool timeout. Then builds
/// the pool, which opens its connections when first used.
pub async fn connect(url: &str) -> StoreResult<sqlx::PgPool> {
    let options = PgConnectOptions::from_str(url)?;
    let target = format!(
        "Postgres at {}:{} (database {:?}, user {:?})",
        options.get_host(),
        options.get_port(),
        options.get_database().unwrap_or(options.get_username()),
        options.get_username()
    );
    let give_up = Instant::now() + PATIENCE;
    let mut wait = FIRST_RETRY;
    loop {
        match options.connect().await {
            Ok(connection) => {
                let _ = connection.close().await;
                break;
            }
            Err(e) if transient(&e) && Instant::now() + wait < give_up => {
                tracing::warn!("{target} is not reachable yet ({}); retrying in {} ms", cause(&e), wait.as_millis());
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(LONGEST_RETRY);
            }
            Err(e) => return Err(StoreError::Unavailable(format!("{target}: {}", cause(&e)))),
        }
    }
    // The server has just answered: the pool opens its connections as they are needed.
    Ok(PgPoolOptions::new().max_connections(16).acquire_timeout(Duration::from_secs(10)).connect_lazy_with(options))
}

/// Worth retrying: the server is not listening yet, or is starting, recovering or shutting
/// down (SQLSTATE class 57P). Authentication, a missing database or a TLS refusal (an I/O
/// error of kind `InvalidData` from the handshake) are not.
fn transient(e: &sqlx::Error) -> bool {
    use std::io::ErrorKind::{
        ConnectionAborted, ConnectionRefused, ConnectionReset, HostUnreachable, NetworkUnreachable, NotConnected,
        TimedOut, UnexpectedEof,
    };
    match e {
        sqlx::Error::Io(io) => matches!(
            io.kind(),
            ConnectionRefused
                | ConnectionReset
                | ConnectionAborted
                | NotConnected
                | TimedOut
                | UnexpectedEof
                | HostUnreachable
                | NetworkUnreachable
        ),
        sqlx::Error::PoolTimedOut => true,
        sqlx::Error::Database(d) => d.code().is_some_and(|c| c.starts_with("57P")),
        _ => false,
    }
}

fn cause(e: &sqlx::Error) -> String {
    match e {
        sqlx::Error::Io(io) => io.to_string(),
        sqlx::Error::Database(d) => d.message().to_owned(),
        other => other.to_string(),
    }
}

pub async fn migrate(pool: &sqlx::PgPool) -> StoreResult<()> {
    sqlx::migrate!("migrations/postgres").run(pool).await?;
    Ok(())
}
