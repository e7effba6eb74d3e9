import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  chunksOf,
  collectRecords,
  entryPositions,
  parseExportText,
  renderExport,
  tamper,
  Tampering,
} from '../../../../test/support/audit-tampering';
import { AuditEntryContent, AuditEntryInput } from '../audit-entry';
import { canonicalEntryJson, ENTRY_TAG_V2 } from '../entry-encoding-v2';
import { AuditSigner, SignedCheckpoint } from '../checkpoint';
import { InMemoryAuditLog } from '../in-memory-audit-log';
import { generateAuditSigner } from '../signing-key';
import { VerificationFailureReason, VerificationResult } from '../verification';
import { AuditError } from '../errors';
import { verifyExport } from './export-files';
import { exportFilters, parseExportFilters } from './export-filters';
import { EntriesDigest, EXPORT_FORMATS, ExportFilters, ExportRecord, NO_FILTERS, parseFilters } from './export-records';

const PATIENT = '6f1c2a3b-0d4e-4f50-8a61-7b2c3d4e5f60';
const OTHER_PATIENT = '0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d';
const ORGANIZATION = '11111111-2222-4333-8444-555555555555';
const CLINICIAN = { type: 'user', userId: 'c0ffee00-0000-4000-8000-000000000001', role: 'clinician', organizationId: ORGANIZATION } as const;
const WORKER = { type: 'system', component: 'worker.readings', organizationId: ORGANIZATION } as const;

/** Seven entries with every kind of field: nulls, empty strings, a newline, non-ASCII text, nested payloads. */
const INPUTS: readonly AuditEntryInput[] = [
  { actor: WORKER, action: 'readings.ingested', resource: { type: 'reading-batch', id: 'b-1' }, outcome: 'success', payload: { readingIds: ['r1', 'r2'], count: 2 } },
  { actor: CLINICIAN, action: 'patient.read', resource: { type: 'patient', id: PATIENT }, patientId: PATIENT, outcome: 'success', requestId: 'req-1' },
  { actor: CLINICIAN, action: 'bounds.update', resource: { type: 'safety-bounds' }, patientId: OTHER_PATIENT, outcome: 'denied', reason: 'not on the care team' },
  { actor: CLINICIAN, action: 'recommendation.approve', resource: { type: 'recommendation', id: 'rec-9' }, patientId: PATIENT, outcome: 'success', reason: 'BP above target\nfor 14 days, "adherent"', payload: { doseMg: 10, drug: 'lisinopril' } },
  { actor: WORKER, action: 'alert.raised', resource: { type: 'alert', id: '' }, patientId: PATIENT, outcome: 'success', payload: { systolic: 182, note: 'Blutdruck über Grenzwert ✓' } },
  { actor: WORKER, action: 'inference.failed', resource: { type: 'model-version', id: 'm-3' }, outcome: 'failure', reason: '', payload: { error: { code: 'ONNX', retry: false } } },
  { actor: CLINICIAN, action: 'patient.read', resource: { type: 'patient', id: PATIENT }, patientId: PATIENT, outcome: 'success' },
];
const PATIENT_FILTER: ExportFilters = { ...NO_FILTERS, patientId: PATIENT };

let signer: AuditSigner;
let log: InMemoryAuditLog;
let checkpoint: SignedCheckpoint;

beforeAll(() => {
  signer = generateAuditSigner().signer;
  log = new InMemoryAuditLog();
  INPUTS.forEach((input, index) => log.append([input], `2026-05-0${index + 1}T08:00:00.00000${index}Z`));
  checkpoint = log.checkpoint(signer, '2026-05-09T00:00:00.000000Z');
});

async function exportOf(filters: ExportFilters = NO_FILTERS, trusted: readonly SignedCheckpoint[] = [], from = log, cp = checkpoint): Promise<ExportRecord[]> {
  return collectRecords(from.exportRecords({ checkpoint: cp, signer, exportedAt: '2026-05-10T00:00:00.000000Z', filters, trusted }));
}

async function verify(text: string, trusted: readonly SignedCheckpoint[] = [], publicKey = signer.publicKey): Promise<VerificationResult> {
  return verifyExport(chunksOf(text), { publicKey, trusted });
}

function expectFailure(result: VerificationResult, reason: VerificationFailureReason, seq: number | null): void {
  expect(result.ok ? 'verified' : `${result.reason} at ${String(result.seq)}: ${result.message}`).toMatch(new RegExp(`^${reason} at ${String(seq)}:`));
}

