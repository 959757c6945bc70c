// baton's container image as the authorization server of a node:test suite, started with
// Testcontainers (https://testcontainers.com). Build the image once from the repository
// (`docker build -t baton .`); BATON_IMAGE names another one. The host port is fixed because
// the issuer (http://localhost:<port>) is baton's configuration and must be known before it
// starts. In-memory database, the Streamward seed, a known admin API token, the /dev helpers.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { GenericContainer, Wait } from 'testcontainers';

const IMAGE = process.env.BATON_IMAGE || 'baton:latest';
const ADMIN = { Authorization: 'SSWS test-suite-admin-token-0123456789' };

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

let container;
let issuer;

before(async () => {
  const port = await freePort();
  issuer = `http://localhost:${port}`;
  container = await new GenericContainer(IMAGE)
    .withEnvironment({
      BATON_ISSUER: issuer,
      DATABASE_URL: 'sqlite::memory:',
      BATON_SEED: '/app/examples/streamward.yaml',
      BATON_ADMIN_API_TOKEN: 'test-suite-admin-token-0123456789',
      BATON_KEY_ENCRYPTION_KEY: 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8',
      BATON_DEV: 'true',
      // The container listens on 0.0.0.0, which --dev refuses unless told otherwise.
      BATON_DEV_ALLOW_REMOTE: 'true',
    })
    .withExposedPorts({ container: 8080, host: port })
    .withWaitStrategy(Wait.forHttp('/readyz', 8080).forStatusCode(200))
    .withStartupTimeout(60_000)
    .start();
});

after(async () => {
  await container?.stop();
});

test('discovery names the container issuer', async () => {
  const r = await fetch(`${issuer}/.well-known/openid-configuration`);
  assert.equal(r.status, 200);
  assert.equal((await r.json()).issuer, issuer);
});

test('an AI agent registered through the AI-agent API', async () => {
  // Registration answers 202 with the Location of its (already COMPLETED) operation.
  const registered = await fetch(`${issuer}/workload-principals/api/v1/ai-agents`, {
    method: 'POST',
    headers: { ...ADMIN, 'Content-Type': 'application/json' },
    body: JSON.stringify({ profile: { name: 'Container test agent', description: 'made by a test' } }),
  });
  assert.equal(registered.status, 202, await registered.text());
  const operation = await (await fetch(registered.headers.get('location'), { headers: ADMIN })).json();
  assert.equal(operation.status, 'COMPLETED');
  const agent = await fetch(`${issuer}/workload-principals/api/v1/ai-agents/${operation.resource.id}`, { headers: ADMIN });
  assert.equal(agent.status, 200);
  assert.equal((await agent.json()).profile.name, 'Container test agent');
});
