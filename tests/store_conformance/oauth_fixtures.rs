//! Builders of authorization-server state (servers, scopes, claims, policies, rules, trusted
//! issuers, signing keys), sessions and per-grant state, re-exported by `fixtures`.

use super::{HOUR, NOW};
use baton::domain::auth_server::{IncludeOnly, People};
use baton::domain::ids::{hash_secret, new_id, new_secret, Prefix};
use baton::domain::{
    AccessTokenRecord, AuthServer, AuthorizationCode, Claim, ClaimType, ConsentGrant, ConsentRequest,
    ConsentRequestStatus, ConsentType, Millis, Policy, PolicyRule, RefreshFamily, RefreshToken, RuleConditions, Scope,
    Session, SessionToken, SigningAlg, SigningKey, SigningKeyStatus, TrustedIssuer,
};
use serde_json::json;

pub fn auth_server(name: &str) -> AuthServer {
    AuthServer {
        description: Some(format!("{name} server")),
        audiences: vec![format!("api://{name}")],
        resources: vec![format!("https://{name}.test/mcp")],
        ..AuthServer::new(new_id(Prefix::AuthServer), name, NOW)
    }
}

pub fn scope(auth_server_id: &str, name: &str, created: Millis) -> Scope {
    Scope {
        description: Some(format!("Allows {name}")),
        display_name: Some(name.to_uppercase()),
        optional: true,
        consent: ConsentType::Required,
        metadata_publish: "ALL_CLIENTS".into(),
        ..Scope::custom(new_id(Prefix::Scope), auth_server_id, name, created)
    }
}

pub fn claim(auth_server_id: &str, name: &str, created: Millis) -> Claim {
    Claim {
        value: "user.email".into(),
        scopes: vec!["email".into()],
        ..Claim::new(new_id(Prefix::Claim), auth_server_id, name, ClaimType::Resource, created)
    }
}

pub fn policy(auth_server_id: &str, name: &str, priority: i64) -> Policy {
    Policy {
        description: Some(format!("{name} policy")),
        clients: vec!["ALL_CLIENTS".into()],
        ..Policy::new(new_id(Prefix::Policy), auth_server_id, name, priority, NOW)
    }
}

pub fn rule(policy: &Policy, name: &str, priority: i64) -> PolicyRule {
    PolicyRule {
        conditions: RuleConditions {
            people: People::everyone(),
            grant_types: IncludeOnly { include: vec!["authorization_code".into()] },
            scopes: IncludeOnly { include: vec!["*".into()] },
        },
        ..PolicyRule::new(new_id(Prefix::Rule), &policy.id, &policy.auth_server_id, name, priority, NOW)
    }
}

pub fn trusted_issuer(auth_server_id: &str, issuer: &str, created: Millis) -> TrustedIssuer {
    TrustedIssuer {
        id: new_id(Prefix::TrustedIssuer),
        auth_server_id: auth_server_id.into(),
        issuer: issuer.into(),
        jwks_uri: Some(format!("{issuer}/keys")),
        jwks: Some(json!({"keys": [{"kty": "EC", "kid": "k1"}]})),
        created,
    }
}

pub fn signing_key(owner_id: &str, status: SigningKeyStatus, created: Millis) -> SigningKey {
    let kid = new_secret();
    SigningKey {
        public_jwk: json!({"kty": "RSA", "kid": kid, "n": "sXch", "e": "AQAB", "alg": "RS256", "use": "sig"}),
        kid,
        owner_id: owner_id.into(),
        alg: SigningAlg::Rs256,
        status,
        private_key_enc: format!("enc.{}", new_secret()),
        created,
        activated: (status == SigningKeyStatus::Active).then_some(created),
        expired: None,
    }
}

pub fn session(user_id: &str) -> Session {
    Session {
        id: new_id(Prefix::Session),
        token_hash: hash_secret(&new_secret()),
        user_id: user_id.into(),
        created: NOW,
        last_seen: NOW,
        expires: NOW + 2 * HOUR,
        auth_time: NOW,
        amr: vec!["pwd".into()],
        ended: None,
    }
}

pub fn session_token(user_id: &str, expires: Millis) -> SessionToken {
    SessionToken { token_hash: hash_secret(&new_secret()), user_id: user_id.into(), created: NOW, expires }
}

pub fn code(user_id: &str, expires: Millis) -> AuthorizationCode {
    AuthorizationCode {
        code_hash: hash_secret(&new_secret()),
        auth_server_id: "default".into(),
        client_id: "0oaclient".into(),
        user_id: user_id.into(),
        session_id: Some(new_id(Prefix::Session)),
        redirect_uri: "https://app.test/cb".into(),
        scopes: vec!["openid".into(), "offline_access".into()],
        nonce: Some("n-0S6_WzA2Mj".into()),
        code_challenge: Some("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM".into()),
        code_challenge_method: Some("S256".into()),
        auth_time: NOW,
        policy_id: Some(new_id(Prefix::Policy)),
        rule_id: Some(new_id(Prefix::Rule)),
        created: NOW,
        expires,
        consumed: None,
    }
}

pub fn family(user_id: &str, grant_id: Option<&str>) -> RefreshFamily {
    RefreshFamily {
        id: new_secret(),
        auth_server_id: "default".into(),
        client_id: "0oaclient".into(),
        user_id: user_id.into(),
        scopes: vec!["openid".into(), "offline_access".into()],
        policy_id: None,
        rule_id: None,
        session_id: None,
        grant_id: grant_id.map(str::to_owned),
        auth_time: NOW,
        created: NOW,
        last_used: NOW,
        expires: None,
        idle_window_ms: 7 * 24 * HOUR,
        revoked: None,
    }
}

pub fn refresh_token(family_id: &str, created: Millis) -> RefreshToken {
    RefreshToken { token_hash: hash_secret(&new_secret()), family_id: family_id.into(), created, rotated: None }
}

pub fn access_token(grant_id: Option<&str>, expires: Millis) -> AccessTokenRecord {
    AccessTokenRecord {
        jti: format!("AT.{}", new_secret()),
        auth_server_id: "default".into(),
        client_id: "0oaclient".into(),
        user_id: Some(new_id(Prefix::User)),
        grant_id: grant_id.map(str::to_owned),
        created: NOW,
        expires,
        revoked: None,
    }
}

pub fn consent_grant(user_id: &str, client_id: &str, auth_server_id: &str, scope_name: &str) -> ConsentGrant {
    ConsentGrant {
        id: new_id(Prefix::ConsentGrant),
        user_id: user_id.into(),
        client_id: client_id.into(),
        auth_server_id: auth_server_id.into(),
        scope_id: new_id(Prefix::Scope),
        scope_name: scope_name.into(),
        source: "END_USER".into(),
        created: NOW,
        last_updated: NOW,
    }
}

pub fn consent_request(user_id: &str, created: Millis, expires: Millis) -> ConsentRequest {
    ConsentRequest {
        id: format!("{}{}", Prefix::ConsentRequest.as_str(), baton::domain::ids::new_secret()),
        user_id: user_id.into(),
        client_id: new_id(Prefix::Agent),
        actor_id: Some(new_id(Prefix::Agent)),
        subject_client_id: Some(new_id(Prefix::App)),
        connection_id: new_id(Prefix::Connection),
        auth_server_id: new_id(Prefix::AuthServer),
        scopes: vec!["read".into()],
        status: ConsentRequestStatus::Pending,
        created,
        expires,
        decided: None,
        revoked: None,
    }
}
