import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { OrganizationEntity, UserEntity } from '@clinloop/organizations';

/** 21 CFR 11.50(a)(3): what the signature means. */
export const SIGNATURE_MEANINGS = ['approved', 'authored', 'reviewed'] as const;
export type SignatureMeaning = (typeof SIGNATURE_MEANINGS)[number];

/**
 * An electronic signature (21 CFR Part 11): who (printed name at the time), when, what it means, and
 * the SHA-256 of exactly the content signed, bound to one record by type and id. Append-only.
 */
@Entity({ name: 'electronic_signatures' })
@Index(['recordType', 'recordId'])
export class ElectronicSignatureEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  @ManyToOne(() => OrganizationEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'organization_id' })
  organization?: OrganizationEntity;

  @Column({ name: 'signer_id', type: 'uuid' })
  signerId!: string;

  @ManyToOne(() => UserEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'signer_id' })
  signer?: UserEntity;

  /** The signer's name as printed at signing (11.50(a)(1)); a later rename does not change it. */
  @Column({ name: 'printed_name', type: 'text' })
  printedName!: string;

  @Column({ type: 'enum', enum: SIGNATURE_MEANINGS, enumName: 'signature_meaning' })
  meaning!: SignatureMeaning;

  @Column({ name: 'signed_at', type: 'timestamptz' })
  signedAt!: Date;

  @Column({ name: 'record_type', type: 'text' })
  recordType!: string;

  @Column({ name: 'record_id', type: 'text' })
  recordId!: string;

  /** The patient the record belongs to, when it is PHI. */
  @Column({ name: 'patient_id', type: 'uuid', nullable: true })
  patientId!: string | null;

  /** Hex SHA-256 of the RFC 8785 canonical JSON of what was signed. */
  @Column({ name: 'content_hash', type: 'text' })
  contentHash!: string;
}
