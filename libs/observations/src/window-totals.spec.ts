import { describe, expect, it } from 'vitest';
import { EMPTY_WINDOW, type WindowTotals } from '@clinloop/clinical';
import { decodeWindowParts, encodeWindowParts, FEATURE_WINDOW_DAYS, type FeatureWindowDays } from './feature-windows';

/** A WindowTotals whose every number is distinct (and not an integer), so a swapped field shows. */
function distinct(seed: number): WindowTotals {
  let next = seed;
  const value = () => (next += 1.125);
  const daily = Object.fromEntries(Object.keys(EMPTY_WINDOW).filter((key) => typeof EMPTY_WINDOW[key as keyof WindowTotals] === 'number').map((key) => [key, value()]));
  const fit = () => ({ n: value(), sumX: value(), sumY: value(), sumXX: value(), sumXY: value() });
  return { ...(daily as unknown as WindowTotals), dailyMeanSbp: fit(), dailyMeanDbp: fit() };
}

describe('window_totals storage', () => {
  it('reads back every part and field exactly as written', () => {
    const parts = new Map<FeatureWindowDays, WindowTotals>(FEATURE_WINDOW_DAYS.map((days, index) => [days, distinct(index * 1000 + 0.1)]));
    expect(decodeWindowParts(encodeWindowParts(parts))).toEqual(parts);
  });

  it('writes a missing part as empty', () => {
    const decoded = decodeWindowParts(encodeWindowParts(new Map([[7, distinct(3)]])));
    expect(decoded?.get(14)).toEqual(EMPTY_WINDOW);
    expect(decoded?.get(30)).toEqual(EMPTY_WINDOW);
  });

  it.each([0, 8, 2015, 2017])('refuses a value of %i bytes (another layout): the windows are summed anew', (bytes) => {
    expect(decodeWindowParts(Buffer.alloc(bytes))).toBeNull();
  });
});
