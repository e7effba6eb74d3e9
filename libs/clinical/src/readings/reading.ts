import { DeviceKind, SymptomCode } from '../vocabulary';

/** One blood-pressure reading, already converted to mm[Hg]. */
export interface BpReading {
  readonly id: string;
  readonly patientId: string;
  readonly takenAt: Date;
  readonly sbp: number;
  readonly dbp: number;
  readonly heartRate?: number | null;
  readonly device: { readonly kind: DeviceKind; readonly validated: boolean };
  /** Marked in error by a person (with an audited reason); kept, never used. */
  readonly enteredInError?: boolean;
  /** Symptoms the patient reported with this reading. */
  readonly reportedSymptoms?: readonly SymptomCode[];
}
