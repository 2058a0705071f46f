'use strict';
/**
 * What the examples share: the connection flags (--server, --token-file, --ca-file,
 * --cert-file, --key-file, --server-name, with the AGREEMENTS_* environment variables as
 * fallbacks), parsing, and how a failure is printed.
 */

const { parseArgs } = require('node:util');
const { RegistryClient, RegistryError, optionsFromEnv } = require('../lib');

/** The flags every example takes. */
const CONNECTION_FLAGS = Object.freeze({
  server: { type: 'string' },
  'token-file': { type: 'string' },
  'ca-file': { type: 'string' },
  'cert-file': { type: 'string' },
  'key-file': { type: 'string' },
  'server-name': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
});

const CONNECTION_USAGE = `connection:
  --server HOST:PORT   the registry (default $AGREEMENTS_SERVER or 127.0.0.1:50051)
  --token-file FILE    bearer token file (default $AGREEMENTS_TOKEN_FILE / $AGREEMENTS_TOKEN)
  --ca-file FILE       CA certificates that verify the server; turns TLS on ($AGREEMENTS_TLS_CA)
  --cert-file FILE --key-file FILE   client certificate for mutual TLS
  --server-name NAME   the name to check in the server's certificate`;

/**
 * Parses the command line: the connection flags and the example's own.
 * @param {object} flags the example's parseArgs options
 * @param {string} usage the example's usage text
 * @returns {object} the values
 */
function parseCommandLine(flags, usage) {
  let values;
  try {
    ({ values } = parseArgs({ options: { ...CONNECTION_FLAGS, ...flags }, strict: true }));
  } catch (err) {
    process.stderr.write(`${err.message}\n\n${usage}\n${CONNECTION_USAGE}\n`);
    process.exit(2);
  }
  if (values.help) {
    process.stdout.write(`${usage}\n${CONNECTION_USAGE}\n`);
    process.exit(0);
  }
  return values;
}

/**
 * Connects as the flags say and waits until the server is healthy.
 * @param {object} values parsed flags
 * @returns {Promise<RegistryClient>}
 */
function connect(values) {
  const options = optionsFromEnv({
    target: values.server,
    tokenFile: values['token-file'],
    caFile: values['ca-file'],
    certFile: values['cert-file'],
    keyFile: values['key-file'],
    serverName: values['server-name'],
  });
  return RegistryClient.connect({ ...options, healthTimeoutMs: 10000 });
}

/**
 * Runs an example's main function: a RegistryError prints its code, message and reason
 * and exits 2; any other error exits 1.
 * @param {() => Promise<void>} main
 */
function run(main) {
  main().catch((err) => {
    if (err instanceof RegistryError) {
      const reason = err.reason ? ` [${err.reason}]` : '';
      process.stderr.write(`error: ${err.codeName}: ${err.details}${reason}\n`);
      process.exit(2);
    }
    process.stderr.write(`error: ${err.message}\n`);
    process.exit(1);
  });
}

module.exports = { connect, parseCommandLine, run };
