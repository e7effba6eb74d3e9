import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { OrganizationEntity } from '@clinloop/organizations';
import { PatientEntity } from './patient.entity';

export const DEVICE_KINDS = ['upper_arm_cuff', 'wrist_cuff', 'cuffless_wearable'] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];

@Entity({ name: 'devices' })
@Index(['organizationId', 'serial'], { unique: true })
export class DeviceEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  @ManyToOne(() => OrganizationEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'organization_id' })
  organization?: OrganizationEntity;

  /** The manufacturer's serial, as the device reports it. */
  @Column({ type: 'text' })
  serial!: string;

  @Column({ type: 'enum', enum: DEVICE_KINDS, enumName: 'device_kind' })
  kind!: DeviceKind;

  @Column({ type: 'text' })
  model!: string;

  /** Clinically validated upper-arm cuff: only these readings count toward decisions. */
  @Column({ type: 'boolean', default: false })
  validated!: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

/** Which patient a device belongs to, over time. Unbinding closes a row; it is never deleted. */
@Entity({ name: 'device_bindings' })
@Index('device_bindings_one_open_per_device', ['deviceId'], { unique: true, where: '"unbound_at" IS NULL' })
export class DeviceBindingEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'device_id', type: 'uuid' })
  deviceId!: string;

  @ManyToOne(() => DeviceEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'device_id' })
  device?: DeviceEntity;

  @Column({ name: 'patient_id', type: 'uuid' })
  patientId!: string;

  @ManyToOne(() => PatientEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'patient_id' })
  patient?: PatientEntity;

  @Column({ name: 'bound_at', type: 'timestamptz' })
  boundAt!: Date;

  @Column({ name: 'unbound_at', type: 'timestamptz', nullable: true })
  unboundAt!: Date | null;
}
