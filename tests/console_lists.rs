//! The console's lists page through every row (issue 6): 250 matching users (and as many that
//! do not match) are walked with "Next page" links that keep the search, each user on exactly
//! one page, the later pages linking back to the first; a group's 250 members likewise. Groups,
//! apps and AI agents use the same paging.

mod common;
mod console;

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
    let login = Regex::new(r">(pager\d{3}@example\.com)</a>").unwrap();
    let other = Regex::new(r">other\d{3}@example\.com</a>").unwrap();
    let next = Regex::new(r#"href="([^"]+)" rel="next""#).unwrap();
    let mut seen = BTreeSet::new();
    let mut url = "/admin/users?q=pager".to_owned();
    let mut pages = 0;
    loop {
        let page = c.get(&url).await;
        let body = page.expect(200);
        pages += 1;
        let logins: Vec<String> = login.captures_iter(body).map(|m| m[1].to_owned()).collect();
        assert!(!logins.is_empty() && logins.len() <= 100, "page {pages}: {} rows", logins.len());
        for l in logins {
            assert!(seen.insert(l.clone()), "{l} on two pages");
        }
        assert!(!other.is_match(body), "the search holds on page {pages}");
        assert_eq!(body.contains(r#"href="/admin/users?q=pager" id="first-page""#), pages > 1, "page {pages}");
        match next.captures(body) {
            Some(m) => {
                url = m[1].replace("&#38;", "&").replace("&amp;", "&");
                assert!(url.starts_with("/admin/users?q=pager&after=00u"), "{url}");
            }
            None => break,
        }
        assert!(pages < 10, "the pages do not end");
    }
    assert_eq!((seen.len(), pages), (250, 3));

    // Unfiltered: the 500 users, the bootstrap admin and the pager across six pages.
    let mut total = 0;
    let mut url = "/admin/users".to_owned();
    loop {
        let body = c.get(&url).await.expect(200).to_owned();
        total += body.matches(r#"<tr><td><a href="/admin/users/"#).count();
        match next.captures(&body) {
            Some(m) => url = m[1].replace("&#38;", "&").replace("&amp;", "&"),
            None => break,
        }
    }
    assert_eq!(total, 501);

    // A group's members page the same way.
    let (mut members, mut pages) = (BTreeSet::new(), 0);
    let mut url = format!("/admin/groups/{gid}");
    loop {
        let body = c.get(&url).await.expect(200).to_owned();
        pages += 1;
        for m in login.captures_iter(&body) {
            assert!(members.insert(m[1].to_owned()), "{} on two pages", &m[1]);
        }
        match next.captures(&body) {
            Some(m) => url = m[1].replace("&#38;", "&").replace("&amp;", "&"),
            None => break,
        }
    }
    assert_eq!((members, pages), (seen, 3));
}
