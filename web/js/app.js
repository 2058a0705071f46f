// The explorer's pages, chosen by the URL's hash: #/ (sectors), #/sector/CODE,
// #/agreement/ID, #/party/ID, #/search. The "as of" form applies to every page: a past
// position or recorded time (as_of), and a legal date for statuses (on).
import { get, events, shortEnum, formatDate, formatMoney, titleOf, esc, link, errorHtml } from './api.js';
import { periodChart, mergePeriods } from './chart.js';
import { agreementPage } from './agreement.js';
import { partyPage } from './party.js';

const main = document.getElementById('main');
let ticker = null;  // the live ticker's EventSource, closed when the page changes

// The "as of" state, kept in sessionStorage so that it survives navigation.
export function asOf() {
  const value = sessionStorage.getItem('agreements-as-of') || '';
  if (!value) return {};
  return /^\d+$/.test(value) ? { 'as_of.position': value } : { 'as_of.recorded_at': value };
}
export const onDate = () => sessionStorage.getItem('agreements-on') || '';

function showAsOf() {
  const banner = document.getElementById('as-of-banner');
  const parts = [];
  if (sessionStorage.getItem('agreements-as-of')) parts.push(`as recorded at ${sessionStorage.getItem('agreements-as-of')}`);
  if (onDate()) parts.push(`legal status on ${onDate()}`);
  banner.hidden = parts.length === 0;
  banner.textContent = parts.length ? `Showing the registry ${parts.join(', ')}.` : '';
  document.getElementById('as-of-input').value = sessionStorage.getItem('agreements-as-of') || '';
  document.getElementById('on-date-input').value = onDate();
}

document.getElementById('as-of').addEventListener('submit', (event) => {
  event.preventDefault();
  sessionStorage.setItem('agreements-as-of', document.getElementById('as-of-input').value.trim());
  sessionStorage.setItem('agreements-on', document.getElementById('on-date-input').value.trim());
  route();
});
document.getElementById('as-of-clear').addEventListener('click', () => {
  sessionStorage.removeItem('agreements-as-of');
  sessionStorage.removeItem('agreements-on');
  route();
});

async function homePage() {
  const past = Object.keys(asOf()).length > 0;
  const [sectors, statistics] = await Promise.all([
    get('/v1/sectors'), get('/v1/statistics')]);
  const cards = await Promise.all(sectors.sectors.map(async (s) => {
    const summary = past ? (await get(`/v1/sectors/${s.sector}/as-of`, asOf())).summary
                         : (await get(`/v1/sectors/${s.sector}/summary`)).summary;
    const count = Number(summary?.agreement_count || 0);
    const amounts = (summary?.amount_totals || []).map((t) => `${formatMoney(t.total)} (${shortEnum(t.type)})`);
    return `<article class="card" data-sector="${esc(s.sector)}"><h3>${link('sector', s.sector, shortEnum(s.sector))}</h3>
      <p>${count} agreement${count === 1 ? '' : 's'}</p>
      ${amounts.length ? `<p class="muted">${amounts.map(esc).join('<br>')}</p>` : ''}</article>`;
  }));
  main.innerHTML = `<h1>Sectors</h1>
    <p class="muted">Position ${esc(sectors.position)}${past ? ' (counts as recorded at the chosen point)' : ''}.</p>
    <div class="two"><section aria-labelledby="sectors-h"><h2 id="sectors-h">Every sector</h2>
      <div class="grid">${cards.join('')}</div>
      <h2>Agreements per year</h2>${periodChart(mergePeriods(statistics.sectors), 'Agreements recorded and signed per year')}</section>
    <section aria-labelledby="live-h"><h2 id="live-h">Live</h2>
      <p class="muted" id="ticker-state">Connecting…</p>
      <ol class="ticker" id="ticker" aria-live="polite"></ol></section></div>`;
  startTicker();
}

function startTicker() {
  ticker = events('/v1/events', { from_now: 'true' });
  const list = document.getElementById('ticker');
  const state = document.getElementById('ticker-state');
  ticker.addEventListener('caught_up', () => { state.textContent = 'Live: new events appear here.'; });
  ticker.addEventListener('event', (message) => {
    const event = JSON.parse(message.data);
    const e = event.envelope;
    const kind = e.stream_type === 'STREAM_TYPE_PARTY' ? 'party' : 'agreement';
    const item = document.createElement('li');
    item.innerHTML = `<strong>${esc(e.event_type.replaceAll('_', ' '))}</strong> ${link(kind, e.stream_id)}
      <span class="muted">#${esc(e.position)} · ${esc(e.actor)} · ${esc(e.recorded_at)}</span>`;
    list.prepend(item);
  });
  ticker.addEventListener('error', () => { state.textContent = 'Reconnecting…'; });
}

const ORDERS = [['', 'Id'], ['title', 'Title'], ['signed_on desc', 'Signed (newest)'],
  ['signed_on', 'Signed (oldest)'], ['entered_into_force_on desc', 'In force (newest)'],
  ['create_time desc', 'Recorded (newest)']];
const STATUSES = ['', 'draft', 'negotiating', 'adopted', 'open_for_signature', 'signed_not_in_force',
  'provisionally_applied', 'in_force', 'suspended', 'terminated'];

