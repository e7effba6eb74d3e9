import { describe, expect, it } from 'vitest';
import { ConfigError, ConfigErrorCode } from './errors';
import { loadConfig, renderConfigTable, replaceConfigTable, CONFIG_TABLE_END, CONFIG_TABLE_START } from './load-config';
import { SETTINGS } from './settings';

describe('loadConfig', () => {
  it('gives documented defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config.port).toBe(4000);
    expect(config.databaseUrl).toBeUndefined();
    expect(config.kafkaBrokers).toEqual([]);
    expect(config.seedDemo).toBe(true);
  });

  it.each([
    ['PORT', 'abc', /Invalid setting PORT="abc": expected a TCP port/],
    ['PORT', '70000', /PORT="70000": expected a TCP port from 1 to 65535/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL="loud": expected fatal, error/],
    ['KAFKA_BROKERS', 'localhost', /KAFKA_BROKERS="localhost": expected host:port/],
    ['SEED_DEMO', 'yes', /SEED_DEMO="yes": expected true or false/],
    ['NODE_ENV', 'prod', /NODE_ENV="prod"/],
  ])('refuses %s=%s with one line naming it', (variable, value, message) => {
    let error: unknown;
    try {
      loadConfig({ [variable]: value });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const configError = error as ConfigError;
    expect(configError.code).toBe(ConfigErrorCode.INVALID_SETTING);
    expect(configError.message).toMatch(message);
    expect(configError.message).not.toContain('\n');
    expect(configError.details).toEqual({ variable });
  });

  it('never echoes a secret value', () => {
    expect(() => loadConfig({ DATABASE_URL: 'mysql://user:hunter2@db' })).toThrow(/^Invalid setting DATABASE_URL: /);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://user:hunter2@db' })).not.toThrow(/hunter2/);
  });

  it('parses lists and urls', () => {
    const config = loadConfig({ KAFKA_BROKERS: 'a:9092, b:9093', DATABASE_URL: 'postgres://x@y/z' });
    expect(config.kafkaBrokers).toEqual(['a:9092', 'b:9093']);
    expect(config.databaseUrl).toBe('postgres://x@y/z');
  });
});

describe('config table', () => {
  it('lists every setting', () => {
    const table = renderConfigTable();
    for (const declaration of Object.values(SETTINGS)) expect(table).toContain(`\`${declaration.env}\``);
  });

  it('replaces only the generated block', () => {
    const readme = `# Title\n${CONFIG_TABLE_START}\nSTALE-TABLE-ROW\n${CONFIG_TABLE_END}\nafter`;
    const updated = replaceConfigTable(readme);
    expect(updated).toContain('| `PORT` | `4000` |');
    expect(updated).not.toContain("STALE-TABLE-ROW");
    expect(updated.endsWith(`${CONFIG_TABLE_END}\nafter`)).toBe(true);
  });
});
