// The party page: its names, its agreements (with its status in each, on a chosen legal
// date when one is set), and its agreements per sector and year.
import { get, shortEnum, formatDate, esc, link } from './api.js';
import { periodChart, mergePeriods } from './chart.js';

export async function partyPage(main, id, asOf, onDate) {
  const past = Object.keys(asOf).length > 0;
  const path = `/v1/parties/${encodeURIComponent(id)}`;
  const party = (past ? await get(`${path}/as-of`, asOf) : await get(path)).party;
  const names = (party.names || []).map((n) => `${esc(n.text)} <span class="muted">(${esc(n.language)})</span>`).join('<br>');
  const standing = await get(`${path}/agreements-on`, { ...asOf, date: onDate, page_size: 100 });
  const rows = (standing.agreements || []).map((a) => {
    const title = (a.titles || []).find((t) => t.language === 'en') || (a.titles || [])[0];
    return `<tr><td>${link('agreement', a.agreement_id, title ? title.text : a.agreement_id)}</td>
      <td>${esc(shortEnum(a.agreement_status))}</td><td>${esc(shortEnum(a.participant?.status))}</td>
      <td>${a.participant?.in_force_for ? 'yes' : 'no'}</td></tr>`;
  }).join('');
  const statistics = await get(`${path}/statistics`);
  const bySector = (statistics.sectors || []).filter((s) => (s.periods || []).length).map((s) =>
    `<h3>${link('sector', s.sector, shortEnum(s.sector))}</h3>${periodChart(mergePeriods([s]), `${id} in ${s.sector} per year`)}`).join('');
  main.innerHTML = `<h1>${esc((party.names || [])[0]?.text || id)}</h1>
    <dl class="facts"><dt>Id</dt><dd>${esc(party.id)}</dd><dt>Type</dt><dd>${esc(shortEnum(party.type))}</dd>
      <dt>Country</dt><dd>${esc(party.country_code || '')}</dd><dt>Names</dt><dd>${names}</dd></dl>
    <h2>Agreements${onDate ? ` and its standing on ${esc(onDate)}` : ' and its standing now'}</h2>
    <div class="scroll"><table><thead><tr><th scope="col">Agreement</th><th scope="col">Agreement status</th>
      <th scope="col">Its status</th><th scope="col">In force for it</th></tr></thead><tbody>${rows}</tbody></table></div>
    <p class="muted">${esc(standing.total_count || 0)} agreement${Number(standing.total_count) === 1 ? '' : 's'}.</p>
    <h2>Per sector and year</h2>${bySector || '<p class="muted">None.</p>'}`;
}
