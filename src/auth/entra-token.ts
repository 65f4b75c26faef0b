/**
 * Verifies a Microsoft Entra ID access token from Teams single sign-on (`getAuthToken` in the tab):
 * RS256 signature against the tenant's published keys, audience, issuer, tenant and lifetime.
 * Keys are fetched from `jwksUrl` and cached for an hour.
 */
import { createPublicKey, verify, type JsonWebKey } from 'node:crypto';

export interface EntraOptions {
  /** The Application ID URI or client id the token must be issued for (aud). */
  audience: string;
  /** The organisation's tenant id; tokens from other tenants are refused. */
  tenantId: string;
  jwksUrl?: string;
  now?: () => Date;
  fetchJson?: (url: string) => Promise<unknown>;
}

export interface EntraIdentity {
  /** The user's object id in the tenant (stable; what Teams sends as aadObjectId). */
  oid: string;
  upn: string | null;
}

const b64json = (s: string): Record<string, unknown> => JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as Record<string, unknown>;

export function createEntraVerifier(o: EntraOptions) {
  const jwksUrl = o.jwksUrl ?? `https://login.microsoftonline.com/${o.tenantId}/discovery/v2.0/keys`;
  const now = o.now ?? (() => new Date());
  const fetchJson = o.fetchJson ?? (async (url: string) => (await fetch(url, { signal: AbortSignal.timeout(5000) })).json());
  let cache: { at: number; keys: (JsonWebKey & { kid?: string })[] } | null = null;
  const keys = async (force: boolean) => {
    if (!force && cache && now().getTime() - cache.at < 3600_000) return cache.keys;
    const body = (await fetchJson(jwksUrl)) as { keys?: (JsonWebKey & { kid?: string })[] };
    cache = { at: now().getTime(), keys: Array.isArray(body.keys) ? body.keys : [] };
    return cache.keys;
  };

  /** The identity in a valid token, or a reason it is refused. */
  return async function verifyToken(token: string): Promise<{ ok: true; identity: EntraIdentity } | { ok: false; reason: string }> {
    const parts = token.split('.');
    if (parts.length !== 3) return { ok: false, reason: '令牌格式不对' };
    let header: Record<string, unknown>;
    let claims: Record<string, unknown>;
    try {
      header = b64json(parts[0]!);
      claims = b64json(parts[1]!);
    } catch {
      return { ok: false, reason: '令牌格式不对' };
    }
    if (header.alg !== 'RS256' || typeof header.kid !== 'string') return { ok: false, reason: '令牌的签名算法不受支持' };
    let jwk = (await keys(false)).find((k) => k.kid === header.kid);
    if (!jwk) jwk = (await keys(true)).find((k) => k.kid === header.kid); // keys roll over
    if (!jwk) return { ok: false, reason: '找不到令牌的签名公钥' };
    const signed = verify('RSA-SHA256', Buffer.from(`${parts[0]}.${parts[1]}`), createPublicKey({ key: jwk, format: 'jwk' }), Buffer.from(parts[2]!, 'base64url'));
    if (!signed) return { ok: false, reason: '令牌签名无效' };
    const t = now().getTime() / 1000;
    if (typeof claims.exp !== 'number' || claims.exp < t - 60) return { ok: false, reason: '令牌已过期' };
    if (typeof claims.nbf === 'number' && claims.nbf > t + 60) return { ok: false, reason: '令牌还没生效' };
    if (claims.aud !== o.audience) return { ok: false, reason: '令牌不是发给本服务的' };
    if (claims.tid !== o.tenantId) return { ok: false, reason: '令牌不属于本单位的租户' };
    const issuers = [`https://login.microsoftonline.com/${o.tenantId}/v2.0`, `https://sts.windows.net/${o.tenantId}/`];
    if (typeof claims.iss !== 'string' || !issuers.includes(claims.iss)) return { ok: false, reason: '令牌的签发方不对' };
    if (typeof claims.oid !== 'string' || !claims.oid) return { ok: false, reason: '令牌里没有用户标识' };
    const upn = typeof claims.preferred_username === 'string' ? claims.preferred_username : typeof claims.upn === 'string' ? claims.upn : null;
    return { ok: true, identity: { oid: claims.oid, upn } };
  };
}
export type EntraVerifier = ReturnType<typeof createEntraVerifier>;
