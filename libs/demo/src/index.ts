export * from './demo-organization';
export * from './seed-demo';
