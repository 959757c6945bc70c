//! Typed configuration: defaults < TOML file (`--config`) < environment (`BATON_*`) < flags.
//! Validated once at start; everything downstream reads `Config`, never the environment.

use clap::Args;
use serde::Deserialize;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};

/// Settings of `baton serve` (and, for the database and keys, of the other commands).
#[derive(Debug, Clone, Default, Args)]
pub struct ConfigArgs {
    /// The TOML file, the database and the log format (all that `migrate` takes).
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// Address to listen on [default: 127.0.0.1:8080; 127.0.0.1:8443 with --tls].
    #[arg(long, env = "BATON_LISTEN")]
    pub listen: Option<SocketAddr>,
    /// External base URL, used verbatim in every issuer and link [default: http://<listen>, with
    /// `localhost` for an unspecified 0.0.0.0 or [::]; `https://localhost:<port>` with --tls].
    #[arg(long, env = "BATON_ISSUER")]
    pub issuer: Option<String>,
    /// Seed file applied at start (idempotent).
    #[arg(long, env = "BATON_SEED")]
    pub seed: Option<PathBuf>,
    /// Directory for dev key material: the generated key-encryption key, seed key files.
    #[arg(long, env = "BATON_KEYS_DIR")]
    pub keys_dir: Option<PathBuf>,
    /// On shutdown, how long requests in flight may take to finish before their connections
    /// are closed, 0–3600 [default: 10].
    #[arg(long, env = "BATON_SHUTDOWN_GRACE_SECONDS")]
    pub shutdown_grace_seconds: Option<u16>,
    /// Serve `GET /metrics` (Prometheus) on this address only, instead of on --listen.
    #[arg(long, env = "BATON_METRICS_LISTEN")]
    pub metrics_listen: Option<SocketAddr>,
    /// Export traces over OTLP/HTTP to this collector (`http://collector:4318`; spans go to its
    /// `/v1/traces`) [default: off; `OTEL_EXPORTER_OTLP_ENDPOINT` is read too].
    #[arg(long, env = "BATON_OTLP_ENDPOINT")]
    pub otlp_endpoint: Option<String>,
    /// Comma-separated origins allowed by CORS (exact scheme://host:port).
    #[arg(long, env = "BATON_CORS_ORIGINS", value_delimiter = ',')]
    pub cors_origins: Option<Vec<String>>,
    /// Deepest `act` chain a token exchange may issue (xaa.md §4.5 `max_act_depth`), 1–20
    /// [default: 5].
    #[arg(long, env = "BATON_MAX_ACT_DEPTH")]
    pub max_act_depth: Option<usize>,
    /// How long a pending brokered consent request stays open (xaa.md §5), 60–86400
    /// [default: 600].
    #[arg(long, env = "BATON_CONSENT_REQUEST_TTL_SECONDS")]
    pub consent_request_ttl_seconds: Option<u32>,
    /// Idle lifetime of a browser session (slid on use), 5–1440 [default: 120].
    #[arg(long, env = "BATON_SESSION_IDLE_MINUTES")]
    pub session_idle_minutes: Option<u32>,
    /// Management API requests allowed per API token per minute; unset means no limit
    /// (okta-surface.md §10: rate limits are off unless configured).
    #[arg(long, env = "BATON_API_RATE_LIMIT")]
    pub api_rate_limit: Option<u32>,
    /// Serve HTTPS: with `--tls-cert`/`--tls-key`, or with a certificate from a local CA that
    /// baton creates under `<keys-dir>/tls/` (see docs/dev-endpoints.md).
    #[arg(
        long,
        env = "BATON_TLS",
        num_args = 0..=1,
        default_missing_value = "true",
        value_parser = clap::builder::BoolishValueParser::new()
    )]
    pub tls: Option<bool>,
    /// PEM certificate chain for `--tls` (with `--tls-key`; both or neither).
    #[arg(long, env = "BATON_TLS_CERT")]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key for `--tls` (with `--tls-cert`; both or neither).
    #[arg(long, env = "BATON_TLS_KEY")]
    pub tls_key: Option<PathBuf>,
    /// Enable the test helpers under `/dev/v1/` (mint tokens, set the clock, reset the data).
    /// Never in production; refused unless the issuer is loopback (see `--dev-allow-remote`).
    #[arg(
        long,
        env = "BATON_DEV",
        num_args = 0..=1,
        default_missing_value = "true",
        value_parser = clap::builder::BoolishValueParser::new()
    )]
    pub dev: Option<bool>,
    /// Allow `--dev` with an issuer that is not loopback/localhost.
    #[arg(
        long,
        env = "BATON_DEV_ALLOW_REMOTE",
        num_args = 0..=1,
        default_missing_value = "true",
        value_parser = clap::builder::BoolishValueParser::new()
    )]
    pub dev_allow_remote: Option<bool>,
    /// Consecutive failed sign-ins that lock a user out (Okta's password policy lockout; an
    /// admin unlocks them), 0 to never lock, at most 100 [default: 10].
    #[arg(long, env = "BATON_LOCKOUT_ATTEMPTS")]
    pub lockout_attempts: Option<u32>,
    /// Minutes after which a locked-out user is unlocked by itself, 1–10080 [default: never;
    /// an admin unlocks].
    #[arg(long, env = "BATON_LOCKOUT_AUTO_UNLOCK_MINUTES")]
    pub lockout_auto_unlock_minutes: Option<u32>,
    /// Comma-separated addresses or CIDR ranges of reverse proxies whose `X-Forwarded-For` is
    /// believed (the client address of sign-in throttling and the System Log); other peers'
    /// header is ignored [default: none].
    #[arg(long, env = "BATON_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Option<Vec<String>>,
}

