//! Public keys from PEM: a `PUBLIC KEY` block (X.509 `SubjectPublicKeyInfo`, RFC 5280 §4.1.2.7)
//! holding an RSA key (RFC 8017 A.1.1) or a P-256 EC point (RFC 5480 §2), turned into the
//! public members of a JWK (RFC 7518 §6.2, §6.3). josekit reads only private keys from PEM, so
//! the few DER structures involved are walked here.

use anyhow::{anyhow, bail, Result};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use serde_json::{Map, Value};

const OID_RSA_ENCRYPTION: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
const OID_EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
const OID_P256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];

const SEQUENCE: u8 = 0x30;
const INTEGER: u8 = 0x02;
const BIT_STRING: u8 = 0x03;
const OID: u8 = 0x06;

/// The JWK members (`kty` and `n`/`e` or `crv`/`x`/`y`) of the public key in `pem`.
pub(crate) fn public_jwk_from_pem(pem: &str) -> Result<Map<String, Value>> {
    let der = pem_block(pem)?;
    let mut outer = Der::new(&der);
    let mut spki = Der::new(outer.take(SEQUENCE)?);
    let mut alg = Der::new(spki.take(SEQUENCE)?);
    let oid = alg.take(OID)?;
    let bits = spki.take(BIT_STRING)?;
    let Some((0, key)) = bits.split_first() else { bail!("malformed public key bit string") };
    let mut jwk = Map::new();
    if oid == OID_RSA_ENCRYPTION {
        let mut rsa = Der::new(Der::new(key).take(SEQUENCE)?);
        let n = unsigned(rsa.take(INTEGER)?);
        let e = unsigned(rsa.take(INTEGER)?);
        jwk.insert("kty".into(), "RSA".into());
        jwk.insert("n".into(), URL_SAFE_NO_PAD.encode(n).into());
        jwk.insert("e".into(), URL_SAFE_NO_PAD.encode(e).into());
    } else if oid == OID_EC_PUBLIC_KEY {
        if alg.take(OID)? != OID_P256 {
            bail!("unsupported EC curve: only P-256 keys are accepted");
        }
        // An uncompressed point: 0x04 || x || y (SEC 1 §2.3.3).
        if key.len() != 65 || key[0] != 0x04 {
            bail!("unsupported EC point encoding: expected an uncompressed P-256 point");
        }
        jwk.insert("kty".into(), "EC".into());
        jwk.insert("crv".into(), "P-256".into());
        jwk.insert("x".into(), URL_SAFE_NO_PAD.encode(&key[1..33]).into());
        jwk.insert("y".into(), URL_SAFE_NO_PAD.encode(&key[33..]).into());
    } else {
        bail!("unsupported key algorithm: only RSA and EC P-256 public keys are accepted");
    }
    Ok(jwk)
}

/// The DER bytes of the single `PUBLIC KEY` block.
fn pem_block(pem: &str) -> Result<Vec<u8>> {
    let mut label = None;
    let mut body = String::new();
    for line in pem.lines().map(str::trim) {
        if let Some(l) = line.strip_prefix("-----BEGIN ").and_then(|l| l.strip_suffix("-----")) {
            label = Some(l.to_owned());
        } else if line.starts_with("-----END ") {
            break;
        } else if label.is_some() {
            body.push_str(line);
        }
    }
    match label.as_deref() {
        Some("PUBLIC KEY") => STANDARD.decode(body).map_err(|e| anyhow!("PEM body is not base64: {e}")),
        Some(l) if l.contains("PRIVATE KEY") => {
            bail!("the file holds a private key; give the public key (openssl pkey -in key.pem -pubout)")
        }
        Some(l) => bail!("expected a PEM \"PUBLIC KEY\" block, found \"{l}\""),
        None => bail!("no PEM block found"),
    }
}

/// Big-endian magnitude of a DER INTEGER without its sign-padding zero.
fn unsigned(bytes: &[u8]) -> &[u8] {
    match bytes {
        [0, rest @ ..] if !rest.is_empty() => rest,
        _ => bytes,
    }
}

/// A cursor over consecutive DER TLVs (definite lengths only, as DER requires).
struct Der<'a> {
    rest: &'a [u8],
}

impl<'a> Der<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Self { rest: bytes }
    }

    /// The contents of the next TLV, which must carry `tag`.
    fn take(&mut self, tag: u8) -> Result<&'a [u8]> {
        let malformed = || anyhow!("malformed DER in public key");
        let (&t, after_tag) = self.rest.split_first().ok_or_else(malformed)?;
        if t != tag {
            bail!("unexpected DER tag 0x{t:02x} in public key (expected 0x{tag:02x})");
        }
        let (&first, mut after_len) = after_tag.split_first().ok_or_else(malformed)?;
        let len = if first < 0x80 {
            usize::from(first)
        } else {
            let n = usize::from(first & 0x7f);
            if n == 0 || n > 4 || after_len.len() < n {
                return Err(malformed());
            }
            let len = after_len[..n].iter().fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
            after_len = &after_len[n..];
            len
        };
        if after_len.len() < len {
            return Err(malformed());
        }
        let (contents, rest) = after_len.split_at(len);
        self.rest = rest;
        Ok(contents)
    }
}
