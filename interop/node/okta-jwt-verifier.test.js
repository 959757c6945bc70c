// @okta/jwt-verifier, unchanged, against a real baton (run by interop/run): access and ID tokens
// of the code flow (openid-client, helpers.js) verified against `default` over plain HTTP
// (`testing.disableHttpsCheck`, okta-surface.md §15) and over the `--tls` instance with no
// switch at all; the org AS's tokens with `jwksUri`; a wrong audience, a wrong client id, a wrong
// nonce and a tampered signature rejected.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import OktaJwtVerifier from '@okta/jwt-verifier';
import { BASE, TLS_BASE, CHAT, USER, signIn } from './helpers.js';

const http = { testing: { disableHttpsCheck: true } };

for (const [name, origin, extra] of [['http', BASE, http], ['https (--tls)', TLS_BASE, {}]]) {
  const issuer = `${origin}/oauth2/default`;

  test(`${name}: access and ID tokens of the default authorization server`, async () => {
    const { tokens, nonce } = await signIn(issuer);
    // assertClaims applies to every token the verifier checks: ID tokens have no `cid`/`scp`.
    const atVerifier = new OktaJwtVerifier({ issuer, ...extra, assertClaims: { cid: CHAT.clientId, 'scp.includes': ['openid'] } });
    const verifier = new OktaJwtVerifier({ issuer, ...extra });
    const at = await atVerifier.verifyAccessToken(tokens.access_token, 'api://default');
    assert.equal(at.claims.iss, issuer);
    assert.equal(at.claims.uid, USER.id);
    assert.equal(at.claims.sub, USER.login);
    const id = await verifier.verifyIdToken(tokens.id_token, CHAT.clientId, nonce);
    assert.equal(id.claims.sub, USER.id);
    assert.equal(id.claims.nonce, nonce);

    await assert.rejects(verifier.verifyAccessToken(tokens.access_token, 'api://somewhere-else'), /audience/i);
    const strict = new OktaJwtVerifier({ issuer, ...extra, assertClaims: { cid: '0oaSomeOtherClient000' } });
    await assert.rejects(strict.verifyAccessToken(tokens.access_token, 'api://default'), /cid/);
    await assert.rejects(verifier.verifyIdToken(tokens.id_token, '0oaSomeOtherClient000', nonce), /audience/i);
    await assert.rejects(verifier.verifyIdToken(tokens.id_token, CHAT.clientId, 'another-nonce'), /nonce/i);
    const [h, p, s] = tokens.access_token.split('.');
    const tampered = `${h}.${p}.${s.slice(0, -4)}${s.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`;
    await assert.rejects(verifier.verifyAccessToken(tampered, 'api://default'), /signature/i);
  });
}

test('http: the org authorization server with jwksUri', async () => {
  const { tokens, nonce } = await signIn(BASE);
  const verifier = new OktaJwtVerifier({ issuer: BASE, jwksUri: `${BASE}/oauth2/v1/keys`, ...http });
  const id = await verifier.verifyIdToken(tokens.id_token, CHAT.clientId, nonce);
  assert.equal(id.claims.iss, BASE);
  assert.equal(id.claims.sub, USER.id);
  // The org AS's access tokens name the org itself as their audience (okta-surface.md §1).
  const at = await verifier.verifyAccessToken(tokens.access_token, BASE);
  assert.equal(at.claims.cid, CHAT.clientId);
  await assert.rejects(verifier.verifyAccessToken(tokens.access_token, 'api://default'), /audience/i);
  // A `default` token does not verify against the org AS's keys and issuer.
  const other = await signIn(`${BASE}/oauth2/default`);
  await assert.rejects(verifier.verifyAccessToken(other.tokens.access_token, 'api://default'));
});
