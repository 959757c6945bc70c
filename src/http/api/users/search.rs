//! `GET /api/v1/users` (okta-surface.md §11.1): plain listing, `q`, `filter` and `search`.
//!
//! `filter` and `search` are parsed with the System Log's SCIM parser (`audit::filter`) and
//! evaluated in memory over users read from the store page by page, in id order; the `after`
//! cursor is the id of the last user returned, so paging stays exact. With `sortBy`, every
//! match is collected and sorted first and `after` is an offset into that order. Fine for the
//! directory sizes baton targets; a SQL compilation of the filter would be the next step.

use super::super::auth::Admin;
use super::super::body::{ApiQuery, Validation};
use super::super::paging::{self, list as link_list};
use super::{scan_users, views};
use crate::audit::filter::{self, Expr, Op};
use crate::clock::iso8601;
use crate::domain::{TextEnum, User, UserStatus};
use crate::http::error::OktaError;
use crate::state::AppState;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use serde_json::Value;

const DEFAULT_LIMIT: i64 = 200;
const MAX_LIMIT: i64 = 200;

/// 400 `E0000031 Invalid search criteria.`
fn invalid_search() -> OktaError {
    OktaError::new(StatusCode::BAD_REQUEST, "E0000031", "Invalid search criteria.")
}

/// The profile attributes `filter` accepts (with `eq` only).
const FILTER_EQ: [&str; 6] =
    ["status", "id", "profile.login", "profile.email", "profile.firstName", "profile.lastName"];

/// `filter`: `eq` on `FILTER_EQ`, any comparison on `lastUpdated`, joined by `and`/`or`.
fn check_filter(e: &Expr) -> bool {
    match e {
        Expr::And(a, b) | Expr::Or(a, b) => check_filter(a) && check_filter(b),
        Expr::Not(_) => false,
        Expr::Cmp { attr, op, value } => {
            value.is_some()
                && ((*op == Op::Eq && FILTER_EQ.contains(&attr.as_str()))
                    || (attr == "lastUpdated" && matches!(op, Op::Eq | Op::Gt | Op::Ge | Op::Lt | Op::Le)))
        }
    }
}

/// Attributes `search` and `sortBy` accept.
fn searchable(attr: &str) -> bool {
    matches!(attr, "status" | "id" | "created" | "lastUpdated" | "activated" | "statusChanged" | "passwordChanged")
        || attr.strip_prefix("profile.").is_some_and(|a| !a.is_empty())
}

/// Every value of `attr` on `user`, as the filter evaluator compares them.
fn values(user: &User, attr: &str) -> Vec<String> {
    let time = |t: Option<i64>| t.map(iso8601).into_iter().collect();
    match attr {
        "status" => vec![user.status.as_str().to_owned()],
        "id" => vec![user.id.clone()],
        "created" => vec![iso8601(user.created)],
        "lastUpdated" => vec![iso8601(user.last_updated)],
        "activated" => time(user.activated),
        "statusChanged" => time(user.status_changed),
        "passwordChanged" => time(user.password_changed),
        _ => match attr.strip_prefix("profile.").and_then(|k| user.profile.0.get(k)) {
            Some(Value::Array(items)) => items.iter().filter_map(scalar).collect(),
            Some(v) => scalar(v).into_iter().collect(),
            None => Vec::new(),
        },
    }
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Null | Value::Array(_) | Value::Object(_) => None,
        other => Some(other.to_string()),
    }
}

