import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuditEntryContent } from './audit-entry';
import { computeEntryHash, encodeEntry } from './canonical-encoding';
import { canonicalJson } from './canonical-json';
import { canonicalEntryJson, ENTRY_TAG_V2, ENTRY_V2_MEMBERS } from './entry-encoding-v2';
import { entryHash } from './entry-hash';
import { jsonlChunk } from './export/jsonl-format';
import { auditKeyId, checkpointMessage, ed25519PublicKeyFromRaw, parseCheckpoint, verifyCheckpointSignature, verifyEd25519 } from './checkpoint';
import { EntriesDigest, ExportManifest, exportManifestMessage } from './export/export-records';
import { arrayNodeReader, consistencyPath, inclusionPath, merkleRoot, verifyConsistency, verifyInclusion } from './merkle-tree';

/**
 * The test vectors of compliance/audit-export-format.md, read from the document itself: the
 * specification auditors implement against and the code are held to the same bytes.
 */
const SPEC = path.resolve(__dirname, '../../../compliance/audit-export-format.md');
const VECTOR_BLOCK = /```json test-vector\n([\s\S]*?)```/g;

type Vector = Record<string, unknown> & { kind: string };

function vectors(): Vector[] {
  const text = readFileSync(SPEC, 'utf8');
  return [...text.matchAll(VECTOR_BLOCK)].map((match) => JSON.parse(match[1] ?? 'null') as Vector);
}

function ofKind(kind: string): Vector[] {
  return vectors().filter((vector) => vector.kind === kind);
}

const hex = (buffers: readonly Buffer[]): string[] => buffers.map((buffer) => buffer.toString('hex'));
const unhex = (values: readonly string[]): Buffer[] => values.map((value) => Buffer.from(value, 'hex'));

describe('compliance/audit-export-format.md test vectors', () => {
  it('has every kind of vector the document promises', () => {
    expect(new Set(vectors().map((vector) => vector.kind))).toEqual(new Set(['canonical-json', 'entry', 'entry-v2', 'tree', 'checkpoint', 'export-manifest']));
  });

  it('canonical JSON', () => {
    for (const vector of ofKind('canonical-json')) {
      for (const { input, canonical } of vector.cases as { input: unknown; canonical: string }[]) expect(canonicalJson(input)).toBe(canonical);
    }
  });

  it.each(ofKind('entry').map((vector) => [(vector.entry as AuditEntryContent).seq, vector] as const))('entry %i: canonical bytes and hash', (_seq, vector) => {
    const entry = vector.entry as AuditEntryContent;
    expect(encodeEntry(entry).toString('hex')).toBe(vector.canonicalHex);
    expect(computeEntryHash(entry, vector.prevHash as string)).toBe(vector.hash);
  });

  it('the entries form a chain', () => {
    const entries = ofKind('entry');
    entries.forEach((vector, index) => {
      if (index > 0) expect(vector.prevHash).toBe(entries[index - 1]?.hash);
    });
  });

  it.each(ofKind('entry-v2').map((vector) => [(vector.entry as AuditEntryContent).seq, vector] as const))('entry %i (encoding 2): canonical JSON text and hash', (_seq, vector) => {
    const entry = vector.entry as AuditEntryContent;
    const prevHash = vector.prevHash as string;
    const text = vector.canonicalJson as string;
    expect(canonicalEntryJson(entry, prevHash)).toBe(text);
    expect(Object.keys(JSON.parse(text) as object)).toEqual([...ENTRY_V2_MEMBERS]);
    expect(createHash('sha256').update(Buffer.from([0])).update(ENTRY_TAG_V2, 'ascii').update(text, 'utf8').digest('hex')).toBe(vector.hash);
    expect(entryHash(entry, prevHash, 2)).toBe(vector.hash);
    // The other encoding's tag cannot give the same hash.
    expect(entryHash(entry, prevHash, 1)).not.toBe(vector.hash);
    if (typeof vector.jsonlLine === 'string') {
      expect(jsonlChunk({ kind: 'entry', entry: { ...entry, encoding: 2, prevHash, hash: vector.hash as string }, proof: null })).toBe(`${vector.jsonlLine}\n`);
    }
  });

  it('the entries of encoding 2 continue the chain of encoding 1', () => {
    const chain = [...ofKind('entry'), ...ofKind('entry-v2')];
    expect(chain.map((vector) => (vector.entry as AuditEntryContent).seq)).toEqual([1, 2, 3, 4, 5]);
    chain.forEach((vector, index) => {
      if (index > 0) expect(vector.prevHash).toBe(chain[index - 1]?.hash);
    });
  });

  it('tree roots, inclusion proofs and consistency proofs', () => {
    for (const vector of ofKind('tree')) {
      const leaves = unhex(vector.leaves as string[]);
      const read = arrayNodeReader(leaves);
      const roots = vector.roots as string[];
      roots.forEach((root, index) => expect(merkleRoot(leaves.slice(0, index + 1)).toString('hex')).toBe(root));
      for (const proof of vector.inclusion as { leafIndex: number; treeSize: number; path: string[] }[]) {
        expect(hex(inclusionPath(proof.leafIndex, proof.treeSize, read))).toEqual(proof.path);
        const leaf = leaves[proof.leafIndex] ?? Buffer.alloc(32);
        expect(verifyInclusion(proof.leafIndex, proof.treeSize, leaf, unhex(proof.path), Buffer.from(roots[proof.treeSize - 1] ?? '', 'hex'))).toBe(true);
      }
      for (const proof of vector.consistency as { fromSize: number; toSize: number; path: string[] }[]) {
        expect(hex(consistencyPath(proof.fromSize, proof.toSize, read))).toEqual(proof.path);
        const [oldRoot, newRoot] = [roots[proof.fromSize - 1] ?? '', roots[proof.toSize - 1] ?? ''];
        expect(verifyConsistency(proof.fromSize, proof.toSize, Buffer.from(oldRoot, 'hex'), Buffer.from(newRoot, 'hex'), unhex(proof.path))).toBe(true);
      }
    }
  });

  it('checkpoint messages, key id and Ed25519 signatures', () => {
    const checkpoints = ofKind('checkpoint');
    expect(checkpoints.map((vector) => vector.valid)).toEqual([true, false]);
    for (const vector of checkpoints) {
      const publicKey = ed25519PublicKeyFromRaw(Buffer.from(vector.publicKey as string, 'hex'));
      const checkpoint = parseCheckpoint(vector.checkpoint);
      if (typeof checkpoint === 'string') throw new Error(checkpoint);
      expect(auditKeyId(publicKey)).toBe(checkpoint.keyId);
      expect(checkpointMessage(checkpoint).toString('utf8')).toBe(vector.message);
      expect(verifyCheckpointSignature(checkpoint, publicKey)).toBe(vector.valid);
    }
  });

  it('export manifest: entries digest, message and signature', () => {
    for (const vector of ofKind('export-manifest')) {
      const manifest = vector.manifest as ExportManifest;
      const digest = new EntriesDigest();
      for (const { seq, hash } of vector.entries as { seq: number; hash: string }[]) digest.add(seq, hash);
      expect(digest.finish()).toBe(manifest.entriesDigest);
      const message = exportManifestMessage(manifest);
      expect(message.toString('utf8')).toBe(vector.message);
      expect(verifyEd25519(ed25519PublicKeyFromRaw(Buffer.from(vector.publicKey as string, 'hex')), message, vector.signature as string)).toBe(true);
    }
  });
});
