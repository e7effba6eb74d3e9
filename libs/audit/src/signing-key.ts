import { createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describeError } from '@clinloop/errors';
import { AuditSigner, auditKeyId, signWithEd25519 } from './checkpoint';
import { AuditError, AuditErrorCode } from './errors';

export const DEV_SIGNING_KEY_FILE = 'audit-signing-key.pem';

export function createAuditSigner(privateKey: KeyObject): AuditSigner {
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new AuditError(AuditErrorCode.INVALID_KEY, 'The audit signing key must be an Ed25519 key');
  const publicKey = createPublicKey(privateKey);
  return { keyId: auditKeyId(publicKey), publicKey, sign: (message) => signWithEd25519(privateKey, message) };
}

/** A fresh key pair, for tests and the development key. */
export function generateAuditSigner(): { signer: AuditSigner; privateKeyPem: string } {
  const { privateKey } = generateKeyPairSync('ed25519');
  return { signer: createAuditSigner(privateKey), privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString() };
}

export function publicKeyPem(publicKey: KeyObject): string {
  return publicKey.export({ format: 'pem', type: 'spki' }).toString();
}

/** Accepts an Ed25519 public key PEM (SPKI), or a private key PEM from which the public half is taken. */
export function parsePublicKeyPem(pem: string, source: string): KeyObject {
  let key: KeyObject;
  try {
    key = pem.includes('PRIVATE KEY') ? createPublicKey(createPrivateKey(pem)) : createPublicKey(pem);
  } catch (error) {
    throw new AuditError(AuditErrorCode.INVALID_KEY, `${source} is not a PEM public key: ${describeError(error)}`, { source });
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new AuditError(AuditErrorCode.INVALID_KEY, `${source} is not an Ed25519 key`, { source });
  return key;
}

export async function readPublicKeyFile(file: string): Promise<KeyObject> {
  return parsePublicKeyPem(await readKeyFile(file), file);
}

export interface SigningKeyLocation {
  /** AUDIT_SIGNING_KEY_FILE; unset means the development key in DATA_DIR. */
  readonly keyFile: string | undefined;
  readonly dataDir: string;
  /** Production never invents a key: an auditor must be able to trust the one public key. */
  readonly allowGenerate: boolean;
}

export interface LoadedSigningKey {
  readonly signer: AuditSigner;
  readonly keyFile: string;
  /** Next to the key (when its folder is writable): `<key>.pub` holds the public key to hand to auditors. */
  readonly publicKeyFile: string;
  readonly generated: boolean;
}

/**
 * The configured Ed25519 key, or the development key in DATA_DIR, created (mode 0600) with its
 * public half the first time it is needed.
 */
export async function loadSigningKey(location: SigningKeyLocation): Promise<LoadedSigningKey> {
  const keyFile = path.resolve(location.keyFile ?? path.join(location.dataDir, DEV_SIGNING_KEY_FILE));
  const publicKeyFile = `${keyFile}.pub`;
  let pem: string | undefined;
  try {
    pem = await readFile(keyFile, 'utf8');
  } catch (error) {
    if (!isMissingFile(error)) throw unreadable(keyFile, error);
  }
  if (pem !== undefined) {
    let privateKey: KeyObject;
    try {
      privateKey = createPrivateKey(pem);
    } catch (error) {
      throw new AuditError(AuditErrorCode.INVALID_KEY, `${keyFile} is not a PEM private key: ${describeError(error)}`, { keyFile });
    }
    const signer = createAuditSigner(privateKey);
    await writePublicKeyIfMissing(publicKeyFile, signer.publicKey);
    return { signer, keyFile, publicKeyFile, generated: false };
  }
  if (location.keyFile !== undefined || !location.allowGenerate) {
    throw new AuditError(
      AuditErrorCode.SIGNING_KEY_UNAVAILABLE,
      `No audit signing key at ${keyFile}; set AUDIT_SIGNING_KEY_FILE to an Ed25519 private key in PEM (openssl genpkey -algorithm ed25519)`,
      { keyFile },
    );
  }
  const { signer, privateKeyPem } = generateAuditSigner();
  await mkdir(path.dirname(keyFile), { recursive: true });
  // 'wx': two processes starting at once must not overwrite each other's fresh key.
  try {
    await writeFile(keyFile, privateKeyPem, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if (isExistingFile(error)) return loadSigningKey(location);
    throw unreadable(keyFile, error);
  }
  await writeFile(publicKeyFile, publicKeyPem(signer.publicKey), { mode: 0o644 });
  return { signer, keyFile, publicKeyFile, generated: true };
}

/** Best effort: a configured key often sits in a read-only secret mount, and signing does not need the file. */
async function writePublicKeyIfMissing(file: string, publicKey: KeyObject): Promise<void> {
  await writeFile(file, publicKeyPem(publicKey), { mode: 0o644, flag: 'wx' }).catch(() => undefined);
}

async function readKeyFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw unreadable(file, error);
  }
}

function unreadable(file: string, error: unknown): AuditError {
  return new AuditError(AuditErrorCode.INVALID_KEY, `Cannot use key file ${file}: ${describeError(error)}`, { file }, { cause: error });
}

function isMissingFile(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === 'ENOENT';
}

function isExistingFile(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === 'EEXIST';
}
