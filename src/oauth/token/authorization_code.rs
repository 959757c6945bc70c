//! The `authorization_code` grant (RFC 6749 §4.1.3; RFC 7636 §4.6; okta-surface.md §5.2). The
//! code is consumed atomically before anything else, so a code is redeemed at most once across
//! replicas; a second presentation revokes everything the first produced (RFC 6749 §4.1.2,
//! via `revoke_grant` on the code hash, which reaches the refresh family born from it). Then:
//! the code's AS, its client (the client-mismatch row), its `redirect_uri`, PKCE, an ACTIVE
//! user. Issued together in one `record_issuance`: the access token (grant id = code hash),
//! the ID token when `openid` was granted, and a refresh token in a new family when
//! `offline_access` was granted and the app lists the `refresh_token` grant.

use super::errors::{
    client_mismatch, invalid_code, mismatched_redirect_uri, pkce_missing_verifier, pkce_verification_failed,
    pkce_verifier_without_challenge,
};
use super::issue::{self, Plan, Subject};
use super::log::{user_target, GrantLog};
use super::registry::GrantDescriptor;
use super::{Grant, TokenRequest};
use crate::domain::grant_type;
use crate::domain::ids::{hash_secret, new_secret, secrets_equal};
use crate::domain::{AuthorizationCode, RefreshFamily, TokenLifetimes};
use crate::jose::KeyRing;
use crate::oauth::discovery::Kind;
use crate::oauth::error::OAuthError;
use crate::oauth::params::Params;
use crate::store::{CodeUse, Issuance, Store};
use axum::response::Response;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};

pub const GRANT_TYPE: &str = grant_type::AUTHORIZATION_CODE;

pub const DESCRIPTOR: GrantDescriptor = GrantDescriptor {
    grant_type: GRANT_TYPE,
    name: "authorization_code",
    label: "Authorization code",
    served_by: &[Kind::Org, Kind::Custom],
    elsewhere: None,
    repeatable: &[],
    confidential_only: false,
    from_browser: true,
    in_rules: true,
    agents: false,
    parse: |params| Request::parse(params).map(Grant::AuthorizationCode),
};

/// The grant's parameters.
#[derive(Debug)]
pub struct Request {
    code: String,
    redirect_uri: String,
    code_verifier: Option<String>,
}

