//! The Streamward seed (examples/streamward.yaml) through the real router on both backends:
//! every object of the xaa.md §9 chain exists with its fixed id, pinned keys are published,
//! and applying the seed again changes nothing.

use crate::common;

use common::{Backend, TestServer};
use serde_json::json;
use std::path::PathBuf;

fn streamward() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/streamward.yaml")
}

const KNOWLEDGE: &str = "aus1JGp4q34ckplLYGbL";
const AURORA: &str = "ausDqjwbmWqxUvljogI0";

async fn streamward_chain_is_seeded(backend: Backend) {
    let Some(s) = TestServer::start_with(backend, |c| c.seed = Some(streamward())).await else { return };
    let store = s.state.store.as_ref();
    let user = store.find_user("00u1rsjejbueuQNhB1d7").await.unwrap().expect("demo user");
    assert_eq!(user.profile.login(), "demouser@streamward.com");
    assert!(user.is_active());
    let app = store.find_app("0oarbboyj0J3R67xy1d7").await.unwrap().expect("chat app");
    assert_eq!(app.sub_profile(), "web_app");
    assert!(store.is_user_assigned(&app.id, &user.id).await.unwrap());
    let orchestrator = store.find_agent("wlps2fwpkzi3raviM1d7").await.unwrap().expect("orchestrator");
    assert_eq!(orchestrator.resource_url, None);
    let cka = store.find_agent("wlpzantde10QGRrpF1d7").await.unwrap().expect("corp knowledge agent");
    assert_eq!(cka.resource_url.as_deref(), Some("https://streamward.com/corp/knowledge"));
    for agent in [&orchestrator, &cka] {
        assert_eq!(agent.status, baton::domain::AgentStatus::Active);
        assert_eq!(agent.owners, vec![user.id.clone()]);
        assert_eq!(store.list_client_keys(&agent.id).await.unwrap().len(), 1);
    }
    let link = store.find_delegation_link("dlkgUbrsUPuyWHNb3HAW").await.unwrap().expect("link 1");
    assert_eq!(
        (link.from_client_id.as_str(), link.to_agent_id.as_str()),
        ("0oarbboyj0J3R67xy1d7", "wlps2fwpkzi3raviM1d7")
    );
    assert_eq!(link.token_type, baton::domain::LinkTokenType::AccessToken);
    let link = store.find_delegation_link("dlkBRD5CqpJ3SbnnRQhC").await.unwrap().expect("link 2");
    assert_eq!(
        (link.from_client_id.as_str(), link.to_agent_id.as_str()),
        ("wlps2fwpkzi3raviM1d7", "wlpzantde10QGRrpF1d7")
    );
    let conn = store.find_connection_to("wlps2fwpkzi3raviM1d7", KNOWLEDGE).await.unwrap().expect("connection 1");
    assert_eq!(conn.id, "mcn779QRUFT7nbQ759nd");
    assert_eq!(conn.resource_indicator.as_deref(), Some("https://streamward.com/corp/knowledge"));
    assert_eq!(conn.scopes, vec!["Corp-Knowledge-Agent:execute".to_owned()]);
    let conn = store.find_connection_to("wlpzantde10QGRrpF1d7", AURORA).await.unwrap().expect("connection 2");
    assert_eq!(conn.id, "mcnbJBZqg0Y27zDz4R2O");
    assert_eq!(conn.resource_indicator, None);

    for (server, audience, scope_id, policy_id, rule_id, client) in [
        (
            KNOWLEDGE,
            "https://streamward.com/corp/knowledge",
            "scpfchUB3uyB1JCsWP9e",
            "00pN3dnMlMvvC1fvUr8k",
            "0prhSnzGszJ8nYvBsaUR",
            "wlps2fwpkzi3raviM1d7",
        ),
        (
            AURORA,
            "https://streamward.com/auroradb/mcp",
            "scp4mGCrfh0cdRQZhqZi",
            "00p27PMNXRwvu70Qxskf",
            "0prEnXGkcR6k4YBjxJZ8",
            "wlpzantde10QGRrpF1d7",
        ),
    ] {
        let as_ = store.find_auth_server(server).await.unwrap().expect("server");
        assert_eq!(as_.audiences, vec![audience.to_owned()]);
        assert!(store.find_scope(server, scope_id).await.unwrap().is_some());
        let policy = store.find_policy(server, policy_id).await.unwrap().expect("policy");
        assert_eq!(policy.clients, vec![client.to_owned()]);
        let rule = store.find_rule(policy_id, rule_id).await.unwrap().expect("rule");
        assert_eq!(rule.conditions.grant_types.include, vec![baton::oauth::JWT_BEARER.to_owned()]);
        assert_eq!(rule.conditions.people.groups.include, vec!["EVERYONE".to_owned()]);
        assert_eq!(rule.token.access_token_minutes, 60);

        let issuer = format!("{}/oauth2/{server}", s.base);
        let (status, doc) = s.get_json(&format!("/oauth2/{server}/.well-known/oauth-authorization-server")).await;
        assert_eq!(status, 200);
        assert_eq!(doc["issuer"], json!(issuer));
        let (_, rfc8414) = s.get_json(&format!("/.well-known/oauth-authorization-server/oauth2/{server}")).await;
        assert_eq!(rfc8414, doc);
        // Pinned keys: the JWKS publishes exactly the kids of the PEM files in keys/streamward/.
        let (_, jwks) = s.get_json(&format!("/oauth2/{server}/v1/keys")).await;
        let mut published: Vec<String> =
            jwks["keys"].as_array().unwrap().iter().map(|k| k["kid"].as_str().unwrap().to_owned()).collect();
        let mut stored: Vec<String> =
            store.list_signing_keys(server).await.unwrap().into_iter().map(|k| k.kid).collect();
        published.sort();
        stored.sort();
        assert_eq!(published, stored);
        assert_eq!(published.len(), 2);
    }
}

async fn seed_is_idempotent_and_keeps_keys(backend: Backend) {
    let Some(s) = TestServer::start_with(backend, |c| c.seed = Some(streamward())).await else { return };
    let store = s.state.store.as_ref();
    let kids_before: Vec<String> =
        store.list_signing_keys(KNOWLEDGE).await.unwrap().into_iter().map(|k| k.kid).collect();
    let hash_before = store.find_user("00u1rsjejbueuQNhB1d7").await.unwrap().unwrap().password_hash;
    let report =
        baton::seed::apply_file(store, &s.state.keys, &s.state.org, &streamward(), s.clock.now_ms()).await.unwrap();
    assert_eq!((report.created, report.updated), (0, 0), "a second application changes nothing");
    assert!(report.unchanged > 10);
    let kids_after: Vec<String> =
        store.list_signing_keys(KNOWLEDGE).await.unwrap().into_iter().map(|k| k.kid).collect();
    assert_eq!(kids_before, kids_after);
    assert_eq!(store.find_user("00u1rsjejbueuQNhB1d7").await.unwrap().unwrap().password_hash, hash_before);
    // A seed run logs what it created, as System Log events.
    let q = baton::store::LogQuery {
        event_type: Some("workload_principal.ai_agent.register".into()),
        limit: 10,
        ..Default::default()
    };
    let events = store.list_events(&q).await.unwrap();
    let targets: Vec<&str> = events.iter().flat_map(|(_, e)| e.targets.iter().map(|(id, _)| id.as_str())).collect();
    assert!(targets.contains(&"wlps2fwpkzi3raviM1d7") && targets.contains(&"wlpzantde10QGRrpF1d7"), "{targets:?}");
}

backend_tests!(streamward_chain_is_seeded, seed_is_idempotent_and_keeps_keys);
