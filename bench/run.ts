/**
 * `npm run bench [-- name...]`: runs every bench/*.bench.ts, or those whose file name contains one
 * of the given names, one after another, each in its own Node process (a benchmark must not
 * inherit another's heap, JIT state or open handles). Exits non-zero if any benchmark failed.
 *
 * Run from the repo root: node -r @swc-node/register bench/run.ts [audit]
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
const BENCH_DIR = __dirname;

function runOne(file: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', file], {
      cwd: ROOT,
      stdio: 'inherit',
      env: { ...process.env, SWC_NODE_PROJECT: process.env.SWC_NODE_PROJECT ?? path.join(ROOT, 'tsconfig.json') },
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const benches = readdirSync(BENCH_DIR)
    .filter((name) => name.endsWith('.bench.ts'))
    .filter((name) => wanted.length === 0 || wanted.some((want) => name.includes(want)))
    .sort();
  if (benches.length === 0) throw new Error(`no benchmark matches ${wanted.join(', ')} in bench/ (files *.bench.ts)`);
  const failed: string[] = [];
  for (const name of benches) {
    process.stdout.write(`\n=== ${name} ===\n`);
    if ((await runOne(path.join(BENCH_DIR, name))) !== 0) failed.push(name);
  }
  if (failed.length > 0) throw new Error(`failed: ${failed.join(', ')}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
