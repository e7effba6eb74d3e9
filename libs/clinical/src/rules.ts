/**
 * The versioned clinical rules table. Every threshold the clinical core uses is here, as data
 * with its source; logic takes a ClinicalRules parameter and never hard-codes a number.
 * An organisation that changes a value publishes a new table with a new `version`, and every
 * decision records the version it was made under.
 */
import { DEFAULT_FORMULARY, Formulary, TherapeuticClass } from './formulary/formulary';
import {
  AlertCondition,
  AlertSeverity,
  BloodPressure,
  DeviceKind,
  LOINC_DIASTOLIC,
  LOINC_HEART_RATE,
  LOINC_SYSTOLIC,
  ObservationLoinc,
  Symptom,
} from './vocabulary';

interface Sourced {
  /** Where the value comes from, so a reviewer can check it. */
  readonly source: string;
}

export interface PlausibilityRules extends Sourced {
  /** Inclusive physiological range per observation, in the canonical unit. */
  readonly ranges: Readonly<Record<ObservationLoinc, { readonly min: number; readonly max: number }>>;
  /** SBP must exceed DBP by at least this much (mm[Hg]). */
  readonly minPulsePressure: number;
}

export interface UnitRules extends Sourced {
  readonly canonicalUnit: Readonly<Record<ObservationLoinc, string>>;
  /** Accepted units per observation and the factor that converts each to the canonical unit. */
  readonly factorToCanonical: Readonly<Record<ObservationLoinc, Readonly<Record<string, number>>>>;
  /** Converted values are rounded to this many decimals to drop floating-point noise. */
  readonly convertedValueDecimals: number;
}

export interface SessionRules extends Sourced {
  /** Readings taken within this many minutes of a session's first reading belong to it. */
  readonly windowMinutes: number;
}

export interface DecisionDeviceRules extends Sourced {
  /** Only readings from these device kinds count toward decisions; others are supporting data. */
  readonly deviceKinds: readonly DeviceKind[];
  readonly requireValidatedDevice: boolean;
}

/** Lower bounds are inclusive ("from"), crisis bounds exclusive ("above"), as the guideline words them. */
export interface OfficeCategoryRules extends Sourced {
  readonly elevatedSbpFrom: number;
  readonly stage1SbpFrom: number;
  readonly stage1DbpFrom: number;
  readonly stage2SbpFrom: number;
  readonly stage2DbpFrom: number;
  readonly crisisSbpAbove: number;
  readonly crisisDbpAbove: number;
}

export interface HypotensionFlagRules extends Sourced {
  readonly sbpBelow: number;
  readonly dbpBelow: number;
}

export interface HomeThresholdRules extends Sourced {
  /** Office value -> home equivalent (ACC/AHA 2017 Table 11), kept for display and audit. */
  readonly equivalents: readonly { readonly office: BloodPressure; readonly home: BloodPressure }[];
  /** Home category thresholds: the office thresholds mapped through `equivalents`. */
  readonly elevatedSbpFrom: number;
  readonly stage1SbpFrom: number;
  readonly stage1DbpFrom: number;
  readonly stage2SbpFrom: number;
  readonly stage2DbpFrom: number;
  /** At target means SBP below targetSbp and DBP below targetDbp. */
  readonly defaultTarget: { readonly sbp: number; readonly dbp: number };
}

export interface LocalHourRange {
  readonly fromHour: number;
  readonly toHourExclusive: number;
}

export interface HomeSummaryRules extends Sourced {
  readonly windowsDays: readonly number[];
  /** Local-time ranges of the session start that count as morning and evening measurements. */
  readonly morning: LocalHourRange;
  readonly evening: LocalHourRange;
}

export interface EnoughDataRules extends Sourced {
  readonly minValidCuffReadings: number;
  readonly windowDays: number;
}

export interface TitrationRules extends Sourced {
  readonly defaultMinIncreaseIntervalDays: number;
  readonly defaultMaxAutoIncreaseSteps: number;
  /** The envelope sends any change larger than this to review, whatever the bounds say. */
  readonly maxStepsWithoutReview: number;
}

export type PatientConditionFlag = 'pregnant' | 'angioedemaHistory' | 'sulfonamideAllergy' | 'anuria';

interface ContraindicationBase extends Sourced {
  /** Named in every BLOCKED decision this rule causes. */
  readonly id: string;
  readonly description: string;
}

