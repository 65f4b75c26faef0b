/**
 * Verifies a Microsoft Entra ID access token from Teams single sign-on (`getAuthToken` in the tab)
 * with the maintained `jose` library: RS256 signature against the tenant's published keys,
 * audience, lifetime, then tenant, issuer and user. Keys are fetched from `jwksUrl`, cached, and
 * refetched for a key id not seen before at most once per cooldown — a stream of tokens with
 * made-up key ids cannot make the service hammer Microsoft's key endpoint.
 */
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';

export interface EntraOptions {
  /** The Application ID URI or client id the token must be issued for (aud). */
  audience: string;
  /** The organisation's tenant id; tokens from other tenants are refused. */
  tenantId: string;
  jwksUrl?: string;
  now?: () => Date;
  /** Least time between two fetches of the key set (a key id not seen before), in ms. */
  keyRefetchCooldownMs?: number;
}

export interface EntraIdentity {
  /** The user's object id in the tenant (stable; what Teams sends as aadObjectId). */
  oid: string;
  upn: string | null;
}

/** Clock difference accepted between Entra and this server, in seconds. */
const CLOCK_TOLERANCE_S = 60;

/** Why a token is refused, in words for the officer. Checks jose reports by error class and claim. */
function reasonOf(err: unknown): string {
  if (err instanceof errors.JWTExpired) return '令牌已过期';
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'aud') return '令牌不是发给本服务的';
    if (err.claim === 'nbf') return '令牌还没生效';
    if (err.claim === 'exp') return '令牌已过期';
    return '令牌的内容不对';
  }
  if (err instanceof errors.JOSEAlgNotAllowed || err instanceof errors.JOSENotSupported) return '令牌的签名算法不受支持';
  if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys) return '找不到令牌的签名公钥';
  if (err instanceof errors.JWSSignatureVerificationFailed) return '令牌签名无效';
  if (err instanceof errors.JWKSTimeout || err instanceof errors.JWKSInvalid) return '暂时取不到签名公钥，请稍后再试';
  if (err instanceof errors.JWSInvalid || err instanceof errors.JWTInvalid) return '令牌格式不对';
  return '令牌无效';
}

export function createEntraVerifier(o: EntraOptions) {
  const jwksUrl = o.jwksUrl ?? `https://login.microsoftonline.com/${o.tenantId}/discovery/v2.0/keys`;
  const now = o.now ?? (() => new Date());
  const keys = createRemoteJWKSet(new URL(jwksUrl), {
    timeoutDuration: 5000,
    cooldownDuration: o.keyRefetchCooldownMs ?? 30_000,
    cacheMaxAge: 3600_000,
  });
  const issuers = [`https://login.microsoftonline.com/${o.tenantId}/v2.0`, `https://sts.windows.net/${o.tenantId}/`];

  /** The identity in a valid token, or a reason it is refused. */
  return async function verifyToken(token: string): Promise<{ ok: true; identity: EntraIdentity } | { ok: false; reason: string }> {
    let claims: JWTPayload;
    try {
      ({ payload: claims } = await jwtVerify(token, keys, {
        algorithms: ['RS256'],
        audience: o.audience,
        currentDate: now(),
        clockTolerance: CLOCK_TOLERANCE_S,
        requiredClaims: ['exp'],
      }));
    } catch (err) {
      return { ok: false, reason: reasonOf(err) };
    }
    // Tenant before issuer: a token from another organisation is named as such.
    if (claims.tid !== o.tenantId) return { ok: false, reason: '令牌不属于本单位的租户' };
    if (typeof claims.iss !== 'string' || !issuers.includes(claims.iss)) return { ok: false, reason: '令牌的签发方不对' };
    if (typeof claims.oid !== 'string' || !claims.oid) return { ok: false, reason: '令牌里没有用户标识' };
    const upn = typeof claims.preferred_username === 'string' ? claims.preferred_username : typeof claims.upn === 'string' ? claims.upn : null;
    return { ok: true, identity: { oid: claims.oid, upn } };
  };
}
export type EntraVerifier = ReturnType<typeof createEntraVerifier>;
