//! The System Log API `GET /api/v1/logs` (okta-surface.md §12): SCIM filters and `q` compiled
//! to SQL, `since`/`until`, ordering, bounded paging and polling through `next` links, retention
//! and every error body.

use crate::common;

use baton::audit::{Actor, Context, Event, Target};
use baton::domain::{LogRecord, Millis};
use common::api::api_server;
use common::{Backend, TestServer};
use reqwest::Method;
use serde_json::{json, Value};

const DAY: Millis = 86_400_000;

/// A frozen "now" ten days after the real one (the admin token stays within its 30-day window), so events of the server's own start-up (at the
/// real time) fall outside the default seven-day window.
fn freeze(s: &TestServer) -> Millis {
    let real =
        Millis::try_from(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis())
            .unwrap();
    let now = (real / 1000) * 1000 + 10 * DAY;
    s.clock.freeze_at(now);
    now
}

fn iso(ms: Millis) -> String {
    baton::clock::iso8601(ms)
}

/// `/api/v1/logs?{params}`, form-encoded.
fn logs(params: &[(&str, &str)]) -> String {
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in params {
        q.append_pair(k, v);
    }
    format!("/api/v1/logs?{}", q.finish())
}

struct Ev<'a> {
    kind: &'a str,
    message: &'a str,
    actor: &'a str,
    targets: &'a [(&'a str, &'a str)],
}

fn event(e: &Ev<'_>) -> Event {
    let actor = Actor::new(e.actor, "User", &format!("{}@example.com", e.actor), &format!("Person {}", e.actor));
    let mut ev = Event::new(e.kind, e.message, actor);
    for (id, kind) in e.targets {
        ev = ev.target(Target::new(id, kind, &format!("{}@alt", id.to_lowercase()), &format!("Name {id}")));
    }
    ev
}

async fn append(s: &TestServer, records: &[LogRecord]) {
    s.state.store.append_events(records).await.unwrap();
}

/// The `displayMessage`s of a 200 answer, in order.
fn messages(body: &Value) -> Vec<String> {
    body.as_array().unwrap().iter().map(|e| e["displayMessage"].as_str().unwrap().to_owned()).collect()
}

async fn get_messages(s: &TestServer, params: &[(&str, &str)]) -> Vec<String> {
    messages(&s.api_get(&logs(params)).await.expect(200))
}

/// Four events a few seconds before `now`: `Alpha "one"`, `Beta two`, `Alpha three`, `Gamma four`.
async fn four_events(s: &TestServer, now: Millis) -> Vec<LogRecord> {
    let ctx = Context::system();
    let e1 = event(&Ev {
        kind: "test.alpha",
        message: "Alpha \"one\"",
        actor: "u1",
        targets: &[("A", "User"), ("AS1", "AuthorizationServer")],
    })
    .build(&ctx, now - 5000);
    let e2 = event(&Ev { kind: "test.beta", message: "Beta two", actor: "u2", targets: &[("B", "User")] })
        .failure("invalid_grant")
        .build(&Context::system(), now - 4000);
    let e3 = event(&Ev {
        kind: "test.alpha",
        message: "Alpha three",
        actor: "u2",
        targets: &[("A", "User"), ("B", "User")],
    })
    .build(&Context::system(), now - 3000);
    let e4 = event(&Ev { kind: "test.gamma", message: "Gamma four", actor: "u1", targets: &[] })
        .client("0oaclient")
        .build(&Context::system(), now - 2000);
    let all = vec![e1, e2, e3, e4];
    append(s, &all).await;
    all
}