export type ContraindicationRule =
  | (ContraindicationBase & {
      /** Proposing a drug of one class while the regimen holds a drug of the other. */
      readonly kind: 'CLASS_PAIR';
      readonly classes: readonly [TherapeuticClass, TherapeuticClass];
    })
  | (ContraindicationBase & {
      /** Proposing a drug while the regimen holds another drug of the same therapeutic class. */
      readonly kind: 'SAME_CLASS';
    })
  | (ContraindicationBase & {
      readonly kind: 'PATIENT_CONDITION';
      readonly classes: readonly TherapeuticClass[];
      readonly condition: PatientConditionFlag;
    });

export interface CrisisAlertRules extends Sourced {
  /** The patient rests this long before re-measuring; earlier readings are not a re-measure. */
  readonly remeasureAfterMinutes: number;
  /** Without a re-measure by then, or with a confirming one, the care team is alerted. */
  readonly confirmWithinMinutes: number;
  readonly emergencySymptoms: readonly Symptom[];
  readonly severity: AlertSeverity;
}

export interface HypotensionAlertRules extends Sourced {
  readonly sessionMeanSbpBelow: number;
  readonly minSessions: number;
  readonly windowHours: number;
  /** One low session with any of these reported is enough. */
  readonly symptoms: readonly Symptom[];
  /** Session-mean DBP below this (with SBP not low) is a clinician flag, not an alert. */
  readonly diastolicFlagBelow: number;
  readonly severity: AlertSeverity;
}

export interface UncontrolledAlertRules extends Sourced {
  /** Length of the "week" whose home mean is judged. */
  readonly weekDays: number;
  readonly consecutiveWeeks: number;
  readonly severity: AlertSeverity;
}

export interface PregnancyAlertRules extends Sourced {
  readonly classes: readonly TherapeuticClass[];
  readonly severity: AlertSeverity;
}

export interface EscalationRules extends Sourced {
  readonly severities: readonly AlertSeverity[];
  readonly unacknowledgedMinutes: number;
}

export interface FollowUpRules extends Sourced {
  readonly afterChangeOrUncontrolledWeeks: number;
  readonly stage2Weeks: number;
  readonly controlledForMonthsBeforeStable: number;
  readonly stableIntervalMonths: { readonly min: number; readonly max: number };
  /** Alerts that bring the next visit forward to "as soon as possible". */
  readonly bringForwardOn: readonly AlertCondition[];
}

export interface LabCheckRules extends Sourced {
  readonly classes: readonly TherapeuticClass[];
  readonly tests: readonly string[];
  readonly afterDays: { readonly earliest: number; readonly latest: number };
}

export interface ClinicalRules {
  readonly version: string;
  readonly formulary: Formulary;
  readonly plausibility: PlausibilityRules;
  readonly units: UnitRules;
  readonly sessions: SessionRules;
  readonly decisionDevices: DecisionDeviceRules;
  readonly officeCategories: OfficeCategoryRules;
  readonly hypotensionFlag: HypotensionFlagRules;
  readonly homeThresholds: HomeThresholdRules;
  readonly homeSummary: HomeSummaryRules;
  readonly enoughData: EnoughDataRules;
  readonly titration: TitrationRules;
  readonly contraindications: readonly ContraindicationRule[];
  readonly crisisAlert: CrisisAlertRules;
  readonly hypotensionAlert: HypotensionAlertRules;
  readonly uncontrolledAlert: UncontrolledAlertRules;
  readonly pregnancyAlert: PregnancyAlertRules;
  readonly escalation: EscalationRules;
  readonly followUp: FollowUpRules;
  readonly labChecks: LabCheckRules;
}

const ACC_AHA_2017 = 'ACC/AHA 2017 (Whelton et al., Hypertension 2018;71:e13-e115)';
const RULES_DOC = 'clinical-rules.md';

