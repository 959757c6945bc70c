//! A small browser for the interactive endpoints: a cookie jar, GET and form POST without
//! following redirects, and parsing of baton's HTML forms (hidden fields, CSRF token), so that
//! tests drive the real sign-in and consent pages. Also the Streamward constants, PKCE pairs,
//! authorize URLs and System Log reads these tests share.

#![allow(dead_code)]

use crate::common::{Backend, TestServer};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use baton::store::LogQuery;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::PathBuf;

pub const USER_ID: &str = "00u1rsjejbueuQNhB1d7";
pub const LOGIN: &str = "demouser@streamward.com";
pub const PASSWORD: &str = "Streamward-Demo-2026!";
pub const CHAT: &str = "0oarbboyj0J3R67xy1d7";
pub const CHAT_REDIRECT: &str = "http://localhost:3000/callback";
pub const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

/// `BASE64URL(SHA256(verifier))` (RFC 7636 §4.2).
pub fn challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// A server with the Streamward seed.
pub async fn seeded(backend: Backend) -> Option<TestServer> {
    TestServer::start_with(backend, |c| {
        c.seed = Some(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/streamward.yaml"));
    })
    .await
}

/// `/oauth2/v1/{endpoint}` (org) or `/oauth2/{as}/v1/{endpoint}`.
pub fn endpoint(auth_server: Option<&str>, name: &str) -> String {
    match auth_server {
        Some(id) => format!("/oauth2/{id}/v1/{name}"),
        None => format!("/oauth2/v1/{name}"),
    }
}

/// The parameters of a valid chat-app request; tests override or remove entries.
pub fn chat_request(scope: &str) -> Vec<(String, String)> {
    [
        ("client_id", CHAT),
        ("redirect_uri", CHAT_REDIRECT),
        ("response_type", "code"),
        ("scope", scope),
        ("state", "st-123_abc.X,Y"),
        ("nonce", "n-0S6_WzA2Mj"),
        ("code_challenge", &challenge(VERIFIER)),
        ("code_challenge_method", "S256"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect()
}

/// Sets (or adds) `name`; `None` removes it.
pub fn with(mut params: Vec<(String, String)>, name: &str, value: Option<&str>) -> Vec<(String, String)> {
    params.retain(|(k, _)| k != name);
    if let Some(v) = value {
        params.push((name.to_owned(), v.to_owned()));
    }
    params
}

pub fn encode(params: &[(String, String)]) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in params {
        s.append_pair(k, v);
    }
    s.finish()
}

/// `{endpoint}?{params}`.
pub fn authorize_url(auth_server: Option<&str>, params: &[(String, String)]) -> String {
    format!("{}?{}", endpoint(auth_server, "authorize"), encode(params))
}

/// Every event of a type, oldest first (bodies).
pub async fn events(s: &TestServer, event_type: &str) -> Vec<Value> {
    let q = LogQuery { event_type: Some(event_type.to_owned()), limit: 1000, ..LogQuery::default() };
    s.state.store.list_events(&q).await.unwrap().into_iter().map(|(_, e)| e.body).collect()
}

/// A response, read whole.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn set_cookies(&self) -> Vec<&str> {
        self.headers.get_all("set-cookie").iter().filter_map(|v| v.to_str().ok()).collect()
    }

    /// The `Set-Cookie` line for cookie `name`.
    pub fn set_cookie(&self, name: &str) -> Option<&str> {
        self.set_cookies().into_iter().find(|c| c.starts_with(&format!("{name}=")))
    }

    pub fn location(&self) -> &str {
        self.header("location").unwrap_or_else(|| panic!("no Location ({}): {}", self.status, self.body))
    }

    /// Query (or fragment) parameters of the redirect.
    pub fn redirect_params(&self) -> BTreeMap<String, String> {
        let url = url::Url::parse(self.location()).expect("absolute Location");
        let source = url.fragment().map_or_else(|| url.query().unwrap_or_default().to_owned(), str::to_owned);
        url::form_urlencoded::parse(source.as_bytes()).into_owned().collect()
    }

    /// Asserts a 302 to the chat redirect URI carrying `error` (and `state` if given).
    pub fn assert_client_error(&self, error: &str, description: &str, state: Option<&str>) {
        assert_eq!(self.status, 302, "{}", self.body);
        assert!(self.location().starts_with(CHAT_REDIRECT), "{}", self.location());
        assert_eq!(self.header("referrer-policy"), Some("no-referrer"));
        let p = self.redirect_params();
        assert_eq!(p.get("error").map(String::as_str), Some(error), "{p:?}");
        assert_eq!(p.get("error_description").map(String::as_str), Some(description), "{p:?}");
        assert_eq!(p.get("state").map(String::as_str), state, "{p:?}");
        assert!(!p.contains_key("code"));
    }

    /// Asserts the HTML error page.
    pub fn assert_error_page(&self, status: u16, error: &str, description: &str) {
        assert_eq!(self.status, status, "{}", self.body);
        assert!(self.header("location").is_none(), "an error page never redirects");
        assert!(self.header("content-type").unwrap_or_default().starts_with("text/html"));
        assert_eq!(text_of(&self.body, "error").as_deref(), Some(error), "{}", self.body);
        assert_eq!(text_of(&self.body, "error_description").as_deref(), Some(description), "{}", self.body);
    }

    /// The first form: its action and fields (inputs with a name).
    pub fn form(&self) -> Form {
        let form_re = regex::Regex::new(r#"<form method="post" action="([^"]*)">"#).unwrap();
        let caps = form_re.captures(&self.body).unwrap_or_else(|| panic!("no form in: {}", self.body));
        let action = unescape(&caps[1]);
        let start = caps.get(0).unwrap().end();
        let end = self.body[start..].find("</form>").map_or(self.body.len(), |i| start + i);
        let input_re = regex::Regex::new(r"<input ([^>]*)>").unwrap();
        let attr = |tag: &str, name: &str| {
            regex::Regex::new(&format!(r#"\b{name}="([^"]*)""#)).unwrap().captures(tag).map(|c| unescape(&c[1]))
        };
        let fields = input_re
            .captures_iter(&self.body[start..end])
            .filter_map(|c| Some((attr(&c[1], "name")?, attr(&c[1], "value").unwrap_or_default())))
            .collect();
        Form { action, fields }
    }

    pub fn is_sign_in_page(&self) -> bool {
        self.status == 200 && self.body.contains(r#"name="password""#)
    }

    pub fn is_consent_page(&self) -> bool {
        self.status == 200 && self.body.contains(r#"name="decision""#)
    }
}

/// The text of the element with `id`, entities decoded.
pub fn text_of(body: &str, id: &str) -> Option<String> {
    let re = regex::Regex::new(&format!(r#"id="{id}">([^<]*)<"#)).unwrap();
    re.captures(body).map(|c| unescape(&c[1]))
}

/// Decodes the entities askama writes (`&#NN;`) and the named basics.
pub fn unescape(s: &str) -> String {
    let re = regex::Regex::new(r"&#(\d+);").unwrap();
    let s = re.replace_all(s, |c: &regex::Captures| char::from_u32(c[1].parse().unwrap()).unwrap().to_string());
    s.replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">").replace("&#x27;", "'").replace("&amp;", "&")
}

#[derive(Debug, Clone)]
pub struct Form {
    pub action: String,
    pub fields: Vec<(String, String)>,
}

impl Form {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// The fields with `name` set (or added).
    pub fn set(&self, name: &str, value: &str) -> Vec<(String, String)> {
        with(self.fields.clone(), name, Some(value))
    }
}

/// A cookie jar over the test server's client (which follows no redirects).
pub struct Browser<'a> {
    pub s: &'a TestServer,
    pub cookies: BTreeMap<String, String>,
}

impl<'a> Browser<'a> {
    pub fn new(s: &'a TestServer) -> Self {
        Self { s, cookies: BTreeMap::new() }
    }

    fn absolute(&self, url: &str) -> String {
        if url.starts_with("http") {
            url.to_owned()
        } else {
            self.s.url(url)
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
    }

    async fn read(&mut self, r: reqwest::Response) -> Resp {
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        let body = r.text().await.unwrap();
        for line in headers.get_all("set-cookie").iter().filter_map(|v| v.to_str().ok()) {
            let pair = line.split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            if value.is_empty() || line.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
        Resp { status, headers, body }
    }

    pub async fn get(&mut self, url: &str) -> Resp {
        let r = self.s.http.get(self.absolute(url)).header("cookie", self.cookie_header()).send().await.unwrap();
        self.read(r).await
    }

    pub async fn post(&mut self, url: &str, fields: &[(String, String)]) -> Resp {
        let r = self
            .s
            .http
            .post(self.absolute(url))
            .header("cookie", self.cookie_header())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(encode(fields))
            .send()
            .await
            .unwrap();
        self.read(r).await
    }

    /// Fills and posts the sign-in form of `page`.
    pub async fn sign_in(&mut self, page: &Resp, username: &str, password: &str) -> Resp {
        assert!(page.is_sign_in_page(), "not a sign-in page ({}): {}", page.status, page.body);
        let form = page.form();
        let fields = with(form.set("username", username), "password", Some(password));
        self.post(&form.action, &fields).await
    }

    /// Answers the consent page of `page` (`allow` or `deny`).
    pub async fn decide(&mut self, page: &Resp, decision: &str) -> Resp {
        assert!(page.is_consent_page(), "not a consent page ({}): {}", page.status, page.body);
        let form = page.form();
        self.post(&form.action, &form.set("decision", decision)).await
    }

    /// Signs in on the standalone page; the jar then holds a session.
    pub async fn sign_in_directly(&mut self, username: &str, password: &str) -> Resp {
        let page = self.get("/login").await;
        self.sign_in(&page, username, password).await
    }
}

/// Creates an ACTIVE web app (client id = id) redirecting to the chat redirect URI, with
/// these grant types, assigned to Everyone if `assigned`.
pub async fn new_app(s: &TestServer, client_id: &str, grant_types: &[&str], assigned: bool) -> baton::domain::App {
    use baton::domain::{App, AppStatus, AuthMethod, ConsentMethod};
    let now = s.clock.now_ms();
    let app = App {
        id: client_id.to_owned(),
        client_id: client_id.to_owned(),
        label: format!("Test app {client_id}"),
        status: AppStatus::Active,
        application_type: "web".into(),
        token_endpoint_auth_method: AuthMethod::ClientSecretBasic,
        pkce_required: true,
        consent_method: ConsentMethod::Trusted,
        redirect_uris: vec![CHAT_REDIRECT.to_owned()],
        post_logout_redirect_uris: vec![],
        response_types: vec!["code".into()],
        grant_types: grant_types.iter().map(|g| (*g).to_owned()).collect(),
        refresh_rotation: "ROTATE".into(),
        refresh_leeway: 30,
        auto_key_rotation: true,
        created: now,
        last_updated: now,
    };
    s.state.store.create_app(&app, &[], &[]).await.unwrap();
    if assigned {
        let everyone = s.state.store.find_group_by_name("Everyone").await.unwrap().expect("Everyone group");
        s.state.store.assign_group(&app.id, &everyone.id, 0, now, &[]).await.unwrap();
    }
    app
}

/// The same request for another client.
pub fn request_for(client_id: &str, scope: &str) -> Vec<(String, String)> {
    with(chat_request(scope), "client_id", Some(client_id))
}
