//! Claims edited, and access policies and rules deactivated and reactivated, in the admin
//! console: each change shows in what the `default` authorization server issues
//! next, and is logged exactly as the Management API logs it.

use crate::common;
use crate::console;

use baton::domain::Status;
use common::oauth::{chat_tokens, decode, pkce, CHAT, CHAT_REDIRECT, LOGIN};
use common::Backend;
use console::{seeded_console_server, Client};
use serde_json::json;
use std::collections::BTreeMap;

backend_tests!(claim_edits_reach_the_next_token, deactivated_policy_or_rule_grants_nothing);

const SERVER: &str = "/admin/auth-servers/default";

/// What `/authorize` at `default` answers the chat app for the signed-in admin (`prompt=none`):
/// `"code"`, or the OAuth error it redirects with.
async fn authorize(c: &mut Client<'_>) -> String {
    let (_, challenge) = pkce();
    let query = [
        ("client_id", CHAT),
        ("response_type", "code"),
        ("scope", "openid profile"),
        ("redirect_uri", CHAT_REDIRECT),
        ("state", "st"),
        ("code_challenge", &challenge),
        ("code_challenge_method", "S256"),
        ("prompt", "none"),
    ];
    let url = reqwest::Url::parse_with_params("http://baton/oauth2/default/v1/authorize", query).unwrap();
    let r = c.get(&format!("{}?{}", url.path(), url.query().unwrap())).await;
    assert_eq!(r.status, 302, "{}", r.body);
    let location = reqwest::Url::parse(r.location()).unwrap();
    let params: BTreeMap<String, String> = location.query_pairs().into_owned().collect();
    if params.contains_key("code") {
        "code".into()
    } else {
        params.get("error").cloned().unwrap_or_default()
    }
}

