//! `/admin/apps`: list and search OIDC apps, create one (its client secret shown once, in the
//! answer to the POST), view and edit it, activate, deactivate, delete (INACTIVE only), add,
//! activate, deactivate and delete client secrets. Every write goes through the Management
//! API's own functions (`crate::http::api::apps`), so validation and System Log events are the
//! API's; errors come back on the form with their causes.

use super::admin::okta_message;
use super::paging::{Pager, Search};
use super::{
    checked_grants, grant_choices, redirect_with_flash, render_status, ConsoleAdmin, ConsoleForm, ConsoleResult,
    GrantChoice, Layout,
};
use crate::clock::iso8601;
use crate::domain::app::APPLICATION_TYPES;
use crate::domain::{App, AppStatus, TextEnum};
use crate::http::api::apps;
use crate::http::error::OktaError;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};

const SECTION: &str = "/admin/apps";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/apps", get(list).post(create))
        .route("/admin/apps/new", get(new_form))
        .route("/admin/apps/{id}", get(show).post(update))
        .route("/admin/apps/{id}/lifecycle/{action}", post(lifecycle))
        .route("/admin/apps/{id}/secrets", post(add_secret))
        .route("/admin/apps/{id}/secrets/{secret_id}/{action}", post(secret_action))
}

const METHODS: &[&str] = &["client_secret_basic", "client_secret_post", "private_key_jwt", "none"];

/// The non-empty lines of a textarea (or whitespace-separated values).
#[must_use]
pub fn lines(text: &str) -> Vec<String> {
    text.split_whitespace().map(str::to_owned).collect()
}

/// The layout with `error` (its summary and causes) shown, and the status to answer with.
#[must_use]
pub fn failed(mut l: Layout, error: Option<&OktaError>) -> (Layout, StatusCode) {
    let status = error.map_or(StatusCode::OK, |e| e.status);
    l.error = error.map(okta_message);
    (l, status)
}

/// The values of the app form, as typed.
#[derive(Default)]
pub struct AppFields {
    pub label: String,
    pub application_type: String,
    pub method: String,
    pub redirect_uris: String,
    pub post_logout_redirect_uris: String,
    pub grants: Vec<String>,
    pub consent_required: bool,
    pub pkce_required: bool,
    pub jwks: String,
}

impl AppFields {
    fn from_form(f: &ConsoleForm) -> Self {
        Self {
            label: f.text("label").to_owned(),
            application_type: f.text("application_type").to_owned(),
            method: f.text("token_endpoint_auth_method").to_owned(),
            redirect_uris: f.text("redirect_uris").to_owned(),
            post_logout_redirect_uris: f.text("post_logout_redirect_uris").to_owned(),
            grants: checked_grants(f).into_iter().map(str::to_owned).collect(),
            consent_required: !f.text("consent_required").is_empty(),
            pkce_required: !f.text("pkce_required").is_empty(),
            jwks: f.text("jwks").to_owned(),
        }
    }

    fn from_app(app: &App) -> Self {
        Self {
            label: app.label.clone(),
            application_type: app.application_type.clone(),
            method: app.token_endpoint_auth_method.as_str().to_owned(),
            redirect_uris: app.redirect_uris.join("\n"),
            post_logout_redirect_uris: app.post_logout_redirect_uris.join("\n"),
            grants: app.grant_types.clone(),
            consent_required: app.consent_method.as_str() == "REQUIRED",
            pkce_required: app.pkce_required,
            jwks: String::new(),
        }
    }

    /// The Management API body these fields describe; a `jwks` that is not JSON is an error.
    fn body(&self) -> Result<Value, OktaError> {
        let mut sets = json!({
            "redirect_uris": lines(&self.redirect_uris),
            "post_logout_redirect_uris": lines(&self.post_logout_redirect_uris),
            "grant_types": self.grants,
            "consent_method": if self.consent_required { "REQUIRED" } else { "TRUSTED" },
        });
        // Left empty: the API's default.
        if !self.application_type.is_empty() {
            sets["application_type"] = json!(self.application_type);
        }
        if !self.jwks.is_empty() {
            let jwks: Value = serde_json::from_str(&self.jwks)
                .map_err(|_| crate::http::api::body::Validation::one("jwks", "must be a JSON Web Key Set"))?;
            sets["jwks"] = jwks;
        }
        let mut creds = json!({"pkce_required": self.pkce_required});
        if !self.method.is_empty() {
            creds["token_endpoint_auth_method"] = json!(self.method);
        }
        Ok(json!({
            "name": "oidc_client",
            "label": self.label,
            "signOnMode": "OPENID_CONNECT",
            "credentials": {"oauthClient": creds},
            "settings": {"oauthClient": sets},
        }))
    }

