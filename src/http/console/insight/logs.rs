//! System Log viewer: `GET /admin/logs` with a GET filter form (event type,
//! outcome, actor, target, time range, transaction id, keywords), newest first, paginated by
//! an opaque cursor (the storage sequence of the last event shown); every event expands
//! (`<details>`) to its full JSON. `GET /admin/logs/transactions/{id}` lists every event of one
//! request, oldest first.

use crate::audit::filter;
use crate::clock::iso8601;
use crate::domain::{LogRecord, Millis};
use crate::http::console::{self, ConsoleAdmin, ConsoleResult, Layout};
use crate::state::AppState;
use crate::store::LogQuery;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::Router;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use std::collections::HashMap;

const PAGE_SIZE: i64 = 50;
const MAX_PAGE_SIZE: i64 = 200;
/// A transaction's events are few; this bounds a pathological one.
const MAX_TRANSACTION_EVENTS: i64 = 500;

pub fn router() -> Router<AppState> {
    Router::new().route("/admin/logs", get(list)).route("/admin/logs/transactions/{id}", get(transaction))
}

/// The filter form's fields, as submitted (echoed back into the form).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    pub event_type: String,
    pub outcome: String,
    pub actor: String,
    pub target: String,
    pub since: String,
    pub until: String,
    pub transaction: String,
    pub q: String,
    pub limit: i64,
    pub after: Option<i64>,
}

fn field<S: std::hash::BuildHasher>(params: &HashMap<String, String, S>, name: &str) -> String {
    params.get(name).map(|v| v.trim().to_owned()).unwrap_or_default()
}

/// `YYYY-MM-DDTHH:MM[:SS]` (an HTML `datetime-local`, taken as UTC), RFC 3339, or a date.
#[must_use]
pub fn parse_time(text: &str) -> Option<Millis> {
    use time::format_description::well_known::Rfc3339;
    use time::macros::format_description;
    let t = time::OffsetDateTime::parse(text, &Rfc3339)
        .ok()
        .or_else(|| {
            let f = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
            time::PrimitiveDateTime::parse(text, &f).ok().map(time::PrimitiveDateTime::assume_utc)
        })
        .or_else(|| {
            let f = format_description!("[year]-[month]-[day]T[hour]:[minute]");
            time::PrimitiveDateTime::parse(text, &f).ok().map(time::PrimitiveDateTime::assume_utc)
        })
        .or_else(|| {
            let f = format_description!("[year]-[month]-[day]");
            time::Date::parse(text, &f).ok().map(|d| d.midnight().assume_utc())
        })?;
    Millis::try_from(t.unix_timestamp_nanos() / 1_000_000).ok()
}

#[must_use]
pub fn encode_cursor(seq: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("s{seq}"))
}

#[must_use]
pub fn decode_cursor(cursor: &str) -> Option<i64> {
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(cursor).ok()?).ok()?;
    text.strip_prefix('s')?.parse().ok().filter(|s| *s >= 0)
}

/// A SCIM string literal, or `None` when `value` holds a character the literal cannot carry.
fn literal(value: &str) -> Option<String> {
    (!value.contains(['"', '\\']) && !value.chars().any(char::is_control)).then(|| format!("\"{value}\""))
}

/// The form as submitted and the messages of every field that is not valid.
pub type Rejected = Box<(Filters, Vec<String>)>;

