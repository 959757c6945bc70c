"""Shared parts of the fault-proof scripts in scripts/reliability (standard library only).

A throwaway Postgres 15 cluster (initdb/pg_ctl, as `postgres` when run as root) or a SQLite
file; real `baton serve` processes; an HTTP client that follows no redirects and records every
answer with its `X-Okta-Request-Id`; RS256 client assertions of the orchestrator (rs256.py,
keys/streamward/orchestrator.pem); the Streamward flows (sign-in page → code, token
exchange for an ID-JAG, jwt-bearer redemption); the System Log check shared by both scripts;
cleanup on any exit, SIGINT and SIGTERM included.
"""

import base64
import hashlib
import html
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

from rs256 import RsaKey

ROOT = Path(__file__).resolve().parents[2]
PGBIN = Path("/usr/lib/postgresql/15/bin")
# The Streamward seed's DEMO values (examples/streamward.yaml; public on purpose).
LOGIN, PASSWORD = "demouser@streamward.com", "Streamward-Demo-2026!"
CHAT, CHAT_SECRET = "0oarbboyj0J3R67xy1d7", "streamward-chat-demo-secret-not-for-production"
REDIRECT = "http://localhost:3000/callback"
ORCHESTRATOR, KNOWLEDGE = "wlps2fwpkzi3raviM1d7", "aus1JGp4q34ckplLYGbL"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def b64u(data):
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def baton_binary(arg):
    for cand in [arg, os.environ.get("BATON_BIN"), ROOT / "target/release/baton", ROOT / "target/debug/baton"]:
        if cand and Path(cand).is_file() and os.access(cand, os.X_OK):
            return str(Path(cand).resolve())
    sys.exit("no baton binary: pass --baton PATH, set BATON_BIN, or build target/{release,debug}/baton")


class Cleanup:
    """A temp dir plus undo actions run in reverse on exit; SIGINT/SIGTERM exit through it."""

    def __init__(self, name, keep=False):
        self.dir = Path(tempfile.mkdtemp(prefix=f"baton-{name}."))
        self.dir.chmod(0o755)  # the postgres user must reach its sub-directory
        self.keep, self.actions = keep, []
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, self._signal)

    def _signal(self, signum, _frame):
        raise SystemExit(f"interrupted by signal {signum}")

    def push(self, fn):
        self.actions.append(fn)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        while self.actions:
            try:
                self.actions.pop()()
            except Exception as e:  # cleanup goes on
                print(f"cleanup: {e!r}", file=sys.stderr)
        if self.keep:
            print(f"kept {self.dir}", file=sys.stderr)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)


# ---------------------------------------------------------------- databases


