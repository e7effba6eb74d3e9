/**
 * What the patient must be told (shared/design/clinical-rules.md, "Alerts"), kept as data with its
 * source so it can later come from the organization's configuration.
 */
export const EMERGENCY_GUIDANCE = {
  /** Symptoms that, with a high reading, mean calling emergency services at once. */
  symptoms: [
    'Chest pain',
    'Shortness of breath',
    'Back pain',
    'Numbness or weakness',
    'A change in your vision',
    'Difficulty speaking',
  ],
  /** Severe range (hypertensive crisis), ACC/AHA 2017: systolic above 180 and/or diastolic above 120. */
  crisisSystolicAbove: 180,
  crisisDiastolicAbove: 120,
  remeasureAfterMinutes: 5,
  /** The organization's emergency number is not configurable yet; US shown as the example. */
  emergencyNumberExample: '911 in the United States',
  source:
    '2017 ACC/AHA high blood pressure guideline (Whelton et al., Hypertension 2018) and the American Heart Association guidance on hypertensive crisis',
} as const;

export const HOME_MEASUREMENT = {
  before: [
    'No caffeine, exercise or smoking for 30 minutes before measuring.',
    'Empty your bladder, then sit quietly for 5 minutes.',
  ],
  position: [
    'Sit on a chair with your back supported and both feet flat on the floor, legs uncrossed.',
    'Rest your arm on a table so the cuff is at the level of your heart.',
    'Put the cuff on bare skin on your upper arm. Do not talk while it measures.',
  ],
  routine: [
    'Take 2 readings, 1 minute apart.',
    'Do this every morning (before your medicines) and every evening.',
    'Use a validated upper-arm cuff. Wrist and watch readings are not used for dose decisions.',
  ],
  source: 'American Heart Association: home blood pressure monitoring',
} as const;
