import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { replaceConfigTable } from '@clinloop/config';
import { generateSchemaSdl } from '../../apps/cli/src/commands/schema.command';

const ROOT = path.resolve(__dirname, '../..');

describe('generated files', () => {
  it('apps/api/schema.gql matches the schema the code defines (run npm run schema:gql)', async () => {
    expect(readFileSync(path.join(ROOT, 'apps/api/schema.gql'), 'utf8')).toBe(await generateSchemaSdl());
  });

  it("the README's configuration table is current (run npm run docs:config)", () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    expect(replaceConfigTable(readme)).toBe(readme);
  });
});