/// The store query of the form, or the messages of every field that is not valid.
pub fn build_query<S: std::hash::BuildHasher>(
    params: &HashMap<String, String, S>,
) -> Result<(Filters, LogQuery), Rejected> {
    let mut f = Filters {
        event_type: field(params, "type"),
        outcome: field(params, "outcome").to_uppercase(),
        actor: field(params, "actor"),
        target: field(params, "target"),
        since: field(params, "since"),
        until: field(params, "until"),
        transaction: field(params, "transaction"),
        q: field(params, "q"),
        limit: PAGE_SIZE,
        after: None,
    };
    let mut errors = Vec::new();
    let mut query = LogQuery { descending: true, ..LogQuery::default() };
    let mut exprs = Vec::new();
    if let Some(prefix) = f.event_type.strip_suffix('*') {
        match literal(prefix) {
            Some(l) => exprs.push(format!("eventType sw {l}")),
            None => errors.push("Event type: quotes and backslashes are not allowed.".to_owned()),
        }
    } else if !f.event_type.is_empty() {
        query.event_type = Some(f.event_type.clone());
    }
    if !f.outcome.is_empty() {
        if ["SUCCESS", "FAILURE", "SKIPPED", "ALLOW", "DENY", "CHALLENGE", "UNKNOWN"].contains(&f.outcome.as_str()) {
            query.outcome_result = Some(f.outcome.clone());
        } else {
            errors.push(format!("Outcome: unknown result {:?}.", f.outcome));
        }
    }
    for (name, attr, value) in [("Actor", "actor", &f.actor), ("Target", "target", &f.target)] {
        if value.is_empty() {
            continue;
        }
        match literal(value) {
            Some(l) => exprs.push(format!("({attr}.id eq {l} or {attr}.alternateId eq {l})")),
            None => errors.push(format!("{name}: quotes and backslashes are not allowed.")),
        }
    }
    for (name, text, slot) in [("From", &f.since, &mut query.since), ("To", &f.until, &mut query.until)] {
        if text.is_empty() {
            continue;
        }
        match parse_time(text) {
            Some(ms) => *slot = Some(ms),
            None => errors.push(format!("{name}: not a date and time (YYYY-MM-DDTHH:MM, UTC).")),
        }
    }
    if !f.transaction.is_empty() {
        query.transaction_id = Some(f.transaction.clone());
    }
    query.keywords = f.q.split_whitespace().take(10).map(str::to_lowercase).collect();
    if let Some(limit) = params.get("limit").filter(|l| !l.is_empty()) {
        match limit.parse::<i64>().ok().filter(|n| (1..=MAX_PAGE_SIZE).contains(n)) {
            Some(n) => f.limit = n,
            None => errors.push(format!("Page size: a number from 1 to {MAX_PAGE_SIZE}.")),
        }
    }
    if let Some(after) = params.get("after").filter(|a| !a.is_empty()) {
        match decode_cursor(after) {
            Some(seq) => f.after = Some(seq),
            None => errors.push("The page cursor is not valid; start from the newest events.".to_owned()),
        }
    }
    if !exprs.is_empty() {
        match filter::parse(&exprs.join(" and ")) {
            Ok(expr) => query.filter = Some(expr),
            Err(_) => errors.push("The filter could not be built from these values.".to_owned()),
        }
    }
    if !errors.is_empty() {
        return Err(Box::new((f, errors)));
    }
    query.after_seq = f.after;
    query.limit = f.limit + 1;
    Ok((f, query))
}

/// One event of the list.
pub struct EventRow {
    pub published: String,
    pub event_type: String,
    pub outcome: String,
    pub severity: String,
    pub actor: String,
    pub message: String,
    pub transaction_id: String,
    pub transaction_href: String,
    pub json: String,
}

fn row(record: &LogRecord) -> EventRow {
    let body = &record.body;
    let text = |path: &[&str]| {
        let mut v = body;
        for p in path {
            v = &v[*p];
        }
        v.as_str().unwrap_or_default().to_owned()
    };
    let actor_name = text(&["actor", "alternateId"]);
    EventRow {
        published: iso8601(record.published),
        event_type: record.event_type.clone(),
        outcome: record.outcome_result.clone(),
        severity: record.severity.clone(),
        actor: if actor_name.is_empty() { record.actor_id.clone() } else { actor_name },
        message: text(&["displayMessage"]),
        transaction_href: format!(
            "/admin/logs/transactions/{}",
            url::form_urlencoded::byte_serialize(record.transaction_id.as_bytes()).collect::<String>()
        ),
        transaction_id: record.transaction_id.clone(),
        json: serde_json::to_string_pretty(body).unwrap_or_default(),
    }
}

#[derive(Template)]
#[template(path = "console/logs.html")]
struct LogsPage {
    l: Layout,
    f: Filters,
    rows: Vec<EventRow>,
    next: Option<String>,
    first: Option<String>,
}

/// The list's URL with the same filters and this cursor.
fn page_url(f: &Filters, after: Option<&str>) -> String {
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in [
        ("type", &f.event_type),
        ("outcome", &f.outcome),
        ("actor", &f.actor),
        ("target", &f.target),
        ("since", &f.since),
        ("until", &f.until),
        ("transaction", &f.transaction),
        ("q", &f.q),
    ] {
        if !v.is_empty() {
            q.append_pair(k, v);
        }
    }
    if f.limit != PAGE_SIZE {
        q.append_pair("limit", &f.limit.to_string());
    }
    if let Some(a) = after {
        q.append_pair("after", a);
    }
    let q = q.finish();
    if q.is_empty() {
        "/admin/logs".to_owned()
    } else {
        format!("/admin/logs?{q}")
    }
}

