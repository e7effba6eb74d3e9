import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { CareTeamEntity, OrganizationEntity } from '@clinloop/organizations';

export const SEXES = ['female', 'male', 'other', 'unknown'] as const;
export type Sex = (typeof SEXES)[number];
export const PREGNANCY_STATUSES = ['pregnant', 'not_pregnant', 'unknown'] as const;
export type PregnancyStatus = (typeof PREGNANCY_STATUSES)[number];

@Entity({ name: 'patients' })
@Index(['organizationId', 'mrn'], { unique: true })
export class PatientEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  @ManyToOne(() => OrganizationEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'organization_id' })
  organization?: OrganizationEntity;

  /** Medical record number, unique within the organization. */
  @Column({ type: 'text' })
  mrn!: string;

  @Column({ name: 'given_name', type: 'text' })
  givenName!: string;

  @Column({ name: 'family_name', type: 'text' })
  familyName!: string;

  /** IANA time zone; morning/evening readings and visit times are judged in it. */
  @Column({ name: 'time_zone', type: 'text' })
  timeZone!: string;

  // Demographics for fairness monitoring: all optional, never used as model inputs by default.
  @Column({ type: 'enum', enum: SEXES, enumName: 'patient_sex', nullable: true })
  sex!: Sex | null;

  @Column({ name: 'birth_year', type: 'smallint', nullable: true })
  birthYear!: number | null;

  @Column({ name: 'race_ethnicity', type: 'text', nullable: true })
  raceEthnicity!: string | null;

  /** Fitzpatrick skin type I-VI as 1-6 (optical wearables can be less accurate on darker skin). */
  @Column({ name: 'fitzpatrick_skin_type', type: 'smallint', nullable: true })
  fitzpatrickSkinType!: number | null;

  // Clinical facts the safety envelope needs.
  @Column({ name: 'pregnancy_status', type: 'enum', enum: PREGNANCY_STATUSES, enumName: 'pregnancy_status', default: 'unknown' })
  pregnancyStatus!: PregnancyStatus;

  @Column({ name: 'ace_inhibitor_angioedema_history', type: 'boolean', default: false })
  aceInhibitorAngioedemaHistory!: boolean;

  @Column({ name: 'sulfonamide_allergy', type: 'boolean', default: false })
  sulfonamideAllergy!: boolean;

  @Column({ type: 'boolean', default: false })
  anuria!: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

@Entity({ name: 'care_team_patients' })
export class CareTeamPatientEntity {
  @PrimaryColumn({ name: 'care_team_id', type: 'uuid' })
  careTeamId!: string;

  @PrimaryColumn({ name: 'patient_id', type: 'uuid' })
  patientId!: string;

  @ManyToOne(() => CareTeamEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'care_team_id' })
  careTeam?: CareTeamEntity;

  @ManyToOne(() => PatientEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'patient_id' })
  patient?: PatientEntity;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
