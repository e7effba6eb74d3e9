/** Shared clinical vocabulary: codes that several features (and the API/GraphQL edges) speak. */

export const LOINC_BP_PANEL = '85354-9';
export const LOINC_SYSTOLIC = '8480-6';
export const LOINC_DIASTOLIC = '8462-4';
export const LOINC_HEART_RATE = '8867-4';

export const OBSERVATION_LOINCS = [LOINC_SYSTOLIC, LOINC_DIASTOLIC, LOINC_HEART_RATE] as const;
export type ObservationLoinc = (typeof OBSERVATION_LOINCS)[number];

export const OFFICE_BP_CATEGORIES = ['NORMAL', 'ELEVATED', 'STAGE_1', 'STAGE_2', 'CRISIS'] as const;
/** ACC/AHA 2017 category of one reading (office thresholds), in ascending order of severity. */
export type OfficeBpCategory = (typeof OFFICE_BP_CATEGORIES)[number];

export const HOME_BP_CATEGORIES = ['NORMAL', 'ELEVATED', 'STAGE_1', 'STAGE_2'] as const;
/** Category of a home mean, judged with the home-equivalent thresholds. */
export type HomeBpCategory = (typeof HOME_BP_CATEGORIES)[number];

export const DEVICE_KINDS = ['UPPER_ARM_CUFF', 'WRIST_CUFF', 'CUFFLESS_WEARABLE'] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];

export const ALERT_CONDITIONS = [
  'HYPERTENSIVE_CRISIS',
  'PERSISTENT_HYPOTENSION',
  'PERSISTENT_UNCONTROLLED',
  'PREGNANCY_ON_ACE_OR_ARB',
] as const;
export type AlertCondition = (typeof ALERT_CONDITIONS)[number];

/** Ascending: a later entry is worse. De-duplication compares severities by this order. */
export const ALERT_SEVERITIES = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

export function severityRank(severity: AlertSeverity): number {
  return ALERT_SEVERITIES.indexOf(severity);
}

export const SYMPTOM_CODES = [
  'CHEST_PAIN',
  'SHORTNESS_OF_BREATH',
  'BACK_PAIN',
  'NUMBNESS_OR_WEAKNESS',
  'CHANGE_IN_VISION',
  'DIFFICULTY_SPEAKING',
  'DIZZINESS',
  'FAINTING',
] as const;
export type SymptomCode = (typeof SYMPTOM_CODES)[number];

export interface Symptom {
  readonly code: SymptomCode;
  /** Plain words for the patient. */
  readonly label: string;
}

export interface BloodPressure {
  readonly sbp: number;
  readonly dbp: number;
}
