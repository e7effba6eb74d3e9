import { BreakGlassGrantEntity } from './break-glass/break-glass-grant.entity';
import { IntegratorClientEntity } from './clients/integrator-client.entity';
import { RateLimitCounterEntity } from './rate-limits/rate-limit-counter.entity';
import { AuthSessionEntity } from './sessions/auth-session.entity';
import { RefreshTokenEntity } from './sessions/refresh-token.entity';
import { UserCredentialEntity } from './sessions/user-credential.entity';
import { ElectronicSignatureEntity } from './signatures/electronic-signature.entity';
import { DownloadTicketEntity } from './tickets/download-ticket.entity';

export {
  AuthSessionEntity,
  BreakGlassGrantEntity,
  DownloadTicketEntity,
  ElectronicSignatureEntity,
  IntegratorClientEntity,
  RateLimitCounterEntity,
  RefreshTokenEntity,
  UserCredentialEntity,
};

/** The tables identity and access owns (migrations/1795392200000-identity-and-access.ts, 1795392700000-identity-and-access-gaps.ts). */
export const AUTH_ENTITIES = [
  UserCredentialEntity,
  AuthSessionEntity,
  RefreshTokenEntity,
  IntegratorClientEntity,
  BreakGlassGrantEntity,
  ElectronicSignatureEntity,
  DownloadTicketEntity,
  RateLimitCounterEntity,
] as const;
