//! Helpers of the admin console tests: a server with a bootstrap admin, a cookie-keeping HTTP
//! client that signs in through `/admin/login` and posts forms with (or without) the CSRF
//! token, and (in `browser`) a headless Chromium driven over `WebDriver`.

#![allow(dead_code)]

pub mod browser;

use crate::common::{Backend, TestServer};
use reqwest::header::{HeaderMap, COOKIE, LOCATION, SET_COOKIE};
use std::collections::BTreeMap;

pub const ADMIN_LOGIN: &str = "admin@baton.local";
pub const ADMIN_PASSWORD: &str = "Console-Admin-Pass-1";
pub const ADMIN_TOKEN: &str = crate::common::api::ADMIN_TOKEN;

/// A server whose bootstrap admin is `ADMIN_LOGIN` / `ADMIN_PASSWORD` (an ACTIVE member of
/// Administrators), with the super-admin API token `ADMIN_TOKEN` too.
pub async fn console_server(backend: Backend) -> Option<TestServer> {
    TestServer::start_with(backend, |c| {
        c.admin_password = Some(ADMIN_PASSWORD.into());
        c.admin_api_token = Some(ADMIN_TOKEN.into());
    })
    .await
}

/// `console_server` with the Streamward seed loaded.
pub async fn seeded_console_server(backend: Backend) -> Option<TestServer> {
    TestServer::start_with(backend, |c| {
        c.seed = Some(crate::common::oauth::streamward());
        c.admin_password = Some(ADMIN_PASSWORD.into());
        c.admin_api_token = Some(ADMIN_TOKEN.into());
    })
    .await
}

/// One HTTP answer of a console page.
#[derive(Debug)]
pub struct Page {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    pub fn location(&self) -> &str {
        self.headers.get(LOCATION).and_then(|v| v.to_str().ok()).unwrap_or_default()
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default()
    }

    /// Asserts the status, returning the body.
    #[track_caller]
    pub fn expect(&self, status: u16) -> &str {
        assert_eq!(self.status, status, "unexpected status; body: {}", self.body);
        &self.body
    }
}

/// A browser without a browser: keeps cookies, follows nothing.
pub struct Client<'a> {
    pub s: &'a TestServer,
    pub cookies: BTreeMap<String, String>,
}

impl<'a> Client<'a> {
    pub fn new(s: &'a TestServer) -> Self {
        Self { s, cookies: BTreeMap::new() }
    }

    /// Signed in as `login` through the console sign-in form (expects success: a 303).
    pub async fn signed_in(s: &'a TestServer, login: &str, password: &str) -> Self {
        let mut c = Self::new(s);
        let page = c.sign_in(login, password).await;
        assert_eq!(page.status, 303, "sign-in failed: {}", page.body);
        c
    }

    /// The bootstrap admin, signed in.
    pub async fn admin(s: &'a TestServer) -> Self {
        Self::signed_in(s, ADMIN_LOGIN, ADMIN_PASSWORD).await
    }

    pub async fn sign_in(&mut self, login: &str, password: &str) -> Page {
        self.get("/admin/login").await.expect(200);
        self.post("/admin/login", &[("username", login), ("password", password)]).await
    }

    pub fn csrf(&self) -> String {
        self.cookies.get("baton_csrf").cloned().unwrap_or_default()
    }

    fn cookie_header(&self) -> String {
        self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
    }

    async fn finish(&mut self, response: reqwest::Response) -> Page {
        for v in response.headers().get_all(SET_COOKIE) {
            let text = v.to_str().unwrap_or_default();
            let pair = text.split(';').next().unwrap_or_default();
            if let Some((k, v)) = pair.split_once('=') {
                if v.is_empty() || text.contains("Max-Age=0") {
                    self.cookies.remove(k);
                } else {
                    self.cookies.insert(k.to_owned(), v.to_owned());
                }
            }
        }
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        Page { status, headers, body: response.text().await.unwrap_or_default() }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let r = self.s.http.get(self.s.url(path)).header(COOKIE, self.cookie_header()).send().await.expect("GET");
        self.finish(r).await
    }

    /// A form POST carrying the CSRF token.
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let csrf = self.csrf();
        let mut all: Vec<(&str, &str)> = vec![("csrf_token", &csrf)];
        all.extend_from_slice(fields);
        self.post_raw(path, &all).await
    }

    /// A form POST exactly as given (no CSRF token added).
    pub async fn post_raw(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let r = self
            .s
            .http
            .post(self.s.url(path))
            .header(COOKIE, self.cookie_header())
            .form(fields)
            .send()
            .await
            .expect("POST");
        self.finish(r).await
    }
}
