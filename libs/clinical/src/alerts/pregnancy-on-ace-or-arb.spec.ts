import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES } from '../rules';
import { evaluatePregnancyOnAceOrArb } from './pregnancy-on-ace-or-arb';

const rules = DEFAULT_RULES;
const NOW = new Date('2025-06-01T09:00:00.000Z');

describe('evaluatePregnancyOnAceOrArb', () => {
  it.each`
    pregnant | regimen                                      | alert
    ${true}  | ${[{ drug: 'lisinopril', dailyDoseMg: 10 }]} | ${true}
    ${true}  | ${[{ drug: 'Losartan', dailyDoseMg: 50 }]}   | ${true}
    ${true}  | ${[{ drug: 'amlodipine', dailyDoseMg: 5 }]}  | ${false}
    ${false} | ${[{ drug: 'lisinopril', dailyDoseMg: 10 }]} | ${false}
    ${true}  | ${[]}                                        | ${false}
  `(
    'pregnant=$pregnant on $regimen -> alert $alert',
    ({
      pregnant,
      regimen,
      alert,
    }: {
      pregnant: boolean;
      regimen: { drug: string; dailyDoseMg: number }[];
      alert: boolean;
    }) => {
      const result = evaluatePregnancyOnAceOrArb({ patientId: 'p', pregnant, regimen, now: NOW }, rules);
      expect(result !== null).toBe(alert);
    },
  );

  it('raises a HIGH alert telling the patient to stop and contact the care team', () => {
    const result = evaluatePregnancyOnAceOrArb(
      {
        patientId: 'p',
        pregnant: true,
        regimen: [
          { drug: 'losartan', dailyDoseMg: 50 },
          { drug: 'amlodipine', dailyDoseMg: 5 },
        ],
        now: NOW,
      },
      rules,
    );
    expect(result).toEqual({
      patientId: 'p',
      condition: 'PREGNANCY_ON_ACE_OR_ARB',
      severity: 'HIGH',
      raisedAt: NOW,
      message: 'Pregnant and taking losartan: stop it and contact your care team',
      evidence: { readingIds: [] },
      effects: ['NOTIFY_CARE_TEAM', 'TELL_PATIENT_TO_STOP_AND_CONTACT_CARE_TEAM'],
      rulesVersion: 'acc-aha-2017.1',
    });
  });
});
