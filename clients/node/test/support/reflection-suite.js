'use strict';
/**
 * The reflection tests, run once per protocol version (reflection-v1.test.js,
 * reflection-v1alpha.test.js): list the services, fetch the health service's descriptor,
 * and call Health/Check and QueryService/ListSectors with types obtained only through
 * reflection.
 */

const assert = require('node:assert/strict');
const { after, before, describe, it } = require('node:test');
const { RegistryClient } = require('../../lib');
const { startServer } = require('./server');
const { ReflectionSession, reflectedClient, unary } = require('./reflection');
const { bilateralAgreement, registerStates } = require('./fixtures');

/**
 * Defines the suite for one version.
 * @param {'v1'|'v1alpha'} version
 */
function describeReflection(version) {
  describe(`grpc.reflection.${version}.ServerReflection`, { timeout: 60000 }, () => {
    let server;
    let session;
    const clients = [];

    before(async () => {
      server = await startServer();
      const registry = await RegistryClient.connect({ target: server.target, healthTimeoutMs: 10000 });
      try {
        await registerStates(registry);
        await registry.recordAgreement(bilateralAgreement('reflected', 'energy', ['kz', 'kr']));
      } finally {
        registry.close();
      }
      session = new ReflectionSession(server.target, version);
    });

    after(async () => {
      for (const client of clients) client.close();
      if (session) session.close();
      if (server) await server.stop();
    });

    it('lists the registry services and the health service', async () => {
      const services = await session.listServices();
      for (const name of ['agreements.v1.QueryService', 'agreements.v1.CommandService', 'grpc.health.v1.Health']) {
        assert.ok(services.includes(name), `${name} in ${services.join(', ')}`);
      }
    });

    it('returns the FileDescriptorProto of grpc.health.v1.Health', async () => {
      const [file] = await session.files({ file_containing_symbol: 'grpc.health.v1.Health' });
      assert.equal(file.name, 'grpc/health/v1/health.proto');
      assert.equal(file.package, 'grpc.health.v1');
      const health = file.service.find((service) => service.name === 'Health');
      assert.ok(health, 'the file declares service Health');
      assert.deepEqual(health.method.map((method) => method.name).sort(), ['Check', 'Watch']);
    });

    it('answers an unknown symbol with NOT_FOUND', async () => {
      const response = await session.ask({ file_containing_symbol: 'no.such.Symbol' });
      assert.equal(response.message_response, 'error_response');
      assert.equal(response.error_response.error_code, 5);
    });

    it('calls Health/Check and ListSectors with reflected types only', async () => {
      const root = await session.rootFor(['grpc.health.v1.Health', 'agreements.v1.QueryService']);

      const health = reflectedClient(root, 'grpc.health.v1.Health', server.target);
      clients.push(health);
      const checked = await unary(health, 'Check', { service: '' });
      assert.equal(checked.status, 'SERVING');

      const queries = reflectedClient(root, 'agreements.v1.QueryService', server.target);
      clients.push(queries);
      const listed = await unary(queries, 'ListSectors', {});
      const sectors = Object.fromEntries(listed.sectors.map((s) => [s.sector, s.agreement_count]));
      assert.equal(sectors.energy, '1');
      assert.equal(sectors.transport, '0');
      assert.equal(listed.position, '4');
    });
  });
}

module.exports = { describeReflection };
