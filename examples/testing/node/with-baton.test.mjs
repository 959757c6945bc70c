// baton as the authorization server of a node:test suite: one baton for the file, started with
// --dev (token minting, clock, reset), the Streamward seed (fixed ids, pinned keys), an
// in-memory SQLite database and a free port. Tests that change data reset it first.
// The binary comes from $BATON_BIN, else the repository's target/release/baton (what the
// README's `cargo run --release` builds), else target/debug/baton (what `cargo test` builds).
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const ADMIN_TOKEN = 'test-suite-admin-token-0123456789';
const CHAT_APP = '0oarbboyj0J3R67xy1d7';
const CHAT_SECRET = 'streamward-chat-demo-secret-not-for-production';
const USER = 'demouser@streamward.com';
let baton;
let url;

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

before(async () => {
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  const built = ['release', 'debug'].map((profile) => join(REPO, 'target', profile, 'baton'));
  baton = spawn(process.env.BATON_BIN || built.find((b) => existsSync(b)) || built[0], [
    'serve', '--dev', '--listen', `127.0.0.1:${port}`, '--issuer', url,
    '--database-url', 'sqlite::memory:', '--seed', join(REPO, 'examples/streamward.yaml'),
    '--keys-dir', mkdtempSync(join(tmpdir(), 'baton-keys-')),
  ], {
    env: {
      ...process.env,
      BATON_ADMIN_API_TOKEN: ADMIN_TOKEN,
      // A fixed test value, so baton does not write a key file and warn about it.
      BATON_KEY_ENCRYPTION_KEY: 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  baton.stderr.on('data', (chunk) => { log += chunk; });
  for (const deadline = Date.now() + 30_000; ;) {
    try {
      if ((await fetch(`${url}/readyz`)).ok) break;
    } catch { /* not listening yet */ }
    if (baton.exitCode !== null || Date.now() > deadline) throw new Error(`baton did not start:\n${log}`);
    await new Promise((r) => setTimeout(r, 20));
  }
});

after(() => baton?.kill());

async function call(method, path, body, headers = {}) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

async function mint(fields) {
  const { status, body } = await call('POST', '/dev/v1/tokens', { clientId: CHAT_APP, ...fields });
  assert.equal(status, 200, JSON.stringify(body));
  return body;
}

async function introspect(token) {
  const res = await fetch(`${url}/oauth2/default/v1/introspect`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${CHAT_APP}:${CHAT_SECRET}`).toString('base64')}` },
    body: new URLSearchParams({ token, token_type_hint: 'access_token' }),
  });
  return res.json();
}

beforeEach(async () => {
  assert.equal((await call('POST', '/dev/v1/reset')).status, 200);
  assert.equal((await call('DELETE', '/dev/v1/clock')).status, 200);
});

test('discovery', async () => {
  const { status, body } = await call('GET', '/oauth2/default/.well-known/openid-configuration');
  assert.equal(status, 200);
  assert.equal(body.issuer, `${url}/oauth2/default`);
});

test('a minted token is active until the clock passes its expiry', async () => {
  const token = await mint({ login: USER, scopes: ['openid', 'email'], lifetimeSeconds: 300 });
  const info = await introspect(token.access_token);
  assert.equal(info.active, true);
  assert.equal(info.username, USER);
  // No sleeping: move baton's clock past `exp`.
  assert.equal((await call('POST', '/dev/v1/clock', { advanceSeconds: 301 })).status, 200);
  assert.deepEqual(await introspect(token.access_token), { active: false });
});

test('reset brings back the seed', async () => {
  const admin = { authorization: `SSWS ${ADMIN_TOKEN}` };
  const profile = { firstName: 'Temp', lastName: 'User', email: 'temp@example.com', login: 'temp@example.com' };
  assert.equal((await call('POST', '/api/v1/users?activate=false', { profile }, admin)).status, 200);
  await call('POST', '/dev/v1/reset');
  assert.equal((await call('GET', '/api/v1/users/temp@example.com', null, admin)).status, 404);
  assert.equal((await call('GET', `/api/v1/users/${USER}`, null, admin)).status, 200);
});
