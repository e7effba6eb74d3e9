export * from './create-api';
export * from './errors/api-errors';
export * from './errors/error-map';
export type { RuntimeInfo } from './system/runtime-info';
