import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuthErrorCode } from '../errors';
import { DEV_TOTP_KEY_FILE, loadTotpSecretCipher, TotpSecretCipher } from './totp-secret-cipher';

const SECRET = 'CLINLOOPDEMOTOTPSECRETFORSTAFF23';
const ALICE = '11111111-1111-4111-8111-111111111111';
const BOB = '22222222-2222-4222-8222-222222222222';

function codeOf(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return (error as { code?: unknown }).code;
  }
  return undefined;
}

describe('TotpSecretCipher (AES-256-GCM, versioned text form)', () => {
  const cipher = new TotpSecretCipher(TotpSecretCipher.generateKey());

  it('seals into v1.<keyId>.<nonce>.<ciphertext>.<tag> without the secret in it, and opens it again', () => {
    const sealed = cipher.seal(SECRET, ALICE);
    expect(sealed).toMatch(/^v1\.[0-9a-f]{16}(\.[A-Za-z0-9_-]+){3}$/);
    expect(sealed).not.toContain(SECRET);
    expect(sealed.split('.')[1]).toBe(cipher.keyId);
    expect(cipher.open(sealed, ALICE)).toEqual({ secret: SECRET, needsSealing: false });
  });

  it('uses a fresh nonce each time: sealing twice gives different text', () => {
    expect(cipher.seal(SECRET, ALICE)).not.toBe(cipher.seal(SECRET, ALICE));
  });

  it('reads a legacy clear secret and says it needs sealing', () => {
    expect(TotpSecretCipher.isSealed(SECRET)).toBe(false);
    expect(cipher.open(SECRET, ALICE)).toEqual({ secret: SECRET, needsSealing: true });
  });

  it.each<[string, (sealed: string) => string, string]>([
    ['copied onto another user\'s row (the user id is authenticated data)', (sealed) => sealed, BOB],
    ['with one ciphertext character changed', (sealed) => sealed.replace(/\.([A-Za-z0-9_-])([A-Za-z0-9_-]*)\.([A-Za-z0-9_-]+)$/, (_m, first: string, rest: string, tag: string) => `.${first === 'A' ? 'B' : 'A'}${rest}.${tag}`), ALICE],
    ['with a part missing', (sealed) => sealed.split('.').slice(0, 4).join('.'), ALICE],
  ])('refuses a sealed secret %s', (_name, alter, userId) => {
    expect(codeOf(() => cipher.open(alter(cipher.seal(SECRET, ALICE)), userId))).toBe(AuthErrorCode.TOTP_SECRET_UNREADABLE);
  });

  it('refuses a secret sealed under another key, naming both key ids', () => {
    const other = new TotpSecretCipher(TotpSecretCipher.generateKey());
    expect(() => cipher.open(other.seal(SECRET, ALICE), ALICE)).toThrow(new RegExp(`key ${other.keyId}.*key ${cipher.keyId}`));
  });

  it('wants a 32-byte key', () => {
    expect(codeOf(() => new TotpSecretCipher(Buffer.alloc(16)))).toBe(AuthErrorCode.TOTP_KEY_UNAVAILABLE);
  });
});

describe('loadTotpSecretCipher', () => {
  let dir: string;
  const log: string[] = [];
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'clinloop-totp-key-'));
    log.length = 0;
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads AUTH_TOTP_KEY_FILE (base64 of 32 bytes)', async () => {
    const key = TotpSecretCipher.generateKey();
    const file = path.join(dir, 'totp.key');
    await writeFile(file, `${key.toString('base64')}\n`);
    const loaded = await loadTotpSecretCipher({ keyFile: file, dataDir: dir, production: true, log: (line) => log.push(line) });
    expect(loaded.keyId).toBe(new TotpSecretCipher(key).keyId);
  });

  it('refuses a key file that does not hold 32 bytes in base64', async () => {
    const file = path.join(dir, 'short.key');
    await writeFile(file, Buffer.alloc(16).toString('base64'));
    await expect(loadTotpSecretCipher({ keyFile: file, dataDir: dir, production: true, log: () => undefined })).rejects.toMatchObject({ code: AuthErrorCode.TOTP_KEY_UNAVAILABLE });
  });

  it('outside production, generates a key once in DATA_DIR (mode 0600) and keeps using it', async () => {
    const first = await loadTotpSecretCipher({ keyFile: undefined, dataDir: dir, production: false, log: (line) => log.push(line) });
    const second = await loadTotpSecretCipher({ keyFile: undefined, dataDir: dir, production: false, log: (line) => log.push(line) });
    expect(second.keyId).toBe(first.keyId);
    expect(log).toHaveLength(1);
    const file = path.join(dir, DEV_TOTP_KEY_FILE);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(Buffer.from((await readFile(file, 'utf8')).trim(), 'base64')).toHaveLength(32);
  });

  it('in production, refuses to start without a configured key (and generates none)', async () => {
    await expect(loadTotpSecretCipher({ keyFile: undefined, dataDir: dir, production: true, log: () => undefined })).rejects.toMatchObject({
      code: AuthErrorCode.TOTP_KEY_UNAVAILABLE,
      message: expect.stringMatching(/AUTH_TOTP_KEY_FILE/) as unknown,
    });
    await expect(stat(path.join(dir, DEV_TOTP_KEY_FILE))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
