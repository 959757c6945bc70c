//! Client authentication for the token, introspection and revocation endpoints
//! (RFC 6749 §2.3; okta-surface.md §5.1; xaa.md §3.1): exactly one credential kind per
//! request, the method registered for the client, secrets compared in constant time against
//! their SHA-256 hashes, assertions checked by `client_assertion`.

use super::client::Client;
use super::client_assertion;
use super::error::OAuthError;
use crate::domain::ids::{hash_secret, secrets_equal};
use crate::domain::{AppStatus, AuthMethod, TextEnum};
use crate::oauth::params::Params;
use crate::store::Store;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;

pub const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

const INVALID: &str = "Client authentication failed. Either the client or the client credentials are invalid.";

/// A client that proved who it is, and how.
#[derive(Debug, Clone)]
pub struct Authenticated {
    pub client: Client,
    pub method: AuthMethod,
}

/// A failed authentication: the error to send, and the client id that was claimed (the
/// System Log names it as the actor even though it failed).
#[derive(Debug, Clone)]
pub struct Failure {
    pub error: OAuthError,
    pub claimed_client_id: Option<String>,
    /// `client_auth_type` for the log: the method attempted, or `invalid`.
    pub attempted: &'static str,
}

/// What the request needs to check assertions against.
pub struct Endpoint<'a> {
    /// The URL of the endpoint that was called (an assertion's `aud` may be this…)
    pub url: &'a str,
    /// …or the issuer of its authorization server.
    pub issuer: &'a str,
    pub now_ms: i64,
}

#[derive(Debug)]
struct Basic {
    id: String,
    secret: Option<String>,
}

/// `Basic base64(urlenc(id):urlenc(secret))`, both halves percent-decoded without turning `+`
/// into a space (xaa.md §3.1); no colon means a public client's bare id.
fn parse_basic(header: Option<&str>) -> Result<Option<Basic>, OAuthError> {
    let Some(value) = header else { return Ok(None) };
    let Some(encoded) = value.strip_prefix("Basic ").or_else(|| value.strip_prefix("basic ")) else { return Ok(None) };
    let bad = || OAuthError::invalid_client("invalid_client", INVALID).with_basic_challenge();
    let decoded = STANDARD.decode(encoded.trim()).map_err(|_| bad())?;
    let text = String::from_utf8(decoded).map_err(|_| bad())?;
    let pct = |s: &str| percent_decode(s).ok_or_else(bad);
    Ok(Some(match text.split_once(':') {
        Some((id, secret)) => Basic { id: pct(id)?, secret: Some(pct(secret)?) },
        None => Basic { id: pct(&text)?, secret: None },
    }))
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The client id a request claims before it is authenticated: the body `client_id`, else the
/// Basic user id, else the `iss` of a client assertion. For the System Log actor of a request
/// that fails before (or during) authentication; never trusted for anything else.
#[must_use]
pub fn claimed_client_id(authorization: Option<&str>, params: &Params) -> Option<String> {
    if let Some(id) = params.get("client_id") {
        return Some(id.to_owned());
    }
    if let Ok(Some(basic)) = parse_basic(authorization) {
        return Some(basic.id);
    }
    let assertion = crate::jose::jwt::peek(params.get("client_assertion")?).ok()?;
    assertion.claims.get("iss").and_then(serde_json::Value::as_str).map(str::to_owned)
}

/// Authenticates the client of a token/introspect/revoke request.
pub async fn authenticate(
    store: &dyn Store,
    authorization: Option<&str>,
    params: &Params,
    endpoint: &Endpoint<'_>,
) -> Result<Authenticated, Failure> {
    let fail = |error: OAuthError, claimed: Option<&str>, attempted: &'static str| Failure {
        error,
        claimed_client_id: claimed.map(str::to_owned),
        attempted,
    };
    let basic = parse_basic(authorization).map_err(|e| fail(e, None, "client_secret_basic"))?;
    let body_id = params.get("client_id");
    let body_secret = params.get("client_secret");
    let assertion = params.get("client_assertion");
    let kinds = usize::from(basic.as_ref().is_some_and(|b| b.secret.is_some()))
        + usize::from(body_secret.is_some())
        + usize::from(assertion.is_some() || params.get("client_assertion_type").is_some());
    if kinds > 1 {
        let e = OAuthError::invalid_request(
            "multiple_client_credentials",
            "Cannot supply multiple client credentials. Use one of the following: credentials in the Authorization header, credentials in the post body, or a client_assertion in the post body.",
        );
        return Err(fail(e, body_id.or(basic.as_ref().map(|b| b.id.as_str())), "invalid"));
    }
    if let Some(b) = &basic {
        if body_id.is_some_and(|id| id != b.id) {
            let e = OAuthError::invalid_client("invalid_client", INVALID).with_basic_challenge();
            return Err(fail(e, Some(&b.id), "client_secret_basic"));
        }
    }
    if assertion.is_some() || params.get("client_assertion_type").is_some() {
        return client_assertion::authenticate(store, params, endpoint).await;
    }
    let (id, secret, method) = match (&basic, body_id, body_secret) {
        (Some(b), _, _) => (
            b.id.as_str(),
            b.secret.as_deref(),
            if b.secret.is_some() { AuthMethod::ClientSecretBasic } else { AuthMethod::None },
        ),
        (None, Some(id), Some(secret)) => (id, Some(secret), AuthMethod::ClientSecretPost),
        (None, Some(id), None) => (id, None, AuthMethod::None),
        (None, None, _) => {
            return Err(fail(
                OAuthError::invalid_client("invalid_client", "No client credentials found"),
                None,
                "invalid",
            ));
        }
    };
    let with_challenge = |e: OAuthError| if basic.is_some() { e.with_basic_challenge() } else { e };
    let attempted = method.as_str();
    let client = match Client::find(store, id).await {
        Ok(Some(c)) if c.is_active() => c,
        Ok(_) => {
            let e = with_challenge(OAuthError::invalid_client(
                "invalid_client_id",
                "Invalid value for 'client_id' parameter.",
            ));
            return Err(fail(e, Some(id), attempted));
        }
        Err(e) => return Err(fail(e.into(), Some(id), attempted)),
    };
    if !accepts(client.auth_method(), method) {
        return Err(fail(with_challenge(OAuthError::invalid_client("invalid_client", INVALID)), Some(id), attempted));
    }
    if let Some(secret) = secret {
        if !secret_matches(store, &client, secret).await.map_err(|e| fail(e, Some(id), attempted))? {
            let e = OAuthError::invalid_client(
                "invalid_client_secret",
                "The client secret supplied for a confidential client is invalid.",
            );
            return Err(fail(with_challenge(e), Some(id), attempted));
        }
    }
    Ok(Authenticated { client, method })
}

