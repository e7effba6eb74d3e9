/**
 * Property tests of the safety envelope against an ORACLE written separately from the code
 * under test: its own copy of the formulary and contraindications (from clinical-rules.md), its
 * own step count, and a plain ordered decision table. It imports nothing from the envelope but
 * the function under test.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES } from '../rules';
import { checkEnvelope, EnvelopeInput } from './envelope';

const NOW = new Date('2025-06-01T12:00:00.000Z');
const DAY_MS = 86_400_000;
const RUNS = { numRuns: 2000 };

// ---- The oracle ------------------------------------------------------------------------------

type OracleClass = 'ACEI' | 'ARB' | 'CCB' | 'THIAZIDE';
/** clinical-rules.md "Formulary hard limits", copied by hand. */
const ORACLE_FORMULARY: Record<string, { cls: OracleClass; ladder: number[]; max: number }> = {
  lisinopril: { cls: 'ACEI', ladder: [5, 10, 20, 40], max: 40 },
  losartan: { cls: 'ARB', ladder: [25, 50, 100], max: 100 },
  amlodipine: { cls: 'CCB', ladder: [2.5, 5, 10], max: 10 },
  hydrochlorothiazide: { cls: 'THIAZIDE', ladder: [12.5, 25, 50], max: 50 },
  chlorthalidone: { cls: 'THIAZIDE', ladder: [12.5, 25], max: 25 },
};
const DEFAULT_INTERVAL_DAYS = 14;
const DEFAULT_AUTO_STEPS = 1;

const key = (drug: string): string => drug.trim().toLowerCase();

/** Steps = distance between the two doses in the sorted set {ladder, from, to}. */
function oracleSteps(ladder: number[], from: number, to: number): number {
  const points = [...new Set([...ladder, from, to])].sort((a, b) => a - b);
  return Math.abs(points.indexOf(to) - points.indexOf(from));
}

function oracleBoundsValid(bounds: NonNullable<EnvelopeInput['patient']['bounds']>): boolean {
  const names = bounds.allowedDrugs.map((allowed) => key(allowed.drug));
  return (
    bounds.version.trim() !== '' &&
    bounds.targetSbp > bounds.targetDbp &&
    bounds.targetDbp > 0 &&
    bounds.confidenceFloor >= 0 &&
    bounds.confidenceFloor <= 1 &&
    (bounds.maxAutoIncreaseSteps === undefined ||
      (Number.isInteger(bounds.maxAutoIncreaseSteps) && bounds.maxAutoIncreaseSteps >= 0)) &&
    (bounds.minIncreaseIntervalDays === undefined || bounds.minIncreaseIntervalDays >= 0) &&
    new Set(names).size === names.length &&
    bounds.allowedDrugs.every((allowed) => {
      const entry = ORACLE_FORMULARY[key(allowed.drug)];
      return (
        entry !== undefined &&
        allowed.minDailyMg >= 0 &&
        allowed.maxDailyMg > 0 &&
        allowed.minDailyMg <= allowed.maxDailyMg &&
        allowed.maxDailyMg <= entry.max
      );
    })
  );
}

interface Facts {
  kind: 'start' | 'stop' | 'up' | 'down' | 'same';
  current: number;
  to: number;
  entry: (typeof ORACLE_FORMULARY)[string] | undefined;
  steps: number | null;
  stale: boolean;
  contraindicated: boolean;
  bounds: NonNullable<EnvelopeInput['patient']['bounds']> | null;
  allowed: { minDailyMg: number; maxDailyMg: number } | undefined;
  tooSoon: boolean;
  hypotensionOpen: boolean;
  confidence: number;
}

