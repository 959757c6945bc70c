//! An AI agent's profile edited in the admin console: the form comes filled in, a
//! save replaces name, description, app, owners and resource URL through the AI-agent API's
//! own function (same validation, same `workload_principal.ai_agent.update` event), and a bad
//! value is refused with the reason and the typed values kept.

use crate::common;
use crate::console;

use common::oauth::{CHAT, LOGIN, ORCHESTRATOR};
use common::Backend;
use console::{seeded_console_server, Client, ADMIN_LOGIN};
use serde_json::json;

backend_tests!(agent_profile_is_edited_in_the_console);

async fn agent_profile_is_edited_in_the_console(backend: Backend) {
    let Some(s) = seeded_console_server(backend).await else { return };
    let mut c = Client::admin(&s).await;
    let edit = format!("/admin/agents/{ORCHESTRATOR}");
    assert!(c.get(&edit).await.expect(200).contains(&format!(r#"href="{edit}/edit""#)));
    let form = c.get(&format!("{edit}/edit")).await;
    let body = form.expect(200);
    assert!(body.contains(&format!(r#"action="{edit}""#)), "{body}");
    assert!(body.contains(r#"value="Orchestrator""#));
    assert!(body.contains(&format!(r#"<option value="{CHAT}" selected>"#)), "the app is preselected");
    assert!(body.contains(&format!(">{LOGIN}</textarea>")), "owners by login");

    // Too short a name and an unknown owner: one 400 naming both, the typed values kept.
    let bad = c.post(&edit, &[("name", "ab"), ("owners", "nobody@example.com"), ("description", "kept")]).await;
    let text = bad.expect(400);
    assert!(text.contains("profile.name: must be at least 3 characters long"), "{text}");
    assert!(text.contains("user nobody@example.com does not exist"), "{text}");
    assert!(text.contains(">kept</textarea>"));
    assert_eq!(s.state.store.find_agent(ORCHESTRATOR).await.unwrap().unwrap().name, "Orchestrator");

    let saved = c
        .post(
            &edit,
            &[
                ("name", "Orchestrator v2"),
                ("description", "Plans trips"),
                ("app_id", CHAT),
                ("owners", &format!("{LOGIN}\n{ADMIN_LOGIN}")),
                ("resource_url", "https://streamward.com/orchestrator"),
            ],
        )
        .await;
    assert_eq!((saved.status, saved.location()), (303, edit.as_str()), "{}", saved.body);
    let agent = s.state.store.find_agent(ORCHESTRATOR).await.unwrap().unwrap();
    assert_eq!(
        (agent.name.as_str(), agent.description.as_deref(), agent.resource_url.as_deref()),
        ("Orchestrator v2", Some("Plans trips"), Some("https://streamward.com/orchestrator"))
    );
    assert_eq!(agent.owners.len(), 2);
    let api = s.api_get(&format!("/workload-principals/api/v1/ai-agents/{ORCHESTRATOR}")).await.expect(200);
    assert_eq!(api["profile"]["name"], "Orchestrator v2");
    let events = s.events_of_type("workload_principal.ai_agent.update").await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["actor"]["alternateId"], ADMIN_LOGIN);
    assert_eq!(events[0]["target"][0]["id"], json!(ORCHESTRATOR));

    // A field left empty is cleared, as a PUT clears it.
    let cleared = c.post(&edit, &[("name", "Orchestrator v2"), ("owners", LOGIN)]).await;
    assert_eq!(cleared.status, 303, "{}", cleared.body);
    let agent = s.state.store.find_agent(ORCHESTRATOR).await.unwrap().unwrap();
    assert_eq!((agent.description, agent.app_id, agent.resource_url), (None, None, None));

    assert_eq!(c.get("/admin/agents/wlpNoSuchAgent000000/edit").await.status, 404);
    assert_eq!(c.post("/admin/agents/wlpNoSuchAgent000000", &[("name", "Nobody")]).await.status, 404);
}
