/** A valid envelope-check input as JSON (what the CLI reads), for the edge specs. */
export const VALID_INPUT = {
  now: '2025-06-01T12:00:00Z',
  patient: {
    regimen: [{ drug: 'lisinopril', dailyDoseMg: 10 }],
    bounds: {
      version: 'bounds-v3',
      targetSbp: 130,
      targetDbp: 80,
      allowedDrugs: [{ drug: 'lisinopril', minDailyMg: 5, maxDailyMg: 40 }],
      confidenceFloor: 0.7,
      signedAt: '2025-05-01T09:30:00+02:00',
      signedBy: 'dr-lee',
    },
    pregnant: false,
    angioedemaHistory: false,
    sulfonamideAllergy: false,
    anuria: false,
    openAlerts: [],
    lastIncreaseAt: null,
  },
  proposal: { drug: 'lisinopril', fromMg: 10, toMg: 20, confidence: 0.9 },
};
