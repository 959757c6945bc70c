"""The Okta Python management SDK (`okta` from PyPI), unchanged, against a real baton.

It creates and reads back a user, a group holding that user, an OIDC app, an authorization
server with a scope, a policy and a rule, registers an AI agent with a key and a connection (the
SDK has no AI-agent API, so through its own request executor, which still does SSWS auth, JSON
and error parsing), and lists the System Log filtered by eventType. Run by interop/run.
"""

import asyncio
import base64
import json
import os
import uuid

from cryptography.hazmat.primitives.asymmetric import rsa
from okta.client import Client as OktaClient
from okta.models import (
    AddGroupRequest,
    Application,
    AuthorizationServer,
    AuthorizationServerPolicy,
    AuthorizationServerPolicyRuleRequest,
    CreateUserRequest,
    OAuth2Scope,
)

BASE = os.environ["BATON_URL"]
TOKEN = os.environ["BATON_API_TOKEN"]
RUN = uuid.uuid4().hex[:8]


def client():
    # cacheManager off: the tests mutate and reread.
    return OktaClient({"orgUrl": BASE, "token": TOKEN, "cache": {"enabled": False}})


def run(coro):
    return asyncio.run(coro)


def ok(result):
    """(data, resp, err) → data, failing the test on err."""
    data, resp, err = result
    assert err is None, f"SDK error: {err}"
    return data, resp


def b64url_uint(n):
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


async def call(c, method, path, body=None):
    """A call through the SDK's own request executor (auth, JSON, error envelope)."""
    ex = c.get_request_executor()
    request, err = await ex.create_request(method, f"{BASE}{path}", body, {})
    assert err is None, err
    response, response_body, err = await ex.execute(request)
    assert err is None, f"{method} {path}: {err}"
    return response, response_body


def test_user_and_group_round_trip():
    async def body():
        c = client()
        login = f"isaac.brock.{RUN}@example.com"
        req = CreateUserRequest.from_dict(
            {
                "profile": {"firstName": "Isaac", "lastName": "Brock", "email": login, "login": login},
                "credentials": {"password": {"value": "Knock-Knock-2026!"}},
            }
        )
        user, _ = ok(await c.create_user(req, activate=True))
        assert user.id.startswith("00u")
        assert user.status.value == "ACTIVE"
        again, _ = ok(await c.get_user(user.id))
        assert again.profile.login == login
        assert again.profile.first_name == "Isaac"
        by_login, _ = ok(await c.get_user(login))
        assert by_login.id == user.id

        group, _ = ok(await c.add_group(AddGroupRequest.from_dict({"profile": {"name": f"Engineering {RUN}", "description": "All engineers"}})))
        assert group.id.startswith("00g")
        _, resp = ok(await c.assign_user_to_group(group.id, user.id))
        assert resp.status_code == 204
        members, _ = ok(await c.list_group_users(group.id))
        assert [m.id for m in members] == [user.id]
        read_group, _ = ok(await c.get_group(group.id))
        # GroupProfile is an anyOf model in the 3.x SDK: the OKTA_GROUP profile is its actual_instance.
        assert read_group.profile.actual_instance.name == f"Engineering {RUN}"

    run(body())


def test_duplicate_login_is_an_okta_error():
    async def body():
        c = client()
        login = f"dup.{RUN}@example.com"
        req = CreateUserRequest.from_dict({"profile": {"firstName": "D", "lastName": "Up", "email": login, "login": login}})
        ok(await c.create_user(req, activate=False))
        _, _, err = await c.create_user(req, activate=False)
        assert err is not None
        assert "E0000001" in str(err) or getattr(err, "error_code", None) == "E0000001"

    run(body())


def test_oidc_app_round_trip():
    async def body():
        c = client()
        app = Application.from_dict(
            {
                "name": "oidc_client",
                "label": f"Orders SPA {RUN}",
                "signOnMode": "OPENID_CONNECT",
                "credentials": {"oauthClient": {"token_endpoint_auth_method": "client_secret_basic"}},
                "settings": {
                    "oauthClient": {
                        "redirect_uris": ["http://localhost:3000/callback"],
                        "response_types": ["code"],
                        "grant_types": ["authorization_code", "refresh_token"],
                        "application_type": "web",
                    }
                },
            }
        )
        created, _ = ok(await c.create_application(app))
        assert created.id.startswith("0oa")
        assert created.credentials.oauth_client.client_secret
        read, _ = ok(await c.get_application(created.id))
        assert read.label == f"Orders SPA {RUN}"
        assert read.credentials.oauth_client.client_id == created.credentials.oauth_client.client_id
        assert read.credentials.oauth_client.client_secret is None  # shown once
        assert read.settings.oauth_client.redirect_uris == ["http://localhost:3000/callback"]

    run(body())


