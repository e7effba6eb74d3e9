import { Module, type DynamicModule, type ModuleMetadata } from '@nestjs/common';
import { AUDIT_APPENDER, CLOCK, type AuditAppender, type Clock } from '@clinloop/auth';
import { AlertsResolver } from './alerts.resolver';
import { AlertsService } from './alerts.service';

/**
 * Needs AUDIT_APPENDER and CLOCK (AuthModule): the composition root passes that module in.
 * Notifications are queued with each alert change and delivered by the worker (AlertNotificationDispatcher).
 */
@Module({})
export class AlertsModule {
  static forRoot(options: { imports: NonNullable<ModuleMetadata['imports']> }): DynamicModule {
    return {
      module: AlertsModule,
      imports: [...options.imports],
      providers: [
        {
          provide: AlertsService,
          inject: [AUDIT_APPENDER, CLOCK],
          useFactory: (audit: AuditAppender, clock: Clock) => new AlertsService(audit, clock),
        },
        AlertsResolver,
      ],
      exports: [AlertsService],
    };
  }
}
