// The Cross-App Access (Enterprise-Managed Authorization, SEP-990) client of the MCP TypeScript
// SDK, unchanged, against a real baton (run by interop/run), on the Streamward chain (xaa.md §9).
//
// Which package: `@modelcontextprotocol/sdk` (latest 1.32.2 when this was written) has no such
// client: its dist holds no "id-jag", "CrossAppAccess", "token-exchange" or "identity assertion"
// (only the client-assertion URN of its private_key_jwt helpers). The SDK's v2 split package
// `@modelcontextprotocol/client` (same repository, 2.4.0) has it: `CrossAppAccessProvider`,
// `requestJwtAuthorizationGrant`, `discoverAndRequestJwtAuthGrant`, `exchangeJwtAuthGrant`.
//
// What its API covers, and so what this file drives through it:
// - Leg 2 (jwt-bearer redemption at the Knowledge AS): `CrossAppAccessProvider` +
//   `fetchToken`, the SDK's own token request and response parsing (integer `expires_in`,
//   `token_type`), authenticated as the Orchestrator with the SDK's `createPrivateKeyJwtAuth`
//   (the provider itself only knows client secrets; agents authenticate with private_key_jwt).
// - Leg 1 (token exchange for an ID-JAG): the SDK's helper only sends an ID token as subject with
//   client_secret_post, while the Streamward Orchestrator exchanges the chat app's ACCESS token
//   with private_key_jwt. So leg 1 for the chain is a plain form POST from inside the provider's
//   `assertion` callback (endpoint from the SDK's discovery, assertion from the SDK's signer), and
//   the SDK helper itself is only run to show that it reads baton's error body: it always
//   authenticates with client_secret_post, and no Streamward client both uses that method and
//   owns a connection (the chat app is client_secret_basic; agents use private_key_jwt).
// MCP SDKs require https or loopback token endpoints: BATON_URL is loopback http.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CrossAppAccessProvider,
  createPrivateKeyJwtAuth,
  discoverAuthorizationServerMetadata,
  fetchToken,
  requestJwtAuthorizationGrant,
} from '@modelcontextprotocol/client';
import { BASE, CHAT, USER, ORCHESTRATOR, KNOWLEDGE_AS, KNOWLEDGE_RESOURCE, KNOWLEDGE_SCOPE, claims, demoKey, signIn } from './helpers.js';

const KNOWLEDGE_ISSUER = `${BASE}/oauth2/${KNOWLEDGE_AS}`;
const orchestratorAuth = createPrivateKeyJwtAuth({
  issuer: ORCHESTRATOR,
  subject: ORCHESTRATOR,
  privateKey: demoKey('orchestrator.pem'),
  alg: 'RS256',
});

/** The Orchestrator's provider: the SDK's jwt-bearer provider, authenticating with private_key_jwt. */
class OrchestratorProvider extends CrossAppAccessProvider {
  addClientAuthentication = orchestratorAuth;
}

/** Leg 1 for the chain (hop 3): the Orchestrator exchanges the chat app's access token. */
async function exchangeForIdJag(subjectAccessToken, { authorizationServerUrl, resourceUrl, scope, fetchFn }) {
  const org = await discoverAuthorizationServerMetadata(BASE, { fetchFn });
  assert.equal(org.issuer, BASE);
  const params = new URLSearchParams({
    grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
    requested_token_type: 'urn:ietf:params:oauth:token-type:id-jag',
    audience: authorizationServerUrl,
    resource: resourceUrl,
    scope,
    subject_token: subjectAccessToken,
    subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
  });
  const headers = new Headers({ 'content-type': 'application/x-www-form-urlencoded' });
  await orchestratorAuth(headers, params, new URL(org.token_endpoint), org);
  const res = await fetchFn(org.token_endpoint, { method: 'POST', headers, body: params });
  const body = await res.json();
  assert.equal(res.status, 200, JSON.stringify(body));
  assert.deepEqual(Object.keys(body).sort(), ['access_token', 'expires_in', 'issued_token_type', 'scope', 'token_type']);
  assert.equal(body.issued_token_type, 'urn:ietf:params:oauth:token-type:id-jag');
  assert.equal(body.token_type, 'N_A');
  assert.equal(body.expires_in, 300);
  return body.access_token;
}