def test_authorization_server_scope_policy_rule():
    async def body():
        c = client()
        server = AuthorizationServer.from_dict(
            {"name": f"Orders {RUN}", "description": "Orders API", "audiences": [f"api://orders-{RUN}"]}
        )
        a, _ = ok(await c.create_authorization_server(server))
        assert a.id.startswith("aus")
        assert a.issuer == f"{BASE}/oauth2/{a.id}"
        scope, _ = ok(await c.create_o_auth2_scope(a.id, OAuth2Scope.from_dict({"name": "orders:read", "description": "Read orders"})))
        assert scope.name == "orders:read"
        names = [s.name for s in ok(await c.list_o_auth2_scopes(a.id))[0]]
        assert "orders:read" in names and "openid" in names
        policy, _ = ok(
            await c.create_authorization_server_policy(
                a.id,
                AuthorizationServerPolicy.from_dict(
                    {
                        "type": "OAUTH_AUTHORIZATION_POLICY",
                        "name": "Orders clients",
                        "description": "All clients",
                        "priority": 1,
                        "conditions": {"clients": {"include": ["ALL_CLIENTS"]}},
                    }
                ),
            )
        )
        assert policy.id.startswith("00p")
        rule, _ = ok(
            await c.create_authorization_server_policy_rule(
                a.id,
                policy.id,
                AuthorizationServerPolicyRuleRequest.from_dict(
                    {
                        "name": "Everyone reads orders",
                        "type": "RESOURCE_ACCESS",
                        "priority": 1,
                        "conditions": {
                            "people": {"groups": {"include": ["EVERYONE"]}},
                            "grantTypes": {"include": ["client_credentials", "authorization_code"]},
                            "scopes": {"include": ["orders:read"]},
                        },
                        "actions": {"token": {"accessTokenLifetimeMinutes": 60, "refreshTokenLifetimeMinutes": 0, "refreshTokenWindowMinutes": 10080}},
                    }
                ),
            )
        )
        assert rule.id.startswith("0pr")
        read, _ = ok(await c.get_authorization_server_policy_rule(a.id, policy.id, rule.id))
        assert read.name == "Everyone reads orders"
        assert read.conditions.scopes.include == ["orders:read"]
        read_server, _ = ok(await c.get_authorization_server(a.id))
        assert read_server.audiences == [f"api://orders-{RUN}"]

    run(body())


def test_ai_agent_with_key_and_connection():
    async def body():
        c = client()
        app = Application.from_dict(
            {
                "name": "oidc_client",
                "label": f"Agent host {RUN}",
                "signOnMode": "OPENID_CONNECT",
                "credentials": {"oauthClient": {"token_endpoint_auth_method": "client_secret_basic"}},
                "settings": {"oauthClient": {"redirect_uris": ["http://localhost:3000/cb"], "response_types": ["code"], "grant_types": ["authorization_code"], "application_type": "web"}},
            }
        )
        host, _ = ok(await c.create_application(app))
        server, _ = ok(await c.create_authorization_server(AuthorizationServer.from_dict({"name": f"Knowledge {RUN}", "description": "K", "audiences": [f"api://knowledge-{RUN}"]})))
        ok(await c.create_o_auth2_scope(server.id, OAuth2Scope.from_dict({"name": "kb:read"})))
        _, org_text = await call(c, "GET", "/api/v1/org")
        org_id = json.loads(org_text)["id"]

        response, _ = await call(c, "POST", "/workload-principals/api/v1/ai-agents", {"profile": {"name": f"Trip planner {RUN}", "description": "Books travel"}, "appId": host.id})
        assert response.status == 202
        location = response.headers["Location"]
        assert location.startswith(f"{BASE}/workload-principals/api/v1/operations/")
        _, operation_text = await call(c, "GET", location[len(BASE):])
        operation = json.loads(operation_text)
        assert operation["status"] == "COMPLETED"
        agent_id = operation["resource"]["id"]
        assert agent_id.startswith("wlp")

        key = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key().public_numbers()
        jwk = {"kty": "RSA", "alg": "RS256", "use": "sig", "e": b64url_uint(key.e), "n": b64url_uint(key.n)}
        response, body_text = await call(c, "POST", f"/workload-principals/api/v1/ai-agents/{agent_id}/credentials/jwks", jwk)
        assert response.status == 201
        assert json.loads(body_text)["status"] == "ACTIVE"

        connection = {
            "connectionType": "IDENTITY_ASSERTION_CUSTOM_AS",
            "authorizationServer": {"orn": f"orn:okta:idp:{org_id}:authorization_servers:{server.id}"},
            "resourceIndicator": f"api://knowledge-{RUN}",
            "scopeCondition": "INCLUDE_ONLY",
            "scopes": ["kb:read"],
        }
        response, body_text = await call(c, "POST", f"/workload-principals/api/v1/ai-agents/{agent_id}/connections", connection)
        assert response.status == 201
        conn = json.loads(body_text)
        assert conn["id"].startswith("mcn")
        assert conn["authorizationServer"]["issuerUrl"] == f"{BASE}/oauth2/{server.id}"

        response, body_text = await call(c, "GET", f"/workload-principals/api/v1/ai-agents/{agent_id}")
        read = json.loads(body_text)
        assert read["profile"]["name"] == f"Trip planner {RUN}"
        assert read["status"] == "STAGED"

    run(body())


def test_system_log_filtered_by_event_type():
    async def body():
        c = client()
        login = f"logged.{RUN}@example.com"
        user, _ = ok(await c.create_user(CreateUserRequest.from_dict({"profile": {"firstName": "Log", "lastName": "Ged", "email": login, "login": login}}), activate=False))
        events, resp = ok(await c.list_log_events(filter='eventType eq "user.lifecycle.create"', limit=1000))
        assert events, "no user.lifecycle.create events"
        assert all(e.event_type == "user.lifecycle.create" for e in events)
        assert any(any(t.id == user.id for t in (e.target or [])) for e in events)

    run(body())
