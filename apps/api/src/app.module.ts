import { DynamicModule, Global, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import { MercuriusDriver, MercuriusDriverConfig } from '@nestjs/mercurius';
import { Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { AuthModule, type AuditAppender, type Clock, type TokenKeyRing } from '@clinloop/auth';
import { fieldAbilityMiddleware } from '@clinloop/authz';
import type { AppConfig } from '@clinloop/config';
import { FormularyModule } from '@clinloop/formulary';
import type { StreamTransport } from '@clinloop/messaging';
import type { Logger } from '@clinloop/observability';
import { OrganizationsModule } from '@clinloop/organizations';
import { AlertsModule } from '@clinloop/alerts';
import { ObservationsModule } from '@clinloop/observations';
import { PatientsModule, RegimenSigningSource } from '@clinloop/patients';
import { SafetyBoundsModule } from '@clinloop/safety-bounds';
import { createGraphqlErrorFormatter } from './errors/graphql-error-formatter';
import { HttpErrorFilter } from './errors/http-error.filter';
import { graphqlValidationRules } from './hardening/graphql-limits';
import { HealthController } from './health/health.controller';
import { AbilityGuard } from './security/ability.guard';
import { RequestSecurityService } from './security/request-security.service';
import type { RuntimeInfo } from './system/runtime-info';
import { SystemResolver } from './system/system.resolver';
import { APP_CONFIG, LOGGER, METRICS_REGISTRY, RUNTIME_INFO, STREAM_TRANSPORT } from './tokens';
import { AuditExportController } from './auditor/audit-export.controller';
import { AuditorResolver } from './auditor/auditor.resolver';
import { AuditorService } from './auditor/auditor.service';
import { CheckProposalResolver } from './clinical/check-proposal.resolver';

export interface ApiDependencies {
  readonly config: AppConfig;
  readonly dataSource: DataSource;
  readonly transport: StreamTransport;
  readonly logger: Logger;
  readonly metrics: Registry;
  readonly runtime: RuntimeInfo;
  /** Write the generated SDL here (the `clinloop schema` command); otherwise the schema stays in memory. */
  readonly schemaFile?: string;
  /** Token-signing keys; default: read (or, outside production, generated once) as AUTH_JWT_* say. */
  readonly tokenKeys?: TokenKeyRing;
  /** Where audit entries go; default: the audit trail (libs/audit AuditService). */
  readonly audit?: AuditAppender;
  /** Time source for tokens, sessions and lockouts; default: the system clock. */
  readonly clock?: Clock;
}

/** Process-wide things the composition root owns, visible to every feature module. */
@Global()
@Module({})
class CoreModule {
  static with(deps: ApiDependencies): DynamicModule {
    return {
      module: CoreModule,
      providers: [
        { provide: DataSource, useValue: deps.dataSource },
        { provide: STREAM_TRANSPORT, useValue: deps.transport },
        { provide: METRICS_REGISTRY, useValue: deps.metrics },
        { provide: APP_CONFIG, useValue: deps.config },
        { provide: RUNTIME_INFO, useValue: deps.runtime },
        { provide: LOGGER, useValue: deps.logger },
      ],
      exports: [DataSource, STREAM_TRANSPORT, METRICS_REGISTRY, APP_CONFIG, RUNTIME_INFO, LOGGER],
    };
  }
}

@Module({})
export class AppModule {
  static with(deps: ApiDependencies & { tokenKeys: TokenKeyRing; audit: AuditAppender }): DynamicModule {
    const { config } = deps;
    const production = config.nodeEnv === 'production';
    // One instance, imported by the features that sign (safety bounds) as well as by the app.
    const authModule = AuthModule.forRoot({
      config,
      keys: deps.tokenKeys,
      audit: deps.audit,
      clock: deps.clock,
      log: (line) => deps.logger.info(line),
      signableRecords: { imports: [PatientsModule], sources: [RegimenSigningSource] },
    });
    // One instance too: safety bounds validate against the formulary it reads from the database.
    const formularyModule = FormularyModule.forRoot({ imports: [authModule] });
    return {
      module: AppModule,
      imports: [
        CoreModule.with(deps),
        GraphQLModule.forRoot<MercuriusDriverConfig>({
          driver: MercuriusDriver,
          autoSchemaFile: deps.schemaFile ?? true,
          sortSchema: true,
          graphiql: !production,
          ide: false,
          path: '/graphql',
          errorFormatter: createGraphqlErrorFormatter(deps.logger),
          // The global guard also runs for resolved fields (Patient.careTeams, CareTeam.patients, ...).
          fieldResolverEnhancers: ['guards'],
          // ...and every plain field of a guarded type is checked against the object it belongs to.
          buildSchemaOptions: { fieldMiddleware: [fieldAbilityMiddleware] },
          validationRules: graphqlValidationRules(config),
          graphql: { parseOptions: { maxTokens: config.graphqlMaxTokens } },
        }),
        OrganizationsModule,
        PatientsModule,
        authModule,
        formularyModule,
        SafetyBoundsModule.forRoot({ imports: [authModule, formularyModule] }),
        AlertsModule.forRoot({ imports: [authModule] }),
        ObservationsModule.forRoot({
          imports: [authModule],
          policy: { futureSkewMs: config.ingestFutureSkewSeconds * 1000, lateAfterMs: config.ingestLateAfterMinutes * 60_000 },
        }),
      ],
      controllers: [HealthController, AuditExportController],
      providers: [
        SystemResolver,
        AuditorService,
        AuditorResolver,
        CheckProposalResolver,
        RequestSecurityService,
        { provide: APP_GUARD, useClass: AbilityGuard },
        { provide: APP_FILTER, useFactory: () => new HttpErrorFilter(deps.logger) },
      ],
    };
  }
}
