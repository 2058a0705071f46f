'use strict';
/**
 * An independent server-reflection client on @grpc/grpc-js (not the C++ stack): the
 * reflection protocol is loaded with @grpc/proto-loader, descriptors are decoded with
 * protobufjs's descriptor extension, and services are called with clients made from the
 * reflected types alone (grpc.makeGenericClientConstructor). Both protocol versions:
 * grpc.reflection.v1 from proto/grpc/reflection/v1/reflection.proto, and
 * grpc.reflection.v1alpha, whose messages are the same with another package, from that
 * file's text with the package renamed.
 */

const fs = require('node:fs');
const path = require('node:path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const protobuf = require('protobufjs');
const descriptor = require('protobufjs/ext/descriptor');
const { loaderOptions, protoDir } = require('../../lib/protos');
const { toRegistryError } = require('../../lib');

const V1_FILE = 'grpc/reflection/v1/reflection.proto';
const REFLECTION_TIMEOUT_MS = 10000;
/** How reflected messages are turned into plain objects. */
const TO_OBJECT = Object.freeze({ longs: String, enums: String, defaults: true, oneofs: true });

/**
 * The package definition of one reflection version.
 * @param {'v1'|'v1alpha'} version
 * @returns {import('@grpc/proto-loader').PackageDefinition}
 */
function reflectionDefinition(version) {
  const options = loaderOptions(protoDir());
  if (version === 'v1') return protoLoader.loadSync(V1_FILE, options);
  const text = fs.readFileSync(path.join(protoDir(), V1_FILE), 'utf8');
  const renamed = text.replace(/^package grpc\.reflection\.v1;$/m, `package grpc.reflection.${version};`);
  if (renamed === text) throw new Error(`${V1_FILE}: no "package grpc.reflection.v1;" line to rename`);
  const { root } = protobuf.parse(renamed, { keepCase: true });
  return protoLoader.fromJSON(root.toJSON(), options);
}

/**
 * One ServerReflectionInfo stream: questions answered in order.
 */
class ReflectionSession {
  /**
   * @param {string} target
   * @param {'v1'|'v1alpha'} version
   * @param {grpc.ChannelCredentials} [credentials]
   */
  constructor(target, version, credentials = grpc.credentials.createInsecure()) {
    const api = grpc.loadPackageDefinition(reflectionDefinition(version));
    const Service = api.grpc.reflection[version].ServerReflection;
    this.serviceName = `grpc.reflection.${version}.ServerReflection`;
    this.client = new Service(target, credentials);
    this.call = this.client.ServerReflectionInfo();
    this.pending = [];
    /** @type {Error|null} why the stream can answer no more */
    this.failure = null;
    this.call.on('data', (response) => this._settle((waiter) => waiter.resolve(response)));
    this.call.on('error', (err) => this._failAll(toRegistryError(err, `${this.serviceName}/ServerReflectionInfo`)));
    this.call.on('end', () => this._failAll(new Error(`${this.serviceName}: the stream ended`)));
  }

  /** @param {(waiter: {resolve: Function, reject: Function}) => void} settle */
  _settle(settle) {
    const waiter = this.pending.shift();
    if (waiter !== undefined) settle(waiter);
  }

  /** @param {Error} err */
  _failAll(err) {
    if (this.failure === null) this.failure = err;
    while (this.pending.length > 0) this.pending.shift().reject(err);
  }

  /**
   * Sends one question and resolves with its answer.
   * @param {object} request a ServerReflectionRequest
   * @returns {Promise<object>} the ServerReflectionResponse
   */
  ask(request) {
    if (this.failure !== null) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this._failAll(new Error(`${this.serviceName}: no answer within ${REFLECTION_TIMEOUT_MS} ms`));
      }, REFLECTION_TIMEOUT_MS);
      const done = (settle) => (value) => {
        clearTimeout(timer);
        settle(value);
      };
      this.pending.push({ resolve: done(resolve), reject: done(reject) });
      this.call.write(request);
    });
  }

  /** @returns {Promise<string[]>} the names of the services the server lists */
  async listServices() {
    const response = await this.ask({ list_services: '' });
    assertAnswer(response, 'list_services_response');
    return response.list_services_response.service.map((service) => service.name);
  }

  /**
   * The files the server sends for a question (the file asked for first, then its
   * imports), decoded.
   * @param {object} request file_containing_symbol or file_by_filename
   * @returns {Promise<object[]>} FileDescriptorProto messages
   */
  async files(request) {
    const response = await this.ask(request);
    assertAnswer(response, 'file_descriptor_response');
    return response.file_descriptor_response.file_descriptor_proto.map((bytes) =>
      descriptor.FileDescriptorProto.decode(bytes));
  }

  /**
   * A protobufjs Root built only from reflected descriptors: the files declaring
   * `symbols` and every file they import, asked for by name when the server did not send
   * it along.
   * @param {string[]} symbols fully qualified names
   * @returns {Promise<protobuf.Root>}
   */
  async rootFor(symbols) {
    const files = new Map();
    const keep = (list) => list.forEach((file) => files.set(file.name, file));
    for (const symbol of symbols) keep(await this.files({ file_containing_symbol: symbol }));
    for (let missing = missingImports(files); missing.length > 0; missing = missingImports(files)) {
      for (const name of missing) keep(await this.files({ file_by_filename: name }));
    }
    const set = descriptor.FileDescriptorSet.create({ file: [...files.values()] });
    return protobuf.Root.fromDescriptor(set).resolveAll();
  }

  close() {
    this.call.end();
    this.client.close();
  }
}

