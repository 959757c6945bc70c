// @okta/okta-sdk-nodejs, unchanged, against a real baton (run by interop/run): a user, a group
// holding that user, an OIDC app, an authorization server with a scope, a policy and a rule, an
// AI agent with a key and a connection (the SDK's own AgentRegistration / AgentPublicKey /
// AgentConnections APIs), and the System Log filtered by eventType.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import okta from '@okta/okta-sdk-nodejs';

const BASE = process.env.BATON_URL;
const TOKEN = process.env.BATON_API_TOKEN;
const RUN = randomBytes(4).toString('hex');
// The default cache keys GETs by _links.self.href; these tests mutate then reread.
const client = new okta.Client({ orgUrl: BASE, token: TOKEN, cacheMiddleware: null });

async function collect(collection, limit = 1000) {
  const out = [];
  for await (const item of collection) {
    out.push(item);
    if (out.length >= limit) break;
  }
  return out;
}

test('user and group round trip, with Link pagination', async () => {
  const users = [];
  for (const n of [1, 2, 3]) {
    const login = `node.${RUN}.${n}@example.com`;
    const user = await client.userApi.createUser({
      body: {
        profile: { firstName: 'Node', lastName: `User${n}`, email: login, login },
        credentials: { password: { value: 'Node-Sdk-Interop-2026!' } },
      },
      activate: true,
    });
    assert.match(user.id, /^00u/);
    assert.equal(user.status, 'ACTIVE');
    users.push(user);
  }
  const read = await client.userApi.getUser({ userId: users[0].id });
  assert.equal(read.profile.login, `node.${RUN}.1@example.com`);
  const byLogin = await client.userApi.getUser({ userId: `node.${RUN}.1@example.com` });
  assert.equal(byLogin.id, users[0].id);

  const group = await client.groupApi.createGroup({ group: { profile: { name: `Node ${RUN}`, description: 'SDK group' } } });
  assert.match(group.id, /^00g/);
  for (const u of users) {
    await client.groupApi.assignUserToGroup({ groupId: group.id, userId: u.id });
  }
  // limit=2 forces the collection to follow the rel="next" Link header.
  const members = await collect(await client.groupApi.listGroupUsers({ groupId: group.id, limit: 2 }));
  assert.deepEqual(members.map((m) => m.id).sort(), users.map((u) => u.id).sort());
  const readGroup = await client.groupApi.getGroup({ groupId: group.id });
  assert.equal(readGroup.profile.name, `Node ${RUN}`);
});

test('an Okta error envelope becomes an OktaApiError', async () => {
  await assert.rejects(client.userApi.getUser({ userId: '00uDoesNotExist000000' }), (err) => {
    assert.equal(err.status, 404);
    assert.equal(err.errorCode, 'E0000007');
    return true;
  });
});

test('OIDC app round trip', async () => {
  const created = await client.applicationApi.createApplication({
    application: {
      name: 'oidc_client',
      label: `Node app ${RUN}`,
      signOnMode: 'OPENID_CONNECT',
      credentials: { oauthClient: { token_endpoint_auth_method: 'client_secret_post' } },
      settings: {
        oauthClient: {
          redirect_uris: ['http://localhost:4000/callback'],
          response_types: ['code'],
          grant_types: ['authorization_code'],
          application_type: 'web',
        },
      },
    },
  });
  assert.match(created.id, /^0oa/);
  assert.ok(created.credentials.oauthClient.client_secret);
  const read = await client.applicationApi.getApplication({ appId: created.id });
  assert.equal(read.label, `Node app ${RUN}`);
  assert.equal(read.credentials.oauthClient.client_secret, undefined);
});

