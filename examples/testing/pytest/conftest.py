"""baton as the authorization server of a pytest session.

One baton per session: `--dev` (token minting, clock, reset), the Streamward seed (fixed ids,
pinned keys), an in-memory SQLite database and a free port. Start-up takes well under a second.
Tests that change data use the `clean_baton` fixture, which resets baton to the seed first.
The binary comes from $BATON_BIN, else the repository's target/release/baton (what the README's
`cargo run --release` builds), else target/debug/baton (what `cargo test` builds).
"""

import json
import os
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
SEED = REPO / "examples" / "streamward.yaml"
ADMIN_TOKEN = "test-suite-admin-token-0123456789"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(method, url, body=None, token=None):
    """A JSON request; returns (status, parsed body or None)."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("Accept", "application/json")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"SSWS {token}")
    try:
        with urllib.request.urlopen(req, timeout=10) as res:
            raw = res.read()
            return res.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as err:
        raw = err.read()
        return err.code, json.loads(raw) if raw else None


@pytest.fixture(scope="session")
def baton_url():
    built = [REPO / "target" / profile / "baton" for profile in ("release", "debug")]
    binary = os.environ.get("BATON_BIN") or str(next((b for b in built if b.exists()), built[0]))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    keys = tempfile.mkdtemp(prefix="baton-keys-")
    env = {
        **os.environ,
        "BATON_ADMIN_API_TOKEN": ADMIN_TOKEN,
        # A fixed test value, so baton does not write a key file and warn about it.
        "BATON_KEY_ENCRYPTION_KEY": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8",
    }
    proc = subprocess.Popen(
        [binary, "serve", "--dev", "--listen", f"127.0.0.1:{port}", "--issuer", url,
         "--database-url", "sqlite::memory:", "--seed", str(SEED), "--keys-dir", keys],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"{url}/readyz", timeout=1) as res:
                if res.status == 200:
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"baton did not start:\n{proc.communicate()[1]}")
        time.sleep(0.02)
    yield url
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def clean_baton(baton_url):
    """baton as the seed left it, on the real clock."""
    assert call("POST", f"{baton_url}/dev/v1/reset")[0] == 200
    assert call("DELETE", f"{baton_url}/dev/v1/clock")[0] == 200
    return baton_url
