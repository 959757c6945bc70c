//! What one pass through the authorize pipeline ends in (okta-surface.md §4.2): an HTML error
//! page (the client or its redirect URI is not proven), a response to the client (a code or an
//! error, by `response_mode`), or a page of baton's own (sign-in, consent) that carries the
//! request on. The HTTP layer renders these; nothing here knows about axum.

use super::response::ResponseMode;
use crate::oauth::error::OAuthError;
use axum::http::StatusCode;

/// The HTML error page: never a redirect (§4.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageError {
    pub status: StatusCode,
    pub error: String,
    pub description: String,
}

impl PageError {
    /// 400 page for an OAuth error found before the redirect URI was proven.
    #[must_use]
    pub fn bad_request(e: &OAuthError) -> Self {
        Self { status: StatusCode::BAD_REQUEST, error: e.error.to_owned(), description: e.description.clone() }
    }

    /// The page for a store failure: text the database refused is the request's fault (400
    /// `invalid_request`), anything else is `internal`.
    #[must_use]
    pub fn store(e: &crate::store::StoreError) -> Self {
        match e {
            crate::store::StoreError::InvalidText(_) => Self::bad_request(&OAuthError::nul_text()),
            e => Self::internal(e),
        }
    }

    /// The page for an unexpected failure (the cause is logged, not shown).
    #[must_use]
    pub fn internal(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error on an interactive endpoint");
        Self {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            error: "server_error".into(),
            description: "The server encountered an internal error.".into(),
        }
    }
}

/// Parameters delivered to the client's `redirect_uri`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientReply {
    pub redirect_uri: String,
    pub mode: ResponseMode,
    pub params: Vec<(&'static str, String)>,
}

/// A page of baton's that the request passes through; its form carries the request on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interaction {
    /// The custom AS id, `None` for the org AS (hidden field `as`).
    pub auth_server_id: Option<String>,
    /// The authorize parameters, form-encoded (hidden field `authorize`); re-validated on POST.
    pub carried: String,
    /// The app's label.
    pub app_label: String,
    /// Sign-in page: the username to pre-fill.
    pub username: Option<String>,
    /// Sign-in page: why the last attempt failed.
    pub error: Option<String>,
    /// Consent page: the scopes to approve.
    pub scopes: Vec<ConsentScope>,
}

/// One scope on the consent page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentScope {
    pub name: String,
    pub display_name: String,
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Page(PageError),
    Client(ClientReply),
    SignIn(Interaction),
    Consent(Interaction),
}

/// The outcome, plus a session the pass created (a redeemed `sessionToken`), whose cookie
/// the HTTP layer must set whatever the outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flow {
    pub outcome: Outcome,
    pub new_session_cookie: Option<String>,
}

impl From<Outcome> for Flow {
    fn from(outcome: Outcome) -> Self {
        Self { outcome, new_session_cookie: None }
    }
}
