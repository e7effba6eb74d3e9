export * from './device.entity';
export * from './patient.entity';
export * from './regimen.entity';
