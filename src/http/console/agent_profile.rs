//! An AI agent's profile in the console: register (`/admin/agents/new`, STAGED) and edit
//! (`/admin/agents/{id}/edit`: name, description, the app it acts for, owners, resource URL).
//! Both go through the AI-agent API's own functions, with its validation and its
//! `workload_principal.ai_agent.register` / `.update` events; the edit replaces the profile as
//! a PUT does, so a field left empty is cleared.

use super::apps::{failed, lines};
use super::{redirect_with_flash, render_status, ConsoleAdmin, ConsoleForm, ConsoleResult, Layout};
use crate::http::api::agents::{self, Mode};
use crate::http::error::OktaError;
use crate::state::AppState;
use crate::store::Page;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};

const SECTION: &str = "/admin/agents";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/agents", post(register))
        .route("/admin/agents/new", get(new_form))
        .route("/admin/agents/{id}", post(edit))
        .route("/admin/agents/{id}/edit", get(edit_form))
}

/// (id, label) of every app, for the app selects.
pub async fn app_choices(state: &AppState) -> Result<Vec<(String, String)>, OktaError> {
    let apps = state.store.list_apps(&Page { after: None, limit: i64::MAX }).await?;
    Ok(apps.into_iter().map(|a| (a.id, a.label)).collect())
}

/// The profile form's values, as typed.
#[derive(Default)]
pub struct AgentFields {
    pub name: String,
    pub description: String,
    pub app_id: String,
    pub owners: String,
    pub resource_url: String,
}

impl AgentFields {
    fn from_form(f: &ConsoleForm) -> Self {
        Self {
            name: f.text("name").to_owned(),
            description: f.text("description").to_owned(),
            app_id: f.text("app_id").to_owned(),
            owners: f.text("owners").to_owned(),
            resource_url: f.text("resource_url").to_owned(),
        }
    }

    /// The API's JSON body (a registration or a PUT): owners given as logins become user ids.
    async fn body(&self, state: &AppState) -> Result<Value, OktaError> {
        let mut profile = json!({"name": self.name});
        if !self.description.is_empty() {
            profile["description"] = json!(self.description);
        }
        let mut body = json!({"profile": profile, "owners": owner_ids(state, &self.owners).await?});
        if !self.app_id.is_empty() {
            body["appId"] = json!(self.app_id);
        }
        if !self.resource_url.is_empty() {
            body["resourceUrl"] = json!(self.resource_url);
        }
        Ok(body)
    }
}

/// Owners given as user ids or logins; an unknown login is left as typed for the API to reject.
async fn owner_ids(state: &AppState, text: &str) -> Result<Vec<String>, OktaError> {
    let mut out = Vec::new();
    for o in lines(&text.replace(',', " ")) {
        match state.store.find_user_by_login(&o).await? {
            Some(u) => out.push(u.id),
            None => out.push(o),
        }
    }
    Ok(out)
}

#[derive(Template)]
#[template(path = "console/agent_form.html")]
struct FormPage {
    l: Layout,
    /// Where the form posts: `/admin/agents` (register) or `/admin/agents/{id}` (edit).
    action: String,
    submit: &'static str,
    fields: AgentFields,
    apps: Vec<(String, String)>,
}

async fn form_page(
    state: &AppState,
    admin: &ConsoleAdmin,
    title: &str,
    action: String,
    fields: AgentFields,
    error: Option<&OktaError>,
) -> ConsoleResult {
    let (l, status) = failed(admin.layout(title, SECTION), error);
    let submit = if action == SECTION { "Register" } else { "Save" };
    let page = FormPage { l, action, submit, fields, apps: app_choices(state).await? };
    Ok(render_status(admin, status, &page))
}

async fn new_form(State(state): State<AppState>, admin: ConsoleAdmin) -> ConsoleResult {
    form_page(&state, &admin, "Register an AI agent", SECTION.into(), AgentFields::default(), None).await
}

async fn register(State(state): State<AppState>, f: ConsoleForm) -> ConsoleResult {
    let fields = AgentFields::from_form(&f);
    let body = fields.body(&state).await?;
    match agents::register_agent(&state, &f.admin, &body).await {
        Ok((agent, _)) => {
            Ok(redirect_with_flash(&state, &format!("/admin/agents/{}", agent.id), "AI agent registered (STAGED)."))
        }
        Err(e) => form_page(&state, &f.admin, "Register an AI agent", SECTION.into(), fields, Some(&e)).await,
    }
}

async fn edit_form(State(state): State<AppState>, admin: ConsoleAdmin, Path(id): Path<String>) -> ConsoleResult {
    let agent = state.store.find_agent(&id).await?.ok_or_else(|| OktaError::not_found(&id, "AIAgent"))?;
    let owners = super::agents::owner_logins(&state, &agent.owners).await?;
    let fields = AgentFields {
        name: agent.name.clone(),
        description: agent.description.clone().unwrap_or_default(),
        app_id: agent.app_id.clone().unwrap_or_default(),
        owners: owners.join("\n"),
        resource_url: agent.resource_url.clone().unwrap_or_default(),
    };
    let title = format!("Edit {}", agent.name);
    form_page(&state, &admin, &title, format!("/admin/agents/{id}"), fields, None).await
}

async fn edit(State(state): State<AppState>, Path(id): Path<String>, f: ConsoleForm) -> ConsoleResult {
    let fields = AgentFields::from_form(&f);
    let body = fields.body(&state).await?;
    match agents::update_agent(&state, &f.admin, &id, &body, Mode::Replace, "ai-agent:Replace").await {
        Ok(_) => Ok(redirect_with_flash(&state, &format!("/admin/agents/{id}"), "Profile saved.")),
        Err(e) if e.status == StatusCode::NOT_FOUND => Err(e.into()),
        Err(e) => form_page(&state, &f.admin, "Edit AI agent", format!("/admin/agents/{id}"), fields, Some(&e)).await,
    }
}
