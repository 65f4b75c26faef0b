/**
 * The signatures and the message encryption of WeChat's server protocol for official accounts
 * (公众号「接入概述」 and 「消息加解密说明」), on `@wecom/crypto` — Tencent's implementation of the
 * same scheme for WeCom, which official accounts share: the AppId takes the CorpId's place.
 *
 * - Plain signature: sha1 of the sorted concatenation of [token, timestamp, nonce].
 * - Message signature (安全模式): sha1 of the sorted concatenation of [token, timestamp, nonce, Encrypt].
 * - Encrypt: base64 of AES-256-CBC (key = base64(EncodingAESKey + "="), IV = its first 16 bytes,
 *   PKCS#7 padding to 32 bytes) over 16 random bytes + 4-byte big-endian length + message + AppId.
 *
 * Outcomes are values: a caller learns why a message was refused without catching anything.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { decrypt, encrypt, getSignature } from '@wecom/crypto';

/** sha1 over the sorted parts — the plain signature has three, the message signature four. */
export const signatureOf = (token: string, timestamp: string, nonce: string, encrypted?: string): string =>
  // getSignature sorts four parts; the plain signature is the same with the empty string, which
  // sorts first and adds nothing to the concatenation.
  getSignature(token, timestamp, nonce, encrypted ?? '');

/** sha1 of the sorted parts written out, for tests that check the library against the documentation. */
export const sha1OfSorted = (parts: string[]): string => createHash('sha1').update([...parts].sort().join(''), 'utf8').digest('hex');

/** Constant-time comparison of a presented signature (hex) with the expected one. */
export function sameSignature(presented: unknown, expected: string): boolean {
  if (typeof presented !== 'string' || presented.length !== expected.length) return false;
  return timingSafeEqual(Buffer.from(presented.toLowerCase(), 'utf8'), Buffer.from(expected, 'utf8'));
}

export type Decrypted = { ok: true; message: string } | { ok: false; reason: 'bad_ciphertext' | 'wrong_app_id' };

/** The AES key of an EncodingAESKey, or null when it is not one (43 base64 characters → 32 bytes). */
const keyBytes = (aesKey: string): Buffer | null => {
  if (!/^[A-Za-z0-9+/]{43}$/.test(aesKey)) return null;
  const key = Buffer.from(`${aesKey}=`, 'base64');
  return key.length === 32 ? key : null;
};

/**
 * Decrypts an `Encrypt` value and checks that it was made for `appId`. Whatever does not decrypt
 * to a message for our AppId — another key, a cut or altered ciphertext (the library does not
 * check the padding or the length field, so such a ciphertext comes back with the AppId garbled or
 * missing) — is refused, never read as a message.
 */
export function decryptMessage(aesKey: string, appId: string, encrypted: string): Decrypted {
  const key = keyBytes(aesKey);
  if (!key || !/^[A-Za-z0-9+/]+={0,2}$/.test(encrypted)) return { ok: false, reason: 'bad_ciphertext' };
  const raw = Buffer.from(encrypted, 'base64');
  if (raw.length === 0 || raw.length % 32 !== 0) return { ok: false, reason: 'bad_ciphertext' };
  let out: { message: string; id: string };
  try {
    out = decrypt(aesKey, encrypted);
  } catch {
    // A plaintext shorter than its 20-byte header.
    return { ok: false, reason: 'bad_ciphertext' };
  }
  if (out.id !== appId) return { ok: false, reason: 'wrong_app_id' };
  return { ok: true, message: out.message };
}

/** Encrypts a reply for `appId`; `random` only for tests that need a fixed result. */
export const encryptMessage = (aesKey: string, appId: string, message: string, random: Buffer = randomBytes(16)): string => encrypt(aesKey, message, appId, random);

/** A nonce for a reply: digits, as WeChat's own are. */
export const newNonce = (): string => String(randomBytes(4).readUInt32BE(0));
