// A bar chart of counts per period as inline SVG with a text equivalent (a table), so
// that screen readers and keyboard users get the same figures.
import { esc } from './api.js';

export function periodChart(periods, title) {
  if (!periods.length) return '<p class="muted">Nothing recorded yet.</p>';
  const width = Math.max(320, periods.length * 44);
  const height = 180;
  const max = Math.max(1, ...periods.map((p) => Math.max(p.recorded, p.signed)));
  const scale = (n) => Math.round((n / max) * (height - 40));
  const bars = periods.map((p, i) => {
    const x = 24 + i * 44;
    const r = scale(p.recorded);
    const s = scale(p.signed);
    return `<rect class="bar" x="${x}" y="${height - 20 - r}" width="16" height="${r}"><title>${esc(p.period)}: ${p.recorded} recorded</title></rect>` +
      `<rect class="bar signed" x="${x + 17}" y="${height - 20 - s}" width="16" height="${s}"><title>${esc(p.period)}: ${p.signed} signed</title></rect>` +
      `<text x="${x}" y="${height - 5}">${esc(p.period)}</text>`;
  }).join('');
  const rows = periods.map((p) =>
    `<tr><td>${esc(p.period)}</td><td>${p.recorded}</td><td>${p.signed}</td><td>${p.inForce}</td><td>${p.ended}</td></tr>`).join('');
  return `<figure>
    <div class="scroll"><svg class="chart" role="img" aria-label="${esc(title)}" width="${width}" height="${height}">${bars}</svg></div>
    <figcaption class="legend"><span class="key-recorded"></span>recorded
      <span class="key-signed"></span>signed</figcaption>
    <details><summary>Figures</summary><table><thead><tr><th scope="col">Period</th><th scope="col">Recorded</th>
      <th scope="col">Signed</th><th scope="col">In force</th><th scope="col">Ended</th></tr></thead>
      <tbody>${rows}</tbody></table></details></figure>`;
}

// Sums the sectors' statistics per period.
export function mergePeriods(sectors) {
  const by = new Map();
  for (const sector of sectors || []) {
    for (const p of sector.periods || []) {
      const entry = by.get(p.period) || { period: p.period, recorded: 0, signed: 0, inForce: 0, ended: 0 };
      entry.recorded += Number(p.recorded_count || 0);
      entry.signed += Number(p.signed_count || 0);
      entry.inForce += Number(p.entered_into_force_count || 0);
      entry.ended += Number(p.ended_count || 0);
      by.set(p.period, entry);
    }
  }
  return [...by.values()].sort((a, b) => a.period.localeCompare(b.period));
}
