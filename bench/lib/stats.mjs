/** Small statistics helpers shared by the load generator and the report. */

/** The median of some numbers (undefined when there are none or any is not finite). */
export function median(values) {
  const finite = values.filter((value) => typeof value === 'number' && Number.isFinite(value));
  if (finite.length === 0 || finite.length !== values.length) return undefined;
  const sorted = [...finite].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** The q-quantile (0..1) of an ascending array, nearest rank; undefined when empty. */
export function quantile(sorted, q) {
  if (sorted.length === 0) return undefined;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank];
}