    #[must_use]
    pub fn has(&self, grant: &str) -> bool {
        self.grants.iter().any(|g| g == grant)
    }
}

pub struct AppRow {
    pub id: String,
    pub label: String,
    pub client_id: String,
    pub application_type: String,
    pub status: String,
}

#[derive(Template)]
#[template(path = "console/apps.html")]
struct ListPage {
    l: Layout,
    q: String,
    rows: Vec<AppRow>,
    pager: Pager,
}

async fn list(State(state): State<AppState>, admin: ConsoleAdmin, Query(search): Query<Search>) -> ConsoleResult {
    let (q, needle) = (search.q(), search.needle());
    let store = &state.store;
    let (apps, pager) = search
        .page(
            SECTION,
            |p| async move { store.list_apps(&p).await },
            |a: &App| needle.is_empty() || a.label.to_lowercase().contains(&needle) || a.client_id.contains(q),
            |a| a.id.clone(),
        )
        .await?;
    let rows = apps
        .into_iter()
        .map(|a| AppRow {
            status: a.status.as_str().to_owned(),
            id: a.id,
            label: a.label,
            client_id: a.client_id,
            application_type: a.application_type,
        })
        .collect();
    let page = ListPage { l: admin.layout("Apps", SECTION), q: q.to_owned(), rows, pager };
    Ok(render_status(&admin, StatusCode::OK, &page))
}

/// The app form (new or edit): where it posts, the values and the choices.
pub struct AppForm {
    pub action: String,
    pub fields: AppFields,
    pub types: Vec<&'static str>,
    pub methods: &'static [&'static str],
    pub grants: Vec<GrantChoice>,
    pub create: bool,
}

#[derive(Template)]
#[template(path = "console/app_form.html")]
struct FormPage {
    l: Layout,
    form: AppForm,
}

fn app_form(action: String, fields: AppFields, create: bool) -> AppForm {
    let types = APPLICATION_TYPES.iter().map(|(t, _)| *t).collect();
    AppForm { action, fields, types, methods: METHODS, grants: grant_choices(), create }
}

