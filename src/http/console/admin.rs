//! Who may use the console, and the extractors every console handler takes.
//!
//! [`ConsoleAdmin`]: the browser's live session (`baton_sid`, the same session as the user
//! sign-in page), whose user is ACTIVE and a member of `Administrators`. Not signed in: a 303
//! to `/admin/login?next=<this path>`; signed in but no admin: a 403 page. It carries the CSRF
//! token for the page's forms, the flash message, the System Log actor (the admin, type `User`)
//! and the request's audit context.
//!
//! [`ConsoleForm`]: a POST body (`application/x-www-form-urlencoded`) whose `csrf_token` matches
//! the `baton_csrf` cookie (double submission, `http::csrf`), checked before the handler runs: a
//! POST without it is a 403 page and changes nothing.

use super::see_other;
use crate::audit::{Actor, Context, Event};
use crate::authn::events::user_actor;
use crate::authn::{session, SESSION_COOKIE};
use crate::domain::{LogRecord, Millis, Session, User, UserStatus};
use crate::http::api::auth::is_administrator;
use crate::http::context::RequestContext;
use crate::http::cookies::{self, SameSite};
use crate::http::error::OktaError;
use crate::http::form::Params;
use crate::http::{csrf, pages};
use crate::state::AppState;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

pub const FLASH_COOKIE: &str = "baton_flash";
const MAX_FLASH: usize = 300;

/// A signed-in administrator on a console page.
#[derive(Clone)]
pub struct ConsoleAdmin {
    pub user: User,
    pub session: Session,
    /// The CSRF token to put in every form of the page (`csrf_token`).
    pub csrf: String,
    /// `Set-Cookie` installing `csrf` when the browser had none.
    csrf_cookie: Option<HeaderValue>,
    /// The message of the previous action (flash cookie), shown once.
    pub flash: Option<String>,
    /// The System Log actor of every write: the admin user.
    pub actor: Actor,
    /// The audit context of this request.
    pub ctx: Context,
    state: AppState,
}

impl ConsoleAdmin {
    /// An event whose actor is this admin.
    #[must_use]
    pub fn event(&self, event_type: &str, display_message: &str) -> Event {
        Event::new(event_type, display_message, self.actor.clone())
    }

    /// Builds `event` in this request's context.
    #[must_use]
    pub fn record(&self, event: Event, now: Millis) -> LogRecord {
        event.build(&self.ctx, now)
    }

    /// The layout of a page titled `title` in nav section `section` (an href of `NAV`).
    #[must_use]
    pub fn layout(&self, title: &str, section: &'static str) -> super::Layout {
        super::Layout {
            title: title.to_owned(),
            section,
            login: self.user.profile.login().to_owned(),
            csrf: self.csrf.clone(),
            flash: self.flash.clone(),
            error: None,
        }
    }

    /// Adds the cookies this page owes the browser: the CSRF cookie if new, and the flash
    /// cookie's removal once shown.
    #[must_use]
    pub fn finish(&self, mut response: Response) -> Response {
        let h = response.headers_mut();
        if let Some(cookie) = &self.csrf_cookie {
            h.append(header::SET_COOKIE, cookie.clone());
        }
        if self.flash.is_some() {
            h.append(header::SET_COOKIE, cookies::clear(&self.state, FLASH_COOKIE, SameSite::Lax));
        }
        response
    }
}

/// `Set-Cookie` carrying a flash message to the next page.
#[must_use]
pub fn flash_cookie(state: &AppState, message: &str) -> HeaderValue {
    let mut end = message.len().min(MAX_FLASH);
    while !message.is_char_boundary(end) {
        end -= 1;
    }
    cookies::set(state, FLASH_COOKIE, &URL_SAFE_NO_PAD.encode(&message[..end]), SameSite::Lax)
}

fn read_flash(headers: &HeaderMap) -> Option<String> {
    let raw = cookies::get(headers, FLASH_COOKIE)?;
    let bytes = URL_SAFE_NO_PAD.decode(raw.as_bytes()).ok()?;
    String::from_utf8(bytes).ok().filter(|m| !m.is_empty() && m.len() <= MAX_FLASH)
}

