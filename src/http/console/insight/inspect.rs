//! Token inspector: `GET /admin/inspector` shows a form; `POST` (CSRF-checked,
//! so the token travels only in a request body, never in a URL) decodes the pasted JWT and
//! shows its header and claims, which baton key verifies it and of which authorization server,
//! its expiry, and its `act` chain as a row of boxes from the human to the latest actor. The
//! token is neither stored nor logged nor echoed back. `/admin/tokens/inspect` is an alias.

use crate::domain::Millis;
use crate::http::console::{self, ConsoleAdmin, ConsoleForm, ConsoleResult, Layout};
use crate::jose::inspect::{self, ChainBox, Expiry, Verification};
use crate::state::AppState;
use crate::store::{Page, StoreResult};
use askama::Template;
use axum::extract::State;
use axum::routing::get;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/inspector", get(form).post(inspect))
        .route("/admin/tokens/inspect", get(form).post(inspect))
}

/// A box of the chain with what baton knows of the principal.
pub struct Actor {
    pub role: &'static str,
    pub id: String,
    pub sub_profile: String,
    /// Display name and kind (`user`, `AI agent`, `app`), if baton knows the principal.
    pub known: Option<(String, &'static str)>,
}

pub struct Report {
    pub header: String,
    pub claims: String,
    /// `verified`, `invalid` or `unknown`.
    pub verdict: &'static str,
    pub verification: String,
    pub expiry: String,
    pub expired: bool,
    pub chain: Vec<Actor>,
}

#[derive(Template)]
#[template(path = "console/inspector.html")]
struct InspectorPage {
    l: Layout,
    report: Option<Report>,
}

async fn form(admin: ConsoleAdmin) -> ConsoleResult {
    let page = InspectorPage { l: admin.layout("Token inspector", "/admin/inspector"), report: None };
    Ok(console::render(&admin, &page))
}

async fn inspect(State(state): State<AppState>, f: ConsoleForm) -> ConsoleResult {
    let mut l = f.admin.layout("Token inspector", "/admin/inspector");
    let token = f.text("token");
    let report = if token.is_empty() {
        l.error = Some("Paste a JWT to inspect.".to_owned());
        None
    } else {
        match inspect::decode(token) {
            Ok(decoded) => Some(report(&state, token, decoded).await?),
            Err(message) => {
                l.error = Some(message.to_owned());
                None
            }
        }
    };
    let status = if report.is_some() || token.is_empty() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::BAD_REQUEST
    };
    Ok(console::render_status(&f.admin, status, &InspectorPage { l, report }))
}

/// The name of a key owner: an authorization server (with its issuer) or the org AS.
async fn owner_name(state: &AppState, owner_id: &str) -> StoreResult<String> {
    if owner_id == state.org.id {
        return Ok(format!("the org authorization server ({})", state.base()));
    }
    Ok(match state.store.find_auth_server(owner_id).await? {
        Some(s) => format!("authorization server “{}” ({})", s.name, state.custom_issuer(&s.id)),
        None => format!("an unknown owner {owner_id}"),
    })
}

/// Every signing key baton holds: the org's and every authorization server's.
async fn all_keys(state: &AppState) -> StoreResult<Vec<crate::domain::SigningKey>> {
    let mut keys = state.store.list_signing_keys(&state.org.id).await?;
    for server in state.store.list_auth_servers(&Page { after: None, limit: i64::MAX }).await? {
        keys.extend(state.store.list_signing_keys(&server.id).await?);
    }
    Ok(keys)
}

async fn report(state: &AppState, token: &str, decoded: inspect::Decoded) -> StoreResult<Report> {
    let keys = match decoded.header.get("kid").and_then(serde_json::Value::as_str) {
        Some(kid) => state.store.find_signing_key(kid).await?.into_iter().collect(),
        None => all_keys(state).await?,
    };
    let (verdict, verification) = match inspect::verify(token, &decoded.header, &keys) {
        Verification::Verified { kid, owner_id } => {
            ("verified", format!("Signature verified by key {kid} of {}.", owner_name(state, &owner_id).await?))
        }
        Verification::Invalid { kid, owner_id } => (
            "invalid",
            format!(
                "Signature INVALID: key {kid} of {} does not verify it (tampered or re-signed).",
                owner_name(state, &owner_id).await?
            ),
        ),
        Verification::UnknownKey { kid: Some(kid) } => {
            ("unknown", format!("Not verified: no baton key has kid {kid}; baton did not issue this token."))
        }
        Verification::UnknownKey { kid: None } => {
            ("unknown", "Not verified: the header names no kid and no baton key verifies it.".to_owned())
        }
    };
    let now: Millis = state.clock.now_ms();
    let (expiry, expired) = match inspect::expiry(&decoded.claims, now) {
        Expiry::Missing => ("No exp claim.".to_owned(), false),
        Expiry::Expired(s) => (format!("Expired {} ago.", inspect::duration(s)), true),
        Expiry::Remaining(s) => (format!("Valid for {} more.", inspect::duration(s)), false),
    };
    let mut chain = Vec::new();
    for b in inspect::act_chain(&decoded.claims) {
        chain.push(actor(state, b).await?);
    }
    Ok(Report {
        header: decoded.header_json,
        claims: decoded.claims_json,
        verdict,
        verification,
        expiry,
        expired,
        chain,
    })
}

/// What baton knows of one principal of the chain (user by id or login, agent, app).
async fn actor(state: &AppState, b: ChainBox) -> StoreResult<Actor> {
    let store = state.store.as_ref();
    let known = if let Some(user) = store.find_user(&b.id).await? {
        Some((user_label(&user), "user"))
    } else if let Some(user) = store.find_user_by_login(&b.id).await? {
        Some((user_label(&user), "user"))
    } else if let Some(agent) = store.find_agent(&b.id).await? {
        Some((agent.name, "AI agent"))
    } else {
        store.find_app_by_client_id(&b.id).await?.map(|app| (app.label, "app"))
    };
    Ok(Actor { role: b.role, id: b.id, sub_profile: b.sub_profile.unwrap_or_default(), known })
}

fn user_label(user: &crate::domain::User) -> String {
    let name = user.profile.display_name();
    if name.trim().is_empty() {
        user.profile.login().to_owned()
    } else {
        format!("{name} ({})", user.profile.login())
    }
}