class Postgres:
    """A throwaway cluster on 127.0.0.1:<free port>, fsync off; `stop` is registered at once."""

    def __init__(self, cleanup):
        self.dir = cleanup.dir / "pg"
        self.dir.mkdir()
        self.as_root = os.geteuid() == 0
        if self.as_root:
            shutil.chown(self.dir, "postgres", "postgres")
        self.data, self.logfile, self.port = self.dir / "data", self.dir / "postgres.log", free_port()
        self._pg("initdb", "-D", self.data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync", timeout=120)
        opts = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.dir} -c fsync=off -c max_connections=200"
        cleanup.push(self.stop)
        self._pg("pg_ctl", "-D", self.data, "-o", opts, "-l", self.logfile, "-w", "-t", "60", "start")
        self.psql("CREATE DATABASE baton", db="postgres")
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/baton"

    def _pg(self, tool, *args, timeout=90):
        cmd = [str(PGBIN / tool), *map(str, args)]
        if self.as_root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
        if out.returncode != 0:
            raise RuntimeError(f"{tool} failed ({out.returncode}): {out.stderr.strip()}")
        return out.stdout

    def restart(self, mode):
        self._pg("pg_ctl", "-D", self.data, "-m", mode, "-l", self.logfile, "-w", "-t", "60", "restart")

    def stop(self):
        if (self.data / "postmaster.pid").exists():
            self._pg("pg_ctl", "-D", self.data, "-m", "immediate", "-w", "-t", "30", "stop")

    def psql(self, sql, db="baton"):
        """Rows of `sql` as lists of strings (NULL → '')."""
        cmd = ["psql", "-X", "-q", "-A", "-t", "-F", "\x1f", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1"]
        cmd += ["-p", str(self.port), "-U", "postgres", "-d", db, "-c", sql]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
        if out.returncode != 0:
            raise RuntimeError(f"psql failed: {out.stderr.strip()}")
        return [line.split("\x1f") for line in out.stdout.splitlines() if line]

    def events(self):
        return self.psql(
            "SELECT transaction_id, event_type, outcome_result, "
            "COALESCE(body::json->'debugContext'->'debugData'->>'id_jag_jti', '') FROM log_events"
        )


class Sqlite:
    """A SQLite file that several baton processes share."""

    def __init__(self, cleanup):
        self.path = cleanup.dir / "baton.db"
        self.url = f"sqlite://{self.path}"

    def events(self):
        con = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=30)
        try:
            return con.execute(
                "SELECT transaction_id, event_type, outcome_result, "
                "COALESCE(json_extract(body, '$.debugContext.debugData.id_jag_jti'), '') FROM log_events"
            ).fetchall()
        finally:
            con.close()


# ---------------------------------------------------------------- baton


def baton_env(cleanup):
    """The environment every replica of one run shares: one key dir, one KEK, one admin token."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BATON_") and k != "DATABASE_URL"}
    env.update(
        BATON_KEYS_DIR=str(cleanup.dir / "keys"),
        BATON_KEY_ENCRYPTION_KEY=b64u(secrets.token_bytes(32)),
        BATON_ADMIN_API_TOKEN="reliability-" + secrets.token_hex(16),
    )
    return env


class Baton:
    """One `baton serve` process; its output goes to <tmp>/<name>.log."""

    def __init__(self, cleanup, binary, env, db_url, issuer=None, seed=True, name="baton"):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.issuer = issuer or self.base
        self.token, self.name = env["BATON_ADMIN_API_TOKEN"], name
        self.logfile = cleanup.dir / f"{name}.log"
        args = [binary, "serve", "--listen", f"127.0.0.1:{self.port}", "--issuer", self.issuer]
        args += ["--database-url", db_url] + (["--seed", "examples/streamward.yaml"] if seed else [])
        with open(self.logfile, "wb") as out:
            self.proc = subprocess.Popen(
                args, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT
            )
        cleanup.push(self.stop)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and self.alive():
            if request("GET", self.base + "/readyz", timeout=2).status == 200:
                return
            time.sleep(0.1)
        raise RuntimeError(f"{name} did not become ready; its log:\n{self.tail(40)}")

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        if self.alive():
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)

    def log_lines(self, pattern=""):
        """Lines of this replica's log matching `pattern`, colours stripped."""
        text = re.sub(r"\x1b\[[0-9;]*m", "", self.logfile.read_text(errors="replace"))
        return [line for line in text.splitlines() if re.search(pattern, line)]

    def tail(self, n):
        return "\n".join(self.log_lines()[-n:])

    def api(self, method, path, body=None):
        r = request(method, self.base + path, json.dumps(body) if body is not None else None,
                    {"Authorization": f"SSWS {self.token}", "Content-Type": "application/json",
                     "Accept": "application/json"})
        if r.status not in (200, 201, 204):
            raise RuntimeError(f"{method} {path}: {r.status} {r.text[:300]}")
        return r.json


# ---------------------------------------------------------------- HTTP


