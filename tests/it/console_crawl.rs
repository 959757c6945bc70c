//! The admin console crawled: starting at `/admin` and `/me` with the Streamward seed
//! loaded, every console page a link reaches answers without a server error and with the
//! security headers, and every POST form found on any of them carries a CSRF field and rejects
//! a POST without its token (403, nothing written). A form added later without CSRF protection
//! fails here without anyone having to list it.

use crate::common;
use crate::console;

use common::Backend;
use console::{seeded_console_server, Client};
use regex::Regex;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

backend_tests!(every_reachable_form_needs_its_csrf_token);

/// More pages than the seeded console has; a crawl that goes past it is following a loop.
const MAX_PAGES: usize = 400;

fn unescape(href: &str) -> String {
    href.replace("&amp;", "&").replace("&#x2F;", "/").replace("&#47;", "/")
}

/// A console path to crawl: same-origin `/admin` or `/me` page, query and fragment dropped
/// (filters and paging show the same forms).
fn crawlable(href: &str) -> Option<String> {
    let path = href.split(['#', '?']).next().unwrap_or_default();
    let console = path == "/admin" || path.starts_with("/admin/") || path == "/me" || path.starts_with("/me/");
    (console && path != "/admin/login").then(|| path.to_owned())
}

async fn every_reachable_form_needs_its_csrf_token(backend: Backend) {
    let Some(s) = seeded_console_server(backend).await else { return };
    let mut c = Client::admin(&s).await;
    // An app made here too, so its page shows the secret forms.
    let made = c
        .post(
            "/admin/apps",
            &[("label", "Crawled app"), ("application_type", "service"), ("grant_client_credentials", "on")],
        )
        .await;
    assert_eq!(made.status, 200, "{}", made.body);

    let href = Regex::new(r#"href="([^"]+)""#).unwrap();
    let form = Regex::new(r"(?s)<form\b([^>]*)>(.*?)</form>").unwrap();
    let method_post = Regex::new(r#"method="post""#).unwrap();
    let action = Regex::new(r#"action="([^"]*)""#).unwrap();
    let mut queue: VecDeque<String> = ["/admin".to_owned(), "/me".to_owned()].into();
    let mut seen: BTreeSet<String> = queue.iter().cloned().collect();
    // action → the page it was found on
    let mut forms: BTreeMap<String, String> = BTreeMap::new();
    while let Some(path) = queue.pop_front() {
        assert!(seen.len() <= MAX_PAGES, "the crawl went past {MAX_PAGES} pages");
        let page = c.get(&path).await;
        assert!(page.status < 500, "{path}: {} {}", page.status, page.body);
        if page.status != 200 {
            continue;
        }
        assert!(page.header("content-security-policy").contains("frame-ancestors 'none'"), "{path}");
        assert_eq!(page.header("cache-control"), "no-store", "{path}");
        for link in href.captures_iter(&page.body) {
            if let Some(next) = crawlable(&unescape(&link[1])) {
                if seen.insert(next.clone()) {
                    queue.push_back(next);
                }
            }
        }
        for f in form.captures_iter(&page.body) {
            if !method_post.is_match(&f[1]) {
                continue;
            }
            let target = action.captures(&f[1]).map_or_else(|| path.clone(), |a| unescape(&a[1]));
            assert!(f[2].contains(r#"name="csrf_token""#), "the form posting to {target} on {path} has no CSRF field");
            forms.entry(target).or_insert_with(|| path.clone());
        }
    }
    assert!(seen.len() > 25, "the crawl reached only {seen:?}");
    for must in ["/admin/users", "/admin/agents", "/admin/auth-servers", "/admin/connections", "/admin/keys", "/me"] {
        assert!(seen.contains(must), "{must} not reached: {seen:?}");
    }

    let since = baton::clock::iso8601(s.clock.now_ms() - 3_600_000);
    let log = format!("/api/v1/logs?limit=1000&since={since}");
    let before = s.api_get(&log).await.expect(200).as_array().unwrap().len();
    let forged = "A".repeat(43);
    for (target, found_on) in &forms {
        // Fields every console form might want, so a 403 is the token's doing and not a
        // validation error's.
        let fields = [("name", "Crawled"), ("label", "Crawled"), ("login", "crawl@example.com")];
        let bare = c.post_raw(target, &fields).await;
        assert_eq!(bare.status, 403, "POST {target} (from {found_on}) without a token: {}", bare.body);
        let mut wrong = fields.to_vec();
        wrong.push(("csrf_token", &forged));
        assert_eq!(c.post_raw(target, &wrong).await.status, 403, "POST {target} (from {found_on}) with a forged token");
    }
    assert!(forms.len() > 30, "only {} forms found: {:?}", forms.len(), forms.keys());
    assert_eq!(s.api_get(&log).await.expect(200).as_array().unwrap().len(), before, "a rejected POST wrote an event");
    // Still signed in: the rejected sign-out did nothing.
    assert_eq!(c.get("/admin").await.status, 200);
}
