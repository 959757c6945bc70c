//! The System Log API `GET /api/v1/logs` (okta-surface.md §12). Polling queries (no `until`,
//! ascending) read in storage order and always link a next page; bounded queries read by
//! `published` and stop linking on the last page. `filter` is the SCIM subset of
//! `audit::filter`, compiled to SQL by the store together with the `q` keywords.

use super::auth::Admin;
use super::body::{ApiQuery, Validation};
use super::paging::url_with_after;
use super::routes::ApiRoutes;
use crate::audit::filter::{self, FilterError};
use crate::domain::Millis;
use crate::http::error::OktaError;
use crate::state::AppState;
use crate::store::{LogQuery, LOG_FILTER_ATTRIBUTES};
use axum::extract::{OriginalUri, State};
use axum::http::header::LINK;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::Value;

const DEFAULT_LIMIT: i64 = 100;
const MAX_LIMIT: i64 = 1000;
const DAY_MS: Millis = 86_400_000;
/// Default span of a query: `since` is this long before `until`.
const DEFAULT_WINDOW_MS: Millis = 7 * DAY_MS;
/// Events older than this are never returned.
const RETENTION_MS: Millis = 90 * DAY_MS;
/// A `since` further back than this is rejected.
const MAX_SINCE_MS: Millis = 180 * DAY_MS;
const MAX_KEYWORDS: usize = 10;
const MAX_KEYWORD_CHARS: usize = 40;
/// The top-level fields of a LogEvent: filtering on one of their paths that is not filterable
/// is an unsupported operator/field combination; anything else is an unknown field.
const LOG_EVENT_FIELDS: &[&str] = &[
    "uuid",
    "published",
    "eventType",
    "version",
    "severity",
    "legacyEventType",
    "displayMessage",
    "outcome",
    "actor",
    "client",
    "authenticationContext",
    "securityContext",
    "debugContext",
    "transaction",
    "request",
    "target",
];

#[must_use]
pub fn routes(r: ApiRoutes) -> ApiRoutes {
    r.get("/api/v1/logs", "List System Log events", list_logs)
}

fn bad_request(code: &'static str, summary: impl Into<String>) -> OktaError {
    OktaError::new(StatusCode::BAD_REQUEST, code, summary)
}

/// `E0000001` in the System Log's own style: `'field': message` pairs in the summary.
fn validation(errors: &[(&str, &str)]) -> OktaError {
    let detail: Vec<String> = errors.iter().map(|(f, m)| format!("'{f}': {m}")).collect();
    let mut e = bad_request("E0000001", format!("Api validation failed: {}", detail.join(" ")));
    e.causes = errors.iter().map(|(f, m)| format!("{f}: {m}")).collect();
    e
}

/// An ISO 8601 date-time (`Z` or an offset; a `+` decoded from the query string as a space is
/// accepted), a local date-time taken as UTC, or a date (midnight UTC), in milliseconds.
fn parse_date(text: &str) -> Option<Millis> {
    use time::format_description::well_known::Rfc3339;
    use time::macros::format_description;
    let parse = |s: &str| {
        time::OffsetDateTime::parse(s, &Rfc3339)
            .ok()
            .or_else(|| {
                let f = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second][optional [.[subsecond]]]");
                time::PrimitiveDateTime::parse(s, &f).ok().map(time::PrimitiveDateTime::assume_utc)
            })
            .or_else(|| {
                let f = format_description!("[year]-[month]-[day]");
                time::Date::parse(s, &f).ok().map(|d| d.midnight().assume_utc())
            })
    };
    let t = parse(text).or_else(|| parse(&text.replace(' ', "+")))?;
    Millis::try_from(t.unix_timestamp_nanos() / 1_000_000).ok()
}

/// `since` and `until` (absent when empty); both malformed ones are reported together.
fn dates(query: &ApiQuery) -> Result<(Option<Millis>, Option<Millis>), OktaError> {
    const FORMAT: &str =
        "The date format in your query is not recognized. Please enter dates using ISO8601 string format.";
    const EMPTY: &str = "must be a valid date-time or empty.";
    let mut errors = Vec::new();
    let mut read = |name: &'static str| match query.get(name).filter(|v| !v.is_empty()) {
        None => None,
        Some(v) => {
            let ms = parse_date(v);
            if ms.is_none() {
                errors.push((name, FORMAT));
                errors.push((name, EMPTY));
            }
            ms
        }
    };
    let (since, until) = (read("since"), read("until"));
    if errors.is_empty() {
        Ok((since, until))
    } else {
        Err(validation(&errors))
    }
}

