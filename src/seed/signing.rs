//! Pinned signing keys (architecture: "a seed may pin keys for deterministic tests"). A pinned
//! set has one ACTIVE key and at most one NEXT key, read from private PEM files.
//!
//! - A server created by the seed starts with the pinned keys (plus a generated NEXT key when
//!   none is pinned), or with generated keys when none are pinned.
//! - An existing AS (the org AS always exists by now) gets its pinned keys installed through
//!   the ordinary rotation, so its earlier keys become EXPIRED and tokens they signed keep
//!   verifying during the JWKS grace period.
//! - Once any pinned kid is present, the set is considered installed and left alone, so later
//!   rotations are not undone at the next start. A kid owned by another AS is an error: no
//!   key is shared between servers (xaa.md §1.3).

use super::util::parse_enum;
use super::{resolve_path, Outcome, Run};
use crate::bootstrap::{PinnedKeys, DEFAULT_AS};
use crate::domain::{SigningAlg, SigningKey, SigningKeyStatus, TextEnum};
use crate::jose::keys::{self, KeyMaterial};
use crate::seed::schema::SigningKeySpec;
use crate::seed::SeedFile;
use anyhow::{anyhow, bail, Context as _, Result};
use std::path::Path;

pub(super) struct PinnedKey {
    pub material: KeyMaterial,
    pub status: SigningKeyStatus,
}

/// Reads and checks a pinned set: ACTIVE first, then NEXT if any.
pub(super) fn load_pinned(
    base_dir: &Path,
    alg: SigningAlg,
    specs: &[SigningKeySpec],
    field: &str,
) -> Result<Vec<PinnedKey>> {
    let mut pinned = Vec::new();
    for (i, spec) in specs.iter().enumerate() {
        let f = format!("{field}[{i}]");
        let allowed = [SigningKeyStatus::Active, SigningKeyStatus::Next];
        let status = parse_enum(&spec.status, Some(&allowed), &format!("{f}.status"))?;
        let path = resolve_path(base_dir, &spec.private_key_file);
        let pem =
            std::fs::read(&path).with_context(|| format!("{f}.privateKeyFile: cannot read {}", path.display()))?;
        let material = keys::from_pem(alg, &pem).map_err(|e| {
            anyhow!("{f}.privateKeyFile: {} is not a {} private key: {e}", path.display(), alg.as_str())
        })?;
        if pinned.iter().any(|p: &PinnedKey| p.status == status) {
            bail!("{f}.status: more than one {} key", status.as_str());
        }
        if pinned.iter().any(|p: &PinnedKey| p.material.kid == material.kid) {
            bail!("{f}.privateKeyFile: the same key is pinned twice");
        }
        pinned.push(PinnedKey { material, status });
    }
    if !pinned.is_empty() && !pinned.iter().any(|p| p.status == SigningKeyStatus::Active) {
        bail!("{field}: one key must be ACTIVE");
    }
    pinned.sort_by_key(|p| p.status != SigningKeyStatus::Active);
    Ok(pinned)
}

/// The keys `seed` pins for the org AS and for `default` (when its algorithm is RS256), for
/// `bootstrap_with`; the seed itself then finds them installed.
pub(super) fn bootstrap_keys(seed: &SeedFile, base_dir: &Path) -> Result<PinnedKeys> {
    let rs256 = SigningAlg::Rs256;
    let unpin = |v: Vec<PinnedKey>| v.into_iter().map(|p| (p.material, p.status)).collect();
    let org: Vec<(KeyMaterial, SigningKeyStatus)> =
        unpin(load_pinned(base_dir, rs256, &seed.org_signing_keys, "orgSigningKeys")?);
    let mut default_as: Vec<(KeyMaterial, SigningKeyStatus)> = Vec::new();
    for (i, spec) in seed.authorization_servers.iter().enumerate() {
        let alg = spec.signing_alg.as_deref().unwrap_or(rs256.as_str());
        if spec.id.as_deref() == Some(DEFAULT_AS) && alg == rs256.as_str() && default_as.is_empty() {
            let field = format!("authorizationServers[{i}].signingKeys");
            default_as = unpin(load_pinned(base_dir, rs256, &spec.signing_keys, &field)?);
            if let Some((m, _)) = default_as.iter().find(|(m, _)| org.iter().any(|(o, _)| o.kid == m.kid)) {
                bail!("{field}: key {} is also pinned in orgSigningKeys; no key is shared between servers", m.kid);
            }
        }
    }
    Ok(PinnedKeys { org, default_as })
}

