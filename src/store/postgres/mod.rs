//! The Postgres backend: pool options and migrations (`migrations/postgres`).

use crate::store::StoreResult;
use sqlx::postgres::PgPoolOptions;
use std::time::Duration;

pub async fn connect(url: &str) -> StoreResult<sqlx::PgPool> {
    Ok(PgPoolOptions::new().max_connections(16).acquire_timeout(Duration::from_secs(10)).connect(url).await?)
}

pub async fn migrate(pool: &sqlx::PgPool) -> StoreResult<()> {
    sqlx::migrate!("migrations/postgres").run(pool).await?;
    Ok(())
}
