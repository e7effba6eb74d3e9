import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/**
 * Formulary hard limits: no clinician bounds may exceed them. Versioned and append-only: a change is
 * a new row with a higher version, never an update.
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
}
