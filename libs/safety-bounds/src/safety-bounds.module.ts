import { Module, type DynamicModule, type ModuleMetadata } from '@nestjs/common';
import { SafetyBoundsResolver } from './safety-bounds.resolver';
import { SafetyBoundsService } from './safety-bounds.service';

/**
 * Needs SignatureService and AUDIT_APPENDER (AuthModule) and FormularyService (FormularyModule): the
 * composition root passes those modules in.
 */
@Module({})
export class SafetyBoundsModule {
  static forRoot(options: { imports: NonNullable<ModuleMetadata['imports']> }): DynamicModule {
    return {
      module: SafetyBoundsModule,
      imports: [...options.imports],
      providers: [SafetyBoundsService, SafetyBoundsResolver],
      exports: [SafetyBoundsService],
    };
  }
}
