//! baton's HTML pages (askama templates under `templates/`): the authorize error page
//! (okta-surface.md §4.2: shows `error` and `error_description`, never redirects), the sign-in
//! and consent pages, the `form_post` page, and short messages. Every page is `no-store`, may
//! not be framed (clickjacking of the sign-in and consent buttons), and sends no referrer (the
//! URL of an authorize page holds the request).

use crate::oauth::authorize::{ConsentScope, PageError};
use askama::Template;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// CSP of pages without scripts: the stylesheet `/assets/baton.css`, nothing inline.
const CSP: &str = super::security_headers::CSP;
/// CSP of the `form_post` page, whose one inline script submits the form.
const CSP_FORM_POST: &str =
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'";

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    status: u16,
    error: &'a str,
    description: &'a str,
}

#[derive(Template)]
#[template(path = "login.html")]
pub struct LoginPage<'a> {
    pub action: &'a str,
    pub csrf: &'a str,
    pub company: &'a str,
    pub auth_server_id: Option<&'a str>,
    pub carried: Option<&'a str>,
    pub app_label: Option<&'a str>,
    /// A brokered consent request to return to after signing in (xaa.md §5).
    pub consent_request: Option<&'a str>,
    pub username: &'a str,
    pub error: Option<&'a str>,
}

#[derive(Template)]
#[template(path = "consent.html")]
pub struct ConsentPage<'a> {
    pub action: &'a str,
    pub csrf: &'a str,
    pub auth_server_id: Option<&'a str>,
    pub carried: &'a str,
    pub app_label: &'a str,
    pub scopes: &'a [ConsentScope],
}

/// A brokered consent request (xaa.md §5): who asks (A, through X, for C), at which AS, for
/// which scopes; Approve/Deny while pending, Revoke once approved.
#[derive(Template)]
#[template(path = "consent_request.html")]
pub struct ConsentRequestPage<'a> {
    pub action: &'a str,
    pub revoke_action: &'a str,
    pub csrf: &'a str,
    /// `PENDING`, `APPROVED`, `DENIED` or `REVOKED`.
    pub status: &'a str,
    pub agent: &'a str,
    pub client: Option<&'a str>,
    pub subject_client: &'a str,
    pub auth_server: &'a str,
    pub issuer: &'a str,
    pub user: &'a str,
    pub scopes: &'a [ConsentScope],
    /// The signed-in user's list of approvals.
    pub list: &'a str,
}

/// One approval on the list: who may act, at which AS, with which scopes, since when.
pub struct ApprovalRow {
    pub revoke_action: String,
    pub agent: String,
    pub client: Option<String>,
    pub subject_client: String,
    pub auth_server: String,
    pub issuer: String,
    pub scopes: Vec<ConsentScope>,
    /// When it was approved (ISO 8601, UTC).
    pub approved: String,
}

/// The signed-in user's APPROVED brokered consent requests, each with a Revoke button.
#[derive(Template)]
#[template(path = "consent_approvals.html")]
pub struct ConsentApprovalsPage<'a> {
    pub csrf: &'a str,
    pub user: &'a str,
    pub approvals: &'a [ApprovalRow],
}

#[derive(Template)]
#[template(path = "form_post.html")]
struct FormPostPage<'a> {
    action: &'a str,
    fields: &'a [(&'static str, String)],
}

#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage<'a> {
    title: &'a str,
    message: &'a str,
}

/// A rendered page with the headers every page carries.
fn page(status: StatusCode, rendered: Result<String, askama::Error>, csp: &'static str) -> Response {
    let body = match rendered {
        Ok(body) => body,
        Err(e) => {
            tracing::error!(error = %e, "template rendering failed");
            return (StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error").into_response();
        }
    };
    let mut response = (status, body).into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    super::security_headers::set_page_headers(h);
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(csp));
    response
}

/// The HTML error page.
#[must_use]
pub fn error(e: &PageError) -> Response {
    let rendered = ErrorPage { status: e.status.as_u16(), error: &e.error, description: &e.description }.render();
    page(e.status, rendered, CSP)
}

/// 403 for a form post without a valid CSRF token.
#[must_use]
pub fn csrf_rejected() -> Response {
    error(&PageError {
        status: StatusCode::FORBIDDEN,
        error: "invalid_request".into(),
        description: "The form has expired or did not come from this site. Go back, reload the page and try again."
            .into(),
    })
}

#[must_use]
pub fn login(p: &LoginPage) -> Response {
    page(StatusCode::OK, p.render(), CSP)
}

#[must_use]
pub fn consent(p: &ConsentPage) -> Response {
    page(StatusCode::OK, p.render(), CSP)
}

#[must_use]
pub fn consent_request(p: &ConsentRequestPage) -> Response {
    page(StatusCode::OK, p.render(), CSP)
}

#[must_use]
pub fn consent_approvals(p: &ConsentApprovalsPage) -> Response {
    page(StatusCode::OK, p.render(), CSP)
}

/// The error page with this status.
#[must_use]
pub fn error_status(status: StatusCode, error: &str, description: &str) -> Response {
    self::error(&PageError { status, error: error.into(), description: description.into() })
}

/// The `form_post` response: an auto-submitting form to the client's redirect URI.
#[must_use]
pub fn form_post(action: &str, fields: &[(&'static str, String)]) -> Response {
    page(StatusCode::OK, FormPostPage { action, fields }.render(), CSP_FORM_POST)
}

#[must_use]
pub fn message(title: &str, message: &str) -> Response {
    page(StatusCode::OK, MessagePage { title, message }.render(), CSP)
}
