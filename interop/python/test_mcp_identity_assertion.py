"""The identity-assertion (ID-JAG, SEP-990 / Enterprise-Managed Authorization) client of the
Python MCP SDK (`mcp` on PyPI), unchanged, against a real baton.

Checked in mcp 2.3.0: `mcp.client.auth.extensions.identity_assertion.IdentityAssertionOAuthProvider`
is an `httpx2.Auth` for leg 2 only. On a 401 from the MCP server it reads RFC 8414 metadata from
the configured issuer, asks an `assertion_provider(audience, resource)` callback for an ID-JAG
(leg 1 is left to the caller) and redeems it with the jwt-bearer grant, sending `resource` and
`client_id`, authenticating with a client SECRET only (client_secret_post, the default, or
client_secret_basic): it has no private_key_jwt. So it cannot redeem the Streamward
Orchestrator's ID-JAG (test_pyjwt_id_jag.py): an ID-JAG's `client_id` must be the client that
redeems it, and AI agents authenticate with keys only. The requesting client here is therefore
an OIDC web app with a secret that owns a resource connection to Corp Knowledge (the Okta
"requesting app" model, xaa.md §1.4). baton's Management API creates connections for AI agents
only, so this file starts its own baton (the same binary) with a seed holding that app, its
connection and a jwt-bearer policy for it at Corp Knowledge (same id, audience and scope as
in examples/streamward.yaml, whose pinned keys it reuses).

Leg 1 (in the callback) is the app exchanging its own ID token (authorization code + PKCE,
sessionToken sign-in) at the org AS. The MCP server is an in-process httpx2 MockTransport at
https://streamward.com/corp/knowledge (the resource the SDK derives from the server URL, and Corp
Knowledge's audience) that verifies bearer tokens with PyJWT against baton's JWKS.
"""

import base64
import json
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import anyio
import httpx2
import jwt
import pytest
import requests
from mcp.client.auth import OAuthTokenError
from mcp.client.auth.extensions.identity_assertion import IdentityAssertionOAuthProvider

from baton_helpers import (
    EXECUTE,
    ID_JAG,
    ID_TOKEN_TYPE,
    KNOWLEDGE,
    KNOWLEDGE_RESOURCE,
    LOGIN,
    PASSWORD,
    ROOT,
    TOKEN_EXCHANGE,
    USER_ID,
    code_flow,
    endpoint,
    issuer,
    secret_post,
)

# One requesting app per client authentication method the provider offers (an app has one).
HOSTS = {"client_secret_post": "0oaMcpInteropPost1d7", "client_secret_basic": "0oaMcpInteropBasc1d7"}
HOST_SECRET = "mcp-interop-host-secret-" + secrets.token_hex(8)
REDIRECT = "http://localhost:3000/callback"
KEYS = ROOT / "keys/streamward"


def seed():
    """The seed of this file's baton, as JSON (a YAML subset)."""
    key = lambda name, status: {"privateKeyFile": str(KEYS / f"{name}.pem"), "status": status}  # noqa: E731
    return {
        "orgSigningKeys": [key("org-as-active", "ACTIVE"), key("org-as-next", "NEXT")],
        "users": [
            {
                "id": USER_ID,
                "password": PASSWORD,
                "profile": {"login": LOGIN, "email": LOGIN, "firstName": "Demo", "lastName": "User"},
            }
        ],
        "apps": [
            {
                "id": app,
                "label": f"MCP host ({method})",
                "applicationType": "web",
                "tokenEndpointAuthMethod": method,
                "clientSecret": HOST_SECRET,
                "redirectUris": [REDIRECT],
                "grantTypes": ["authorization_code", "urn:ietf:params:oauth:grant-type:token-exchange", "urn:ietf:params:oauth:grant-type:jwt-bearer"],
                "assignments": {"groups": ["Everyone"]},
            }
            for method, app in HOSTS.items()
        ],
        "authorizationServers": [
            {
                "id": KNOWLEDGE,
                "name": "Corp Knowledge",
                "description": "Protects Corp-Knowledge-Agent",
                "audiences": [KNOWLEDGE_RESOURCE],
                "rotationMode": "MANUAL",
                "signingKeys": [key("knowledge-as-active", "ACTIVE"), key("knowledge-as-next", "NEXT")],
                "scopes": [{"name": EXECUTE, "description": "Ask Corp-Knowledge-Agent"}],
                "policies": [
                    {
                        "name": "MCP host",
                        "description": "The MCP host may call Corp-Knowledge-Agent",
                        "priority": 1,
                        "clients": list(HOSTS.values()),
                        "rules": [
                            {
                                "name": "MCP host ID-JAG redemption",
                                "priority": 1,
                                "people": {"groups": {"include": ["EVERYONE"]}},
                                "grantTypes": ["urn:ietf:params:oauth:grant-type:jwt-bearer"],
                                "scopes": [EXECUTE],
                                "accessTokenLifetimeMinutes": 60,
                            }
                        ],
                    }
                ],
            },
            {"id": "default", "signingKeys": [key("default-as-active", "ACTIVE"), key("default-as-next", "NEXT")]},
        ],
        "connections": [
            {"owner": app, "authorizationServer": KNOWLEDGE, "resourceIndicator": KNOWLEDGE_RESOURCE, "scopes": [EXECUTE]}
            for app in HOSTS.values()
        ],
    }


