//! `POST /api/v1/apps/{appId}/lifecycle/{activate,deactivate}` → 200 `{}`. Repeating a
//! transition the app already made changes nothing and logs nothing. An INACTIVE app fails
//! client authentication (`invalid_client`) at every OAuth endpoint.

use super::super::auth::{Admin, Audit};
use super::super::routes::ApiRoutes;
use super::{find, target};
use crate::domain::AppStatus;
use crate::http::error::OktaError;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::Json;
use serde_json::{json, Value};

#[must_use]
pub(super) fn routes(r: ApiRoutes) -> ApiRoutes {
    r.post("/api/v1/apps/{appId}/lifecycle/activate", "Activate an app", 200, activate).post(
        "/api/v1/apps/{appId}/lifecycle/deactivate",
        "Deactivate an app",
        200,
        deactivate,
    )
}

/// Moves app `id` to `to`; already there → no write, no event.
pub(crate) async fn transition(state: &AppState, admin: &impl Audit, id: &str, to: AppStatus) -> Result<(), OktaError> {
    let mut app = find(state, id).await?;
    if app.status != to {
        let now = state.clock.now_ms();
        app.status = to;
        app.last_updated = now;
        let (event_type, message) = match to {
            AppStatus::Active => ("application.lifecycle.activate", "Activate application"),
            AppStatus::Inactive => ("application.lifecycle.deactivate", "Deactivate application"),
        };
        let ev = admin.event(event_type, message).target(target(&app));
        state.store.update_app(&app, &[admin.record(ev, now)]).await?;
    }
    Ok(())
}

async fn activate(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
) -> Result<Json<Value>, OktaError> {
    transition(&state, &admin, &id, AppStatus::Active).await?;
    Ok(Json(json!({})))
}

async fn deactivate(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
) -> Result<Json<Value>, OktaError> {
    transition(&state, &admin, &id, AppStatus::Inactive).await?;
    Ok(Json(json!({})))
}
