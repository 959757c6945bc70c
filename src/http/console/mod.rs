//! The admin console: server-rendered askama pages under `/admin`, for ACTIVE members
//! of the `Administrators` group. Every page goes through [`ConsoleAdmin`] (signed in, admin,
//! CSRF token for its forms, audit actor and context); every POST through [`ConsoleForm`],
//! which rejects a missing or wrong CSRF token with a 403 page before the handler runs. Writes
//! log exactly like the Management API (same event types, actor = the admin user). Every
//! response carries the console's security headers ([`security_headers`]); the stylesheet is
//! served from `/assets/baton.css` (no CDN, no inline style or script).

pub mod admin;
pub mod agent_profile;
pub mod agents;
pub mod app_assignments;
pub mod apps;
pub mod as_claims;
pub mod as_lifecycle;
pub mod auth_servers;
pub mod dashboard;
pub mod groups;
pub mod insight;
pub mod keys;
pub mod links;
pub mod login;
pub mod paging;
pub mod tokens;
pub mod users;

pub use admin::{ConsoleAdmin, ConsoleError, ConsoleForm, ConsoleResult};

use crate::oauth::token::registry::GRANTS;
use crate::state::AppState;
use askama::Template;
use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

/// The console's routes. Each page module adds its own with `.merge(module::router())`.
pub fn router() -> Router<AppState> {
    let pages = Router::new()
        .merge(login::router())
        .merge(dashboard::router())
        .merge(users::router())
        .merge(groups::router())
        .merge(tokens::router())
        .merge(keys::router())
        .merge(apps::router())
        .merge(app_assignments::router())
        .merge(agents::router())
        .merge(agent_profile::router())
        .merge(links::router())
        .merge(auth_servers::router())
        .merge(as_claims::router())
        .merge(as_lifecycle::router())
        .merge(insight::router())
        .layer(axum::middleware::from_fn(security_headers));
    Router::new().route("/assets/baton.css", get(stylesheet)).merge(pages)
}

/// Adds the console's security headers to every response (pages, redirects, errors).
pub async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    crate::http::security_headers::set_page_headers(response.headers_mut());
    response
}

const STYLESHEET: &str = include_str!("../../../assets/baton.css");

async fn stylesheet() -> Response {
    let mut response = STYLESHEET.into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/css; charset=utf-8"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=86400"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response
}

/// One entry of the left nav.
pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

/// The console's sections, in nav order: (href, label). A page names its section by href.
pub const NAV: &[(&str, &str)] = &[
    ("/admin", "Dashboard"),
    ("/admin/users", "Users"),
    ("/admin/groups", "Groups"),
    ("/admin/apps", "Apps"),
    ("/admin/agents", "AI agents"),
    ("/admin/auth-servers", "Authorization servers"),
    ("/admin/connections", "Connections & links"),
    ("/admin/api-tokens", "API tokens"),
    ("/admin/keys", "Keys"),
    ("/admin/logs", "System Log"),
    ("/admin/inspector", "Token inspector"),
    ("/admin/graph", "Access graph"),
];

/// What the layout (`templates/console/layout.html`) needs; every page template has it as
/// field `l` (from [`ConsoleAdmin::layout`]).
pub struct Layout {
    pub title: String,
    /// The nav entry to highlight (an href of [`NAV`]).
    pub section: &'static str,
    pub login: String,
    pub csrf: String,
    pub flash: Option<String>,
    pub error: Option<String>,
}

impl Layout {
    #[must_use]
    pub fn nav(&self) -> Vec<NavItem> {
        NAV.iter().map(|(href, label)| NavItem { href, label, current: *href == self.section }).collect()
    }
}

/// A rendered console page (200), with the admin's pending cookies (CSRF, cleared flash).
pub fn render(admin: &ConsoleAdmin, page: &impl Template) -> Response {
    render_status(admin, StatusCode::OK, page)
}

/// A rendered console page with this status.
pub fn render_status(admin: &ConsoleAdmin, status: StatusCode, page: &impl Template) -> Response {
    match page.render() {
        Ok(body) => admin.finish(html(status, body)),
        Err(e) => {
            tracing::error!(error = %e, "console template rendering failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error").into_response()
        }
    }
}

/// An HTML response (the security headers come from the middleware).
#[must_use]
pub fn html(status: StatusCode, body: String) -> Response {
    let mut response = (status, body).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    response
}

/// 303 See Other to a local path (after a POST).
#[must_use]
pub fn see_other(path: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(path) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    response
}

/// A 303 to `path` that shows `message` on the next page (the flash cookie).
#[must_use]
pub fn redirect_with_flash(state: &AppState, path: &str, message: &str) -> Response {
    let mut response = see_other(path);
    response.headers_mut().append(header::SET_COOKIE, admin::flash_cookie(state, message));
    response
}

/// A grant type offered as a checkbox on the app and rule forms.
pub struct GrantChoice {
    /// The form field: `grant_` and the grant's module name.
    pub field: String,
    pub grant_type: &'static str,
    pub label: &'static str,
}

/// The grants the forms offer: every grant of the registry, in its order.
#[must_use]
pub fn grant_choices() -> Vec<GrantChoice> {
    GRANTS
        .iter()
        .map(|g| GrantChoice { field: format!("grant_{}", g.name), grant_type: g.grant_type, label: g.label })
        .collect()
}

/// The grant types whose checkbox is ticked on `f`.
#[must_use]
pub fn checked_grants(f: &ConsoleForm) -> Vec<&'static str> {
    GRANTS.iter().filter(|g| !f.text(&format!("grant_{}", g.name)).is_empty()).map(|g| g.grant_type).collect()
}
