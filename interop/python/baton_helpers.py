"""Helpers shared by the Python interop suites: the Streamward ids (examples/streamward.yaml),
a real sign-in (classic /api/v1/authn sessionToken, then /v1/authorize with PKCE), client
assertions signed with PyJWT, the leg-1 token exchange and Management API calls. Plain
`requests`: the libraries under test are used in the test files themselves.
"""

import base64
import hashlib
import os
import secrets
import time
import uuid
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import requests

ROOT = Path(__file__).resolve().parents[2]
BASE = os.environ["BATON_URL"]
TLS_BASE = os.environ.get("BATON_TLS_URL", "")
API_TOKEN = os.environ["BATON_API_TOKEN"]
RUN = uuid.uuid4().hex[:8]

# The Streamward seed (examples/streamward.yaml).
USER_ID = "00u1rsjejbueuQNhB1d7"
LOGIN = "demouser@streamward.com"
PASSWORD = "Streamward-Demo-2026!"
CHAT = "0oarbboyj0J3R67xy1d7"
CHAT_SECRET = "streamward-chat-demo-secret-not-for-production"
CHAT_REDIRECT = "http://localhost:3000/callback"
ORCHESTRATOR = "wlps2fwpkzi3raviM1d7"
ORCHESTRATOR_PEM = ROOT / "keys/streamward/orchestrator.pem"
KNOWLEDGE = "aus1JGp4q34ckplLYGbL"
KNOWLEDGE_RESOURCE = "https://streamward.com/corp/knowledge"
EXECUTE = "Corp-Knowledge-Agent:execute"

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
ID_JAG = "urn:ietf:params:oauth:token-type:id-jag"
ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token"
ID_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:id_token"


def issuer(base, server=None):
    """The org issuer (`server` None) or a custom AS issuer."""
    return base if server is None else f"{base}/oauth2/{server}"


def endpoint(base, server, name):
    return f"{issuer(base, None)}/oauth2/v1/{name}" if server is None else f"{issuer(base, server)}/v1/{name}"


def b64url(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def pkce():
    """(code_verifier, S256 code_challenge)."""
    verifier = b64url(secrets.token_bytes(48))
    return verifier, b64url(hashlib.sha256(verifier.encode()).digest())


def session_token(base, login=LOGIN, password=PASSWORD):
    """A one-time sessionToken from the classic authn API of the org at `base`."""
    r = requests.post(f"{base}/api/v1/authn", json={"username": login, "password": password}, timeout=30)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "SUCCESS", body
    return body["sessionToken"]


def redirected_code(url, state):
    """GETs an /authorize URL that carries a sessionToken; returns the code of its 302."""
    r = requests.get(url, allow_redirects=False, timeout=30)
    assert r.status_code == 302, f"{r.status_code} {r.text[:500]}"
    location = r.headers["Location"]
    params = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    assert "error" not in params, params
    assert params["state"] == state
    return location, params["code"]


def code_flow(base, server="default", client_id=CHAT, secret=CHAT_SECRET, redirect_uri=CHAT_REDIRECT, scope="openid profile email", nonce=None, method="client_secret_basic"):
    """The authorization code flow with PKCE, signed in by sessionToken; returns the token response.
    `method`: how the client authenticates at the token endpoint (client_secret_basic or _post)."""
    verifier, challenge = pkce()
    state = f"st-{secrets.token_hex(8)}"
    params = {
        "client_id": client_id,
        "response_type": "code",
        "scope": scope,
        "redirect_uri": redirect_uri,
        "state": state,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "sessionToken": session_token(base),
    }
    if nonce:
        params["nonce"] = nonce
    _, code = redirected_code(f"{endpoint(base, server, 'authorize')}?{urlencode(params)}", state)
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri, "code_verifier": verifier}
    r = secret_post(endpoint(base, server, "token"), form, client_id, secret, method)
    assert r.status_code == 200, r.text
    return r.json()


def secret_post(url, form, client_id, secret, method="client_secret_basic"):
    """POSTs `form` to a token endpoint, authenticated with a client secret by `method`."""
    if method == "client_secret_basic":
        return requests.post(url, data=form, auth=(client_id, secret), timeout=30)
    assert method == "client_secret_post", method
    return requests.post(url, data={**form, "client_id": client_id, "client_secret": secret}, timeout=30)


def client_assertion(client_id, pem_path, aud):
    """A private_key_jwt client assertion (RFC 7523 §3) signed RS256 with PyJWT."""
    now = int(time.time())
    claims = {"iss": client_id, "sub": client_id, "aud": aud, "iat": now, "exp": now + 300, "jti": secrets.token_urlsafe(24)}
    return jwt.encode(claims, Path(pem_path).read_bytes(), algorithm="RS256", headers={"typ": "JWT"})


def as_orchestrator(base, server, form):
    """POSTs `form` to `server`'s token endpoint authenticated as the Orchestrator agent."""
    url = endpoint(base, server, "token")
    data = {"client_assertion_type": ASSERTION_TYPE, "client_assertion": client_assertion(ORCHESTRATOR, ORCHESTRATOR_PEM, url), **form}
    return requests.post(url, data=data, timeout=30)


def orchestrator_id_jag(base, subject_access_token):
    """Hop 3 of the Streamward chain (xaa.md §9): the Orchestrator exchanges the chat app's
    access token at the org AS for an ID-JAG for Corp Knowledge. Returns the response JSON."""
    r = as_orchestrator(
        base,
        None,
        {
            "grant_type": TOKEN_EXCHANGE,
            "requested_token_type": ID_JAG,
            "subject_token": subject_access_token,
            "subject_token_type": ACCESS_TOKEN_TYPE,
            "audience": issuer(base, KNOWLEDGE),
            "resource": KNOWLEDGE_RESOURCE,
            "scope": EXECUTE,
        },
    )
    assert r.status_code == 200, r.text
    return r.json()


def api(method, path, body=None, base=BASE, token=API_TOKEN):
    """A Management API call with SSWS auth; returns the response."""
    headers = {"Authorization": f"SSWS {token}", "Accept": "application/json"}
    return requests.request(method, f"{base}{path}", json=body, headers=headers, timeout=30)


def api_ok(method, path, body=None, status=(200, 201)):
    r = api(method, path, body)
    assert r.status_code in ((status,) if isinstance(status, int) else status), f"{method} {path}: {r.status_code} {r.text}"
    return r.json() if r.content else None
