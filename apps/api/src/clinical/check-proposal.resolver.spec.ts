import { describe, expect, it } from 'vitest';
import { ClinicalError } from '@clinloop/clinical';
import type { CheckProposalInput } from './check-proposal.model';
import { checkProposalInput } from './check-proposal.resolver';

function input(overrides: { proposal?: Partial<CheckProposalInput['proposal']>; patient?: Partial<CheckProposalInput['patient']> } = {}): CheckProposalInput {
  return {
    now: new Date('2025-06-01T12:00:00Z'),
    patient: {
      regimen: [{ drug: 'lisinopril', dailyDoseMg: 10 }],
      bounds: {
        version: 'b7',
        targetSbp: 130,
        targetDbp: 80,
        allowedDrugs: [{ drug: 'lisinopril', minDailyMg: 5, maxDailyMg: 40 }],
        maxAutoIncreaseSteps: null,
        minIncreaseIntervalDays: null,
        confidenceFloor: 0.8,
        signedAt: new Date('2025-05-01T00:00:00Z'),
        signedBy: 'dr.rivera',
      },
      pregnant: false,
      angioedemaHistory: false,
      sulfonamideAllergy: false,
      anuria: false,
      openAlerts: [],
      lastIncreaseAt: null,
      ...overrides.patient,
    },
    proposal: { drug: 'lisinopril', fromMg: 10, toMg: 20, confidence: 0.9, ...overrides.proposal },
  };
}

describe('checkProposal (GraphQL input to the envelope)', () => {
  it('routes a one-step increase within signed bounds AUTO, with the versions used (null optionals read as absent)', () => {
    expect(checkProposalInput(input())).toMatchObject({ tier: 'AUTO', urgent: false, rulesVersion: 'acc-aha-2017.1', boundsVersion: 'b7' });
  });

  it('without bounds a change goes to review, naming the rule', () => {
    const decision = checkProposalInput(input({ patient: { bounds: null } }));
    expect(decision.tier).toBe('REVIEW');
    expect(decision.reasons.map((reason) => reason.rule)).toContain('REVIEW_NO_SIGNED_BOUNDS');
  });

  it('an increase during an open hypotension alert, or on a stale regimen, is blocked naming its rule', () => {
    expect(checkProposalInput(input({ patient: { openAlerts: [{ condition: 'PERSISTENT_HYPOTENSION', severity: 'HIGH' }] } }))).toMatchObject({
      tier: 'BLOCKED',
      reasons: [expect.objectContaining({ rule: 'BLOCK_INCREASE_DURING_HYPOTENSION' })],
    });
    expect(checkProposalInput(input({ proposal: { fromMg: 5 } }))).toMatchObject({ tier: 'BLOCKED', reasons: [expect.objectContaining({ rule: 'BLOCK_REGIMEN_MISMATCH' })] });
  });

  it('refuses what the envelope schema refuses, naming the field', () => {
    expect(() => checkProposalInput(input({ proposal: { confidence: 2 } }))).toThrow(ClinicalError);
    expect(() => checkProposalInput(input({ patient: { bounds: undefined } }))).toThrow(/patient\.bounds/);
    expect(() => checkProposalInput(input({ patient: { lastIncreaseAt: undefined } }))).toThrow(/patient\.lastIncreaseAt/);
    expect(() => checkProposalInput(input({ patient: { regimen: [{ drug: 'lisinopril', dailyDoseMg: 10 }, { drug: 'Lisinopril', dailyDoseMg: 20 }] } }))).toThrow(/patient\.regimen\.\[?1\]?\.drug|listed more than once/);
  });
});
