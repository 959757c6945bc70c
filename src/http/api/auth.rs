//! `Authorization: SSWS {token}` (okta-surface.md §10). An unknown, revoked or expired token
//! is 401 `E0000011`; a token whose owner may not administer the org is 403 `E0000006`. The
//! token is found by its SHA-256 hash (a unique index), never by comparing raw values, and its
//! last-used time is recorded (at most once a minute, to keep reads cheap).

use crate::audit::{Actor, Context, Event};
use crate::domain::ids::hash_secret;
use crate::domain::{ApiToken, LogRecord, UserStatus};
use crate::http::context::RequestContext;
use crate::http::error::OktaError;
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::http::StatusCode;

pub use crate::domain::user::ADMINISTRATORS_GROUP;

/// How stale `lastUsed` may get before a request writes it again.
const TOUCH_EVERY_MS: i64 = 60_000;

/// An authenticated Management API caller.
#[derive(Debug, Clone)]
pub struct Admin {
    pub token: ApiToken,
    /// The System Log actor of every write: the token's owner, or the token itself
    /// (`SystemPrincipal`) for the bootstrap super-admin token.
    pub actor: Actor,
    /// The audit context, carrying `transaction.detail.requestApiTokenId`.
    pub ctx: Context,
}

impl Admin {
    /// An event whose actor is this caller.
    #[must_use]
    pub fn event(&self, event_type: &str, display_message: &str) -> Event {
        Event::new(event_type, display_message, self.actor.clone())
    }

    /// Builds `event` in this request's context.
    #[must_use]
    pub fn record(&self, event: Event, now: crate::domain::Millis) -> LogRecord {
        event.build(&self.ctx, now)
    }
}

/// Who a write is logged as: the System Log actor and request context of a Management API
/// call ([`Admin`]) or of an admin console page. The write logic shared by both takes this.
pub trait Audit {
    /// An event whose actor is this caller.
    fn event(&self, event_type: &str, display_message: &str) -> Event;
    /// Builds `event` in this request's context.
    fn record(&self, event: Event, now: crate::domain::Millis) -> LogRecord;
}

impl Audit for Admin {
    fn event(&self, event_type: &str, display_message: &str) -> Event {
        Self::event(self, event_type, display_message)
    }

    fn record(&self, event: Event, now: crate::domain::Millis) -> LogRecord {
        Self::record(self, event, now)
    }
}

fn invalid_token() -> OktaError {
    OktaError::new(StatusCode::UNAUTHORIZED, "E0000011", "Invalid token provided")
}

/// 403 `E0000006`.
#[must_use]
pub fn forbidden() -> OktaError {
    OktaError::new(StatusCode::FORBIDDEN, "E0000006", "You do not have permission to perform the requested action")
}

impl FromRequestParts<AppState> for Admin {
    type Rejection = OktaError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let header = parts.headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()).ok_or_else(invalid_token)?;
        let value = ssws_token(header).ok_or_else(invalid_token)?;
        let token = state.store.find_api_token_by_hash(&hash_secret(value)).await?.ok_or_else(invalid_token)?;
        let now = state.clock.now_ms();
        if token.expires.is_some_and(|at| at <= now) || idle_expired(&token, now) {
            return Err(invalid_token());
        }
        let actor = match &token.user_id {
            None => Actor::new(&token.id, "SystemPrincipal", &token.name, &token.name),
            Some(user_id) => {
                let user = state.store.find_user(user_id).await?.ok_or_else(invalid_token)?;
                if user.status != UserStatus::Active {
                    return Err(invalid_token());
                }
                if !token.super_admin && !is_administrator(state, user_id).await? {
                    return Err(forbidden());
                }
                Actor::new(&user.id, "User", user.profile.login(), &user.profile.display_name())
            }
        };
        if token.last_used.is_none_or(|t| now - t >= TOUCH_EVERY_MS) {
            state.store.touch_api_token(&token.id, now).await?;
        }
        let RequestContext(mut ctx) = match RequestContext::from_request_parts(parts, state).await {
            Ok(c) => c,
            Err(never) => match never {},
        };
        ctx.api_token_id = Some(token.id.clone());
        Ok(Self { token, actor, ctx })
    }
}

/// The token of an `SSWS` header. The space after the scheme is optional: the Okta Python SDK
/// (3.x) sends `SSWS{token}` with none, and Okta accepts it.
fn ssws_token(header: &str) -> Option<&str> {
    let scheme = header.get(..4)?;
    let value = header[4..].trim();
    (scheme.eq_ignore_ascii_case("SSWS") && !value.is_empty()).then_some(value)
}

/// True when `user_id` is a member of the Administrators group.
pub async fn is_administrator(state: &AppState, user_id: &str) -> Result<bool, OktaError> {
    let groups = state.store.list_user_groups(user_id).await?;
    Ok(groups.iter().any(|g| g.name == ADMINISTRATORS_GROUP))
}

/// `tokenWindow` is an ISO 8601 day duration (`P30D`): a token unused for that long expires.
fn idle_expired(token: &ApiToken, now: i64) -> bool {
    let Some(days) = token.token_window.strip_prefix('P').and_then(|d| d.strip_suffix('D')) else {
        return false;
    };
    let Ok(days) = days.parse::<i64>() else {
        return false;
    };
    let last = token.last_used.unwrap_or(token.created);
    now - last > days * 86_400_000
}

#[cfg(test)]
mod tests {
    use super::ssws_token;

    #[test]
    fn ssws_scheme_with_or_without_a_space() {
        assert_eq!(ssws_token("SSWS 00abc"), Some("00abc"));
        assert_eq!(ssws_token("ssws 00abc"), Some("00abc"));
        assert_eq!(ssws_token("SSWS00abc"), Some("00abc"));
        assert_eq!(ssws_token("SSWS "), None);
        assert_eq!(ssws_token("Bearer 00abc"), None);
        assert_eq!(ssws_token("SSW"), None);
        assert_eq!(ssws_token("ŠSWS x"), None);
    }
}
