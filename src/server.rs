//! Start-up: connect and migrate, load the key-encryption key, bootstrap the org, apply the
//! seed, then serve with graceful shutdown.

use crate::clock::Clock;
use crate::config::Config;
use crate::jose::kek::{Kek, KekSource};
use crate::jose::KeyRing;
use crate::state::AppState;
use crate::{bootstrap, connections, http, jobs, seed, store};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// Everything up to a ready `AppState`: database, keys, org, seed.
pub async fn prepare(config: Config, clock: Clock) -> anyhow::Result<AppState> {
    let store = store::connect(&config.database_url).await?;
    let keys = KeyRing::new(load_kek(&config)?);
    check_kek(store.as_ref(), &keys, &config.database_url).await?;
    let now = clock.now_ms();
    // Keys the seed pins for the org AS and `default` are installed by bootstrap itself, so a
    // fresh start generates no RSA key for them.
    let pinned = match &config.seed {
        Some(path) => seed::bootstrap_keys(path)?,
        None => bootstrap::PinnedKeys::default(),
    };
    let admin_token = config.admin_api_token.as_deref();
    let org = bootstrap::bootstrap_with(store.as_ref(), &keys, &config.issuer, admin_token, &pinned, now).await?;
    if let Some(password) = &config.admin_password {
        bootstrap::ensure_admin_user(store.as_ref(), config.admin_login.trim(), password, now).await?;
    }
    if let Some(path) = &config.seed {
        let report = seed::apply_file(store.as_ref(), &keys, &org, path, now).await?;
        tracing::info!(seed = %path.display(), created = report.created, updated = report.updated, unchanged = report.unchanged, "seed applied");
    }
    let sign_in_limiter = Arc::default();
    let remote_jwks = Arc::default();
    let metrics = Arc::new(crate::metrics::Metrics::new(store.backend(), store.commit_histogram()));
    let config = Arc::new(config);
    Ok(AppState { store, config, clock, keys, org: Arc::new(org), sign_in_limiter, remote_jwks, metrics })
}

/// Refuses to start when the KEK cannot open the signing keys already stored: every token
/// request would fail. A changed or mistyped `BATON_KEY_ENCRYPTION_KEY` is the usual cause.
async fn check_kek(store: &dyn store::Store, keys: &KeyRing, database_url: &str) -> anyhow::Result<()> {
    let stored = store.list_all_signing_keys().await?;
    let sealed: Vec<&str> = stored.iter().filter(|k| !keys.opens(k)).map(|k| k.kid.as_str()).collect();
    anyhow::ensure!(
        sealed.is_empty(),
        "the key-encryption key does not open {} of the {} signing keys stored in {} (kid {}): \
         BATON_KEY_ENCRYPTION_KEY (or the development key file under the keys directory) is not the \
         key they were sealed with; start with that key",
        sealed.len(),
        stored.len(),
        crate::config::redact(database_url),
        sealed.first().copied().unwrap_or_default()
    );
    Ok(())
}

/// The KEK from configuration, or the dev file under `keys/` (with a warning).
pub fn load_kek(config: &Config) -> anyhow::Result<Kek> {
    let (kek, source) = Kek::load(config.key_encryption_key.as_deref(), &config.keys_dir)?;
    match source {
        KekSource::Environment => {}
        KekSource::File(path) => {
            tracing::warn!(path = %path.display(), "BATON_KEY_ENCRYPTION_KEY is unset: using the development key file");
        }
        KekSource::Generated(path) => tracing::warn!(
            path = %path.display(),
            "BATON_KEY_ENCRYPTION_KEY is unset: generated a development key-encryption key; set the variable in production"
        ),
    }
    Ok(kek)
}

/// Serves until Ctrl-C / SIGTERM. The address is bound first: until start-up (migrations,
/// bootstrap, seed) is done, requests are answered 503 (`connections`).
pub async fn serve(config: Config) -> anyhow::Result<()> {
    if !config.issuer_is_safe_transport() {
        tracing::warn!(issuer = %config.issuer, "the issuer is neither https:// nor loopback http://; MCP clients will refuse it");
    }
    if config.dev {
        tracing::warn!(issuer = %config.issuer, "--dev is on: /dev/v1/ mints tokens for anyone and resets the data; never use it in production");
    }
    let tls = if config.tls { Some(crate::tls::setup(&config)?) } else { None };
    if let Some(ca) = tls.as_ref().and_then(|t| t.local_ca.as_ref()) {
        println!("TLS: trust the local CA at {} (SSL_CERT_FILE / NODE_EXTRA_CA_CERTS)", ca.display());
    }
    let listen = config.listen;
    let drain = Duration::from_secs(config.shutdown_grace_seconds.into());
    let listener = tokio::net::TcpListener::bind(listen).await.map_err(|e| {
        anyhow::anyhow!("cannot listen on {listen}: {e} (set --listen or BATON_LISTEN to a free address)")
    })?;
    let local = listener.local_addr()?;
    let (stop, stopping) = watch::channel(false);
    tokio::spawn(async move {
        shutdown_signal().await;
        tracing::info!("shutting down: no new connections; draining");
        let _ = stop.send(true);
    });
    let app = connections::Slot::default();
    let server = match tls.as_ref() {
        Some(tls) => {
            let listener = crate::tls::TlsListener::new(listener, tls.server_config.clone())?;
            tokio::spawn(connections::serve(listener, app.clone(), stopped(stopping.clone()), drain))
        }
        None => tokio::spawn(connections::serve(listener, app.clone(), stopped(stopping.clone()), drain)),
    };
    let state = tokio::select! {
        state = prepare(config, Clock::default()) => state?,
        () = stopped(stopping.clone()) => {
            server.await?;
            return Ok(());
        }
    };
    let metrics = match state.config.metrics_listen {
        Some(address) => Some(serve_metrics(address, state.clone()).await?),
        None => None,
    };
    let jobs = tokio::spawn(jobs::run(state.clone()));
    let store = state.store.clone();
    let watch = tokio::spawn(async move { store.watch_config().await });
    let _ = app.set(http::app(state.clone()));
    tracing::info!(listen = %local, issuer = %state.config.issuer, database = state.store.backend(), tls = tls.is_some(), "baton is ready");
    println!("baton is ready: issuer {0}, admin console {0}/admin", state.config.issuer);
    server.await?;
    jobs.abort();
    watch.abort();
    if let Some(metrics) = metrics {
        metrics.abort();
    }
    Ok(())
}

/// Completes once shutdown was asked for.
async fn stopped(mut stopping: watch::Receiver<bool>) {
    let _ = stopping.wait_for(|stop| *stop).await;
}

/// `/metrics` on its own address (`--metrics-listen`), bound before the server says ready.
async fn serve_metrics(address: std::net::SocketAddr, state: AppState) -> anyhow::Result<tokio::task::JoinHandle<()>> {
    let listener = tokio::net::TcpListener::bind(address).await.map_err(|e| {
        anyhow::anyhow!("cannot listen on {address} for metrics: {e} (set --metrics-listen or BATON_METRICS_LISTEN to a free address)")
    })?;
    tracing::info!(listen = %listener.local_addr()?, "metrics served at /metrics");
    Ok(tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, http::metrics_app(state)).await {
            tracing::error!(error = %e, "the metrics listener stopped");
        }
    }))
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { () = ctrl_c => {}, () = term => {} }
}
