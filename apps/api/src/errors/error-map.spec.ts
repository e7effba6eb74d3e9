import { describe, expect, it } from 'vitest';
import { ConfigError, ConfigErrorCode } from '@clinloop/config';
import { DatabaseError, DatabaseErrorCode } from '@clinloop/database';
import { ApiError, ApiErrorCode } from './api-errors';
import { mappedCodes, mappingFor } from './error-map';

describe('error map', () => {
  it.each([
    [new ApiError(ApiErrorCode.NOT_FOUND, 'No such patient'), 'NOT_FOUND', 404, true],
    [new ApiError(ApiErrorCode.BAD_REQUEST, 'Bad'), 'BAD_REQUEST', 400, true],
    [new DatabaseError(DatabaseErrorCode.UNAVAILABLE, 'down'), 'SERVICE_UNAVAILABLE', 503, false],
    [new ConfigError(ConfigErrorCode.INVALID_SETTING, 'bad'), 'INTERNAL_SERVER_ERROR', 500, false],
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