pub(super) async fn list(
    State(state): State<AppState>,
    _admin: Admin,
    query: ApiQuery,
    uri: Uri,
) -> Result<Response, OktaError> {
    let page = paging::page(&query, DEFAULT_LIMIT, MAX_LIMIT)?;
    let limit = usize::try_from(page.limit).unwrap_or(usize::MAX);
    let base = state.base();
    if let Some(q) = query.get("q").filter(|q| !q.is_empty()) {
        let q = q.to_lowercase();
        let mut found = Vec::new();
        scan_users(&state, None, |u| {
            let hit = u.status != UserStatus::Deprovisioned
                && ["firstName", "lastName", "email"]
                    .iter()
                    .any(|k| u.profile.get_str(k).is_some_and(|v| v.to_lowercase().starts_with(&q)));
            if hit {
                found.push(views::user(base, &u));
            }
            found.len() < limit
        })
        .await?;
        return Ok(link_list(base, &uri, &found, None));
    }
    let expr = match (query.get("filter").filter(|f| !f.is_empty()), query.get("search").filter(|s| !s.is_empty())) {
        (Some(_), Some(_)) => return Err(invalid_search()),
        (Some(f), None) => {
            let e = filter::parse(f).map_err(|_| invalid_search())?;
            if !check_filter(&e) {
                return Err(invalid_search());
            }
            Some(e)
        }
        (None, Some(s)) => {
            let e = filter::parse(s).map_err(|_| invalid_search())?;
            if !e.comparisons().iter().all(|(a, _)| searchable(a)) {
                return Err(invalid_search());
            }
            Some(e)
        }
        (None, None) => None,
    };
    if let Some(sort_by) = query.get("sortBy").filter(|s| !s.is_empty()) {
        return sorted(&state, &query, &uri, expr.as_ref(), sort_by, limit).await;
    }
    // Without a filter or search, Okta lists every user but the DEPROVISIONED ones; a filter
    // such as `status eq "DEPROVISIONED"` finds those.
    let mut rows = Vec::new();
    scan_users(&state, page.after.clone(), |u| {
        let hit = match &expr {
            None => u.status != UserStatus::Deprovisioned,
            Some(e) => filter::matches(e, &|a| values(&u, a)),
        };
        if hit {
            rows.push(u);
        }
        rows.len() <= limit
    })
    .await?;
    let (rows, next) = paging::split(rows, &page, |u| u.id.clone());
    let items: Vec<Value> = rows.iter().map(|u| views::user(base, u)).collect();
    Ok(link_list(base, &uri, &items, next.as_deref()))
}

/// `search` (or `filter`) with `sortBy`/`sortOrder`: all matches sorted, `after` an offset.
async fn sorted(
    state: &AppState,
    query: &ApiQuery,
    uri: &Uri,
    expr: Option<&Expr>,
    sort_by: &str,
    limit: usize,
) -> Result<Response, OktaError> {
    if !searchable(sort_by) {
        return Err(invalid_search());
    }
    let descending = match query.get("sortOrder").map(str::to_ascii_lowercase).as_deref() {
        None | Some("" | "asc") => false,
        Some("desc") => true,
        Some(_) => return Err(Validation::one("sortOrder", "must be asc or desc")),
    };
    let offset = match query.get("after").filter(|a| !a.is_empty()) {
        None => 0,
        Some(a) => a.parse::<usize>().map_err(|_| Validation::one("after", "is not a cursor of this search"))?,
    };
    let mut found = Vec::new();
    scan_users(state, None, |u| {
        if expr.is_none_or(|e| filter::matches(e, &|a| values(&u, a))) {
            found.push(u);
        }
        true
    })
    .await?;
    let key = |u: &User| values(u, sort_by).into_iter().next().map(|v| v.to_lowercase());
    found.sort_by(|a, b| {
        let o = key(a).cmp(&key(b)).then_with(|| a.id.cmp(&b.id));
        if descending {
            o.reverse()
        } else {
            o
        }
    });
    let end = offset.saturating_add(limit).min(found.len());
    let start = offset.min(end);
    let next = (end < found.len()).then(|| end.to_string());
    let items: Vec<Value> = found[start..end].iter().map(|u| views::user(state.base(), u)).collect();
    Ok(link_list(state.base(), uri, &items, next.as_deref()))
}