/// Settings of `baton migrate`: where the database is.
#[derive(Debug, Clone, Default, Args)]
pub struct DatabaseArgs {
    /// TOML file with any of `serve`'s settings (`snake_case` keys); flags and env win over it.
    #[arg(long, env = "BATON_CONFIG")]
    pub config: Option<PathBuf>,
    /// `postgres://…` or `sqlite:…` [default: `sqlite://data/baton.db`].
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: Option<String>,
    /// `text` or `json`.
    #[arg(long, env = "BATON_LOG_FORMAT")]
    pub log_format: Option<String>,
}

/// Settings of the commands that change data (`seed`, `keys rotate`, `api-tokens`): the
/// database, the keys and the issuer the org is bootstrapped with.
#[derive(Debug, Clone, Default, Args)]
pub struct DataArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// External base URL of the server, as `serve` has it [default: derived from
    /// `BATON_LISTEN` as `serve` derives it].
    #[arg(long, env = "BATON_ISSUER")]
    pub issuer: Option<String>,
    /// Directory for dev key material: the generated key-encryption key, seed key files.
    #[arg(long, env = "BATON_KEYS_DIR")]
    pub keys_dir: Option<PathBuf>,
    /// Read only to derive the default issuer, as `serve` does.
    #[arg(long, env = "BATON_LISTEN", hide = true)]
    pub listen: Option<SocketAddr>,
    /// Read only to derive the default issuer, as `serve` does.
    #[arg(long, env = "BATON_TLS", hide = true, value_parser = clap::builder::BoolishValueParser::new())]
    pub tls: Option<bool>,
}

impl From<&DatabaseArgs> for ConfigArgs {
    fn from(a: &DatabaseArgs) -> Self {
        Self { database: a.clone(), ..Self::default() }
    }
}

impl From<&DataArgs> for ConfigArgs {
    fn from(a: &DataArgs) -> Self {
        Self {
            issuer: a.issuer.clone(),
            keys_dir: a.keys_dir.clone(),
            listen: a.listen,
            tls: a.tls,
            ..Self::from(&a.database)
        }
    }
}

/// Secrets come only from the environment (or the TOML file), never from flags, so they do
/// not show up in process listings.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    listen: Option<SocketAddr>,
    issuer: Option<String>,
    database_url: Option<String>,
    seed: Option<PathBuf>,
    keys_dir: Option<PathBuf>,
    log_format: Option<String>,
    shutdown_grace_seconds: Option<u16>,
    metrics_listen: Option<SocketAddr>,
    otlp_endpoint: Option<String>,
    cors_origins: Option<Vec<String>>,
    max_act_depth: Option<usize>,
    consent_request_ttl_seconds: Option<u32>,
    session_idle_minutes: Option<u32>,
    api_rate_limit: Option<u32>,
    tls: Option<bool>,
    tls_cert: Option<PathBuf>,
    tls_key: Option<PathBuf>,
    dev: Option<bool>,
    dev_allow_remote: Option<bool>,
    lockout_attempts: Option<u32>,
    lockout_auto_unlock_minutes: Option<u32>,
    trusted_proxies: Option<Vec<String>>,
    admin_api_token: Option<String>,
    key_encryption_key: Option<String>,
    admin_login: Option<String>,
    admin_password: Option<String>,
}

