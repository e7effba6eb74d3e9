import { registerEnumType } from '@nestjs/graphql';
import type { UserRole } from '../user.entity';

/** GraphQL names (upper case) for the stored roles. */
export const UserRoleEnum = {
  PATIENT: 'patient',
  CLINICIAN: 'clinician',
  AUDITOR: 'auditor',
  ADMIN: 'admin',
} as const satisfies Record<string, UserRole>;

registerEnumType(UserRoleEnum, { name: 'UserRole', description: 'What a person does in ClinLoop; decides what they may see and do.' });
