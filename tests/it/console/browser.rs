//! Headless Chromium over `WebDriver` (Debian's `chromium` and `chromium-driver`, installed by
//! `.ci/run`): chromedriver on a free port, a fresh profile directory, and helpers to visit
//! console pages, fill and submit forms, and save a PNG of each page into
//! `target/screenshots/<name>.png`. Without Chromium the test is skipped with a message, except
//! under `CI=true`, where that is a failure.

use crate::common::free_port;
use fantoccini::{Client, ClientBuilder, Locator};
use std::path::{Path, PathBuf};
use std::time::Duration;

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

pub struct Browser {
    pub client: Client,
    base: String,
    _driver: tokio::process::Child,
    _profile: tempfile::TempDir,
}

/// Where screenshots go.
pub fn screenshot_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target").join("screenshots")
}

impl Browser {
    /// A headless Chromium for pages under `base`; None (skip) when it is not installed.
    pub async fn start(base: &str) -> Option<Self> {
        if !Path::new(CHROMEDRIVER).exists() || !Path::new(CHROMIUM).exists() {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "chromium and chromedriver are required under CI (apt-get install chromium chromium-driver)"
            );
            eprintln!("skipping browser test: {CHROMIUM} or {CHROMEDRIVER} is missing (apt-get install chromium chromium-driver)");
            return None;
        }
        let port = free_port();
        let driver = tokio::process::Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("start chromedriver");
        let profile = tempfile::tempdir().expect("profile dir");
        let args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--window-size=1366,900",
            &format!("--user-data-dir={}", profile.path().display()),
        ];
        let mut caps = serde_json::Map::new();
        caps.insert("goog:chromeOptions".into(), serde_json::json!({"binary": CHROMIUM, "args": args}));
        let url = format!("http://127.0.0.1:{port}");
        let mut last = None;
        for _ in 0..100 {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector).capabilities(caps.clone()).connect(&url).await {
                Ok(client) => {
                    std::fs::create_dir_all(screenshot_dir()).expect("screenshot dir");
                    return Some(Self { client, base: base.to_owned(), _driver: driver, _profile: profile });
                }
                Err(e) => last = Some(e),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("chromedriver did not start: {last:?}");
    }

    pub async fn goto(&self, path: &str) {
        self.client.goto(&format!("{}{path}", self.base)).await.expect("goto");
    }

    /// The current path (and query).
    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.expect("url");
        let q = url.query().map(|q| format!("?{q}")).unwrap_or_default();
        format!("{}{q}", url.path())
    }

    /// Saves a PNG of the page as `target/screenshots/<name>.png`.
    pub async fn shot(&self, name: &str) {
        let png = self.client.screenshot().await.expect("screenshot");
        assert!(png.starts_with(b"\x89PNG"), "not a PNG");
        std::fs::write(screenshot_dir().join(format!("{name}.png")), png).expect("write screenshot");
    }

    pub async fn fill(&self, css: &str, value: &str) {
        let e = self.client.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("no {css}: {e}"));
        e.clear().await.expect("clear");
        e.send_keys(value).await.expect("type");
    }

    /// Clicks a link or submit button and waits for the next page to load.
    pub async fn click(&self, css: &str) {
        let old = self.client.find(Locator::Css("html")).await.expect("html");
        let e = self.client.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("no {css}: {e}"));
        e.click().await.expect("click");
        for _ in 0..200 {
            if old.tag_name().await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        self.client.wait().for_element(Locator::Css("body")).await.expect("next page");
    }

    pub async fn select(&self, css: &str, value: &str) {
        let e = self.client.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("no {css}: {e}"));
        e.select_by_value(value).await.expect("select");
    }

    /// The text of the element `css` (waiting a little for it to appear).
    pub async fn text(&self, css: &str) -> String {
        let e = self
            .client
            .wait()
            .at_most(Duration::from_secs(5))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css}: {e}"));
        e.text().await.expect("text")
    }

    /// The whole page's visible text.
    pub async fn body(&self) -> String {
        self.text("body").await
    }

    /// Signs in through the console sign-in form.
    pub async fn sign_in(&self, login: &str, password: &str) {
        self.goto("/admin/login").await;
        self.fill("#username", login).await;
        self.fill("#password", password).await;
        self.click("#sign-in").await;
    }

    pub async fn close(self) {
        let _ = self.client.close().await;
    }
}
