// openid-client (v6, panva), unchanged, against a real baton (run by interop/run): discovery of
// the `default` authorization server, the authorization code flow with PKCE, state and nonce for
// the Streamward chat app (client_secret_basic), refresh with rotation, introspection before and
// after revocation, userinfo; once over plain HTTP (allowInsecureRequests) and once over the
// `--tls` instance with its local CA trusted through NODE_EXTRA_CA_CERTS (no insecure switch).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as client from 'openid-client';
import { BASE, TLS_BASE, CHAT, USER, chatClient, claims, signIn } from './helpers.js';

for (const [name, origin] of [['http', BASE], ['https (--tls)', TLS_BASE]]) {
  const issuer = `${origin}/oauth2/default`;

  test(`${name}: discovery of the default authorization server`, async () => {
    const config = await chatClient(issuer);
    const meta = config.serverMetadata();
    assert.equal(meta.issuer, issuer);
    assert.equal(meta.token_endpoint, `${issuer}/v1/token`);
    assert.equal(meta.jwks_uri, `${issuer}/v1/keys`);
    assert.ok(meta.code_challenge_methods_supported.includes('S256'));
  });

  test(`${name}: code flow with PKCE, refresh, userinfo, introspection and revocation`, async () => {
    const { config, tokens, nonce } = await signIn(issuer);
    assert.equal(tokens.token_type.toLowerCase(), 'bearer');
    assert.ok(tokens.refresh_token, 'offline_access granted but no refresh_token');
    assert.deepEqual(tokens.scope.split(' ').sort(), ['email', 'offline_access', 'openid', 'profile']);
    const id = tokens.claims();
    assert.equal(id.iss, issuer);
    assert.equal(id.aud, CHAT.clientId);
    assert.equal(id.sub, USER.id);
    assert.equal(id.nonce, nonce);
    const at = claims(tokens.access_token);
    assert.equal(at.aud, 'api://default');
    assert.equal(at.cid, CHAT.clientId);
    assert.equal(at.uid, USER.id);

    const info = await client.fetchUserInfo(config, tokens.access_token, id.sub);
    assert.equal(info.email, USER.login);

    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
    assert.ok(refreshed.access_token);
    assert.notEqual(refreshed.access_token, tokens.access_token);
    assert.ok(refreshed.refresh_token);
    assert.notEqual(refreshed.refresh_token, tokens.refresh_token, 'refresh token not rotated');
    assert.equal(refreshed.claims().sub, USER.id);

    const live = await client.tokenIntrospection(config, refreshed.access_token);
    assert.equal(live.active, true);
    assert.equal(live.client_id, CHAT.clientId);
    assert.equal(live.username, USER.login);
    assert.equal(live.aud, 'api://default');
    assert.equal(live.iss, issuer);

    await client.tokenRevocation(config, refreshed.access_token, { token_type_hint: 'access_token' });
    const revoked = await client.tokenIntrospection(config, refreshed.access_token);
    assert.deepEqual(revoked, { active: false });
  });

  test(`${name}: a wrong client secret is a 401 challenge with invalid_client`, async () => {
    const options = origin.startsWith('http://') ? { execute: [client.allowInsecureRequests] } : undefined;
    const config = await client.discovery(new URL(issuer), CHAT.clientId, undefined, client.ClientSecretBasic('wrong'), options);
    // A 401 carrying `WWW-Authenticate: Basic realm="baton"` (xaa.md §3.1) is a challenge error.
    const err = await client.refreshTokenGrant(config, 'not-a-refresh-token').then(() => null, (e) => e);
    assert.ok(err, 'a wrong secret was accepted');
    assert.equal(err.code, 'OAUTH_WWW_AUTHENTICATE_CHALLENGE');
    assert.equal(err.status, 401);
    assert.deepEqual(err.cause, [{ scheme: 'basic', parameters: { realm: 'baton' } }]);
    assert.equal((await err.response.json()).error, 'invalid_client');
  });
}

test('org authorization server discovery', async () => {
  const config = await chatClient(BASE);
  const meta = config.serverMetadata();
  assert.equal(meta.issuer, BASE);
  assert.equal(meta.token_endpoint, `${BASE}/oauth2/v1/token`);
  assert.equal(meta.jwks_uri, `${BASE}/oauth2/v1/keys`);
});
