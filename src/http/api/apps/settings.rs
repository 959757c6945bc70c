//! Reading and validating an app body (okta-surface.md §11.3): every `credentials.oauthClient`
//! and `settings.oauthClient` field with its default, each invalid field one cause of a single
//! `E0000001`. The body is read as JSON values, so a wrongly typed field is a cause too, and
//! fields baton does not model (Okta SDKs send many) are ignored.

use super::super::body::Validation;
use crate::domain::app::APPLICATION_TYPES;
use crate::domain::{App, AppStatus, AuthMethod, ConsentMethod, TextEnum};
use crate::http::error::OktaError;
use crate::jose::keys::{public_members, thumbprint};
use crate::oauth::token::registry::app_grant_types;
use serde_json::{Map, Value};

const BLANK: &str = "The field cannot be left blank";

/// A validated body.
pub(super) struct Draft {
    /// The app as it will be stored (id, status and times filled in by the caller).
    pub app: App,
    /// A `client_secret` the caller chose.
    pub client_secret: Option<String>,
    /// `settings.oauthClient.jwks.keys` when given: `(kid, stored public JWK)`.
    pub jwks: Option<Vec<(String, Value)>>,
}

/// True when the method authenticates with a client secret.
pub(super) fn uses_secret(m: AuthMethod) -> bool {
    matches!(m, AuthMethod::ClientSecretBasic | AuthMethod::ClientSecretPost)
}

fn obj<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Map<String, Value>> {
    path.iter().try_fold(v, |cur, k| cur.get(k)).and_then(Value::as_object)
}

/// A present, non-null member.
fn get<'a>(m: Option<&'a Map<String, Value>>, key: &str) -> Option<&'a Value> {
    m.and_then(|m| m.get(key)).filter(|v| !v.is_null())
}

fn string(v: &mut Validation, m: Option<&Map<String, Value>>, key: &str) -> Option<String> {
    let value = get(m, key)?;
    if let Value::String(s) = value {
        Some(s.clone())
    } else {
        v.error(key, "must be a string");
        None
    }
}

fn boolean(v: &mut Validation, m: Option<&Map<String, Value>>, key: &str, default: bool) -> bool {
    match get(m, key) {
        None => default,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            v.error(key, "must be true or false");
            default
        }
    }
}

fn strings(v: &mut Validation, m: Option<&Map<String, Value>>, key: &str) -> Option<Vec<String>> {
    let list = get(m, key)?;
    let out: Option<Vec<String>> =
        list.as_array().and_then(|a| a.iter().map(|s| s.as_str().map(str::to_owned)).collect());
    if out.is_none() {
        v.error(key, "must be an array of strings");
    }
    out
}

/// `client_id` rules: 6–100 characters of ``A-Za-z0-9$-_.+!*'(),``, not `ALL_CLIENTS`.
fn check_client_id(v: &mut Validation, id: &str) {
    let ok_char = |c: char| c.is_ascii_alphanumeric() || "$-_.+!*'(),".contains(c);
    if !(6..=100).contains(&id.len()) || !id.chars().all(ok_char) {
        v.error("client_id", "must be 6 to 100 characters of A-Z a-z 0-9 $ - _ . + ! * ' ( )");
    } else if id == "ALL_CLIENTS" {
        v.error("client_id", "ALL_CLIENTS is reserved");
    }
}

/// Absolute URIs without a fragment.
fn check_uris(v: &mut Validation, key: &str, uris: &[String]) {
    for u in uris {
        match url::Url::parse(u) {
            Ok(url) if url.fragment().is_some() => v.error(key, &format!("'{u}' must not contain a fragment")),
            Ok(url) if url.cannot_be_a_base() && !url.scheme().contains('.') => {
                v.error(key, &format!("'{u}' is not a valid redirect URI"));
            }
            Ok(_) => {}
            Err(_) => v.error(key, &format!("'{u}' is not an absolute URI")),
        }
    }
}

/// A client secret the caller chose: 14–100 visible ASCII characters.
fn check_secret(v: &mut Validation, secret: &str) {
    if !(14..=100).contains(&secret.len()) || !secret.chars().all(|c| c.is_ascii_graphic()) {
        v.error("client_secret", "must be 14 to 100 visible ASCII characters");
    }
}

