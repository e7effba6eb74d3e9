import { DynamicModule, Module, type InjectionToken, type ModuleMetadata } from '@nestjs/common';
import { ConfigError, ConfigErrorCode, type AppConfig } from '@clinloop/config';
import { OrganizationsModule } from '@clinloop/organizations';
import { AccountsResolver } from './accounts/accounts.resolver';
import { AccountsService } from './accounts/accounts.service';
import { AUDIT_APPENDER, AUTH_SETTINGS, authSettingsFrom, CLOCK, SYSTEM_CLOCK, type Clock } from './auth-settings';
import { BreakGlassResolver } from './break-glass/break-glass.resolver';
import { BreakGlassService } from './break-glass/break-glass.service';
import { CareTeamAdminResolver } from './care-teams/care-team-admin.resolver';
import { CareTeamAdminService } from './care-teams/care-team-admin.service';
import { ClientsResolver } from './clients/clients.resolver';
import { ClientsService } from './clients/clients.service';
import { OAuthTokenController } from './clients/oauth-token.controller';
import type { AuditAppender } from './security-audit';
import { AuthResolver } from './sessions/auth.resolver';
import { EXTERNAL_ISSUER, PrincipalsService } from './sessions/principals.service';
import { SessionsService } from './sessions/sessions.service';
import { SIGNABLE_RECORD_SOURCES, SignableRecordsService, type SignableRecordSource } from './signatures/signable-records.service';
import { SignatureService } from './signatures/signature.service';
import { SignaturesResolver } from './signatures/signatures.resolver';
import { AccessTokens } from './tokens/access-tokens';
import { ExternalIssuer } from './tokens/external-issuer';
import { JwksController } from './tokens/jwks.controller';
import { TokenKeyRing } from './tokens/signing-keys';
import { DownloadTicketsService } from './tickets/download-tickets.service';
import { loadTotpSecretCipher, TotpSecretCipher } from './totp/totp-secret-cipher';
import { TotpSecretsService } from './totp/totp-secrets.service';

export interface AuthModuleOptions {
  readonly config: AppConfig;
  readonly keys: TokenKeyRing;
  readonly audit: AuditAppender;
  readonly clock?: Clock;
  /** Where the key-generation message of a development TOTP key goes. */
  readonly log?: (line: string) => void;
  /** Record types that can be signed through the API, and the modules that provide them. */
  readonly signableRecords: { readonly imports: NonNullable<ModuleMetadata['imports']>; readonly sources: readonly InjectionToken<SignableRecordSource>[] };
}

/** The external OpenID Connect issuer from AUTH_OIDC_*, or null; half a configuration stops start-up. */
export function externalIssuerFrom(config: AppConfig): ExternalIssuer | null {
  if (!config.authOidcIssuer) return null;
  const missing = (
    [
      ['AUTH_OIDC_JWKS_URL', config.authOidcJwksUrl],
      ['AUTH_OIDC_AUDIENCE', config.authOidcAudience],
      ['AUTH_OIDC_ORGANIZATION', config.authOidcOrganization],
    ] as const
  ).find(([, value]) => !value);
  if (missing || !config.authOidcJwksUrl || !config.authOidcAudience || !config.authOidcOrganization) {
    const variable = missing?.[0] ?? 'AUTH_OIDC_ISSUER';
    throw new ConfigError(ConfigErrorCode.INVALID_SETTING, `Invalid setting ${variable}: required when AUTH_OIDC_ISSUER is set`, { variable });
  }
  return new ExternalIssuer({
    issuer: config.authOidcIssuer,
    jwksUrl: config.authOidcJwksUrl,
    audience: config.authOidcAudience,
    organizationSlug: config.authOidcOrganization,
    emailClaim: config.authOidcEmailClaim,
    roleClaim: config.authOidcRoleClaim,
    roleMap: config.authOidcRoleMap,
  });
}

/** Identity: sign-in, sessions, tokens, integrator clients, break-glass, e-signatures, accounts, care-team membership, download tickets. */
@Module({})
export class AuthModule {
  static forRoot(options: AuthModuleOptions): DynamicModule {
    const { config, keys } = options;
    const external = externalIssuerFrom(config);
    const accessTokens = new AccessTokens(keys, { issuer: config.authJwtIssuer, audience: config.authJwtAudience, ttlSeconds: config.authAccessTokenTtlSeconds }, external ?? undefined);
    return {
      module: AuthModule,
      imports: [OrganizationsModule, ...options.signableRecords.imports],
      controllers: [OAuthTokenController, JwksController],
      providers: [
        { provide: TokenKeyRing, useValue: keys },
        { provide: AccessTokens, useValue: accessTokens },
        { provide: EXTERNAL_ISSUER, useValue: external },
        { provide: AUTH_SETTINGS, useValue: authSettingsFrom(config) },
        { provide: AUDIT_APPENDER, useValue: options.audit },
        { provide: CLOCK, useValue: options.clock ?? SYSTEM_CLOCK },
        {
          provide: TotpSecretCipher,
          useFactory: () =>
            loadTotpSecretCipher({ keyFile: config.authTotpKeyFile, dataDir: config.dataDir, production: config.nodeEnv === 'production', log: options.log ?? (() => undefined) }),
        },
        {
          provide: SIGNABLE_RECORD_SOURCES,
          useFactory: (...sources: SignableRecordSource[]) => sources,
          inject: [...options.signableRecords.sources],
        },
        SessionsService,
        PrincipalsService,
        AccountsService,
        ClientsService,
        BreakGlassService,
        SignatureService,
        SignableRecordsService,
        TotpSecretsService,
        DownloadTicketsService,
        CareTeamAdminService,
        CareTeamAdminResolver,
        AuthResolver,
        AccountsResolver,
        ClientsResolver,
        BreakGlassResolver,
        SignaturesResolver,
      ],
      exports: [AccessTokens, PrincipalsService, SessionsService, SignatureService, DownloadTicketsService, TotpSecretsService, TokenKeyRing, AUDIT_APPENDER, CLOCK],
    };
  }
}
