//! The key ring: creates, imports, rotates and signs with the keys of every authorization
//! server. Private keys are decrypted once per `kid` and cached; a `kid` is a thumbprint of the
//! key itself, so a cached signer can never be stale.

use super::jwt::{self, signer_from_pem};
use super::keys::{self, KeyMaterial};
use super::{JoseError, Kek};
use crate::domain::{LogRecord, Millis, SigningAlg, SigningKey, SigningKeyStatus};
use crate::store::Store;
use josekit::jws::JwsSigner;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Days between automatic rotations (`rotationMode: AUTO`), as Okta does.
pub const ROTATION_DAYS: i64 = 90;
pub const ROTATION_MS: i64 = ROTATION_DAYS * 24 * 3600 * 1000;

#[derive(Clone)]
pub struct KeyRing {
    kek: Kek,
    signers: Arc<Mutex<HashMap<String, Arc<dyn JwsSigner>>>>,
}

impl KeyRing {
    #[must_use]
    pub fn new(kek: Kek) -> Self {
        Self { kek, signers: Arc::default() }
    }

    /// A MAC under a key derived from the KEK for `purpose` (see [`Kek::mac`]).
    #[must_use]
    pub fn mac(&self, purpose: &str, data: &[u8]) -> [u8; 32] {
        self.kek.mac(purpose, data)
    }

    /// True when this ring's KEK opens the stored key's private part.
    #[must_use]
    pub fn opens(&self, key: &SigningKey) -> bool {
        self.kek.decrypt(&key.private_key_enc).is_ok()
    }

    /// A stored key for `owner_id` from key material, its private part sealed with the KEK.
    pub fn seal(
        &self,
        owner_id: &str,
        alg: SigningAlg,
        material: &KeyMaterial,
        status: SigningKeyStatus,
        now: Millis,
    ) -> Result<SigningKey, JoseError> {
        Ok(SigningKey {
            kid: material.kid.clone(),
            owner_id: owner_id.to_owned(),
            alg,
            status,
            private_key_enc: self.kek.encrypt(material.private_pem.as_bytes())?,
            public_jwk: material.public_jwk.clone(),
            created: now,
            activated: (status == SigningKeyStatus::Active).then_some(now),
            expired: None,
        })
    }

    /// Freshly generated keys with the given statuses, sealed for `owner_id`. Generation runs
    /// on the blocking pool, all keys at once (an RSA-2048 key costs ~200 ms of CPU).
    pub async fn generate(
        &self,
        owner_id: &str,
        alg: SigningAlg,
        statuses: &[SigningKeyStatus],
        now: Millis,
    ) -> Result<Vec<SigningKey>, JoseError> {
        let tasks: Vec<_> = statuses.iter().map(|_| tokio::task::spawn_blocking(move || keys::generate(alg))).collect();
        let mut out = Vec::with_capacity(tasks.len());
        for (task, status) in tasks.into_iter().zip(statuses) {
            let material = task.await.map_err(|e| JoseError::Key(e.to_string()))??;
            out.push(self.seal(owner_id, alg, &material, *status, now)?);
        }
        Ok(out)
    }

    /// A freshly generated ACTIVE + NEXT pair for a new authorization server.
    pub async fn initial_keys(
        &self,
        owner_id: &str,
        alg: SigningAlg,
        now: Millis,
    ) -> Result<Vec<SigningKey>, JoseError> {
        self.generate(owner_id, alg, &[SigningKeyStatus::Active, SigningKeyStatus::Next], now).await
    }

    /// The first keys of `owner_id`: the `pinned` ones (ACTIVE first, at most one NEXT) sealed,
    /// plus a generated NEXT key when none is pinned; freshly generated keys when none are.
    pub async fn initial_keys_from(
        &self,
        owner_id: &str,
        alg: SigningAlg,
        pinned: &[(KeyMaterial, SigningKeyStatus)],
        now: Millis,
    ) -> Result<Vec<SigningKey>, JoseError> {
        if pinned.is_empty() {
            return self.initial_keys(owner_id, alg, now).await;
        }
        let mut out = Vec::with_capacity(2);
        for (material, status) in pinned {
            out.push(self.seal(owner_id, alg, material, *status, now)?);
        }
        if !pinned.iter().any(|(_, s)| *s == SigningKeyStatus::Next) {
            out.push(self.next_key(owner_id, alg, now).await?);
        }
        Ok(out)
    }

    /// A freshly generated key with status NEXT.
    pub async fn next_key(&self, owner_id: &str, alg: SigningAlg, now: Millis) -> Result<SigningKey, JoseError> {
        let mut keys = self.generate(owner_id, alg, &[SigningKeyStatus::Next], now).await?;
        Ok(keys.remove(0))
    }

    /// Makes sure `owner_id` has an ACTIVE key (and a NEXT one); creates what is missing.
    pub async fn ensure_keys(
        &self,
        store: &dyn Store,
        owner_id: &str,
        alg: SigningAlg,
        now: Millis,
    ) -> Result<(), JoseError> {
        let existing = store.list_signing_keys(owner_id).await?;
        let missing: Vec<SigningKeyStatus> = [SigningKeyStatus::Active, SigningKeyStatus::Next]
            .into_iter()
            .filter(|s| !existing.iter().any(|k| k.status == *s))
            .collect();
        for key in self.generate(owner_id, alg, &missing, now).await? {
            store.create_signing_key(&key, &[]).await?;
        }
        Ok(())
    }

    /// NEXT → ACTIVE, ACTIVE → EXPIRED, and a new NEXT key.
    pub async fn rotate(
        &self,
        store: &dyn Store,
        owner_id: &str,
        alg: SigningAlg,
        now: Millis,
        events: &[LogRecord],
    ) -> Result<(), JoseError> {
        let next = self.next_key(owner_id, alg, now).await?;
        store.rotate_signing_keys(owner_id, &next, now, events).await?;
        Ok(())
    }

    /// Signs `claims` with the ACTIVE key of `owner_id`.
    #[tracing::instrument(name = "jose.sign", level = "debug", skip_all, fields(owner = owner_id))]
    pub async fn sign(
        &self,
        store: &dyn Store,
        owner_id: &str,
        claims: &Map<String, Value>,
        typ: Option<&str>,
    ) -> Result<String, JoseError> {
        let keys = store.list_signing_keys(owner_id).await?;
        let active = keys
            .iter()
            .find(|k| k.status == SigningKeyStatus::Active)
            .ok_or_else(|| JoseError::NoActiveKey(owner_id.to_owned()))?;
        let signer = self.signer(active)?;
        jwt::sign(claims, signer.as_ref(), &active.kid, typ)
    }

    fn signer(&self, key: &SigningKey) -> Result<Arc<dyn JwsSigner>, JoseError> {
        if let Some(s) = self.signers.lock().expect("signer cache poisoned").get(&key.kid) {
            return Ok(Arc::clone(s));
        }
        let pem = self.kek.decrypt(&key.private_key_enc)?;
        let signer: Arc<dyn JwsSigner> = Arc::from(signer_from_pem(key.alg, &pem)?);
        self.signers.lock().expect("signer cache poisoned").insert(key.kid.clone(), Arc::clone(&signer));
        Ok(signer)
    }
}
