export * from './demo-organization';
export * from './demo-sign-ins';
export * from './seed-demo';
export * from './seed-demo-readings';
