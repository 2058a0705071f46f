// The agreement page: facts, participants, amounts, documents, relations, a timeline by
// legal date, the recorded history (who, when, why, what changed), and the "verified"
// mark (its latest event checked against the signed log in this browser).
import { get, shortEnum, formatDate, formatMoney, titleOf, esc, link, dateKey } from './api.js';
import { verifyEvent } from './verify.js';

// Every dated fact of the agreement, in legal-date order.
export function timelineOf(a) {
  const entries = [];
  const add = (date, text) => { if (date && date.year) entries.push({ date, text }); };
  add(a.adopted_on, 'Text adopted');
  add(a.opened_for_signature_on, 'Opened for signature');
  add(a.provisionally_applied_from, 'Provisional application begins');
  add(a.provisional_application_ended_on, 'Provisional application ends');
  add(a.entered_into_force_on, 'Entered into force');
  for (const p of a.participations || []) {
    const who = p.party_id;
    add(p.signature?.date, `Signed by ${who}${p.signature?.kind ? ` (${shortEnum(p.signature.kind)})` : ''}`);
    add(p.consent?.deposit_date || p.consent?.act_date,
        `${who}: consent to be bound (${shortEnum(p.consent?.means) || 'recorded'})`);
    add(p.provisionally_applied_from, `${who} applies it provisionally`);
    if (p.in_force_from?.year && formatDate(p.in_force_from) !== formatDate(a.entered_into_force_on)) {
      add(p.in_force_from, `In force for ${who}`);
    }
    add(p.withdrawal?.notified_on, `${who} notifies its withdrawal`);
    add(p.withdrawal?.takes_effect_on, `${who}'s withdrawal takes effect`);
    add(p.left_on, `${who} is no longer a party`);
    add(p.non_participation_declared_on, `${who} declares it will not become a party`);
  }
  for (const r of a.registrations || []) add(r.date, `Registered (${shortEnum(r.kind)} ${r.number || ''})`);
  add(a.expires_on, 'Expires');
  add(a.ended_on, `Ended${a.termination_ground ? ` (${shortEnum(a.termination_ground)})` : ''}`);
  if (a.status === 'AGREEMENT_STATUS_SUSPENDED') {
    entries.push({ date: { year: 9999 }, text: 'Suspended (current status)', undated: true });
  }
  return entries.sort((x, y) => dateKey(x.date).localeCompare(dateKey(y.date)));
}

