"""`/api/v1/openapi.json` is a valid OpenAPI 3.1 document (checked by openapi-spec-validator,
which nobody on the baton team wrote), and every GET it lists without path parameters is served."""

import json
import os
import urllib.request

from openapi_spec_validator import validate

BASE = os.environ["BATON_URL"]
TOKEN = os.environ["BATON_API_TOKEN"]


def fetch(path):
    request = urllib.request.Request(f"{BASE}{path}", headers={"Authorization": f"SSWS {TOKEN}", "Accept": "application/json"})
    with urllib.request.urlopen(request) as response:
        return response.status, json.loads(response.read() or b"null")


def test_document_validates_and_lists_what_is_served():
    status, doc = fetch("/api/v1/openapi.json")
    assert status == 200
    validate(doc)
    assert doc["servers"] == [{"url": BASE}]
    paths = doc["paths"]
    for must in ["/api/v1/users", "/api/v1/apps", "/api/v1/authorizationServers", "/api/v1/logs", "/workload-principals/api/v1/ai-agents"]:
        assert must in paths, must
    for path, operations in paths.items():
        if "get" in operations and "{" not in path:
            status, _ = fetch(path)
            assert status == 200, path
