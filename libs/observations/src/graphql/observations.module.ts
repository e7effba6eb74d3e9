import { Module, type DynamicModule, type ModuleMetadata } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AUDIT_APPENDER, CLOCK, type AuditAppender, type Clock } from '@clinloop/auth';
import { DEFAULT_RULES, type ClinicalRules } from '@clinloop/clinical';
import { DevicesService } from '../devices.service';
import { ManualReadingsService } from '../manual-readings.service';
import { ObservationIngestService } from '../observation-ingest.service';
import type { IngestPolicy } from '../reading-validation';
import { DeviceRegistryService } from './device-registry.service';
import { DevicesResolver } from './devices.resolver';
import { ReadingsResolver } from './readings.resolver';
import { ReadingsService } from './readings.service';

export interface ObservationsModuleOptions {
  /** Must provide AUDIT_APPENDER and CLOCK (AuthModule); DataSource comes from the composition root. */
  readonly imports: NonNullable<ModuleMetadata['imports']>;
  readonly policy: IngestPolicy;
  readonly rules?: ClinicalRules;
}

/** Readings (manual entry, corrections, lists, home summary) and devices over GraphQL. */
@Module({})
export class ObservationsModule {
  static forRoot(options: ObservationsModuleOptions): DynamicModule {
    const rules = options.rules ?? DEFAULT_RULES;
    return {
      module: ObservationsModule,
      imports: [...options.imports],
      providers: [
        {
          provide: ObservationIngestService,
          inject: [DataSource, AUDIT_APPENDER, CLOCK],
          useFactory: (dataSource: DataSource, audit: AuditAppender, clock: Clock) =>
            new ObservationIngestService(dataSource, audit, { policy: options.policy, rules, clock: () => clock.now(), component: 'api.observations' }),
        },
        {
          provide: ManualReadingsService,
          inject: [DataSource, AUDIT_APPENDER, ObservationIngestService, CLOCK],
          useFactory: (dataSource: DataSource, audit: AuditAppender, ingest: ObservationIngestService, clock: Clock) =>
            new ManualReadingsService(dataSource, audit, ingest, options.policy, { rules, clock: () => clock.now() }),
        },
        {
          provide: DevicesService,
          inject: [DataSource, AUDIT_APPENDER],
          useFactory: (dataSource: DataSource, audit: AuditAppender) => new DevicesService(dataSource, audit),
        },
        {
          provide: ReadingsService,
          inject: [DataSource, ManualReadingsService],
          useFactory: (dataSource: DataSource, manual: ManualReadingsService) => new ReadingsService(dataSource, manual, rules),
        },
        {
          provide: DeviceRegistryService,
          inject: [DataSource, DevicesService],
          useFactory: (dataSource: DataSource, devices: DevicesService) => new DeviceRegistryService(dataSource, devices),
        },
        ReadingsResolver,
        DevicesResolver,
      ],
      exports: [ObservationIngestService, ManualReadingsService, DevicesService],
    };
  }
}
