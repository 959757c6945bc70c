//! Background jobs, one loop per process: purge expired per-grant state and rotate keys whose
//! AUTO rotation is due. Every step is idempotent and safe to run on several replicas at once
//! (a lost race in rotation only rotates once more than needed).

use crate::audit::{Actor, Context, Event, Target};
use crate::domain::{Millis, SigningAlg, SigningKeyStatus};
use crate::jose::jwks::{next_rotation, EXPIRED_KEY_GRACE_MS};
use crate::state::AppState;
use crate::store::Page;
use std::time::Duration;

pub const INTERVAL: Duration = Duration::from_secs(60);

/// Runs `run_once` every `INTERVAL` until the task is dropped.
pub async fn run(state: AppState) {
    let mut ticker = tokio::time::interval(INTERVAL);
    loop {
        ticker.tick().await;
        if let Err(e) = run_once(&state).await {
            tracing::warn!(error = %e, "background job failed");
        }
    }
}

/// One pass of every job.
pub async fn run_once(state: &AppState) -> anyhow::Result<()> {
    let now = state.clock.now_ms();
    let purged = state.store.purge_expired(now).await?;
    if purged > 0 {
        tracing::debug!(purged, "purged expired grant state");
    }
    rotate_due(state, &state.org.id, SigningAlg::Rs256, "AUTO", now).await?;
    for server in state.store.list_auth_servers(&Page::first(i64::MAX)).await? {
        rotate_due(state, &server.id, server.signing_alg, &server.rotation_mode, now).await?;
    }
    Ok(())
}

async fn rotate_due(state: &AppState, owner_id: &str, alg: SigningAlg, mode: &str, now: Millis) -> anyhow::Result<()> {
    let store = state.store.as_ref();
    store.delete_expired_signing_keys(owner_id, now - EXPIRED_KEY_GRACE_MS).await?;
    if mode != "AUTO" {
        return Ok(());
    }
    let keys = store.list_signing_keys(owner_id).await?;
    if next_rotation(&keys).is_some_and(|due| due <= now) {
        let kid = keys.iter().find(|k| k.status == SigningKeyStatus::Next).map(|k| k.kid.clone()).unwrap_or_default();
        let event = Event::new("oauth2.as.key.rollover", "Authorization server key rollover", Actor::system())
            .target(Target::new(owner_id, "AuthorizationServer", &state.custom_issuer(owner_id), owner_id))
            .debug("kid", kid)
            .build(&Context::system(), now);
        state.keys.rotate(store, owner_id, alg, now, &[event]).await?;
        tracing::info!(auth_server = owner_id, "rotated signing keys (AUTO)");
    }
    Ok(())
}
