import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/**
 * Formulary hard limits: no clinician bounds may exceed them. Versioned and append-only: a change is
 * a new row with a higher version, never an update (UPDATE and DELETE are refused by trigger and not
 * granted to the application role). Rows after version 1 carry who changed them, why, and the
 * e-signature (meaning `approved`) over exactly that row.
 */
@Entity({ name: 'formulary_drugs' })
export class FormularyDrugEntity {
  @PrimaryColumn({ type: 'text' })
  drug!: string;

  @PrimaryColumn({ type: 'integer' })
  version!: number;

  @Column({ name: 'drug_class', type: 'text' })
  drugClass!: string;

  /** Daily dose steps in mg, ascending. */
  @Column({ name: 'steps_mg', type: 'numeric', array: true })
  stepsMg!: string[];

  @Column({ name: 'max_daily_mg', type: 'numeric' })
  maxDailyMg!: string;

  @Column({ type: 'text' })
  note!: string;

  @Column({ type: 'text' })
  source!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  /** The clinician (with the formulary permission) who made this version; null for the seeded rows. */
  @Column({ name: 'changed_by', type: 'uuid', nullable: true })
  changedBy!: string | null;

  @Column({ name: 'change_reason', type: 'text', nullable: true })
  changeReason!: string | null;

  /** The electronic signature (meaning `approved`) bound to this version; null for the seeded rows. */
  @Column({ name: 'signature_id', type: 'uuid', nullable: true })
  signatureId!: string | null;
}
