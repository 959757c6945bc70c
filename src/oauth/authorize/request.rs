//! Validation of an authorize request, from scratch on every pass (okta-surface.md §4.1,
//! §4.2 steps 1–4). `prove` establishes the AS, the client and the redirect URI; until it
//! succeeds every error is an HTML page. `check` then runs the remaining checks in Okta's
//! order; its errors go to the proven redirect URI.

use super::checks::{self, Pkce, Prompt};
use super::outcome::PageError;
use super::response::ResponseMode;
use super::scopes;
use crate::domain::{App, AppStatus, Scope};
use crate::oauth::error::OAuthError;
use crate::oauth::params::Params;
use crate::oauth::server::Issuer;
use crate::policy::parse_scope;
use crate::state::AppState;

/// The parameters a sign-in or consent form carries on (never `sessionToken`: it is single use
/// and a secret).
const CARRIED: &[&str] = &[
    "client_id",
    "redirect_uri",
    "response_type",
    "scope",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
    "response_mode",
    "prompt",
    "login_hint",
    "max_age",
];

/// Where errors go once the client and redirect URI are proven.
#[derive(Debug, Clone)]
pub struct Proven {
    pub issuer: Issuer,
    pub app: App,
    pub redirect_uri: String,
    /// The requested mode if valid, else `query` (§4.2 step 4).
    pub mode: ResponseMode,
    /// The state if valid; a rejected state is never echoed.
    pub state: Option<String>,
}

/// A request that passed every check of §4.2 steps 1–4.
#[derive(Debug, Clone)]
pub struct AuthorizeRequest {
    pub proven: Proven,
    pub state: String,
    pub nonce: Option<String>,
    /// Requested scopes, in request order, without duplicates.
    pub scopes: Vec<String>,
    /// Every scope of the custom AS (empty for the org AS).
    pub server_scopes: Vec<Scope>,
    pub prompt: Prompt,
    pub pkce: Option<Pkce>,
    pub max_age: Option<i64>,
    pub login_hint: Option<String>,
    pub session_token: Option<String>,
    /// The carried parameters, form-encoded, for the sign-in and consent forms.
    pub carried: String,
}

impl AuthorizeRequest {
    #[must_use]
    pub fn issuer(&self) -> &Issuer {
        &self.proven.issuer
    }

    #[must_use]
    pub fn app(&self) -> &App {
        &self.proven.app
    }
}

/// Why `prove` failed: the page to show, and what the System Log needs to record it (nothing
/// for an absent AS or an internal failure).
#[derive(Debug)]
pub struct Unproven {
    pub page: PageError,
    pub issuer: Option<Issuer>,
    pub error: Option<OAuthError>,
    pub client_id: Option<String>,
}

impl Unproven {
    fn page_only(page: PageError) -> Self {
        Self { page, issuer: None, error: None, client_id: None }
    }
}

/// §4.2 steps 1–3: the AS (404 page), the client (`invalid_client_id` page) and the redirect
/// URI (`illegal_redirect_uri` page). A missing or repeated `client_id` / `redirect_uri` is
/// `invalid_request` naming it, also as a page.
pub async fn prove(state: &AppState, as_id: Option<&str>, params: &Params) -> Result<Proven, Unproven> {
    let issuer = Issuer::resolve(state, as_id).await.map_err(|e| Unproven::page_only(e.page()))?;
    let rejected = |error: OAuthError, client_id: Option<&str>| Unproven {
        page: PageError::bad_request(&error),
        issuer: Some(issuer.clone()),
        error: Some(error),
        client_id: client_id.map(str::to_owned),
    };
    let client_id = single(params, "client_id").map_err(|e| rejected(e, None))?;
    let app = match state.store.find_app_by_client_id(client_id).await {
        Ok(Some(app)) if app.status == AppStatus::Active => app,
        Ok(_) => {
            let e = OAuthError::invalid_client("invalid_client_id", "Invalid value for 'client_id' parameter.");
            return Err(rejected(e, None));
        }
        Err(e) => return Err(Unproven::page_only(PageError::store(&e))),
    };
    let redirect_uri = single(params, "redirect_uri").map_err(|e| rejected(e, Some(client_id)))?;
    if !app.redirect_uris.iter().any(|u| u == redirect_uri) {
        let e = OAuthError::invalid_request(
            "illegal_redirect_uri",
            "The 'redirect_uri' parameter must be a Login redirect URI in the client app settings.",
        );
        return Err(rejected(e, Some(client_id)));
    }
    let mode = params.get("response_mode").and_then(ResponseMode::parse).unwrap_or(ResponseMode::Query);
    let valid_state = params.get("state").filter(|s| checks::state_is_valid(Some(s)) && !params.is_repeated("state"));
    Ok(Proven { redirect_uri: redirect_uri.to_owned(), mode, state: valid_state.map(str::to_owned), issuer, app })
}

fn single<'a>(params: &'a Params, name: &str) -> Result<&'a str, OAuthError> {
    if params.is_repeated(name) {
        return Err(OAuthError::repeated(name));
    }
    params.require(name)
}

/// §4.2 step 4, in order: repeated parameters, `response_type`, the app's grant, `state`,
/// `response_mode`, `prompt` (and `max_age`), PKCE, scopes.
pub async fn check(
    state: &AppState,
    proven: Proven,
    params: &Params,
) -> Result<AuthorizeRequest, (Proven, OAuthError)> {
    let server_scopes = match proven.issuer.server() {
        Some(server) => match state.store.list_scopes(&server.id).await {
            Ok(scopes) => scopes,
            Err(e) => return Err((proven, e.into())),
        },
        None => Vec::new(),
    };
    match check_params(&proven, &server_scopes, params) {
        Ok(parts) => Ok(AuthorizeRequest {
            state: parts.state,
            nonce: params.get("nonce").map(str::to_owned),
            scopes: parts.scopes,
            server_scopes,
            prompt: parts.prompt,
            pkce: parts.pkce,
            max_age: parts.max_age,
            login_hint: params.get("login_hint").map(str::to_owned),
            session_token: params.get("sessionToken").map(str::to_owned),
            carried: carried(params),
            proven,
        }),
        Err(e) => Err((proven, e)),
    }
}

struct Parts {
    state: String,
    scopes: Vec<String>,
    prompt: Prompt,
    pkce: Option<Pkce>,
    max_age: Option<i64>,
}

fn check_params(proven: &Proven, server_scopes: &[Scope], params: &Params) -> Result<Parts, OAuthError> {
    params.ensure_unique(&[])?;
    let app = &proven.app;
    checks::response_type(app, params.get("response_type"))?;
    checks::grant(app)?;
    checks::state(params.get("state"))?;
    checks::response_mode(params.get("response_mode"))?;
    let prompt = checks::prompt(params.get("prompt"))?;
    let max_age = checks::max_age(params.get("max_age"))?;
    let pkce = checks::pkce(app, params.get("code_challenge"), params.get("code_challenge_method"))?;
    let requested = parse_scope(params.get("scope"));
    scopes::check(proven.issuer.server().map(|_| server_scopes), &requested)?;
    Ok(Parts { state: params.get("state").unwrap_or_default().to_owned(), scopes: requested, prompt, pkce, max_age })
}

/// The carried parameters as one form-encoded string.
fn carried(params: &Params) -> String {
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    for name in CARRIED {
        if let Some(value) = params.get(name) {
            out.append_pair(name, value);
        }
    }
    out.finish()
}
