import type { DeviceKind, PregnancyStatus, Sex } from '@clinloop/patients';

/** The demo organization, as data: what `clinloop seed --demo` creates. Fictional people only. */
export const DEMO_ORGANIZATION = { slug: 'demo-clinic', name: 'Demo Hypertension Clinic' } as const;

export interface DemoStaff {
  readonly email: string;
  readonly displayName: string;
  readonly role: 'clinician' | 'auditor' | 'admin';
  readonly formularyPermission?: boolean;
}

export const DEMO_STAFF: readonly DemoStaff[] = [
  { email: 'dr.rivera@demo.clinloop.test', displayName: 'Dr. Ana Rivera', role: 'clinician', formularyPermission: true },
  { email: 'np.okafor@demo.clinloop.test', displayName: 'Chidi Okafor, NP', role: 'clinician' },
  { email: 'dr.chen@demo.clinloop.test', displayName: 'Dr. Wei Chen', role: 'clinician' },
  { email: 'auditor@demo.clinloop.test', displayName: 'Morgan Lee (Compliance)', role: 'auditor' },
  { email: 'admin@demo.clinloop.test', displayName: 'Sam Patel (Admin)', role: 'admin' },
];

/** Care teams by clinician email, in escalation order. */
export const DEMO_CARE_TEAMS: readonly { name: string; members: readonly string[] }[] = [
  { name: 'Hypertension Team A', members: ['dr.rivera@demo.clinloop.test', 'np.okafor@demo.clinloop.test'] },
  { name: 'Hypertension Team B', members: ['dr.chen@demo.clinloop.test', 'dr.rivera@demo.clinloop.test'] },
];

export interface DemoPatient {
  readonly mrn: string;
  readonly givenName: string;
  readonly familyName: string;
  readonly email: string;
  readonly timeZone: string;
  readonly sex: Sex;
  readonly birthYear: number;
  readonly raceEthnicity: string;
  readonly fitzpatrickSkinType: number;
  readonly pregnancyStatus: PregnancyStatus;
  readonly aceInhibitorAngioedemaHistory: boolean;
  readonly sulfonamideAllergy: boolean;
  readonly careTeam: string;
  readonly device: { serial: string; kind: DeviceKind; model: string; validated: boolean };
  readonly regimen: readonly { drug: string; dailyDoseMg: number }[];
  /** Usual morning home reading, around which the 30 days of demo readings are simulated. */
  readonly homeBaseline: { readonly sbp: number; readonly dbp: number; readonly heartRate: number };
}

export const DEMO_PATIENTS: readonly DemoPatient[] = [
  {
    mrn: 'DEMO-0001', givenName: 'Maria', familyName: 'Gonzalez', email: 'maria.gonzalez@demo.clinloop.test',
    timeZone: 'America/Chicago', sex: 'female', birthYear: 1961, raceEthnicity: 'Hispanic or Latino', fitzpatrickSkinType: 4,
    pregnancyStatus: 'not_pregnant', aceInhibitorAngioedemaHistory: false, sulfonamideAllergy: false, careTeam: 'Hypertension Team A',
    device: { serial: 'OMR-BP7450-0001', kind: 'upper_arm_cuff', model: 'Omron BP7450', validated: true },
    regimen: [{ drug: 'lisinopril', dailyDoseMg: 10 }],
    // Above the home target on lisinopril 10 mg: a titration candidate.
    homeBaseline: { sbp: 142, dbp: 88, heartRate: 74 },
  },
  {
    mrn: 'DEMO-0002', givenName: 'James', familyName: 'Walker', email: 'james.walker@demo.clinloop.test',
    timeZone: 'America/New_York', sex: 'male', birthYear: 1955, raceEthnicity: 'Black or African American', fitzpatrickSkinType: 6,
    pregnancyStatus: 'unknown', aceInhibitorAngioedemaHistory: false, sulfonamideAllergy: true, careTeam: 'Hypertension Team A',
    device: { serial: 'WTH-BPM-0002', kind: 'upper_arm_cuff', model: 'Withings BPM Connect', validated: true },
    regimen: [{ drug: 'amlodipine', dailyDoseMg: 5 }],
    // Close to target on amlodipine 5 mg.
    homeBaseline: { sbp: 127, dbp: 77, heartRate: 68 },
  },
  {
    mrn: 'DEMO-0003', givenName: 'Aiko', familyName: 'Tanaka', email: 'aiko.tanaka@demo.clinloop.test',
    timeZone: 'America/Los_Angeles', sex: 'female', birthYear: 1988, raceEthnicity: 'Asian', fitzpatrickSkinType: 3,
    pregnancyStatus: 'pregnant', aceInhibitorAngioedemaHistory: false, sulfonamideAllergy: false, careTeam: 'Hypertension Team B',
    device: { serial: 'OMR-HEM-0003', kind: 'upper_arm_cuff', model: 'Omron HEM-7361T', validated: true },
    regimen: [],
    homeBaseline: { sbp: 134, dbp: 84, heartRate: 82 },
  },
  {
    mrn: 'DEMO-0004', givenName: 'Robert', familyName: 'Miller', email: 'robert.miller@demo.clinloop.test',
    timeZone: 'America/Denver', sex: 'male', birthYear: 1949, raceEthnicity: 'White', fitzpatrickSkinType: 2,
    pregnancyStatus: 'unknown', aceInhibitorAngioedemaHistory: true, sulfonamideAllergy: false, careTeam: 'Hypertension Team B',
    device: { serial: 'GRM-IDX-0004', kind: 'cuffless_wearable', model: 'Garmin Index (cuffless)', validated: false },
    regimen: [{ drug: 'losartan', dailyDoseMg: 50 }, { drug: 'hydrochlorothiazide', dailyDoseMg: 12.5 }],
    // A cuffless wearable: its readings are shown as supporting data and count toward nothing.
    homeBaseline: { sbp: 131, dbp: 79, heartRate: 70 },
  },
];