/**
 * Fails unless the answer is of the expected kind (an error_response says why).
 * @param {object} response
 * @param {string} kind
 */
function assertAnswer(response, kind) {
  if (response.message_response === kind) return;
  const error = response.error_response;
  const why = error ? `error ${error.error_code}: ${error.error_message}` : response.message_response;
  throw new Error(`reflection: expected ${kind}, got ${why}`);
}

/**
 * The imports no file of the map provides.
 * @param {Map<string, object>} files
 * @returns {string[]}
 */
function missingImports(files) {
  const missing = new Set();
  for (const file of files.values()) {
    for (const name of file.dependency) if (!files.has(name)) missing.add(name);
  }
  return [...missing];
}

/**
 * Serializers of one reflected message type.
 * @param {protobuf.Type} type
 */
function codec(type) {
  return {
    serialize: (value) => Buffer.from(type.encode(type.fromObject(value)).finish()),
    deserialize: (bytes) => type.toObject(type.decode(bytes), TO_OBJECT),
  };
}

/**
 * A grpc-js service definition made from a reflected service.
 * @param {protobuf.Root} root
 * @param {string} serviceName fully qualified
 * @returns {grpc.ServiceDefinition}
 */
function serviceDefinition(root, serviceName) {
  const service = root.lookupService(serviceName);
  const definition = {};
  for (const method of service.methodsArray) {
    method.resolve();
    const request = codec(method.resolvedRequestType);
    const response = codec(method.resolvedResponseType);
    definition[method.name] = {
      path: `/${serviceName}/${method.name}`,
      requestStream: Boolean(method.requestStream),
      responseStream: Boolean(method.responseStream),
      requestSerialize: request.serialize,
      requestDeserialize: request.deserialize,
      responseSerialize: response.serialize,
      responseDeserialize: response.deserialize,
      originalName: method.name,
    };
  }
  return definition;
}

/**
 * A client of a reflected service: its methods take and return plain objects.
 * @param {protobuf.Root} root
 * @param {string} serviceName
 * @param {string} target
 * @returns {grpc.Client}
 */
function reflectedClient(root, serviceName, target) {
  const Client = grpc.makeGenericClientConstructor(serviceDefinition(root, serviceName), serviceName);
  return new Client(target, grpc.credentials.createInsecure());
}

/**
 * One unary call of a reflected client.
 * @param {grpc.Client} client
 * @param {string} method
 * @param {object} request
 * @returns {Promise<object>}
 */
function unary(client, method, request) {
  return new Promise((resolve, reject) => {
    client[method](request, { deadline: Date.now() + REFLECTION_TIMEOUT_MS }, (err, response) =>
      (err ? reject(toRegistryError(err, method)) : resolve(response)));
  });
}

module.exports = { ReflectionSession, reflectedClient, serviceDefinition, unary };
