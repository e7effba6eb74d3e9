import { Module, type DynamicModule, type ModuleMetadata } from '@nestjs/common';
import { FormularyResolver } from './formulary.resolver';
import { FormularyService } from './formulary.service';

/** Needs SignatureService and AUDIT_APPENDER (AuthModule): the composition root passes that module in. */
@Module({})
export class FormularyModule {
  static forRoot(options: { imports: NonNullable<ModuleMetadata['imports']> }): DynamicModule {
    return {
      module: FormularyModule,
      imports: [...options.imports],
      providers: [FormularyService, FormularyResolver],
      exports: [FormularyService],
    };
  }
}
