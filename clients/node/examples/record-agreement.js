#!/usr/bin/env node
'use strict';
/**
 * Records a bilateral agreement and signs it by both parties, each change based on the
 * revision the previous one returned (expected revision), then shows what a stale
 * revision gets. Request ids are derived from the agreement id, so running the example
 * again replays every write instead of appending ("replayed").
 *
 *   node examples/record-agreement.js --server 127.0.0.1:50051 [--id kz-kr-air-2010]
 *     [--token-file F --ca-file F]
 */

const { RegistryError, date, status } = require('../lib');
const { connect, parseCommandLine, run } = require('./common');

const USAGE = `usage: node examples/record-agreement.js [--id ID] [connection flags]
  --id ID   the agreement's id (default kz-kr-air-2010)`;

const PARTIES = [
  { id: 'kz', type: 'PARTY_TYPE_STATE', country_code: 'KZ', names: [{ language: 'en', text: 'Republic of Kazakhstan' }] },
  { id: 'kr', type: 'PARTY_TYPE_STATE', country_code: 'KR', names: [{ language: 'en', text: 'Republic of Korea' }] },
];

/**
 * Registers a party unless it exists (registered by someone else, under another request
 * id).
 * @param {import('../lib').RegistryClient} client
 * @param {object} party
 */
async function ensureParty(client, party) {
  try {
    const { result } = await client.registerParty(party, { requestId: `example-party-${party.id}` });
    console.log(`party ${party.id}: ${result.replayed ? 'replayed' : `registered at position ${result.last_position}`}`);
  } catch (err) {
    if (!(err instanceof RegistryError) || err.code !== status.ALREADY_EXISTS) throw err;
    console.log(`party ${party.id}: already registered`);
  }
}

/**
 * The agreement to record.
 * @param {string} id
 * @returns {object}
 */
function airServicesAgreement(id) {
  return {
    id,
    designation: 'Agreement',
    instrument_kind: 'INSTRUMENT_KIND_AGREEMENT',
    legal_nature: 'LEGAL_NATURE_BINDING_INTERNATIONAL',
    titles: [{ language: 'en', text: 'Air Services Agreement' }],
    arity: 'ARITY_BILATERAL',
    participations: PARTIES.map((party) => ({ party_id: party.id, roles: ['PARTICIPANT_ROLE_PARTY'] })),
    classifications: [{ scheme: 'CLASSIFICATION_SCHEME_REGISTRY_SECTOR', code: 'transport' }],
  };
}

/**
 * A signature by one party.
 * @param {string} partyId
 * @returns {object} the change
 */
function signature(partyId) {
  return {
    participant_signed: {
      party_id: partyId,
      signature: { kind: 'SIGNATURE_KIND_SIMPLE', date: date('2010-03-02'), place: 'Seoul' },
    },
  };
}

/**
 * The agreement's revision right after a write, from its CommitResult. A replayed write
 * answers with the original result (and the agreement as it is now), so a re-run bases
 * each step on the same revision as the first run did.
 * @param {object} result a CommitResult
 * @param {string} id
 * @returns {string}
 */
function revisionAfter(result, id) {
  return result.streams.find((stream) => stream.stream_id === id).revision;
}

/**
 * Prints one write's outcome.
 * @param {string} what
 * @param {string} id the agreement
 * @param {{result: object, agreement: object}} response
 */
function report(what, id, response) {
  const { result, agreement } = response;
  const outcome = result.replayed ? 'replayed' : `position ${result.last_position}`;
  console.log(`${what}: ${outcome}, revision ${revisionAfter(result, id)}, now ${agreement.status}`);
}

async function main() {
  const values = parseCommandLine({ id: { type: 'string', default: 'kz-kr-air-2010' } }, USAGE);
  const client = await connect(values);
  try {
    const id = values.id;
    for (const party of PARTIES) await ensureParty(client, party);

    const recorded = await client.recordAgreement(airServicesAgreement(id), { requestId: `example-record-${id}` });
    report(`recorded ${id}`, id, recorded);
    let revision = revisionAfter(recorded.result, id);
    for (const party of PARTIES) {
      const signed = await client.applyChange(id, signature(party.id), {
        requestId: `example-sign-${id}-${party.id}`,
        expectedRevision: revision,
      });
      report(`signed by ${party.id}`, id, signed);
      revision = revisionAfter(signed.result, id);
    }

    // A change based on a revision that is no longer current is refused, and nothing is
    // appended: re-read and decide again.
    try {
      await client.applyChange(id, signature('kz'), { expectedRevision: revisionAfter(recorded.result, id) });
    } catch (err) {
      if (!(err instanceof RegistryError) || err.code !== status.ABORTED) throw err;
      const current = err.metadata.current_revision || '(not sent)';
      console.log(`stale revision refused: ${err.codeName} ${err.reason || '(no reason sent)'}, current revision ${current}`);
    }
  } finally {
    client.close();
  }
}

run(main);
