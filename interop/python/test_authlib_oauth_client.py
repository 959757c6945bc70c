"""Authlib's OAuth 2.0 client (`authlib.integrations.requests_client.OAuth2Session`), unchanged,
against a real baton.

- Authorization code + PKCE (S256) at the TLS baton's `default` AS, endpoints read from its
  discovery document: Authlib builds the authorize URL (the demo user is signed in by a
  sessionToken, an Okta extension passed as an extra parameter), parses the redirect and
  redeems the code with client_secret_basic; then refreshes the offline_access grant, and a
  replayed code revokes the family.
- Client credentials at a custom AS created for this run through the Management API (service
  apps with client_secret_basic and client_secret_post, a scope, a policy naming both clients,
  a client_credentials rule): the access token's iss, aud, cid, sub and scp, and Authlib
  surfacing baton's OAuth errors (unknown scope, wrong secret).
"""

import base64
import json

import pytest
import requests
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.requests_client import OAuth2Session

from baton_helpers import (
    BASE,
    CHAT,
    CHAT_REDIRECT,
    CHAT_SECRET,
    RUN,
    TLS_BASE,
    USER_ID,
    api_ok,
    issuer,
    redirected_code,
    session_token,
)


def claims_of(jwt):
    payload = jwt.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def discovery(iss):
    r = requests.get(f"{iss}/.well-known/openid-configuration", timeout=30)
    assert r.status_code == 200, r.text
    meta = r.json()
    assert meta["issuer"] == iss
    assert "S256" in meta["code_challenge_methods_supported"]
    return meta


def test_authorization_code_with_pkce_and_refresh():
    iss = issuer(TLS_BASE, "default")
    meta = discovery(iss)
    scope = "openid profile email offline_access"
    session = OAuth2Session(CHAT, CHAT_SECRET, scope=scope, redirect_uri=CHAT_REDIRECT, code_challenge_method="S256")
    verifier = "v" * 20 + RUN * 4 + "-PKCE-verifier-of-authlib"
    url, state = session.create_authorization_url(
        meta["authorization_endpoint"], code_verifier=verifier, nonce=f"n{RUN}", sessionToken=session_token(TLS_BASE)
    )
    assert "code_challenge_method=S256" in url
    location, _ = redirected_code(url, state)
    assert location.startswith(f"{CHAT_REDIRECT}?")

    token = session.fetch_token(meta["token_endpoint"], authorization_response=location, code_verifier=verifier)
    assert token["token_type"] == "Bearer"
    assert token["scope"] == scope
    assert token["expires_in"] == 3600
    assert {"access_token", "id_token", "refresh_token", "expires_at"} <= set(token)
    at = claims_of(token["access_token"])
    assert (at["iss"], at["aud"], at["cid"], at["uid"]) == (iss, "api://default", CHAT, USER_ID)
    assert at["scp"] == scope.split()
    idt = claims_of(token["id_token"])
    assert (idt["iss"], idt["aud"], idt["sub"], idt["nonce"]) == (iss, CHAT, USER_ID, f"n{RUN}")

    refreshed = session.refresh_token(meta["token_endpoint"], refresh_token=token["refresh_token"])
    assert refreshed["access_token"] != token["access_token"]
    assert refreshed["refresh_token"] != token["refresh_token"], "rotated"
    assert claims_of(refreshed["access_token"])["uid"] == USER_ID
    r = requests.get(meta["userinfo_endpoint"], headers={"Authorization": f"Bearer {refreshed['access_token']}"}, timeout=30)
    assert r.status_code == 200 and r.json()["sub"] == USER_ID

    # The code is single use: Authlib surfaces baton's error, and the replay revoked the whole
    # family the first redemption started (okta-surface.md §5.2), refreshed tokens included.
    with pytest.raises(OAuthError) as e:
        session.fetch_token(meta["token_endpoint"], authorization_response=location, code_verifier=verifier)
    assert e.value.error == "invalid_grant"
    with pytest.raises(OAuthError) as e:
        session.refresh_token(meta["token_endpoint"], refresh_token=refreshed["refresh_token"])
    assert e.value.error == "invalid_grant"