/// The opaque `after` cursor: the storage sequence number of the last event returned and the
/// lower time bound of the query, which the `next` link no longer carries as `since`.
fn encode_cursor(seq: i64, since: Millis) -> String {
    URL_SAFE_NO_PAD.encode(format!("{seq}:{since}"))
}

fn decode_cursor(cursor: &str) -> Option<(i64, Millis)> {
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(cursor).ok()?).ok()?;
    let (seq, since) = text.split_once(':')?;
    Some((seq.parse().ok().filter(|s| *s >= 0)?, since.parse().ok()?))
}

/// The parsed filter, with every attribute checked against the filterable ones.
fn parse_filter(text: &str) -> Result<filter::Expr, OktaError> {
    let expr = filter::parse(text).map_err(|e| {
        let detail = match e {
            FilterError::UnknownOperator { op, position } => {
                format!(
                    "Unrecognized attribute operator '{op}' at position {position}. Expected: eq,co,sw,pr,gt,ge,lt,le"
                )
            }
            FilterError::Syntax { position, message } => format!("{message} at position {position}"),
        };
        bad_request("E0000053", format!("Invalid filter '{text}': {detail}"))
    })?;
    for (attr, op) in expr.comparisons() {
        if LOG_FILTER_ATTRIBUTES.contains(&attr) {
            continue;
        }
        let root = attr.split('.').next().unwrap_or_default();
        return Err(if LOG_EVENT_FIELDS.contains(&root) {
            bad_request(
                "E0000031",
                format!("The supplied combination of operator and field is not currently supported. Operator: {op}, Field: {attr}"),
            )
        } else {
            bad_request("E0000053", format!("field is not valid: {attr}"))
        });
    }
    Ok(expr)
}

/// The `q` keywords, lower-cased.
fn keywords(query: &ApiQuery) -> Result<Vec<String>, OktaError> {
    let words: Vec<String> = query.get("q").unwrap_or_default().split_whitespace().map(str::to_lowercase).collect();
    if words.len() > MAX_KEYWORDS {
        return Err(validation(&[("q", "Freeform search cannot contain more than 10 items.")]));
    }
    if words.iter().any(|w| w.chars().count() > MAX_KEYWORD_CHARS) {
        return Err(validation(&[(
            "q",
            "Freeform search cannot contain items longer than 40 characters. Please shorten the items in your \
             search or use an advanced filter to query by specific fields.",
        )]));
    }
    Ok(words)
}

fn limit(query: &ApiQuery) -> Result<i64, OktaError> {
    match query.get("limit").filter(|v| !v.is_empty()) {
        None => Ok(DEFAULT_LIMIT),
        Some(v) => v
            .parse::<i64>()
            .ok()
            .filter(|n| (0..=MAX_LIMIT).contains(n))
            .ok_or_else(|| Validation::one("limit", &format!("must be an integer between 0 and {MAX_LIMIT}"))),
    }
}

fn descending(query: &ApiQuery) -> Result<bool, OktaError> {
    match query.get("sortOrder").filter(|v| !v.is_empty()) {
        None => Ok(false),
        Some(v) if v.eq_ignore_ascii_case("ASCENDING") => Ok(false),
        Some(v) if v.eq_ignore_ascii_case("DESCENDING") => Ok(true),
        Some(_) => Err(Validation::one("sortOrder", "must be ASCENDING or DESCENDING")),
    }
}

/// The request's path and query without `since` (a `next` link carries the bound in `after`).
fn without_since(uri: &Uri) -> Uri {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in url::form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes()) {
        if k != "since" {
            query.append_pair(&k, &v);
        }
    }
    let query = query.finish();
    let text = if query.is_empty() { uri.path().to_owned() } else { format!("{}?{query}", uri.path()) };
    text.parse().unwrap_or_else(|_| uri.clone())
}