/// Reads `body` as a create (`existing` = None) or a full replacement of `existing`.
pub(super) fn read(body: &Value, existing: Option<&App>, now: i64) -> Result<Draft, OktaError> {
    let mut v = Validation::default();
    let sets = obj(body, &["settings", "oauthClient"]);
    let label = read_top(&mut v, body.as_object());
    let c = read_credentials(&mut v, obj(body, &["credentials", "oauthClient"]), existing);
    let s = read_settings(&mut v, sets);
    check_combination(&mut v, &c, &s, sets, existing);
    v.finish()?;

    let app = App {
        id: existing.map(|a| a.id.clone()).unwrap_or_default(),
        client_id: c.client_id.or_else(|| existing.map(|a| a.client_id.clone())).unwrap_or_default(),
        label,
        status: existing.map_or(AppStatus::Active, |a| a.status),
        application_type: s.application_type,
        token_endpoint_auth_method: c.method,
        pkce_required: c.pkce_required,
        consent_method: s.consent_method,
        redirect_uris: s.redirect_uris,
        post_logout_redirect_uris: s.post_logout,
        response_types: s.response_types,
        grant_types: s.grant_types,
        refresh_rotation: s.refresh_rotation,
        refresh_leeway: s.refresh_leeway,
        auto_key_rotation: c.auto_key_rotation,
        created: existing.map_or(now, |a| a.created),
        last_updated: now,
    };
    Ok(Draft { app, client_secret: c.client_secret, jwks: s.jwks })
}

/// `name` (`oidc_client`), `signOnMode` (`OPENID_CONNECT`) and the `label`, trimmed.
fn read_top(v: &mut Validation, top: Option<&Map<String, Value>>) -> String {
    match string(v, top, "name") {
        None if get(top, "name").is_some() => {}
        None => v.error("name", BLANK),
        Some(n) if n != "oidc_client" => v.error("name", "only oidc_client is supported"),
        Some(_) => {}
    }
    if string(v, top, "signOnMode").is_some_and(|m| m != "OPENID_CONNECT") {
        v.error("signOnMode", "only OPENID_CONNECT is supported");
    }
    let label = string(v, top, "label").map(|l| l.trim().to_owned());
    match &label {
        None if get(top, "label").is_some() => {}
        None => v.error("label", BLANK),
        Some(l) if l.is_empty() => v.error("label", BLANK),
        Some(l) if l.chars().count() > 100 => v.error("label", "must be at most 100 characters"),
        Some(_) => {}
    }
    label.unwrap_or_default()
}

/// `credentials.oauthClient`, read.
struct Credentials {
    client_id: Option<String>,
    method: AuthMethod,
    pkce_required: bool,
    auto_key_rotation: bool,
    client_secret: Option<String>,
}

fn read_credentials(v: &mut Validation, creds: Option<&Map<String, Value>>, existing: Option<&App>) -> Credentials {
    let client_id = string(v, creds, "client_id");
    match (&client_id, existing) {
        (Some(id), Some(app)) if *id != app.client_id => v.error("client_id", "cannot be changed"),
        (Some(id), None) => check_client_id(v, id),
        _ => {}
    }
    let method = match string(v, creds, "token_endpoint_auth_method") {
        None => AuthMethod::ClientSecretBasic,
        Some(m) => AuthMethod::parse(&m).unwrap_or_else(|| {
            v.error("token_endpoint_auth_method", &format!("'{m}' is not a supported method"));
            AuthMethod::ClientSecretBasic
        }),
    };
    let pkce_required = boolean(v, creds, "pkce_required", true);
    let auto_key_rotation = boolean(v, creds, "autoKeyRotation", true);
    let client_secret = string(v, creds, "client_secret");
    if let Some(s) = &client_secret {
        if uses_secret(method) {
            check_secret(v, s);
        } else {
            v.error("client_secret", &format!("not used by token_endpoint_auth_method {}", method.as_str()));
        }
    }
    Credentials { client_id, method, pkce_required, auto_key_rotation, client_secret }
}

/// `settings.oauthClient`, read.
struct Settings {
    application_type: String,
    redirect_uris: Vec<String>,
    post_logout: Vec<String>,
    response_types: Vec<String>,
    grant_types: Vec<String>,
    consent_method: ConsentMethod,
    refresh_rotation: String,
    refresh_leeway: i64,
    jwks: Option<Vec<(String, Value)>>,
}

