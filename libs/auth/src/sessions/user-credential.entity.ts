import { Column, Entity, JoinColumn, OneToOne, PrimaryColumn } from 'typeorm';
import { UserEntity } from '@clinloop/organizations';

/**
 * How a user proves who they are, kept apart from who they are (UserEntity). Never exposed through
 * the API; the password only as a salted scrypt hash, the TOTP secret only for the server's check.
 */
@Entity({ name: 'user_credentials' })
export class UserCredentialEntity {
  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @OneToOne(() => UserEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'user_id' })
  user?: UserEntity;

  /** `scrypt$N$r$p$salt$hash` (libs/auth/src/passwords/password-hasher.ts). */
  @Column({ name: 'password_hash', type: 'text' })
  passwordHash!: string;

  @Column({ name: 'password_changed_at', type: 'timestamptz' })
  passwordChangedAt!: Date;

  /** Set for a password an admin issued: the user is asked to choose their own. */
  @Column({ name: 'must_change_password', type: 'boolean', default: false })
  mustChangePassword!: boolean;

  @Column({ name: 'failed_sign_in_count', type: 'integer', default: 0 })
  failedSignInCount!: number;

  @Column({ name: 'locked_until', type: 'timestamptz', nullable: true })
  lockedUntil!: Date | null;

  /** Base32 TOTP secret (RFC 6238); required for clinicians, auditors and admins. */
  @Column({ name: 'totp_secret', type: 'text', nullable: true })
  totpSecret!: string | null;

  /** Time step of the last accepted code, so no code works twice. */
  @Column({ name: 'totp_last_step', type: 'integer', nullable: true })
  totpLastStep!: number | null;

  @Column({ name: 'signing_failure_count', type: 'integer', default: 0 })
  signingFailureCount!: number;

  /** Set after too many failed e-signature attempts; only an admin clears it. */
  @Column({ name: 'signing_locked_at', type: 'timestamptz', nullable: true })
  signingLockedAt!: Date | null;
}
