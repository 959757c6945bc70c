"""baton's container image as the authorization server of a pytest session, started with
Testcontainers (https://testcontainers.com).

Build the image once from the repository (`docker build -t baton .`); BATON_IMAGE names another
one. The container gets a fixed host port, because the issuer (`http://localhost:<port>`) is
baton's configuration and must be known before it starts. It runs on an in-memory database
with the Streamward seed, a known admin API token and the `/dev/v1/` helpers.
"""

import json
import os
import socket
import time
import urllib.error
import urllib.request

import pytest
from testcontainers.core.container import DockerContainer

IMAGE = os.environ.get("BATON_IMAGE", "baton:latest")
ADMIN_TOKEN = "test-suite-admin-token-0123456789"
# A fixed key-encryption key: the container's keys need not outlive it, but a generated one
# would be written into the image's key volume.
KEK = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(method, url, body=None, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={
        "Accept": "application/json", "Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=10) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


@pytest.fixture(scope="session")
def baton():
    """The issuer of a running baton container."""
    port = free_port()
    issuer = f"http://localhost:{port}"
    container = (
        DockerContainer(IMAGE)
        .with_env("BATON_ISSUER", issuer)
        .with_env("DATABASE_URL", "sqlite::memory:")
        .with_env("BATON_SEED", "/app/examples/streamward.yaml")
        .with_env("BATON_ADMIN_API_TOKEN", ADMIN_TOKEN)
        .with_env("BATON_KEY_ENCRYPTION_KEY", KEK)
        .with_env("BATON_DEV", "true")
        # The container listens on 0.0.0.0, which --dev refuses unless told otherwise.
        .with_env("BATON_DEV_ALLOW_REMOTE", "true")
        .with_bind_ports(8080, port)
    )
    with container:
        deadline = time.monotonic() + 60
        while True:
            try:
                if call("GET", f"{issuer}/readyz")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                out, err = container.get_logs()
                raise RuntimeError(f"baton did not become ready:\n{err.decode(errors='replace')[-3000:]}")
            time.sleep(0.2)
        yield issuer


@pytest.fixture
def admin():
    return {"Authorization": f"SSWS {ADMIN_TOKEN}"}