/// Fails if a pinned kid already belongs to another AS.
async fn check_owners(run: &Run<'_>, owner_id: &str, pinned: &[PinnedKey], field: &str) -> Result<()> {
    for p in pinned {
        if let Some(k) = run.store.find_signing_key(&p.material.kid).await? {
            if k.owner_id != owner_id {
                bail!(
                    "{field}: key {} already signs for {}; no key is shared between servers",
                    p.material.kid,
                    k.owner_id
                );
            }
        }
    }
    Ok(())
}

/// The first keys of a server the seed creates.
pub(super) async fn initial_keys(
    run: &mut Run<'_>,
    owner_id: &str,
    alg: SigningAlg,
    specs: &[SigningKeySpec],
    field: &str,
) -> Result<Vec<SigningKey>> {
    let now = run.now;
    if specs.is_empty() {
        return Ok(run.keys.initial_keys(owner_id, alg, now).await?);
    }
    let pinned = load_pinned(run.base_dir, alg, specs, field)?;
    check_owners(run, owner_id, &pinned, field).await?;
    let mut out = Vec::new();
    for p in &pinned {
        out.push(run.keys.seal(owner_id, alg, &p.material, p.status, now)?);
        run.count(Outcome::Created);
    }
    if pinned.len() == 1 {
        out.push(run.keys.next_key(owner_id, alg, now).await?);
    }
    Ok(out)
}

/// Installs a pinned set on an AS that already exists, unless it is installed already.
pub(super) async fn install_pinned(
    run: &mut Run<'_>,
    owner_id: &str,
    alg: SigningAlg,
    specs: &[SigningKeySpec],
    field: &str,
) -> Result<()> {
    if specs.is_empty() {
        return Ok(());
    }
    let pinned = load_pinned(run.base_dir, alg, specs, field)?;
    check_owners(run, owner_id, &pinned, field).await?;
    let existing = run.store.list_signing_keys(owner_id).await?;
    let present = pinned.iter().filter(|p| existing.iter().any(|k| k.kid == p.material.kid)).count();
    if present > 0 {
        if present < pinned.len() {
            tracing::warn!(
                owner = owner_id,
                "{field}: some pinned keys are already installed, the others are left out"
            );
        }
        for _ in &pinned {
            run.count(Outcome::Unchanged);
        }
        return Ok(());
    }
    let now = run.now;
    let seal = |m: &KeyMaterial, s| run.keys.seal(owner_id, alg, m, s, now);
    let active = seal(&pinned[0].material, SigningKeyStatus::Next)?;
    let next = match pinned.get(1) {
        Some(p) => seal(&p.material, SigningKeyStatus::Next)?,
        None => run.keys.next_key(owner_id, alg, now).await?,
    };
    if existing.is_empty() {
        run.store
            .create_signing_key(&SigningKey { status: SigningKeyStatus::Active, activated: Some(now), ..active }, &[])
            .await?;
        run.store.create_signing_key(&next, &[]).await?;
    } else if existing.iter().any(|k| k.status == SigningKeyStatus::Next) {
        // NEXT → ACTIVE, pinned ACTIVE → NEXT; then pinned ACTIVE → ACTIVE, pinned NEXT → NEXT.
        run.store.rotate_signing_keys(owner_id, &active, now, &[]).await?;
        run.store.rotate_signing_keys(owner_id, &next, now, &[]).await?;
    } else {
        // Without a NEXT key the rotation makes the new key ACTIVE directly.
        run.store.rotate_signing_keys(owner_id, &active, now, &[]).await?;
        run.store.create_signing_key(&next, &[]).await?;
    }
    for _ in &pinned {
        run.count(Outcome::Created);
    }
    Ok(())
}
