import { DataSource } from 'typeorm';
import { AlertEntity } from '@clinloop/alerts';
import { AUTH_ENTITIES } from '@clinloop/auth';
import { AppConfig } from '@clinloop/config';
import { createDataSource } from '@clinloop/database';
import { FormularyDrugEntity } from '@clinloop/formulary';
import { MIGRATIONS } from '@clinloop/migrations';
import { SafetyBoundsVersionEntity } from '@clinloop/safety-bounds';
import { CareTeamEntity, CareTeamMemberEntity, OrganizationEntity, UserEntity } from '@clinloop/organizations';
import {
  CareTeamPatientEntity,
  DeviceBindingEntity,
  DeviceEntity,
  PatientEntity,
  RegimenItemEntity,
  RegimenVersionEntity,
} from '@clinloop/patients';

/** Every TypeORM entity of the product; a test checks that they and the migrations agree. */
export const ENTITIES = [
  OrganizationEntity,
  UserEntity,
  CareTeamEntity,
  CareTeamMemberEntity,
  PatientEntity,
  CareTeamPatientEntity,
  DeviceEntity,
  DeviceBindingEntity,
  RegimenVersionEntity,
  RegimenItemEntity,
  FormularyDrugEntity,
  ...AUTH_ENTITIES,
  SafetyBoundsVersionEntity,
  AlertEntity,
];

export { MIGRATIONS };

/** The data source every ClinLoop process uses. */
export function createAppDataSource(url: string, config: Pick<AppConfig, 'databasePoolSize'>, applicationName: string): DataSource {
  return createDataSource({ url, poolSize: config.databasePoolSize, entities: ENTITIES, migrations: MIGRATIONS, applicationName });
}
