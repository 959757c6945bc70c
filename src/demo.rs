//! `baton demo`: walks the Streamward chain of xaa.md §9 against a running baton seeded with
//! `examples/streamward.yaml`, exactly as a client would. Hop 1 signs the demo user in through
//! the real sign-in page (authorization code + PKCE); hops 3, 4, 7 and 8 exchange and redeem
//! with `private_key_jwt` client assertions signed with the agents' demo keys. Every token is
//! printed decoded, so the `act` chain can be watched growing one level per exchange.

use anyhow::{anyhow, bail, Context as _};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use rand::RngCore;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::PathBuf;

// The Streamward seed's DEMO values (public on purpose, see docs/seed.md).
const USER_LOGIN: &str = "demouser@streamward.com";
const USER_PASSWORD: &str = "Streamward-Demo-2026!";
const CHAT: &str = "0oarbboyj0J3R67xy1d7";
const CHAT_SECRET: &str = "streamward-chat-demo-secret-not-for-production";
const CHAT_REDIRECT: &str = "http://localhost:3000/callback";
const ORCHESTRATOR: &str = "wlps2fwpkzi3raviM1d7";
const CKA: &str = "wlpzantde10QGRrpF1d7";
const KNOWLEDGE: &str = "aus1JGp4q34ckplLYGbL";
const AURORA: &str = "ausDqjwbmWqxUvljogI0";
const KNOWLEDGE_RESOURCE: &str = "https://streamward.com/corp/knowledge";
const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const TOKEN_EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/// Arguments of `baton demo`.
#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// Base URL of a running baton seeded with examples/streamward.yaml.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    pub url: String,
    /// Directory holding orchestrator.pem and corp-knowledge-agent.pem.
    #[arg(long = "keys-dir", default_value = "keys/streamward")]
    pub keys_dir: PathBuf,
}

struct Demo {
    http: reqwest::Client,
    /// Where requests go.
    base: String,
    /// The org issuer as discovered (`aud` of client assertions, prefix of `audience`).
    issuer: String,
    keys_dir: PathBuf,
}

/// Runs the chain; any failure is returned after the OAuth error body has been printed.
pub async fn run(args: &DemoArgs) -> anyhow::Result<()> {
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build()?;
    let base = args.url.trim_end_matches('/').to_owned();
    let discovery: Value = http
        .get(format!("{base}/.well-known/openid-configuration"))
        .send()
        .await
        .with_context(|| format!("no baton answers at {base}"))?
        .error_for_status()?
        .json()
        .await?;
    let issuer = discovery["issuer"].as_str().ok_or_else(|| anyhow!("discovery has no issuer"))?.to_owned();
    let demo = Demo { http, base, issuer, keys_dir: args.keys_dir.clone() };
    println!("Streamward chain (xaa.md §9) against {}, issuer {}\n", demo.base, demo.issuer);

    let t1 = demo.hop1().await?;
    show(
        "Hop 1",
        "demouser signs in on the real sign-in page; the chat app redeems the code (PKCE) at `default` → T1, no act yet",
        &t1,
    )?;
    let knowledge = format!("{}/oauth2/{KNOWLEDGE}", demo.issuer);
    let j1 = demo
        .exchange(
            ORCHESTRATOR,
            "orchestrator",
            &t1,
            &knowledge,
            Some(KNOWLEDGE_RESOURCE),
            "Corp-Knowledge-Agent:execute",
        )
        .await?;
    show(
        "Hop 3",
        "the orchestrator exchanges T1 at the org AS → ID-JAG J1; act = orchestrator, acting for the chat app",
        &j1,
    )?;
    let t2 = demo.redeem(KNOWLEDGE, ORCHESTRATOR, "orchestrator", &j1).await?;
    show("Hop 4", "the orchestrator redeems J1 at the Knowledge AS → access token T2, act copied from J1", &t2)?;
    let aurora = format!("{}/oauth2/{AURORA}", demo.issuer);
    let j2 = demo.exchange(CKA, "corp-knowledge-agent", &t2, &aurora, None, "Aurora-DB:read").await?;
    show(
        "Hop 7",
        "Corp-Knowledge-Agent (via its gateway) exchanges T2 at the org AS → ID-JAG J2; the act chain grows to three levels",
        &j2,
    )?;
    let t3 = demo.redeem(AURORA, CKA, "corp-knowledge-agent", &j2).await?;
    show(
        "Hop 8",
        "Corp-Knowledge-Agent redeems J2 at the Aurora AS → access token T3: sub is still the user, act names every hop",
        &t3,
    )?;
    println!("Done: T3 carries the whole chain (Corp-Knowledge-Agent ← orchestrator ← chat app) for {USER_LOGIN}.");
    Ok(())
}