def service_app(label, method):
    app = api_ok(
        "POST",
        "/api/v1/apps",
        {
            "name": "oidc_client",
            "label": label,
            "signOnMode": "OPENID_CONNECT",
            "credentials": {"oauthClient": {"token_endpoint_auth_method": method}},
            "settings": {"oauthClient": {"grant_types": ["client_credentials"], "application_type": "service"}},
        },
    )
    oc = app["credentials"]["oauthClient"]
    assert oc["token_endpoint_auth_method"] == method
    return oc["client_id"], oc["client_secret"]


@pytest.fixture(scope="module")
def reports_server():
    """A custom AS with one scope and a client_credentials rule for two service apps."""
    basic = service_app(f"Reports job basic {RUN}", "client_secret_basic")
    post = service_app(f"Reports job post {RUN}", "client_secret_post")
    server = api_ok("POST", "/api/v1/authorizationServers", {"name": f"Reports {RUN}", "description": "Reports API", "audiences": [f"api://reports-{RUN}"]})
    sid = server["id"]
    api_ok("POST", f"/api/v1/authorizationServers/{sid}/scopes", {"name": "reports:read", "description": "Read reports"})
    api_ok("POST", f"/api/v1/authorizationServers/{sid}/scopes", {"name": "reports:write", "description": "Write reports"})
    policy = api_ok(
        "POST",
        f"/api/v1/authorizationServers/{sid}/policies",
        {
            "type": "OAUTH_AUTHORIZATION_POLICY",
            "name": "Report jobs",
            "description": "The report jobs",
            "priority": 1,
            "conditions": {"clients": {"include": [basic[0], post[0]]}},
        },
    )
    api_ok(
        "POST",
        f"/api/v1/authorizationServers/{sid}/policies/{policy['id']}/rules",
        {
            "name": "Jobs read reports",
            "type": "RESOURCE_ACCESS",
            "priority": 1,
            "conditions": {
                "people": {"groups": {"include": ["EVERYONE"]}},
                "grantTypes": {"include": ["client_credentials"]},
                "scopes": {"include": ["reports:read"]},
            },
            "actions": {"token": {"accessTokenLifetimeMinutes": 15, "refreshTokenLifetimeMinutes": 0, "refreshTokenWindowMinutes": 10080}},
        },
    )
    return {"id": sid, "issuer": server["issuer"], "basic": basic, "post": post}


@pytest.mark.parametrize("method", ["client_secret_basic", "client_secret_post"])
def test_client_credentials(reports_server, method):
    client_id, secret = reports_server["basic" if method == "client_secret_basic" else "post"]
    iss = reports_server["issuer"]
    assert iss == issuer(BASE, reports_server["id"])
    meta = discovery(iss)
    assert method in meta["token_endpoint_auth_methods_supported"]
    session = OAuth2Session(client_id, secret, scope="reports:read", token_endpoint_auth_method=method)
    token = session.fetch_token(meta["token_endpoint"], grant_type="client_credentials")
    assert set(token) == {"token_type", "expires_in", "access_token", "scope", "expires_at"}, "no refresh or ID token"
    assert (token["token_type"], token["expires_in"], token["scope"]) == ("Bearer", 900, "reports:read")
    c = claims_of(token["access_token"])
    assert (c["iss"], c["aud"], c["cid"], c["sub"], c["scp"]) == (iss, f"api://reports-{RUN}", client_id, client_id, ["reports:read"])
    assert "uid" not in c
    assert c["exp"] - c["iat"] == 900


def test_client_credentials_errors(reports_server):
    client_id, secret = reports_server["basic"]
    token_url = f"{reports_server['issuer']}/v1/token"
    with pytest.raises(OAuthError) as e:
        OAuth2Session(client_id, secret, scope="reports:nope").fetch_token(token_url, grant_type="client_credentials")
    assert e.value.error == "invalid_scope"
    with pytest.raises(OAuthError) as e:
        OAuth2Session(client_id, secret, scope="reports:write").fetch_token(token_url, grant_type="client_credentials")
    assert (e.value.error, e.value.description) == ("access_denied", "Policy evaluation succeeded, but all the requested scopes were rejected.")
    with pytest.raises(OAuthError) as e:
        OAuth2Session(client_id, secret, scope="reports:read reports:write").fetch_token(token_url, grant_type="client_credentials")
    assert e.value.error == "access_denied"
    assert "Denied scopes: [reports:write]" in e.value.description
    with pytest.raises(OAuthError) as e:
        OAuth2Session(client_id, secret + "x", scope="reports:read").fetch_token(token_url, grant_type="client_credentials")
    assert e.value.error == "invalid_client"
