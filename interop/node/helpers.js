// Shared by the Node interop suites: the environment interop/run sets, the Streamward demo
// principals (examples/streamward.yaml), and a sign-in through openid-client (authorization code
// + PKCE, with a sessionToken from /api/v1/authn so no browser is needed).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as client from 'openid-client';

export const BASE = process.env.BATON_URL;
export const TLS_BASE = process.env.BATON_TLS_URL;
export const API_TOKEN = process.env.BATON_API_TOKEN;

export const CHAT = {
  clientId: '0oarbboyj0J3R67xy1d7',
  secret: 'streamward-chat-demo-secret-not-for-production',
  redirectUri: 'http://localhost:3000/callback',
};
export const USER = { id: '00u1rsjejbueuQNhB1d7', login: 'demouser@streamward.com', password: 'Streamward-Demo-2026!' };
export const ORCHESTRATOR = 'wlps2fwpkzi3raviM1d7';
export const KNOWLEDGE_AS = 'aus1JGp4q34ckplLYGbL';
export const KNOWLEDGE_RESOURCE = 'https://streamward.com/corp/knowledge';
export const KNOWLEDGE_SCOPE = 'Corp-Knowledge-Agent:execute';

/** A PEM file of the demo keys (keys/streamward/NAME). */
export function demoKey(name) {
  return readFileSync(fileURLToPath(new URL(`../../keys/streamward/${name}`, import.meta.url)), 'utf8');
}

/** The claims of a JWT, unverified (for assertions on what a library already verified). */
export function claims(jwt) {
  return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString());
}

/** openid-client's Configuration for the chat app at `issuer` (client_secret_basic). */
export async function chatClient(issuer) {
  const options = issuer.startsWith('http://') ? { execute: [client.allowInsecureRequests] } : undefined;
  return client.discovery(new URL(issuer), CHAT.clientId, undefined, client.ClientSecretBasic(CHAT.secret), options);
}

/** A one-time sessionToken for the demo user from the classic authn API at `origin`. */
export async function sessionToken(origin) {
  const res = await fetch(`${origin}/api/v1/authn`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ username: USER.login, password: USER.password }),
  });
  assert.equal(res.status, 200, await res.clone().text());
  const body = await res.json();
  assert.equal(body.status, 'SUCCESS');
  return body.sessionToken;
}

/**
 * Signs the demo user in to the chat app at `issuer` with openid-client: PKCE, state and nonce,
 * the authorize request carrying a sessionToken, the 302 to the redirect URI read without
 * following it, then authorizationCodeGrant (which checks the ID token, nonce, state and PKCE).
 * Returns { config, tokens, nonce }.
 */
export async function signIn(issuer, scope = 'openid profile email offline_access') {
  const config = await chatClient(issuer);
  const verifier = client.randomPKCECodeVerifier();
  const nonce = client.randomNonce();
  const state = client.randomState();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: CHAT.redirectUri,
    scope,
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  url.searchParams.set('sessionToken', await sessionToken(new URL(issuer).origin));
  const res = await fetch(url, { redirect: 'manual' });
  assert.equal(res.status, 302, await res.text());
  const location = new URL(res.headers.get('location'));
  assert.equal(`${location.origin}${location.pathname}`, CHAT.redirectUri);
  assert.ok(location.searchParams.get('code'), `no code in ${location}`);
  const tokens = await client.authorizationCodeGrant(config, location, {
    pkceCodeVerifier: verifier,
    expectedNonce: nonce,
    expectedState: state,
    idTokenExpected: scope.split(' ').includes('openid'),
  });
  return { config, tokens, nonce };
}
