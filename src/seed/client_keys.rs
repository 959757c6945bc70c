//! Public keys of apps and agents for `private_key_jwt` (okta-surface.md §11.3, §13): from a
//! PEM public key file (kid = RFC 7638 thumbprint) or an inline public JWK (its own `kid`, else
//! the thumbprint). Keys are added when their kid is new and their status follows the seed;
//! a kid already registered with other key material is an error, never a silent replacement.

use super::pem::public_jwk_from_pem;
use super::util::parse_enum;
use super::{resolve_path, Outcome, Run};
use crate::audit::Target;
use crate::domain::{ClientKey, ClientKeyStatus};
use crate::jose::keys::{public_members, thumbprint};
use crate::seed::schema::ClientKeySpec;
use anyhow::{anyhow, bail, Context as _, Result};
use serde_json::{Map, Value};
use std::path::Path;

/// A key as it will be stored.
pub(super) struct KeyDraft {
    pub kid: String,
    pub jwk: Value,
    pub status: ClientKeyStatus,
}

/// Whose keys these are, which decides the events written.
#[derive(Clone, Copy)]
pub(super) enum KeyOwner {
    App,
    Agent,
}

/// Reads and checks one key spec (reads the key file; no database).
pub(super) fn draft(base_dir: &Path, spec: &ClientKeySpec, field: &str) -> Result<KeyDraft> {
    let status = match &spec.status {
        Some(s) => parse_enum(s, None, &format!("{field}.status"))?,
        None => ClientKeyStatus::Active,
    };
    let (members, kid, alg) = match (&spec.public_key_file, &spec.jwk) {
        (Some(file), None) => {
            let path = resolve_path(base_dir, file);
            let pem = std::fs::read_to_string(&path)
                .with_context(|| format!("{field}.publicKeyFile: cannot read {}", path.display()))?;
            let members =
                public_jwk_from_pem(&pem).map_err(|e| anyhow!("{field}.publicKeyFile: {}: {e}", path.display()))?;
            let kid = thumbprint(&members)?;
            (members, kid, None)
        }
        (None, Some(jwk)) => {
            let members = public_members(jwk).map_err(|e| anyhow!("{field}.jwk: {e}"))?;
            let kid = match jwk.get("kid") {
                Some(Value::String(k)) if !k.is_empty() => k.clone(),
                Some(_) => bail!("{field}.jwk.kid: must be a non-empty string"),
                None => thumbprint(&members)?,
            };
            let alg = match jwk.get("alg") {
                Some(Value::String(a)) => Some(a.clone()),
                Some(_) => bail!("{field}.jwk.alg: must be a string"),
                None => None,
            };
            if jwk.get("use").is_some_and(|u| u != "sig") {
                bail!("{field}.jwk.use: must be \"sig\"");
            }
            (members, kid, alg)
        }
        _ => bail!("{field}: give exactly one of publicKeyFile and jwk"),
    };
    let kty = members.get("kty").and_then(Value::as_str).unwrap_or_default();
    let allowed: &[&str] = if kty == "RSA" { &["RS256", "RS384", "RS512"] } else { &["ES256", "ES384", "ES512"] };
    let alg = alg.unwrap_or_else(|| allowed[0].to_owned());
    if !allowed.contains(&alg.as_str()) {
        bail!("{field}.jwk.alg: \"{alg}\" does not fit a {kty} key; expected one of {}", allowed.join(", "));
    }
    let mut jwk = Map::new();
    jwk.insert("kty".into(), kty.into());
    jwk.insert("alg".into(), alg.into());
    jwk.insert("kid".into(), kid.clone().into());
    jwk.insert("use".into(), "sig".into());
    for (k, v) in members {
        if k != "kty" {
            jwk.insert(k, v);
        }
    }
    Ok(KeyDraft { kid, jwk: Value::Object(jwk), status })
}

/// Adds missing keys of `owner_id` and aligns the status of present ones.
pub(super) async fn apply_client_keys(
    run: &mut Run<'_>,
    owner: KeyOwner,
    owner_id: &str,
    owner_target: &Target,
    specs: &[ClientKeySpec],
    field: &str,
) -> Result<()> {
    if specs.is_empty() {
        return Ok(());
    }
    let current = run.store.list_client_keys(owner_id).await?;
    for (i, spec) in specs.iter().enumerate() {
        let path = format!("{field}[{i}]");
        let d = draft(run.base_dir, spec, &path)?;
        let now = run.now;
        match current.iter().find(|k| k.kid == d.kid) {
            Some(k) if k.jwk != d.jwk => {
                bail!("{path}: kid \"{}\" is already registered for {owner_id} with other key material; give the new key another kid", d.kid)
            }
            Some(k) if k.status == d.status => run.count(Outcome::Unchanged),
            Some(_) => {
                let action = if d.status == ClientKeyStatus::Active { "activate" } else { "deactivate" };
                let ev = key_event(run, owner, action, owner_target);
                run.store.update_client_key_status(owner_id, &d.kid, d.status, now, &[ev]).await?;
                run.count(Outcome::Updated);
            }
            None => {
                let key = ClientKey {
                    client_id: owner_id.to_owned(),
                    kid: d.kid,
                    jwk: d.jwk,
                    status: d.status,
                    created: now,
                    last_updated: now,
                };
                let ev = key_event(run, owner, "create", owner_target);
                run.store.create_client_key(&key, &[ev]).await?;
                run.count(Outcome::Created);
            }
        }
    }
    Ok(())
}

fn key_event(run: &Run<'_>, owner: KeyOwner, action: &str, target: &Target) -> crate::domain::LogRecord {
    match owner {
        KeyOwner::Agent => run.event(
            &format!("workload_principal.ai_agent.credential.{action}"),
            &format!("AI agent credential {action}"),
            std::slice::from_ref(target),
        ),
        KeyOwner::App => run.event("application.lifecycle.update", "Update application", std::slice::from_ref(target)),
    }
}