/** [tampering, expected reason and seq for the entry with seq s of n]. */
const fullCases: readonly [Tampering, (seq: number, last: number) => [VerificationFailureReason, number]][] = [
  ['edit', (seq) => ['hash-mismatch', seq]],
  ['edit-and-rehash', (seq, last) => (seq === last ? ['checkpoint-mismatch', seq] : ['broken-link', seq])],
  ['delete', (seq, last) => (seq === last ? ['truncated', seq] : ['gap', seq])],
  ['insert', (seq) => ['reorder', seq]],
  ['swap-with-next', (seq) => ['reorder', seq]],
];

describe.each(EXPORT_FORMATS)('%s export', (format) => {
  it('verifies intact, full and filtered, and reads back to the same records', async () => {
    for (const filters of [NO_FILTERS, PATIENT_FILTER]) {
      const records = await exportOf(filters);
      const text = renderExport(records, format);
      expect(await parseExportText(text)).toEqual(records);
      const result = await verify(text);
      expect(result).toMatchObject({ ok: true, entries: filters === NO_FILTERS ? 7 : 4 });
    }
  });

  it.each(fullCases)('full export: %s of the entry at every position is reported with its seq', async (tampering, expected) => {
    const records = await exportOf();
    const positions = entryPositions(records);
    for (const [index, position] of positions.entries()) {
      if (tampering === 'swap-with-next' && index === positions.length - 1) continue;
      const result = await verify(renderExport(tamper(records, position, tampering), format));
      const [reason, seq] = expected(index + 1, positions.length);
      expectFailure(result, reason, seq);
    }
  });

  const filteredCases: readonly [Tampering, VerificationFailureReason, boolean][] = [
    ['edit', 'hash-mismatch', true],
    ['edit-and-rehash', 'bad-proof', true],
    ['insert', 'bad-proof', true],
    ['swap-with-next', 'reorder', true],
    ['delete', 'manifest-mismatch', false],
  ];
  it.each(filteredCases)('filtered export: %s at every position is detected (%s)', async (tampering, reason, namesSeq) => {
    const records = await exportOf(PATIENT_FILTER);
    const positions = entryPositions(records);
    for (const [index, position] of positions.entries()) {
      if (tampering === 'swap-with-next' && index === positions.length - 1) continue;
      const record = records[position];
      const seq = record?.kind === 'entry' ? record.entry.seq : -1;
      const result = await verify(renderExport(tamper(records, position, tampering), format));
      expectFailure(result, reason, namesSeq ? seq : null);
    }
  });

  it('reports a file cut off anywhere as truncated', async () => {
    for (const filters of [NO_FILTERS, PATIENT_FILTER]) {
      const text = renderExport(await exportOf(filters), format);
      for (let length = 0; length < text.length - 1; length += 37) {
        const result = await verify(text.slice(0, length));
        expect(result.ok ? 'verified' : result.reason, `cut at ${length}`).toBe('truncated');
      }
    }
  });
});

describe('checkpoint signatures', () => {
  it('refuses a checkpoint signed by another key, even one that claims our key id', async () => {
    const forger = generateAuditSigner().signer;
    const forged = { ...log.checkpoint(forger, checkpoint.issuedAt), keyId: signer.keyId };
    const records = await collectRecords(log.exportRecords({ checkpoint: forged, signer: forger, exportedAt: checkpoint.issuedAt }));
    expectFailure(await verify(renderExport(records, 'jsonl')), 'bad-signature', 7);
  });

  it('refuses a checkpoint whose root was changed after signing', async () => {
    const records = (await exportOf()).map((record) =>
      record.kind === 'header' || record.kind === 'trailer' ? { ...record, checkpoint: { ...record.checkpoint, rootHash: 'a'.repeat(64) } } : record,
    );
    expectFailure(await verify(renderExport(records, 'jsonl')), 'bad-signature', 7);
  });

  it('refuses an export verified with the wrong public key', async () => {
    const text = renderExport(await exportOf(), 'csv');
    expectFailure(await verify(text, [], generateAuditSigner().signer.publicKey), 'bad-signature', 7);
  });

  it('refuses a filtered export whose header was changed (the manifest signature covers it)', async () => {
    const records = (await exportOf(PATIENT_FILTER)).map((record) => (record.kind === 'header' ? { ...record, filters: { ...record.filters, patientId: OTHER_PATIENT } } : record));
    expectFailure(await verify(renderExport(records, 'jsonl')), 'bad-signature', null);
  });
});