function oracleContraindicated(input: EnvelopeInput): boolean {
  const drug = key(input.proposal.drug);
  const entry = ORACLE_FORMULARY[drug];
  if (!entry || input.proposal.toMg === 0) return false;
  const otherClasses = input.patient.regimen
    .filter((item) => key(item.drug) !== drug)
    .map((item) => ORACLE_FORMULARY[key(item.drug)]?.cls);
  const { cls } = entry;
  return (
    (cls === 'ACEI' && otherClasses.includes('ARB')) ||
    (cls === 'ARB' && otherClasses.includes('ACEI')) ||
    otherClasses.includes(cls) ||
    (cls === 'ACEI' && input.patient.angioedemaHistory) ||
    ((cls === 'ACEI' || cls === 'ARB') && input.patient.pregnant) ||
    (cls === 'THIAZIDE' && (input.patient.sulfonamideAllergy || input.patient.anuria))
  );
}

function factsOf(input: EnvelopeInput): Facts {
  const { patient, proposal } = input;
  const drug = key(proposal.drug);
  const current = patient.regimen.find((item) => key(item.drug) === drug)?.dailyDoseMg ?? 0;
  const to = proposal.toMg;
  const kind: Facts['kind'] =
    to === current ? 'same' : current === 0 ? 'start' : to === 0 ? 'stop' : to > current ? 'up' : 'down';
  const entry = ORACLE_FORMULARY[drug];
  const raw = patient.bounds;
  const signed = raw !== null && !!raw.signedBy && !!raw.signedAt && raw.signedAt <= input.now;
  const bounds = raw !== null && signed && oracleBoundsValid(raw) ? raw : null;
  const goesUp = kind === 'start' || kind === 'up';
  const interval = bounds?.minIncreaseIntervalDays ?? DEFAULT_INTERVAL_DAYS;
  return {
    kind,
    current,
    to,
    entry,
    steps: entry ? oracleSteps(entry.ladder, current, to) : null,
    stale: proposal.fromMg !== current,
    contraindicated: kind !== 'down' && kind !== 'stop' && oracleContraindicated(input),
    bounds,
    allowed: bounds?.allowedDrugs.find((allowed) => key(allowed.drug) === drug),
    tooSoon:
      goesUp &&
      patient.lastIncreaseAt !== null &&
      input.now.getTime() - patient.lastIncreaseAt.getTime() < interval * DAY_MS,
    hypotensionOpen:
      goesUp && patient.openAlerts.some((alert) => alert.condition === 'PERSISTENT_HYPOTENSION'),
    confidence: proposal.confidence,
  };
}

const goesUp = (f: Facts): boolean => f.kind === 'start' || f.kind === 'up';

/** clinical-rules.md "Safety envelope and tiers" as an ordered table: the first row that matches decides. */
const DECISION_TABLE: { tier: 'BLOCKED' | 'REVIEW' | 'AUTO'; when: (f: Facts) => boolean }[] = [
  { tier: 'BLOCKED', when: (f) => f.stale },
  { tier: 'BLOCKED', when: (f) => f.contraindicated },
  { tier: 'BLOCKED', when: (f) => !f.entry || f.to > f.entry.max },
  {
    tier: 'BLOCKED',
    when: (f) => goesUp(f) && f.bounds !== null && (!f.allowed || f.to > f.allowed.maxDailyMg),
  },
  { tier: 'BLOCKED', when: (f) => f.tooSoon },
  { tier: 'BLOCKED', when: (f) => f.hypotensionOpen },
  { tier: 'REVIEW', when: (f) => f.bounds === null },
  { tier: 'REVIEW', when: (f) => f.kind === 'start' || f.kind === 'stop' || f.kind === 'same' },
  { tier: 'REVIEW', when: (f) => (f.steps ?? 0) > 1 },
  { tier: 'REVIEW', when: (f) => f.bounds !== null && f.confidence < f.bounds.confidenceFloor },
  { tier: 'REVIEW', when: (f) => !f.allowed || f.to > f.allowed.maxDailyMg || f.to < f.allowed.minDailyMg },
  { tier: 'REVIEW', when: (f) => !f.entry?.ladder.includes(f.to) },
  {
    tier: 'REVIEW',
    when: (f) => f.kind === 'up' && (f.steps ?? 0) > (f.bounds?.maxAutoIncreaseSteps ?? DEFAULT_AUTO_STEPS),
  },
  { tier: 'AUTO', when: (f) => f.kind === 'up' || (f.kind === 'down' && f.steps === 1) },
];

