import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describeError } from '@clinloop/errors';
import { AuthError, AuthErrorCode } from '../errors';

/**
 * TOTP secrets at rest: AES-256-GCM (node:crypto) with a 96-bit random nonce per secret, the user id
 * as additional authenticated data (a sealed secret copied onto another user's row does not open),
 * in a versioned text form so the column can hold both old and new rows:
 *
 *   v1.<keyId>.<nonce>.<ciphertext>.<tag>     (base64url parts; keyId = first 8 bytes of SHA-256(key), hex)
 *
 * Anything without the `v1.` prefix is a legacy clear base32 secret (before this format existed);
 * `open` still reads it and says it needs sealing, so it is re-encrypted on next use and at start.
 */
const VERSION = 'v1';
const KEY_BYTES = 32;
const NONCE_BYTES = 12;

export interface OpenedTotpSecret {
  readonly secret: string;
  /** Stored in clear (legacy) - seal it and store it again. */
  readonly needsSealing: boolean;
}

export class TotpSecretCipher {
  readonly keyId: string;

  constructor(private readonly key: Buffer) {
    if (key.length !== KEY_BYTES) throw new AuthError(AuthErrorCode.TOTP_KEY_UNAVAILABLE, `The TOTP encryption key must be ${KEY_BYTES} bytes, not ${key.length}`);
    this.keyId = createHash('sha256').update(key).digest('hex').slice(0, 16);
  }

  /** A fresh random key (tests; `clinloop` development key). */
  static generateKey(): Buffer {
    return randomBytes(KEY_BYTES);
  }

  static isSealed(stored: string): boolean {
    return stored.startsWith(`${VERSION}.`);
  }

  seal(secret: string, userId: string): string {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce);
    cipher.setAAD(Buffer.from(userId, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    return [VERSION, this.keyId, nonce.toString('base64url'), ciphertext.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
  }

  /** @throws AuthError TOTP_SECRET_UNREADABLE when sealed under another key, for another user, or altered */
  open(stored: string, userId: string): OpenedTotpSecret {
    if (!TotpSecretCipher.isSealed(stored)) return { secret: stored, needsSealing: true };
    const [, keyId, nonce, ciphertext, tag, ...rest] = stored.split('.');
    if (keyId === undefined || nonce === undefined || ciphertext === undefined || tag === undefined || rest.length > 0) throw unreadable('malformed');
    if (keyId !== this.keyId) throw unreadable(`sealed under key ${keyId}, this server has key ${this.keyId}`);
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(nonce, 'base64url'));
      decipher.setAAD(Buffer.from(userId, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return { secret: Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8'), needsSealing: false };
    } catch {
      throw unreadable('authentication tag does not match (altered, or sealed for another user)');
    }
  }
}

function unreadable(why: string): AuthError {
  return new AuthError(AuthErrorCode.TOTP_SECRET_UNREADABLE, `A stored TOTP secret cannot be decrypted: ${why}`, { why });
}

export const DEV_TOTP_KEY_FILE = path.join('keys', 'totp-encryption.key');

export interface TotpKeyLocation {
  /** AUTH_TOTP_KEY_FILE; unset means the development key in DATA_DIR. */
  readonly keyFile: string | undefined;
  readonly dataDir: string;
  readonly production: boolean;
  readonly log: (line: string) => void;
}

/**
 * Reads the TOTP encryption key: a file holding 32 bytes as base64 (`openssl rand -base64 32`).
 * Without AUTH_TOTP_KEY_FILE a development key is generated once in DATA_DIR/keys (mode 0600) -
 * never in production, where every API replica must share one configured key.
 */
export async function loadTotpSecretCipher(location: TotpKeyLocation): Promise<TotpSecretCipher> {
  if (location.keyFile) return new TotpSecretCipher(await readKey(location.keyFile));
  const devFile = path.resolve(location.dataDir, DEV_TOTP_KEY_FILE);
  try {
    return new TotpSecretCipher(await readKey(devFile));
  } catch (error) {
    if (!(error instanceof AuthError && error.details.missing === true)) throw error;
  }
  if (location.production) {
    throw new AuthError(AuthErrorCode.TOTP_KEY_UNAVAILABLE, 'No TOTP encryption key: set AUTH_TOTP_KEY_FILE to a file holding 32 random bytes in base64 (openssl rand -base64 32)');
  }
  await mkdir(path.dirname(devFile), { recursive: true, mode: 0o700 });
  await writeFile(devFile, `${TotpSecretCipher.generateKey().toString('base64')}\n`, { mode: 0o600, flag: 'wx' }).catch((error: unknown) => {
    // Another process generated it first: use theirs.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw keyError(devFile, error);
  });
  await chmod(devFile, 0o600);
  location.log(`generated a development TOTP encryption key in ${devFile}`);
  return new TotpSecretCipher(await readKey(devFile));
}

async function readKey(file: string): Promise<Buffer> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw keyError(file, error);
  }
  const trimmed = text.trim();
  const key = Buffer.from(trimmed, 'base64');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed) || key.length !== KEY_BYTES) {
    throw new AuthError(AuthErrorCode.TOTP_KEY_UNAVAILABLE, `Key file ${file} must hold ${KEY_BYTES} bytes in base64 (openssl rand -base64 32)`, { file });
  }
  return key;
}

function keyError(file: string, error: unknown): AuthError {
  const missing = (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
  return new AuthError(AuthErrorCode.TOTP_KEY_UNAVAILABLE, `Cannot use key file ${file}: ${describeError(error)}`, { file, missing }, { cause: error });
}
