export * from './data-source';
export * from './embedded-postgres';
export * from './errors';
export * from './binary-array';
