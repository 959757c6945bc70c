//! Brokered consent of a token exchange (xaa.md §5). A connection with `consentRequired`
//! needs the user's approval (machine subjects are never asked). The exchange is covered by an
//! APPROVED, unrevoked request for the same (user, X, audience AS) whose scopes include all of
//! `granted`. Otherwise the latest unexpired request for exactly these scopes decides: DENIED →
//! `access_denied`, PENDING → the same `consent_required` and `consent_uri`; with none, a new
//! PENDING request is opened, and the exchange's FAILURE event is written in the same store
//! call.

use super::errors;
use super::subject::Subject;
use super::Deps;
use crate::domain::ids::{new_secret, Prefix};
use crate::domain::{AuthServer, ConsentRequest, ConsentRequestStatus, ResourceConnection};
use crate::oauth::client::Client;
use crate::oauth::error::OAuthError;
use crate::oauth::token::log::GrantLog;
use crate::oauth::token::TokenRequest;

/// The path of a request's page: `consent_uri` is `{BATON_ISSUER}{path}`.
#[must_use]
pub fn request_path(id: &str) -> String {
    format!("/consent/requests/{id}")
}

/// The path of the signed-in user's list of approvals.
pub const LIST_PATH: &str = "/consent/requests";

/// What the sign-in form carries (hidden `consent_request`) to come back to the list.
pub const LIST_MARKER: &str = "list";

/// Where a sign-in that carried `value` returns to: the list ([`LIST_MARKER`]) or a request's
/// page (a well-formed id); `None` for anything else, so this is no open redirect.
#[must_use]
pub fn return_path(value: &str) -> Option<String> {
    if value == LIST_MARKER {
        Some(LIST_PATH.to_owned())
    } else {
        well_formed_id(value).then(|| request_path(value))
    }
}

/// A new request id: `ocr` + 43 base64url characters (256 random bits).
#[must_use]
pub fn new_request_id() -> String {
    format!("{}{}", Prefix::ConsentRequest.as_str(), new_secret())
}

/// Whether `id` has the shape of `new_request_id` (anything else is unknown without a lookup).
#[must_use]
pub fn well_formed_id(id: &str) -> bool {
    id.strip_prefix(Prefix::ConsentRequest.as_str()).is_some_and(|rest| {
        rest.len() == 43 && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    })
}

fn same_scopes(a: &[String], b: &[String]) -> bool {
    a.len() == b.len() && a.iter().all(|s| b.contains(s)) && b.iter().all(|s| a.contains(s))
}

/// The parties and scopes of an exchange that may need consent.
pub struct Ask<'a> {
    pub actor: &'a Client,
    pub subject: &'a Subject,
    pub server: &'a AuthServer,
    pub connection: &'a ResourceConnection,
    pub granted: &'a [String],
}

/// `Ok` when no consent is needed or an approval covers the exchange.
pub async fn check(
    deps: Deps<'_>,
    req: &TokenRequest<'_>,
    ask: &Ask<'_>,
    log: &mut GrantLog,
) -> Result<(), OAuthError> {
    let Some(user) = ask.subject.user.as_ref() else { return Ok(()) };
    if !ask.connection.consent_required {
        return Ok(());
    }
    let store = deps.store;
    let x = req.client.client_id();
    let requests = store.list_consent_requests_for(&user.id, x, &ask.server.id).await?;
    let approved: Vec<&ConsentRequest> =
        requests.iter().filter(|r| r.status == ConsentRequestStatus::Approved).collect();
    if let Some(covering) = approved.iter().find(|r| ask.granted.iter().all(|s| r.scopes.contains(s))) {
        log.debug("consent_request_id", covering.id.clone());
        return Ok(());
    }
    let lacking: Vec<String> =
        ask.granted.iter().filter(|s| !approved.iter().any(|r| r.scopes.contains(s))).cloned().collect();
    let lacking = if lacking.is_empty() { ask.granted.to_vec() } else { lacking };
    let now = req.now_ms;
    let open = requests
        .iter()
        .filter(|r| r.expires > now && same_scopes(&r.scopes, ask.granted))
        .filter(|r| matches!(r.status, ConsentRequestStatus::Pending | ConsentRequestStatus::Denied))
        .max_by_key(|r| r.created);
    if let Some(open) = open {
        log.debug("consent_request_id", open.id.clone());
        return Err(match open.status {
            ConsentRequestStatus::Denied => errors::consent_denied(),
            _ => errors::consent_required(&lacking, &consent_uri(req.org_issuer, &open.id)),
        });
    }
    let request = ConsentRequest {
        id: new_request_id(),
        user_id: user.id.clone(),
        client_id: x.to_owned(),
        actor_id: Some(ask.actor.client_id().to_owned()),
        subject_client_id: Some(ask.subject.client.client_id().to_owned()),
        connection_id: ask.connection.id.clone(),
        auth_server_id: ask.server.id.clone(),
        scopes: ask.granted.to_vec(),
        status: ConsentRequestStatus::Pending,
        created: now,
        expires: now + deps.config.consent_request_ttl_ms(),
        decided: None,
        revoked: None,
    };
    log.debug("consent_request_id", request.id.clone());
    let error = errors::consent_required(&lacking, &consent_uri(req.org_issuer, &request.id));
    // The exchange's FAILURE event and the new request are one write.
    let records = log.failure_records(&error, req.ctx, now);
    store.create_consent_request(&request, &records).await?;
    log.logged = true;
    Err(error)
}

fn consent_uri(base: &str, id: &str) -> String {
    format!("{base}{}", request_path(id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_carry_256_random_bits_and_are_recognised() {
        let id = new_request_id();
        assert_eq!(id.len(), 46);
        assert!(well_formed_id(&id));
        assert_ne!(id, new_request_id());
        assert!(!well_formed_id("ocrabc"));
        assert!(!well_formed_id(&format!("00u{}", &id[3..])));
        assert!(!well_formed_id(&format!("{}!", &id[..45])));
    }

    #[test]
    fn scope_sets_compare_without_order() {
        let v = |s: &str| s.split(' ').map(str::to_owned).collect::<Vec<_>>();
        assert!(same_scopes(&v("a b"), &v("b a")));
        assert!(!same_scopes(&v("a b"), &v("a")));
        assert!(!same_scopes(&v("a a"), &v("a b")));
    }
}
