/** @clinloop/alerts - persisted clinical alerts: raise (de-duplicated), re-notify, acknowledge, resolve, escalate; crisis episodes; notification outbox and channels. */
export * from './alert.entity';
export * from './alert-notifier';
export * from './alert-notification-outbox';
export * from './webhook-alert-notifier';
export * from './crisis-episodes';
export * from './alerts.service';
export * from './errors';
export * from './alert.model';
export * from './alerts.module';
export * from './alerts.resolver';
