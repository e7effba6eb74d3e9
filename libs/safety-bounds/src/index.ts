/** @clinloop/safety-bounds - per-patient, versioned, clinician-signed safety bounds (append-only). */
export * from './errors';
export * from './models/safety-bounds.model';
export * from './safety-bounds.entity';
export * from './safety-bounds.module';
export * from './safety-bounds.resolver';
export * from './safety-bounds.service';