function oracle(input: EnvelopeInput): { tier: 'BLOCKED' | 'REVIEW' | 'AUTO'; urgent: boolean } {
  const facts = factsOf(input);
  const row = DECISION_TABLE.find((candidate) => candidate.when(facts));
  return {
    tier: row?.tier ?? 'REVIEW',
    urgent: (facts.kind === 'down' || facts.kind === 'stop') && (facts.steps ?? 0) > 1,
  };
}

// ---- Generators ------------------------------------------------------------------------------
// Biased toward plausible cases (ladder doses, neighbouring rungs, signed bounds covering the
// regimen, rare contraindications) so that every tier and rule is reached often; fully random
// values are mixed in for the edges.

const FORMULARY_DRUGS = Object.keys(ORACLE_FORMULARY);
const ODD_DOSES = [7, 15, 30, 60, 80, 150];
const ladderOf = (drug: string): number[] => ORACLE_FORMULARY[key(drug)]?.ladder ?? [25, 50, 100];

const drugArb = fc
  .tuple(
    fc.oneof(
      { weight: 12, arbitrary: fc.constantFrom(...FORMULARY_DRUGS) },
      { weight: 1, arbitrary: fc.constant('metoprolol') },
    ),
    fc.constantFrom('plain', 'plain', 'plain', 'upper', 'padded'),
  )
  .map(([drug, style]) => (style === 'upper' ? drug.toUpperCase() : style === 'padded' ? ` ${drug} ` : drug));
const usually = fc.oneof(
  { weight: 3, arbitrary: fc.constant(true) },
  { weight: 1, arbitrary: fc.constant(false) },
);
const rarely = fc.oneof(
  { weight: 5, arbitrary: fc.constant(false) },
  { weight: 1, arbitrary: fc.constant(true) },
);
const instantArb = (minDays: number, maxDays: number) =>
  fc
    .integer({ min: minDays * 24, max: maxDays * 24 })
    .map((hours) => new Date(NOW.getTime() + hours * 3_600_000));
const doseFor = (drug: string) =>
  fc.oneof(
    { weight: 5, arbitrary: fc.constantFrom(...ladderOf(drug)) },
    { weight: 1, arbitrary: fc.constantFrom(...ODD_DOSES) },
  );

const regimenArb = fc
  .uniqueArray(drugArb, { maxLength: 3, selector: key })
  .chain((drugs) =>
    fc.tuple(...drugs.map((drug) => doseFor(drug).map((dailyDoseMg) => ({ drug, dailyDoseMg })))),
  );

type Bounds = NonNullable<EnvelopeInput['patient']['bounds']>;

const allowedDrugArb = (drug: string) =>
  fc
    .record({
      low: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 2, arbitrary: doseFor(drug) }),
      high: fc.oneof(
        { weight: 3, arbitrary: fc.constant(ladderOf(drug).at(-1) ?? 0) },
        { weight: 2, arbitrary: doseFor(drug) },
      ),
    })
    .map(({ low, high }) => ({ drug, minDailyMg: Math.min(low, high), maxDailyMg: Math.max(low, high) }));

/** Signed bounds that mostly cover the regimen's drugs (and some others), mostly within the formulary. */
const boundsArb = (regimenDrugs: string[]): fc.Arbitrary<Bounds> =>
  fc.record({
    version: fc.constant('bounds-prop'),
    targetSbp: fc.constant(130),
    targetDbp: fc.constant(80),
    allowedDrugs: fc
      .tuple(
        fc.subarray(regimenDrugs, { minLength: Math.max(0, regimenDrugs.length - 1) }),
        fc.subarray(FORMULARY_DRUGS),
      )
      .chain(([covered, extra]) => {
        const drugs = [...new Map([...covered, ...extra].map((drug) => [key(drug), drug])).values()];
        return fc.tuple(...drugs.map(allowedDrugArb));
      }),
    maxAutoIncreaseSteps: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
    minIncreaseIntervalDays: fc.option(fc.integer({ min: 0, max: 40 }), { nil: undefined }),
    confidenceFloor: fc.oneof(fc.constant(0), fc.constant(0.5), fc.double({ min: 0, max: 1, noNaN: true })),
    signedAt: fc.oneof(
      { weight: 8, arbitrary: instantArb(-90, -1) },
      { weight: 1, arbitrary: fc.constant(undefined) },
      { weight: 1, arbitrary: instantArb(1, 2) },
    ),
    signedBy: fc.oneof(
      { weight: 8, arbitrary: fc.constant('dr-lee') },
      { weight: 1, arbitrary: fc.constant(undefined) },
    ),
  });