class Resp:
    """An answer (status None when the connection failed: `error` names why)."""

    def __init__(self, status=None, headers=(), body=b"", error=None, t0=0.0, t1=0.0):
        self.status, self.headers, self.body, self.error, self.t0, self.t1 = status, list(headers), body, error, t0, t1
        self.text = body.decode("utf-8", "replace")
        try:
            self.json = json.loads(self.text)
        except ValueError:
            self.json = None

    def header(self, name):
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    @property
    def rid(self):
        return self.header("x-okta-request-id")

    def clean_error(self):
        """A JSON error body (OAuth `error` or Management API `errorCode`)."""
        ctype = self.header("content-type") or ""
        return ctype.startswith("application/json") and isinstance(self.json, dict) and (
            "error" in self.json or "errorCode" in self.json)

    def outcome(self):
        return str(self.status) if self.status else f"conn:{self.error}"


# Every X-Okta-Request-Id answered to this process (setup requests included).
SEEN_RIDS = set()


def connection(url, timeout=30):
    u = urllib.parse.urlsplit(url)
    return http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)


def request(method, url, body=None, headers=None, timeout=30, conn=None):
    """One request on a fresh connection (or `conn`, already connected), closed afterwards."""
    u = urllib.parse.urlsplit(url)
    path = u.path + (f"?{u.query}" if u.query else "")
    conn = conn or connection(url, timeout)
    t0 = time.monotonic()
    try:
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        resp = Resp(r.status, r.getheaders(), r.read(), t0=t0, t1=time.monotonic())
        if resp.rid:
            SEEN_RIDS.add(resp.rid)
        return resp
    except (OSError, http.client.HTTPException) as e:
        return Resp(error=type(e).__name__, t0=t0, t1=time.monotonic())
    finally:
        conn.close()


def post_form(url, form, headers=None, timeout=30):
    h = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json", **(headers or {})}
    return request("POST", url, urllib.parse.urlencode(form), h, timeout)


def basic(client_id, secret):
    q = urllib.parse.quote
    return {"Authorization": "Basic " + base64.b64encode(f"{q(client_id, '')}:{q(secret, '')}".encode()).decode()}


ORCHESTRATOR_KEY = RsaKey(ROOT / "keys/streamward/orchestrator.pem")


def assertion(aud, client=ORCHESTRATOR, key=ORCHESTRATOR_KEY):
    """A fresh private_key_jwt client assertion (RFC 7523 §3) for `aud`."""
    now = int(time.time())
    return key.jwt({"iss": client, "sub": client, "aud": aud, "iat": now, "exp": now + 300,
                    "jti": secrets.token_urlsafe(32)})


def claims_of(jwt):
    part = jwt.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


# ---------------------------------------------------------------- the Streamward flows


def _keep_cookies(resp, jar):
    for k, v in resp.headers:
        if k.lower() == "set-cookie":
            name, _, value = v.split(";")[0].partition("=")
            if value and "max-age=0" not in v.lower():
                jar[name.strip()] = value.strip()
            else:
                jar.pop(name.strip(), None)


def _cookie_header(jar):
    return {"Cookie": "; ".join(f"{k}={v}" for k, v in jar.items())}


def sign_in_code(base, issuer, client_id, scope, jar):
    """/authorize with PKCE (signing in on the real page unless `jar` holds a session) →
    (code, verifier)."""
    verifier = secrets.token_urlsafe(48)
    state = secrets.token_urlsafe(16)
    query = urllib.parse.urlencode({
        "client_id": client_id, "redirect_uri": REDIRECT, "response_type": "code", "scope": scope,
        "state": state, "nonce": secrets.token_urlsafe(16), "code_challenge_method": "S256",
        "code_challenge": b64u(hashlib.sha256(verifier.encode()).digest())})
    r = request("GET", f"{base}/oauth2/default/v1/authorize?{query}", headers=_cookie_header(jar))
    _keep_cookies(r, jar)
    if r.status == 200 and 'name="password"' in r.text:
        m = re.search(r'<form method="post" action="([^"]*)">(.*?)</form>', r.text, re.S)
        if not m:
            raise RuntimeError(f"no form on the sign-in page: {r.text[:300]}")
        action = html.unescape(m.group(1))
        action = base + action[len(issuer):] if action.startswith(issuer) else (
            base + action if action.startswith("/") else action)
        fields = {}
        for tag in re.findall(r"<input ([^>]*)>", m.group(2)):
            name, value = re.search(r'\bname="([^"]*)"', tag), re.search(r'\bvalue="([^"]*)"', tag)
            if name:
                fields[html.unescape(name.group(1))] = html.unescape(value.group(1)) if value else ""
        fields.update(username=LOGIN, password=PASSWORD)
        r = request("POST", action, urllib.parse.urlencode(fields),
                    {"Content-Type": "application/x-www-form-urlencoded", **_cookie_header(jar)})
        _keep_cookies(r, jar)
    location = r.header("location") or ""
    params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))
    if r.status != 302 or "code" not in params or params.get("state") != state:
        raise RuntimeError(f"authorize did not redirect with a code: {r.status} {location} {r.text[:300]}")
    return params["code"], verifier


