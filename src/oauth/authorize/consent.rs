//! §4.4 (custom AS only): whether the user must approve scopes first. `policy::consent_needed`
//! decides from `prompt`, the app's `consent_method`, each granted scope's `consent` and the
//! user's earlier grants. Needed with `prompt=none` → `consent_required`; needed right after the
//! user pressed Allow (`consented_now`) → one `ConsentGrant` per scope (source `END_USER`) and
//! `app.oauth2.as.consent.grant`, in one store call, and the flow goes on (which is what keeps
//! `prompt=consent` from looping); otherwise the consent page. The scopes are always recomputed
//! here, never taken from the form.

use super::authenticate::Authenticated;
use super::events;
use super::outcome::{ConsentScope, Interaction, Outcome};
use super::request::AuthorizeRequest;
use super::{Happened, Stop};
use crate::audit::Context;
use crate::domain::ids::{new_id, Prefix};
use crate::domain::{ConsentGrant, Scope};
use crate::oauth::error::OAuthError;
use crate::policy::consent_needed;
use crate::state::AppState;

pub async fn ensure(
    state: &AppState,
    ctx: &Context,
    req: &AuthorizeRequest,
    auth: &Authenticated,
    granted: &[String],
    happened: &Happened,
) -> Result<(), Stop> {
    let Some(server) = req.issuer().server() else { return Ok(()) };
    let app = req.app();
    let scopes: Vec<&Scope> =
        granted.iter().filter_map(|name| req.server_scopes.iter().find(|s| &s.name == name)).collect();
    let already = state.store.granted_scopes(&auth.user.id, &app.client_id, &server.id).await?;
    let needed = consent_needed(req.prompt.consent, app.consent_method, &scopes, &already);
    if needed.is_empty() {
        return Ok(());
    }
    if req.prompt.none {
        return Err(Stop::Client(OAuthError::bad(
            "consent_required",
            format!("The following scopes require user consent: [{}].", needed.join(", ")),
        )));
    }
    let needed_scopes: Vec<&Scope> = scopes.into_iter().filter(|s| needed.contains(&s.name)).collect();
    if !happened.consented_now {
        return Err(Stop::Show(Outcome::Consent(page(req, &needed_scopes))));
    }
    let now = state.clock.now_ms();
    let grants: Vec<ConsentGrant> = needed_scopes
        .iter()
        .map(|s| ConsentGrant {
            id: new_id(Prefix::ConsentGrant),
            user_id: auth.user.id.clone(),
            client_id: app.client_id.clone(),
            auth_server_id: server.id.clone(),
            scope_id: s.id.clone(),
            scope_name: s.name.clone(),
            source: "END_USER".to_owned(),
            created: now,
            last_updated: now,
        })
        .collect();
    let event = events::consent_granted(req, &auth.user, &auth.session, &needed).build(ctx, now);
    state.store.create_consent_grants(&grants, &[event]).await?;
    Ok(())
}

fn page(req: &AuthorizeRequest, scopes: &[&Scope]) -> Interaction {
    Interaction {
        auth_server_id: req.issuer().server().map(|s| s.id.clone()),
        carried: req.carried.clone(),
        app_label: req.app().label.clone(),
        username: None,
        error: None,
        scopes: scopes
            .iter()
            .map(|s| ConsentScope {
                name: s.name.clone(),
                display_name: s.display_name.clone().filter(|d| !d.is_empty()).unwrap_or_else(|| s.name.clone()),
                description: s.description.clone().filter(|d| !d.is_empty()),
            })
            .collect(),
    }
}
