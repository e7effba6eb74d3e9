import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { OrganizationEntity, UserEntity } from '@clinloop/organizations';

/**
 * A short-lived, single-use download ticket (an audit export link): the link's token is stored only
 * as its SHA-256, bound to the user, their session and organization, and to exactly what it
 * downloads (`purpose` + `parameters`, fixed when it is issued).
 */
@Entity({ name: 'download_tickets' })
export class DownloadTicketEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'token_hash', type: 'text', unique: true })
  tokenHash!: string;

  /** What the ticket downloads, e.g. `audit-export`. */
  @Column({ type: 'text' })
  purpose!: string;

  @Column({ type: 'jsonb' })
  parameters!: Record<string, unknown>;

  @Column({ name: 'user_id', type: 'uuid' })
  @Index()
  userId!: string;

  @ManyToOne(() => UserEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'user_id' })
  user?: UserEntity;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  @ManyToOne(() => OrganizationEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'organization_id' })
  organization?: OrganizationEntity;

  /** The session it was issued in: the ticket dies with it. Null for users of an external issuer. */
  @Column({ name: 'session_id', type: 'uuid', nullable: true })
  sessionId!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'used_at', type: 'timestamptz', nullable: true })
  usedAt!: Date | null;
}