export const DEFAULT_RULES: ClinicalRules = {
  version: 'acc-aha-2017.1',
  formulary: DEFAULT_FORMULARY,
  plausibility: {
    ranges: {
      [LOINC_SYSTOLIC]: { min: 50, max: 300 },
      [LOINC_DIASTOLIC]: { min: 20, max: 200 },
      [LOINC_HEART_RATE]: { min: 20, max: 250 },
    },
    minPulsePressure: 10,
    source: `${RULES_DOC} "Readings" (plausible ranges; outside = artifact)`,
  },
  units: {
    canonicalUnit: { [LOINC_SYSTOLIC]: 'mm[Hg]', [LOINC_DIASTOLIC]: 'mm[Hg]', [LOINC_HEART_RATE]: '/min' },
    factorToCanonical: {
      [LOINC_SYSTOLIC]: { 'mm[Hg]': 1, mmHg: 1, kPa: 7.50062 },
      [LOINC_DIASTOLIC]: { 'mm[Hg]': 1, mmHg: 1, kPa: 7.50062 },
      [LOINC_HEART_RATE]: { '/min': 1, '{beats}/min': 1 },
    },
    convertedValueDecimals: 2,
    source: `${RULES_DOC} "Readings" (kPa x 7.50062); UCUM unit codes, 'mmHg' accepted as the common device spelling`,
  },
  sessions: {
    windowMinutes: 10,
    source: `${RULES_DOC} "Readings" (a session is the readings of one patient within 10 minutes)`,
  },
  decisionDevices: {
    deviceKinds: ['UPPER_ARM_CUFF'],
    requireValidatedDevice: true,
    source: `${RULES_DOC} "Readings" (validated upper-arm cuffs count; wrist and cuffless do not, ESH 2022)`,
  },
  officeCategories: {
    elevatedSbpFrom: 120,
    stage1SbpFrom: 130,
    stage1DbpFrom: 80,
    stage2SbpFrom: 140,
    stage2DbpFrom: 90,
    crisisSbpAbove: 180,
    crisisDbpAbove: 120,
    source: `${ACC_AHA_2017} office categories; ${RULES_DOC} "Categories of one reading"`,
  },
  hypotensionFlag: {
    sbpBelow: 90,
    dbpBelow: 60,
    source: `${RULES_DOC} "Categories of one reading" (SBP < 90 or DBP < 60 flagged hypotensive)`,
  },
  homeThresholds: {
    equivalents: [
      { office: { sbp: 120, dbp: 80 }, home: { sbp: 120, dbp: 80 } },
      { office: { sbp: 130, dbp: 80 }, home: { sbp: 130, dbp: 80 } },
      { office: { sbp: 140, dbp: 90 }, home: { sbp: 135, dbp: 85 } },
      { office: { sbp: 160, dbp: 100 }, home: { sbp: 145, dbp: 90 } },
    ],
    elevatedSbpFrom: 120,
    stage1SbpFrom: 130,
    stage1DbpFrom: 80,
    stage2SbpFrom: 135,
    stage2DbpFrom: 85,
    defaultTarget: { sbp: 130, dbp: 80 },
    source: `${ACC_AHA_2017} Table 11; ${RULES_DOC} "Home-mean thresholds" (default home target < 130/80)`,
  },
  homeSummary: {
    windowsDays: [7, 14, 30],
    morning: { fromHour: 4, toHourExclusive: 12 },
    evening: { fromHour: 18, toHourExclusive: 24 },
    source:
      'AHA home monitoring (morning before medication, evening before bed); the local-hour ranges are a ClinLoop default',
  },
  enoughData: {
    minValidCuffReadings: 12,
    windowDays: 7,
    source: `${RULES_DOC} "Titration decisions" (>= 12 valid cuff readings over the last 7 days, AHA home monitoring)`,
  },
  titration: {
    defaultMinIncreaseIntervalDays: 14,
    defaultMaxAutoIncreaseSteps: 1,
    maxStepsWithoutReview: 1,
    source: `${RULES_DOC} "Titration decisions" and "Safety envelope and tiers"`,
  },
  contraindications: [
    {
      id: 'BLOCK_CI_ACE_WITH_ARB',
      kind: 'CLASS_PAIR',
      classes: ['ACE_INHIBITOR', 'ARB'],
      description: 'ACE inhibitor together with an ARB',
      source: `${RULES_DOC} "Contraindications"; ${ACC_AHA_2017}`,
    },
    {
      id: 'BLOCK_CI_SAME_CLASS',
      kind: 'SAME_CLASS',
      description: 'two drugs of the same class',
      source: `${RULES_DOC} "Contraindications"`,
    },
    {
      id: 'BLOCK_CI_ACE_ANGIOEDEMA',
      kind: 'PATIENT_CONDITION',
      classes: ['ACE_INHIBITOR'],
      condition: 'angioedemaHistory',
      description: 'ACE inhibitor with a history of angioedema',
      source: `${RULES_DOC} "Contraindications"; lisinopril US label`,
    },
    {
      id: 'BLOCK_CI_PREGNANCY_ACE_ARB',
      kind: 'PATIENT_CONDITION',
      classes: ['ACE_INHIBITOR', 'ARB'],
      condition: 'pregnant',
      description: 'ACE inhibitor or ARB when pregnant',
      source: `${RULES_DOC} "Contraindications"; lisinopril and losartan US labels (boxed warning)`,
    },
    {
      id: 'BLOCK_CI_THIAZIDE_SULFONAMIDE_ALLERGY',
      kind: 'PATIENT_CONDITION',
      classes: ['THIAZIDE_DIURETIC'],
      condition: 'sulfonamideAllergy',
      description: 'thiazide with sulfonamide allergy',
      source: `${RULES_DOC} "Contraindications"; hydrochlorothiazide and chlorthalidone US labels`,
    },
    {
      id: 'BLOCK_CI_THIAZIDE_ANURIA',
      kind: 'PATIENT_CONDITION',
      classes: ['THIAZIDE_DIURETIC'],
      condition: 'anuria',
      description: 'thiazide with anuria',
      source: `${RULES_DOC} "Contraindications"; hydrochlorothiazide and chlorthalidone US labels`,
    },
  ],
  crisisAlert: {
    remeasureAfterMinutes: 5,
    confirmWithinMinutes: 15,
    emergencySymptoms: [
      { code: 'CHEST_PAIN', label: 'chest pain' },
      { code: 'SHORTNESS_OF_BREATH', label: 'shortness of breath' },
      { code: 'BACK_PAIN', label: 'back pain' },
      { code: 'NUMBNESS_OR_WEAKNESS', label: 'numbness or weakness' },
      { code: 'CHANGE_IN_VISION', label: 'change in vision' },
      { code: 'DIFFICULTY_SPEAKING', label: 'difficulty speaking' },
    ],
    severity: 'CRITICAL',
    source: `${RULES_DOC} "Alerts" (hypertensive crisis); ${ACC_AHA_2017} section 11.2`,
  },
  hypotensionAlert: {
    sessionMeanSbpBelow: 90,
    minSessions: 2,
    windowHours: 48,
    symptoms: [
      { code: 'DIZZINESS', label: 'dizziness' },
      { code: 'FAINTING', label: 'fainting' },
    ],
    diastolicFlagBelow: 60,
    severity: 'HIGH',
    source: `${RULES_DOC} "Alerts" (persistent hypotension)`,
  },
  uncontrolledAlert: {
    weekDays: 7,
    consecutiveWeeks: 2,
    severity: 'MEDIUM',
    source: `${RULES_DOC} "Alerts" (persistent uncontrolled); severity MEDIUM is a ClinLoop default (the rule only brings follow-up forward)`,
  },
  pregnancyAlert: {
    classes: ['ACE_INHIBITOR', 'ARB'],
    severity: 'HIGH',
    source: `${RULES_DOC} "Alerts" (pregnancy on an ACE inhibitor or ARB)`,
  },
  escalation: {
    severities: ['CRITICAL'],
    unacknowledgedMinutes: 15,
    source: `${RULES_DOC} "Alerts" (escalated to the next care-team member if not acknowledged in 15 minutes)`,
  },
  followUp: {
    afterChangeOrUncontrolledWeeks: 4,
    stage2Weeks: 2,
    controlledForMonthsBeforeStable: 3,
    stableIntervalMonths: { min: 3, max: 6 },
    bringForwardOn: ['HYPERTENSIVE_CRISIS', 'PERSISTENT_HYPOTENSION', 'PERSISTENT_UNCONTROLLED'],
    source: `${ACC_AHA_2017} follow-up; ${RULES_DOC} "Follow-up scheduling"`,
  },
  labChecks: {
    classes: ['ACE_INHIBITOR', 'ARB', 'THIAZIDE_DIURETIC'],
    tests: ['potassium', 'creatinine'],
    afterDays: { earliest: 14, latest: 28 },
    source: `${RULES_DOC} "Titration decisions" (potassium and creatinine 2-4 weeks after starting or increasing)`,
  },
};
