/** @clinloop/alerts - persisted clinical alerts: raise (de-duplicated), re-notify, acknowledge, escalate. */
export * from './alert.entity';
export * from './alert-notifier';
export * from './alerts.service';
export * from './errors';
export * from './alert.model';
export * from './alerts.module';
export * from './alerts.resolver';
