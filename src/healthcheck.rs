//! `baton healthcheck`: the container image's health check, so that the image needs no curl.
//! It GETs `/readyz` (the database answers) on the address the server listens on, or `--url`,
//! and exits 0 on a `200` and 1 on anything else, with one line saying what it saw.

use std::net::SocketAddr;
use std::time::Duration;

/// Arguments of `baton healthcheck`.
#[derive(Debug, clap::Args)]
pub struct HealthcheckArgs {
    /// URL to probe [default: `/readyz` on --listen, over loopback when that is 0.0.0.0 or [::];
    /// https with --tls].
    #[arg(long)]
    pub url: Option<String>,
    /// The listen address of the server to probe, as given to `baton serve` (a listen address set
    /// only in a --config file is not read: pass it here or use --url) [default: 127.0.0.1:8080;
    /// 127.0.0.1:8443 with --tls].
    #[arg(long, env = "BATON_LISTEN")]
    pub listen: Option<SocketAddr>,
    /// The server serves HTTPS (`baton serve --tls`). Its certificate is not verified: the probe
    /// sends no credentials and reads only the status of a local endpoint.
    #[arg(
        long,
        env = "BATON_TLS",
        num_args = 0..=1,
        default_missing_value = "true",
        value_parser = clap::builder::BoolishValueParser::new()
    )]
    pub tls: Option<bool>,
    /// Seconds to wait for the answer.
    #[arg(long, default_value_t = 3)]
    pub timeout: u64,
}

impl HealthcheckArgs {
    /// The URL probed: `--url`, or `/readyz` on the address this machine reaches the listener by.
    fn url(&self) -> String {
        if let Some(url) = &self.url {
            return url.clone();
        }
        let tls = self.tls.unwrap_or(false);
        let listen = self.listen.unwrap_or_else(|| baton::config::default_listen(tls));
        let scheme = if tls { "https" } else { "http" };
        format!("{scheme}://{}/readyz", baton::config::local_address(listen))
    }
}

/// Probes once; `Err` says why the server is not ready.
pub async fn run(args: &HealthcheckArgs) -> anyhow::Result<()> {
    let url = args.url();
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(args.timeout))
        .redirect(reqwest::redirect::Policy::none())
        .danger_accept_invalid_certs(args.tls.unwrap_or(false))
        .build()?;
    let status = match http.get(&url).send().await {
        Ok(r) => r.status(),
        Err(e) => anyhow::bail!("GET {url}: {e}"),
    };
    anyhow::ensure!(status == reqwest::StatusCode::OK, "GET {url}: HTTP {status}, not ready");
    println!("GET {url}: HTTP {status}");
    Ok(())
}
