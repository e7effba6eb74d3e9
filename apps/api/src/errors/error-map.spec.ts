import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuthError, AuthErrorCode, SignatureError, SignatureErrorCode } from '@clinloop/auth';
import { AuthzError, AuthzErrorCode } from '@clinloop/authz';
import { ConfigError, ConfigErrorCode } from '@clinloop/config';
import { PatientsError, PatientsErrorCode } from '@clinloop/patients';
import { DatabaseError, DatabaseErrorCode } from '@clinloop/database';
import { ApiError, ApiErrorCode } from './api-errors';
import { mappedCodes, mappingFor } from './error-map';

describe('error map', () => {
  it.each([
    [new ApiError(ApiErrorCode.NOT_FOUND, 'No such patient'), 'NOT_FOUND', 404, true],
    [new ApiError(ApiErrorCode.BAD_REQUEST, 'Bad'), 'BAD_REQUEST', 400, true],
    [new DatabaseError(DatabaseErrorCode.UNAVAILABLE, 'down'), 'SERVICE_UNAVAILABLE', 503, false],
    [new ConfigError(ConfigErrorCode.INVALID_SETTING, 'bad'), 'INTERNAL_SERVER_ERROR', 500, false],
    [new AuthError(AuthErrorCode.TOKEN_EXPIRED, 'expired'), 'UNAUTHENTICATED', 401, true],
    [new AuthError(AuthErrorCode.ACCOUNT_LOCKED, 'locked'), 'UNAUTHENTICATED', 401, true],
    [new AuthError(AuthErrorCode.PASSWORD_CHANGE_REQUIRED, 'choose a new password'), 'FORBIDDEN', 403, true],
    [new AuthError(AuthErrorCode.SIGNING_KEY_UNAVAILABLE, 'no key'), 'INTERNAL_SERVER_ERROR', 500, false],
    [new AuthzError(AuthzErrorCode.FORBIDDEN, 'no'), 'FORBIDDEN', 403, true],
    [new AuthzError(AuthzErrorCode.OBJECT_NOT_VISIBLE, 'Not found.'), 'NOT_FOUND', 404, true],
    [new PatientsError(PatientsErrorCode.NOT_FOUND, 'No such patient.'), 'NOT_FOUND', 404, true],
    [new SignatureError(SignatureErrorCode.NOT_BOUND, 'other record'), 'CONFLICT', 409, true],
    [new ApiError(ApiErrorCode.RATE_LIMITED, 'slow down'), 'RATE_LIMITED', 429, true],
    [Object.assign(new Error('Request body is too large'), { code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 }), 'PAYLOAD_TOO_LARGE', 413, true],
    [new Error('uncoded'), 'INTERNAL_SERVER_ERROR', 500, false],
    ['a thrown string', 'INTERNAL_SERVER_ERROR', 500, false],
  ])('maps %s', (error, graphqlCode, httpStatus, exposeMessage) => {
    expect(mappingFor(error)).toMatchObject({ graphqlCode, httpStatus, exposeMessage });
  });

  it('has unique, module-prefixed codes', () => {
    const codes = mappedCodes();
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) expect(code).toMatch(/^[A-Z]+_[A-Z_]+$/);
  });
});

describe('error map coverage', () => {
  /** Every `export enum XErrorCode { A = 'CODE' }` under libs/ and apps/, read from the sources. */
  function declaredCodes(): Map<string, string[]> {
    const root = path.resolve(__dirname, '../../../..');
    const files = ['libs', 'apps'].flatMap((top) =>
      readdirSync(path.join(root, top), { recursive: true, encoding: 'utf8' })
        .filter((file) => file.endsWith('.ts') && !file.includes('node_modules') && !file.endsWith('.spec.ts'))
        .map((file) => path.join(root, top, file)),
    );
    const enums = new Map<string, string[]>();
    for (const file of files) {
      for (const match of readFileSync(file, 'utf8').matchAll(/export enum (\w+ErrorCode) \{([^}]*)\}/g)) {
        enums.set(match[1] ?? '', [...(match[2] ?? '').matchAll(/=\s*'([A-Z0-9_]+)'/g)].map((value) => value[1] ?? ''));
      }
    }
    return enums;
  }

  it('maps every code of every module, so none reaches a caller as an unplanned 500', () => {
    const mapped = new Set(mappedCodes());
    const declared = declaredCodes();
    expect(declared.size).toBeGreaterThanOrEqual(10);
    const unmapped = [...declared].flatMap(([name, codes]) => codes.filter((code) => !mapped.has(code)).map((code) => `${name}.${code}`));
    expect(unmapped).toEqual([]);
  });
});