async fn list(
    State(state): State<AppState>,
    admin: ConsoleAdmin,
    Query(params): Query<HashMap<String, String>>,
) -> ConsoleResult {
    let mut l = admin.layout("System Log", "/admin/logs");
    let (f, query) = match build_query(&params) {
        Ok(parts) => parts,
        Err(rejected) => {
            let (f, errors) = *rejected;
            l.error = Some(errors.join(" "));
            let page = LogsPage { l, f, rows: Vec::new(), next: None, first: None };
            return Ok(console::render_status(&admin, axum::http::StatusCode::BAD_REQUEST, &page));
        }
    };
    let mut events = state.store.list_events(&query).await?;
    let limit = usize::try_from(f.limit).unwrap_or(usize::MAX);
    let more = events.len() > limit;
    events.truncate(limit);
    let next = if more { events.last().map(|(seq, _)| page_url(&f, Some(&encode_cursor(*seq)))) } else { None };
    let first = f.after.map(|_| page_url(&f, None));
    let rows = events.iter().map(|(_, r)| row(r)).collect();
    let page = LogsPage { l, f, rows, next, first };
    Ok(console::render(&admin, &page))
}

#[derive(Template)]
#[template(path = "console/log_transaction.html")]
struct TransactionPage {
    l: Layout,
    id: String,
    rows: Vec<EventRow>,
}

async fn transaction(State(state): State<AppState>, admin: ConsoleAdmin, Path(id): Path<String>) -> ConsoleResult {
    let query = LogQuery { transaction_id: Some(id.clone()), limit: MAX_TRANSACTION_EVENTS, ..LogQuery::default() };
    let events = state.store.list_events(&query).await?;
    let rows: Vec<EventRow> = events.iter().map(|(_, r)| row(r)).collect();
    let status = if rows.is_empty() { axum::http::StatusCode::NOT_FOUND } else { axum::http::StatusCode::OK };
    let mut l = admin.layout(&format!("Transaction {id}"), "/admin/logs");
    if rows.is_empty() {
        l.error = Some("No event of the System Log has this transaction id.".to_owned());
    }
    Ok(console::render_status(&admin, status, &TransactionPage { l, id, rows }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn the_form_becomes_a_descending_query() {
        let (f, q) = build_query(&params(&[
            ("type", "user.session.start"),
            ("outcome", "failure"),
            ("actor", "00uA"),
            ("since", "2026-03-01T09:30"),
            ("until", "2026-03-02"),
            ("transaction", "tx1"),
            ("q", "Foo bar"),
            ("limit", "10"),
            ("after", &encode_cursor(7)),
        ]))
        .unwrap();
        assert!(q.descending && !q.storage_order);
        assert_eq!(q.event_type.as_deref(), Some("user.session.start"));
        assert_eq!(q.outcome_result.as_deref(), Some("FAILURE"));
        assert_eq!(q.since, Some(1_772_357_400_000));
        assert_eq!(q.until, Some(1_772_409_600_000));
        assert_eq!(q.transaction_id.as_deref(), Some("tx1"));
        assert_eq!(q.keywords, ["foo", "bar"]);
        assert_eq!((q.limit, q.after_seq), (11, Some(7)));
        assert!(q.filter.is_some());
        assert_eq!(f.outcome, "FAILURE");
        let url = page_url(&f, Some("abc"));
        assert!(url.starts_with("/admin/logs?type=user.session.start&outcome=FAILURE&actor=00uA"), "{url}");
        assert!(url.ends_with("&limit=10&after=abc"), "{url}");
    }

    #[test]
    fn bad_fields_are_all_reported() {
        let (_, errors) = *build_query(&params(&[
            ("outcome", "maybe"),
            ("actor", "a\"b"),
            ("since", "yesterday"),
            ("limit", "0"),
            ("after", "zz"),
        ]))
        .unwrap_err();
        assert_eq!(errors.len(), 5, "{errors:?}");
    }

    #[test]
    fn prefix_types_and_empty_forms() {
        let (_, q) = build_query(&params(&[("type", "user.session.*")])).unwrap();
        assert!(q.event_type.is_none() && q.filter.is_some());
        let (f, q) = build_query(&HashMap::new()).unwrap();
        assert_eq!((q.limit, q.filter.is_none(), f.after), (PAGE_SIZE + 1, true, None));
        assert_eq!(page_url(&f, None), "/admin/logs");
        assert_eq!(decode_cursor(&encode_cursor(42)), Some(42));
        assert_eq!(decode_cursor("bad"), None);
    }
}
