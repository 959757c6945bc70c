//! `POST /api/v1/authn` (okta-surface.md §9): primary authentication with a username and
//! password, no API token. Success is `status: "SUCCESS"` with a `sessionToken` (single use,
//! 300 s, stored as its SHA-256 hash, redeemable only at `/authorize`) and logs
//! `user.session.start` in the same store call; bad credentials, unknown and non-ACTIVE users
//! are all 401 `E0000004` (logged as FAILURE). Throttled attempts (`authn::throttle`) are 429
//! `E0000047` with the `X-Rate-Limit-*` headers of §10; a user locked out by the password
//! policy gets `status: "LOCKED_OUT"`. CORS with credentials (§2.3).

use super::context::RequestContext;
use super::error::OktaError;
use crate::authn::events::session_start;
use crate::authn::throttle::PER_ACCOUNT_ADDRESS;
use crate::authn::{verify_credentials, SignInError};
use crate::clock::iso8601;
use crate::domain::ids::{hash_secret, new_secret};
use crate::domain::{Millis, SessionToken, User};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Map, Value};

/// Lifetime of a `sessionToken` (§7.4).
pub const SESSION_TOKEN_LIFETIME_MS: i64 = 300 * 1000;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/authn", post(authn))
}

async fn authn(State(state): State<AppState>, ctx: RequestContext, body: Bytes) -> Response {
    let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(&body) else {
        return OktaError::new(StatusCode::BAD_REQUEST, "E0000003", "The request body was not well-formed.")
            .into_response();
    };
    let (username, password) = match (field(&body, "username"), field(&body, "password")) {
        (Ok(u), Ok(p)) => (u, p),
        (Err(e), _) | (_, Err(e)) => return e.into_response(),
    };
    match verify_credentials(&state, &ctx.0, username, password).await {
        Ok(user) => match issue(&state, &ctx, &user).await {
            Ok(body) => Json(body).into_response(),
            Err(e) => OktaError::internal(&e).into_response(),
        },
        Err(SignInError::Invalid) => {
            OktaError::new(StatusCode::UNAUTHORIZED, "E0000004", "Authentication failed").into_response()
        }
        Err(SignInError::Throttled { retry_at }) => throttled(&state, retry_at),
        // Okta's primary authentication answers a locked-out user with the transaction state
        // LOCKED_OUT (no self-service unlock here, so no `next` link).
        Err(SignInError::LockedOut) => Json(json!({"status": "LOCKED_OUT", "_links": {}})).into_response(),
        Err(SignInError::Store(e)) => OktaError::from(e).into_response(),
    }
}

/// A required, non-empty string member.
fn field<'a>(body: &'a Map<String, Value>, name: &str) -> Result<&'a str, OktaError> {
    body.get(name).and_then(Value::as_str).filter(|v| !v.is_empty()).ok_or_else(|| {
        let mut e = OktaError::new(StatusCode::BAD_REQUEST, "E0000001", format!("Api validation failed: {name}"));
        e.causes.push(format!("{name}: The field cannot be left blank"));
        e
    })
}

/// Stores a new `sessionToken` (hashed) with the sign-in event; returns the response body.
async fn issue(state: &AppState, ctx: &RequestContext, user: &User) -> Result<Value, crate::store::StoreError> {
    let now = state.clock.now_ms();
    let token = new_secret();
    let row = SessionToken {
        token_hash: hash_secret(&token),
        user_id: user.id.clone(),
        created: now,
        expires: now + SESSION_TOKEN_LIFETIME_MS,
    };
    let event = session_start(user, None, "password").debug("authnRequest", "/api/v1/authn").build(&ctx.0, now);
    state.store.create_session_token(&row, &[event]).await?;
    Ok(json!({
        "expiresAt": iso8601(row.expires),
        "status": "SUCCESS",
        "sessionToken": token,
        "_embedded": {"user": user_json(user)},
    }))
}

/// `_embedded.user`: id, `passwordChanged` and the profile fields Okta shows; absent values
/// are omitted.
fn user_json(user: &User) -> Value {
    let mut profile = Map::new();
    for key in ["login", "firstName", "lastName", "locale", "timeZone"] {
        if let Some(value) = user.profile.0.get(key).filter(|v| !v.is_null()) {
            profile.insert(key.to_owned(), value.clone());
        }
    }
    json!({"id": user.id, "passwordChanged": user.password_changed.map(iso8601), "profile": profile})
}

/// 429 `E0000047` with the rate-limit headers the Okta SDKs read (one reset value and a `Date`).
fn throttled(state: &AppState, retry_at: Millis) -> Response {
    let mut response = OktaError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "E0000047",
        "API call exceeded rate limit due to too many requests.",
    )
    .into_response();
    let now = state.clock.now_ms();
    let h = response.headers_mut();
    h.insert("x-rate-limit-limit", HeaderValue::from(PER_ACCOUNT_ADDRESS as u64));
    h.insert("x-rate-limit-remaining", HeaderValue::from_static("0"));
    h.insert("x-rate-limit-reset", HeaderValue::from((retry_at + 999).div_euclid(1000)));
    if let Ok(date) = HeaderValue::from_str(&http_date(now)) {
        h.insert(axum::http::header::DATE, date);
    }
    response
}

/// IMF-fixdate (RFC 9110 §5.6.7), e.g. `Sun, 01 Mar 2026 09:30:00 GMT`.
fn http_date(ms: Millis) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000)).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let f = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    t.format(&f).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #[test]
    fn http_date_is_imf_fixdate() {
        assert_eq!(super::http_date(1_772_357_400_000), "Sun, 01 Mar 2026 09:30:00 GMT");
    }
}
