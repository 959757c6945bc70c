"""`okta-jwt-verifier` (PyPI), unchanged, against the TLS baton of interop/run.

The verifier refuses any issuer that is not https (okta-surface.md §15), so everything here
talks to $BATON_TLS_URL; conftest.py points SSL_CERT_FILE / REQUESTS_CA_BUNDLE at its CA. Real
tokens come from the authorization code flow with PKCE (the demo user signed in by
sessionToken, the Streamward chat app redeeming the code). The library fetches
{issuer}/v1/keys itself (no discovery) and must accept the access and ID tokens, and refuse a
wrong audience, a wrong client id, a wrong nonce, a foreign issuer and a tampered signature.
"""

import asyncio
import base64
import json
import secrets

import pytest
from okta_jwt_verifier import AccessTokenVerifier, IDTokenVerifier
from okta_jwt_verifier.exceptions import JWTValidationException

from baton_helpers import BASE, CHAT, LOGIN, TLS_BASE, USER_ID, code_flow, issuer

ISSUER = issuer(TLS_BASE, "default")


@pytest.fixture(scope="module")
def tokens():
    nonce = f"n-{secrets.token_hex(8)}"
    return {"nonce": nonce, **code_flow(TLS_BASE, scope="openid profile email", nonce=nonce)}


def claims_of(jwt):
    payload = jwt.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def tampered(jwt):
    """The same token with one signature byte flipped (still valid base64url)."""
    head, payload, sig = jwt.split(".")
    raw = bytearray(base64.urlsafe_b64decode(sig + "=" * (-len(sig) % 4)))
    raw[len(raw) // 2] ^= 0x01
    return ".".join([head, payload, base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()])


def test_issuer_is_https_and_http_is_refused():
    assert ISSUER.startswith("https://localhost:")
    with pytest.raises(Exception, match="(?i)https"):
        AccessTokenVerifier(issuer=issuer(BASE, "default"), audience="api://default")


def test_access_token_verifies(tokens):
    at = tokens["access_token"]
    asyncio.run(AccessTokenVerifier(issuer=ISSUER, audience="api://default").verify(at))
    # The sync path (requests instead of aiohttp) too.
    AccessTokenVerifier(issuer=ISSUER, audience=["api://other", "api://default"]).verify_sync(at)
    c = claims_of(at)
    assert (c["iss"], c["aud"], c["cid"], c["uid"], c["sub"]) == (ISSUER, "api://default", CHAT, USER_ID, LOGIN)
    assert c["scp"] == ["openid", "profile", "email"]


def test_id_token_verifies(tokens):
    idt = tokens["id_token"]
    asyncio.run(IDTokenVerifier(issuer=ISSUER, client_id=CHAT).verify(idt, nonce=tokens["nonce"]))
    IDTokenVerifier(issuer=ISSUER, client_id=CHAT).verify_sync(idt, nonce=tokens["nonce"])
    c = claims_of(idt)
    assert (c["iss"], c["aud"], c["sub"], c["nonce"]) == (ISSUER, CHAT, USER_ID, tokens["nonce"])


def test_wrong_audience_is_rejected(tokens):
    with pytest.raises(JWTValidationException):
        asyncio.run(AccessTokenVerifier(issuer=ISSUER, audience="api://orders").verify(tokens["access_token"]))


def test_wrong_client_id_or_nonce_is_rejected(tokens):
    with pytest.raises(JWTValidationException, match="aud"):
        asyncio.run(IDTokenVerifier(issuer=ISSUER, client_id="0oaSomeOtherClient00").verify(tokens["id_token"], nonce=tokens["nonce"]))
    with pytest.raises(JWTValidationException, match="nonce"):
        asyncio.run(IDTokenVerifier(issuer=ISSUER, client_id=CHAT).verify(tokens["id_token"], nonce="n-not-the-one"))


def test_other_issuer_is_rejected(tokens):
    # The org AS is another issuer with other keys: neither `iss` nor the key matches.
    with pytest.raises(JWTValidationException):
        asyncio.run(AccessTokenVerifier(issuer=TLS_BASE, audience="api://default").verify(tokens["access_token"]))


def test_tampered_signature_is_rejected(tokens):
    with pytest.raises(JWTValidationException):
        asyncio.run(AccessTokenVerifier(issuer=ISSUER, audience="api://default").verify(tampered(tokens["access_token"])))
    with pytest.raises(JWTValidationException):
        asyncio.run(IDTokenVerifier(issuer=ISSUER, client_id=CHAT).verify(tampered(tokens["id_token"]), nonce=tokens["nonce"]))
