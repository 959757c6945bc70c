//! `baton serve --tls`: HTTPS for local test suites (okta-surface.md §15: okta-jwt-verifier and
//! several SDKs insist on an `https://` issuer).
//!
//! With `--tls-cert`/`--tls-key` baton serves the given PEM chain and key. Without them it
//! keeps a small local CA under `<keys-dir>/tls/`: `ca.pem` (to be trusted by clients) and
//! `ca-key.pem`, created once and reused, and a server certificate `server.pem` +
//! `server-key.pem` signed by it for `localhost`, `127.0.0.1`, `::1` and the issuer's host. The
//! server certificate is re-issued at start when it does not cover one of those names, no
//! longer chains to the CA, or expires within 30 days. Keys are ECDSA P-256 (cheap to make);
//! private key files are written 0600.
//!
//! Connections are accepted by `TlsListener`, which runs each handshake in its own task (a
//! slow or broken client cannot stall the others) and hands finished streams to `axum::serve`.

use crate::config::Config;
use anyhow::{anyhow, Context as _, Result};
use axum::serve::Listener;
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose, SanType, SerialNumber,
};
use rustls::client::danger::ServerCertVerifier as _;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;

/// A server certificate is re-issued when it expires within this long.
const RENEW_BEFORE: Duration = Duration::from_secs(30 * 24 * 3600);
const SERVER_VALIDITY_DAYS: i64 = 365;
const CA_VALIDITY_DAYS: i64 = 3650;
const CA_NAME: &str = "baton local development CA";

/// The TLS configuration to serve with, and the CA clients should trust when baton made it.
pub struct TlsSetup {
    pub server_config: Arc<rustls::ServerConfig>,
    pub local_ca: Option<PathBuf>,
}

