import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { AlertCondition, AlertSeverity } from '@clinloop/clinical';

/**
 * A persisted clinical alert. Open while `resolvedAt` is null; at most one open alert per patient
 * and condition (AlertsService de-duplicates under the patient's row lock). Every change is audited.
 */
@Entity({ name: 'alerts' })
@Index('alerts_patient_condition', ['patientId', 'condition'])
export class AlertEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  @Column({ name: 'patient_id', type: 'uuid' })
  patientId!: string;

  @Column({ type: 'text' })
  condition!: AlertCondition;

  @Column({ type: 'text' })
  severity!: AlertSeverity;

  @Column({ type: 'text' })
  message!: string;

  @Column({ name: 'rules_version', type: 'text' })
  rulesVersion!: string;

  @Column({ name: 'raised_at', type: 'timestamptz' })
  raisedAt!: Date;

  /** Care-team members notified, in order (the escalation chain so far). */
  @Column({ name: 'notified_member_ids', type: 'text', array: true })
  notifiedMemberIds!: string[];

  @Column({ name: 'last_notified_at', type: 'timestamptz' })
  lastNotifiedAt!: Date;

  @Column({ name: 'acknowledged_at', type: 'timestamptz', nullable: true })
  acknowledgedAt!: Date | null;

  @Column({ name: 'acknowledged_by', type: 'uuid', nullable: true })
  acknowledgedBy!: string | null;

  @Column({ name: 'care_team_exhausted_at', type: 'timestamptz', nullable: true })
  careTeamExhaustedAt!: Date | null;

  @Column({ name: 'resolved_at', type: 'timestamptz', nullable: true })
  resolvedAt!: Date | null;

  @Column({ name: 'resolved_by', type: 'uuid', nullable: true })
  resolvedBy!: string | null;

  @Column({ name: 'resolution_reason', type: 'text', nullable: true })
  resolutionReason!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