describe('consistency with checkpoints the auditor already holds', () => {
  let trustedAt5: SignedCheckpoint;
  let rewritten: InMemoryAuditLog;
  let rewrittenCheckpoint: SignedCheckpoint;

  beforeAll(() => {
    trustedAt5 = log.checkpoint(signer, '2026-05-05T12:00:00.000000Z', 5);
    // Someone with the signing key rewrites entry 3, re-chains everything after it and re-signs.
    rewritten = new InMemoryAuditLog();
    INPUTS.forEach((input, index) => rewritten.append([index === 2 ? { ...input, outcome: 'success', reason: null } : input], `2026-05-0${index + 1}T08:00:00.00000${index}Z`));
    rewrittenCheckpoint = rewritten.checkpoint(signer, checkpoint.issuedAt);
  });

  it.each(EXPORT_FORMATS)('%s: an honest export is consistent with every earlier trusted checkpoint', async (format) => {
    const trusted = [1, 3, 5, 6, 7].map((size) => log.checkpoint(signer, '2026-05-05T12:00:00.000000Z', size));
    expect(await verify(renderExport(await exportOf(NO_FILTERS), format), trusted)).toMatchObject({ ok: true });
    expect(await verify(renderExport(await exportOf(PATIENT_FILTER, trusted), format), trusted)).toMatchObject({ ok: true });
  });

  it('a rewritten, re-signed full export verifies on its own but not against the trusted checkpoint', async () => {
    const text = renderExport(await exportOf(NO_FILTERS, [], rewritten, rewrittenCheckpoint), 'jsonl');
    expect(await verify(text)).toMatchObject({ ok: true });
    expectFailure(await verify(text, [trustedAt5]), 'inconsistent', 5);
  });

  it('a rewritten, re-signed filtered export fails its consistency proof', async () => {
    const text = renderExport(await exportOf(PATIENT_FILTER, [trustedAt5], rewritten, rewrittenCheckpoint), 'fhir');
    expect(await verify(text)).toMatchObject({ ok: true });
    expectFailure(await verify(text, [trustedAt5]), 'inconsistent', 5);
  });

  it('says so when a trusted checkpoint cannot be checked', async () => {
    const newer = log.checkpoint(signer, checkpoint.issuedAt, 7);
    const older = await collectRecords(log.exportRecords({ checkpoint: log.checkpoint(signer, checkpoint.issuedAt, 6), signer, exportedAt: checkpoint.issuedAt }));
    expectFailure(await verify(renderExport(older, 'jsonl'), [newer]), 'unproven', 7);
    expectFailure(await verify(renderExport(await exportOf(PATIENT_FILTER), 'jsonl'), [trustedAt5]), 'unproven', 5);
  });
});