@pytest.fixture(scope="module")
def baton():
    """A baton of its own (loopback http, SQLite) with `seed()`; yields its base URL."""
    binary = os.environ.get("BATON_BIN", str(ROOT / "target/debug/baton"))
    work = Path(tempfile.mkdtemp(prefix="baton-interop-mcp."))
    (work / "seed.yaml").write_text(json.dumps(seed(), indent=1))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "BATON_KEY_ENCRYPTION_KEY": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("="),
        "BATON_KEYS_DIR": str(work / "keys"),
    }
    log = open(work / "baton.log", "wb")
    args = [binary, "serve", "--listen", f"127.0.0.1:{port}", "--issuer", base]
    args += ["--database-url", f"sqlite://{work}/baton.db", "--seed", str(work / "seed.yaml")]
    proc = subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        for _ in range(300):
            try:
                if requests.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert proc.poll() is None, (work / "baton.log").read_text()
            time.sleep(0.1)
        else:
            raise AssertionError("baton did not start: " + (work / "baton.log").read_text())
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()
        shutil.rmtree(work, ignore_errors=True)


class Storage:
    """An in-memory TokenStorage."""

    def __init__(self):
        self.tokens = None
        self.client_info = None

    async def get_tokens(self):
        return self.tokens

    async def set_tokens(self, tokens):
        self.tokens = tokens

    async def get_client_info(self):
        return self.client_info

    async def set_client_info(self, client_info):
        self.client_info = client_info


def leg1(base, method, audience, resource):
    """The host app exchanges its own ID token at the org AS for an ID-JAG (xaa.md §4)."""
    app = HOSTS[method]
    id_token = code_flow(base, server=None, client_id=app, secret=HOST_SECRET, redirect_uri=REDIRECT, scope="openid email", method=method)["id_token"]
    form = {
        "grant_type": TOKEN_EXCHANGE,
        "requested_token_type": ID_JAG,
        "subject_token": id_token,
        "subject_token_type": ID_TOKEN_TYPE,
        "audience": audience,
        "resource": resource,
        "scope": EXECUTE,
    }
    r = secret_post(endpoint(base, None, "token"), form, app, HOST_SECRET, method)
    assert r.status_code == 200, r.text
    return r.json()["access_token"]


def mcp_server(base, seen):
    """The MCP server: 401 unless the bearer token is a Corp Knowledge access token for it."""
    jwks = jwt.PyJWKClient(endpoint(base, KNOWLEDGE, "keys"))

    def handle(request):
        auth = request.headers.get("authorization", "")
        seen.append(auth)
        if auth.startswith("Bearer "):
            token = auth[len("Bearer ") :]
            try:
                key = jwks.get_signing_key_from_jwt(token)
                claims = jwt.decode(token, key, algorithms=["RS256"], audience=KNOWLEDGE_RESOURCE, issuer=issuer(base, KNOWLEDGE))
            except jwt.PyJWTError:
                claims = None
            if claims and EXECUTE in claims["scp"]:
                return httpx2.Response(200, json={"answer": 42, "claims": claims})
        return httpx2.Response(401, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})

    return httpx2.MockTransport(handle)


@pytest.mark.parametrize("method", ["client_secret_post", "client_secret_basic"])
def test_identity_assertion_provider_redeems_a_baton_id_jag(baton, method):
    calls = []

    async def assertion_provider(audience, resource):
        calls.append((audience, resource))
        return leg1(baton, method, audience, resource)

    async def body():
        storage, seen = Storage(), []
        provider = IdentityAssertionOAuthProvider(
            server_url=KNOWLEDGE_RESOURCE,
            storage=storage,
            client_id=HOSTS[method],
            client_secret=HOST_SECRET,
            issuer=issuer(baton, KNOWLEDGE),
            assertion_provider=assertion_provider,
            scope=EXECUTE,
            token_endpoint_auth_method=method,
        )
        async with httpx2.AsyncClient(auth=provider, mounts={"https://streamward.com": mcp_server(baton, seen)}) as client:
            first = await client.get(KNOWLEDGE_RESOURCE)
            second = await client.get(KNOWLEDGE_RESOURCE)
        return storage, seen, first, second

    storage, seen, first, second = anyio.run(body)
    assert first.status_code == 200, first.text
    assert second.status_code == 200, second.text
    # One 401 without a token, then the redeemed token, reused for the second call.
    assert seen[0] == "" and seen[1] == seen[2] == f"Bearer {storage.tokens.access_token}"
    assert calls == [(issuer(baton, KNOWLEDGE), KNOWLEDGE_RESOURCE)]
    t = storage.tokens
    assert (t.token_type.lower(), t.expires_in, t.scope, t.refresh_token) == ("bearer", 3600, EXECUTE, None)
    claims = first.json()["claims"]
    assert (claims["iss"], claims["aud"], claims["cid"], claims["uid"], claims["sub"]) == (
        issuer(baton, KNOWLEDGE),
        KNOWLEDGE_RESOURCE,
        HOSTS[method],
        USER_ID,
        LOGIN,
    )
    assert (claims["scp"], claims["scope"]) == ([EXECUTE], EXECUTE)
    assert claims["act"] == {"sub": HOSTS[method], "sub_profile": "web_app"}


def test_wrong_secret_fails_the_redemption(baton):
    async def assertion_provider(audience, resource):
        return leg1(baton, "client_secret_post", audience, resource)

    async def body():
        provider = IdentityAssertionOAuthProvider(
            server_url=KNOWLEDGE_RESOURCE,
            storage=Storage(),
            client_id=HOSTS["client_secret_post"],
            client_secret=HOST_SECRET + "-wrong",
            issuer=issuer(baton, KNOWLEDGE),
            assertion_provider=assertion_provider,
        )
        async with httpx2.AsyncClient(auth=provider, mounts={"https://streamward.com": mcp_server(baton, [])}) as client:
            await client.get(KNOWLEDGE_RESOURCE)

    with pytest.raises(OAuthTokenError, match="invalid_client"):
        anyio.run(body)
