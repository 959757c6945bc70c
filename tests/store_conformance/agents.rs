//! `AgentStore`: agents with the operations that record their changes, resource connections
//! (one per owner and AS) and delegation links.

use crate::fixtures::{
    agent, app, assert_conflict, auth_server, client_key, connection, ev, link, logged, not_logged, open, operation,
    sorted, NOW,
};
use crate::Backend;
use baton::domain::{Agent, AgentStatus, ConnectionStatus, DelegationLink, LinkTokenType};
use baton::store::{DynStore, Page};
use std::slice::from_ref;

crate::backend_tests!(agent_round_trip_and_operations, delete_agent_cascades, connections, delegation_links);

fn agent_ids(agents: &[Agent]) -> Vec<String> {
    agents.iter().map(|a| a.id.clone()).collect()
}

fn link_ids(links: &[DelegationLink]) -> Vec<String> {
    links.iter().map(|l| l.id.clone()).collect()
}

async fn new_server(store: &DynStore, name: &str) -> String {
    let server = auth_server(name);
    store.create_auth_server(&server, &[], &[], &[]).await.unwrap();
    server.id
}

async fn agent_round_trip_and_operations(backend: Backend) {
    let Some((_db, store)) = open(backend).await else { return };
    let chat = app("0oachat");
    store.create_app(&chat, &[], &[]).await.unwrap();
    let bot = Agent { app_id: Some(chat.id.clone()), ..agent("bot") };
    let register = operation("ai-agent:Register", &bot.id);
    let created = ev("ai_agent.lifecycle.create", &bot.id);
    store.create_agent(&bot, &register, from_ref(&created)).await.unwrap();
    assert_eq!(store.find_agent(&bot.id).await.unwrap(), Some(bot.clone()));
    assert_eq!(store.find_operation(&register.id).await.unwrap(), Some(register));
    assert_eq!(store.find_agent("wlpabsent").await.unwrap(), None);
    assert_eq!(store.find_operation("op-absent").await.unwrap(), None);

    let mut changed = bot.clone();
    changed.status = AgentStatus::Inactive;
    changed.app_id = None;
    changed.name = "bot v2".into();
    changed.description = None;
    changed.resource_url = None;
    changed.owners = vec!["00uone".into(), "00utwo".into()];
    changed.last_updated = NOW + 1;
    let patch = operation("ai-agent:Patch", &bot.id);
    let updated = ev("ai_agent.lifecycle.update", &bot.id);
    store.update_agent(&changed, &patch, from_ref(&updated)).await.unwrap();
    assert_eq!(store.find_agent(&bot.id).await.unwrap(), Some(changed.clone()));
    assert_eq!(store.find_operation(&patch.id).await.unwrap(), Some(patch));

    let more = [agent("helper"), agent("critic")];
    for a in &more {
        store.create_agent(a, &operation("ai-agent:Register", &a.id), &[]).await.unwrap();
    }
    let expected = sorted(vec![bot.id.clone(), more[0].id.clone(), more[1].id.clone()]);
    let first = store.list_agents(&Page::first(2)).await.unwrap();
    assert_eq!(agent_ids(&first), expected[..2]);
    let rest = store.list_agents(&Page { after: Some(first[1].id.clone()), limit: 2 }).await.unwrap();
    assert_eq!(agent_ids(&rest), expected[2..]);
    assert!(store.list_agents(&Page { after: Some(expected[2].clone()), limit: 2 }).await.unwrap().is_empty());
    logged(&store, &[created, updated]).await;
}

