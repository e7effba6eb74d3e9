import { DynamicModule, Global, Module } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import { MercuriusDriver, MercuriusDriverConfig } from '@nestjs/mercurius';
import { Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import type { AppConfig } from '@clinloop/config';
import { FormularyModule } from '@clinloop/formulary';
import type { StreamTransport } from '@clinloop/messaging';
import type { Logger } from '@clinloop/observability';
import { createGraphqlErrorFormatter } from './errors/graphql-error-formatter';
import { HealthController } from './health/health.controller';
import type { RuntimeInfo } from './system/runtime-info';
import { SystemResolver } from './system/system.resolver';
import { APP_CONFIG, METRICS_REGISTRY, RUNTIME_INFO, STREAM_TRANSPORT } from './tokens';

export interface ApiDependencies {
  readonly config: AppConfig;
  readonly dataSource: DataSource;
  readonly transport: StreamTransport;
  readonly logger: Logger;
  readonly metrics: Registry;
  readonly runtime: RuntimeInfo;
  /** Write the generated SDL here (the `clinloop schema` command); otherwise the schema stays in memory. */
  readonly schemaFile?: string;
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
      ],
      exports: [DataSource, STREAM_TRANSPORT, METRICS_REGISTRY, APP_CONFIG, RUNTIME_INFO],
    };
  }
}

@Module({})
export class AppModule {
  static with(deps: ApiDependencies): DynamicModule {
    const production = deps.config.nodeEnv === 'production';
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
        }),
        FormularyModule,
      ],
      controllers: [HealthController],
      providers: [SystemResolver],
    };
  }
}
