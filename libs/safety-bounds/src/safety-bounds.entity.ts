import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One version of a patient's clinician-signed safety bounds. Append-only: a new version is a new
 * row (version N+1); the table refuses UPDATE and DELETE by trigger and the application role has
 * neither right (migrations/1795392400000-safety-bounds.ts).
 */
@Entity({ name: 'safety_bounds_versions' })
@Index('safety_bounds_versions_patient_version', ['patientId', 'version'], { unique: true })
export class SafetyBoundsVersionEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  @Column({ name: 'patient_id', type: 'uuid' })
  patientId!: string;

  @Column({ type: 'integer' })
  version!: number;

  /** The bounds as signed (SafetyBoundsContent): exactly what the signature's hash covers. */
  @Column({ type: 'jsonb' })
  content!: SafetyBoundsContent;

  /** Version of the clinical rules table the bounds were validated against. */
  @Column({ name: 'rules_version', type: 'text' })
  rulesVersion!: string;

  @Column({ name: 'authored_by', type: 'uuid' })
  authoredBy!: string;

  @Column({ name: 'signature_id', type: 'uuid' })
  signatureId!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

/** The stored (and signed) form of safety bounds: plain JSON. */
export interface SafetyBoundsContent {
  readonly [key: string]: unknown;
  readonly targetSbp: number;
  readonly targetDbp: number;
  readonly allowedDrugs: readonly { readonly drug: string; readonly minDailyMg: number; readonly maxDailyMg: number }[];
  readonly maxAutoIncreaseSteps: number | null;
  readonly minIncreaseIntervalDays: number | null;
  readonly confidenceFloor: number;
}
