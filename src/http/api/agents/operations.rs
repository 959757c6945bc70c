//! Operations (okta-surface.md §13): every agent write answers 202 with the operation that
//! records it, already `COMPLETED`, and `Location: {base}/workload-principals/api/v1/operations/{opId}`.

use super::{url, views, LIMIT_DEFAULT, LIMIT_MAX, PREFIX};
use crate::domain::ids::new_operation_id;
use crate::domain::{Agent, Millis, Operation, TextEnum};
use crate::http::api::auth::Admin;
use crate::http::api::body::ApiQuery;
use crate::http::api::paging;
use crate::http::api::routes::ApiRoutes;
use crate::http::error::OktaError;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::header::LOCATION;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::Value;

#[must_use]
pub(crate) fn routes(r: ApiRoutes) -> ApiRoutes {
    r.get(&format!("{PREFIX}/operations"), "List AI-agent operations", list).get(
        &format!("{PREFIX}/operations/{{opId}}"),
        "Get an AI-agent operation",
        get_one,
    )
}

/// A completed operation of `op_type` on `agent` (in its new state).
pub(crate) fn completed(op_type: &str, agent: &Agent, now: Millis) -> Operation {
    Operation {
        id: new_operation_id(),
        op_type: op_type.into(),
        status: "COMPLETED".into(),
        resource_id: agent.id.clone(),
        resource_type: "ai_agent".into(),
        resource_status: agent.status.as_str().into(),
        created: now,
        started: now,
        completed: Some(now),
    }
}

/// 202, `Location` of the operation, and the operation as the body.
pub(crate) fn accepted(state: &AppState, op: &Operation) -> Response {
    let location = url(state, &format!("/operations/{}", op.id));
    (StatusCode::ACCEPTED, [(LOCATION, location)], Json(views::operation(state, op))).into_response()
}

/// 202 with an empty body and the `Location` of the (already COMPLETED) operation: how Okta
/// answers a registration (okta-surface.md §13).
pub(crate) fn accepted_empty(state: &AppState, op: &Operation) -> Response {
    let location = url(state, &format!("/operations/{}", op.id));
    (StatusCode::ACCEPTED, [(LOCATION, location)]).into_response()
}

async fn get_one(
    State(state): State<AppState>,
    _admin: Admin,
    Path(id): Path<String>,
) -> Result<Json<Value>, OktaError> {
    let op = state.store.find_operation(&id).await?.ok_or_else(|| OktaError::not_found(&id, "Operation"))?;
    Ok(Json(views::operation(&state, &op)))
}

async fn list(State(state): State<AppState>, _admin: Admin, query: ApiQuery, uri: Uri) -> Result<Response, OktaError> {
    let page = paging::page(&query, LIMIT_DEFAULT, LIMIT_MAX)?;
    let rows = state.store.list_operations(&paging::probe(&page)).await?;
    let (rows, next) = paging::split(rows, &page, |o| o.id.clone());
    let items: Vec<Value> = rows.iter().map(|o| views::operation(&state, o)).collect();
    Ok(paging::envelope(state.base(), &uri, &items, next.as_deref()))
}
