//! Typed configuration: defaults < TOML file (`--config`) < environment (`BATON_*`) < flags.
//! Validated once at start; everything downstream reads `Config`, never the environment.

use clap::Args;
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// Settings of `baton serve` (and, for the database and keys, of the other commands).
#[derive(Debug, Clone, Default, Args)]
pub struct ConfigArgs {
    /// TOML file with any of the settings below (`snake_case` keys); flags and env win over it.
    #[arg(long, env = "BATON_CONFIG")]
    pub config: Option<PathBuf>,
    /// Address to listen on.
    #[arg(long, env = "BATON_LISTEN")]
    pub listen: Option<SocketAddr>,
    /// External base URL, used verbatim in every issuer and link [default: http://<listen>].
    #[arg(long, env = "BATON_ISSUER")]
    pub issuer: Option<String>,
    /// `postgres://…` or `sqlite:…` [default: `sqlite://data/baton.db`].
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: Option<String>,
    /// Seed file applied at start (idempotent).
    #[arg(long, env = "BATON_SEED")]
    pub seed: Option<PathBuf>,
    /// Directory for dev key material: the generated key-encryption key, seed key files.
    #[arg(long, env = "BATON_KEYS_DIR")]
    pub keys_dir: Option<PathBuf>,
    /// `text` or `json`.
    #[arg(long, env = "BATON_LOG_FORMAT")]
    pub log_format: Option<String>,
    /// Comma-separated origins allowed by CORS (exact scheme://host:port).
    #[arg(long, env = "BATON_CORS_ORIGINS", value_delimiter = ',')]
    pub cors_origins: Option<Vec<String>>,
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
    cors_origins: Option<Vec<String>>,
    admin_api_token: Option<String>,
    key_encryption_key: Option<String>,
}

#[derive(Clone)]
pub struct Config {
    pub listen: SocketAddr,
    /// No trailing slash.
    pub issuer: String,
    pub database_url: String,
    pub seed: Option<PathBuf>,
    pub keys_dir: PathBuf,
    pub log_json: bool,
    pub cors_origins: Vec<String>,
    pub admin_api_token: Option<String>,
    pub key_encryption_key: Option<String>,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("issuer", &self.issuer)
            .field("database_url", &crate::store::sql::redact(&self.database_url))
            .field("seed", &self.seed)
            .field("keys_dir", &self.keys_dir)
            .field("admin_api_token", &self.admin_api_token.as_ref().map(|_| "***"))
            .field("key_encryption_key", &self.key_encryption_key.as_ref().map(|_| "***"))
            .finish_non_exhaustive()
    }
}

pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/baton.db";

impl Config {
    /// Resolves flags/env over the TOML file over defaults, then validates.
    pub fn resolve(args: &ConfigArgs) -> anyhow::Result<Self> {
        let file = match &args.config {
            Some(path) => read_file(path)?,
            None => FileConfig::default(),
        };
        let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let listen = args.listen.or(file.listen).unwrap_or_else(|| DEFAULT_LISTEN.parse().expect("valid default"));
        let issuer = args.issuer.clone().or(file.issuer).unwrap_or_else(|| format!("http://{listen}"));
        let log_format = args.log_format.clone().or(file.log_format).unwrap_or_else(|| "text".into());
        let config = Self {
            listen,
            issuer: issuer.trim_end_matches('/').to_owned(),
            database_url: args
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
            cors_origins: args.cors_origins.clone().or(file.cors_origins).unwrap_or_default(),
            admin_api_token: env("BATON_ADMIN_API_TOKEN").or(file.admin_api_token),
            key_encryption_key: env("BATON_KEY_ENCRYPTION_KEY").or(file.key_encryption_key),
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
        if let Some(t) = &self.admin_api_token {
            anyhow::ensure!(t.len() >= 16, "BATON_ADMIN_API_TOKEN must be at least 16 characters");
        }
        Ok(())
    }

    /// True when the issuer is `https://` or loopback `http://` (xaa.md §10: the MCP SDKs
    /// refuse any other token endpoint).
    #[must_use]
    pub fn issuer_is_safe_transport(&self) -> bool {
        let Ok(url) = url::Url::parse(&self.issuer) else { return false };
        url.scheme() == "https" || matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"))
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
            cors_origins: Vec::new(),
            admin_api_token: None,
            key_encryption_key: Some("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8".into()),
        }
    }
}

fn read_file(path: &Path) -> anyhow::Result<FileConfig> {
    let text = std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    toml::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}
