//! `AuthServerStore`: servers (created with their scopes and keys in one transaction, deleted
//! with everything they own), scopes, claims and trusted issuers.

use crate::fixtures::{
    assert_conflict, auth_server, claim, connection, ev, logged, not_logged, open, policy, rule, scope, signing_key,
    sorted, trusted_issuer, NOW,
};
use crate::Backend;
use baton::bootstrap::system_scopes;
use baton::domain::{AuthServer, ClaimType, ClaimValueType, ConsentType, Scope, SigningAlg, SigningKeyStatus, Status};
use baton::store::Page;
use std::slice::from_ref;

crate::backend_tests!(
    server_round_trip_and_pages,
    create_server_is_atomic,
    delete_server_cascades,
    scopes,
    claims,
    trusted_issuers
);

fn by_id(mut scopes: Vec<Scope>) -> Vec<Scope> {
    scopes.sort_by(|a, b| a.id.cmp(&b.id));
    scopes
}

async fn server_round_trip_and_pages(backend: Backend) {
    let Some((_db, store)) = open(backend).await else { return };
    let mcp = auth_server("mcp");
    let scopes = system_scopes(&mcp.id, NOW);
    let keys =
        [signing_key(&mcp.id, SigningKeyStatus::Active, NOW), signing_key(&mcp.id, SigningKeyStatus::Next, NOW + 1)];
    let created = ev("oauth2.as.created", &mcp.id);
    store.create_auth_server(&mcp, &scopes, &keys, from_ref(&created)).await.unwrap();
    assert_eq!(store.find_auth_server(&mcp.id).await.unwrap(), Some(mcp.clone()));
    assert_eq!(store.find_auth_server("ausabsent").await.unwrap(), None);
    // Scopes created together are listed in creation order, ties by id.
    assert_eq!(store.list_scopes(&mcp.id).await.unwrap(), by_id(scopes));
    assert_eq!(store.list_signing_keys(&mcp.id).await.unwrap(), vec![keys[1].clone(), keys[0].clone()]);

    let mut changed = mcp.clone();
    changed.name = "mcp-prod".into();
    changed.description = None;
    changed.audiences = vec!["https://mcp.example.com".into()];
    changed.resources = vec![];
    changed.issuer_mode = "CUSTOM_URL".into();
    changed.status = Status::Inactive;
    changed.signing_alg = SigningAlg::Es256;
    changed.rotation_mode = "MANUAL".into();
    changed.last_updated = NOW + 1;
    let updated = ev("oauth2.as.updated", &mcp.id);
    store.update_auth_server(&changed, from_ref(&updated)).await.unwrap();
    assert_eq!(store.find_auth_server(&mcp.id).await.unwrap(), Some(changed.clone()));

    let others = [auth_server("crm"), auth_server("docs")];
    for s in &others {
        store.create_auth_server(s, &[], &[], &[]).await.unwrap();
    }
    let expected = sorted(vec![mcp.id.clone(), others[0].id.clone(), others[1].id.clone()]);
    let ids = |list: Vec<AuthServer>| list.into_iter().map(|s| s.id).collect::<Vec<_>>();
    let first = ids(store.list_auth_servers(&Page::first(2)).await.unwrap());
    assert_eq!(first, expected[..2]);
    let rest = ids(store.list_auth_servers(&Page { after: Some(first[1].clone()), limit: 2 }).await.unwrap());
    assert_eq!(rest, expected[2..]);
    logged(&store, &[created, updated]).await;
}

async fn create_server_is_atomic(backend: Backend) {
    let Some((_db, store)) = open(backend).await else { return };
    let broken = auth_server("broken");
    let scopes = [scope(&broken.id, "read", NOW), scope(&broken.id, "read", NOW)];
    let key = signing_key(&broken.id, SigningKeyStatus::Active, NOW);
    let e = ev("oauth2.as.created", &broken.id);
    assert_conflict(store.create_auth_server(&broken, &scopes, from_ref(&key), from_ref(&e)).await, "name");
    assert_eq!(store.find_auth_server(&broken.id).await.unwrap(), None);
    assert!(store.list_scopes(&broken.id).await.unwrap().is_empty());
    assert_eq!(store.find_signing_key(&key.kid).await.unwrap(), None);
    not_logged(&store, &e).await;
}

