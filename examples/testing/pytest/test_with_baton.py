"""What a test suite typically does with baton: take tokens from it, check them the way the
system under test would (here: introspection), move the clock, reset between tests."""

import base64
import json
import urllib.parse
import urllib.request

from conftest import ADMIN_TOKEN, call

CHAT_APP = "0oarbboyj0J3R67xy1d7"
USER = "demouser@streamward.com"


def mint(url, **fields):
    status, body = call("POST", f"{url}/dev/v1/tokens", {"clientId": CHAT_APP, **fields})
    assert status == 200, body
    return body


def introspect(url, token):
    """RFC 7662 introspection at `default`, authenticated as the chat app (client_secret_basic)."""
    req = urllib.request.Request(
        f"{url}/oauth2/default/v1/introspect",
        data=urllib.parse.urlencode({"token": token, "token_type_hint": "access_token"}).encode(),
    )
    basic = base64.b64encode(f"{CHAT_APP}:streamward-chat-demo-secret-not-for-production".encode()).decode()
    req.add_header("Authorization", f"Basic {basic}")
    with urllib.request.urlopen(req, timeout=10) as res:
        return json.loads(res.read())


def test_discovery(baton_url):
    status, meta = call("GET", f"{baton_url}/oauth2/default/.well-known/openid-configuration")
    assert status == 200
    assert meta["issuer"] == f"{baton_url}/oauth2/default"


def test_minted_token_is_active_until_the_clock_passes_its_expiry(clean_baton):
    token = mint(clean_baton, login=USER, scopes=["openid", "email"], lifetimeSeconds=300)
    assert token["issuer"] == f"{clean_baton}/oauth2/default"
    info = introspect(clean_baton, token["access_token"])
    assert info["active"] is True
    assert info["username"] == USER
    assert info["scope"] == "openid email"

    # No sleeping: move baton's clock past `exp`.
    status, clock = call("POST", f"{clean_baton}/dev/v1/clock", {"advanceSeconds": 301})
    assert status == 200, clock
    assert introspect(clean_baton, token["access_token"]) == {"active": False}


def test_reset_brings_back_the_seed(clean_baton):
    status, user = call("POST", f"{clean_baton}/api/v1/users?activate=false", {
        "profile": {"firstName": "Temp", "lastName": "User", "email": "temp@example.com", "login": "temp@example.com"},
    }, token=ADMIN_TOKEN)
    assert status == 200, user
    assert call("POST", f"{clean_baton}/dev/v1/reset")[0] == 200
    assert call("GET", f"{clean_baton}/api/v1/users/temp@example.com", token=ADMIN_TOKEN)[0] == 404
    assert call("GET", f"{clean_baton}/api/v1/users/{USER}", token=ADMIN_TOKEN)[0] == 200
