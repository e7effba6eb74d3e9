import { describe, expect, it } from 'vitest';
import { checkEnvelope, DEFAULT_FORMULARY, DEFAULT_RULES, findFormularyEntry, validateBounds } from '@clinloop/clinical';
import { effectiveFormulary, rulesWithFormulary, type FormularyDrugRow } from './effective-formulary';

/** The seeded version 1 rows, as PostgreSQL returns them (numerics as text, empty notes). */
const SEEDED: FormularyDrugRow[] = DEFAULT_FORMULARY.entries.map((entry) => ({
  drug: entry.drug,
  version: 1,
  drugClass: entry.drugClass,
  stepsMg: entry.stepsMgPerDay.map(String),
  maxDailyMg: String(entry.maxDailyMg),
  note: entry.note ?? '',
  source: entry.source,
}));

const row = (drug: string, overrides: Partial<FormularyDrugRow>): FormularyDrugRow => ({ ...(SEEDED.find((seeded) => seeded.drug === drug) as FormularyDrugRow), ...overrides });
const replaced = (changed: FormularyDrugRow): FormularyDrugRow[] => SEEDED.map((seeded) => (seeded.drug === changed.drug ? changed : seeded));

describe('effectiveFormulary: the database versions as the clinical formulary', () => {
  it('maps the seeded rows to exactly the built-in entries, naming every row version used', () => {
    const { formulary, skipped } = effectiveFormulary(SEEDED);
    expect(skipped).toEqual([]);
    expect(formulary.version).toBe('formulary-db:amlodipine@1,chlorthalidone@1,hydrochlorothiazide@1,lisinopril@1,losartan@1');
    expect([...formulary.entries].sort((a, b) => a.drug.localeCompare(b.drug))).toEqual([...DEFAULT_FORMULARY.entries].sort((a, b) => a.drug.localeCompare(b.drug)));
  });

  const cases: { name: string; rows: FormularyDrugRow[]; version: string; lisinopril: { steps: number[]; max: number } | undefined; skipped: { drug: string; version: number; reason: RegExp }[] }[] = [
    {
      name: 'a signed change lowering lisinopril to 20 mg/day',
      rows: replaced(row('lisinopril', { version: 2, stepsMg: ['5', '10', '20'], maxDailyMg: '20' })),
      version: 'formulary-db:amlodipine@1,chlorthalidone@1,hydrochlorothiazide@1,lisinopril@2,losartan@1',
      lisinopril: { steps: [5, 10, 20], max: 20 },
      skipped: [],
    },
    {
      name: 'a drug the clinical rules cannot classify is skipped, not usable',
      rows: [...SEEDED, { drug: 'atenolol', version: 1, drugClass: 'beta blocker', stepsMg: ['25', '50'], maxDailyMg: '50', note: '', source: 'x' }],
      version: 'formulary-db:amlodipine@1,chlorthalidone@1,hydrochlorothiazide@1,lisinopril@1,losartan@1',
      lisinopril: { steps: [5, 10, 20, 40], max: 40 },
      skipped: [{ drug: 'atenolol', version: 1, reason: /no therapeutic class for atenolol/ }],
    },
    {
      name: 'a stored class that contradicts the rules\' class is skipped',
      rows: replaced(row('lisinopril', { version: 3, drugClass: 'ARB' })),
      version: 'formulary-db:amlodipine@1,chlorthalidone@1,hydrochlorothiazide@1,losartan@1',
      lisinopril: undefined,
      skipped: [{ drug: 'lisinopril', version: 3, reason: /class 'ARB' differs/ }],
    },
    {
      name: 'unordered steps are skipped',
      rows: replaced(row('lisinopril', { version: 2, stepsMg: ['10', '5'], maxDailyMg: '5' })),
      version: 'formulary-db:amlodipine@1,chlorthalidone@1,hydrochlorothiazide@1,losartan@1',
      lisinopril: undefined,
      skipped: [{ drug: 'lisinopril', version: 2, reason: /strictly ascending/ }],
    },
    {
      name: 'a maximum other than the top step is skipped',
      rows: replaced(row('lisinopril', { version: 2, maxDailyMg: '80' })),
      version: 'formulary-db:amlodipine@1,chlorthalidone@1,hydrochlorothiazide@1,losartan@1',
      lisinopril: undefined,
      skipped: [{ drug: 'lisinopril', version: 2, reason: /maximum 80 mg\/day is not the top dose step 40/ }],
    },
    {
      name: 'a built-in drug absent from the database is not in the effective formulary',
      rows: SEEDED.filter((seeded) => seeded.drug !== 'lisinopril'),
      version: 'formulary-db:amlodipine@1,chlorthalidone@1,hydrochlorothiazide@1,losartan@1',
      lisinopril: undefined,
      skipped: [],
    },
  ];

  it.each(cases)('$name', ({ rows, version, lisinopril, skipped }) => {
    const result = effectiveFormulary(rows);
    expect(result.formulary.version).toBe(version);
    const entry = findFormularyEntry(result.formulary, 'lisinopril');
    expect(entry && { steps: entry.stepsMgPerDay, max: entry.maxDailyMg }).toEqual(lisinopril);
    if (entry) expect(entry.therapeuticClass).toBe('ACE_INHIBITOR');
    expect(result.skipped.map(({ drug, version }) => ({ drug, version }))).toEqual(skipped.map(({ drug, version }) => ({ drug, version })));
    result.skipped.forEach((actual, index) => expect(actual.reason).toMatch(skipped[index]?.reason ?? /^$/));
  });
});

describe('rulesWithFormulary: what the envelope and bounds validation enforce', () => {
  const lowered = effectiveFormulary(replaced(row('lisinopril', { version: 2, stepsMg: ['5', '10', '20'], maxDailyMg: '20' }))).formulary;
  const rules = rulesWithFormulary(lowered);

  it('keeps the other rules and names the formulary version in the rules version', () => {
    expect(rules).toEqual({ ...DEFAULT_RULES, version: `${DEFAULT_RULES.version}+${lowered.version}`, formulary: lowered });
  });

  it('bounds above the lowered maximum are refused; the envelope blocks an increase above it', () => {
    const bounds = { version: '1', targetSbp: 130, targetDbp: 80, allowedDrugs: [{ drug: 'lisinopril', minDailyMg: 5, maxDailyMg: 40 }], confidenceFloor: 0.8, signedAt: new Date('2025-05-01T00:00:00Z'), signedBy: 'dr' };
    expect(validateBounds(bounds, DEFAULT_RULES.formulary).valid).toBe(true);
    expect(validateBounds(bounds, rules.formulary)).toMatchObject({ valid: false, problems: [{ field: 'allowedDrugs[0].maxDailyMg' }] });
    const input = {
      now: new Date('2025-06-01T12:00:00Z'),
      patient: { regimen: [{ drug: 'lisinopril', dailyDoseMg: 20 }], bounds, pregnant: false, angioedemaHistory: false, sulfonamideAllergy: false, anuria: false, openAlerts: [], lastIncreaseAt: null },
      proposal: { drug: 'lisinopril', fromMg: 20, toMg: 40, confidence: 0.9 },
    };
    expect(checkEnvelope(input, DEFAULT_RULES).tier).not.toBe('BLOCKED');
    const decision = checkEnvelope(input, rules);
    expect(decision.tier).toBe('BLOCKED');
    expect(decision.reasons.map((reason) => reason.rule)).toContain('BLOCK_ABOVE_FORMULARY_MAX');
    expect(decision.rulesVersion).toBe(rules.version);
  });
});
