//! `GET|POST /oauth2/v1/userinfo` and `/oauth2/{as}/v1/userinfo` (okta-surface.md §6.3). An
//! unknown or INACTIVE custom AS is 404 `E0000007`; everything else is `oauth::userinfo`.

use super::extract::Server;
use crate::oauth::userinfo;
use crate::state::AppState;
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::Response;
use axum::routing::get;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/oauth2/v1/userinfo", get(handle).post(handle))
        .route("/oauth2/{as}/v1/userinfo", get(handle).post(handle))
}

async fn handle(State(state): State<AppState>, Server(issuer): Server, headers: HeaderMap) -> Response {
    let authorization = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    userinfo::userinfo(&state, &issuer, authorization).await
}
