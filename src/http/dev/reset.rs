//! `POST /dev/v1/reset`: deletes every row but the org (so the org id, and with it every
//! issuer, stays), then runs bootstrap again (Everyone, `default`, signing keys, the
//! `BATON_ADMIN_API_TOKEN` token) and re-applies the seed file the server was started with.
//! Keys the seed pins come back identical; other keys are generated anew, so tokens minted
//! before the reset stop verifying. The clock is left as it is (`DELETE /dev/v1/clock`).

use crate::http::context::RequestContext;
use crate::http::error::OktaError;
use crate::state::AppState;
use crate::{bootstrap, seed};
use axum::extract::State;
use axum::Json;
use serde_json::{json, Value};

pub async fn reset(
    State(state): State<AppState>,
    RequestContext(ctx): RequestContext,
) -> Result<Json<Value>, OktaError> {
    let now = state.clock.now_ms();
    let config = &state.config;
    let seed_path = config.seed.as_deref();
    // Read the seed first: a seed that no longer parses leaves the data untouched.
    let pinned = match seed_path {
        Some(path) => seed::bootstrap_keys(path).map_err(|e| OktaError::internal(&format!("{e:#}")))?,
        None => bootstrap::PinnedKeys::default(),
    };
    let mut event = super::event("system.dev.reset", "Reset the data to the seed");
    if let Some(path) = seed_path {
        event = event.debug("seed", path.display().to_string());
    }
    state.store.wipe_data(&[event.build(&ctx, now)]).await?;
    let store = state.store.as_ref();
    let admin = config.admin_api_token.as_deref();
    bootstrap::bootstrap_with(store, &state.keys, &config.issuer, admin, &pinned, now)
        .await
        .map_err(|e| OktaError::internal(&format!("{e:#}")))?;
    let report = match seed_path {
        Some(path) => Some(
            seed::apply_file(store, &state.keys, &state.org, path, now)
                .await
                .map_err(|e| OktaError::internal(&format!("{e:#}")))?,
        ),
        None => None,
    };
    Ok(Json(json!({
        "seed": seed_path.map(|p| p.display().to_string()),
        "created": report.map_or(0, |r| r.created),
    })))
}
