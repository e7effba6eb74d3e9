import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { OrganizationEntity, UserEntity } from '@clinloop/organizations';

export const SESSION_END_REASONS = ['signed_out', 'idle_timeout', 'refresh_token_reuse', 'password_changed', 'deactivated', 'unlocked_by_admin'] as const;
export type SessionEndReason = (typeof SESSION_END_REASONS)[number];

/**
 * One sign-in. Its refresh tokens form one rotation family; access tokens carry its id (`sid`) and
 * die with it. Ended, never deleted.
 */
@Entity({ name: 'auth_sessions' })
@Index(['userId', 'createdAt'])
export class AuthSessionEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @ManyToOne(() => UserEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'user_id' })
  user?: UserEntity;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  @ManyToOne(() => OrganizationEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'organization_id' })
  organization?: OrganizationEntity;

  /** RFC 8176 methods used at sign-in: `pwd`, `otp`. */
  @Column({ name: 'authentication_methods', type: 'text', array: true })
  authenticationMethods!: string[];

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  /** Last authenticated request; the idle timeout counts from here. */
  @Column({ name: 'last_activity_at', type: 'timestamptz' })
  lastActivityAt!: Date;

  /** Absolute end, however active the session is. */
  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true })
  endedAt!: Date | null;

  @Column({ name: 'end_reason', type: 'enum', enum: SESSION_END_REASONS, enumName: 'session_end_reason', nullable: true })
  endReason!: SessionEndReason | null;
}
