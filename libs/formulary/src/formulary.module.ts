import { Module } from '@nestjs/common';
import { FormularyResolver } from './formulary.resolver';
import { FormularyService } from './formulary.service';

@Module({ providers: [FormularyService, FormularyResolver], exports: [FormularyService] })
export class FormularyModule {}