describe('a trail written under encoding 1, then encoding 2', () => {
  let mixed: InMemoryAuditLog;
  let mixedCheckpoint: SignedCheckpoint;

  beforeAll(() => {
    mixed = new InMemoryAuditLog();
    INPUTS.forEach((input, index) => mixed.append([input], `2026-05-0${index + 1}T08:00:00.00000${index}Z`, index < 3 ? 1 : 2));
    mixedCheckpoint = mixed.checkpoint(signer, '2026-05-09T00:00:00.000000Z');
  });

  const exportMixed = (filters: ExportFilters = NO_FILTERS): Promise<ExportRecord[]> =>
    collectRecords(mixed.exportRecords({ checkpoint: mixedCheckpoint, signer, exportedAt: '2026-05-10T00:00:00.000000Z', filters }));
  const encodings = (records: readonly ExportRecord[]): number[] => records.flatMap((record) => (record.kind === 'entry' ? [record.entry.encoding] : []));

  it.each(EXPORT_FORMATS)('%s: verifies, full and filtered, and reads back to the same entries and encodings', async (format) => {
    expect(encodings(await exportMixed())).toEqual([1, 1, 1, 2, 2, 2, 2]);
    for (const filters of [NO_FILTERS, PATIENT_FILTER]) {
      const records = await exportMixed(filters);
      const text = renderExport(records, format);
      expect(await parseExportText(text)).toEqual(records);
      expect(await verify(text)).toMatchObject({ ok: true, entries: filters === NO_FILTERS ? 7 : 4 });
    }
  });

  it.each(EXPORT_FORMATS.flatMap((format) => fullCases.map(([tampering, expected]) => [format, tampering, expected] as const)))(
    '%s: %s of the entry at every position is reported with its seq',
    async (format, tampering, expected) => {
      const records = await exportMixed();
      const positions = entryPositions(records);
      for (const [index, position] of positions.entries()) {
        if (tampering === 'swap-with-next' && index === positions.length - 1) continue;
        const [reason, seq] = expected(index + 1, positions.length);
        expectFailure(await verify(renderExport(tamper(records, position, tampering), format)), reason, seq);
      }
    },
  );

  it.each(EXPORT_FORMATS)('%s: an entry presented under the other encoding does not verify', async (format) => {
    for (const filters of [NO_FILTERS, PATIENT_FILTER]) {
      const records = await exportMixed(filters);
      for (const position of entryPositions(records)) {
        const record = records[position];
        if (record?.kind !== 'entry') continue;
        const flipped = [...records];
        flipped[position] = { ...record, entry: { ...record.entry, encoding: record.entry.encoding === 1 ? 2 : 1 } };
        expectFailure(await verify(renderExport(flipped, format)), 'hash-mismatch', record.entry.seq);
      }
    }
  });

  it('jsonl: a payload with members named seq and prevHash neither breaks nor fools the verifier', async () => {
    const trail = new InMemoryAuditLog();
    const decoy = (index: number): AuditEntryInput => ({ ...INPUTS[1], patientId: PATIENT, payload: { prevHash: 'f'.repeat(64), seq: 99 + index, tail: ',"seq":1}', x: ',"prevHash":"' } } as AuditEntryInput);
    trail.append([decoy(0), decoy(1), decoy(2)], '2026-05-01T08:00:00.000000Z');
    const covering = trail.checkpoint(signer, '2026-05-02T00:00:00.000000Z');
    for (const filters of [NO_FILTERS, PATIENT_FILTER]) {
      const records = await collectRecords(trail.exportRecords({ checkpoint: covering, signer, exportedAt: covering.issuedAt, filters }));
      expect(await verify(renderExport(records, 'jsonl'))).toMatchObject({ ok: true, entries: 3 });
      expectFailure(await verify(renderExport(tamper(records, 2, 'edit-and-rehash'), 'jsonl')), filters === NO_FILTERS ? 'broken-link' : 'bad-proof', 2);
    }
  });

  it('jsonl: the entry member of an encoding 2 line is exactly the canonical text that was hashed', async () => {
    const lines = renderExport(await exportMixed(), 'jsonl').trim().split('\n');
    const framed = lines.filter((line) => line.startsWith('{"record":"entry","hash":"'));
    expect(framed).toHaveLength(4);
    for (const line of framed) {
      const frame = JSON.parse(line) as { hash: string; entry: AuditEntryContent & { prevHash: string } };
      const entryText = line.slice(line.indexOf(',"entry":') + ',"entry":'.length, -1);
      expect(canonicalEntryJson(frame.entry, frame.entry.prevHash)).toBe(entryText);
      const hashed = createHash('sha256').update(Buffer.from([0])).update(ENTRY_TAG_V2).update(entryText, 'utf8').digest('hex');
      expect(hashed).toBe(frame.hash);
    }
  });

  it.each([
    ['full', NO_FILTERS],
    ['filtered', PATIENT_FILTER],
  ] as const)('jsonl, %s: any character of an entry text changed, removed or added is reported with the seq', async (_mode, filters) => {
    const lines = renderExport(await exportMixed(filters), 'jsonl').split('\n');
    let checked = 0;
    for (const [lineIndex, line] of lines.entries()) {
      if (!line.startsWith('{"record":"entry","hash":"')) continue;
      const entryStart = line.indexOf(',"entry":') + ',"entry":'.length;
      const seq = (JSON.parse(line) as { entry: { seq: number } }).entry.seq;
      for (let at = entryStart; at < line.length - 1; at++) {
        const character = line[at] === 'x' ? 'y' : 'x';
        for (const edited of [line.slice(0, at) + character + line.slice(at + 1), line.slice(0, at) + line.slice(at + 1), line.slice(0, at) + character + line.slice(at)]) {
          const text = [...lines.slice(0, lineIndex), edited, ...lines.slice(lineIndex + 1)].join('\n');
          const result = await verifyExport(chunksOf(text, text.length), { publicKey: signer.publicKey, trusted: [] });
          expect(result.ok ? 'verified' : `${result.reason} at ${String(result.seq)}`, `line ${lineIndex + 1}, character ${at}`).toMatch(new RegExp(`^(hash-mismatch|malformed) at ${seq}$`));
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(1000);
  }, 60_000);
});

describe('FHIR AuditEvent elements', () => {
  it('catches an edit of an element the hash does not cover directly (AuditEvent.action)', async () => {
    const text = renderExport(await exportOf(), 'fhir');
    const lines = text.split('\n');
    const edited = lines.map((line) => (line.includes('"id":"2"') ? line.replace('"action":"R"', '"action":"D"') : line)).join('\n');
    expect(edited).not.toBe(text);
    expectFailure(await verify(edited), 'hash-mismatch', 2);
  });
});

describe('the organization filter', () => {
  const OTHER_ORGANIZATION = '99999999-2222-4333-8444-555555555555';
  const outsider = { type: 'user', userId: 'c0ffee00-0000-4000-8000-0000000000ff', role: 'clinician', organizationId: OTHER_ORGANIZATION } as const;

  it('keeps what its actors wrote and what concerns its patients, and verifies', async () => {
    const trail = new InMemoryAuditLog();
    trail.append([...INPUTS], '2026-05-01T08:00:00.000000Z');
    // seq 8: another organization's user reading one of ORGANIZATION's patients; seq 9: reading its own.
    trail.append([{ ...INPUTS[1], actor: outsider } as AuditEntryInput, { ...INPUTS[1], actor: outsider, patientId: null, resource: { type: 'patient', id: 'x' } } as AuditEntryInput], '2026-05-02T08:00:00.000000Z');
    const covering = trail.checkpoint(signer, '2026-05-09T00:00:00.000000Z');
    const patientOrganizations = new Map([PATIENT, OTHER_PATIENT].map((patient) => [patient, ORGANIZATION]));
    const seqsOf = async (organizationId: string): Promise<number[]> => {
      const records = await collectRecords(trail.exportRecords({ checkpoint: covering, signer, exportedAt: covering.issuedAt, filters: { organizationId }, patientOrganizations }));
      expect(await verify(renderExport(records, 'jsonl'))).toMatchObject({ ok: true });
      return records.flatMap((record) => (record.kind === 'entry' ? [record.entry.seq] : []));
    };
    expect(await seqsOf(ORGANIZATION)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(await seqsOf(OTHER_ORGANIZATION)).toEqual([8, 9]);
  });

  it('comes from the command line (--organization) as a lowercase UUID, and nothing else', () => {
    expect(parseExportFilters({ organization: ORGANIZATION.toUpperCase() })).toEqual({ ...NO_FILTERS, organizationId: ORGANIZATION });
    expect(() => parseExportFilters({ organization: 'north' })).toThrow(/--organization must be an organization UUID/);
    expect(() => exportFilters({ organizationId: 'north' })).toThrow(AuditError);
  });

  it('is one of exactly six filters in a header', () => {
    expect(parseFilters({ ...NO_FILTERS, organizationId: ORGANIZATION })).toEqual({ ...NO_FILTERS, organizationId: ORGANIZATION });
    // The header of an export made before the organization filter existed.
    expect(parseFilters({ from: null, to: null, patientId: null, actorId: null, action: null })).toMatch(/^filters must hold exactly/);
    expect(parseFilters({ ...NO_FILTERS, extra: null })).toMatch(/^filters must hold exactly/);
  });
});

describe('EntriesDigest', () => {
  it('is SHA-256 over u64(seq) || hash of every entry, however many entries it buffers', () => {
    const digest = new EntriesDigest();
    const reference = createHash('sha256');
    for (let seq = 1; seq <= 2500; seq++) {
      const entryHash = createHash('sha256').update(String(seq)).digest('hex');
      digest.add(seq, entryHash);
      const record = Buffer.alloc(40);
      record.writeBigUInt64BE(BigInt(seq));
      record.write(entryHash, 8, 'hex');
      reference.update(record);
    }
    expect(digest.count).toBe(2500);
    expect(digest.finish()).toBe(reference.digest('hex'));
  });

  it('is the same whether a hash is added as hex or as its bytes, beyond 2^32 too', () => {
    const fromHex = new EntriesDigest();
    const fromBytes = new EntriesDigest();
    for (const seq of [1, 2, 1024, 1025, 2 ** 32 + 7, 2 ** 53 - 1]) {
      const entryHash = createHash('sha256').update(String(seq)).digest();
      fromHex.add(seq, entryHash.toString('hex'));
      fromBytes.addBytes(seq, entryHash);
    }
    expect(fromBytes.count).toBe(fromHex.count);
    expect(fromBytes.finish()).toBe(fromHex.finish());
  });
});
