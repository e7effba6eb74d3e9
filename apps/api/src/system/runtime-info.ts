export interface RuntimeInfo {
  readonly version: string;
  readonly environment: string;
  readonly database: 'external' | 'embedded';
  readonly stream: 'kafka' | 'in-process';
  readonly startedAt: Date;
}
