import request from 'supertest';
import { DataSource } from 'typeorm';
import { storeCredentials } from '@clinloop/auth';
import { withTransaction } from '@clinloop/database';
import { DEMO_TOTP_SECRET } from '@clinloop/demo';
import { CareTeamEntity, CareTeamMemberEntity, OrganizationEntity, UserEntity } from '@clinloop/organizations';
import { CareTeamPatientEntity, PatientEntity, RegimenItemEntity, RegimenVersionEntity } from '@clinloop/patients';
import { errorCodeOf, gql, type SecureApi } from './auth-api';

export const OTHER_PASSWORD = 'other-clinic-password';

export interface OtherOrganization {
  readonly organizationId: string;
  readonly patientId: string;
  readonly clinicianEmail: string;
  readonly adminEmail: string;
}

/** A second tenant: one care team, a clinician, an admin and a patient with a regimen. */
export async function seedOtherOrganization(dataSource: DataSource): Promise<OtherOrganization> {
  const now = new Date();
  return withTransaction(dataSource, async (manager) => {
    const organization = await manager.save(manager.create(OrganizationEntity, { slug: 'other-clinic', name: 'Other Clinic' }));
    const staff = async (email: string, role: 'clinician' | 'admin') => {
      const user = await manager.save(
        manager.create(UserEntity, { organizationId: organization.id, email, displayName: email, role, patientId: null, formularyPermission: false, deactivatedAt: null }),
      );
      await storeCredentials(manager, user.id, { password: OTHER_PASSWORD, totpSecret: DEMO_TOTP_SECRET, mustChangePassword: false, now });
      return user;
    };
    const clinician = await staff('dr.other@other.clinloop.test', 'clinician');
    await staff('admin@other.clinloop.test', 'admin');
    const team = await manager.save(manager.create(CareTeamEntity, { organizationId: organization.id, name: 'Other Team' }));
    await manager.save(manager.create(CareTeamMemberEntity, { careTeamId: team.id, userId: clinician.id, escalationOrder: 1 }));
    const patient = await manager.save(
      manager.create(PatientEntity, {
        organizationId: organization.id,
        mrn: 'OTHER-0001',
        givenName: 'Olga',
        familyName: 'Other',
        timeZone: 'Europe/Berlin',
        sex: 'female',
        birthYear: 1970,
        raceEthnicity: null,
        fitzpatrickSkinType: null,
        pregnancyStatus: 'not_pregnant',
        aceInhibitorAngioedemaHistory: false,
        sulfonamideAllergy: false,
        anuria: false,
      }),
    );
    await manager.save(manager.create(CareTeamPatientEntity, { careTeamId: team.id, patientId: patient.id }));
    const regimen = await manager.save(manager.create(RegimenVersionEntity, { patientId: patient.id, version: 1, effectiveAt: now, recordedBy: clinician.id, reason: 'enrolment' }));
    await manager.save(manager.create(RegimenItemEntity, { regimenVersionId: regimen.id, drug: 'amlodipine', dailyDoseMg: '5' }));
    return { organizationId: organization.id, patientId: patient.id, clinicianEmail: clinician.email, adminEmail: 'admin@other.clinloop.test' };
  });
}

export interface ClientCredentials {
  readonly id: string;
  readonly clientId: string;
  readonly clientSecret: string;
}

/** An integrator client created by an admin through the API. */
export async function createClient(api: SecureApi, adminToken: string, scopes: readonly string[], name = 'Test integrator'): Promise<ClientCredentials> {
  const response = await gql<{ createIntegratorClient: { client: { id: string; clientId: string }; clientSecret: string } }>(
    api,
    'mutation C($input: CreateIntegratorClientInput!) { createIntegratorClient(input: $input) { client { id clientId } clientSecret } }',
    { token: adminToken, variables: { input: { name, scopes } } },
  );
  const created = response.data?.createIntegratorClient;
  if (!created) throw new Error(`createIntegratorClient failed: ${errorCodeOf(response) ?? 'no data'}`);
  return { id: created.client.id, clientId: created.client.clientId, clientSecret: created.clientSecret };
}

/** POST /oauth/token with the client credentials grant. */
export function requestClientToken(api: SecureApi, client: { clientId: string; clientSecret: string }, scope?: string) {
  return request(api.app.getHttpServer())
    .post('/oauth/token')
    .type('form')
    .send({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret, ...(scope ? { scope } : {}) });
}

export async function clientToken(api: SecureApi, client: { clientId: string; clientSecret: string }, scope?: string): Promise<string> {
  const response = await requestClientToken(api, client, scope);
  const token = (response.body as { access_token?: string }).access_token;
  if (response.status !== 200 || !token) throw new Error(`client token refused: ${response.status} ${JSON.stringify(response.body)}`);
  return token;
}