async fn delete_agent_cascades(backend: Backend) {
    let Some((_db, store)) = open(backend).await else { return };
    let server = new_server(&store, "mcp").await;
    let bot = agent("bot");
    let peer = agent("peer");
    for a in [&bot, &peer] {
        store.create_agent(a, &operation("ai-agent:Register", &a.id), &[]).await.unwrap();
    }
    store.create_client_key(&client_key(&bot.id, "k1", NOW), &[]).await.unwrap();
    store.create_client_key(&client_key(&peer.id, "k1", NOW), &[]).await.unwrap();
    let conn = connection(&bot.id, &server, NOW);
    let peer_conn = connection(&peer.id, &server, NOW);
    store.create_connection(&conn, &[]).await.unwrap();
    store.create_connection(&peer_conn, &[]).await.unwrap();
    let to_bot = link("0oachat", LinkTokenType::IdToken, &bot.id);
    let from_bot = link(&bot.id, LinkTokenType::AccessToken, &peer.id);
    let unrelated = link("0oachat", LinkTokenType::IdToken, &peer.id);
    for l in [&to_bot, &from_bot, &unrelated] {
        store.create_delegation_link(l, &[]).await.unwrap();
    }

    let delete = operation("ai-agent:Delete", &bot.id);
    let deleted = ev("ai_agent.lifecycle.delete", &bot.id);
    assert!(store.delete_agent(&bot.id, &delete, from_ref(&deleted)).await.unwrap());
    assert_eq!(store.find_agent(&bot.id).await.unwrap(), None);
    assert_eq!(store.find_operation(&delete.id).await.unwrap(), Some(delete), "the deletion is an operation too");
    assert!(store.list_client_keys(&bot.id).await.unwrap().is_empty());
    assert_eq!(store.find_connection(&conn.id).await.unwrap(), None);
    assert!(store.list_connections(&bot.id).await.unwrap().is_empty());
    assert_eq!(store.find_delegation_link(&to_bot.id).await.unwrap(), None);
    assert_eq!(store.find_delegation_link(&from_bot.id).await.unwrap(), None);
    // The peer keeps its own key, connection and incoming link.
    assert_eq!(store.list_client_keys(&peer.id).await.unwrap().len(), 1);
    assert_eq!(store.find_connection(&peer_conn.id).await.unwrap(), Some(peer_conn));
    assert_eq!(store.list_delegation_links(&Page::first(10)).await.unwrap(), vec![unrelated]);

    assert!(!store.delete_agent(&bot.id, &operation("ai-agent:Delete", &bot.id), &[]).await.unwrap(), "absent");
    logged(&store, &[deleted]).await;
}

async fn connections(backend: Backend) {
    let Some((_db, store)) = open(backend).await else { return };
    let mcp = new_server(&store, "mcp").await;
    let crm = new_server(&store, "crm").await;
    let bot = agent("bot");
    store.create_agent(&bot, &operation("ai-agent:Register", &bot.id), &[]).await.unwrap();

    let to_crm = connection(&bot.id, &crm, NOW + 1);
    let to_mcp = connection(&bot.id, &mcp, NOW);
    let created = ev("ai_agent.connection.create", &to_crm.id);
    store.create_connection(&to_crm, from_ref(&created)).await.unwrap();
    store.create_connection(&to_mcp, &[]).await.unwrap();
    assert_eq!(store.find_connection(&to_crm.id).await.unwrap(), Some(to_crm.clone()));
    assert_eq!(store.find_connection_to(&bot.id, &mcp).await.unwrap(), Some(to_mcp.clone()));
    assert_eq!(store.find_connection("mcnabsent").await.unwrap(), None);
    assert_eq!(store.find_connection_to("wlpnobody", &mcp).await.unwrap(), None);
    assert_eq!(store.list_connections(&bot.id).await.unwrap(), vec![to_mcp.clone(), to_crm.clone()]);
    assert!(store.list_connections("wlpnobody").await.unwrap().is_empty());

    // One connection per owner and AS.
    let twice = connection(&bot.id, &mcp, NOW + 2);
    let rejected = ev("ai_agent.connection.create", &twice.id);
    assert_conflict(store.create_connection(&twice, from_ref(&rejected)).await, "authorizationServer");
    assert_eq!(store.find_connection(&twice.id).await.unwrap(), None);
    not_logged(&store, &rejected).await;
    // Another owner may connect to the same AS.
    let other = connection("0oachat", &mcp, NOW);
    store.create_connection(&other, &[]).await.unwrap();

    let mut changed = to_crm.clone();
    changed.resource_indicator = None;
    changed.scopes = vec!["crm:read".into()];
    changed.target_client_id = Some("0oatarget".into());
    changed.consent_required = true;
    changed.status = ConnectionStatus::Inactive;
    changed.last_updated = NOW + 3;
    let updated = ev("ai_agent.connection.update", &to_crm.id);
    store.update_connection(&changed, from_ref(&updated)).await.unwrap();
    assert_eq!(store.find_connection(&to_crm.id).await.unwrap(), Some(changed.clone()));
    assert_eq!(store.find_connection_to(&bot.id, &crm).await.unwrap(), Some(changed));

    let deleted = ev("ai_agent.connection.delete", &to_mcp.id);
    assert!(store.delete_connection(&to_mcp.id, from_ref(&deleted)).await.unwrap());
    assert!(!store.delete_connection(&to_mcp.id, &[]).await.unwrap(), "already deleted");
    assert_eq!(store.find_connection_to(&bot.id, &mcp).await.unwrap(), None);
    assert_eq!(store.list_connections(&bot.id).await.unwrap().len(), 1);
    // With the old connection gone, the owner may connect to that AS again.
    store.create_connection(&twice, &[]).await.unwrap();
    logged(&store, &[created, updated, deleted]).await;
}

