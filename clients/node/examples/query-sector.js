#!/usr/bin/env node
'use strict';
/**
 * Shows one sector: every sector's count, the sector's summary (by status, by kind, top
 * parties), and its agreements, page after page.
 *
 *   node examples/query-sector.js --server 127.0.0.1:50051 [--sector transport]
 *     [--status AGREEMENT_STATUS_IN_FORCE] [--token-file F --ca-file F]
 */

const { formatDate } = require('../lib');
const { connect, parseCommandLine, run } = require('./common');

const USAGE = `usage: node examples/query-sector.js [--sector S] [--status STATUS] [connection flags]
  --sector S       a registry sector (default transport)
  --status STATUS  only agreements in this status, e.g. AGREEMENT_STATUS_IN_FORCE`;

const FLAGS = {
  sector: { type: 'string', default: 'transport' },
  status: { type: 'string' },
};

/**
 * "value: count" pairs of a summary list.
 * @param {object[]} counts
 * @param {string} key the field holding the value
 * @param {string} prefix the enum prefix to leave out
 * @returns {string}
 */
function counts(counts, key, prefix) {
  if (counts.length === 0) return '-';
  return counts.map((entry) => `${entry[key].replace(prefix, '').toLowerCase()}: ${entry.count}`).join(', ');
}

/**
 * One line for an agreement.
 * @param {object} agreement
 * @returns {string}
 */
function describeAgreement(agreement) {
  const title = (agreement.titles.find((t) => t.language === 'en') || agreement.titles[0] || {}).text || '';
  const parties = agreement.participations.map((p) => p.party_id).join(', ');
  const signed = formatDate(agreement.signed_on);
  return `  ${agreement.id}  ${agreement.status.replace('AGREEMENT_STATUS_', '')}` +
    `  "${title}"  [${parties}]${signed ? `  signed ${signed}` : ''}  rev ${agreement.revision}`;
}

async function main() {
  const values = parseCommandLine(FLAGS, USAGE);
  const client = await connect(values);
  try {
    const { sectors, position } = await client.listSectors();
    console.log(`sectors at position ${position}: ` +
      sectors.map((entry) => `${entry.sector} ${entry.agreement_count}`).join(', '));

    const { summary } = await client.getSectorSummary(values.sector, { topParties: 5 });
    console.log(`${summary.sector}: ${summary.agreement_count} agreements`);
    console.log(`  by status: ${counts(summary.by_status, 'status', 'AGREEMENT_STATUS_')}`);
    console.log(`  by kind: ${counts(summary.by_kind, 'instrument_kind', 'INSTRUMENT_KIND_')}`);
    console.log(`  top parties: ${summary.top_parties.map((p) => `${p.party_id} (${p.agreement_count})`).join(', ') || '-'}`);

    const request = { sector: values.sector, page_size: 100 };
    if (values.status) request.status = values.status;
    console.log(`agreements${values.status ? ` (${values.status})` : ''}:`);
    let listed = 0;
    for await (const agreement of client.agreements(request)) {
      console.log(describeAgreement(agreement));
      listed += 1;
    }
    console.log(`${listed} listed`);
  } finally {
    client.close();
  }
}

run(main);
