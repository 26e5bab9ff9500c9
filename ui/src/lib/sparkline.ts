/** Points for `values` in a `width` × `height` box: the lowest value on the bottom edge, the
 * highest `pad` below the top edge, a flat line across the middle, a single value in the centre. */
export function sparkPoints(values: number[], width: number, height: number, pad = 2): [number, number][] {
  if (values.length === 0) return [];
  const low = Math.min(...values);
  const high = Math.max(...values);
  const span = high - low;
  const step = values.length > 1 ? width / (values.length - 1) : 0;
  return values.map((v, i) => [
    values.length > 1 ? i * step : width / 2,
    span === 0 ? height / 2 : height - ((v - low) / span) * (height - pad),
  ]);
}