impl Demo {
    /// Hop 1: `/authorize` with PKCE, the sign-in form (hidden fields, CSRF cookie), the code.
    async fn hop1(&self) -> anyhow::Result<String> {
        let verifier = random();
        let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
        let state = random();
        let query = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs([
                ("client_id", CHAT),
                ("redirect_uri", CHAT_REDIRECT),
                ("response_type", "code"),
                ("scope", "openid profile email"),
                ("state", state.as_str()),
                ("nonce", random().as_str()),
                ("code_challenge", challenge.as_str()),
                ("code_challenge_method", "S256"),
            ])
            .finish();
        let mut jar = BTreeMap::new();
        let r = self.http.get(format!("{}/oauth2/default/v1/authorize?{query}", self.base)).send().await?;
        keep_cookies(&r, &mut jar);
        let status = r.status().as_u16();
        let page = r.text().await?;
        if status != 200 || !page.contains(r#"name="password""#) {
            bail!("expected the sign-in page, got HTTP {status}:\n{page}");
        }
        let (action, mut fields) = parse_form(&page)?;
        fields.retain(|(k, _)| k != "username" && k != "password");
        fields.push(("username".into(), USER_LOGIN.into()));
        fields.push(("password".into(), USER_PASSWORD.into()));
        let action = self.local(&action);
        let body = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(&fields).finish();
        let r = self
            .http
            .post(&action)
            .header("cookie", jar.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; "))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await?;
        let status = r.status().as_u16();
        let location = r.headers().get("location").and_then(|v| v.to_str().ok()).map(str::to_owned);
        let text = r.text().await?;
        let Some(location) = location.filter(|_| status == 302) else {
            bail!("sign-in did not redirect (HTTP {status}):\n{text}");
        };
        let params: BTreeMap<String, String> =
            url::Url::parse(&location)?.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
        if let Some(error) = params.get("error") {
            bail!("authorize failed: {error}: {}", params.get("error_description").map_or("", String::as_str));
        }
        if params.get("state") != Some(&state) {
            bail!("the redirect's state does not match: {location}");
        }
        let code = params.get("code").ok_or_else(|| anyhow!("no code in {location}"))?;
        let auth = format!("Basic {}", STANDARD.encode(format!("{CHAT}:{CHAT_SECRET}")));
        let body = self
            .post(
                "/oauth2/default/v1/token",
                Some(&auth),
                &[
                    ("grant_type", "authorization_code"),
                    ("code", code),
                    ("redirect_uri", CHAT_REDIRECT),
                    ("code_verifier", &verifier),
                ],
            )
            .await?;
        token_of(&body)
    }

    /// Leg 1 (hops 3 and 7) as `agent`.
    async fn exchange(
        &self,
        agent: &str,
        pem: &str,
        subject: &str,
        audience: &str,
        resource: Option<&str>,
        scope: &str,
    ) -> anyhow::Result<String> {
        let assertion = self.assertion(agent, pem, &format!("{}/oauth2/v1/token", self.issuer))?;
        let mut form = vec![
            ("grant_type", TOKEN_EXCHANGE),
            ("requested_token_type", "urn:ietf:params:oauth:token-type:id-jag"),
            ("subject_token", subject),
            ("subject_token_type", "urn:ietf:params:oauth:token-type:access_token"),
            ("audience", audience),
            ("scope", scope),
            ("client_assertion_type", ASSERTION_TYPE),
            ("client_assertion", &assertion),
        ];
        if let Some(resource) = resource {
            form.push(("resource", resource));
        }
        token_of(&self.post("/oauth2/v1/token", None, &form).await?)
    }

    /// Leg 2 (hops 4 and 8) as `agent` at custom AS `server`.
    async fn redeem(&self, server: &str, agent: &str, pem: &str, jag: &str) -> anyhow::Result<String> {
        let assertion = self.assertion(agent, pem, &format!("{}/oauth2/{server}/v1/token", self.issuer))?;
        let form = [
            ("grant_type", JWT_BEARER),
            ("assertion", jag),
            ("client_assertion_type", ASSERTION_TYPE),
            ("client_assertion", assertion.as_str()),
        ];
        token_of(&self.post(&format!("/oauth2/{server}/v1/token"), None, &form).await?)
    }

    /// A `private_key_jwt` client assertion (RFC 7523 §3) signed RS256 with `{keys_dir}/{pem}.pem`.
    fn assertion(&self, client: &str, pem: &str, aud: &str) -> anyhow::Result<String> {
        let file = self.keys_dir.join(format!("{pem}.pem"));
        let key = std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
        let signer = josekit::jws::RS256.signer_from_pem(key)?;
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_secs();
        let claims = json!({"iss": client, "sub": client, "aud": aud, "iat": now, "exp": now + 300, "jti": random()});
        let mut header = josekit::jws::JwsHeader::new();
        header.set_token_type("JWT");
        Ok(josekit::jws::serialize_compact(&serde_json::to_vec(&claims)?, &header, &signer)?)
    }

    /// POSTs a form; a non-200 answer is printed (the OAuth error body) and returned as an error.
    async fn post(&self, path: &str, authorization: Option<&str>, form: &[(&str, &str)]) -> anyhow::Result<Value> {
        let body = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(form).finish();
        let mut req = self
            .http
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        if let Some(auth) = authorization {
            req = req.header("authorization", auth);
        }
        let r = req.send().await?;
        let status = r.status().as_u16();
        let text = r.text().await?;
        if status != 200 {
            eprintln!("POST {path} failed with HTTP {status}:\n{text}");
            bail!("POST {path}: HTTP {status}");
        }
        Ok(serde_json::from_str(&text)?)
    }

    /// The sign-in form posts to an absolute URL under the issuer; send it to `--url` instead.
    fn local(&self, action: &str) -> String {
        action.strip_prefix(&self.issuer).map_or_else(
            || if action.starts_with('/') { format!("{}{action}", self.base) } else { action.to_owned() },
            |rest| format!("{}{rest}", self.base),
        )
    }
}

/// 32 random bytes, base64url.
fn random() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

fn keep_cookies(r: &reqwest::Response, jar: &mut BTreeMap<String, String>) {
    for line in r.headers().get_all("set-cookie").iter().filter_map(|v| v.to_str().ok()) {
        if let Some((name, value)) = line.split(';').next().and_then(|pair| pair.split_once('=')) {
            jar.insert(name.trim().to_owned(), value.trim().to_owned());
        }
    }
}

/// The first form of `page`: its action and named inputs (hidden fields included).
fn parse_form(page: &str) -> anyhow::Result<(String, Vec<(String, String)>)> {
    let form_re = regex::Regex::new(r#"<form method="post" action="([^"]*)">"#)?;
    let caps = form_re.captures(page).ok_or_else(|| anyhow!("no form on the sign-in page"))?;
    let action = unescape(&caps[1]);
    let start = caps.get(0).map_or(0, |m| m.end());
    let end = page[start..].find("</form>").map_or(page.len(), |i| start + i);
    let input_re = regex::Regex::new(r"<input ([^>]*)>")?;
    let name_re = regex::Regex::new(r#"\bname="([^"]*)""#)?;
    let value_re = regex::Regex::new(r#"\bvalue="([^"]*)""#)?;
    let fields = input_re
        .captures_iter(&page[start..end])
        .filter_map(|c| {
            let name = unescape(&name_re.captures(&c[1])?[1]);
            let value = value_re.captures(&c[1]).map(|v| unescape(&v[1])).unwrap_or_default();
            Some((name, value))
        })
        .collect();
    Ok((action, fields))
}

/// Decodes the HTML entities the templates write.
fn unescape(s: &str) -> String {
    let re = regex::Regex::new(r"&#(\d+);").expect("a valid regex");
    let s = re.replace_all(s, |c: &regex::Captures| {
        c[1].parse().ok().and_then(char::from_u32).map(String::from).unwrap_or_default()
    });
    s.replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">").replace("&#x27;", "'").replace("&amp;", "&")
}

fn token_of(body: &Value) -> anyhow::Result<String> {
    body["access_token"].as_str().map(str::to_owned).ok_or_else(|| anyhow!("no access_token in {body}"))
}

/// Prints a hop: its one-line explanation, then the token's header and claims, pretty.
fn show(hop: &str, explanation: &str, jwt: &str) -> anyhow::Result<()> {
    let mut parts = jwt.split('.');
    let mut segment = || -> anyhow::Result<Value> {
        let part = parts.next().ok_or_else(|| anyhow!("not a compact JWT"))?;
        Ok(serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part)?)?)
    };
    let header = segment()?;
    let claims = segment()?;
    println!("== {hop}: {explanation}");
    println!("header: {header}");
    println!("claims: {}\n", serde_json::to_string_pretty(&claims)?);
    Ok(())
}
