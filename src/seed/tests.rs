//! Unit tests of the pure parts of seeding: parsing (unknown keys are errors), id prefixes,
//! the pre-write check pass, PEM public keys and the matching rule. Seeding a real database
//! is covered by the integration tests.

use super::check::check;
use super::pem::public_jwk_from_pem;
use super::util::{check_id, parse_enum, pick};
use super::{parse, resolve_path};
use crate::domain::ids::Prefix;
use crate::domain::{SigningAlg, UserStatus};
use crate::jose::keys::{self, thumbprint};
use josekit::jwk::alg::ec::{EcCurve, EcKeyPair};
use josekit::jwk::KeyPair;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn err(yaml: &str) -> String {
    let base = root().join("examples");
    match parse(yaml) {
        Err(e) => format!("{e:#}"),
        Ok(seed) => {
            check(&seed, &base).map_or_else(|e| format!("{e:#}"), |()| panic!("expected an error for:\n{yaml}"))
        }
    }
}

#[test]
fn streamward_example_parses_and_checks() {
    let text = std::fs::read_to_string(root().join("examples/streamward.yaml")).unwrap();
    let seed = parse(&text).unwrap();
    check(&seed, &root().join("examples")).unwrap();

    // Every id of xaa.md §9 is in the file, under the entry it names.
    assert_eq!(seed.users[0].id.as_deref(), Some("00u1rsjejbueuQNhB1d7"));
    assert_eq!(seed.apps[0].id.as_deref(), Some("0oarbboyj0J3R67xy1d7"));
    let agents: Vec<_> = seed.agents.iter().map(|a| (a.id.as_deref().unwrap(), a.resource_url.as_deref())).collect();
    assert_eq!(
        agents,
        [("wlps2fwpkzi3raviM1d7", None), ("wlpzantde10QGRrpF1d7", Some("https://streamward.com/corp/knowledge"))]
    );
    let knowledge = &seed.authorization_servers[0];
    assert_eq!(knowledge.id.as_deref(), Some("aus1JGp4q34ckplLYGbL"));
    assert_eq!(knowledge.audiences.as_deref(), Some(&["https://streamward.com/corp/knowledge".to_owned()][..]));
    assert_eq!(knowledge.scopes[0].id.as_deref(), Some("scpfchUB3uyB1JCsWP9e"));
    assert_eq!(knowledge.scopes[0].name, "Corp-Knowledge-Agent:execute");
    assert_eq!(knowledge.policies[0].id.as_deref(), Some("00pN3dnMlMvvC1fvUr8k"));
    assert_eq!(knowledge.policies[0].rules[0].id.as_deref(), Some("0prhSnzGszJ8nYvBsaUR"));
    let aurora = &seed.authorization_servers[1];
    assert_eq!(aurora.id.as_deref(), Some("ausDqjwbmWqxUvljogI0"));
    assert_eq!(aurora.scopes[0].id.as_deref(), Some("scp4mGCrfh0cdRQZhqZi"));
    assert_eq!(aurora.policies[0].id.as_deref(), Some("00p27PMNXRwvu70Qxskf"));
    assert_eq!(aurora.policies[0].rules[0].id.as_deref(), Some("0prEnXGkcR6k4YBjxJZ8"));
    let links: Vec<_> = seed.delegation_links.iter().map(|l| l.id.as_deref().unwrap()).collect();
    assert_eq!(links, ["dlkgUbrsUPuyWHNb3HAW", "dlkBRD5CqpJ3SbnnRQhC"]);
    let conns: Vec<_> =
        seed.connections.iter().map(|c| (c.id.as_deref().unwrap(), c.resource_indicator.as_deref())).collect();
    assert_eq!(
        conns,
        [("mcn779QRUFT7nbQ759nd", Some("https://streamward.com/corp/knowledge")), ("mcnbJBZqg0Y27zDz4R2O", None)]
    );
}

#[test]
fn empty_documents_are_empty_seeds() {
    for text in ["", "\n", "# nothing yet\n", "---\n"] {
        let seed = parse(text).unwrap();
        assert!(seed.users.is_empty() && seed.authorization_servers.is_empty());
    }
}

