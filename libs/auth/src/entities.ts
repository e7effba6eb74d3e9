import { BreakGlassGrantEntity } from './break-glass/break-glass-grant.entity';
import { IntegratorClientEntity } from './clients/integrator-client.entity';
import { AuthSessionEntity } from './sessions/auth-session.entity';
import { RefreshTokenEntity } from './sessions/refresh-token.entity';
import { UserCredentialEntity } from './sessions/user-credential.entity';
import { ElectronicSignatureEntity } from './signatures/electronic-signature.entity';

export { AuthSessionEntity, BreakGlassGrantEntity, ElectronicSignatureEntity, IntegratorClientEntity, RefreshTokenEntity, UserCredentialEntity };

/** The tables identity and access owns (migrations/1795392200000-identity-and-access.ts). */
export const AUTH_ENTITIES = [
  UserCredentialEntity,
  AuthSessionEntity,
  RefreshTokenEntity,
  IntegratorClientEntity,
  BreakGlassGrantEntity,
  ElectronicSignatureEntity,
] as const;