test('authorization server with a scope, a policy and a rule', async () => {
  const server = await client.authorizationServerApi.createAuthorizationServer({
    authorizationServer: { name: `Node AS ${RUN}`, description: 'Node', audiences: [`api://node-${RUN}`] },
  });
  assert.match(server.id, /^aus/);
  assert.equal(server.issuer, `${BASE}/oauth2/${server.id}`);
  const scope = await client.authorizationServerApi.createOAuth2Scope({ authServerId: server.id, oAuth2Scope: { name: 'node:read' } });
  assert.equal(scope.name, 'node:read');
  const policy = await client.authorizationServerApi.createAuthorizationServerPolicy({
    authServerId: server.id,
    policy: { type: 'OAUTH_AUTHORIZATION_POLICY', name: 'Node clients', description: 'All', priority: 1, conditions: { clients: { include: ['ALL_CLIENTS'] } } },
  });
  assert.match(policy.id, /^00p/);
  const rule = await client.authorizationServerApi.createAuthorizationServerPolicyRule({
    authServerId: server.id,
    policyId: policy.id,
    policyRule: {
      name: 'Node rule',
      type: 'RESOURCE_ACCESS',
      priority: 1,
      conditions: { people: { groups: { include: ['EVERYONE'] } }, grantTypes: { include: ['client_credentials'] }, scopes: { include: ['node:read'] } },
      actions: { token: { accessTokenLifetimeMinutes: 30, refreshTokenLifetimeMinutes: 0, refreshTokenWindowMinutes: 10080 } },
    },
  });
  assert.match(rule.id, /^0pr/);
  const read = await client.authorizationServerApi.getAuthorizationServerPolicyRule({ authServerId: server.id, policyId: policy.id, ruleId: rule.id });
  assert.equal(read.name, 'Node rule');
  assert.deepEqual(read.conditions.scopes.include, ['node:read']);
});

test('AI agent with a key and a connection, through the SDK agent APIs', async () => {
  const app = await client.applicationApi.createApplication({
    application: {
      name: 'oidc_client', label: `Node agent host ${RUN}`, signOnMode: 'OPENID_CONNECT',
      settings: { oauthClient: { redirect_uris: ['http://localhost:4000/cb'], response_types: ['code'], grant_types: ['authorization_code'], application_type: 'web' } },
    },
  });
  const server = await client.authorizationServerApi.createAuthorizationServer({
    authorizationServer: { name: `Node KB ${RUN}`, description: 'KB', audiences: [`api://node-kb-${RUN}`] },
  });
  await client.authorizationServerApi.createOAuth2Scope({ authServerId: server.id, oAuth2Scope: { name: 'kb:read' } });
  const name = `Node planner ${RUN}`;
  await client.agentRegistrationApi.registerAIAgent({ body: { appId: app.id, profile: { name, description: 'Books travel' } } });
  const found = await client.agentRegistrationApi.listAIAgents({ search: `profile.name eq "${name}"` });
  assert.equal(found.data.length, 1);
  const agent = found.data[0];
  assert.match(agent.id, /^wlp/);
  assert.equal(agent.status, 'STAGED');
  assert.equal(agent.appId, app.id);

  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = publicKey.export({ format: 'jwk' });
  const key = await client.agentPublicKeyApi.addAgentJwk({ agentId: agent.id, agentJsonSigningKeyRequest: { kty: 'RSA', e: jwk.e, n: jwk.n, alg: 'RS256', use: 'sig' } });
  assert.ok(key.kid);
  assert.equal(key.status, 'ACTIVE');

  const org = await client.http.getJson(`${BASE}/api/v1/org`);
  const connection = await client.agentConnectionsApi.createManagedConnection({
    agentId: agent.id,
    managedConnectionCreatable: {
      connectionType: 'IDENTITY_ASSERTION_CUSTOM_AS',
      authorizationServer: { orn: `orn:okta:idp:${org.id}:authorization_servers:${server.id}` },
      resourceIndicator: `api://node-kb-${RUN}`,
      scopeCondition: 'INCLUDE_ONLY',
      scopes: ['kb:read'],
    },
  });
  assert.match(connection.id, /^mcn/);
  assert.equal(connection.authorizationServer.issuerUrl, `${BASE}/oauth2/${server.id}`);

  await client.agentRegistrationApi.activateAIAgent({ agentId: agent.id });
  const active = await client.agentRegistrationApi.getAIAgent({ agentId: agent.id });
  assert.equal(active.status, 'ACTIVE');
});

test('System Log filtered by eventType', async () => {
  const events = await collect(
    await client.systemLogApi.listLogEvents({ filter: 'eventType eq "group.user_membership.add"', until: new Date(Date.now() + 60_000).toISOString(), limit: 100 }),
  );
  assert.ok(events.length > 0, 'no group.user_membership.add events');
  for (const e of events) assert.equal(e.eventType, 'group.user_membership.add');
});