#[test]
fn unknown_keys_are_errors_at_every_level() {
    let e = err("usres: []\n");
    assert!(e.contains("unknown field `usres`"), "{e}");
    let e = err("users:\n  - profile: {login: a@b.co, email: a@b.co, firstName: A, lastName: B}\n    passwd: x\n");
    assert!(e.contains("unknown field `passwd`"), "{e}");
    let e = err(
        "authorizationServers:\n  - name: X\n    audiences: [api://x]\n    policies:\n      - name: P\n        clients: [ALL_CLIENTS]\n        rules:\n          - name: R\n            grantType: [authorization_code]\n            scopes: ['*']\n",
    );
    assert!(e.contains("unknown field `grantType`"), "{e}");
    assert!(e.contains("authorizationServers[0].policies[0].rules[0]"), "{e}");
}

#[test]
fn ids_must_carry_their_prefix() {
    assert!(check_id("00u1rsjejbueuQNhB1d7", Prefix::User, "users[0]").is_ok());
    let e = check_id("00g1rsjejbueuQNhB1d7", Prefix::User, "users[0]").unwrap_err().to_string();
    assert!(e.starts_with("users[0].id:") && e.contains("\"00u\""), "{e}");
    assert!(check_id("00u1rsjejbueu", Prefix::User, "u").is_err(), "too short");
    assert!(check_id("00u1rsjejbueuQNhB1d-", Prefix::User, "u").is_err(), "not base62");

    let e = err("agents:\n  - id: 0oarbboyj0J3R67xy1d7\n    name: Wrong prefix\n");
    assert!(e.contains("agents[0].id") && e.contains("\"wlp\""), "{e}");
    let e = err("authorizationServers:\n  - id: default2\n");
    assert!(e.contains("authorizationServers[0].id"), "{e}");
    // `default` is the one id without a prefix.
    let seed = parse("authorizationServers:\n  - id: default\n    scopes: [{name: 'extra:read'}]\n").unwrap();
    check(&seed, Path::new(".")).unwrap();
}

#[test]
fn check_errors_name_the_entry() {
    let server = "authorizationServers:\n  - name: A\n    audiences: [api://a]\n  - name: B\n    audiences: [api://b]\n    policies:\n      - name: P\n        clients: [ALL_CLIENTS]\n        rules:\n          - name: R\n            scopes: ['*']\n";
    let e = err(&format!("{server}            grantTypes: [implicit]\n"));
    assert!(e.starts_with("authorizationServers[1].policies[0].rules[0].grantTypes[0]: unknown grant type"), "{e}");
    let e = err(&format!("{server}            grantTypes: [refresh_token]\n"));
    assert!(e.contains("not a rule grant type"), "{e}");
    let e = err(&format!(
        "{server}            grantTypes: [authorization_code]\n            accessTokenLifetimeMinutes: 2\n"
    ));
    assert!(e.starts_with("authorizationServers[1].policies[0].rules[0].accessTokenLifetimeMinutes"), "{e}");

    let e =
        err("users:\n  - status: ACTIVATED\n    profile: {login: a@b.co, email: a@b.co, firstName: A, lastName: B}\n");
    assert!(e.starts_with("users[0].status: unknown value \"ACTIVATED\"") && e.contains("PROVISIONED"), "{e}");
    let e = err("users:\n  - profile: {login: a@b.co, email: a@b.co, firstName: A}\n");
    assert!(e.starts_with("users[0].profile.lastName: required"), "{e}");
    let e = err("apps:\n  - label: No id\n");
    assert!(e.starts_with("apps[0]: give id or clientId"), "{e}");
    let e = err("apps:\n  - clientId: my-client\n    label: L\n    grantTypes: [password]\n");
    assert!(e.starts_with("apps[0].grantTypes[0]"), "{e}");
    let e = err("authorizationServers:\n  - name: A\n    audiences: [api://a, api://b]\n");
    assert!(e.starts_with("authorizationServers[0].audiences: exactly one"), "{e}");
    let e = err("delegationLinks:\n  - {from: a, tokenType: REFRESH_TOKEN, to: b}\n");
    assert!(e.starts_with("delegationLinks[0].tokenType"), "{e}");
    let e = err("apiTokens:\n  - {name: BATON_ADMIN_API_TOKEN, token: x}\n");
    assert!(e.contains("reserved"), "{e}");
}

