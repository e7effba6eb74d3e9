import { ModulesContainer } from '@nestjs/core';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { GraphQLField, GraphQLNamedType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApi } from '@clinloop/api';
import { generateKeyRing } from '@clinloop/auth';
import { ABILITY_EXTENSION, ACTIONS, REQUIRED_ABILITY, SUBJECT_TYPES, type RequiredAbility, type TypeAbility } from '@clinloop/authz';
import { loadConfig } from '@clinloop/config';
import { InProcessStreamTransport } from '@clinloop/messaging';
import { createLogger, createMetricsRegistry } from '@clinloop/observability';
import { createAppDataSource } from '@clinloop/persistence';

const ROOT_TYPES = new Set(['Query', 'Mutation', 'Subscription']);

interface ObjectLike {
  readonly name: string;
  readonly extensions: Readonly<Record<string, unknown>>;
  getFields(): Record<string, GraphQLField<unknown, unknown>>;
}

/** Object types (not input objects, scalars, enums or introspection types), read without graphql's runtime. */
function objectTypes(types: readonly GraphQLNamedType[]): ObjectLike[] {
  return types.filter((type) => !type.name.startsWith('__') && 'getFields' in type && 'getInterfaces' in type) as unknown as ObjectLike[];
}

function isRequiredAbility(value: unknown): value is RequiredAbility {
  const candidate = value as Partial<RequiredAbility> | undefined;
  return (ACTIONS as readonly unknown[]).includes(candidate?.action) && (SUBJECT_TYPES as readonly unknown[]).includes(candidate?.subject);
}

function isTypeAbility(value: unknown): value is TypeAbility {
  const candidate = value as { subject?: unknown; inherit?: unknown } | undefined;
  return candidate?.inherit === true || (SUBJECT_TYPES as readonly unknown[]).includes(candidate?.subject);
}

/**
 * Deny by default, checked on the schema the API really serves: every root field declares the
 * ability it needs, every other field is covered by its own declaration or its type's, and every
 * HTTP route declares one. A field or route added without a declaration fails here (and would be
 * refused at run time by the global guard or the field middleware).
 */
describe('every GraphQL field and HTTP route declares its ability', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' });
    app = await createApi({
      config,
      dataSource: createAppDataSource('postgres://schema-only@127.0.0.1/none', config, 'schema'),
      transport: new InProcessStreamTransport(),
      logger: createLogger({ level: 'silent', component: 'authz-schema' }),
      metrics: createMetricsRegistry('schema'),
      runtime: { version: 'test', environment: 'test', database: 'external', stream: 'in-process', startedAt: new Date(0) },
      tokenKeys: generateKeyRing(),
    });
  });
  afterAll(async () => {
    await app.close();
  });

  it('root fields: a required (action, subject) each', () => {
    const schema = app.get(GraphQLSchemaHost).schema;
    const undeclared: string[] = [];
    let count = 0;
    for (const root of [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]) {
      if (!root) continue;
      for (const field of Object.values(root.getFields())) {
        count += 1;
        if (!isRequiredAbility(field.extensions[ABILITY_EXTENSION])) undeclared.push(`${root.name}.${field.name}`);
      }
    }
    expect(count).toBeGreaterThan(15);
    expect(undeclared).toEqual([]);
  });

  it('object fields: guarded by their type (subject or parent) or by their own declaration', () => {
    const schema = app.get(GraphQLSchemaHost).schema;
    const undeclared: string[] = [];
    for (const type of objectTypes(Object.values(schema.getTypeMap()))) {
      if (ROOT_TYPES.has(type.name)) continue;
      const typeAbility = type.extensions[ABILITY_EXTENSION];
      for (const field of Object.values(type.getFields())) {
        if (!isTypeAbility(typeAbility) && !isRequiredAbility(field.extensions[ABILITY_EXTENSION])) undeclared.push(`${type.name}.${field.name}`);
      }
      if (!isTypeAbility(typeAbility)) undeclared.push(`${type.name} (type)`);
    }
    expect(undeclared).toEqual([]);
  });

  it('resolved fields that reach another resource declare that resource', () => {
    const schema = app.get(GraphQLSchemaHost).schema;
    const declared = (typeName: string, fieldName: string): unknown => schema.getType(typeName) && (schema.getType(typeName) as unknown as ObjectLike).getFields()[fieldName]?.extensions[ABILITY_EXTENSION];
    expect(declared('Patient', 'careTeams')).toEqual({ action: 'read', subject: 'CareTeam' });
    expect(declared('CareTeam', 'patients')).toEqual({ action: 'read', subject: 'Patient' });
    expect(declared('Patient', 'currentRegimen')).toEqual({ action: 'read', subject: 'RegimenVersion' });
  });

  it('HTTP routes: every handler declares one', () => {
    const undeclared: string[] = [];
    let count = 0;
    for (const module of app.get(ModulesContainer).values()) {
      for (const wrapper of module.controllers.values()) {
        const prototype = (wrapper.metatype as { prototype?: Record<string, unknown> } | null)?.prototype;
        if (!prototype) continue;
        for (const name of Object.getOwnPropertyNames(prototype)) {
          const handler = prototype[name];
          if (name === 'constructor' || typeof handler !== 'function' || Reflect.getMetadata('path', handler) === undefined) continue;
          count += 1;
          if (!isRequiredAbility(Reflect.getMetadata(REQUIRED_ABILITY, handler))) undeclared.push(`${wrapper.name}.${name}`);
        }
      }
    }
    expect(count).toBeGreaterThanOrEqual(5);
    expect(undeclared).toEqual([]);
  });
});