#[derive(Clone)]
#[allow(clippy::struct_excessive_bools)] // independent on/off settings, each its own flag
pub struct Config {
    pub listen: SocketAddr,
    /// No trailing slash.
    pub issuer: String,
    pub database_url: String,
    pub seed: Option<PathBuf>,
    pub keys_dir: PathBuf,
    pub log_json: bool,
    /// How long shutdown waits for requests in flight.
    pub shutdown_grace_seconds: u16,
    /// Where `/metrics` is served (`None`: on `listen`, beside everything else).
    pub metrics_listen: Option<SocketAddr>,
    /// OTLP/HTTP collector base URL (`None`: traces are not exported).
    pub otlp_endpoint: Option<String>,
    pub cors_origins: Vec<String>,
    /// Deepest `act` chain a token exchange may issue (xaa.md §4.5).
    pub max_act_depth: usize,
    /// How long a pending (or denied) brokered consent request stays open (xaa.md §5).
    pub consent_request_ttl_seconds: u32,
    /// Idle lifetime of a browser session.
    pub session_idle_minutes: u32,
    /// Management API requests per API token per minute (`None`: unlimited).
    pub api_rate_limit: Option<u32>,
    /// Serve HTTPS.
    pub tls: bool,
    /// Given certificate chain and key (PEM); `None`: baton's local CA under `keys_dir/tls/`.
    pub tls_files: Option<(PathBuf, PathBuf)>,
    /// The `/dev/v1/` test helpers are registered.
    pub dev: bool,
    /// `--dev` is allowed with a non-loopback issuer.
    pub dev_allow_remote: bool,
    /// Consecutive failed sign-ins that lock a user out; 0: never.
    pub lockout_attempts: u32,
    /// A locked-out user is unlocked this long after the lockout (`None`: only by an admin).
    pub lockout_auto_unlock_minutes: Option<u32>,
    /// Peers whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Vec<IpNet>,
    pub admin_api_token: Option<String>,
    pub key_encryption_key: Option<String>,
    /// Login of the bootstrap admin (`BATON_ADMIN_LOGIN`, default `admin@baton.local`).
    pub admin_login: String,
    /// Password of the bootstrap admin (`BATON_ADMIN_PASSWORD`); unset: no bootstrap admin.
    pub admin_password: Option<String>,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("issuer", &self.issuer)
            .field("database_url", &redact(&self.database_url))
            .field("seed", &self.seed)
            .field("keys_dir", &self.keys_dir)
            .field("metrics_listen", &self.metrics_listen)
            .field("otlp_endpoint", &self.otlp_endpoint)
            .field("max_act_depth", &self.max_act_depth)
            .field("consent_request_ttl_seconds", &self.consent_request_ttl_seconds)
            .field("session_idle_minutes", &self.session_idle_minutes)
            .field("api_rate_limit", &self.api_rate_limit)
            .field("tls", &self.tls)
            .field("tls_files", &self.tls_files)
            .field("dev", &self.dev)
            .field("lockout_attempts", &self.lockout_attempts)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("admin_api_token", &self.admin_api_token.as_ref().map(|_| "***"))
            .field("key_encryption_key", &self.key_encryption_key.as_ref().map(|_| "***"))
            .field("admin_login", &self.admin_login)
            .field("admin_password", &self.admin_password.as_ref().map(|_| "***"))
            .finish_non_exhaustive()
    }
}

pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
/// Default address under `--tls` (okta-surface.md §15: `BATON_ISSUER=https://localhost:8443`).
pub const DEFAULT_TLS_LISTEN: &str = "127.0.0.1:8443";
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/baton.db";
/// Default drain deadline at shutdown.
pub const DEFAULT_SHUTDOWN_GRACE_SECONDS: u16 = 10;
/// Default `max_act_depth` (xaa.md §4.5).
pub const DEFAULT_MAX_ACT_DEPTH: usize = 5;
/// A database URL without its password, for messages and logs.
#[must_use]
pub fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_owned(),
    }
}

