//! `GET /`: a small page that tells a newcomer where everything is (issuers, metadata, keys).

use super::error::OktaError;
use crate::state::AppState;
use crate::store::Page;
use askama::Template;
use axum::extract::State;
use axum::response::Html;
use axum::routing::get;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new().route("/", get(index))
}

struct ServerRow {
    name: String,
    issuer: String,
}

#[derive(Template)]
#[template(path = "index.html")]
struct Index<'a> {
    company: &'a str,
    org_id: &'a str,
    backend: &'a str,
    base: &'a str,
    servers: Vec<ServerRow>,
}

async fn index(State(state): State<AppState>) -> Result<Html<String>, OktaError> {
    let servers = state
        .store
        .list_auth_servers(&Page::first(200))
        .await?
        .into_iter()
        .filter(|s| s.status == crate::domain::Status::Active)
        .map(|s| ServerRow { issuer: state.custom_issuer(&s.id), name: s.name })
        .collect();
    let page = Index {
        company: &state.org.company_name,
        org_id: &state.org.id,
        backend: state.store.backend(),
        base: state.base(),
        servers,
    };
    page.render().map(Html).map_err(|e| OktaError::internal(&e))
}
