'use strict';
/**
 * The Node.js client of the agreements registry (README.md).
 *
 *   const { RegistryClient, date } = require('@agreements/client');
 *   const client = await RegistryClient.connect({ target: '127.0.0.1:50051' });
 *   const { result } = await client.applyChange('kz-kr-air-2010',
 *     { participant_signed: { party_id: 'kz',
 *       signature: { kind: 'SIGNATURE_KIND_SIMPLE', date: date('2010-03-02') } } },
 *     { requestId: 'sign-kz-1', expectedRevision: 1 });
 * @module agreements
 */

const grpc = require('@grpc/grpc-js');
const { DEFAULT_TARGET, RegistryClient, optionsFromEnv, readTokenFile } = require('./client');
const {
  CODE_NAMES,
  RegistryError,
  decodeStatus,
  encodeStatus,
  statusFromTrailers,
  toRegistryError,
} = require('./errors');
const {
  Backoff,
  FeedSubscription,
  SubscribeResume,
  coveredPosition,
  eventsOf,
  isResumable,
  subscribeRequest,
} = require('./feed');
const { loadApi, protoDir } = require('./protos');
const values = require('./values');

module.exports = {
  Backoff,
  CODE_NAMES,
  DEFAULT_TARGET,
  FeedSubscription,
  RegistryClient,
  RegistryError,
  SubscribeResume,
  coveredPosition,
  date: values.date,
  decodeStatus,
  encodeStatus,
  eventsOf,
  expectedRevision: values.expectedRevision,
  formatDate: values.formatDate,
  isResumable,
  loadApi,
  newRequestId: values.newRequestId,
  nextPosition: values.nextPosition,
  optionsFromEnv,
  protoDir,
  readTokenFile,
  status: grpc.status,
  statusFromTrailers,
  subscribeRequest,
  toRegistryError,
};