function agreementRows(list) {
  return list.map((a) => `<tr><td>${link('agreement', a.id, titleOf(a))}</td><td>${esc(shortEnum(a.status))}</td>
    <td>${esc(shortEnum(a.instrument_kind))}</td><td>${esc(formatDate(a.signed_on))}</td>
    <td>${esc((a.participations || []).map((p) => p.party_id).join(', '))}</td></tr>`).join('');
}

const TABLE_HEAD = `<thead><tr><th scope="col">Agreement</th><th scope="col">Status</th><th scope="col">Kind</th>
  <th scope="col">Signed</th><th scope="col">Participants</th></tr></thead>`;

// A filterable, sortable, paged list of agreements under `container`.
function agreementList(container, fixed) {
  const form = `<form class="filters" aria-label="Filter agreements">
    <label>Search<input name="query" type="search" placeholder="words of titles, summaries, parties"></label>
    <label>Status<select name="status">${STATUSES.map((s) => `<option value="${s}">${s ? shortEnum('AGREEMENT_STATUS_' + s.toUpperCase()) : 'any'}</option>`).join('')}</select></label>
    <label>Order<select name="order_by">${ORDERS.map(([v, t]) => `<option value="${v}">${t}</option>`).join('')}</select></label>
    <button type="submit">Show</button></form>
    <div class="scroll"><table>${TABLE_HEAD}<tbody></tbody></table></div>
    <p><button type="button" class="more" hidden>More</button> <span class="count muted"></span></p>`;
  container.innerHTML = form;
  const body = container.querySelector('tbody');
  const more = container.querySelector('.more');
  let query = {};
  let token = '';
  let shown = 0;
  async function load(reset) {
    if (reset) { body.innerHTML = ''; token = ''; shown = 0; }
    try {
      const page = await get('/v1/agreements', { ...fixed, ...query, page_size: 25, page_token: token });
      body.insertAdjacentHTML('beforeend', agreementRows(page.agreements || []));
      shown += (page.agreements || []).length;
      token = page.next_page_token || '';
      more.hidden = !token;
      container.querySelector('.count').textContent = `${shown} shown`;
    } catch (error) {
      body.innerHTML = `<tr><td colspan="5">${errorHtml(error)}</td></tr>`;
    }
  }
  container.querySelector('form').addEventListener('submit', (event) => {
    event.preventDefault();
    query = Object.fromEntries(new FormData(event.target));
    load(true);
  });
  more.addEventListener('click', () => load(false));
  return load(true);
}

async function sectorPage(sector) {
  const past = Object.keys(asOf()).length > 0;
  const view = past ? await get(`/v1/sectors/${sector}/as-of`, asOf())
                    : await get(`/v1/sectors/${sector}/summary`, { top_parties: 10 });
  const summary = view.summary || {};
  const statuses = (summary.by_status || []).map((s) =>
    `<tr><td>${esc(shortEnum(s.status))}</td><td>${esc(s.count)}</td></tr>`).join('');
  const parties = (summary.top_parties || []).map((p) =>
    `<tr><td>${link('party', p.party_id)}</td><td>${esc(p.agreement_count)}</td></tr>`).join('');
  const statistics = await get(`/v1/sectors/${sector}/statistics`);
  main.innerHTML = `<h1>Sector: ${esc(shortEnum(sector))}</h1>
    <p class="muted">${esc(summary.agreement_count || 0)} agreements · position ${esc(view.position)}</p>
    <div class="two"><section aria-labelledby="list-h"><h2 id="list-h">Agreements</h2><div id="list"></div></section>
    <aside><h2>Status</h2><table><thead><tr><th scope="col">Status</th><th scope="col">Agreements</th></tr></thead><tbody>${statuses}</tbody></table>
      <h2>Top parties</h2><table><thead><tr><th scope="col">Party</th><th scope="col">Agreements</th></tr></thead><tbody>${parties}</tbody></table>
      <h2>Per year</h2>${periodChart(mergePeriods(statistics.sectors), `Agreements of ${sector} per year`)}</aside></div>`;
  const list = document.getElementById('list');
  if (past) {
    list.innerHTML = `<p class="muted">As recorded at the chosen point:</p><div class="scroll"><table>${TABLE_HEAD}<tbody>${agreementRows(view.agreements || [])}</tbody></table></div>`;
  } else {
    await agreementList(list, { sector });
  }
}

async function searchPage() {
  main.innerHTML = '<h1>Search every sector</h1><div id="list"></div>';
  await agreementList(document.getElementById('list'), {});
}

async function route() {
  if (ticker) { ticker.close(); ticker = null; }
  showAsOf();
  const [, kind, id] = (location.hash || '#/').slice(1).split('/').map(decodeURIComponent);
  main.innerHTML = '<p>Loading…</p>';
  try {
    if (kind === 'sector') await sectorPage(id);
    else if (kind === 'agreement') await agreementPage(main, id, asOf(), onDate());
    else if (kind === 'party') await partyPage(main, id, asOf(), onDate());
    else if (kind === 'search') await searchPage();
    else await homePage();
  } catch (error) {
    main.innerHTML = errorHtml(error);
  }
  document.title = `${main.querySelector('h1')?.textContent || 'Explorer'} · Agreements registry`;
}

window.addEventListener('hashchange', route);
route();