async fn delegation_links(backend: Backend) {
    let Some((_db, store)) = open(backend).await else { return };
    let bot = agent("bot");
    let peer = agent("peer");
    for a in [&bot, &peer] {
        store.create_agent(a, &operation("ai-agent:Register", &a.id), &[]).await.unwrap();
    }
    let id_link = link("0oachat", LinkTokenType::IdToken, &bot.id);
    let at_link = link("0oachat", LinkTokenType::AccessToken, &bot.id);
    let chain = link(&bot.id, LinkTokenType::AccessToken, &peer.id);
    let created = ev("ai_agent.delegation_link.create", &id_link.id);
    store.create_delegation_link(&id_link, from_ref(&created)).await.unwrap();
    store.create_delegation_link(&at_link, &[]).await.unwrap();
    store.create_delegation_link(&chain, &[]).await.unwrap();

    assert_eq!(store.find_delegation_link(&id_link.id).await.unwrap(), Some(id_link.clone()));
    assert_eq!(store.find_delegation_link("dlkabsent").await.unwrap(), None);
    let found = store.find_delegation_link_for("0oachat", LinkTokenType::IdToken, &bot.id).await.unwrap();
    assert_eq!(found, Some(id_link.clone()));
    let found = store.find_delegation_link_for(&bot.id, LinkTokenType::AccessToken, &peer.id).await.unwrap();
    assert_eq!(found, Some(chain.clone()));
    assert_eq!(store.find_delegation_link_for(&bot.id, LinkTokenType::IdToken, &peer.id).await.unwrap(), None);
    assert_eq!(store.find_delegation_link_for("0oachat", LinkTokenType::IdToken, &peer.id).await.unwrap(), None);

    let expected = sorted(vec![id_link.id.clone(), at_link.id.clone(), chain.id.clone()]);
    let first = store.list_delegation_links(&Page::first(2)).await.unwrap();
    assert_eq!(link_ids(&first), expected[..2]);
    let rest = store.list_delegation_links(&Page { after: Some(first[1].id.clone()), limit: 2 }).await.unwrap();
    assert_eq!(link_ids(&rest), expected[2..]);

    let deleted = ev("ai_agent.delegation_link.delete", &at_link.id);
    assert!(store.delete_delegation_link(&at_link.id, from_ref(&deleted)).await.unwrap());
    assert!(!store.delete_delegation_link(&at_link.id, &[]).await.unwrap(), "already deleted");
    assert_eq!(store.find_delegation_link_for("0oachat", LinkTokenType::AccessToken, &bot.id).await.unwrap(), None);
    assert_eq!(store.list_delegation_links(&Page::first(10)).await.unwrap().len(), 2);
    logged(&store, &[created, deleted]).await;
}