def redeem_code(base, client_id, secret, code, verifier):
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT, "code_verifier": verifier}
    return post_form(f"{base}/oauth2/default/v1/token", form, basic(client_id, secret))


def user_token(base, issuer):
    """Hop 1: the demo user's access token T1 for the chat app at `default`."""
    code, verifier = sign_in_code(base, issuer, CHAT, "openid profile email", {})
    r = redeem_code(base, CHAT, CHAT_SECRET, code, verifier)
    if r.status != 200:
        raise RuntimeError(f"hop 1 failed: {r.status} {r.text[:300]}")
    return r.json["access_token"]


def exchange_form(issuer, subject_token):
    """Hop 3: the orchestrator exchanges T1 at the org AS for an ID-JAG for the Knowledge AS."""
    return {"grant_type": TOKEN_EXCHANGE, "requested_token_type": "urn:ietf:params:oauth:token-type:id-jag",
            "subject_token": subject_token, "subject_token_type": "urn:ietf:params:oauth:token-type:access_token",
            "audience": f"{issuer}/oauth2/{KNOWLEDGE}", "resource": "https://streamward.com/corp/knowledge",
            "scope": "Corp-Knowledge-Agent:execute", "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": assertion(f"{issuer}/oauth2/v1/token")}


def redeem_form(issuer, jag):
    """Hop 4: the orchestrator redeems the ID-JAG at the Knowledge AS (jwt-bearer)."""
    return {"grant_type": JWT_BEARER, "assertion": jag, "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": assertion(f"{issuer}/oauth2/{KNOWLEDGE}/v1/token")}


# ---------------------------------------------------------------- System Log check


def check_log(records, rows):
    """Every 200 has a SUCCESS event with its request id as transaction.id; no other answer does.
    `records`: (label, Resp); `rows`: (transaction_id, event_type, outcome_result, …).
    Returns (matched, orphans, violations): orphans are SUCCESS grant events of no 200 answer."""
    success = {}
    for row in rows:
        if row[2] == "SUCCESS":
            success.setdefault(row[0], []).append(row[1])
    matched, violations = 0, []
    for label, r in records:
        if r.status is None:
            continue
        rid = r.rid
        if not rid:
            violations.append(f"{label}: answer {r.status} without X-Okta-Request-Id")
            continue
        if r.status == 200:
            if rid in success:
                matched += 1
            else:
                violations.append(f"{label}: {rid} answered 200 but has no SUCCESS event")
        elif rid in success:
            violations.append(f"{label}: {rid} answered {r.status} but logged SUCCESS {success[rid]}")
    orphans = [t for t, types in success.items()
               if t not in SEEN_RIDS and any(".token.grant" in x for x in types)]
    return matched, orphans, violations


def table(title, rows):
    width = max(len(k) for k, _ in rows)
    print(f"\n{title}\n" + "-" * (width + 24))
    for k, v in rows:
        print(f"{k:<{width}}  {v}")
    print("-" * (width + 24), flush=True)