/// Loads the given certificate and key, or the local CA's server certificate (made or renewed
/// as needed).
pub fn setup(config: &Config) -> Result<TlsSetup> {
    let (cert, key, local_ca) = if let Some((cert, key)) = &config.tls_files {
        (cert.clone(), key.clone(), None)
    } else {
        let host = issuer_host(&config.issuer);
        let files = LocalCa::ensure(&config.keys_dir.join("tls"), &host, SystemTime::now())?;
        (files.server_cert, files.server_key, Some(files.ca_cert))
    };
    let server_config = server_config(&cert, &key)?;
    Ok(TlsSetup { server_config, local_ca })
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// A rustls server configuration from a PEM certificate chain and a PEM private key.
pub fn server_config(cert: &Path, key: &Path) -> Result<Arc<rustls::ServerConfig>> {
    let chain = CertificateDer::pem_file_iter(cert)
        .and_then(Iterator::collect::<Result<Vec<_>, _>>)
        .map_err(|e| anyhow!("tls_cert {}: {e}", cert.display()))?;
    anyhow::ensure!(!chain.is_empty(), "tls_cert {}: no CERTIFICATE in the file", cert.display());
    let key_der = PrivateKeyDer::from_pem_file(key).map_err(|e| anyhow!("tls_key {}: {e}", key.display()))?;
    let mut config = rustls::ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(chain, key_der)
        .map_err(|e| anyhow!("tls_cert/tls_key {} / {}: {e}", cert.display(), key.display()))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// The host of the issuer URL, without IPv6 brackets.
fn issuer_host(issuer: &str) -> String {
    match url::Url::parse(issuer).ok().and_then(|u| u.host().map(|h| h.to_owned())) {
        Some(url::Host::Domain(d)) => d,
        Some(url::Host::Ipv4(ip)) => ip.to_string(),
        Some(url::Host::Ipv6(ip)) => ip.to_string(),
        None => "localhost".into(),
    }
}

/// The files of baton's local CA.
#[derive(Debug, Clone)]
pub struct LocalCa {
    pub ca_cert: PathBuf,
    pub server_cert: PathBuf,
    pub server_key: PathBuf,
}

impl LocalCa {
    /// Creates the CA in `dir` when missing, and a server certificate for the loopback names
    /// and `host` when the current one is missing, does not cover them, or is about to expire.
    pub fn ensure(dir: &Path, host: &str, now: SystemTime) -> Result<Self> {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let files = Self {
            ca_cert: dir.join("ca.pem"),
            server_cert: dir.join("server.pem"),
            server_key: dir.join("server-key.pem"),
        };
        let ca_key_path = dir.join("ca-key.pem");
        let ca_key = if files.ca_cert.exists() && ca_key_path.exists() {
            let pem = std::fs::read_to_string(&ca_key_path).with_context(|| ca_key_path.display().to_string())?;
            KeyPair::from_pem(&pem).map_err(|e| anyhow!("{}: {e}", ca_key_path.display()))?
        } else {
            let key = KeyPair::generate()?;
            let ca = ca_params(now).self_signed(&key)?;
            write_private(&ca_key_path, &key.serialize_pem())?;
            write_public(&files.ca_cert, &ca.pem())?;
            tracing::info!(path = %files.ca_cert.display(), "created the local TLS certificate authority");
            key
        };
        let mut hosts: Vec<String> = ["localhost", "127.0.0.1", "::1"].iter().map(|h| (*h).to_owned()).collect();
        if !hosts.iter().any(|h| h == host) {
            hosts.push(host.to_owned());
        }
        if !files.server_is_current(&hosts, now + RENEW_BEFORE) {
            let key = KeyPair::generate()?;
            let issuer = ca_params(now).self_signed(&ca_key)?;
            let cert = server_params(&hosts, now)?.signed_by(&key, &issuer, &ca_key)?;
            write_private(&files.server_key, &key.serialize_pem())?;
            write_public(&files.server_cert, &cert.pem())?;
            tracing::info!(path = %files.server_cert.display(), hosts = ?hosts, "issued a TLS server certificate");
        }
        Ok(files)
    }

    /// True when the server certificate chains to the CA and is valid for every host at `at`.
    fn server_is_current(&self, hosts: &[String], at: SystemTime) -> bool {
        let check = || -> Result<bool> {
            if !self.server_key.exists() {
                return Ok(false);
            }
            let ca = CertificateDer::from_pem_file(&self.ca_cert)?;
            let end = CertificateDer::from_pem_file(&self.server_cert)?;
            let mut roots = rustls::RootCertStore::empty();
            roots.add(ca)?;
            let verifier =
                rustls::client::WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider()).build()?;
            let at = UnixTime::since_unix_epoch(at.duration_since(SystemTime::UNIX_EPOCH)?);
            for host in hosts {
                let name = ServerName::try_from(host.clone())?;
                if verifier.verify_server_cert(&end, &[], &name, &[], at).is_err() {
                    return Ok(false);
                }
            }
            Ok(true)
        };
        check().unwrap_or(false)
    }
}

fn offset(now: SystemTime, days: i64) -> time::OffsetDateTime {
    time::OffsetDateTime::from(now) + time::Duration::days(days)
}

/// The CA's parameters. Deterministic but for the validity, so the issuer of a renewed server
/// certificate (same name, same key) matches the `ca.pem` clients already trust.
fn ca_params(now: SystemTime) -> CertificateParams {
    let mut params = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::OrganizationName, "baton");
    dn.push(DnType::CommonName, CA_NAME);
    params.distinguished_name = dn;
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    params.not_before = offset(now, -1);
    params.not_after = offset(now, CA_VALIDITY_DAYS);
    params
}

fn server_params(hosts: &[String], now: SystemTime) -> Result<CertificateParams> {
    let mut params = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::OrganizationName, "baton");
    dn.push(DnType::CommonName, hosts.last().map_or("localhost", String::as_str));
    params.distinguished_name = dn;
    params.subject_alt_names = hosts
        .iter()
        .map(|h| match h.parse::<IpAddr>() {
            Ok(ip) => Ok(SanType::IpAddress(ip)),
            Err(_) => Ok(SanType::DnsName(h.clone().try_into()?)),
        })
        .collect::<Result<_, rcgen::Error>>()?;
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let mut serial: [u8; 16] = rand::random();
    serial[0] &= 0x7f;
    params.serial_number = Some(SerialNumber::from(serial.to_vec()));
    params.not_before = offset(now, -1);
    params.not_after = offset(now, SERVER_VALIDITY_DAYS);
    Ok(params)
}

