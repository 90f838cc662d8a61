// The bench's one summary statistic.

/** The median of the finite values in `list` (the mean of the middle two for an even count); NaN when there are none. */
export function median(list) {
  const sorted = list.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
