//! The console's lists page through every row: 250 matching users (and as many that
//! do not match) are walked with "Next page" links that keep the search, each user on exactly
//! one page, the later pages linking back to the first; the access graph's user picker and a
//! group's 250 members likewise. Groups, apps and AI agents use the same paging.

use crate::common;
use crate::console;

use common::Backend;
use console::{console_server, Client};
use regex::Regex;
use serde_json::json;
use std::collections::BTreeSet;

backend_tests!(every_user_is_one_next_page_away);

async fn every_user_is_one_next_page_away(backend: Backend) {
    let Some(s) = console_server(backend).await else { return };
    let group = s.api_post("/api/v1/groups", &json!({"profile": {"name": "Paged"}})).await.expect(200);
    let gid = group["id"].as_str().unwrap().to_owned();
    for i in 0..250 {
        for kind in ["pager", "other"] {
            let login = format!("{kind}{i:03}@example.com");
            let profile = json!({"login": login, "email": login, "firstName": "P", "lastName": "Q"});
            let user = s.api_post("/api/v1/users?activate=false", &json!({ "profile": profile })).await.expect(200);
            if kind == "pager" {
                let member = format!("/api/v1/groups/{gid}/users/{}", user["id"].as_str().unwrap());
                assert_eq!(s.api_put(&member, &json!({})).await.status, 204);
            }
        }
    }
    let mut c = Client::admin(&s).await;
    let (seen, pages) = walk(&mut c, "/admin/users?q=pager").await;
    assert_eq!((seen.len(), pages), (250, 3));
    // The access graph's user picker searches and pages the same way.
    assert_eq!(walk(&mut c, "/admin/graph?q=pager").await, (seen.clone(), 3));

    // Unfiltered: the 500 users and the bootstrap admin across six pages.
    let mut total = 0;
    let mut url = "/admin/users".to_owned();
    loop {
        let body = c.get(&url).await.expect(200).to_owned();
        total += body.matches(r#"<tr><td><a href="/admin/users/"#).count();
        match next_page(&body) {
            Some(next) => url = next,
            None => break,
        }
    }
    assert_eq!(total, 501);

    // A group's members page the same way.
    assert_eq!(walk(&mut c, &format!("/admin/groups/{gid}")).await, (seen, 3));
}

/// The "Next page" link of a list page, unescaped.
fn next_page(body: &str) -> Option<String> {
    let next = Regex::new(r#"href="([^"]+)" rel="next""#).unwrap();
    next.captures(body).map(|m| m[1].replace("&#38;", "&").replace("&amp;", "&"))
}

/// Follows "Next page" from `start`, collecting the `pager…` logins: each on one page only, no
/// `other…` login, at most 100 rows a page, a "First page" link from the second page on.
/// Returns the logins and the number of pages.
async fn walk(c: &mut Client<'_>, start: &str) -> (BTreeSet<String>, usize) {
    let login = Regex::new(r">(pager\d{3}@example\.com)</a>").unwrap();
    let other = Regex::new(r">other\d{3}@example\.com</a>").unwrap();
    let (mut seen, mut pages, mut url) = (BTreeSet::new(), 0, start.to_owned());
    loop {
        let body = c.get(&url).await.expect(200).to_owned();
        pages += 1;
        let logins: Vec<String> = login.captures_iter(&body).map(|m| m[1].to_owned()).collect();
        assert!(!logins.is_empty() && logins.len() <= 100, "{url}: {} rows", logins.len());
        for l in logins {
            assert!(seen.insert(l.clone()), "{l} on two pages of {start}");
        }
        assert!(!other.is_match(&body), "the search holds on {url}");
        assert_eq!(body.contains(r#"id="first-page""#), pages > 1, "{url}");
        match next_page(&body) {
            Some(next) => {
                assert!(next.contains("after="), "{next}");
                url = next;
            }
            None => break,
        }
        assert!(pages < 10, "the pages of {start} do not end");
    }
    (seen, pages)
}
