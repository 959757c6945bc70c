"""RS256 signatures (RFC 7515 with RSASSA-PKCS1-v1_5, RFC 8017 §8.2) in pure Python, so the
reliability scripts need nothing beyond the standard library: enough DER to read a PKCS#8 or
PKCS#1 RSA private key PEM, and a CRT signature. Verified against OpenSSL and against baton's
client assertion check."""

import base64
import hashlib
import json
from pathlib import Path


def b64u(data):
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _der(buf, i):
    """(content, next index) of the DER element at i."""
    length, i = buf[i + 1], i + 2
    if length & 0x80:
        n = length & 0x7F
        length, i = int.from_bytes(buf[i:i + n], "big"), i + n
    return buf[i:i + length], i + length


def _der_items(buf):
    items, i = [], 0
    while i < len(buf):
        item, i = _der(buf, i)
        items.append(item)
    return items


class RsaKey:
    """An RSA private key from a PKCS#8 or PKCS#1 PEM; signs RS256 (RFC 8017 §8.2, with CRT)."""

    DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")

    def __init__(self, path):
        pem = Path(path).read_text()
        der = base64.b64decode("".join(l for l in pem.splitlines() if not l.startswith("-----")))
        seq, _ = _der(der, 0)
        if "BEGIN PRIVATE KEY" in pem:  # PKCS#8: version, algorithm, OCTET STRING(RSAPrivateKey)
            seq, _ = _der(_der_items(seq)[2], 0)
        ints = [int.from_bytes(x, "big") for x in _der_items(seq)[:9]]
        _, self.n, _, _, self.p, self.q, self.dp, self.dq, self.qi = ints
        self.size = (self.n.bit_length() + 7) // 8

    def sign(self, message):
        t = self.DIGEST_INFO + hashlib.sha256(message).digest()
        m = int.from_bytes(b"\x00\x01" + b"\xff" * (self.size - len(t) - 3) + b"\x00" + t, "big")
        m1, m2 = pow(m, self.dp, self.p), pow(m, self.dq, self.q)
        return (m2 + (self.qi * (m1 - m2) % self.p) * self.q).to_bytes(self.size, "big")

    def jwt(self, claims):
        signing_input = b64u(b'{"alg":"RS256","typ":"JWT"}') + "." + b64u(json.dumps(claims).encode())
        return signing_input + "." + b64u(self.sign(signing_input.encode()))