fn read_settings(v: &mut Validation, sets: Option<&Map<String, Value>>) -> Settings {
    let application_type = string(v, sets, "application_type").unwrap_or_else(|| "web".into());
    if !APPLICATION_TYPES.iter().any(|(t, _)| *t == application_type) {
        v.error("application_type", "must be one of web, browser, native, service");
    }
    let redirect_uris = strings(v, sets, "redirect_uris").unwrap_or_default();
    check_uris(v, "redirect_uris", &redirect_uris);
    let post_logout = strings(v, sets, "post_logout_redirect_uris").unwrap_or_default();
    check_uris(v, "post_logout_redirect_uris", &post_logout);
    let response_types = strings(v, sets, "response_types").unwrap_or_else(|| vec!["code".into()]);
    for r in &response_types {
        if let Err(e) = crate::domain::app::check_response_type(&application_type, r) {
            v.error("response_types", &e);
        }
    }
    let grant_types = read_grant_types(v, sets);
    let consent_method = match string(v, sets, "consent_method") {
        None => ConsentMethod::Trusted,
        Some(c) => ConsentMethod::parse(&c).unwrap_or_else(|| {
            v.error("consent_method", "must be TRUSTED or REQUIRED");
            ConsentMethod::Trusted
        }),
    };
    if string(v, sets, "issuer_mode").is_some_and(|m| m != "ORG_URL") {
        v.error("issuer_mode", "only ORG_URL is supported");
    }
    let (refresh_rotation, refresh_leeway) = refresh_token(v, sets);
    let jwks = read_jwks(v, sets);
    Settings {
        application_type,
        redirect_uris,
        post_logout,
        response_types,
        grant_types,
        consent_method,
        refresh_rotation,
        refresh_leeway,
        jwks,
    }
}

/// `grant_types`: required, not empty, each one an app may list (the grant registry).
fn read_grant_types(v: &mut Validation, sets: Option<&Map<String, Value>>) -> Vec<String> {
    let grant_types = match (get(sets, "grant_types"), strings(v, sets, "grant_types")) {
        (None, _) => {
            v.error("grant_types", BLANK);
            Vec::new()
        }
        (Some(_), Some(g)) if g.is_empty() => {
            v.error("grant_types", BLANK);
            g
        }
        (Some(_), g) => g.unwrap_or_default(),
    };
    let allowed = app_grant_types();
    for g in grant_types.iter().filter(|g| !allowed.contains(&g.as_str())) {
        v.error("grant_types", &format!("'{g}' is not a supported grant type"));
    }
    grant_types
}

/// The rules on the combination of fields.
fn check_combination(
    v: &mut Validation,
    c: &Credentials,
    s: &Settings,
    sets: Option<&Map<String, Value>>,
    existing: Option<&App>,
) {
    let (method, application_type) = (c.method, s.application_type.as_str());
    let has = |g: &str| s.grant_types.iter().any(|x| x == g);
    if method == AuthMethod::None && application_type == "service" {
        v.error("token_endpoint_auth_method", "service apps cannot use none");
    }
    if application_type == "browser" && method != AuthMethod::None {
        v.error("token_endpoint_auth_method", "browser apps must use none");
    }
    if method == AuthMethod::None && !c.pkce_required {
        v.error("pkce_required", "must be true for token_endpoint_auth_method none");
    }
    if application_type == "service" {
        if !has("client_credentials") {
            v.error("grant_types", "service apps must use client_credentials");
        }
        if has("authorization_code") || has("refresh_token") {
            v.error("grant_types", "service apps cannot use authorization_code or refresh_token");
        }
    }
    if has("client_credentials") && (method == AuthMethod::None || !["web", "service"].contains(&application_type)) {
        v.error("grant_types", "client_credentials needs a web or service app that authenticates");
    }
    if has("authorization_code") && s.redirect_uris.is_empty() {
        v.error("redirect_uris", "at least one redirect URI is required for authorization_code");
    }
    let no_keys = get(sets, "jwks").is_none()
        || get(sets, "jwks").and_then(|j| j.get("keys")).and_then(Value::as_array).is_some_and(Vec::is_empty);
    if method == AuthMethod::PrivateKeyJwt && no_keys && existing.is_none() {
        v.error("jwks", "private_key_jwt requires settings.oauthClient.jwks with at least one key");
    }
}

