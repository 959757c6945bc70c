//! `/api/v1/authorizationServers` (okta-surface.md §11.4): custom authorization servers with
//! their signing keys, scopes, claims, access policies and rules. The org AS is not listed.
//!
//! Every write makes one store call carrying its System Log event (§14). Policies and rules keep
//! unique priorities in their parent: writing at a taken priority shifts the others down, and
//! priorities are renumbered 1..n in that one call.

pub(crate) mod claims;
mod keys;
pub(crate) mod policies;
pub(crate) mod rules;
pub(crate) mod scopes;
pub(crate) mod servers;
mod views;

use super::routes::ApiRoutes;
use crate::audit::Target;
use crate::domain::AuthServer;
use crate::http::error::OktaError;
use crate::state::AppState;
use crate::store::Page;

const BASE: &str = "/api/v1/authorizationServers";

#[must_use]
pub fn routes(r: ApiRoutes) -> ApiRoutes {
    let r = servers::routes(r);
    let r = keys::routes(r);
    let r = scopes::routes(r);
    let r = claims::routes(r);
    let r = policies::routes(r);
    rules::routes(r)
}

/// `{base}/api/v1/authorizationServers/{id}`.
fn server_url(state: &AppState, id: &str) -> String {
    format!("{}{BASE}/{id}", state.base())
}

/// The custom AS `id`, or 404 `E0000007`.
pub(crate) async fn load_server(state: &AppState, id: &str) -> Result<AuthServer, OktaError> {
    state.store.find_auth_server(id).await?.ok_or_else(|| OktaError::not_found(id, "AuthorizationServer"))
}

fn server_target(state: &AppState, s: &AuthServer) -> Target {
    Target::new(&s.id, "AuthorizationServer", &state.custom_issuer(&s.id), &s.name)
}

/// A page of an in-memory list ordered by the store: the rows after the one whose id is
/// `page.after`, at most `page.limit` of them, and the next cursor while more remain.
fn page_of<T>(rows: Vec<T>, page: &Page, id: impl Fn(&T) -> &str) -> (Vec<T>, Option<String>) {
    let start =
        page.after.as_deref().map_or(0, |after| rows.iter().position(|r| id(r) == after).map_or(rows.len(), |i| i + 1));
    let limit = usize::try_from(page.limit).unwrap_or(usize::MAX);
    let mut rest: Vec<T> = rows.into_iter().skip(start).collect();
    if rest.len() > limit {
        rest.truncate(limit);
        let next = rest.last().map(|r| id(r).to_owned());
        (rest, next)
    } else {
        (rest, None)
    }
}

/// Where an object asking for `wanted` lands among `siblings` (ids in priority order, itself
/// excluded), and the renumbered priorities 1..n of the siblings that change. A priority past
/// the end (or none) appends.
fn reprioritize(siblings: &[(String, i64)], wanted: Option<i64>) -> (i64, Vec<(String, i64)>) {
    let n = siblings.len();
    let slot = wanted.map_or(n, |p| usize::try_from(p.max(1) - 1).unwrap_or(0).min(n));
    let mut changes = Vec::new();
    for (i, (id, old)) in siblings.iter().enumerate() {
        let new = i64::try_from(if i < slot { i + 1 } else { i + 2 }).unwrap_or(i64::MAX);
        if new != *old {
            changes.push((id.clone(), new));
        }
    }
    (i64::try_from(slot + 1).unwrap_or(i64::MAX), changes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sib(p: &[(&str, i64)]) -> Vec<(String, i64)> {
        p.iter().map(|(i, n)| ((*i).to_owned(), *n)).collect()
    }

    #[test]
    fn inserting_at_a_taken_priority_shifts_the_rest_down() {
        let s = sib(&[("a", 1), ("b", 2), ("c", 3)]);
        assert_eq!(reprioritize(&s, Some(2)), (2, sib(&[("b", 3), ("c", 4)])));
        assert_eq!(reprioritize(&s, Some(1)), (1, sib(&[("a", 2), ("b", 3), ("c", 4)])));
        assert_eq!(reprioritize(&s, None), (4, vec![]));
        assert_eq!(reprioritize(&s, Some(99)), (4, vec![]));
        assert_eq!(reprioritize(&sib(&[("a", 1), ("c", 3)]), Some(2)), (2, vec![]));
        assert_eq!(reprioritize(&sib(&[("a", 1), ("c", 7)]), Some(1)), (1, sib(&[("a", 2), ("c", 3)])));
    }

    #[test]
    fn paging_in_memory_follows_the_cursor() {
        let rows = vec!["a", "b", "c"];
        let page = Page { after: None, limit: 2 };
        assert_eq!(page_of(rows.clone(), &page, |r| r), (vec!["a", "b"], Some("b".into())));
        let page = Page { after: Some("b".into()), limit: 2 };
        assert_eq!(page_of(rows, &page, |r| r), (vec!["c"], None));
    }
}
