import { describe, expect, it } from 'vitest';
import { checkEnvelope, DEFAULT_RULES } from '@clinloop/clinical';
import type { SafetyBoundsVersionEntity } from './safety-bounds.entity';
import { safetyBoundsContent, safetyBoundsSignedContent, toEnvelopeBounds } from './safety-bounds.service';

const DRAFT = {
  targetSbp: 130,
  targetDbp: 80,
  allowedDrugs: [{ drug: '  Lisinopril ', minDailyMg: 5, maxDailyMg: 40 }],
  confidenceFloor: 0.8,
};

function row(overrides: Partial<SafetyBoundsVersionEntity> = {}): SafetyBoundsVersionEntity {
  return {
    id: 'b1',
    organizationId: 'org',
    patientId: 'p1',
    version: 3,
    content: safetyBoundsContent(DRAFT),
    rulesVersion: DEFAULT_RULES.version,
    authoredBy: 'u1',
    signatureId: 's1',
    createdAt: new Date('2025-05-01T00:00:00Z'),
    ...overrides,
  };
}

describe('safety bounds content', () => {
  it('normalizes drug names and stores absent optionals as null', () => {
    expect(safetyBoundsContent(DRAFT)).toEqual({
      targetSbp: 130,
      targetDbp: 80,
      allowedDrugs: [{ drug: 'lisinopril', minDailyMg: 5, maxDailyMg: 40 }],
      maxAutoIncreaseSteps: null,
      minIncreaseIntervalDays: null,
      confidenceFloor: 0.8,
    });
  });

  it('the signed content names patient, version and rules version with the bounds', () => {
    expect(safetyBoundsSignedContent(row())).toEqual({ patientId: 'p1', version: 3, rulesVersion: DEFAULT_RULES.version, bounds: row().content });
  });

  it('a stored version is usable, signed bounds for the envelope (its version recorded in the decision)', () => {
    const bounds = toEnvelopeBounds(row({ content: safetyBoundsContent({ ...DRAFT, maxAutoIncreaseSteps: 1, minIncreaseIntervalDays: 14 }) }), 'u1');
    expect(bounds).toMatchObject({ version: '3', maxAutoIncreaseSteps: 1, minIncreaseIntervalDays: 14, signedBy: 'u1' });
    const decision = checkEnvelope(
      {
        now: new Date('2025-06-01T00:00:00Z'),
        patient: { regimen: [{ drug: 'lisinopril', dailyDoseMg: 10 }], bounds, pregnant: false, angioedemaHistory: false, sulfonamideAllergy: false, anuria: false, openAlerts: [], lastIncreaseAt: null },
        proposal: { drug: 'lisinopril', fromMg: 10, toMg: 20, confidence: 0.9 },
      },
      DEFAULT_RULES,
    );
    expect(decision).toMatchObject({ tier: 'AUTO', boundsVersion: '3', rulesVersion: DEFAULT_RULES.version });
  });

  it('leaves absent optionals absent so the rules defaults apply', () => {
    const bounds = toEnvelopeBounds(row(), 'u1');
    expect('maxAutoIncreaseSteps' in bounds).toBe(false);
    expect('minIncreaseIntervalDays' in bounds).toBe(false);
  });
});