async fn new_form(admin: ConsoleAdmin) -> ConsoleResult {
    let fields = AppFields {
        application_type: "web".into(),
        method: "client_secret_basic".into(),
        grants: vec!["authorization_code".into()],
        pkce_required: true,
        ..AppFields::default()
    };
    let page = FormPage { l: admin.layout("New app", SECTION), form: app_form("/admin/apps".into(), fields, true) };
    Ok(render_status(&admin, StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "console/app_secret.html")]
struct SecretPage {
    l: Layout,
    app_id: String,
    label: String,
    client_id: String,
    secret: String,
}

/// The one page that shows a client secret: the answer to the POST that made it. It is stored
/// only as a hash, so no later page can show it again.
fn secret_page(admin: &ConsoleAdmin, app: &App, secret: String, title: &str) -> Response {
    let mut l = admin.layout(title, SECTION);
    l.flash = None;
    let page =
        SecretPage { l, app_id: app.id.clone(), label: app.label.clone(), client_id: app.client_id.clone(), secret };
    render_status(admin, StatusCode::OK, &page)
}

async fn create(State(state): State<AppState>, f: ConsoleForm) -> ConsoleResult {
    let fields = AppFields::from_form(&f);
    let result = match fields.body() {
        Ok(body) => apps::create_app(&state, &f.admin, &body, true).await,
        Err(e) => Err(e),
    };
    match result {
        Ok((app, _, Some(secret))) => Ok(secret_page(&f.admin, &app, secret, "App created")),
        Ok((app, _, None)) => Ok(redirect_with_flash(&state, &format!("/admin/apps/{}", app.id), "App created.")),
        Err(e) => {
            let (l, status) = failed(f.admin.layout("New app", SECTION), Some(&e));
            Ok(render_status(&f.admin, status, &FormPage { l, form: app_form("/admin/apps".into(), fields, true) }))
        }
    }
}

pub struct SecretRow {
    pub id: String,
    pub status: String,
    pub created: String,
}

pub struct KeyRow {
    pub kid: String,
    pub kty: String,
    pub status: String,
}

#[derive(Template)]
#[template(path = "console/app.html")]
struct ShowPage {
    l: Layout,
    app: App,
    status: String,
    method: String,
    created: String,
    secrets: Vec<SecretRow>,
    keys: Vec<KeyRow>,
    users: Vec<super::app_assignments::UserRow>,
    groups: Vec<super::app_assignments::GroupRow>,
    form: AppForm,
}

pub(super) async fn show_page(
    state: &AppState,
    admin: &ConsoleAdmin,
    id: &str,
    error: Option<&OktaError>,
    fields: Option<AppFields>,
) -> ConsoleResult {
    let app = apps::find(state, id).await?;
    let secrets = state.store.list_client_secrets(&app.id).await?;
    let keys = state.store.list_client_keys(&app.id).await?;
    let (users, groups) = super::app_assignments::rows(state, &app.id).await?;
    let (l, status) = failed(admin.layout(&app.label, SECTION), error);
    let fields = fields.unwrap_or_else(|| AppFields::from_app(&app));
    let form = app_form(format!("/admin/apps/{}", app.id), fields, false);
    let page = ShowPage {
        l,
        status: app.status.as_str().to_owned(),
        method: app.token_endpoint_auth_method.as_str().to_owned(),
        created: iso8601(app.created),
        secrets: secrets
            .iter()
            .map(|s| SecretRow { id: s.id.clone(), status: s.status.as_str().to_owned(), created: iso8601(s.created) })
            .collect(),
        keys: keys
            .iter()
            .map(|k| KeyRow {
                kid: k.kid.clone(),
                kty: k.jwk["kty"].as_str().unwrap_or_default().to_owned(),
                status: k.status.as_str().to_owned(),
            })
            .collect(),
        users,
        groups,
        app,
        form,
    };
    Ok(render_status(admin, status, &page))
}

async fn show(State(state): State<AppState>, admin: ConsoleAdmin, Path(id): Path<String>) -> ConsoleResult {
    show_page(&state, &admin, &id, None, None).await
}

async fn update(State(state): State<AppState>, Path(id): Path<String>, f: ConsoleForm) -> ConsoleResult {
    let fields = AppFields::from_form(&f);
    let result = match fields.body() {
        Ok(body) => apps::replace_app(&state, &f.admin, &id, &body).await,
        Err(e) => Err(e),
    };
    match result {
        Ok((app, _, Some(secret))) => Ok(secret_page(&f.admin, &app, secret, "App updated")),
        Ok((app, _, None)) => Ok(redirect_with_flash(&state, &format!("/admin/apps/{}", app.id), "App saved.")),
        Err(e) => show_page(&state, &f.admin, &id, Some(&e), Some(fields)).await,
    }
}

async fn lifecycle(
    State(state): State<AppState>,
    Path((id, action)): Path<(String, String)>,
    f: ConsoleForm,
) -> ConsoleResult {
    let result = match action.as_str() {
        "activate" => apps::transition(&state, &f.admin, &id, AppStatus::Active).await.map(|()| "App activated."),
        "deactivate" => apps::transition(&state, &f.admin, &id, AppStatus::Inactive).await.map(|()| "App deactivated."),
        "delete" => match apps::delete_app(&state, &f.admin, &id).await {
            Ok(()) => return Ok(redirect_with_flash(&state, SECTION, "App deleted.")),
            Err(e) => Err(e),
        },
        _ => Err(OktaError::not_found(&action, "Action")),
    };
    match result {
        Ok(message) => Ok(redirect_with_flash(&state, &format!("/admin/apps/{id}"), message)),
        Err(e) => show_page(&state, &f.admin, &id, Some(&e), None).await,
    }
}

async fn add_secret(State(state): State<AppState>, Path(id): Path<String>, f: ConsoleForm) -> ConsoleResult {
    match apps::create_secret(&state, &f.admin, &id, &json!({})).await {
        Ok((_, plain)) => Ok(secret_page(&f.admin, &apps::find(&state, &id).await?, plain, "New client secret")),
        Err(e) => show_page(&state, &f.admin, &id, Some(&e), None).await,
    }
}

async fn secret_action(
    State(state): State<AppState>,
    Path((id, secret_id, action)): Path<(String, String, String)>,
    f: ConsoleForm,
) -> ConsoleResult {
    let result = match action.as_str() {
        "activate" => apps::set_secret_status(&state, &f.admin, &id, &secret_id, AppStatus::Active)
            .await
            .map(|_| "Secret activated."),
        "deactivate" => apps::set_secret_status(&state, &f.admin, &id, &secret_id, AppStatus::Inactive)
            .await
            .map(|_| "Secret deactivated."),
        "delete" => apps::delete_secret(&state, &f.admin, &id, &secret_id).await.map(|()| "Secret deleted."),
        _ => Err(OktaError::not_found(&action, "Action")),
    };
    match result {
        Ok(message) => Ok(redirect_with_flash(&state, &format!("/admin/apps/{id}"), message)),
        Err(e) => show_page(&state, &f.admin, &id, Some(&e), None).await,
    }
}
