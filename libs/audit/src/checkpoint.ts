import { createHash, createPublicKey, KeyObject, sign, verify } from 'node:crypto';
import { isAuditTimestamp, isHexHash } from './canonical-encoding';

/** What a checkpoint states: the chain and the Merkle tree over its first `treeSize` entries. */
export interface CheckpointBody {
  readonly treeSize: number;
  /** RFC 9162 root over the first `treeSize` entry hashes (hex). */
  readonly rootHash: string;
  /** Always equal to treeSize (sequence numbers start at 1 with no gaps); stated so a reader need not know that. */
  readonly lastSeq: number;
  /** Hash of entry `lastSeq`, the chain head (hex); GENESIS_HASH for the empty log. */
  readonly lastEntryHash: string;
  readonly issuedAt: string;
  /** Names the Ed25519 key that signed: see `auditKeyId`. */
  readonly keyId: string;
}

export interface SignedCheckpoint extends CheckpointBody {
  /** Ed25519 signature over `checkpointMessage(body)`, base64. */
  readonly signature: string;
}

export const CHECKPOINT_HEADER = 'clinloop-audit-checkpoint/v1';

/**
 * The signed bytes: UTF-8 text, one `name: value` line each, every line ending in LF. Text rather
 * than JSON so an independent verifier needs no canonicalization to rebuild it.
 */
export function checkpointMessage(body: CheckpointBody): Buffer {
  return Buffer.from(
    [
      CHECKPOINT_HEADER,
      `tree-size: ${body.treeSize}`,
      `root: ${body.rootHash}`,
      `last-seq: ${body.lastSeq}`,
      `last-entry-hash: ${body.lastEntryHash}`,
      `issued-at: ${body.issuedAt}`,
      `key-id: ${body.keyId}`,
      '',
    ].join('\n'),
    'utf8',
  );
}

/** Signs with the private key behind `signer`; signing needs nothing else. */
export interface AuditSigner {
  readonly keyId: string;
  readonly publicKey: KeyObject;
  sign(message: Buffer): Buffer;
}

export function signCheckpoint(body: Omit<CheckpointBody, 'keyId'>, signer: AuditSigner): SignedCheckpoint {
  const complete: CheckpointBody = { ...body, keyId: signer.keyId };
  return { ...complete, signature: signer.sign(checkpointMessage(complete)).toString('base64') };
}

/**
 * First 16 hex digits of SHA-256 over the raw 32-byte Ed25519 public key: short enough to print,
 * long enough that two keys of one installation never share it.
 */
export function auditKeyId(publicKey: KeyObject): string {
  return createHash('sha256').update(rawEd25519PublicKey(publicKey)).digest('hex').slice(0, 16);
}

export function rawEd25519PublicKey(publicKey: KeyObject): Buffer {
  const jwk = publicKey.export({ format: 'jwk' });
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') throw new TypeError('not an Ed25519 public key');
  return Buffer.from(jwk.x, 'base64url');
}

export function ed25519PublicKeyFromRaw(raw: Buffer): KeyObject {
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });
}

export function signWithEd25519(privateKey: KeyObject, message: Buffer): Buffer {
  return sign(null, message, privateKey);
}

export function verifyEd25519(publicKey: KeyObject, message: Buffer, signatureBase64: string): boolean {
  const signature = Buffer.from(signatureBase64, 'base64');
  if (signature.length !== 64) return false;
  try {
    return verify(null, message, publicKey, signature);
  } catch {
    return false;
  }
}

export function verifyCheckpointSignature(checkpoint: SignedCheckpoint, publicKey: KeyObject): boolean {
  return checkpoint.keyId === auditKeyId(publicKey) && verifyEd25519(publicKey, checkpointMessage(checkpoint), checkpoint.signature);
}

/** The JSON object of a checkpoint: one line of the checkpoint file, the Kafka message, part of exports. */
export function checkpointJson(checkpoint: SignedCheckpoint): Record<string, string | number> {
  return {
    treeSize: checkpoint.treeSize,
    rootHash: checkpoint.rootHash,
    lastSeq: checkpoint.lastSeq,
    lastEntryHash: checkpoint.lastEntryHash,
    issuedAt: checkpoint.issuedAt,
    keyId: checkpoint.keyId,
    signature: checkpoint.signature,
  };
}

/** A line of the checkpoint file (JSON Lines): `{"type":"checkpoint",...}`. */
export function checkpointLine(checkpoint: SignedCheckpoint): string {
  return JSON.stringify({ type: 'checkpoint', version: 1, ...checkpointJson(checkpoint) });
}

/** Reads a checkpoint from parsed JSON; returns a reason instead when it is not one. */
export function parseCheckpoint(value: unknown): SignedCheckpoint | string {
  if (typeof value !== 'object' || value === null) return 'a checkpoint must be a JSON object';
  const record = value as Record<string, unknown>;
  const { treeSize, rootHash, lastSeq, lastEntryHash, issuedAt, keyId, signature } = record;
  if (typeof treeSize !== 'number' || !Number.isSafeInteger(treeSize) || treeSize < 0) return 'treeSize must be a whole number >= 0';
  if (typeof lastSeq !== 'number' || lastSeq !== treeSize) return 'lastSeq must equal treeSize';
  if (typeof rootHash !== 'string' || !isHexHash(rootHash)) return 'rootHash must be 64 lowercase hex digits';
  if (typeof lastEntryHash !== 'string' || !isHexHash(lastEntryHash)) return 'lastEntryHash must be 64 lowercase hex digits';
  if (typeof issuedAt !== 'string' || !isAuditTimestamp(issuedAt)) return 'issuedAt must be a UTC time with six fractional digits';
  if (typeof keyId !== 'string' || !/^[0-9a-f]{16}$/.test(keyId)) return 'keyId must be 16 lowercase hex digits';
  if (typeof signature !== 'string' || !/^[A-Za-z0-9+/]{86}==$/.test(signature)) return 'signature must be a base64 Ed25519 signature';
  return { treeSize, rootHash, lastSeq, lastEntryHash, issuedAt, keyId, signature };
}

export function sameCheckpoint(a: SignedCheckpoint, b: SignedCheckpoint): boolean {
  return JSON.stringify(checkpointJson(a)) === JSON.stringify(checkpointJson(b));
}