fn write_public(path: &Path, text: &str) -> Result<()> {
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
}

/// Writes a private key readable by the owner only.
fn write_private(path: &Path, text: &str) -> Result<()> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).with_context(|| format!("cannot write {}", path.display()))?;
    #[cfg(unix)]
    std::fs::set_permissions(path, std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
    file.write_all(text.as_bytes()).with_context(|| format!("cannot write {}", path.display()))
}

/// A TCP listener that yields TLS streams; handshakes run concurrently, failures are dropped.
pub struct TlsListener {
    streams: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    local: SocketAddr,
    acceptor: tokio::task::JoinHandle<()>,
}

impl TlsListener {
    pub fn new(tcp: TcpListener, config: Arc<rustls::ServerConfig>) -> std::io::Result<Self> {
        let local = tcp.local_addr()?;
        let (tx, streams) = mpsc::channel(64);
        let tls = TlsAcceptor::from(config);
        let acceptor = tokio::spawn(async move {
            loop {
                let (stream, addr) = match tcp.accept().await {
                    Ok(accepted) => accepted,
                    Err(e) => {
                        tracing::debug!("accept failed: {e}");
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        continue;
                    }
                };
                let (tls, tx) = (tls.clone(), tx.clone());
                tokio::spawn(async move {
                    match tokio::time::timeout(Duration::from_secs(10), tls.accept(stream)).await {
                        Ok(Ok(stream)) => {
                            let _ = tx.send((stream, addr)).await;
                        }
                        Ok(Err(e)) => tracing::debug!(peer = %addr, "TLS handshake failed: {e}"),
                        Err(_) => tracing::debug!(peer = %addr, "TLS handshake timed out"),
                    }
                });
            }
        });
        Ok(Self { streams, local, acceptor })
    }
}

impl Drop for TlsListener {
    fn drop(&mut self) {
        self.acceptor.abort();
    }
}

impl Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.streams.recv().await {
            Some(accepted) => accepted,
            // The accept task only ends when the listener is dropped.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        Ok(self.local)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ca_is_made_once_and_the_server_certificate_renewed_when_needed() {
        let dir = tempfile::tempdir().unwrap();
        let now = SystemTime::now();
        let first = LocalCa::ensure(dir.path(), "localhost", now).unwrap();
        let ca = std::fs::read(&first.ca_cert).unwrap();
        let server = std::fs::read(&first.server_cert).unwrap();
        #[cfg(unix)]
        for name in ["ca-key.pem", "server-key.pem"] {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(dir.path().join(name)).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "{name}");
        }
        // Same names, same day: everything reused.
        LocalCa::ensure(dir.path(), "127.0.0.1", now).unwrap();
        assert_eq!(std::fs::read(&first.server_cert).unwrap(), server);
        // A new issuer host: a new server certificate, same CA.
        LocalCa::ensure(dir.path(), "baton.test", now).unwrap();
        let renamed = std::fs::read(&first.server_cert).unwrap();
        assert_ne!(renamed, server);
        assert_eq!(std::fs::read(&first.ca_cert).unwrap(), ca);
        let hosts: Vec<String> = ["localhost", "127.0.0.1", "::1", "baton.test"].map(String::from).to_vec();
        assert!(first.server_is_current(&hosts, now + RENEW_BEFORE));
        // 340 days on, the certificate is within 30 days of expiry: re-issued.
        let later = now + Duration::from_secs(340 * 24 * 3600);
        assert!(!first.server_is_current(&hosts, later + RENEW_BEFORE));
        LocalCa::ensure(dir.path(), "baton.test", later).unwrap();
        assert_ne!(std::fs::read(&first.server_cert).unwrap(), renamed);
        assert!(first.server_is_current(&hosts, later + RENEW_BEFORE));
        assert_eq!(std::fs::read(&first.ca_cert).unwrap(), ca);
        assert_eq!(issuer_host("https://[::1]:8443"), "::1");
        assert_eq!(issuer_host("https://localhost:8443/"), "localhost");
    }
}