const roughInputArb: fc.Arbitrary<EnvelopeInput> = fc
  .record({
    regimen: regimenArb,
    pregnant: rarely,
    angioedemaHistory: rarely,
    sulfonamideAllergy: rarely,
    anuria: rarely,
    openAlerts: fc.oneof(
      { weight: 4, arbitrary: fc.constant([]) },
      {
        weight: 1,
        arbitrary: fc.subarray([
          { condition: 'PERSISTENT_HYPOTENSION' as const, severity: 'HIGH' as const },
          { condition: 'HYPERTENSIVE_CRISIS' as const, severity: 'CRITICAL' as const },
        ]),
      },
    ),
    lastIncreaseAt: fc.option(instantArb(-40, 0), { nil: null, freq: 5 }),
  })
  .chain((partial) =>
    fc
      .option(boundsArb(partial.regimen.map((item) => item.drug)), { nil: null, freq: 6 })
      .map((bounds) => ({ ...partial, bounds })),
  )
  .chain((patient) => {
    const regimenDrug =
      patient.regimen.length > 0 ? fc.constantFrom(...patient.regimen.map((item) => item.drug)) : drugArb;
    return fc
      .record({ drug: fc.oneof({ weight: 3, arbitrary: regimenDrug }, { weight: 1, arbitrary: drugArb }) })
      .chain(({ drug }) => {
        const current = patient.regimen.find((item) => key(item.drug) === key(drug))?.dailyDoseMg ?? 0;
        const rungs = [0, ...ladderOf(drug)];
        const position = rungs.indexOf(current);
        const neighbours =
          position < 0 ? rungs : rungs.filter((_, index) => Math.abs(index - position) === 1);
        return fc
          .record({
            toMg: fc.oneof(
              { weight: 4, arbitrary: fc.constantFrom(...neighbours) },
              { weight: 2, arbitrary: doseFor(drug) },
              { weight: 1, arbitrary: fc.constant(0) },
            ),
            confidence: fc.double({ min: 0, max: 1, noNaN: true }),
            fromMg: fc.oneof(
              { weight: 8, arbitrary: fc.constant(current) },
              { weight: 1, arbitrary: fc.oneof(fc.constant(0), doseFor(drug)) },
            ),
          })
          .map((proposal) => ({ now: NOW, patient, proposal: { drug, ...proposal } }));
      });
  });

/** The rough input with some of its hurdles taken away, so AUTO and the boundaries near it come up often. */
const nearAutoInputArb: fc.Arbitrary<EnvelopeInput> = roughInputArb.chain((input) =>
  fc
    .record({ openBounds: usually, clearFlags: usually, longAgo: usually, confident: usually })
    .map(({ openBounds, clearFlags, longAgo, confident }) => ({
      ...input,
      patient: {
        ...input.patient,
        bounds: openBounds
          ? {
              version: 'bounds-open',
              targetSbp: 130,
              targetDbp: 80,
              allowedDrugs: FORMULARY_DRUGS.map((drug) => ({
                drug,
                minDailyMg: 0,
                maxDailyMg: ORACLE_FORMULARY[drug]?.max ?? 0,
              })),
              confidenceFloor: 0.5,
              signedAt: new Date(NOW.getTime() - 30 * DAY_MS),
              signedBy: 'dr-lee',
            }
          : input.patient.bounds,
        ...(clearFlags
          ? {
              pregnant: false,
              angioedemaHistory: false,
              sulfonamideAllergy: false,
              anuria: false,
              openAlerts: [],
            }
          : {}),
        lastIncreaseAt: longAgo ? new Date(NOW.getTime() - 20 * DAY_MS) : input.patient.lastIncreaseAt,
      },
      proposal: {
        ...input.proposal,
        confidence: confident ? 0.5 + input.proposal.confidence / 2 : input.proposal.confidence,
      },
    })),
);