/// Where to send someone who is not signed in: the console sign-in, back here after.
fn to_sign_in(parts: &Parts) -> Response {
    let here = parts.uri.path_and_query().map_or("/admin", |p| p.as_str());
    let next: String = url::form_urlencoded::byte_serialize(here.as_bytes()).collect();
    see_other(&format!("/admin/login?next={next}"))
}

/// The 403 page of a signed-in user who is not an administrator.
#[must_use]
pub fn not_an_admin() -> Response {
    pages::error_status(
        StatusCode::FORBIDDEN,
        "access_denied",
        "You are signed in, but only members of the Administrators group may use the admin console.",
    )
}

/// True when `user` may use the console: ACTIVE and in `Administrators`.
pub async fn may_administer(state: &AppState, user: &User) -> Result<bool, OktaError> {
    Ok(user.status == UserStatus::Active && is_administrator(state, &user.id).await?)
}

impl FromRequestParts<AppState> for ConsoleAdmin {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let Some(cookie) = cookies::get(&parts.headers, SESSION_COOKIE) else { return Err(to_sign_in(parts)) };
        let found = session::find_live(state, &cookie).await.map_err(|e| *ConsoleError::from(e).0)?;
        let Some(live) = found else { return Err(to_sign_in(parts)) };
        let user = state.store.find_user(&live.user_id).await.map_err(|e| *ConsoleError::from(e).0)?;
        let Some(user) = user else { return Err(to_sign_in(parts)) };
        if !may_administer(state, &user).await.map_err(|e| *ConsoleError::from(e).0)? {
            return Err(not_an_admin());
        }
        session::touch(state, &live).await.map_err(|e| *ConsoleError::from(e).0)?;
        let (csrf, csrf_cookie) = csrf::token_for_form(state, &parts.headers);
        let RequestContext(ctx) = match RequestContext::from_request_parts(parts, state).await {
            Ok(c) => c,
            Err(never) => match never {},
        };
        Ok(Self {
            actor: user_actor(&user),
            user,
            session: live,
            csrf,
            csrf_cookie,
            flash: read_flash(&parts.headers),
            ctx,
            state: state.clone(),
        })
    }
}

/// A console form POST from a signed-in admin, its CSRF token already verified.
pub struct ConsoleForm {
    pub admin: ConsoleAdmin,
    pub form: Params,
}

impl ConsoleForm {
    /// The trimmed value of field `name`, `""` when absent.
    #[must_use]
    pub fn text(&self, name: &str) -> &str {
        self.form.get(name).map_or("", str::trim)
    }
}

impl FromRequest<AppState> for ConsoleForm {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let admin = ConsoleAdmin::from_request_parts(&mut parts, state).await?;
        let headers = parts.headers.clone();
        let form = Params::from_request(Request::from_parts(parts, body), state).await;
        let form = csrf::checked_form(state, &headers, form)?;
        Ok(Self { admin, form })
    }
}

/// The error of a console handler: a complete page (500 for a store failure, the Okta error's
/// status and summary for a rejected API call).
#[derive(Debug)]
pub struct ConsoleError(pub Box<Response>);

pub type ConsoleResult = Result<Response, ConsoleError>;

impl IntoResponse for ConsoleError {
    fn into_response(self) -> Response {
        *self.0
    }
}

impl From<crate::store::StoreError> for ConsoleError {
    fn from(e: crate::store::StoreError) -> Self {
        Self::from(OktaError::from(e))
    }
}

impl From<OktaError> for ConsoleError {
    fn from(e: OktaError) -> Self {
        Self(Box::new(pages::error_status(e.status, e.code, &okta_message(&e))))
    }
}

/// One sentence of an Okta error: its summary and causes.
#[must_use]
pub fn okta_message(e: &OktaError) -> String {
    if e.causes.is_empty() {
        e.summary.clone()
    } else {
        format!("{} ({})", e.summary, e.causes.join("; "))
    }
}

impl crate::http::api::auth::Audit for ConsoleAdmin {
    fn event(&self, event_type: &str, display_message: &str) -> Event {
        Self::event(self, event_type, display_message)
    }

    fn record(&self, event: Event, now: Millis) -> LogRecord {
        Self::record(self, event, now)
    }
}
