export * from './errors';
export * from './load-config';
export * from './settings';