/// `settings.oauthClient.refresh_token`: `rotation_type` `ROTATE` (default) or `STATIC`,
/// `leeway` 0–60 seconds (default 30).
fn refresh_token(v: &mut Validation, sets: Option<&Map<String, Value>>) -> (String, i64) {
    let Some(rt) = get(sets, "refresh_token") else { return ("ROTATE".into(), 30) };
    let Some(rt) = rt.as_object() else {
        v.error("refresh_token", "must be an object");
        return ("ROTATE".into(), 30);
    };
    let rotation = match rt.get("rotation_type").filter(|x| !x.is_null()) {
        None => "ROTATE".to_owned(),
        Some(Value::String(s)) if s == "ROTATE" || s == "STATIC" => s.clone(),
        Some(_) => {
            v.error("refresh_token.rotation_type", "must be ROTATE or STATIC");
            "ROTATE".to_owned()
        }
    };
    let leeway = match rt.get("leeway").filter(|x| !x.is_null()) {
        None => 30,
        Some(l) => match l.as_i64() {
            Some(n) if (0..=60).contains(&n) => n,
            _ => {
                v.error("refresh_token.leeway", "must be an integer between 0 and 60");
                30
            }
        },
    };
    (rotation, leeway)
}

fn read_jwks(v: &mut Validation, sets: Option<&Map<String, Value>>) -> Option<Vec<(String, Value)>> {
    let jwks = get(sets, "jwks")?;
    let Some(keys) = jwks.get("keys").and_then(Value::as_array) else {
        v.error("jwks", "must be an object with a keys array");
        return None;
    };
    let mut out: Vec<(String, Value)> = Vec::new();
    for (i, k) in keys.iter().enumerate() {
        match public_jwk(k) {
            Ok((kid, _)) if out.iter().any(|(other, _)| *other == kid) => {
                v.error("jwks", &format!("keys[{i}]: duplicate kid '{kid}'"));
            }
            Ok(key) => out.push(key),
            Err((member, message)) => v.error("jwks", &format!("keys[{i}].{member}: {message}")),
        }
    }
    Some(out)
}

/// Checks one uploaded JWK and returns `(kid, stored JWK)`: public members only (any private
/// member is an error), `use` `sig`, `alg` fitting the key (defaulted from it), `kid` as given
/// or the RFC 7638 thumbprint. Errors name the offending member.
pub(super) fn public_jwk(jwk: &Value) -> Result<(String, Value), (&'static str, String)> {
    let Some(map) = jwk.as_object() else { return Err(("jwk", "must be a JSON object".into())) };
    for m in ["d", "p", "q", "dp", "dq", "qi", "oth", "k"] {
        if map.contains_key(m) {
            return Err((m, "private key members are not allowed; upload the public key only".into()));
        }
    }
    let kty = map.get("kty").and_then(Value::as_str).unwrap_or_default();
    if kty != "RSA" && kty != "EC" {
        return Err(("kty", "must be RSA or EC".into()));
    }
    let members = public_members(map).map_err(|e| ("kty", e.to_string()))?;
    let allowed: &[&str] = match (kty, members.get("crv").and_then(Value::as_str)) {
        ("RSA", _) => &["RS256", "RS384", "RS512"],
        (_, Some("P-256")) => &["ES256"],
        (_, Some("P-384")) => &["ES384"],
        (_, Some("P-521")) => &["ES512"],
        _ => return Err(("crv", "must be P-256, P-384 or P-521".into())),
    };
    let alg = match map.get("alg") {
        None | Some(Value::Null) => allowed[0].to_owned(),
        Some(Value::String(a)) if allowed.contains(&a.as_str()) => a.clone(),
        Some(_) => return Err(("alg", format!("must be one of {}", allowed.join(", ")))),
    };
    if map.get("use").is_some_and(|u| !u.is_null() && u != "sig") {
        return Err(("use", "must be sig".into()));
    }
    let kid = match map.get("kid") {
        None | Some(Value::Null) => thumbprint(&members).map_err(|e| ("kty", e.to_string()))?,
        Some(Value::String(k)) if !k.is_empty() && k.len() <= 255 => k.clone(),
        Some(_) => return Err(("kid", "must be a non-empty string".into())),
    };
    crate::jose::keys::jwk_from_value(&Value::Object(members.clone()))
        .map_err(|_| ("kty", "is not a valid public key".to_owned()))?;
    let mut out = Map::new();
    out.insert("kty".into(), kty.into());
    out.insert("alg".into(), alg.into());
    out.insert("kid".into(), kid.clone().into());
    out.insert("use".into(), "sig".into());
    for (k, val) in members {
        if k != "kty" {
            out.insert(k, val);
        }
    }
    Ok((kid, Value::Object(out)))
}
