import { EntityManager, In } from 'typeorm';
import { currentTotp, ROLES_REQUIRING_MFA, storeCredentials, UserCredentialEntity, type TotpSecretCipher } from '@clinloop/auth';
import { UserEntity } from '@clinloop/organizations';
import { DEMO_ORGANIZATION, DEMO_PATIENTS, DEMO_STAFF } from './demo-organization';

/**
 * The demo organization's shared password. Fictional people, local demo only: a fixed, documented
 * password makes `npm start` usable at once. No other organization ever gets it (nothing outside
 * the demo seed calls this module).
 */
export const DEMO_PASSWORD = 'clinloop-demo-only';

/** TOTP secret (RFC 6238, base32) of every demo clinician, auditor and admin: add it to an authenticator app. */
export const DEMO_TOTP_SECRET = 'CLINLOOPDEMOTOTPSECRETFORSTAFF23';

/** Gives every demo user without credentials the demo password (and staff the demo TOTP secret). */
export async function ensureDemoSignIns(manager: EntityManager, organizationId: string, now: Date, totpCipher?: Pick<TotpSecretCipher, 'seal'>): Promise<number> {
  const users = await manager.findBy(UserEntity, { organizationId });
  const existing = await manager.findBy(UserCredentialEntity, { userId: In(users.map((user) => user.id)) });
  const withCredentials = new Set(existing.map((credential) => credential.userId));
  let created = 0;
  for (const user of users) {
    if (withCredentials.has(user.id)) continue;
    await storeCredentials(manager, user.id, {
      password: DEMO_PASSWORD,
      totpSecret: ROLES_REQUIRING_MFA.includes(user.role) ? DEMO_TOTP_SECRET : null,
      mustChangePassword: false,
      now,
      ...(totpCipher ? { totpCipher } : {}),
    });
    created += 1;
  }
  return created;
}

/** Lines `clinloop start` prints so a visitor can sign in straight away. */
export function describeDemoSignIns(now: Date): string[] {
  const staff = (role: string) =>
    DEMO_STAFF.filter((member) => member.role === role)
      .map((member) => member.email)
      .join(', ');
  return [
    `organization ${DEMO_ORGANIZATION.slug}, password ${DEMO_PASSWORD} (demo organization only)`,
    `clinicians ${staff('clinician')}`,
    `auditor ${staff('auditor')}; admin ${staff('admin')}`,
    `patients ${DEMO_PATIENTS.map((patient) => patient.email).join(', ')}`,
    `staff also give the authenticator code of TOTP secret ${DEMO_TOTP_SECRET} (right now: ${currentTotp(DEMO_TOTP_SECRET, now)})`,
  ];
}