test('leg 1 and leg 2 of the Streamward chain through CrossAppAccessProvider', async () => {
  const { tokens } = await signIn(`${BASE}/oauth2/default`, 'openid profile email');
  const seen = [];
  const provider = new OrchestratorProvider({
    clientId: ORCHESTRATOR,
    clientSecret: undefined,
    expectedIssuer: KNOWLEDGE_ISSUER,
    assertion: async (ctx) => {
      seen.push({ as: ctx.authorizationServerUrl, resource: ctx.resourceUrl, scope: ctx.scope });
      return exchangeForIdJag(tokens.access_token, ctx);
    },
  });
  // What auth() learns from an MCP server's protected-resource metadata (RFC 9728).
  provider.saveAuthorizationServerUrl(KNOWLEDGE_ISSUER);
  provider.saveResourceUrl(KNOWLEDGE_RESOURCE);

  const metadata = await discoverAuthorizationServerMetadata(KNOWLEDGE_ISSUER);
  assert.equal(metadata.issuer, KNOWLEDGE_ISSUER);
  assert.ok(metadata.grant_types_supported.includes('urn:ietf:params:oauth:grant-type:jwt-bearer'));
  const result = await fetchToken(provider, KNOWLEDGE_ISSUER, { metadata, resource: new URL(KNOWLEDGE_RESOURCE), scope: KNOWLEDGE_SCOPE });
  assert.deepEqual(seen, [{ as: KNOWLEDGE_ISSUER, resource: KNOWLEDGE_RESOURCE, scope: KNOWLEDGE_SCOPE }]);
  assert.equal(result.token_type, 'Bearer');
  assert.equal(result.expires_in, 3600);
  assert.equal(result.scope, KNOWLEDGE_SCOPE);
  assert.equal(result.refresh_token, undefined);

  const t2 = claims(result.access_token);
  assert.equal(t2.iss, KNOWLEDGE_ISSUER);
  assert.equal(t2.aud, KNOWLEDGE_RESOURCE);
  assert.equal(t2.cid, ORCHESTRATOR);
  assert.equal(t2.uid, USER.id);
  assert.equal(t2.sub, USER.login);
  assert.deepEqual(t2.scp, [KNOWLEDGE_SCOPE]);
  assert.deepEqual(t2.act, { sub: ORCHESTRATOR, sub_profile: 'ai_agent', act: { sub: CHAT.clientId, sub_profile: 'web_app' } });

  // An ID-JAG is single use (xaa.md §6.2 step 10): the SDK surfaces baton's invalid_grant.
  const idJag = await exchangeForIdJag(tokens.access_token, { authorizationServerUrl: KNOWLEDGE_ISSUER, resourceUrl: KNOWLEDGE_RESOURCE, scope: KNOWLEDGE_SCOPE, fetchFn: fetch });
  const replay = new OrchestratorProvider({ clientId: ORCHESTRATOR, expectedIssuer: KNOWLEDGE_ISSUER, assertion: () => idJag });
  replay.saveAuthorizationServerUrl(KNOWLEDGE_ISSUER);
  replay.saveResourceUrl(KNOWLEDGE_RESOURCE);
  await fetchToken(replay, KNOWLEDGE_ISSUER, { metadata, resource: new URL(KNOWLEDGE_RESOURCE) });
  await assert.rejects(fetchToken(replay, KNOWLEDGE_ISSUER, { metadata, resource: new URL(KNOWLEDGE_RESOURCE) }), (err) => {
    assert.equal(err.code, 'invalid_grant');
    assert.match(err.message, /already used/);
    return true;
  });
});

test("requestJwtAuthorizationGrant: the SDK leg-1 helper reads baton's error body", async () => {
  const { tokens } = await signIn(`${BASE}/oauth2/default`, 'openid profile email');
  // The helper always authenticates with client_secret_post; baton, like Okta, takes the secret
  // of a client_secret_basic app in the body too. The seed gives the chat app no resource
  // connection to the Knowledge AS, so the exchange itself is refused, and the helper reports
  // baton's OAuth error body.
  await assert.rejects(
    requestJwtAuthorizationGrant({
      tokenEndpoint: `${BASE}/oauth2/v1/token`,
      audience: KNOWLEDGE_ISSUER,
      resource: KNOWLEDGE_RESOURCE,
      idToken: tokens.id_token,
      clientId: CHAT.clientId,
      clientSecret: CHAT.secret,
      scope: KNOWLEDGE_SCOPE,
    }),
    (err) => {
      assert.equal(err.message, 'Token exchange failed: invalid_target - The resource app is not completely configured or user is not assigned to the app.');
      return true;
    },
  );
});
