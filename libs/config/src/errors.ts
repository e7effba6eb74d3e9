import { ClinLoopError } from '@clinloop/errors';

export enum ConfigErrorCode {
  INVALID_SETTING = 'CONFIG_INVALID_SETTING',
}

export class ConfigError extends ClinLoopError<ConfigErrorCode> {
  readonly module = 'config';
}
