import { Module, type DynamicModule, type ModuleMetadata } from '@nestjs/common';
import { AUDIT_APPENDER, CLOCK, type AuditAppender, type Clock } from '@clinloop/auth';
import { ALERT_NOTIFIER, type AlertNotifier } from './alert-notifier';
import { AlertsResolver } from './alerts.resolver';
import { AlertsService } from './alerts.service';

/**
 * The in-app channel: the alert itself is what the portals list (`alerts(patientId)`), so there is
 * nothing more to send. E-mail, SMS or webhook channels replace this provider.
 */
export const IN_APP_NOTIFIER: AlertNotifier = { notify: () => Promise.resolve() };

/** Needs AUDIT_APPENDER and CLOCK (AuthModule): the composition root passes that module in. */
@Module({})
export class AlertsModule {
  static forRoot(options: { imports: NonNullable<ModuleMetadata['imports']>; notifier?: AlertNotifier }): DynamicModule {
    return {
      module: AlertsModule,
      imports: [...options.imports],
      providers: [
        { provide: ALERT_NOTIFIER, useValue: options.notifier ?? IN_APP_NOTIFIER },
        {
          provide: AlertsService,
          inject: [AUDIT_APPENDER, ALERT_NOTIFIER, CLOCK],
          useFactory: (audit: AuditAppender, notifier: AlertNotifier, clock: Clock) => new AlertsService(audit, notifier, clock),
        },
        AlertsResolver,
      ],
      exports: [AlertsService],
    };
  }
}
