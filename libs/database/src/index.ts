export * from './data-source';
export * from './embedded-postgres';
export * from './errors';
export * from './array-literal';
