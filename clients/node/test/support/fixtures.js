'use strict';
/**
 * Parties and agreements the tests record, built as the protos' plain objects.
 */

const { date } = require('../../lib');

/**
 * A state party.
 * @param {string} id
 * @param {string} countryCode ISO 3166-1 alpha-2
 * @param {string} name English name
 * @returns {object}
 */
function stateParty(id, countryCode, name) {
  return {
    id,
    type: 'PARTY_TYPE_STATE',
    country_code: countryCode,
    names: [{ language: 'en', text: name }],
  };
}

/**
 * A bilateral binding agreement between two parties in one registry sector.
 * @param {string} id
 * @param {string} sector e.g. 'transport'
 * @param {string[]} partyIds two party ids
 * @param {string} [title]
 * @returns {object}
 */
function bilateralAgreement(id, sector, partyIds, title = `Agreement ${id}`) {
  return {
    id,
    designation: 'Agreement',
    instrument_kind: 'INSTRUMENT_KIND_AGREEMENT',
    legal_nature: 'LEGAL_NATURE_BINDING_INTERNATIONAL',
    titles: [{ language: 'en', text: title }],
    arity: 'ARITY_BILATERAL',
    participations: partyIds.map((party_id) => ({ party_id, roles: ['PARTICIPANT_ROLE_PARTY'] })),
    classifications: [{ scheme: 'CLASSIFICATION_SCHEME_REGISTRY_SECTOR', code: sector }],
  };
}

/**
 * A signature change.
 * @param {string} partyId
 * @param {string} on YYYY-MM-DD
 * @returns {object} an EventPayload
 */
function signed(partyId, on) {
  return {
    participant_signed: {
      party_id: partyId,
      signature: { kind: 'SIGNATURE_KIND_SIMPLE', date: date(on) },
    },
  };
}

/**
 * A consent (ratification) change.
 * @param {string} partyId
 * @param {string} on YYYY-MM-DD
 * @returns {object} an EventPayload
 */
function ratified(partyId, on) {
  return {
    consent_expressed: {
      party_id: partyId,
      consent: { means: 'CONSENT_MEANS_RATIFICATION', act_date: date(on), deposit_date: date(on) },
    },
  };
}

/**
 * An entry into force of the whole instrument.
 * @param {string} on YYYY-MM-DD
 * @returns {object} an EventPayload
 */
function enteredIntoForce(on) {
  return { entered_into_force: { effective_date: date(on) } };
}

/**
 * Registers the parties of the tests (kz, kr, uz) with fixed request ids.
 * @param {import('../../lib').RegistryClient} client
 */
async function registerStates(client) {
  const states = [
    stateParty('kz', 'KZ', 'Republic of Kazakhstan'),
    stateParty('kr', 'KR', 'Republic of Korea'),
    stateParty('uz', 'UZ', 'Republic of Uzbekistan'),
  ];
  for (const party of states) {
    await client.registerParty(party, { requestId: `test-party-${party.id}` });
  }
}

module.exports = {
  bilateralAgreement,
  enteredIntoForce,
  ratified,
  registerStates,
  signed,
  stateParty,
};
