// The registry's HTTP API (docs/http.md), and the helpers every page uses to show its
// proto3 JSON: enum names without their type prefix, legal dates at their precision,
// money, and safe HTML.

const ENUM_PREFIXES = [
  'AGREEMENT_STATUS_', 'PARTICIPATION_STATUS_', 'INSTRUMENT_KIND_', 'LEGAL_NATURE_',
  'PARTICIPANT_ROLE_', 'CONSENT_MEANS_', 'AMOUNT_TYPE_', 'CONFIDENTIALITY_', 'STREAM_TYPE_',
  'PARTY_TYPE_', 'RELATION_TYPE_', 'ARITY_', 'TERMINATION_GROUND_', 'SIGNATURE_KIND_',
];

// The bearer token, when the registry needs one: ?token=... once, kept for the session.
const params = new URLSearchParams(location.search);
if (params.get('token')) sessionStorage.setItem('agreements-token', params.get('token'));
export const token = () => sessionStorage.getItem('agreements-token') || '';

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.error?.message || `HTTP ${status}`);
    this.status = status;
    this.code = body?.error?.status || '';
  }
}

// GET a JSON route; `query` values that are arrays repeat the parameter.
export async function get(path, query = {}) {
  const url = new URL(path, location.origin);
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    for (const v of Array.isArray(value) ? value : [value]) url.searchParams.append(key, v);
  }
  const headers = token() ? { Authorization: `Bearer ${token()}` } : {};
  const response = await fetch(url, { headers });
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, body);
  return body;
}

// An EventSource on a stream route (the token goes in the query: EventSource sends no
// headers).
export function events(path, query = {}) {
  const url = new URL(path, location.origin);
  for (const [key, value] of Object.entries(query)) url.searchParams.append(key, value);
  if (token()) url.searchParams.set('access_token', token());
  return new EventSource(url);
}

export function shortEnum(value) {
  if (!value) return '';
  for (const prefix of ENUM_PREFIXES) {
    if (value.startsWith(prefix)) return value.slice(prefix.length).toLowerCase().replaceAll('_', ' ');
  }
  return String(value).toLowerCase().replaceAll('_', ' ');
}

export function formatDate(date) {
  if (!date || !date.year) return '';
  const pad = (n) => String(n).padStart(2, '0');
  if (date.precision === 'DATE_PRECISION_YEAR' || !date.month) return String(date.year);
  if (date.precision === 'DATE_PRECISION_MONTH' || !date.day) return `${date.year}-${pad(date.month)}`;
  return `${date.year}-${pad(date.month)}-${pad(date.day)}`;
}

// A sortable key of a legal date ("2009-05" -> "2009-05-00").
export function dateKey(date) {
  const pad = (n) => String(n || 0).padStart(2, '0');
  return `${String(date.year).padStart(4, '0')}-${pad(date.month)}-${pad(date.day)}`;
}

export function formatMoney(money) {
  if (!money) return '';
  const units = BigInt(money.units || '0');
  const nanos = Number(money.nanos || 0);
  const whole = units.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const fraction = nanos ? '.' + String(Math.abs(nanos)).padStart(9, '0').replace(/0+$/, '') : '';
  return `${money.currency_code} ${whole}${fraction}`;
}

export function titleOf(agreement) {
  const titles = agreement.titles || [];
  return (titles.find((t) => t.language === 'en') || titles[0] || { text: agreement.id }).text;
}

export function esc(text) {
  return String(text ?? '').replace(/[&<>"']/g, (c) => ({
    '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

export const link = (kind, id, text) =>
  `<a href="#/${kind}/${encodeURIComponent(id)}">${esc(text ?? id)}</a>`;

export function errorHtml(error) {
  return `<p class="error" role="alert">${esc(error.code || 'Error')}: ${esc(error.message)}</p>`;
}