#[test]
fn apps_list_only_grants_baton_serves() {
    // The Management API refuses `device_code` on an app (baton does not serve it); so does
    // the seed, naming the entry and what an app may list.
    let e = err("apps:\n  - clientId: my-client\n    label: L\n    grantTypes: [authorization_code, urn:ietf:params:oauth:grant-type:device_code]\n");
    assert_eq!(
        e,
        "apps[0].grantTypes[1]: \"urn:ietf:params:oauth:grant-type:device_code\" is not a supported grant type; an app \
               may list authorization_code, refresh_token, client_credentials, \
               urn:ietf:params:oauth:grant-type:token-exchange, urn:ietf:params:oauth:grant-type:jwt-bearer"
    );
}

#[test]
fn duplicates_within_the_file_are_errors() {
    let user = "  - profile: {login: Ann@Example.com, email: ann@example.com, firstName: A, lastName: B}\n";
    let e = err(&format!("users:\n{user}{}", user.replace("Ann@", "ann@")));
    assert_eq!(e, "users[1]: login \"ann@Example.com\" is already used by users[0]");
    let e = err("groups:\n  - {id: 00g1emaKYZTWRYYRRTSK, name: A}\n  - {id: 00g1emaKYZTWRYYRRTSK, name: B}\n");
    assert!(e.starts_with("groups[1]: id 00g1emaKYZTWRYYRRTSK"), "{e}");
}

#[test]
fn key_files_resolve_against_the_seed_directory_then_as_given() {
    let examples = root().join("examples");
    let rel = Path::new("../keys/streamward/orchestrator.pub.pem");
    assert_eq!(resolve_path(&examples, rel), examples.join(rel));
    let missing = Path::new("no/such/file.pem");
    assert_eq!(resolve_path(&examples, missing), missing.to_path_buf());

    let e = err("agents:\n  - name: Agent\n    keys: [{publicKeyFile: ../keys/streamward/orchestrator.pem}]\n");
    assert!(e.contains("agents[0].keys[0].publicKeyFile") && e.contains("private key"), "{e}");
    let e = err("agents:\n  - name: Agent\n    keys: [{jwk: {kty: EC, crv: P-256, x: a, y: b, d: c}}]\n");
    assert!(e.starts_with("agents[0].keys[0].jwk") && e.contains("private"), "{e}");
    let e = err("agents:\n  - name: Agent\n    keys: [{}]\n");
    assert!(e.starts_with("agents[0].keys[0]: give exactly one"), "{e}");
}

