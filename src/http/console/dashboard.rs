//! `/admin`: how many users, groups, apps, agents, authorization servers and API tokens there
//! are, and the latest System Log events.

use super::{render, ConsoleAdmin, ConsoleResult, Layout};
use crate::clock::iso8601;
use crate::domain::LogRecord;
use crate::state::AppState;
use crate::store::{LogQuery, Page};
use askama::Template;
use axum::extract::State;
use axum::routing::get;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new().route("/admin", get(show))
}

/// Counts stop here ("1000+").
const COUNT_CAP: i64 = 1000;
const RECENT: i64 = 15;

/// One System Log event in a table row.
pub struct EventRow {
    pub when: String,
    pub event_type: String,
    pub message: String,
    pub actor: String,
    pub outcome: String,
}

impl EventRow {
    #[must_use]
    pub fn from_record(r: &LogRecord) -> Self {
        let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_owned();
        Self {
            when: iso8601(r.published),
            event_type: r.event_type.clone(),
            message: text(&r.body["displayMessage"]),
            actor: text(&r.body["actor"]["alternateId"]),
            outcome: r.outcome_result.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "console/dashboard.html")]
struct DashboardPage {
    l: Layout,
    company: String,
    counts: Vec<(&'static str, &'static str, String)>,
    events: Vec<EventRow>,
}

fn count(n: usize) -> String {
    if n as i64 >= COUNT_CAP {
        format!("{COUNT_CAP}+")
    } else {
        n.to_string()
    }
}

async fn show(State(state): State<AppState>, admin: ConsoleAdmin) -> ConsoleResult {
    let s = state.store.as_ref();
    let page = Page::first(COUNT_CAP);
    let counts = vec![
        ("Users", "/admin/users", count(s.list_users(None, &page).await?.len())),
        ("Groups", "/admin/groups", count(s.list_groups(&page).await?.len())),
        ("Apps", "/admin/apps", count(s.list_apps(&page).await?.len())),
        ("AI agents", "/admin/agents", count(s.list_agents(&page).await?.len())),
        ("Authorization servers", "/admin/auth-servers", count(s.list_auth_servers(&page).await?.len())),
        ("API tokens", "/admin/api-tokens", count(s.list_api_tokens().await?.len())),
    ];
    let query = LogQuery { descending: true, limit: RECENT, ..LogQuery::default() };
    let events = s.list_events(&query).await?.iter().map(|(_, r)| EventRow::from_record(r)).collect();
    let page = DashboardPage {
        l: admin.layout("Dashboard", "/admin"),
        company: state.org.company_name.clone(),
        counts,
        events,
    };
    Ok(render(&admin, &page))
}