function factsHtml(a) {
  const row = (label, value) => value ? `<dt>${label}</dt><dd>${value}</dd>` : '';
  return `<dl class="facts">
    ${row('Status', esc(shortEnum(a.status)))}
    ${row('Kind', esc(shortEnum(a.instrument_kind)))}
    ${row('Legal nature', esc(shortEnum(a.legal_nature)))}
    ${row('Designation', esc(a.designation))}
    ${row('Sectors', (a.sectors || []).map((s) => link('sector', s, shortEnum(s))).join(', '))}
    ${row('Signed', esc(formatDate(a.signed_on)))}
    ${row('In force', esc(formatDate(a.entered_into_force_on)))}
    ${row('Place', esc(a.place_of_conclusion))}
    ${row('Identifiers', esc((a.identifiers || []).map((i) => `${i.scheme}:${i.value}`).join(', ')))}
    ${row('Confidentiality', esc(shortEnum(a.confidentiality || 'CONFIDENTIALITY_PUBLIC')))}
    ${row('Revision', `${esc(a.revision)} (last event #${esc(a.last_position)})`)}
  </dl>${a.summary ? `<p>${esc(a.summary)}</p>` : ''}`;
}

function participantsHtml(a, legal) {
  const standing = new Map((legal?.participants || []).map((p) => [p.party_id, p]));
  const rows = (a.participations || []).map((p) => {
    const on = standing.get(p.party_id);
    return `<tr><td>${link('party', p.party_id)}</td><td>${esc((p.roles || []).map(shortEnum).join(', '))}</td>
      <td>${esc(shortEnum(p.status))}${on ? ` <span class="muted">(on ${esc(formatDate(legal.date))}: ${esc(shortEnum(on.status))}${on.in_force_for ? ', in force' : ''})</span>` : ''}</td>
      <td>${esc(formatDate(p.signature?.date))}</td><td>${esc(shortEnum(p.consent?.means))} ${esc(formatDate(p.consent?.deposit_date))}</td>
      <td>${esc(formatDate(p.in_force_from))}</td><td>${esc(formatDate(p.left_on))}</td></tr>`;
  }).join('');
  return `<div class="scroll"><table><thead><tr><th scope="col">Party</th><th scope="col">Roles</th><th scope="col">Status</th>
    <th scope="col">Signed</th><th scope="col">Consent</th><th scope="col">In force from</th><th scope="col">Left</th></tr></thead>
    <tbody>${rows}</tbody></table></div>`;
}

function listsHtml(a) {
  const amounts = (a.amounts || []).map((m) => `<li>${esc(formatMoney(m.value))} · ${esc(shortEnum(m.type))}${m.description ? ` — ${esc(m.description)}` : ''}</li>`).join('');
  // Only http(s) addresses become links: a recorded URL may have any scheme.
  const documentLink = (d) => /^https?:\/\//i.test(d.url)
    ? `<a href="${esc(d.url)}" rel="noopener noreferrer">${esc(d.title || d.url)}</a>`
    : `${esc(d.title || '')} <code>${esc(d.url)}</code>`;
  const documents = (a.documents || []).map((d) => `<li>${documentLink(d)} <span class="muted">${esc(d.language || '')} sha256 ${esc((d.sha256 || '').slice(0, 12))}…</span></li>`).join('');
  const relations = (a.relations || []).map((r) => `<li>${esc(shortEnum(r.type))} ${link('agreement', r.target_agreement_id)}${r.note ? ` — ${esc(r.note)}` : ''}</li>`).join('');
  const section = (title, items) => `<h2>${title}</h2>${items ? `<ul>${items}</ul>` : '<p class="muted">None recorded.</p>'}`;
  return section('Amounts', amounts) + section('Documents', documents) + section('Relations', relations);
}

async function historyHtml(id) {
  const [history, diff] = await Promise.all([
    get(`/v1/agreements/${encodeURIComponent(id)}/history`, { page_size: 200 }),
    get(`/v1/agreements/${encodeURIComponent(id)}/diff`, { from_revision: 0 })]);
  const changes = new Map();
  for (const c of diff.changes || []) {
    const list = changes.get(c.revision) || [];
    list.push(c);
    changes.set(c.revision, list);
  }
  const rows = (history.events || []).map((event) => {
    const e = event.envelope;
    const fields = (changes.get(e.revision) || []).map((c) =>
      `<li class="diff">${esc(c.field)}: ${esc(c.old_value || '∅')} → ${esc(c.new_value || '∅')}</li>`).join('');
    return `<tr><td>${esc(e.revision)}</td><td>${esc(e.event_type.replaceAll('_', ' '))}</td>
      <td><time datetime="${esc(e.recorded_at)}">${esc(e.recorded_at)}</time></td><td>${esc(e.actor)}</td>
      <td>${esc(e.reason)}${fields ? `<ul>${fields}</ul>` : ''}</td></tr>`;
  }).join('');
  return `<div class="scroll"><table><thead><tr><th scope="col">Rev.</th><th scope="col">Event</th><th scope="col">Recorded</th>
    <th scope="col">By</th><th scope="col">Why, and what changed</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

async function showVerification(element, position) {
  // The latest event may be newer than the latest signed checkpoint: try for a while.
  let result;
  for (let attempt = 0; attempt < 10; ++attempt) {
    result = await verifyEvent(position);
    if (result.ok || result.treeSize >= position) break;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  element.innerHTML = result.ok
    ? `<span class="verified" id="verified-mark">✓ Verified</span> <span class="muted">${esc(result.steps.join('; '))}. Pinned key ${esc(result.key)}, first seen ${esc(result.firstSeen)}.</span>`
    : `<span class="unverified" id="verified-mark">✗ Not verified</span> <span class="muted">${esc(result.reason)}${result.key ? `. Pinned key ${esc(result.key)}.` : ''}</span>`;
}

export async function agreementPage(main, id, asOf, onDate) {
  const past = Object.keys(asOf).length > 0;
  const path = `/v1/agreements/${encodeURIComponent(id)}`;
  const view = past ? await get(`${path}/as-of`, asOf) : await get(path);
  const a = view.agreement;
  const legal = onDate ? await get(`${path}/legal-status`, { date: onDate, ...asOf }) : null;
  const timeline = timelineOf(a).map((e) =>
    `<li><time>${esc(e.undated ? 'now' : formatDate(e.date))}</time>${esc(e.text)}</li>`).join('');
  main.innerHTML = `<h1>${esc(titleOf(a))}</h1>
    <p id="verification" role="status">Checking against the signed log…</p>
    ${past ? '<p class="muted">As recorded at the chosen point.</p>' : ''}
    ${legal ? `<p><strong>On ${esc(formatDate(legal.date))}:</strong> ${esc(shortEnum(legal.status))}${legal.in_force ? ', in force' : ''}${legal.uncertain ? ' (uncertain: a date is known only to the month or year)' : ''}</p>` : ''}
    <div class="two"><section>${factsHtml(a)}
      <h2>Participants</h2>${participantsHtml(a, legal)}
      ${listsHtml(a)}</section>
    <aside><h2>Timeline</h2>${timeline ? `<ol class="timeline" id="timeline">${timeline}</ol>` : '<p class="muted">No dated fact recorded.</p>'}</aside></div>
    <h2>Recorded history</h2><div id="history"><p>Loading…</p></div>`;
  showVerification(document.getElementById('verification'), Number(a.last_position));
  document.getElementById('history').innerHTML = await historyHtml(id);
}