fn link(headers: &mut HeaderMap, url: &str, rel: &str) {
    if let Ok(v) = HeaderValue::from_str(&format!("<{url}>; rel=\"{rel}\"")) {
        headers.append(LINK, v);
    }
}

async fn list_logs(
    State(state): State<AppState>,
    _admin: Admin,
    query: ApiQuery,
    OriginalUri(uri): OriginalUri,
) -> Result<Response, OktaError> {
    let (since, until) = dates(&query)?;
    let limit = limit(&query)?;
    let descending = descending(&query)?;
    let after = query.get("after").filter(|a| !a.is_empty());
    if after.is_some() && since.is_some() {
        return Err(Validation::one("since", "The since and after parameters cannot be used together"));
    }
    let cursor = match after {
        None => None,
        Some(a) => Some(decode_cursor(a).ok_or_else(|| Validation::one("after", "is not a valid cursor"))?),
    };
    let now = state.clock.now_ms();
    if since.is_some_and(|s| s < now - MAX_SINCE_MS) {
        return Err(bad_request(
            "E0000053",
            "Invalid parameter: The since parameter is over 180 days prior to the current day.",
        ));
    }
    let filter = match query.get("filter").filter(|f| !f.trim().is_empty()) {
        None => None,
        Some(f) => Some(parse_filter(f)?),
    };
    let keywords = keywords(&query)?;

    let polling = until.is_none() && !descending;
    let upper = until.unwrap_or(now);
    let lower = cursor.map_or_else(|| since.unwrap_or(upper - DEFAULT_WINDOW_MS), |(_, s)| s);
    // An empty first poll continues after the newest event stored now: every older one in the
    // window was examined by this query. Read before the query, so nothing stored meanwhile is skipped.
    let newest = if polling && cursor.is_none() {
        let q = LogQuery { storage_order: true, descending: true, limit: 1, ..LogQuery::default() };
        state.store.list_events(&q).await?.first().map_or(0, |(seq, _)| *seq)
    } else {
        0
    };
    let store_query = LogQuery {
        since: Some(lower.max(now - RETENTION_MS)),
        until: (!polling).then_some(upper),
        after_seq: cursor.map(|(seq, _)| seq),
        storage_order: polling,
        descending,
        limit: limit + 1,
        filter,
        keywords,
        ..LogQuery::default()
    };
    let mut rows = state.store.list_events(&store_query).await?;
    let more = rows.len() > usize::try_from(limit).unwrap_or(usize::MAX);
    rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    let base = state.base();
    let mut headers = HeaderMap::new();
    let this = url_with_after(base, &uri, after);
    link(&mut headers, &this, "self");
    // Polling always links on, from the last event read (or where it stood); bounded queries
    // only while more remain.
    let next = match rows.last() {
        Some((seq, _)) if polling || more => Some(*seq),
        None if polling => Some(cursor.map_or(newest, |(seq, _)| seq)),
        _ => None,
    };
    if let Some(seq) = next {
        let url = url_with_after(base, &without_since(&uri), Some(&encode_cursor(seq, lower)));
        link(&mut headers, &url, "next");
    }
    let bodies: Vec<Value> = rows.into_iter().map(|(_, r)| r.body).collect();
    Ok((headers, Json(bodies)).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_iso8601_forms() {
        assert_eq!(parse_date("2026-03-01T09:31:02.353Z"), Some(1_772_357_462_353));
        assert_eq!(parse_date("2026-03-01T09:31:02.353+00:00"), Some(1_772_357_462_353));
        assert_eq!(parse_date("2026-03-01T10:31:02.353 01:00"), Some(1_772_357_462_353));
        assert_eq!(parse_date("2026-03-01T09:31:02.353"), Some(1_772_357_462_353));
        assert_eq!(parse_date("2026-03-01"), Some(1_772_323_200_000));
        assert_eq!(parse_date("yesterday"), None);
        assert_eq!(parse_date("2026-13-01T00:00:00Z"), None);
    }

    #[test]
    fn cursor_round_trip() {
        assert_eq!(decode_cursor(&encode_cursor(42, 1_772_357_462_353)), Some((42, 1_772_357_462_353)));
        assert_eq!(decode_cursor("not-a-cursor"), None);
        assert_eq!(decode_cursor(&URL_SAFE_NO_PAD.encode("-1:0")), None);
    }
}
