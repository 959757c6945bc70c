//! `baton-logfill`: fills a baton database's System Log with generated events, for
//! `scripts/log-scale` (keyword and filter queries at a million events). The events are built
//! with baton's own event builder and written through its store, as a busy deployment would
//! write them: token grants by a few hundred clients for thousands of users, ID-JAG exchanges
//! and redemptions by agents, sign-ins, failures with their reasons, and administration,
//! spread over the last 30 days. Deterministic for a given `--seed`.
//!
//! `baton-logfill --database URL --events N [--seed S]` (migrates the database first).

use baton::audit::{Actor, Context, Event};
use baton::store::{LogStore, SqlStore};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

const BATCH: usize = 2_000;
const APPS: u64 = 300;
const AGENTS: u64 = 60;
const USERS: u64 = 20_000;
const SERVERS: u64 = 12;
const DAY_MS: i64 = 86_400_000;

/// xorshift64*: enough randomness for a plausible mix, and the same mix for the same seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The `n`th id of a kind, shaped like baton's (a prefix and 17 base62 characters) and the same
/// for the same `n` (scripts/log-scale computes them too).
fn id(prefix: &str, n: u64) -> String {
    const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let salt = prefix.bytes().fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
    let (mut hi, mut lo) = (splitmix(salt ^ n), splitmix(!(salt ^ n)));
    let mut out = prefix.to_owned();
    for i in 0..17 {
        let word = if i < 9 { &mut hi } else { &mut lo };
        out.push(char::from(BASE62[(*word % 62) as usize]));
        *word /= 62;
    }
    out
}

fn user(n: u64) -> Actor {
    Actor::new(&id("00u", n), "User", &format!("user{n}@example.com"), &format!("User {n}"))
}

fn app(n: u64) -> Actor {
    let id = id("0oa", n);
    Actor::new(&id, "PublicClientApp", &id, &format!("App {n}"))
}

fn agent(n: u64) -> Actor {
    let id = id("wlp", n);
    Actor::new(&id, "AIAgent", &id, &format!("Agent {n}"))
}

fn server(n: u64) -> Actor {
    let name = if n == 0 { "default".to_owned() } else { format!("resource-{n}") };
    Actor::new(&id("aus", n), "AuthorizationServer", &name, &name)
}

fn org_server() -> Actor {
    Actor::new("00oorg", "AuthorizationServer", "org", "Org Authorization Server")
}

/// One event of the mix.
fn event(rng: &mut Rng) -> Event {
    let roll = rng.below(1000);
    let fail = rng.below(100) < 7;
    let u = user(rng.below(USERS));
    match roll {
        0..=449 => {
            let a = app(rng.below(APPS));
            let e = Event::new("app.oauth2.as.token.grant", "OAuth2 token grant request", a.clone())
                .target(u)
                .target(server(rng.below(SERVERS)))
                .client(&a.id)
                .debug("grant_type", "client_credentials");
            failed(e, fail, &["invalid_client", "invalid_scope", "invalid_grant"], rng)
        }
        450..=649 => {
            let a = app(rng.below(APPS));
            Event::new("app.oauth2.as.token.grant.access_token", "OAuth2 access token is granted", a.clone())
                .target(u)
                .target(server(rng.below(SERVERS)))
                .client(&a.id)
        }
        650..=769 => {
            let g = agent(rng.below(AGENTS));
            let e = Event::new("app.oauth2.token.grant.id_jag", "OAuth2 ID-JAG is granted", g.clone())
                .target(u)
                .target(org_server())
                .client(&g.id)
                .debug("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange");
            failed(e, fail, &["invalid_target", "invalid_grant", "access_denied"], rng)
        }
        770..=869 => {
            let g = agent(rng.below(AGENTS));
            let e = Event::new("app.oauth2.as.token.grant.access_token", "OAuth2 access token is granted", g.clone())
                .target(u)
                .target(server(1 + rng.below(SERVERS - 1)))
                .client(&g.id)
                .debug("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer");
            failed(e, fail, &["id_jag_expired", "id_jag_replayed", "no_matching_policy"], rng)
        }
        870..=969 => {
            let e = Event::new("user.session.start", "User login to Okta", u);
            failed(e, fail, &["INVALID_CREDENTIALS"], rng)
        }
        970..=984 => Event::new("user.session.end", "User logout from Okta", u),
        985..=994 => {
            let kind = ["user.lifecycle.create", "user.lifecycle.activate", "user.account.update_profile"]
                [rng.below(3) as usize];
            Event::new(
                kind,
                "Administrator changed a user",
                Actor::new("00uadmin", "User", "admin@example.com", "Admin"),
            )
            .target(u)
        }
        _ => Event::new("app.oauth2.as.consent.grant", "User granted consent to app", u.clone())
            .target(app(rng.below(APPS)))
            .target(server(rng.below(SERVERS))),
    }
}

/// `e` as a failure with one of `reasons` when `fail`, else as it is. A single reason draws
/// nothing from `rng`, so a seed gives the same events as before this helper.
fn failed(e: Event, fail: bool, reasons: &[&str], rng: &mut Rng) -> Event {
    match (fail, reasons) {
        (false, _) => e,
        (true, [only]) => e.failure(only),
        (true, _) => e.failure(reasons[rng.below(reasons.len() as u64) as usize]),
    }
}

fn arg(args: &[String], flag: &str) -> Option<String> {
    args.iter().position(|a| a == flag).and_then(|i| args.get(i + 1)).cloned()
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let url = arg(&args, "--database").ok_or_else(|| anyhow::anyhow!("--database URL is required"))?;
    let total: usize = arg(&args, "--events").map_or(Ok(1_000_000), |v| v.parse())?;
    let mut rng = Rng(arg(&args, "--seed").map_or(Ok(0x9E37_79B9_7F4A_7C15), |v| v.parse())? | 1);
    let store = SqlStore::connect(&url).await?;
    store.migrate().await?;
    let now = i64::try_from(SystemTime::now().duration_since(UNIX_EPOCH)?.as_millis())?;
    let start = now - 30 * DAY_MS;
    let step = (30 * DAY_MS) / i64::try_from(total.max(1))?;
    let began = Instant::now();
    let mut written = 0usize;
    while written < total {
        let n = BATCH.min(total - written);
        let batch: Vec<_> = (0..n)
            .map(|i| {
                let at = start + step * i64::try_from(written + i).unwrap_or(i64::MAX);
                let ip = format!("10.{}.{}.{}", rng.below(256), rng.below(256), rng.below(256));
                let ctx = Context {
                    transaction_id: format!("{:020x}", rng.next()),
                    transaction_type: "WEB",
                    ip: Some(ip),
                    user_agent: Some("python-requests/2.32".to_owned()),
                    request_uri: Some("/oauth2/v1/token".to_owned()),
                    api_token_id: None,
                };
                event(&mut rng).build(&ctx, at)
            })
            .collect();
        store.append_events(&batch).await?;
        written += n;
        if written % 100_000 < BATCH {
            eprintln!("{written} events, {:.0} s", began.elapsed().as_secs_f64());
        }
    }
    store.close().await;
    println!("{{\"events\": {written}, \"seconds\": {:.1}}}", began.elapsed().as_secs_f64());
    Ok(())
}
