/** Number formatting for the report: thousands separators, three significant digits below 100. */

/** A figure for a table cell; '—' when missing. */
export function figure(value, { unit = '', digits } = {}) {
  if (value === undefined || value === null || Number.isNaN(value)) return '—';
  let text;
  if (digits !== undefined)
    text = value.toLocaleString('en-US', {
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    });
  else if (Math.abs(value) >= 100) text = Math.round(value).toLocaleString('en-US');
  else if (Math.abs(value) >= 10) text = value.toFixed(1);
  else text = value.toFixed(2);
  return unit ? `${text} ${unit}` : text;
}

/** A ratio such as `0.52×`; '—' when either side is missing. */
export function ratio(value, reference) {
  if (value === undefined || reference === undefined || !reference) return '—';
  const r = value / reference;
  return `${r >= 10 ? r.toFixed(1) : r.toFixed(2)}×`;
}

/** A figure followed by its ratio to the reference: `1,580 (0.52×)`. */
export function withRatio(value, reference, options) {
  if (value === undefined) return '—';
  return `${figure(value, options)} (${ratio(value, reference)})`;
}

/** A Markdown table from a header row and body rows. */
export function table(headers, rows) {
  const line = (cells) =>
    `| ${cells.map((cell) => String(cell).replaceAll('|', '\\|')).join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}
