//! The `refresh_token` grant (RFC 6749 §6; okta-surface.md §5.2, §7.4). The token must be one
//! of this client's at this AS, in a family that is not revoked, not past its lifetime
//! (counted from the family's first issue) and not idle past its window, for a user who is
//! still ACTIVE. `scope` may only narrow. The family keeps the lifetimes of the rule that
//! issued it; a refresh is never judged by the current policy (§4.5 step 4).
//!
//! Rotation follows the app: `ROTATE` (default) issues a new token in the same family, the
//! previous one staying usable for `leeway` seconds; `STATIC` returns the same token. A token
//! rotated longer ago than the leeway is reuse (RFC 9700 §4.14.2): the whole family and every
//! access token issued from it are revoked, `….token.detect_reuse` is logged, and the answer is
//! `invalid_refresh_token`. New access tokens carry the family id as their grant id.

use super::errors::{invalid_refresh_token, refresh_scopes_denied};
use super::issue::{self, Plan, Subject};
use super::log::{user_target, GrantLog};
use super::registry::GrantDescriptor;
use super::{Grant, TokenRequest};
use crate::domain::grant_type;
use crate::domain::ids::hash_secret;
use crate::domain::{Millis, RefreshFamily, User};
use crate::jose::KeyRing;
use crate::oauth::client::Client;
use crate::oauth::discovery::Kind;
use crate::oauth::error::OAuthError;
use crate::oauth::params::Params;
use crate::policy::parse_scope;
use crate::store::{Issuance, Store};
use axum::response::Response;

pub const GRANT_TYPE: &str = grant_type::REFRESH_TOKEN;

pub const DESCRIPTOR: GrantDescriptor = GrantDescriptor {
    grant_type: GRANT_TYPE,
    name: "refresh_token",
    label: "Refresh token",
    served_by: &[Kind::Org, Kind::Custom],
    elsewhere: None,
    repeatable: &[],
    confidential_only: false,
    from_browser: true,
    in_rules: false,
    agents: false,
    parse: |params| Request::parse(params).map(Grant::RefreshToken),
};

/// Most seconds a rotated token stays usable (okta-surface.md §7.4).
const MAX_LEEWAY_S: i64 = 60;

/// The grant's parameters.
#[derive(Debug)]
pub struct Request {
    refresh_token: String,
    /// `None` keeps the family's scopes.
    scope: Option<Vec<String>>,
}

impl Request {
    pub fn parse(params: &Params) -> Result<Self, OAuthError> {
        Ok(Self {
            refresh_token: params.require("refresh_token")?.to_owned(),
            scope: params.get("scope").map(|s| parse_scope(Some(s))),
        })
    }
}

pub async fn exchange(
    store: &dyn Store,
    keys: &KeyRing,
    req: &TokenRequest<'_>,
    grant: Request,
    log: &mut GrantLog,
) -> Result<Response, OAuthError> {
    let Client::App(app) = req.client else { return Err(invalid_refresh_token()) };
    let leeway_ms = app.refresh_leeway.clamp(0, MAX_LEEWAY_S) * 1000;
    let token_hash = hash_secret(&grant.refresh_token);
    let (family, user, scopes) = check(store, req, &grant, &token_hash, leeway_ms, log).await?;
    let groups = issue::groups_of(store, &user.id).await?;
    let lifetimes = issue::lifetimes(store, req.issuer, family.policy_id.as_deref(), family.rule_id.as_deref()).await?;
    let subject = Subject::User { user: &user, groups: &groups, auth_time_ms: family.auth_time, nonce: None };
    let plan = Plan {
        subject,
        scopes: &scopes,
        access_minutes: lifetimes.access_token_minutes,
        grant_id: Some(&family.id),
        redeemed: None,
    };
    let minted = issue::mint(store, keys, req, &plan).await?;

    let now = req.now_ms;
    let events = issue::success_records(log, &minted, true, req);
    let refresh_token = if app.refresh_rotation == "STATIC" {
        store.touch_refresh_family(&family.id, now).await?;
        store.record_issuance(&Issuance { access_token: Some(&minted.record), ..Issuance::default() }, &events).await?;
        grant.refresh_token
    } else {
        // The rotation, the new access token and the grant events commit together or not at all.
        let (raw, next) = issue::new_refresh_token(&family.id, now);
        let issuance = Issuance { access_token: Some(&minted.record), refresh_token: Some(&next), new_family: None };
        let rotated_after = reuse_window_start(now, leeway_ms);
        if !store.rotate_refresh_token(&token_hash, now, rotated_after, &issuance, &events).await? {
            // Revoked or rotated past the leeway by a concurrent request since we read it.
            let revoked = store.find_refresh_token(&token_hash).await?.is_none_or(|(_, f)| f.revoked.is_some());
            return Err(if revoked { invalid_refresh_token() } else { reuse(store, req, &family, log).await });
        }
        raw
    };
    log.logged = true;
    Ok(issue::response(&minted, &scopes, Some(&refresh_token)))
}

