import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditKeyId, checkpointLine, parseCheckpoint, SignedCheckpoint, signCheckpoint, verifyCheckpointSignature } from './checkpoint';
import { AuditError, AuditErrorCode } from './errors';
import { generateAuditSigner, loadSigningKey, parsePublicKeyPem } from './signing-key';

const BODY = {
  treeSize: 12,
  rootHash: 'a'.repeat(64),
  lastSeq: 12,
  lastEntryHash: 'b'.repeat(64),
  issuedAt: '2026-04-01T00:00:00.000000Z',
};

describe('signed checkpoints', () => {
  const { signer } = generateAuditSigner();
  const checkpoint = signCheckpoint(BODY, signer);

  it('verify with the signing key and carry its id', () => {
    expect(checkpoint.keyId).toBe(auditKeyId(signer.publicKey));
    expect(checkpoint.keyId).toMatch(/^[0-9a-f]{16}$/);
    expect(verifyCheckpointSignature(checkpoint, signer.publicKey)).toBe(true);
  });

  it.each<[string, Partial<SignedCheckpoint>]>([
    ['tree size', { treeSize: 13, lastSeq: 13 }],
    ['root', { rootHash: 'c'.repeat(64) }],
    ['last entry hash', { lastEntryHash: 'c'.repeat(64) }],
    ['time', { issuedAt: '2026-04-01T00:00:00.000001Z' }],
    ['signature', { signature: `${checkpoint.signature.slice(0, -4)}AAA=` }],
  ])('fail verification when the %s is changed', (_field, change) => {
    expect(verifyCheckpointSignature({ ...checkpoint, ...change }, signer.publicKey)).toBe(false);
  });

  it('fail verification with another key, even when the key id is copied', () => {
    const other = generateAuditSigner().signer;
    expect(verifyCheckpointSignature(checkpoint, other.publicKey)).toBe(false);
    expect(verifyCheckpointSignature({ ...signCheckpoint(BODY, other), keyId: checkpoint.keyId }, signer.publicKey)).toBe(false);
  });

  it('round-trip through a checkpoint file line', () => {
    expect(parseCheckpoint(JSON.parse(checkpointLine(checkpoint)))).toEqual(checkpoint);
  });

  it.each([
    ['a negative size', { treeSize: -1, lastSeq: -1 }],
    ['lastSeq different from treeSize', { lastSeq: 11 }],
    ['an uppercase root', { rootHash: 'A'.repeat(64) }],
    ['a time without microseconds', { issuedAt: '2026-04-01T00:00:00Z' }],
    ['a short signature', { signature: 'AAAA' }],
  ])('are refused when parsed with %s', (_what, change) => {
    expect(typeof parseCheckpoint({ ...checkpoint, ...change })).toBe('string');
  });
});

describe('signing keys', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'clinloop-audit-key-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('generates a development key once (private file mode 0600) and reuses it', async () => {
    const first = await loadSigningKey({ keyFile: undefined, dataDir, allowGenerate: true });
    const second = await loadSigningKey({ keyFile: undefined, dataDir, allowGenerate: true });
    expect(first.generated).toBe(true);
    expect(second.generated).toBe(false);
    expect(second.signer.keyId).toBe(first.signer.keyId);
    expect((await stat(first.keyFile)).mode & 0o777).toBe(0o600);
    expect(auditKeyId(parsePublicKeyPem(await readFile(first.publicKeyFile, 'utf8'), 'pub'))).toBe(first.signer.keyId);
  });

  it('never invents a key where that is not allowed (production) or a configured file is missing', async () => {
    const empty = await mkdtemp(path.join(tmpdir(), 'clinloop-audit-nokey-'));
    try {
      for (const location of [
        { keyFile: undefined, dataDir: empty, allowGenerate: false },
        { keyFile: path.join(empty, 'missing.pem'), dataDir: empty, allowGenerate: true },
      ]) {
        const error = await loadSigningKey(location).catch((caught: unknown) => caught);
        expect((error as AuditError).code).toBe(AuditErrorCode.SIGNING_KEY_UNAVAILABLE);
      }
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  it('refuses a key that is not Ed25519', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const ecdsa = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const file = path.join(dataDir, 'p256.pem');
    await writeFile(file, ecdsa);
    const error = await loadSigningKey({ keyFile: file, dataDir, allowGenerate: false }).catch((caught: unknown) => caught);
    expect((error as AuditError).code).toBe(AuditErrorCode.INVALID_KEY);
  });
});
