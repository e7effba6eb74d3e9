import { describe, expect, it } from 'vitest';
import { arrayLiteral } from './array-literal';

describe('arrayLiteral', () => {
  it.each<[string, (string | number | boolean | null | undefined)[], string]>([
    ['empty', [], '{}'],
    ['numbers, nulls and undefined', [1, -2.5, 0, null, undefined, 1e-7], '{1,-2.5,0,NULL,NULL,1e-7}'],
    ['booleans', [true, false], '{t,f}'],
    ['uuids and ISO instants as they are', ['1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed', '2026-11-23T15:40:00.000Z'], '{1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed,2026-11-23T15:40:00.000Z}'],
    ['a comma or brace would split or end the array: quoted', ['a,b', '}', '{x}'], '{"a,b","}","{x}"}'],
    ['quotes and backslashes escaped', ['say "hi"', 'C:\\fw'], '{"say \\"hi\\"","C:\\\\fw"}'],
    ['the word NULL is a string, not a null', ['NULL', 'null'], '{"NULL","null"}'],
    ['an empty string and spaces are quoted', ['', ' 1.2 '], '{""," 1.2 "}'],
  ])('%s', (_name, values, expected) => {
    expect(arrayLiteral(values)).toBe(expected);
  });
});