async fn delete_server_cascades(backend: Backend) {
    let Some((_db, store)) = open(backend).await else { return };
    let gone = auth_server("gone");
    let keep = auth_server("keep");
    let gone_key = signing_key(&gone.id, SigningKeyStatus::Active, NOW);
    let keep_key = signing_key(&keep.id, SigningKeyStatus::Active, NOW);
    store.create_auth_server(&gone, &system_scopes(&gone.id, NOW), from_ref(&gone_key), &[]).await.unwrap();
    store.create_auth_server(&keep, &system_scopes(&keep.id, NOW), from_ref(&keep_key), &[]).await.unwrap();
    let c = claim(&gone.id, "email", NOW);
    store.create_claim(&c, &[]).await.unwrap();
    let p = policy(&gone.id, "Default", 1);
    store.create_policy(&p, &[]).await.unwrap();
    let r = rule(&p, "Default rule", 1);
    store.create_rule(&r, &[]).await.unwrap();
    store.create_trusted_issuer(&trusted_issuer(&gone.id, "https://idp.test", NOW), &[]).await.unwrap();
    let conn = connection("wlpagent", &gone.id, NOW);
    let kept_conn = connection("wlpagent", &keep.id, NOW);
    store.create_connection(&conn, &[]).await.unwrap();
    store.create_connection(&kept_conn, &[]).await.unwrap();

    let deleted = ev("oauth2.as.deleted", &gone.id);
    assert!(store.delete_auth_server(&gone.id, from_ref(&deleted)).await.unwrap());
    assert_eq!(store.find_auth_server(&gone.id).await.unwrap(), None);
    assert!(store.list_scopes(&gone.id).await.unwrap().is_empty());
    assert!(store.list_claims(&gone.id).await.unwrap().is_empty());
    assert!(store.list_policies(&gone.id).await.unwrap().is_empty());
    assert_eq!(store.find_rule(&p.id, &r.id).await.unwrap(), None);
    assert!(store.list_rules(&p.id).await.unwrap().is_empty());
    assert!(store.list_trusted_issuers(&gone.id).await.unwrap().is_empty());
    assert!(store.list_signing_keys(&gone.id).await.unwrap().is_empty());
    assert_eq!(store.find_signing_key(&gone_key.kid).await.unwrap(), None);
    assert_eq!(store.find_connection(&conn.id).await.unwrap(), None, "connections to it go too");
    assert_eq!(store.list_connections("wlpagent").await.unwrap(), vec![kept_conn]);
    // The other server is untouched.
    assert_eq!(store.list_scopes(&keep.id).await.unwrap().len(), 6);
    assert_eq!(store.list_signing_keys(&keep.id).await.unwrap(), vec![keep_key]);
    assert!(!store.delete_auth_server(&gone.id, &[]).await.unwrap(), "absent server");
    logged(&store, &[deleted]).await;
}

async fn scopes(backend: Backend) {
    let Some((_db, store)) = open(backend).await else { return };
    let mcp = auth_server("mcp");
    let crm = auth_server("crm");
    store.create_auth_server(&mcp, &[], &[], &[]).await.unwrap();
    store.create_auth_server(&crm, &[], &[], &[]).await.unwrap();

    let write = scope(&mcp.id, "mcp:write", NOW + 1);
    let read = scope(&mcp.id, "mcp:read", NOW);
    let created = ev("oauth2.scope.created", &write.id);
    store.create_scope(&write, from_ref(&created)).await.unwrap();
    store.create_scope(&read, &[]).await.unwrap();
    assert_eq!(store.find_scope(&mcp.id, &write.id).await.unwrap(), Some(write.clone()));
    assert_eq!(store.find_scope(&crm.id, &write.id).await.unwrap(), None, "scoped to its server");
    assert_eq!(store.list_scopes(&mcp.id).await.unwrap(), vec![read.clone(), write.clone()]);

    let dup = scope(&mcp.id, "mcp:read", NOW + 2);
    let rejected = ev("oauth2.scope.created", &dup.id);
    assert_conflict(store.create_scope(&dup, from_ref(&rejected)).await, "name");
    not_logged(&store, &rejected).await;
    // The same name on another server is fine.
    store.create_scope(&scope(&crm.id, "mcp:read", NOW), &[]).await.unwrap();

    let mut changed = write.clone();
    changed.name = "mcp:admin".into();
    changed.description = None;
    changed.display_name = None;
    changed.default = true;
    changed.optional = false;
    changed.consent = ConsentType::Flexible;
    changed.metadata_publish = "NO_CLIENTS".into();
    changed.last_updated = NOW + 3;
    let updated = ev("oauth2.scope.updated", &write.id);
    store.update_scope(&changed, from_ref(&updated)).await.unwrap();
    assert_eq!(store.find_scope(&mcp.id, &write.id).await.unwrap(), Some(changed.clone()));
    let clash = Scope { name: "mcp:read".into(), ..changed.clone() };
    assert_conflict(store.update_scope(&clash, &[]).await, "name");
    assert_eq!(store.find_scope(&mcp.id, &write.id).await.unwrap(), Some(changed.clone()));

    let deleted = ev("oauth2.scope.deleted", &read.id);
    assert!(!store.delete_scope(&crm.id, &read.id, &[]).await.unwrap(), "wrong server");
    assert!(store.delete_scope(&mcp.id, &read.id, from_ref(&deleted)).await.unwrap());
    assert!(!store.delete_scope(&mcp.id, &read.id, &[]).await.unwrap(), "already deleted");
    assert_eq!(store.list_scopes(&mcp.id).await.unwrap(), vec![changed]);
    logged(&store, &[created, updated, deleted]).await;
}

