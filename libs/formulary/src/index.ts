export * from './effective-formulary';
export * from './errors';
export * from './formulary-drug.entity';
export * from './formulary.module';
export * from './formulary.service';
export * from './models/formulary-drug.model';
