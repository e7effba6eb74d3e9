import { Query, Resolver } from '@nestjs/graphql';
import { RequireAbility } from '@clinloop/authz';
import { FormularyService } from './formulary.service';
import { FormularyDrugModel } from './models/formulary-drug.model';

@Resolver(() => FormularyDrugModel)
export class FormularyResolver {
  constructor(private readonly formularyService: FormularyService) {}

  @Query(() => [FormularyDrugModel], { description: 'Current formulary hard limits (reference data, no PHI).' })
  @RequireAbility('read', 'Formulary')
  formulary(): Promise<FormularyDrugModel[]> {
    return this.formularyService.currentFormulary();
  }
}