/// The presented token's family, its ACTIVE user and the scopes to grant, or why not.
async fn check(
    store: &dyn Store,
    req: &TokenRequest<'_>,
    grant: &Request,
    token_hash: &str,
    leeway_ms: i64,
    log: &mut GrantLog,
) -> Result<(RefreshFamily, User, Vec<String>), OAuthError> {
    let Some((token, family)) = store.find_refresh_token(token_hash).await? else {
        return Err(invalid_refresh_token());
    };
    if family.auth_server_id != req.issuer.id() || family.client_id != req.client.client_id() {
        return Err(invalid_refresh_token());
    }
    log.session(family.session_id.as_deref());
    log.policy(family.policy_id.as_deref(), family.rule_id.as_deref());
    let user = store.find_user(&family.user_id).await?;
    if let Some(user) = &user {
        log.subject(user_target(user));
    }
    let requested = grant.scope.clone().unwrap_or_else(|| family.scopes.clone());
    log.scopes("requested_scopes", &requested);
    if family.revoked.is_some() {
        return Err(invalid_refresh_token());
    }
    let window = reuse_window_start(req.now_ms, leeway_ms);
    if token.rotated.is_some_and(|rotated| window.is_none_or(|start| rotated < start)) {
        return Err(reuse(store, req, &family, log).await);
    }
    let Some(user) = user.filter(User::is_active) else { return Err(invalid_refresh_token()) };
    if !is_live(&family, req.now_ms) {
        return Err(invalid_refresh_token());
    }
    if requested.is_empty() || requested.iter().any(|s| !family.scopes.contains(s)) {
        return Err(refresh_scopes_denied());
    }
    req.check_browser_scopes(&requested)?;
    log.scopes("granted_scopes", &requested);
    Ok((family, user, requested))
}

/// Since when a rotated token may still be presented (the app's leeway); `None` without a
/// leeway: a rotated token is reuse whenever it comes back, even in the same millisecond, and
/// of concurrent uses only one rotates (comparing with a request's start time would also let
/// through a use that started before the winner's).
fn reuse_window_start(now: Millis, leeway_ms: i64) -> Option<Millis> {
    (leeway_ms > 0).then(|| now - leeway_ms)
}

/// Within its lifetime (from the family's first issue) and its idle window.
fn is_live(family: &RefreshFamily, now: i64) -> bool {
    family.expires.is_none_or(|end| now < end) && now - family.last_used <= family.idle_window_ms
}

/// Reuse of a rotated token: revoke the family (and its access tokens) together with the
/// `detect_reuse` and request failure events.
async fn reuse(store: &dyn Store, req: &TokenRequest<'_>, family: &RefreshFamily, log: &mut GrantLog) -> OAuthError {
    let error = invalid_refresh_token();
    let detect = log
        .event(".detect_reuse", "OAuth2 refresh token reuse detected")
        .debug("error", error.reason)
        .debug("error_description", error.description.clone())
        .failure(error.error)
        .build(req.ctx, req.now_ms);
    let mut records = vec![detect];
    records.extend(log.failure_records(&error, req.ctx, req.now_ms));
    match store.revoke_refresh_family(&family.id, req.now_ms, &records).await {
        Ok(_) => {
            log.logged = true;
            error
        }
        Err(e) => e.into(),
    }
}