async fn filters(backend: Backend) {
    let Some(s) = api_server(backend).await else { return };
    let now = freeze(&s);
    let ev = four_events(&s, now).await;
    let (e1, e2, e3, e4) = ("Alpha \"one\"", "Beta two", "Alpha three", "Gamma four");
    let cases: Vec<(String, Vec<&str>)> = vec![
        (r#"eventType eq "test.alpha""#.into(), vec![e1, e3]),
        (r#"eventType EQ "TEST.ALPHA""#.into(), vec![e1, e3]),
        (r#"target.id eq "B""#.into(), vec![e2, e3]),
        (r#"target.id eq "A" and target.id eq "B""#.into(), vec![e3]),
        (r#"target.id eq "A" or actor.id eq "u1""#.into(), vec![e1, e3, e4]),
        (r#"not (eventType eq "test.alpha")"#.into(), vec![e2, e4]),
        (r#"(eventType eq "test.alpha" or eventType eq "test.beta") and actor.id eq "u2""#.into(), vec![e2, e3]),
        (r#"eventType eq "test.alpha" or eventType eq "test.beta" and actor.id eq "u1""#.into(), vec![e1, e3]),
        (r#"outcome.result eq "FAILURE""#.into(), vec![e2]),
        (r#"severity eq "warn""#.into(), vec![e2]),
        (r#"outcome.reason eq "invalid_grant""#.into(), vec![e2]),
        (r#"displayMessage sw "alpha""#.into(), vec![e1, e3]),
        (r#"displayMessage co "THREE""#.into(), vec![e3]),
        (r#"displayMessage ew "four""#.into(), vec![e4]),
        (r#"displayMessage eq "Alpha \"one\"""#.into(), vec![e1]),
        (r#"displayMessage co "%""#.into(), vec![]),
        (r#"client.id eq "0oaclient""#.into(), vec![e4]),
        ("client.id pr".into(), vec![e4]),
        ("not (client.id pr)".into(), vec![e1, e2, e3]),
        (r#"target.type eq "AuthorizationServer""#.into(), vec![e1]),
        (r#"target.alternateId eq "b@alt""#.into(), vec![e2, e3]),
        (r#"actor.alternateId eq "U1@example.com""#.into(), vec![e1, e4]),
        (r#"actor.displayName sw "Person u2" and target.id ew "A""#.into(), vec![e3]),
        (format!(r#"transaction.id eq "{}""#, ev[1].transaction_id), vec![e2]),
        (format!(r#"debugContext.debugData.requestId eq "{}""#, ev[1].transaction_id), vec![e2]),
        (format!(r#"uuid eq "{}""#, ev[2].uuid), vec![e3]),
        (format!(r#"uuid gt "{}""#, ev[2].uuid), {
            let mut later: Vec<(&str, &str)> =
                ev.iter().zip([e1, e2, e3, e4]).map(|(r, m)| (r.uuid.as_str(), m)).collect();
            later.retain(|(u, _)| *u > ev[2].uuid.as_str());
            let mut names: Vec<&str> = later.into_iter().map(|(_, m)| m).collect();
            names.sort_by_key(|m| [e1, e2, e3, e4].iter().position(|x| x == m));
            names
        }),
    ];
    for (filter, want) in cases {
        assert_eq!(get_messages(&s, &[("filter", &filter)]).await, want, "filter {filter}");
    }
    let q_cases: Vec<(&str, Vec<&str>)> = vec![
        ("alpha", vec![e1, e3]),
        ("ALPHA three", vec![e3]),
        ("b@alt", vec![e2, e3]),
        ("name as1", vec![e1]),
        ("invalid_grant", vec![e2]),
        ("u1@EXAMPLE", vec![e1, e4]),
        ("test.gamma", vec![e4]),
        ("50%", vec![]),
    ];
    for (q, want) in q_cases {
        assert_eq!(get_messages(&s, &[("q", q)]).await, want, "q {q}");
    }
    assert_eq!(get_messages(&s, &[("q", "alpha"), ("filter", r#"actor.id eq "u2""#)]).await, vec![e3]);
    // The bodies are the stored LogEvents.
    let body = s.api_get(&logs(&[("filter", r#"eventType eq "test.beta""#)])).await.expect(200);
    assert_eq!(body, json!([ev[1].body]));
}

async fn since_until_order_and_retention(backend: Backend) {
    let Some(s) = api_server(backend).await else { return };
    let now = freeze(&s);
    four_events(&s, now).await;
    let window = [("since", iso(now - 4000)), ("until", iso(now - 2000))];
    let params: Vec<(&str, &str)> = window.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(get_messages(&s, &params).await, ["Beta two", "Alpha three"]);
    assert_eq!(
        get_messages(&s, &[("sortOrder", "DESCENDING")]).await,
        ["Gamma four", "Alpha three", "Beta two", "Alpha \"one\""]
    );
    let since = iso(now - 3500);
    assert_eq!(
        get_messages(&s, &[("sortOrder", "DESCENDING"), ("since", &since)]).await,
        ["Gamma four", "Alpha three"]
    );
    // An offset date-time is understood.
    let until = time::OffsetDateTime::from_unix_timestamp((now - 3000) / 1000)
        .unwrap()
        .to_offset(time::UtcOffset::from_hms(2, 0, 0).unwrap())
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    assert_eq!(get_messages(&s, &[("until", &until)]).await, ["Alpha \"one\"", "Beta two"]);
    // Older than 90 days is never returned, even when `since` asks for it.
    let old = event(&Ev { kind: "test.old", message: "Old", actor: "u1", targets: &[] })
        .build(&Context::system(), now - 91 * DAY);
    let recent = event(&Ev { kind: "test.old", message: "Recent", actor: "u1", targets: &[] })
        .build(&Context::system(), now - 89 * DAY);
    append(&s, &[old, recent]).await;
    let since = iso(now - 120 * DAY);
    assert_eq!(get_messages(&s, &[("since", &since), ("filter", r#"eventType eq "test.old""#)]).await, ["Recent"]);
    // The default window is the seven days before `until`.
    assert_eq!(get_messages(&s, &[("filter", r#"eventType eq "test.old""#)]).await, Vec::<String>::new());
}

async fn paging_events(s: &TestServer, now: Millis) {
    let records: Vec<LogRecord> = (0..8)
        .map(|i| {
            let message = format!("Page {i}");
            event(&Ev { kind: "test.page", message: &message, actor: "u1", targets: &[] })
                .build(&Context::system(), now - 10_000 + i * 1000)
        })
        .collect();
    append(s, &records).await;
}

/// Follows `next` links from `first`, returning the pages' messages and asserting each link.
async fn follow(s: &TestServer, first: &str, max_pages: usize) -> Vec<Vec<String>> {
    let mut pages = Vec::new();
    let mut url = first.to_owned();
    loop {
        let r = s.api_get(&url).await;
        let links = r.links();
        let next = r.next();
        assert!(links[0].ends_with("rel=\"self\""), "{links:?}");
        pages.push(messages(&r.expect(200)));
        match next {
            None => return pages,
            Some(n) => {
                assert!(n.starts_with(&s.url("/api/v1/logs?")), "{n}");
                assert!(!n.contains("since="), "a next link carries no since: {n}");
                url = n;
            }
        }
        assert!(pages.len() < max_pages, "too many pages: {pages:?}");
    }
}

async fn bounded_paging(backend: Backend) {
    let Some(s) = api_server(backend).await else { return };
    let now = freeze(&s);
    paging_events(&s, now).await;
    let filter = r#"eventType eq "test.page""#;
    let since = iso(now - 9_500);
    let until = iso(now);
    let first = logs(&[("since", &since), ("until", &until), ("limit", "3"), ("filter", filter)]);
    let pages = follow(&s, &first, 5).await;
    let want: Vec<Vec<String>> =
        vec![vec!["Page 1", "Page 2", "Page 3"], vec!["Page 4", "Page 5", "Page 6"], vec!["Page 7"]]
            .into_iter()
            .map(|p| p.into_iter().map(String::from).collect())
            .collect();
    assert_eq!(pages, want);
    // The self link is the request as made, on the external base URL.
    let r = s.api_get(&first).await;
    assert_eq!(r.links()[0], format!("<{}>; rel=\"self\"", s.url(&first)));
    // Descending keeps the `since` bound through the cursor.
    let first = logs(&[("since", &since), ("sortOrder", "DESCENDING"), ("limit", "4"), ("filter", filter)]);
    let pages = follow(&s, &first, 5).await;
    assert_eq!(
        pages,
        vec![vec!["Page 7", "Page 6", "Page 5", "Page 4"], vec!["Page 3", "Page 2", "Page 1"]]
            .into_iter()
            .map(|p| p.into_iter().map(String::from).collect::<Vec<_>>())
            .collect::<Vec<_>>()
    );
    // An exact multiple of the limit: the last full page has no next link.
    let first = logs(&[("until", &until), ("limit", "8"), ("filter", filter)]);
    assert_eq!(follow(&s, &first, 3).await.len(), 1);
    // Limit bounds: 0 and 1000 are accepted.
    let r = s.api_get(&logs(&[("until", &until), ("limit", "0"), ("filter", filter)])).await;
    assert!(r.next().is_none());
    assert_eq!(r.expect(200), json!([]));
    assert_eq!(get_messages(&s, &[("until", &until), ("limit", "1000"), ("filter", filter)]).await.len(), 8);
}

async fn polling(backend: Backend) {
    let Some(s) = api_server(backend).await else { return };
    let now = freeze(&s);
    let filter = r#"eventType eq "test.poll""#;
    let since = iso(now - 60_000);
    // An empty poll still links on.
    let r = s.api_get(&logs(&[("since", &since), ("filter", filter), ("limit", "2")])).await;
    let mut next = r.next().expect("polling always has a next link");
    assert_eq!(r.expect(200), json!([]));
    let poll = |message: &'static str, at: Millis| {
        event(&Ev { kind: "test.poll", message, actor: "u1", targets: &[] }).build(&Context::system(), at)
    };
    // Storage order: p3 was published before p2 but stored after it.
    append(&s, &[poll("p1", now - 3000), poll("p2", now - 1000)]).await;
    append(&s, &[poll("p3", now - 2000)]).await;
    let mut seen = Vec::new();
    for _ in 0..3 {
        let r = s.api_get(&next).await;
        next = r.next().expect("next");
        assert!(!next.contains("since="));
        seen.push(messages(&r.expect(200)));
    }
    assert_eq!(seen, vec![vec!["p1", "p2"], vec!["p3"], vec![]]);
    // New events appear after the cursor, and only they.
    append(&s, &[poll("p4", now)]).await;
    s.clock.advance(1000);
    let r = s.api_get(&next).await;
    assert!(r.next().is_some());
    assert_eq!(messages(&r.expect(200)), ["p4"]);
    // Without `since`, a poll starts seven days back.
    assert_eq!(get_messages(&s, &[("filter", filter)]).await, ["p1", "p2", "p3", "p4"]);
}

async fn errors(backend: Backend) {
    let Some(s) = api_server(backend).await else { return };
    let now = freeze(&s);
    let date_error = s.api_get(&logs(&[("until", "yesterday")])).await.okta_error(400, "E0000001");
    assert_eq!(
        date_error["errorSummary"],
        "Api validation failed: 'until': The date format in your query is not recognized. Please enter dates using \
         ISO8601 string format. 'until': must be a valid date-time or empty."
    );
    assert_eq!(
        date_error["errorCauses"],
        json!([
            {"errorSummary": "until: The date format in your query is not recognized. Please enter dates using ISO8601 string format."},
            {"errorSummary": "until: must be a valid date-time or empty."}
        ])
    );
    let both = s.api_get(&logs(&[("since", "2026-02-30T00:00:00Z"), ("until", "x")])).await.okta_error(400, "E0000001");
    assert_eq!(both["errorCauses"].as_array().unwrap().len(), 4);
    assert_eq!(
        both["errorCauses"][0]["errorSummary"],
        "since: The date format in your query is not recognized. Please enter dates using ISO8601 string format."
    );
    // Empty dates are the defaults.
    s.api_get(&logs(&[("since", ""), ("until", "")])).await.expect(200);

    let filter = r#"eventType eqq "x""#;
    let e = s.api_get(&logs(&[("filter", filter)])).await.okta_error(400, "E0000053");
    assert_eq!(
        e["errorSummary"],
        r#"Invalid filter 'eventType eqq "x"': Unrecognized attribute operator 'eqq' at position 10. Expected: eq,co,sw,pr,gt,ge,lt,le"#
    );
    let e = s.api_get(&logs(&[("filter", r#"eventType eq "x"#)])).await.okta_error(400, "E0000053");
    assert_eq!(e["errorSummary"], r#"Invalid filter 'eventType eq "x': Unterminated string at position 13"#);
    let e = s.api_get(&logs(&[("filter", r#"published gt "2026-01-01T00:00:00Z""#)])).await.okta_error(400, "E0000031");
    assert_eq!(
        e["errorSummary"],
        "The supplied combination of operator and field is not currently supported. Operator: gt, Field: published"
    );
    let e =
        s.api_get(&logs(&[("filter", r#"debugContext.debugData.url co "/oauth/""#)])).await.okta_error(400, "E0000031");
    assert_eq!(
        e["errorSummary"],
        "The supplied combination of operator and field is not currently supported. Operator: co, Field: debugContext.debugData.url"
    );
    // Attributes are case-sensitive.
    let e = s.api_get(&logs(&[("filter", r#"eventtype eq "x""#)])).await.okta_error(400, "E0000053");
    assert_eq!(e["errorSummary"], "field is not valid: eventtype");

    let e = s.api_get(&logs(&[("since", &iso(now - 181 * DAY))])).await.okta_error(400, "E0000053");
    assert_eq!(e["errorSummary"], "Invalid parameter: The since parameter is over 180 days prior to the current day.");
    s.api_get(&logs(&[("since", &iso(now - 179 * DAY))])).await.expect(200);

    // `after` comes from a next link, which never carries `since`.
    let r = s.api_get(&logs(&[("limit", "1")])).await;
    let next = r.next().unwrap();
    let e = s.api_get(&format!("{next}&since={}", iso(now - DAY))).await.okta_error(400, "E0000001");
    assert_eq!(e["errorSummary"], "Api validation failed: since");
    s.api_get(&logs(&[("after", "garbage")])).await.okta_error(400, "E0000001");

    for bad in ["1001", "-1", "ten"] {
        let e = s.api_get(&logs(&[("limit", bad)])).await.okta_error(400, "E0000001");
        assert_eq!(e["errorSummary"], "Api validation failed: limit");
        assert_eq!(e["errorCauses"][0]["errorSummary"], "limit: must be an integer between 0 and 1000");
    }
    s.api_get(&logs(&[("sortOrder", "SIDEWAYS")])).await.okta_error(400, "E0000001");

    let long = "x".repeat(41);
    let e = s.api_get(&logs(&[("q", &long)])).await.okta_error(400, "E0000001");
    assert_eq!(
        e["errorSummary"],
        "Api validation failed: 'q': Freeform search cannot contain items longer than 40 characters. Please shorten \
         the items in your search or use an advanced filter to query by specific fields."
    );
    s.api_get(&logs(&[("q", &"x".repeat(40))])).await.expect(200);
    s.api_get(&logs(&[("q", "a b c d e f g h i j k")])).await.okta_error(400, "E0000001");
    s.api_get(&logs(&[("q", "a b c d e f g h i j")])).await.expect(200);

    // SSWS is required.
    s.api_as("not-the-token-at-all-000000", Method::GET, "/api/v1/logs", None).await.okta_error(401, "E0000011");
}

backend_tests!(filters, since_until_order_and_retention, bounded_paging, polling, errors);
