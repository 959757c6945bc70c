//! `/api/v1/apps` (okta-surface.md §11.3): OIDC apps, their lifecycle, client secrets, public
//! keys and user and group assignments. Every write carries its System Log event (§14) in the
//! same store call; secrets are returned once, at creation, and stored only as hashes.

mod assignments;
mod crud;
mod jwks;
mod lifecycle;
mod secrets;
mod settings;
mod view;

pub(crate) use assignments::{assign_group_core as assign_group, assign_user_core as assign_user};
pub(crate) use assignments::{unassign_group_core as unassign_group, unassign_user_core as unassign_user};
pub(crate) use crud::{create_app, delete_app, replace_app};
pub(crate) use lifecycle::transition;
pub(crate) use secrets::{create_secret, delete_secret, set_status as set_secret_status};

use super::routes::ApiRoutes;
use crate::audit::Target;
use crate::domain::App;
use crate::http::error::OktaError;
use crate::state::AppState;

#[must_use]
pub fn routes(r: ApiRoutes) -> ApiRoutes {
    let r = crud::routes(r);
    let r = lifecycle::routes(r);
    let r = secrets::routes(r);
    let r = jwks::routes(r);
    assignments::routes(r)
}

/// The app with this id, or 404 `E0000007`.
pub(crate) async fn find(state: &AppState, id: &str) -> Result<App, OktaError> {
    state.store.find_app(id).await?.ok_or_else(|| OktaError::not_found(id, "AppInstance"))
}

/// `{base}/api/v1/apps/{id}`.
fn app_url(state: &AppState, id: &str) -> String {
    format!("{}/api/v1/apps/{id}", state.base())
}

/// The System Log target of an app.
pub(crate) fn target(app: &App) -> Target {
    Target::new(&app.id, "AppInstance", &app.label, &app.label)
}