/// Whether a client registered with `registered` may authenticate with `used`. An app with a
/// secret may send it either way, Basic header or POST body, as Okta accepts (its console offers
/// one choice, "Client secret", and okta-auth-js, requests-oauthlib and oauth4webapi post it);
/// the method used is what the System Log records. `none` and `private_key_jwt` clients never
/// authenticate with a secret.
fn accepts(registered: AuthMethod, used: AuthMethod) -> bool {
    const SECRET: [AuthMethod; 2] = [AuthMethod::ClientSecretBasic, AuthMethod::ClientSecretPost];
    registered == used || (SECRET.contains(&registered) && SECRET.contains(&used))
}

/// True if `secret` matches one of the app's ACTIVE secrets (constant-time on the hashes).
async fn secret_matches(store: &dyn Store, client: &Client, secret: &str) -> Result<bool, OAuthError> {
    let Client::App(app) = client else { return Ok(false) };
    let presented = hash_secret(secret);
    let secrets = store.list_client_secrets(&app.id).await?;
    // Compare against every secret, so timing does not reveal which one matched.
    let mut ok = false;
    for s in secrets.iter().filter(|s| s.status == AppStatus::Active) {
        ok |= secrets_equal(&s.secret_hash, &presented);
    }
    Ok(ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn either_secret_method_for_an_app_with_a_secret_and_no_secret_for_others() {
        use AuthMethod::{ClientSecretBasic, ClientSecretPost, None as Public, PrivateKeyJwt};
        for (registered, used, ok) in [
            (ClientSecretBasic, ClientSecretPost, true),
            (ClientSecretPost, ClientSecretBasic, true),
            (ClientSecretBasic, ClientSecretBasic, true),
            (Public, ClientSecretPost, false),
            (Public, ClientSecretBasic, false),
            (PrivateKeyJwt, ClientSecretPost, false),
            (PrivateKeyJwt, ClientSecretBasic, false),
            (ClientSecretBasic, Public, false),
            (ClientSecretPost, PrivateKeyJwt, false),
        ] {
            assert_eq!(accepts(registered, used), ok, "{registered:?} with {used:?}");
        }
    }

    #[test]
    fn basic_credentials_are_percent_decoded_without_plus_to_space() {
        let header = format!("Basic {}", STANDARD.encode("my%3Aclient:s%2Bcr+t%25"));
        let b = parse_basic(Some(&header)).unwrap().unwrap();
        assert_eq!(b.id, "my:client");
        assert_eq!(b.secret.as_deref(), Some("s+cr+t%"));
        let public = format!("Basic {}", STANDARD.encode("0oaPublic"));
        let b = parse_basic(Some(&public)).unwrap().unwrap();
        assert_eq!((b.id.as_str(), b.secret), ("0oaPublic", None));
        assert!(parse_basic(Some("Basic !!!")).unwrap_err().basic_challenge);
        assert!(parse_basic(Some("Bearer x")).unwrap().is_none());
    }
}
