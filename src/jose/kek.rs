//! The key-encryption key (KEK) that protects private signing keys at rest.
//!
//! Private keys are stored as compact JWEs (`alg: dir`, `enc: A256GCM`) under a 256-bit KEK
//! taken from `BATON_KEY_ENCRYPTION_KEY` (base64, base64url or hex). When it is unset, a KEK is
//! generated once into `keys/kek` (mode 0600) and a warning says so: fine for development,
//! not for production, where the KEK belongs in a secret store and not beside the database.

use super::JoseError;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use josekit::jwe::{Dir, JweHeader};
use rand::RngCore;
use std::path::Path;

#[derive(Clone)]
pub struct Kek([u8; 32]);

impl std::fmt::Debug for Kek {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Kek(***)")
    }
}

/// Where a KEK came from, so the caller can warn about a generated one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KekSource {
    Environment,
    File(std::path::PathBuf),
    Generated(std::path::PathBuf),
}

impl Kek {
    #[must_use]
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// Parses 32 bytes written as base64 (standard or URL-safe, padded or not) or 64 hex digits.
    pub fn parse(text: &str) -> Result<Self, JoseError> {
        let text = text.trim();
        let bytes = if text.len() == 64 && text.chars().all(|c| c.is_ascii_hexdigit()) {
            (0..32).map(|i| u8::from_str_radix(&text[2 * i..2 * i + 2], 16).unwrap_or(0)).collect()
        } else {
            URL_SAFE_NO_PAD
                .decode(text.trim_end_matches('='))
                .or_else(|_| STANDARD.decode(text))
                .map_err(|_| JoseError::Key("BATON_KEY_ENCRYPTION_KEY is not base64 or hex".into()))?
        };
        let arr: [u8; 32] = bytes
            .try_into()
            .map_err(|_| JoseError::Key("BATON_KEY_ENCRYPTION_KEY must be exactly 32 bytes (256 bits)".into()))?;
        Ok(Self(arr))
    }

    /// The configured KEK, else the one in `keys_dir/kek`, else a new one written there.
    pub fn load(configured: Option<&str>, keys_dir: &Path) -> Result<(Self, KekSource), JoseError> {
        if let Some(text) = configured.filter(|t| !t.trim().is_empty()) {
            return Ok((Self::parse(text)?, KekSource::Environment));
        }
        let path = keys_dir.join("kek");
        if path.exists() {
            let text =
                std::fs::read_to_string(&path).map_err(|e| JoseError::Key(format!("{}: {e}", path.display())))?;
            return Ok((Self::parse(&text)?, KekSource::File(path)));
        }
        let mut bytes = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut bytes);
        std::fs::create_dir_all(keys_dir).map_err(|e| JoseError::Key(format!("{}: {e}", keys_dir.display())))?;
        write_private(&path, &URL_SAFE_NO_PAD.encode(bytes))?;
        Ok((Self(bytes), KekSource::Generated(path)))
    }

    pub fn encrypt(&self, plaintext: &[u8]) -> Result<String, JoseError> {
        let mut header = JweHeader::new();
        header.set_content_encryption("A256GCM");
        let encrypter = Dir.encrypter_from_bytes(self.0)?;
        Ok(josekit::jwe::serialize_compact(plaintext, &header, &encrypter)?)
    }

    /// HMAC-SHA256 of `data` under a key derived from the KEK for `purpose` alone, so every
    /// replica sharing the KEK computes the same MAC and no purpose's MAC is valid for another.
    #[must_use]
    pub fn mac(&self, purpose: &str, data: &[u8]) -> [u8; 32] {
        use hmac::{Hmac, Mac};
        type HmacSha256 = Hmac<sha2::Sha256>;
        let mut derive = HmacSha256::new_from_slice(&self.0).expect("HMAC takes any key length");
        derive.update(b"baton/");
        derive.update(purpose.as_bytes());
        let key = derive.finalize().into_bytes();
        let mut mac = HmacSha256::new_from_slice(&key).expect("HMAC takes any key length");
        mac.update(data);
        mac.finalize().into_bytes().into()
    }

    pub fn decrypt(&self, jwe: &str) -> Result<Vec<u8>, JoseError> {
        let decrypter = Dir.decrypter_from_bytes(self.0)?;
        let (plain, _) = josekit::jwe::deserialize_compact(jwe, &decrypter)
            .map_err(|_| JoseError::Key("cannot decrypt a private key: wrong BATON_KEY_ENCRYPTION_KEY?".into()))?;
        Ok(plain)
    }
}

/// Writes a file readable only by its owner.
pub fn write_private(path: &Path, contents: &str) -> Result<(), JoseError> {
    use std::io::Write;
    #[cfg(unix)]
    use std::os::unix::fs::OpenOptionsExt;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    options.mode(0o600);
    let mut file = options.open(path).map_err(|e| JoseError::Key(format!("{}: {e}", path.display())))?;
    file.write_all(contents.as_bytes()).map_err(|e| JoseError::Key(format!("{}: {e}", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn macs_differ_by_purpose_and_key() {
        let kek = Kek::from_bytes([7; 32]);
        assert_eq!(kek.mac("csrf", b"n"), kek.mac("csrf", b"n"));
        assert_ne!(kek.mac("csrf", b"n"), kek.mac("other", b"n"));
        assert_ne!(kek.mac("csrf", b"n"), Kek::from_bytes([8; 32]).mac("csrf", b"n"));
    }

    #[test]
    fn round_trips_and_rejects_other_keys() {
        let kek = Kek::from_bytes([7; 32]);
        let sealed = kek.encrypt(b"secret pem").unwrap();
        assert!(!sealed.contains("secret"));
        assert_eq!(kek.decrypt(&sealed).unwrap(), b"secret pem");
        assert!(Kek::from_bytes([8; 32]).decrypt(&sealed).is_err());
    }

    #[test]
    fn parses_base64_and_hex() {
        let b64 = URL_SAFE_NO_PAD.encode([1u8; 32]);
        assert_eq!(Kek::parse(&b64).unwrap().0, [1; 32]);
        assert_eq!(Kek::parse(&STANDARD.encode([2u8; 32])).unwrap().0, [2; 32]);
        assert_eq!(Kek::parse(&"03".repeat(32)).unwrap().0, [3; 32]);
        assert!(Kek::parse("short").is_err());
    }

    #[test]
    fn generates_once_then_reuses_file() {
        let dir = tempfile::tempdir().unwrap();
        let (a, src) = Kek::load(None, dir.path()).unwrap();
        assert!(matches!(src, KekSource::Generated(_)));
        let (b, src) = Kek::load(None, dir.path()).unwrap();
        assert!(matches!(src, KekSource::File(_)));
        assert_eq!(a.0, b.0);
    }
}
