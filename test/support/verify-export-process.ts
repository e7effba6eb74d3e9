/**
 * `verifyExportFile` in a process of its own, for tests of how that process ends: prints the result
 * as JSON and exits by itself when there is nothing left to do (a worker thread kept alive after its
 * last answer would hold the process open). Usage: verify-export-process.ts FILE PUBLIC_KEY_PEM THREADS
 */
import { readFileSync } from 'node:fs';
import { createPublicKey } from 'node:crypto';
import { verifyExportFile } from '../../libs/audit/src/export/export-files';

const [file = '', keyFile = '', threads = '2'] = process.argv.slice(2);
void verifyExportFile(file, { publicKey: createPublicKey(readFileSync(keyFile)), trusted: [], threads: threads === '1' ? 1 : 2, segmentBytes: 4096 }).then((result) => {
  process.stdout.write(`${JSON.stringify(result)}\n`);
});
