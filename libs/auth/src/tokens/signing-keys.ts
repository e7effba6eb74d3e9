import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type JsonWebKey, type KeyObject } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describeError } from '@clinloop/errors';
import { AuthError, AuthErrorCode } from '../errors';

export interface SigningKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

export interface PublishedKey extends JsonWebKey {
  readonly kid: string;
  readonly alg: 'RS256';
  readonly use: 'sig';
}

/** The key that signs access tokens now, plus older public keys still accepted during a rotation. */
export class TokenKeyRing {
  private readonly byKid: ReadonlyMap<string, KeyObject>;

  constructor(
    readonly active: SigningKey,
    retiring: readonly KeyObject[] = [],
  ) {
    const entries: [string, KeyObject][] = [[active.kid, active.publicKey], ...retiring.map((key): [string, KeyObject] => [jwkThumbprint(key), key])];
    this.byKid = new Map(entries);
  }

  publicKey(kid: string): KeyObject | undefined {
    return this.byKid.get(kid);
  }

  /** RFC 7517 key set, served at /.well-known/jwks.json. */
  jwks(): { keys: PublishedKey[] } {
    return { keys: [...this.byKid.entries()].map(([kid, key]) => ({ ...key.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' })) };
  }
}

/** RFC 7638 JWK thumbprint (SHA-256, base64url) of an RSA public key: a `kid` that follows from the key itself. */
export function jwkThumbprint(key: KeyObject): string {
  const jwk = key.export({ format: 'jwk' });
  const canonical = JSON.stringify({ e: jwk.e, kty: jwk.kty, n: jwk.n });
  return createHash('sha256').update(canonical).digest('base64url');
}

function signingKeyFrom(privateKey: KeyObject, source: string): SigningKey {
  const details = privateKey.asymmetricKeyDetails;
  if (privateKey.asymmetricKeyType !== 'rsa' || (details?.modulusLength ?? 0) < 2048) {
    throw new AuthError(AuthErrorCode.SIGNING_KEY_UNAVAILABLE, `${source} is not an RSA private key of 2048 bits or more`, { source });
  }
  const publicKey = createPublicKey(privateKey);
  return { kid: jwkThumbprint(publicKey), privateKey, publicKey };
}

/** A fresh in-memory key ring (tests, schema generation). */
export function generateKeyRing(): TokenKeyRing {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return new TokenKeyRing(signingKeyFrom(privateKey, 'generated key'));
}

export const DEV_JWT_KEY_FILE = path.join('keys', 'jwt-signing-key.pem');

export interface KeyRingLocation {
  /** AUTH_JWT_SIGNING_KEY_FILE; unset means the development key in DATA_DIR. */
  readonly signingKeyFile: string | undefined;
  readonly verifyKeyFiles: readonly string[];
  readonly dataDir: string;
  readonly production: boolean;
  readonly log: (line: string) => void;
}

/**
 * Reads the signing key (and retiring public keys). Without AUTH_JWT_SIGNING_KEY_FILE, a development
 * key is generated once in DATA_DIR/keys (mode 0600) - never in production, where every API replica
 * must share one configured key.
 */
export async function loadKeyRing(location: KeyRingLocation): Promise<TokenKeyRing> {
  const retiring = await Promise.all(location.verifyKeyFiles.map((file) => readPublicKey(file)));
  if (location.signingKeyFile) {
    return new TokenKeyRing(signingKeyFrom(await readPrivateKey(location.signingKeyFile), location.signingKeyFile), retiring);
  }
  const devFile = path.resolve(location.dataDir, DEV_JWT_KEY_FILE);
  try {
    return new TokenKeyRing(signingKeyFrom(createPrivateKey(await readFile(devFile, 'utf8')), devFile), retiring);
  } catch (error) {
    if (!isMissingFile(error)) throw keyError(devFile, error);
  }
  if (location.production) {
    throw new AuthError(
      AuthErrorCode.SIGNING_KEY_UNAVAILABLE,
      'No token-signing key: set AUTH_JWT_SIGNING_KEY_FILE to an RSA private key in PEM (openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072)',
    );
  }
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 3072 });
  await mkdir(path.dirname(devFile), { recursive: true, mode: 0o700 });
  await writeFile(devFile, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600, flag: 'wx' }).catch((error: unknown) => {
    // Another process generated it first: use theirs.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw keyError(devFile, error);
  });
  await chmod(devFile, 0o600);
  location.log(`generated a development token-signing key in ${devFile}`);
  return new TokenKeyRing(signingKeyFrom(createPrivateKey(await readFile(devFile, 'utf8')), devFile), retiring);
}

async function readPrivateKey(file: string): Promise<KeyObject> {
  try {
    return createPrivateKey(await readFile(file, 'utf8'));
  } catch (error) {
    throw keyError(file, error);
  }
}

async function readPublicKey(file: string): Promise<KeyObject> {
  try {
    return createPublicKey(await readFile(file, 'utf8'));
  } catch (error) {
    throw keyError(file, error);
  }
}

function keyError(file: string, error: unknown): AuthError {
  return new AuthError(AuthErrorCode.SIGNING_KEY_UNAVAILABLE, `Cannot use key file ${file}: ${describeError(error)}`, { file }, { cause: error });
}

function isMissingFile(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}
