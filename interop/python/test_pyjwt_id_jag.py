"""PyJWT (`jwt.PyJWKClient` + `jwt.decode`), unchanged, verifying baton's ID-JAGs.

Hop 3 of the Streamward chain (xaa.md §9) with real tokens: the chat app's access token from the
`default` AS (authorization code + PKCE, sessionToken sign-in) is exchanged by the Orchestrator
agent (private_key_jwt, assertion signed with PyJWT) at the org AS for an ID-JAG for Corp
Knowledge. PyJWKClient fetches {BATON_URL}/oauth2/v1/keys and picks the key by `kid`; the ID-JAG
must verify there with typ oauth-id-jag+jwt, iss, aud, client_id, resource, scope and the act
chain of xaa.md §4.5-§4.6, and must not verify with another AS's keys, another audience or a
tampered payload. Hop 4 (the redemption at Corp Knowledge) is verified the same way.
"""

import time

import jwt
import pytest

from baton_helpers import (
    BASE,
    CHAT,
    EXECUTE,
    ID_JAG,
    JWT_BEARER,
    KNOWLEDGE,
    KNOWLEDGE_RESOURCE,
    LOGIN,
    ORCHESTRATOR,
    USER_ID,
    as_orchestrator,
    code_flow,
    endpoint,
    issuer,
    orchestrator_id_jag,
)

ORG_KEYS = endpoint(BASE, None, "keys")
ACT = {"sub": ORCHESTRATOR, "sub_profile": "ai_agent", "act": {"sub": CHAT, "sub_profile": "web_app"}}


@pytest.fixture(scope="module")
def chain():
    t1 = code_flow(BASE, scope="openid profile email")
    leg1 = orchestrator_id_jag(BASE, t1["access_token"])
    return {"t1": t1["access_token"], "leg1": leg1, "jag": leg1["access_token"]}


def test_leg1_response(chain):
    leg1 = chain["leg1"]
    assert set(leg1) == {"issued_token_type", "access_token", "token_type", "expires_in", "scope"}
    assert (leg1["issued_token_type"], leg1["token_type"], leg1["expires_in"], leg1["scope"]) == (ID_JAG, "N_A", 300, EXECUTE)


def test_id_jag_verifies_with_pyjwkclient(chain):
    jag = chain["jag"]
    header = jwt.get_unverified_header(jag)
    assert header["typ"] == "oauth-id-jag+jwt"
    assert header["alg"] == "RS256"
    key = jwt.PyJWKClient(ORG_KEYS).get_signing_key_from_jwt(jag)
    assert key.key_id == header["kid"]
    claims = jwt.decode(
        jag,
        key,
        algorithms=["RS256"],
        audience=issuer(BASE, KNOWLEDGE),
        issuer=BASE,
        options={"require": ["iss", "sub", "aud", "exp", "iat", "jti"]},
    )
    assert isinstance(claims["aud"], str), "aud is one string"
    assert claims["sub"] == USER_ID
    assert claims["client_id"] == ORCHESTRATOR
    assert claims["resource"] == KNOWLEDGE_RESOURCE
    assert claims["scope"] == EXECUTE
    assert claims["sub_profile"] == "user"
    assert claims["email"] == LOGIN
    assert claims["act"] == ACT
    assert claims["jti"].startswith("IDAAG.")
    assert claims["exp"] - claims["iat"] == 300
    assert abs(claims["iat"] - time.time()) < 120
    assert "nbf" not in claims


def test_id_jag_refused_elsewhere(chain):
    jag = chain["jag"]
    key = jwt.PyJWKClient(ORG_KEYS).get_signing_key_from_jwt(jag)
    with pytest.raises(jwt.InvalidAudienceError):
        jwt.decode(jag, key, algorithms=["RS256"], audience=issuer(BASE, "default"), issuer=BASE)
    with pytest.raises(jwt.InvalidIssuerError):
        jwt.decode(jag, key, algorithms=["RS256"], audience=issuer(BASE, KNOWLEDGE), issuer=issuer(BASE, "default"))
    # Another AS's JWKS does not hold the org kid.
    with pytest.raises(jwt.PyJWKClientError):
        jwt.PyJWKClient(endpoint(BASE, KNOWLEDGE, "keys")).get_signing_key_from_jwt(jag)
    # A payload changed after signing.
    head, _, sig = jag.split(".")
    forged = jwt.api_jws.base64url_encode(b'{"iss":"%s","sub":"00uSomeoneElse000000"}' % BASE.encode()).decode()
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(f"{head}.{forged}.{sig}", key, algorithms=["RS256"], audience=issuer(BASE, KNOWLEDGE), issuer=BASE)


def test_redeemed_access_token_verifies(chain):
    r = as_orchestrator(BASE, KNOWLEDGE, {"grant_type": JWT_BEARER, "assertion": chain["jag"]})
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"token_type", "access_token", "expires_in", "scope"}
    t2 = body["access_token"]
    assert "typ" not in jwt.get_unverified_header(t2)
    key = jwt.PyJWKClient(endpoint(BASE, KNOWLEDGE, "keys")).get_signing_key_from_jwt(t2)
    claims = jwt.decode(t2, key, algorithms=["RS256"], audience=KNOWLEDGE_RESOURCE, issuer=issuer(BASE, KNOWLEDGE))
    assert (claims["cid"], claims["uid"], claims["sub"], claims["scp"], claims["scope"]) == (ORCHESTRATOR, USER_ID, LOGIN, [EXECUTE], EXECUTE)
    assert claims["act"] == ACT
    # Single use (xaa.md §6.2 row 10).
    again = as_orchestrator(BASE, KNOWLEDGE, {"grant_type": JWT_BEARER, "assertion": chain["jag"]})
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant", again.text
