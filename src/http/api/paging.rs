//! Pagination (okta-surface.md §10, §13): `limit` and an opaque `after` cursor in, and out
//! either `Link` headers (`rel="self"`, and `rel="next"` while more remain, as two separate
//! fields) for `/api/v1`, or the `{data, _links}` body envelope for the AI-agent API. Every
//! URL is built from the external base URL, never from the Host header.

use super::body::{ApiQuery, Validation};
use crate::http::error::OktaError;
use crate::store::Page;
use axum::http::header::LINK;
use axum::http::{HeaderMap, HeaderValue, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use serde_json::{json, Value};

/// `limit` (default `default`, at most `max`; 1 or more) and `after` of a list request.
pub fn page(query: &ApiQuery, default: i64, max: i64) -> Result<Page, OktaError> {
    let limit = match query.get("limit") {
        None | Some("") => default,
        Some(v) => match v.parse::<i64>() {
            Ok(n) if (1..=max).contains(&n) => n,
            Ok(n) if n > max => max,
            _ => return Err(Validation::one("limit", &format!("must be an integer between 1 and {max}"))),
        },
    };
    Ok(Page { after: query.get("after").filter(|a| !a.is_empty()).map(str::to_owned), limit })
}

/// Asks the store for one row more than the page holds, to learn whether another page exists.
#[must_use]
pub fn probe(page: &Page) -> Page {
    Page { after: page.after.clone(), limit: page.limit + 1 }
}

/// Cuts a probed result to the page and returns the cursor of the next page, if any.
pub fn split<T>(mut rows: Vec<T>, page: &Page, cursor: impl Fn(&T) -> String) -> (Vec<T>, Option<String>) {
    let limit = usize::try_from(page.limit).unwrap_or(usize::MAX);
    if rows.len() > limit {
        rows.truncate(limit);
        let next = rows.last().map(cursor);
        (rows, next)
    } else {
        (rows, None)
    }
}

/// `{base}{path}?{query}` with `after` replaced by `after` (or removed).
#[must_use]
pub fn url_with_after(base: &str, uri: &Uri, after: Option<&str>) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in url::form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes()) {
        if k != "after" {
            query.append_pair(&k, &v);
        }
    }
    if let Some(a) = after {
        query.append_pair("after", a);
    }
    let query = query.finish();
    if query.is_empty() {
        format!("{base}{}", uri.path())
    } else {
        format!("{base}{}?{query}", uri.path())
    }
}

/// The `Link` headers of a page: `self` (the request as made), then `next` when `next` is set.
#[must_use]
pub fn link_headers(base: &str, uri: &Uri, next: Option<&str>) -> HeaderMap {
    let mut headers = HeaderMap::new();
    let this = url_with_after(base, uri, uri_after(uri).as_deref());
    if let Ok(v) = HeaderValue::from_str(&format!("<{this}>; rel=\"self\"")) {
        headers.append(LINK, v);
    }
    if let Some(after) = next {
        let next = url_with_after(base, uri, Some(after));
        if let Ok(v) = HeaderValue::from_str(&format!("<{next}>; rel=\"next\"")) {
            headers.append(LINK, v);
        }
    }
    headers
}

fn uri_after(uri: &Uri) -> Option<String> {
    url::form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "after")
        .map(|(_, v)| v.into_owned())
}

/// A `/api/v1` list: a JSON array with `Link` headers.
pub fn list<T: Serialize>(base: &str, uri: &Uri, items: &[T], next: Option<&str>) -> Response {
    (link_headers(base, uri, next), Json(items)).into_response()
}

/// A `/workload-principals/api/v1` list: `{"data":[…],"_links":{"self":…,"next":…}}`.
pub fn envelope<T: Serialize>(base: &str, uri: &Uri, items: &[T], next: Option<&str>) -> Response {
    let mut links = json!({"self": {"href": url_with_after(base, uri, uri_after(uri).as_deref())}});
    if let Some(after) = next {
        links["next"] = json!({"href": url_with_after(base, uri, Some(after))});
    }
    Json(json!({"data": items, "_links": links})).into_response()
}

/// `{"href": url}`, and `{"href", "method"}` for lifecycle links.
#[must_use]
pub fn href(url: impl Into<String>) -> Value {
    let url: String = url.into();
    json!({ "href": url })
}

#[must_use]
pub fn action(url: impl Into<String>, method: &str) -> Value {
    let url: String = url.into();
    json!({ "href": url, "method": method })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_link_replaces_after_and_keeps_the_rest() {
        let uri: Uri = "/api/v1/users?limit=2&after=00ua&search=status%20eq%20%22ACTIVE%22".parse().unwrap();
        let h = link_headers("https://idp.example", &uri, Some("00ub"));
        let links: Vec<_> = h.get_all(LINK).iter().map(|v| v.to_str().unwrap().to_owned()).collect();
        assert_eq!(
            links,
            vec![
                "<https://idp.example/api/v1/users?limit=2&search=status+eq+%22ACTIVE%22&after=00ua>; rel=\"self\"",
                "<https://idp.example/api/v1/users?limit=2&search=status+eq+%22ACTIVE%22&after=00ub>; rel=\"next\"",
            ]
        );
    }

    #[test]
    fn split_reports_a_next_cursor_only_when_more_remain() {
        let page = Page { after: None, limit: 2 };
        assert_eq!(split(vec![1, 2, 3], &page, ToString::to_string), (vec![1, 2], Some("2".into())));
        assert_eq!(split(vec![1, 2], &page, ToString::to_string), (vec![1, 2], None));
    }
}
