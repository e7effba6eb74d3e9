/**
 * Running sums from which a mean, a sample standard deviation and a least-squares slope follow.
 * Summaries over readings (home-summary) and over stored daily totals (feature-windows) both use
 * them, so each statistic has one formula whether its inputs are values or sums kept in a table.
 */
export interface LinearSums {
  readonly n: number;
  readonly sumX: number;
  readonly sumY: number;
  readonly sumXX: number;
  readonly sumXY: number;
}

export const EMPTY_LINEAR_SUMS: LinearSums = { n: 0, sumX: 0, sumY: 0, sumXX: 0, sumXY: 0 };

export function addPoint(sums: LinearSums, point: { readonly x: number; readonly y: number }): LinearSums {
  return {
    n: sums.n + 1,
    sumX: sums.sumX + point.x,
    sumY: sums.sumY + point.y,
    sumXX: sums.sumXX + point.x * point.x,
    sumXY: sums.sumXY + point.x * point.y,
  };
}

/** The inverse of `addPoint`: takes a point added earlier out again (a day whose mean changed). */
export function removePoint(sums: LinearSums, point: { readonly x: number; readonly y: number }): LinearSums {
  return {
    n: sums.n - 1,
    sumX: sums.sumX - point.x,
    sumY: sums.sumY - point.y,
    sumXX: sums.sumXX - point.x * point.x,
    sumXY: sums.sumXY - point.x * point.y,
  };
}

/** Least-squares slope of y over x; null below 2 distinct x. */
export function slopeOfSums(sums: LinearSums): number | null {
  if (sums.n < 2) return null;
  const varianceX = sums.sumXX - (sums.sumX * sums.sumX) / sums.n;
  // Distinct x values differ by at least a minute of a day here; below that, all points share one x.
  if (varianceX <= 1e-9 * Math.max(1, sums.sumXX)) return null;
  return (sums.sumXY - (sums.sumX * sums.sumY) / sums.n) / varianceX;
}

/** Sample standard deviation from the count, sum and sum of squares; null below 2 values. */
export function sampleSdOfSums(n: number, sum: number, sumOfSquares: number): number | null {
  if (n < 2) return null;
  // Rounding can leave a tiny negative for identical values.
  return Math.sqrt(Math.max(0, sumOfSquares - (sum * sum) / n) / (n - 1));
}
