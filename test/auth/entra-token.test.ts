/**
 * Teams SSO tokens verified with jose (issue 11): each refusal names its reason, and tokens with
 * made-up key ids do not make the verifier fetch the key set again and again (cooldown).
 */
import { createHmac, generateKeyPairSync, sign } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEntraVerifier } from '../../src/auth/entra-token.js';

const TENANT = '72f988bf-0000-0000-0000-000000000001';
const AUDIENCE = 'api://yici.example.gov.cn/11111111-2222-3333-4444-555555555555';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const claims = (over: Record<string, unknown> = {}) => ({ aud: AUDIENCE, tid: TENANT, iss: `https://login.microsoftonline.com/${TENANT}/v2.0`, oid: 'oid-1', preferred_username: 'wang@wuzhou.example', exp: Math.floor(Date.now() / 1000) + 600, ...over });
const token = (over: Record<string, unknown> = {}, key = privateKey, kid = 'k1') => {
  const head = `${b64({ alg: 'RS256', typ: 'JWT', kid })}.${b64(claims(over))}`;
  return `${head}.${sign('RSA-SHA256', Buffer.from(head), key).toString('base64url')}`;
};

let server: Server;
let url: string;
let fetches = 0;
beforeAll(async () => {
  server = createServer((_req, res) => {
    fetches += 1;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'k1', use: 'sig', alg: 'RS256' }] }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}/keys`;
});
afterAll(() => new Promise((r) => server.close(r)));

describe('Entra token verification', () => {
  it('accepts a valid token and names the reason for each refusal', async () => {
    const verify = createEntraVerifier({ audience: AUDIENCE, tenantId: TENANT, jwksUrl: url });
    expect(await verify(token())).toEqual({ ok: true, identity: { oid: 'oid-1', upn: 'wang@wuzhou.example' } });
    const reason = async (t: string) => {
      const r = await verify(t);
      return r.ok ? 'accepted' : r.reason;
    };
    expect(await reason(token({}, other.privateKey))).toBe('令牌签名无效');
    expect(await reason(token({ aud: 'api://someone-else' }))).toBe('令牌不是发给本服务的');
    expect(await reason(token({ tid: '99999999-0000-0000-0000-000000000000', iss: 'https://login.microsoftonline.com/99999999-0000-0000-0000-000000000000/v2.0' }))).toBe('令牌不属于本单位的租户');
    expect(await reason(token({ iss: 'https://evil.example/' }))).toBe('令牌的签发方不对');
    expect(await reason(token({ exp: Math.floor(Date.now() / 1000) - 3600 }))).toBe('令牌已过期');
    expect(await reason(token({ exp: undefined }))).not.toBe('accepted');
    expect(await reason(token({ nbf: Math.floor(Date.now() / 1000) + 3600 }))).toBe('令牌还没生效');
    expect(await reason(token({ oid: undefined }))).toBe('令牌里没有用户标识');
    expect(await reason(token({}, privateKey, 'unknown-kid'))).toBe('找不到令牌的签名公钥');
    expect(await reason('not.a.token')).toBe('令牌格式不对');
    // alg none, and HS256 "signed" with the public key: never accepted.
    const none = `${b64({ alg: 'none', kid: 'k1' })}.${b64(claims())}.`;
    expect(await reason(none)).not.toBe('accepted');
    const hsHead = `${b64({ alg: 'HS256', kid: 'k1' })}.${b64(claims())}`;
    const pem = publicKey.export({ format: 'pem', type: 'spki' });
    expect(await reason(`${hsHead}.${createHmac('sha256', pem).update(hsHead).digest('base64url')}`)).toBe('令牌的签名算法不受支持');
  });

  it('fetches the key set again for an unknown key id at most once per cooldown', async () => {
    const verify = createEntraVerifier({ audience: AUDIENCE, tenantId: TENANT, jwksUrl: url, keyRefetchCooldownMs: 60_000 });
    fetches = 0;
    expect((await verify(token())).ok).toBe(true);
    expect(fetches).toBe(1);
    for (let i = 0; i < 50; i++) expect((await verify(token({}, privateKey, `made-up-${i}`))).ok).toBe(false);
    expect(fetches).toBeLessThanOrEqual(2);
    expect((await verify(token())).ok).toBe(true);
    expect(fetches).toBeLessThanOrEqual(2);
  });
});