async fn claims(backend: Backend) {
    let Some((_db, store)) = open(backend).await else { return };
    let mcp = auth_server("mcp");
    store.create_auth_server(&mcp, &[], &[], &[]).await.unwrap();
    let groups = claim(&mcp.id, "groups", NOW + 1);
    let email = claim(&mcp.id, "email", NOW);
    let created = ev("oauth2.claim.created", &groups.id);
    store.create_claim(&groups, from_ref(&created)).await.unwrap();
    store.create_claim(&email, &[]).await.unwrap();
    assert_eq!(store.find_claim(&mcp.id, &groups.id).await.unwrap(), Some(groups.clone()));
    assert_eq!(store.find_claim("ausother", &groups.id).await.unwrap(), None);
    assert_eq!(store.list_claims(&mcp.id).await.unwrap(), vec![email.clone(), groups.clone()]);

    let mut changed = groups.clone();
    changed.name = "roles".into();
    changed.status = Status::Inactive;
    changed.claim_type = ClaimType::Identity;
    changed.value_type = ClaimValueType::Groups;
    changed.value = "admins".into();
    changed.group_filter_type = Some("STARTS_WITH".into());
    changed.scopes = vec![];
    changed.always_include_in_token = false;
    changed.last_updated = NOW + 2;
    let updated = ev("oauth2.claim.updated", &groups.id);
    store.update_claim(&changed, from_ref(&updated)).await.unwrap();
    assert_eq!(store.find_claim(&mcp.id, &groups.id).await.unwrap(), Some(changed.clone()));

    let deleted = ev("oauth2.claim.deleted", &email.id);
    assert!(store.delete_claim(&mcp.id, &email.id, from_ref(&deleted)).await.unwrap());
    assert!(!store.delete_claim(&mcp.id, &email.id, &[]).await.unwrap(), "already deleted");
    assert_eq!(store.list_claims(&mcp.id).await.unwrap(), vec![changed]);
    logged(&store, &[created, updated, deleted]).await;
}

async fn trusted_issuers(backend: Backend) {
    let Some((_db, store)) = open(backend).await else { return };
    let mcp = auth_server("mcp");
    store.create_auth_server(&mcp, &[], &[], &[]).await.unwrap();
    let later = trusted_issuer(&mcp.id, "https://idp-b.test", NOW + 1);
    let mut first = trusted_issuer(&mcp.id, "https://idp-a.test", NOW);
    first.jwks = None;
    let created = ev("oauth2.as.trusted_issuer.created", &later.id);
    store.create_trusted_issuer(&later, from_ref(&created)).await.unwrap();
    store.create_trusted_issuer(&first, &[]).await.unwrap();
    assert_eq!(store.list_trusted_issuers(&mcp.id).await.unwrap(), vec![first.clone(), later.clone()]);
    assert!(store.list_trusted_issuers("ausother").await.unwrap().is_empty());

    let deleted = ev("oauth2.as.trusted_issuer.deleted", &first.id);
    assert!(!store.delete_trusted_issuer("ausother", &first.id, &[]).await.unwrap(), "wrong server");
    assert!(store.delete_trusted_issuer(&mcp.id, &first.id, from_ref(&deleted)).await.unwrap());
    assert!(!store.delete_trusted_issuer(&mcp.id, &first.id, &[]).await.unwrap(), "already deleted");
    assert_eq!(store.list_trusted_issuers(&mcp.id).await.unwrap(), vec![later]);
    logged(&store, &[created, deleted]).await;
}