const inputArb = fc.oneof(roughInputArb, nearAutoInputArb);

// ---- Properties ------------------------------------------------------------------------------

const rules = DEFAULT_RULES;
const isLowering = (input: EnvelopeInput): boolean => {
  const facts = factsOf(input);
  return facts.kind === 'down' || facts.kind === 'stop';
};

describe('safety envelope properties (oracle written separately)', () => {
  it('agrees with the oracle on tier and urgency', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const decision = checkEnvelope(input, rules);
        expect({ tier: decision.tier, urgent: decision.urgent }).toEqual(oracle(input));
      }),
      RUNS,
    );
  });

  it('never gives AUTO to a proposal outside the signed bounds or the formulary', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        if (checkEnvelope(input, rules).tier !== 'AUTO') return;
        const facts = factsOf(input);
        expect(facts.entry).toBeDefined();
        expect(facts.entry?.ladder.includes(facts.to)).toBe(true);
        expect(facts.to).toBeLessThanOrEqual(facts.entry?.max ?? -1);
        expect(facts.bounds).not.toBeNull();
        expect(facts.allowed).toBeDefined();
        expect(facts.to).toBeLessThanOrEqual(facts.allowed?.maxDailyMg ?? -1);
        expect(facts.to).toBeGreaterThanOrEqual(facts.allowed?.minDailyMg ?? Infinity);
        expect(facts.confidence).toBeGreaterThanOrEqual(facts.bounds?.confidenceFloor ?? Infinity);
        expect(facts.stale).toBe(false);
      }),
      RUNS,
    );
  });

  it('blocks everything contraindicated unless it lowers or stops the offending drug', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        fc.pre(oracleContraindicated(input) && !isLowering(input));
        expect(checkEnvelope(input, rules).tier).toBe('BLOCKED');
      }),
      { ...RUNS, numRuns: 500 },
    );
  });

  it('never blocks a decrease or a stop for timing (or an open hypotension alert)', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        fc.pre(isLowering(input));
        const justIncreased: EnvelopeInput = {
          ...input,
          patient: {
            ...input.patient,
            lastIncreaseAt: NOW,
            openAlerts: [{ condition: 'PERSISTENT_HYPOTENSION', severity: 'HIGH' }],
          },
        };
        const neverIncreased: EnvelopeInput = {
          ...input,
          patient: { ...input.patient, lastIncreaseAt: null, openAlerts: [] },
        };
        const strained = checkEnvelope(justIncreased, rules);
        expect(strained.reasons.map((reason) => reason.rule)).not.toContain('BLOCK_INCREASE_TOO_SOON');
        expect(strained.tier).toBe(checkEnvelope(neverIncreased, rules).tier);
      }),
      { ...RUNS, numRuns: 1000 },
    );
  });

  it('names the rule of every BLOCKED decision', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const decision = checkEnvelope(input, rules);
        expect(decision.reasons.length).toBeGreaterThan(0);
        if (decision.tier !== 'BLOCKED') return;
        for (const reason of decision.reasons) {
          expect(reason.rule).toMatch(/^BLOCK_[A-Z_]+$/);
          expect(reason.message.length).toBeGreaterThan(0);
        }
      }),
      RUNS,
    );
  });

  it('does not depend on the order of the regimen', () => {
    const shuffled = inputArb.chain((input) =>
      fc
        .shuffledSubarray([...input.patient.regimen], { minLength: input.patient.regimen.length })
        .map((regimen) => [input, { ...input, patient: { ...input.patient, regimen } }] as const),
    );
    fc.assert(
      fc.property(shuffled, ([original, reordered]) => {
        expect(checkEnvelope(reordered, rules)).toEqual(checkEnvelope(original, rules));
      }),
      RUNS,
    );
  });
});
