import { Inject } from '@nestjs/common';
import { Query, Resolver } from '@nestjs/graphql';
import { RequireAbility } from '@clinloop/authz';
import { RUNTIME_INFO } from '../tokens';
import { ServiceInfoModel } from './models/service-info.model';
import type { RuntimeInfo } from './runtime-info';

@Resolver(() => ServiceInfoModel)
export class SystemResolver {
  constructor(@Inject(RUNTIME_INFO) private readonly runtime: RuntimeInfo) {}

  @Query(() => ServiceInfoModel, { description: 'Version and runtime of this deployment.' })
  @RequireAbility('read', 'ServiceInfo')
  serviceInfo(): ServiceInfoModel {
    return { ...this.runtime };
  }
}
