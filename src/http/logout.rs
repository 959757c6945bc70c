//! `GET|POST /oauth2/v1/logout` and `/oauth2/{as}/v1/logout` (okta-surface.md §6.4): the query
//! of a GET or the form of a POST go to `oauth::logout`; errors are HTML pages, success a 302
//! (`Referrer-Policy: no-referrer`) that also clears the session cookie when the session
//! ended. Navigation only: no CORS (§2.3). A cross-site POST carries no SameSite=Lax cookie,
//! so only a GET can end the browser's session; both redirect alike.

use super::context::RequestContext;
use super::cookies::{self, SameSite};
use super::extract::{AsId, QueryOrForm};
use super::interaction::{page_request, redirect};
use super::pages;
use crate::authn::SESSION_COOKIE;
use crate::oauth::logout::logout;
use crate::state::AppState;
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::Response;
use axum::routing::get;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/oauth2/v1/logout", get(handle).post(handle))
        .route("/oauth2/{as}/v1/logout", get(handle).post(handle))
}

async fn handle(
    State(state): State<AppState>,
    AsId(as_id): AsId,
    ctx: RequestContext,
    headers: HeaderMap,
    QueryOrForm(params): QueryOrForm,
) -> Response {
    let (params, session) = match page_request(&state, &headers, params).await {
        Ok(parts) => parts,
        Err(page) => return page,
    };
    match logout(&state, &ctx.0, as_id.as_deref(), &params, session).await {
        Ok(done) => {
            let mut response = redirect(&done.location);
            if done.session_ended {
                response
                    .headers_mut()
                    .append(header::SET_COOKIE, cookies::clear(&state, SESSION_COOKIE, SameSite::Lax));
            }
            response
        }
        Err(page) => pages::error(&page),
    }
}
