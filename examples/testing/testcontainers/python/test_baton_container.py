"""Tests against the baton container of conftest.py: discovery, the Management API, and a
token minted by the dev helpers that introspection reports active."""

import base64
import json
import urllib.parse
import urllib.request

from conftest import call

CHAT, CHAT_SECRET = "0oarbboyj0J3R67xy1d7", "streamward-chat-demo-secret-not-for-production"


def test_discovery_names_the_container_issuer(baton):
    status, doc = call("GET", f"{baton}/oauth2/default/.well-known/openid-configuration")
    assert status == 200
    assert doc["issuer"] == f"{baton}/oauth2/default"


def test_a_user_created_through_the_management_api(baton, admin):
    profile = {"firstName": "Tess", "lastName": "Container", "email": "tess@example.com", "login": "tess@example.com"}
    password = {"password": {"value": "Tess-Container-2026!"}}
    status, user = call("POST", f"{baton}/api/v1/users?activate=true", {"profile": profile, "credentials": password},
                        admin)
    assert status == 200, user
    assert user["status"] == "ACTIVE"  # with a password; without one Okta (and baton) say PROVISIONED
    status, found = call("GET", f"{baton}/api/v1/users/tess@example.com", headers=admin)
    assert (status, found["id"]) == (200, user["id"])


def test_a_minted_token_introspects_active(baton):
    status, minted = call("POST", f"{baton}/dev/v1/tokens", {
        "clientId": CHAT, "login": "demouser@streamward.com", "scopes": ["openid"]})
    assert status == 200, minted
    basic = base64.b64encode(f"{CHAT}:{CHAT_SECRET}".encode()).decode()
    form = urllib.parse.urlencode({"token": minted["access_token"], "token_type_hint": "access_token"}).encode()
    request = urllib.request.Request(f"{baton}/oauth2/default/v1/introspect", data=form,
                                     headers={"Authorization": f"Basic {basic}"})
    with urllib.request.urlopen(request, timeout=10) as r:
        answer = json.loads(r.read())
    assert answer["active"] is True
    assert answer["username"] == "demouser@streamward.com"