impl Request {
    /// `code` and `redirect_uri` are required (baton's `/authorize` always binds a redirect
    /// URI to the code); `code_verifier` when PKCE was used.
    pub fn parse(params: &Params) -> Result<Self, OAuthError> {
        Ok(Self {
            code: params.require("code")?.to_owned(),
            redirect_uri: params.require("redirect_uri")?.to_owned(),
            code_verifier: params.get("code_verifier").map(str::to_owned),
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
    let code_hash = hash_secret(&grant.code);
    let code = match store.consume_code(&code_hash, req.now_ms).await? {
        CodeUse::Fresh(code) => code,
        CodeUse::Reused(code) => return Err(reused(store, req, &code, log).await),
        CodeUse::Invalid => return Err(invalid_code()),
    };
    if code.auth_server_id != req.issuer.id() {
        return Err(invalid_code());
    }
    log.session(code.session_id.as_deref());
    log.scopes("requested_scopes", &code.scopes);
    log.policy(code.policy_id.as_deref(), code.rule_id.as_deref());
    if code.client_id != req.client.client_id() {
        return Err(client_mismatch());
    }
    if code.redirect_uri != grant.redirect_uri {
        return Err(mismatched_redirect_uri());
    }
    check_pkce(&code, grant.code_verifier.as_deref())?;
    let user = store.find_user(&code.user_id).await?;
    if let Some(user) = &user {
        log.subject(user_target(user));
    }
    let Some(user) = user.filter(crate::domain::User::is_active) else { return Err(invalid_code()) };
    req.check_browser_scopes(&code.scopes)?;
    log.scopes("granted_scopes", &code.scopes);

    let groups = issue::groups_of(store, &user.id).await?;
    let lifetimes = issue::lifetimes(store, req.issuer, code.policy_id.as_deref(), code.rule_id.as_deref()).await?;
    let subject =
        Subject::User { user: &user, groups: &groups, auth_time_ms: code.auth_time, nonce: code.nonce.as_deref() };
    let plan = Plan {
        subject,
        scopes: &code.scopes,
        access_minutes: lifetimes.access_token_minutes,
        grant_id: Some(&code_hash),
        redeemed: None,
    };
    let minted = issue::mint(store, keys, req, &plan).await?;

    let wants_refresh = code.scopes.iter().any(|s| s == "offline_access")
        && req.client.grant_types().iter().any(|g| g == super::refresh_token::GRANT_TYPE);
    let family = wants_refresh.then(|| new_family(&code, req, lifetimes));
    let refresh = family.as_ref().map(|f| issue::new_refresh_token(&f.id, req.now_ms));
    let events = issue::success_records(log, &minted, refresh.is_some(), req);
    let issuance = Issuance {
        access_token: Some(&minted.record),
        new_family: family.as_ref(),
        refresh_token: refresh.as_ref().map(|(_, stored)| stored),
    };
    store.record_issuance(&issuance, &events).await?;
    log.logged = true;
    Ok(issue::response(&minted, &code.scopes, refresh.as_ref().map(|(raw, _)| raw.as_str())))
}

/// A replayed code: revoke what its first use issued, in the same store call as the failure
/// event (RFC 6749 §4.1.2).
async fn reused(store: &dyn Store, req: &TokenRequest<'_>, code: &AuthorizationCode, log: &mut GrantLog) -> OAuthError {
    let error = invalid_code();
    if let Ok(Some(user)) = store.find_user(&code.user_id).await {
        log.subject(user_target(&user));
    }
    log.debug("code_reused", "true");
    let records = log.failure_records(&error, req.ctx, req.now_ms);
    match store.revoke_grant(&code.code_hash, req.now_ms, &records).await {
        Ok(_) => {
            log.logged = true;
            error
        }
        Err(e) => e.into(),
    }
}

/// PKCE (RFC 7636 §4.6): a stored challenge needs a verifier whose S256 matches; a verifier
/// without a stored challenge is refused.
fn check_pkce(code: &AuthorizationCode, verifier: Option<&str>) -> Result<(), OAuthError> {
    match (code.code_challenge.as_deref(), verifier) {
        (None, None) => Ok(()),
        (Some(_), None) => Err(pkce_missing_verifier()),
        (None, Some(_)) => Err(pkce_verifier_without_challenge()),
        (Some(challenge), Some(verifier)) => {
            // RFC 7636 §4.1: 43–128 characters of the unreserved set.
            let well_formed = (43..=128).contains(&verifier.len())
                && verifier.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
            let s256 = code.code_challenge_method.as_deref().is_none_or(|m| m == "S256");
            let computed = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
            if well_formed && s256 && secrets_equal(&computed, challenge) {
                Ok(())
            } else {
                Err(pkce_verification_failed())
            }
        }
    }
}

/// A new refresh family with the lifetimes of the code's rule (0 = unlimited) and the code
/// hash as its grant, so code reuse reaches it.
fn new_family(code: &AuthorizationCode, req: &TokenRequest<'_>, lifetimes: TokenLifetimes) -> RefreshFamily {
    let now = req.now_ms;
    RefreshFamily {
        id: new_secret(),
        auth_server_id: code.auth_server_id.clone(),
        client_id: code.client_id.clone(),
        user_id: code.user_id.clone(),
        scopes: code.scopes.clone(),
        policy_id: code.policy_id.clone(),
        rule_id: code.rule_id.clone(),
        session_id: code.session_id.clone(),
        grant_id: Some(code.code_hash.clone()),
        auth_time: code.auth_time,
        created: now,
        last_used: now,
        expires: (lifetimes.refresh_token_minutes > 0).then(|| now + lifetimes.refresh_token_minutes * 60_000),
        idle_window_ms: lifetimes.refresh_token_window_minutes * 60_000,
        revoked: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(challenge: Option<&str>) -> AuthorizationCode {
        AuthorizationCode {
            code_hash: "h".into(),
            auth_server_id: "default".into(),
            client_id: "c".into(),
            user_id: "u".into(),
            session_id: None,
            redirect_uri: "https://app/cb".into(),
            scopes: vec![],
            nonce: None,
            code_challenge: challenge.map(str::to_owned),
            code_challenge_method: challenge.map(|_| "S256".to_owned()),
            auth_time: 0,
            policy_id: None,
            rule_id: None,
            created: 0,
            expires: 0,
            consumed: None,
        }
    }

    #[test]
    fn pkce_rows() {
        // RFC 7636 Appendix B.
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let with = code(Some("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"));
        assert!(check_pkce(&with, Some(verifier)).is_ok());
        assert_eq!(check_pkce(&with, None).unwrap_err().reason, "pkce_missing_verifier");
        assert_eq!(
            check_pkce(&with, Some(&verifier.replace('d', "e"))).unwrap_err().reason,
            "pkce_verification_failed"
        );
        assert_eq!(check_pkce(&with, Some("short")).unwrap_err().reason, "pkce_verification_failed");
        let without = code(None);
        assert!(check_pkce(&without, None).is_ok());
        assert_eq!(check_pkce(&without, Some(verifier)).unwrap_err().reason, "pkce_missing_challenge_verifier_present");
    }
}
