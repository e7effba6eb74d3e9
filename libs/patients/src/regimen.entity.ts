import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, OneToMany, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { UserEntity } from '@clinloop/organizations';
import { PatientEntity } from './patient.entity';

/**
 * A patient's antihypertensive regimen, versioned: every change is a new version with all its
 * items; the current regimen is the highest version. Nothing is updated in place.
 */
@Entity({ name: 'regimen_versions' })
@Index(['patientId', 'version'], { unique: true })
export class RegimenVersionEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'patient_id', type: 'uuid' })
  patientId!: string;

  @ManyToOne(() => PatientEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'patient_id' })
  patient?: PatientEntity;

  @Column({ type: 'integer' })
  version!: number;

  @Column({ name: 'effective_at', type: 'timestamptz' })
  effectiveAt!: Date;

  @Column({ name: 'recorded_by', type: 'uuid', nullable: true })
  recordedBy!: string | null;

  @ManyToOne(() => UserEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'recorded_by' })
  recorder?: UserEntity;

  @Column({ type: 'text' })
  reason!: string;

  @OneToMany(() => RegimenItemEntity, (item) => item.regimenVersion)
  items?: RegimenItemEntity[];

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

@Entity({ name: 'regimen_items' })
export class RegimenItemEntity {
  @PrimaryColumn({ name: 'regimen_version_id', type: 'uuid' })
  regimenVersionId!: string;

  @PrimaryColumn({ type: 'text' })
  drug!: string;

  @ManyToOne(() => RegimenVersionEntity, (version) => version.items, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'regimen_version_id' })
  regimenVersion?: RegimenVersionEntity;

  @Column({ name: 'daily_dose_mg', type: 'numeric' })
  dailyDoseMg!: string;
}