async fn claim_edits_reach_the_next_token(backend: Backend) {
    let Some(s) = seeded_console_server(backend).await else { return };
    let mut c = Client::admin(&s).await;
    let added = c
        .post(&format!("{SERVER}/claims"), &[("name", "team"), ("claim_type", "RESOURCE"), ("value", "\"blue\"")])
        .await;
    assert_eq!((added.status, added.location()), (303, SERVER), "{}", added.body);
    let claim = s.state.store.list_claims("default").await.unwrap().into_iter().find(|x| x.name == "team").unwrap();
    let token = chat_tokens(&s, "openid email").await;
    assert_eq!(decode(token["access_token"].as_str().unwrap()).1["team"], "blue");

    // Edited: a profile attribute, only when `email` is granted.
    let edit = format!("{SERVER}/claims/{}", claim.id);
    let page = c.get(SERVER).await;
    assert!(page.expect(200).contains(&format!(r#"action="{edit}""#)), "the claim has an edit form");
    let saved = c
        .post(&edit, &[("name", "team"), ("claim_type", "RESOURCE"), ("value", "user.email"), ("scopes", "email")])
        .await;
    assert_eq!((saved.status, saved.location()), (303, SERVER), "{}", saved.body);
    let stored = s.state.store.list_claims("default").await.unwrap().into_iter().find(|x| x.id == claim.id).unwrap();
    assert_eq!((stored.value.as_str(), stored.scopes.as_slice()), ("user.email", ["email".to_owned()].as_slice()));
    let updated = s.events_of_type("oauth2.claim.updated").await;
    assert_eq!(updated.len(), 1);
    assert_eq!(updated[0]["actor"]["alternateId"], console::ADMIN_LOGIN);
    assert_eq!(updated[0]["target"][0]["id"], json!(claim.id));
    let with_email = chat_tokens(&s, "openid email").await;
    assert_eq!(decode(with_email["access_token"].as_str().unwrap()).1["team"], LOGIN);
    let without = chat_tokens(&s, "openid profile").await;
    assert!(decode(without["access_token"].as_str().unwrap()).1.get("team").is_none());

    // A reserved name is refused with the reason; nothing changes.
    let bad = c.post(&edit, &[("name", "sub"), ("claim_type", "RESOURCE"), ("value", "user.email")]).await;
    assert!(bad.expect(400).contains("reserved"), "{}", bad.body);
    let after = s.state.store.list_claims("default").await.unwrap().into_iter().find(|x| x.id == claim.id).unwrap();
    assert_eq!(after.name, "team");
    assert_eq!(s.events_of_type("oauth2.claim.updated").await.len(), 1);
    let missing =
        c.post(&format!("{SERVER}/claims/oclNoSuchClaim000000"), &[("name", "x"), ("value", "user.email")]).await;
    assert_eq!(missing.status, 404, "{}", missing.body);
}

async fn deactivated_policy_or_rule_grants_nothing(backend: Backend) {
    let Some(s) = seeded_console_server(backend).await else { return };
    let mut c = Client::admin(&s).await;
    let policy = s.state.store.list_policies("default").await.unwrap().remove(0);
    let rule = s.state.store.list_rules(&policy.id).await.unwrap().remove(0);
    let policy_path = format!("{SERVER}/policies/{}", policy.id);
    let rule_path = format!("{policy_path}/rules/{}", rule.id);
    assert_eq!(authorize(&mut c).await, "code");
    let page = c.get(SERVER).await;
    assert!(page.expect(200).contains(&format!(r#"action="{rule_path}/lifecycle/deactivate""#)));
    assert!(page.body.contains(&format!(r#"action="{policy_path}/lifecycle/deactivate""#)));

    // The only rule deactivated: the policy grants nothing.
    let r = c.post(&format!("{rule_path}/lifecycle/deactivate"), &[]).await;
    assert_eq!((r.status, r.location()), (303, SERVER), "{}", r.body);
    let stored = s.state.store.find_rule(&policy.id, &rule.id).await.unwrap().unwrap();
    assert_eq!(stored.status, Status::Inactive);
    assert_eq!(authorize(&mut c).await, "access_denied");
    assert!(c.get(SERVER).await.body.contains(&format!(r#"action="{rule_path}/lifecycle/activate""#)));
    c.post(&format!("{rule_path}/lifecycle/activate"), &[]).await;
    assert_eq!(authorize(&mut c).await, "code");
    for (event, n) in [("policy.rule.deactivate", 1), ("policy.rule.activate", 1)] {
        let events = s.events_of_type(event).await;
        assert_eq!(events.len(), n, "{event}");
        assert_eq!(events[0]["target"][0]["id"], json!(rule.id), "{event}");
        assert_eq!(events[0]["actor"]["alternateId"], console::ADMIN_LOGIN, "{event}");
    }

    // The policy deactivated: no policy admits the chat app.
    let r = c.post(&format!("{policy_path}/lifecycle/deactivate"), &[]).await;
    assert_eq!((r.status, r.location()), (303, SERVER), "{}", r.body);
    assert_eq!(s.state.store.find_policy("default", &policy.id).await.unwrap().unwrap().status, Status::Inactive);
    assert_eq!(authorize(&mut c).await, "access_denied");
    c.post(&format!("{policy_path}/lifecycle/activate"), &[]).await;
    assert_eq!(authorize(&mut c).await, "code");
    assert_eq!(s.events_of_type("policy.lifecycle.deactivate").await.len(), 1);
    assert_eq!(s.events_of_type("policy.lifecycle.activate").await.len(), 1);

    // Repeating a state is a no-op (no event); an unknown action or rule is a 404 page.
    c.post(&format!("{policy_path}/lifecycle/activate"), &[]).await;
    assert_eq!(s.events_of_type("policy.lifecycle.activate").await.len(), 1);
    assert_eq!(c.post(&format!("{policy_path}/lifecycle/explode"), &[]).await.status, 404);
    assert_eq!(c.post(&format!("{policy_path}/rules/0prNoSuchRule0000000/lifecycle/activate"), &[]).await.status, 404);
}
