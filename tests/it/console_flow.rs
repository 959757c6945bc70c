//! The admin console's whole story in headless Chromium: an admin signs in, registers an AI agent with a
//! key and a connection and links it from the chat app through the console forms; the agent
//! then runs a real token exchange; the admin finds the grant in the System Log viewer and
//! inspects the ID-JAG, whose act chain the inspector draws. A screenshot of each step lands in
//! `target/screenshots/flow-*.png`. SQLite only: the HTTP suites cover both backends.

use crate::common;
use crate::console;

use common::oauth::{assertion_claims, chat_tokens, path, sign_assertion, ASSERTION_TYPE, CHAT, KNOWLEDGE};
use common::Backend;
use console::browser::Browser;
use console::{ADMIN_LOGIN, ADMIN_PASSWORD};

const KNOWLEDGE_AUD: &str = "https://streamward.com/corp/knowledge";
const EXECUTE: &str = "Corp-Knowledge-Agent:execute";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agent_exchange_log_and_inspector_in_a_browser() {
    let Some(s) = console::seeded_console_server(Backend::Sqlite).await else {
        return;
    };
    let Some(b) = Browser::start(&s.url("")).await else { return };
    b.sign_in(ADMIN_LOGIN, ADMIN_PASSWORD).await;

    // Register the agent for the chat app, with the orchestrator's public key.
    b.goto("/admin/agents/new").await;
    b.fill("#name", "Trip planner").await;
    b.fill("#description", "Plans trips for the signed-in user").await;
    b.select("#app_id", CHAT).await;
    b.click("#agent-submit").await;
    let agent = b.text("#agent-id").await;
    assert!(agent.starts_with("wlp"), "{}", b.body().await);
    assert_eq!(b.text("#agent-status").await, "STAGED");
    let pem =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/keys/streamward/orchestrator.pub.pem")).unwrap();
    b.fill("#key", &pem).await;
    b.click("#key-submit").await;
    b.click("#activate").await;
    assert_eq!(b.text("#agent-status").await, "ACTIVE");

    // Its connection to the Corp Knowledge AS.
    b.select("#auth_server", KNOWLEDGE).await;
    b.fill("#resource_indicator", KNOWLEDGE_AUD).await;
    b.fill("#scopes", EXECUTE).await;
    b.click("#connection-submit").await;
    assert!(b.body().await.contains(KNOWLEDGE_AUD), "{}", b.body().await);
    b.shot("flow-agent").await;

    // A delegation link from the chat app's access tokens to the agent.
    b.goto("/admin/connections").await;
    b.select("#from", &format!("app:{CHAT}")).await;
    b.select("#token_type", "ACCESS_TOKEN").await;
    b.select("#to", &agent).await;
    b.click("#link-submit").await;
    b.shot("flow-links").await;

    // The agent exchanges the user's access token for an ID-JAG (xaa.md §4), over real HTTP.
    let t1 = chat_tokens(&s, "openid profile email").await["access_token"].as_str().unwrap().to_owned();
    let token_path = path(None, "token");
    let assertion =
        sign_assertion("orchestrator", None, &assertion_claims(&agent, &s.url(&token_path), s.clock.now_s()));
    let audience = s.url(&format!("/oauth2/{KNOWLEDGE}"));
    let r = s
        .post_form(
            &token_path,
            &[],
            &[
                ("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange"),
                ("requested_token_type", "urn:ietf:params:oauth:token-type:id-jag"),
                ("subject_token", &t1),
                ("subject_token_type", "urn:ietf:params:oauth:token-type:access_token"),
                ("audience", &audience),
                ("resource", KNOWLEDGE_AUD),
                ("scope", EXECUTE),
                ("client_assertion_type", ASSERTION_TYPE),
                ("client_assertion", &assertion),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let id_jag = r.body["access_token"].as_str().unwrap().to_owned();

    // The grant in the System Log viewer, newest first, filtered by type and actor.
    b.goto("/admin/logs").await;
    b.fill("#type", "app.oauth2.token.grant.id_jag").await;
    b.fill("#actor", &agent).await;
    b.click("#apply-filters").await;
    let events = b.text(".log-events").await;
    assert!(events.contains("app.oauth2.token.grant.id_jag"), "{events}");
    b.click(".log-event summary").await;
    b.shot("flow-log").await;
    b.click(".log-event a.transaction").await;
    assert!(b.body().await.contains("app.oauth2.token.grant.id_jag"));
    b.shot("flow-transaction").await;

    // The ID-JAG in the token inspector: verified by the org AS key, the chain from the user
    // (the human) to the agent.
    b.goto("/admin/inspector").await;
    b.fill("#token", &id_jag).await;
    b.click("#inspect").await;
    let verdict = b.text("#verdict").await;
    assert!(verdict.to_lowercase().contains("verified"), "{verdict}");
    let chain = b.text("#act-chain").await;
    let (user_at, chat_at, agent_at) =
        (chain.find("demouser").or_else(|| chain.find("00u")), chain.find(CHAT), chain.find(&agent));
    assert!(user_at.is_some() && chat_at.is_some() && agent_at.is_some(), "{chain}");
    assert!(user_at < chat_at && chat_at < agent_at, "human first, latest actor last: {chain}");
    assert!(!b.body().await.contains(&id_jag[..40]), "the pasted token is never echoed");
    b.shot("flow-inspector").await;
    b.close().await;
}
