import { describe, expect, it } from 'vitest';
import { ENVELOPE_RULES, EnvelopeRuleId } from './envelope/envelope-rules';
import { DEFAULT_RULES } from './rules';

describe('DEFAULT_RULES', () => {
  it('is versioned', () => {
    expect(DEFAULT_RULES.version).toBe('acc-aha-2017.1');
  });

  it('gives every rule a source', () => {
    const sections = Object.entries(DEFAULT_RULES).filter(
      ([name]) => !['version', 'formulary', 'contraindications'].includes(name),
    );
    for (const [name, section] of sections) {
      expect(section, name).toHaveProperty('source');
      expect((section as { source: string }).source.length, name).toBeGreaterThan(0);
    }
    for (const rule of DEFAULT_RULES.contraindications)
      expect(rule.source.length, rule.id).toBeGreaterThan(0);
    for (const entry of DEFAULT_RULES.formulary.entries)
      expect(entry.source.length, entry.drug).toBeGreaterThan(0);
  });

  it('gives contraindications unique BLOCK_CI_ ids that do not clash with the envelope rule ids', () => {
    const ids = DEFAULT_RULES.contraindications.map((rule) => rule.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) {
      expect(id).toMatch(/^BLOCK_CI_[A-Z_]+$/);
      expect(Object.values(EnvelopeRuleId)).not.toContain(id);
    }
  });

  it('documents every envelope rule id in the catalog, with the tier its prefix says', () => {
    const documented = ENVELOPE_RULES.map((rule) => rule.id);
    for (const id of Object.values(EnvelopeRuleId)) expect(documented).toContain(id);
    for (const rule of ENVELOPE_RULES) {
      const prefix = { BLOCKED: 'BLOCK_', REVIEW: 'REVIEW_', AUTO: 'AUTO_' }[rule.tier];
      expect(rule.id.startsWith(prefix)).toBe(true);
    }
  });
});