/// Login of the bootstrap admin when `BATON_ADMIN_LOGIN` is unset.
pub const DEFAULT_ADMIN_LOGIN: &str = "admin@baton.local";
/// Default lifetime of a pending consent request: 10 minutes (xaa.md §5).
pub const DEFAULT_CONSENT_REQUEST_TTL_SECONDS: u32 = 600;
/// Okta's default password policy: lock out after 10 failed sign-ins.
pub const DEFAULT_LOCKOUT_ATTEMPTS: u32 = 10;
/// Default idle lifetime of a session: 2 hours.
pub const DEFAULT_SESSION_IDLE_MINUTES: u32 = 120;

impl Config {
    /// Resolves flags/env over the TOML file over defaults, then validates.
    pub fn resolve(args: &ConfigArgs) -> anyhow::Result<Self> {
        let file = match &args.database.config {
            Some(path) => read_file(path)?,
            None => FileConfig::default(),
        };
        let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let tls = args.tls.or(file.tls).unwrap_or(false);
        let listen = args.listen.or(file.listen).unwrap_or_else(|| default_listen(tls));
        let issuer = args.issuer.clone().or(file.issuer).unwrap_or_else(|| default_issuer(listen, tls));
        let log_format = args.database.log_format.clone().or(file.log_format).unwrap_or_else(|| "text".into());
        let config = Self {
            listen,
            issuer: issuer.trim_end_matches('/').to_owned(),
            database_url: args
                .database
                .database_url
                .clone()
                .or(file.database_url)
                .unwrap_or_else(|| DEFAULT_DATABASE_URL.into()),
            seed: args.seed.clone().or(file.seed),
            keys_dir: args.keys_dir.clone().or(file.keys_dir).unwrap_or_else(|| PathBuf::from("keys")),
            log_json: match log_format.as_str() {
                "json" => true,
                "text" => false,
                other => anyhow::bail!("log format must be `text` or `json`, not {other:?}"),
            },
            shutdown_grace_seconds: args
                .shutdown_grace_seconds
                .or(file.shutdown_grace_seconds)
                .unwrap_or(DEFAULT_SHUTDOWN_GRACE_SECONDS),
            metrics_listen: args.metrics_listen.or(file.metrics_listen),
            otlp_endpoint: args
                .otlp_endpoint
                .clone()
                .or(file.otlp_endpoint)
                .or_else(|| env("OTEL_EXPORTER_OTLP_ENDPOINT")),
            cors_origins: args.cors_origins.clone().or(file.cors_origins).unwrap_or_default(),
            max_act_depth: args.max_act_depth.or(file.max_act_depth).unwrap_or(DEFAULT_MAX_ACT_DEPTH),
            consent_request_ttl_seconds: args
                .consent_request_ttl_seconds
                .or(file.consent_request_ttl_seconds)
                .unwrap_or(DEFAULT_CONSENT_REQUEST_TTL_SECONDS),
            session_idle_minutes: args
                .session_idle_minutes
                .or(file.session_idle_minutes)
                .unwrap_or(DEFAULT_SESSION_IDLE_MINUTES),
            api_rate_limit: args.api_rate_limit.or(file.api_rate_limit),
            tls,
            tls_files: match (args.tls_cert.clone().or(file.tls_cert), args.tls_key.clone().or(file.tls_key)) {
                (Some(cert), Some(key)) => Some((cert, key)),
                (None, None) => None,
                _ => anyhow::bail!(
                    "tls_cert (BATON_TLS_CERT) and tls_key (BATON_TLS_KEY) go together: give both or neither"
                ),
            },
            dev: args.dev.or(file.dev).unwrap_or(false),
            dev_allow_remote: args.dev_allow_remote.or(file.dev_allow_remote).unwrap_or(false),
            lockout_attempts: args.lockout_attempts.or(file.lockout_attempts).unwrap_or(DEFAULT_LOCKOUT_ATTEMPTS),
            lockout_auto_unlock_minutes: args.lockout_auto_unlock_minutes.or(file.lockout_auto_unlock_minutes),
            trusted_proxies: args
                .trusted_proxies
                .clone()
                .or(file.trusted_proxies)
                .unwrap_or_default()
                .iter()
                .map(|t| t.parse())
                .collect::<anyhow::Result<_>>()?,
            admin_api_token: env("BATON_ADMIN_API_TOKEN").or(file.admin_api_token),
            key_encryption_key: match std::env::var("BATON_KEY_ENCRYPTION_KEY") {
                Ok(v) => Some(v),
                Err(_) => file.key_encryption_key,
            },
            admin_login: env("BATON_ADMIN_LOGIN").or(file.admin_login).unwrap_or_else(|| DEFAULT_ADMIN_LOGIN.into()),
            admin_password: env("BATON_ADMIN_PASSWORD").or(file.admin_password),
        };
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> anyhow::Result<()> {
        let url =
            url::Url::parse(&self.issuer).map_err(|e| anyhow::anyhow!("issuer {:?} is not a URL: {e}", self.issuer))?;
        anyhow::ensure!(
            matches!(url.scheme(), "http" | "https") && url.query().is_none() && url.fragment().is_none(),
            "issuer must be an http(s) URL without query or fragment: {:?}",
            self.issuer
        );
        anyhow::ensure!(
            self.shutdown_grace_seconds <= 3600,
            "shutdown_grace_seconds (BATON_SHUTDOWN_GRACE_SECONDS) must be between 0 and 3600, not {}",
            self.shutdown_grace_seconds
        );
        anyhow::ensure!(
            (1..=20).contains(&self.max_act_depth),
            "max_act_depth (BATON_MAX_ACT_DEPTH) must be between 1 and 20, not {}",
            self.max_act_depth
        );
        anyhow::ensure!(
            (60..=86_400).contains(&self.consent_request_ttl_seconds),
            "consent_request_ttl_seconds (BATON_CONSENT_REQUEST_TTL_SECONDS) must be between 60 and 86400, not {}",
            self.consent_request_ttl_seconds
        );
        anyhow::ensure!(
            (5..=1440).contains(&self.session_idle_minutes),
            "session_idle_minutes (BATON_SESSION_IDLE_MINUTES) must be between 5 and 1440, not {}",
            self.session_idle_minutes
        );
        anyhow::ensure!(
            self.lockout_attempts <= 100,
            "lockout_attempts (BATON_LOCKOUT_ATTEMPTS) must be between 0 (never) and 100, not {}",
            self.lockout_attempts
        );
        if let Some(m) = self.lockout_auto_unlock_minutes {
            anyhow::ensure!(
                (1..=10_080).contains(&m),
                "lockout_auto_unlock_minutes (BATON_LOCKOUT_AUTO_UNLOCK_MINUTES) must be between 1 and 10080, not {m}"
            );
        }
        anyhow::ensure!(
            self.api_rate_limit != Some(0),
            "api_rate_limit (BATON_API_RATE_LIMIT) must be at least 1 request a minute; leave it unset for no limit"
        );
        anyhow::ensure!(
            self.tls || self.tls_files.is_none(),
            "tls_cert/tls_key (BATON_TLS_CERT/BATON_TLS_KEY) are given but tls (BATON_TLS) is off"
        );
        if self.tls && url.scheme() == "http" {
            anyhow::bail!(
                "tls (BATON_TLS) is on but the issuer {:?} is http://; set BATON_ISSUER=https://…",
                self.issuer
            );
        }
        anyhow::ensure!(
            !self.dev || self.dev_allow_remote || self.issuer_is_loopback(),
            "dev (BATON_DEV) mints tokens for anyone: it is refused with the non-loopback issuer {:?} \
             unless dev_allow_remote (BATON_DEV_ALLOW_REMOTE) is set",
            self.issuer
        );
        // The helpers have no authentication: a loopback issuer is not enough if the listener
        // takes connections from other hosts.
        anyhow::ensure!(
            !self.dev || self.dev_allow_remote || self.listen.ip().is_loopback(),
            "dev (BATON_DEV) mints tokens for anyone: it is refused on the non-loopback listen address {} \
             unless dev_allow_remote (BATON_DEV_ALLOW_REMOTE) is set",
            self.listen
        );
        if let Some(p) = &self.admin_password {
            anyhow::ensure!(p.len() >= 8, "BATON_ADMIN_PASSWORD must be at least 8 characters");
            anyhow::ensure!(!self.admin_login.trim().is_empty(), "BATON_ADMIN_LOGIN must not be empty");
        }
        // Set but empty is a mistake (an unfilled secret), not "unset": falling back to a
        // generated key would start with a KEK that cannot open the stored keys.
        if let Some(k) = &self.key_encryption_key {
            anyhow::ensure!(
                !k.trim().is_empty(),
                "BATON_KEY_ENCRYPTION_KEY is set but empty; give the 32-byte key (base64 or hex) or unset it"
            );
        }
        if let Some(t) = &self.admin_api_token {
            anyhow::ensure!(t.len() >= 16, "BATON_ADMIN_API_TOKEN must be at least 16 characters");
        }
        Ok(())
    }

    /// The lifetime of a pending consent request, in milliseconds.
    #[must_use]
    pub fn consent_request_ttl_ms(&self) -> i64 {
        i64::from(self.consent_request_ttl_seconds) * 1000
    }

    /// The idle lifetime of a session, in milliseconds.
    #[must_use]
    pub fn session_idle_ms(&self) -> i64 {
        i64::from(self.session_idle_minutes) * 60 * 1000
    }

    /// True when the issuer is `https://` or loopback `http://` (xaa.md §10: the MCP SDKs
    /// refuse any other token endpoint).
    #[must_use]
    pub fn issuer_is_safe_transport(&self) -> bool {
        let Ok(url) = url::Url::parse(&self.issuer) else { return false };
        url.scheme() == "https" || matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"))
    }

    /// True when the issuer's host is `localhost`, `127.0.0.1`/`127.x` or `::1`.
    #[must_use]
    pub fn issuer_is_loopback(&self) -> bool {
        let Ok(url) = url::Url::parse(&self.issuer) else { return false };
        match url.host() {
            Some(url::Host::Domain(d)) => d == "localhost" || d.ends_with(".localhost"),
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            None => false,
        }
    }

    /// A configuration for tests and embedding: defaults plus the given issuer and database.
    #[must_use]
    pub fn for_tests(issuer: &str, database_url: &str, keys_dir: &Path) -> Self {
        Self {
            listen: DEFAULT_LISTEN.parse().expect("valid default"),
            issuer: issuer.trim_end_matches('/').to_owned(),
            database_url: database_url.to_owned(),
            seed: None,
            keys_dir: keys_dir.to_owned(),
            log_json: false,
            shutdown_grace_seconds: DEFAULT_SHUTDOWN_GRACE_SECONDS,
            metrics_listen: None,
            otlp_endpoint: None,
            cors_origins: Vec::new(),
            max_act_depth: DEFAULT_MAX_ACT_DEPTH,
            consent_request_ttl_seconds: DEFAULT_CONSENT_REQUEST_TTL_SECONDS,
            session_idle_minutes: DEFAULT_SESSION_IDLE_MINUTES,
            api_rate_limit: None,
            tls: false,
            tls_files: None,
            dev: false,
            dev_allow_remote: false,
            lockout_attempts: DEFAULT_LOCKOUT_ATTEMPTS,
            lockout_auto_unlock_minutes: None,
            trusted_proxies: Vec::new(),
            admin_api_token: None,
            key_encryption_key: Some("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8".into()),
            admin_login: DEFAULT_ADMIN_LOGIN.into(),
            admin_password: None,
        }
    }
}

/// The listen address when none is configured.
#[must_use]
pub fn default_listen(tls: bool) -> SocketAddr {
    (if tls { DEFAULT_TLS_LISTEN } else { DEFAULT_LISTEN }).parse().expect("valid default")
}

/// The issuer when none is configured: `http://<listen>`, except that an unspecified listen
/// address (0.0.0.0 or [::], as in a container) is no address a browser can open, so it becomes
/// `localhost`, where a published port is reached (`docker run -p 8080:8080`). Under TLS the
/// local CA's certificate names `localhost`.
fn default_issuer(listen: SocketAddr, tls: bool) -> String {
    if tls {
        format!("https://localhost:{}", listen.port())
    } else if listen.ip().is_unspecified() {
        format!("http://localhost:{}", listen.port())
    } else {
        format!("http://{listen}")
    }
}

/// Where this machine reaches a server listening on `listen`: an unspecified address (0.0.0.0,
/// [::]) is reached on the loopback address of its family (`baton healthcheck`).
#[must_use]
pub fn local_address(listen: SocketAddr) -> SocketAddr {
    match listen.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => SocketAddr::from((std::net::Ipv4Addr::LOCALHOST, listen.port())),
        IpAddr::V6(ip) if ip.is_unspecified() => SocketAddr::from((std::net::Ipv6Addr::LOCALHOST, listen.port())),
        _ => listen,
    }
}

