import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { metaOf, userOf } from '@clinloop/auth';
import { RequireAbility, Security, type SecurityContext } from '@clinloop/authz';
import { ChangeFormularyDrugInput } from './dto/change-formulary-drug.input';
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

  @Mutation(() => FormularyDrugModel, {
    description: 'Change one drug\'s hard limits as a new version, e-signed ("approved": e-mail and password re-entered) and audited. Clinicians with the formulary permission only.',
  })
  @RequireAbility('update', 'Formulary')
  changeFormularyDrug(@Security() security: SecurityContext, @Args('input') input: ChangeFormularyDrugInput): Promise<FormularyDrugModel> {
    const { email, password, ...change } = input;
    return this.formularyService.changeDrug(userOf(security), change, { email, password }, metaOf(security));
  }
}
