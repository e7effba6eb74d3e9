import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkpointLine, exportChunker, ExportRecord, generateAuditSigner, InMemoryAuditLog, publicKeyPem } from '@clinloop/audit';
import { registerAuditCommands } from './audit.command';
import { runCommandInProcess, type CommandRunResult } from '../../../../test/support/cli-in-process';

/** `audit verify FILE` needs no database: these run the real command on exports made in memory. */

const run = (...args: string[]): Promise<CommandRunResult> => runCommandInProcess(registerAuditCommands, args);

const directory = mkdtempSync(join(tmpdir(), 'clinloop-audit-cli-'));
const { signer } = generateAuditSigner();
const publicKeyFile = join(directory, 'audit.pub');
const log = new InMemoryAuditLog();
let exportFile: string;
let tamperedFile: string;
let trustedFile: string;

async function writeExportFile(name: string, records: AsyncIterable<ExportRecord>, edit: (line: string) => string = (line) => line): Promise<string> {
  const chunker = exportChunker('jsonl');
  let text = '';
  for await (const record of records) text += edit(chunker.chunk(record));
  const file = join(directory, name);
  writeFileSync(file, text);
  return file;
}

beforeAll(async () => {
  writeFileSync(publicKeyFile, publicKeyPem(signer.publicKey));
  for (let index = 0; index < 5; index++) {
    log.append([{ actor: { type: 'system', component: 'test' }, action: 'thing.done', resource: { type: 'thing', id: String(index) }, outcome: 'success', payload: { index } }], `2026-01-0${index + 1}T00:00:00.000000Z`);
  }
  const early = log.checkpoint(signer, '2026-01-03T12:00:00.000000Z', 3);
  trustedFile = join(directory, 'trusted.jsonl');
  writeFileSync(trustedFile, `${checkpointLine(early)}\n`);
  const checkpoint = log.checkpoint(signer, '2026-01-06T00:00:00.000000Z');
  const records = (): AsyncGenerator<ExportRecord> => log.exportRecords({ checkpoint, signer, exportedAt: '2026-01-07T00:00:00.000000Z' });
  exportFile = await writeExportFile('export.jsonl', records());
  tamperedFile = await writeExportFile('tampered.jsonl', records(), (line) => line.replace('"index":3', '"index":33'));
});

afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('clinloop audit verify FILE', () => {
  it('exits 0 with a one-line summary when the export is intact', async () => {
    const result = await run('audit', 'verify', exportFile, '--public-key', publicKeyFile, '--trusted', trustedFile);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^OK full export of seq 1-5, chain and Merkle root intact; checkpoint 5 .* consistent with 1 trusted checkpoint\(s\)\n$/);
  });

  it('exits non-zero naming the first broken seq and why, in one line (no usage help after a finding)', async () => {
    const result = await run('audit', 'verify', tamperedFile, '--public-key', publicKeyFile);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/^FAILED at seq 4 \(hash-mismatch\): [^\n]*\n$/);
  });

  it('exits non-zero for the wrong public key', async () => {
    const otherKey = join(directory, 'other.pub');
    writeFileSync(otherKey, publicKeyPem(generateAuditSigner().signer.publicKey));
    const result = await run('audit', 'verify', exportFile, '--public-key', otherKey);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/^FAILED at seq 5 \(bad-signature\)/);
  });

  it('refuses to guess between a file and --db', async () => {
    const result = await run('audit', 'verify', '--public-key', publicKeyFile);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('give either an export file or --db');
  });
});
