//! `/admin/keys`: the signing keys of the org authorization server and of every custom one,
//! with their status, and rotation (`oauth2.as.key.rollover`, as the Management API's
//! `keyRotate` and `baton keys rotate` log it).

use super::{redirect_with_flash, render, ConsoleAdmin, ConsoleForm, ConsoleResult, Layout};
use crate::bootstrap::ORG_AS_NAME;
use crate::clock::iso8601;
use crate::domain::{SigningAlg, SigningKey, SigningKeyStatus, TextEnum};
use crate::http::error::OktaError;
use crate::state::AppState;
use crate::store::Page;
use askama::Template;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new().route("/admin/keys", get(list)).route("/admin/keys/{id}/rotate", post(rotate))
}

const SECTION: &str = "/admin/keys";

pub struct KeyRow {
    pub kid: String,
    pub alg: &'static str,
    pub status: &'static str,
    pub created: String,
}

pub struct ServerKeys {
    pub id: String,
    pub name: String,
    pub issuer: String,
    pub keys: Vec<KeyRow>,
}

#[derive(Template)]
#[template(path = "console/keys.html")]
struct KeysPage {
    l: Layout,
    servers: Vec<ServerKeys>,
}

/// ACTIVE, NEXT, then EXPIRED (newest first).
fn rows(mut keys: Vec<SigningKey>) -> Vec<KeyRow> {
    let rank = |k: &SigningKey| match k.status {
        SigningKeyStatus::Active => 0,
        SigningKeyStatus::Next => 1,
        SigningKeyStatus::Expired => 2,
    };
    keys.sort_by_key(|k| (rank(k), -k.created));
    keys.iter()
        .map(|k| KeyRow {
            kid: k.kid.clone(),
            alg: k.alg.as_str(),
            status: k.status.as_str(),
            created: iso8601(k.created),
        })
        .collect()
}

/// (owner id, name, issuer, alg) of every authorization server: the org AS first.
async fn servers(state: &AppState) -> Result<Vec<(String, String, String, SigningAlg)>, OktaError> {
    let mut all = vec![(state.org.id.clone(), ORG_AS_NAME.to_owned(), state.base().to_owned(), SigningAlg::Rs256)];
    for s in state.store.list_auth_servers(&Page::first(i64::MAX)).await? {
        all.push((s.id.clone(), s.name.clone(), state.custom_issuer(&s.id), s.signing_alg));
    }
    Ok(all)
}

async fn list(State(state): State<AppState>, admin: ConsoleAdmin) -> ConsoleResult {
    let mut out = Vec::new();
    for (id, name, issuer, _) in servers(&state).await? {
        let keys = rows(state.store.list_signing_keys(&id).await?);
        out.push(ServerKeys { id, name, issuer, keys });
    }
    Ok(render(&admin, &KeysPage { l: admin.layout("Signing keys", SECTION), servers: out }))
}

async fn rotate(State(state): State<AppState>, Path(id): Path<String>, f: ConsoleForm) -> ConsoleResult {
    let all = servers(&state).await?;
    let (owner, name, issuer, alg) =
        all.into_iter().find(|s| s.0 == id).ok_or_else(|| OktaError::not_found(&id, "AuthorizationServer"))?;
    let now = state.clock.now_ms();
    let event = f
        .admin
        .event("oauth2.as.key.rollover", "Authorization server key rollover")
        .target(crate::audit::Target::new(&owner, "AuthorizationServer", &issuer, &name));
    state
        .keys
        .rotate(state.store.as_ref(), &owner, alg, now, &[f.admin.record(event, now)])
        .await
        .map_err(OktaError::from)?;
    Ok(redirect_with_flash(&state, SECTION, &format!("Keys of {name} rotated.")))
}