fn read_file(path: &Path) -> anyhow::Result<FileConfig> {
    let text = std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    toml::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

/// An address or CIDR range (`10.0.0.0/8`, `::1`, `fd00::/8`) of `trusted_proxies`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpNet {
    addr: IpAddr,
    prefix: u8,
}

impl IpNet {
    /// True when `ip` is inside the range (an IPv4-mapped IPv6 peer counts as IPv4).
    #[must_use]
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 @ IpAddr::V4(_) => v4,
        };
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX.checked_shl(32 - u32::from(self.prefix)).unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX.checked_shl(128 - u32::from(self.prefix)).unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl std::str::FromStr for IpNet {
    type Err = anyhow::Error;

    fn from_str(text: &str) -> anyhow::Result<Self> {
        let text = text.trim();
        let bad =
            || anyhow::anyhow!("trusted_proxies (BATON_TRUSTED_PROXIES): {text:?} is not an address or CIDR range");
        let (addr, prefix) = match text.split_once('/') {
            Some((a, p)) => (a.parse::<IpAddr>().map_err(|_| bad())?, Some(p.parse::<u8>().map_err(|_| bad())?)),
            None => (text.parse::<IpAddr>().map_err(|_| bad())?, None),
        };
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(max);
        anyhow::ensure!(prefix <= max, bad());
        Ok(Self { addr, prefix })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Config {
        Config::for_tests("http://127.0.0.1:8080", "sqlite::memory:", Path::new("keys"))
    }

    #[test]
    fn defaults_are_valid_and_ranges_are_checked() {
        let c = base();
        assert_eq!((c.max_act_depth, c.consent_request_ttl_seconds, c.session_idle_minutes), (5, 600, 120));
        assert_eq!((c.consent_request_ttl_ms(), c.session_idle_ms()), (600_000, 7_200_000));
        c.validate().unwrap();
        for (depth, ttl, idle, ok) in [
            (1, 60, 5, true),
            (20, 86_400, 1440, true),
            (0, 600, 120, false),
            (21, 600, 120, false),
            (5, 59, 120, false),
            (5, 86_401, 120, false),
            (5, 600, 4, false),
            (5, 600, 1441, false),
        ] {
            let c =
                Config { max_act_depth: depth, consent_request_ttl_seconds: ttl, session_idle_minutes: idle, ..base() };
            assert_eq!(c.validate().is_ok(), ok, "{depth} {ttl} {idle}");
        }
        let c = Config { max_act_depth: 0, ..base() };
        assert_eq!(
            c.validate().unwrap_err().to_string(),
            "max_act_depth (BATON_MAX_ACT_DEPTH) must be between 1 and 20, not 0"
        );
    }

    #[test]
    fn tls_needs_https_and_dev_needs_a_loopback_issuer() {
        let c = Config::resolve(&ConfigArgs { tls: Some(true), ..ConfigArgs::default() }).unwrap();
        assert_eq!((c.listen.to_string(), c.issuer.as_str()), ("127.0.0.1:8443".into(), "https://localhost:8443"));
        let args = ConfigArgs { tls: Some(true), listen: "127.0.0.1:9443".parse().ok(), ..ConfigArgs::default() };
        assert_eq!(Config::resolve(&args).unwrap().issuer, "https://localhost:9443");
        let tls = Config { tls: true, ..base() };
        assert!(tls.validate().unwrap_err().to_string().contains("is http://"));
        Config { issuer: "https://localhost:8443".into(), ..tls }.validate().unwrap();
        let files = Some((PathBuf::from("c.pem"), PathBuf::from("k.pem")));
        assert!(Config { tls_files: files, ..base() }.validate().is_err());
        for (issuer, ok) in [
            ("http://127.0.0.1:8080", true),
            ("https://localhost:8443", true),
            ("http://[::1]:8080", true),
            ("http://127.0.0.2", true),
            ("https://auth.example.com", false),
            ("http://10.0.0.5:8080", false),
        ] {
            let c = Config { dev: true, ..Config::for_tests(issuer, "sqlite::memory:", Path::new("keys")) };
            assert_eq!(c.validate().is_ok(), ok, "{issuer}");
            Config { dev_allow_remote: true, ..c }.validate().unwrap();
        }
        // A loopback issuer on a listener that takes other hosts' connections is refused too.
        for (listen, ok) in
            [("127.0.0.1:8080", true), ("[::1]:8080", true), ("0.0.0.0:8080", false), ("[::]:8080", false)]
        {
            let c = Config { dev: true, listen: listen.parse().unwrap(), ..base() };
            let result = c.validate();
            assert_eq!(result.is_ok(), ok, "{listen}");
            if !ok {
                assert!(result.unwrap_err().to_string().contains("non-loopback listen address"));
            }
            Config { dev_allow_remote: true, ..c }.validate().unwrap();
        }
    }

    /// `docker run -p 8080:8080` (the image listens on 0.0.0.0:8080) gets an issuer a browser
    /// and every client on the host can use, not `http://0.0.0.0:8080`.
    #[test]
    fn an_unspecified_listen_address_gives_a_localhost_issuer() {
        for (listen, issuer) in [
            ("0.0.0.0:8080", "http://localhost:8080"),
            ("[::]:9000", "http://localhost:9000"),
            ("127.0.0.1:8080", "http://127.0.0.1:8080"),
            ("[::1]:8080", "http://[::1]:8080"),
            ("10.0.0.5:80", "http://10.0.0.5:80"),
        ] {
            let args = ConfigArgs { listen: listen.parse().ok(), ..ConfigArgs::default() };
            assert_eq!(Config::resolve(&args).unwrap().issuer, issuer, "{listen}");
        }
        let args = ConfigArgs {
            listen: "0.0.0.0:8080".parse().ok(),
            issuer: Some("https://auth.example.com/".into()),
            ..ConfigArgs::default()
        };
        assert_eq!(Config::resolve(&args).unwrap().issuer, "https://auth.example.com", "an explicit issuer wins");
        for (listen, local) in
            [("0.0.0.0:8080", "127.0.0.1:8080"), ("[::]:8080", "[::1]:8080"), ("192.0.2.7:8080", "192.0.2.7:8080")]
        {
            assert_eq!(local_address(listen.parse().unwrap()).to_string(), local, "{listen}");
        }
    }

    #[test]
    fn trusted_proxy_ranges() {
        let net: IpNet = "10.1.0.0/16".parse().unwrap();
        assert!(net.contains("10.1.2.3".parse().unwrap()));
        assert!(net.contains("::ffff:10.1.2.3".parse().unwrap()));
        assert!(!net.contains("10.2.0.1".parse().unwrap()));
        let one: IpNet = "127.0.0.1".parse().unwrap();
        assert!(one.contains("127.0.0.1".parse().unwrap()) && !one.contains("127.0.0.2".parse().unwrap()));
        let v6: IpNet = "fd00::/8".parse().unwrap();
        assert!(v6.contains("fd12::1".parse().unwrap()) && !v6.contains("fe80::1".parse().unwrap()));
        assert!("0.0.0.0/0".parse::<IpNet>().unwrap().contains("8.8.8.8".parse().unwrap()));
        for bad in ["10.0.0.0/33", "nope", "10.0.0.1/x", "::/129"] {
            assert!(bad.parse::<IpNet>().is_err(), "{bad}");
        }
    }

    #[test]
    fn an_empty_key_encryption_key_is_an_error() {
        for empty in ["", "  "] {
            let c = Config { key_encryption_key: Some(empty.into()), ..base() };
            assert!(c.validate().unwrap_err().to_string().contains("BATON_KEY_ENCRYPTION_KEY is set but empty"));
        }
        Config { key_encryption_key: None, ..base() }.validate().unwrap();
    }
}