#[test]
fn pem_public_keys_match_their_private_halves() {
    // RSA: the demo key pair; its kid (RFC 7638) must be the same from either half.
    let dir = root().join("keys/streamward");
    let public = std::fs::read_to_string(dir.join("orchestrator.pub.pem")).unwrap();
    let private = std::fs::read(dir.join("orchestrator.pem")).unwrap();
    let jwk = public_jwk_from_pem(&public).unwrap();
    assert_eq!(jwk["kty"], "RSA");
    assert_eq!(jwk["e"], "AQAB");
    assert_eq!(thumbprint(&jwk).unwrap(), keys::from_pem(SigningAlg::Rs256, &private).unwrap().kid);

    // EC P-256.
    let pair = EcKeyPair::generate(EcCurve::P256).unwrap();
    let jwk = public_jwk_from_pem(std::str::from_utf8(&pair.to_pem_public_key()).unwrap()).unwrap();
    let expected = keys::from_pem(SigningAlg::Es256, &pair.to_pem_private_key()).unwrap();
    assert_eq!(jwk["crv"], "P-256");
    assert_eq!(thumbprint(&jwk).unwrap(), expected.kid);

    assert!(public_jwk_from_pem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n").is_err());
    assert!(public_jwk_from_pem("not a pem").is_err());
}

#[test]
fn pinned_signing_keys_need_one_active_key() {
    let e = err("orgSigningKeys:\n  - {privateKeyFile: ../keys/streamward/knowledge-as-next.pem, status: NEXT}\n");
    assert!(e.starts_with("orgSigningKeys: one key must be ACTIVE"), "{e}");
    let e = err("orgSigningKeys:\n  - {privateKeyFile: ../keys/streamward/knowledge-as-next.pem, status: EXPIRED}\n");
    assert!(e.starts_with("orgSigningKeys[0].status") && e.contains("ACTIVE, NEXT"), "{e}");
    // The same key may not sign for two servers.
    let e = err("orgSigningKeys:\n  - {privateKeyFile: ../keys/streamward/knowledge-as-active.pem, status: ACTIVE}\nauthorizationServers:\n  - name: A\n    audiences: [api://a]\n    signingKeys:\n      - {privateKeyFile: ../keys/streamward/knowledge-as-active.pem, status: ACTIVE}\n");
    assert!(
        e.starts_with("authorizationServers[0].signingKeys[0]: signing key is already used by orgSigningKeys[0]"),
        "{e}"
    );
}

#[test]
fn enums_parse_with_their_okta_spelling() {
    assert_eq!(parse_enum::<UserStatus>("SUSPENDED", None, "f").unwrap(), UserStatus::Suspended);
    let e = parse_enum::<UserStatus>("ACTIVE", Some(&[UserStatus::Staged]), "f").unwrap_err().to_string();
    assert_eq!(e, "f: unknown value \"ACTIVE\"; expected one of STAGED");
}

#[test]
fn matching_prefers_ids_and_refuses_taken_natural_keys() {
    let m = |id: Option<&str>, by_id: Option<&str>, by_key: Option<&str>| {
        pick("p", id, by_id.map(str::to_owned), by_key.map(str::to_owned), String::as_str, "login \"x\"")
    };
    assert_eq!(m(Some("a"), Some("a"), Some("a")).unwrap().as_deref(), Some("a"));
    assert_eq!(m(None, None, Some("b")).unwrap().as_deref(), Some("b"));
    assert_eq!(m(Some("a"), None, None).unwrap(), None);
    assert_eq!(m(None, None, None).unwrap(), None);
    assert_eq!(m(Some("a"), None, Some("b")).unwrap_err().to_string(), "p: login \"x\" already belongs to b, not to a");
    assert!(m(Some("a"), Some("a"), Some("b")).is_err(), "rename onto a taken key");
}

#[test]
fn bootstrap_keys_are_the_org_and_default_pinned_sets() {
    use crate::domain::SigningKeyStatus::{Active, Next};
    let pinned = super::bootstrap_keys(&root().join("examples/streamward.yaml")).unwrap();
    let statuses =
        |v: &[(keys::KeyMaterial, crate::domain::SigningKeyStatus)]| -> Vec<_> { v.iter().map(|(_, s)| *s).collect() };
    assert_eq!(statuses(&pinned.org), vec![Active, Next]);
    assert_eq!(statuses(&pinned.default_as), vec![Active, Next]);
    assert_ne!(pinned.org[0].0.kid, pinned.default_as[0].0.kid);

    // The same key for the org AS and `default` is refused before anything is written.
    let dir = tempfile::tempdir().unwrap();
    let pem = root().join("keys/streamward/org-as-active.pem");
    let yaml = format!(
        "orgSigningKeys:\n  - {{privateKeyFile: {0}, status: ACTIVE}}\nauthorizationServers:\n  - id: default\n    \
         signingKeys:\n      - {{privateKeyFile: {0}, status: ACTIVE}}\n",
        pem.display()
    );
    let path = dir.path().join("seed.yaml");
    std::fs::write(&path, yaml).unwrap();
    let e = format!("{:#}", super::bootstrap_keys(&path).err().expect("a shared key is an error"));
    assert!(
        e.contains("authorizationServers[0].signingKeys: key ") && e.contains("also pinned in orgSigningKeys"),
        "{e}"
    );
    // Without pins nothing is pinned.
    std::fs::write(&path, "users: []\n").unwrap();
    let none = super::bootstrap_keys(&path).unwrap();
    assert!(none.org.is_empty() && none.default_as.is_empty());
}
