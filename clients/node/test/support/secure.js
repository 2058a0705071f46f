'use strict';
/**
 * TLS material and token files for the tests, made with the `openssl` command: a
 * self-signed CA, a server certificate for 127.0.0.1 and localhost signed by it (EC
 * P-256, like tests/test_certs.cc), and a token file in the server's format
 * (docs/security.md, "Token file").
 */

const { execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

/**
 * Runs openssl; throws with its stderr.
 * @param {string[]} args
 * @param {string} cwd
 */
function openssl(args, cwd) {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'], timeout: 30000 });
  } catch (err) {
    throw new Error(`openssl ${args[0]} failed: ${err.stderr ? err.stderr.toString() : err.message}`);
  }
}

/**
 * A CA and a server certificate in `dir`.
 * @param {string} dir
 * @returns {{caFile: string, certFile: string, keyFile: string}}
 */
function makeCertificates(dir) {
  const curve = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  openssl([
    'req', '-x509', ...curve, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2',
    '-subj', '/CN=agreements node test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ], dir);
  openssl(['req', '-new', ...curve, '-keyout', 'server.key', '-out', 'server.csr',
    '-subj', '/CN=localhost'], dir);
  fs.writeFileSync(path.join(dir, 'server.ext'), [
    'basicConstraints=CA:FALSE',
    'keyUsage=critical,digitalSignature',
    'extendedKeyUsage=serverAuth',
    'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '',
  ].join('\n'));
  openssl([
    'x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key',
    '-CAcreateserial', '-days', '1', '-sha256', '-extfile', 'server.ext', '-out', 'server.pem',
  ], dir);
  fs.chmodSync(path.join(dir, 'server.key'), 0o600);
  return {
    caFile: path.join(dir, 'ca.pem'),
    certFile: path.join(dir, 'server.pem'),
    keyFile: path.join(dir, 'server.key'),
  };
}

/** @returns {string} a random token (256 bits, hex) */
function newToken() {
  return crypto.randomBytes(32).toString('hex');
}

/**
 * Writes the server's token file: one line per principal with the SHA-256 of its token.
 * @param {string} file
 * @param {Array<{token: string, principal: string, grants: string[]}>} entries
 */
function writeTokensFile(file, entries) {
  const lines = entries.map(({ token, principal, grants }) => {
    const hash = crypto.createHash('sha256').update(token).digest('hex');
    return `sha256:${hash} ${principal} ${grants.join(' ')}`;
  });
  fs.writeFileSync(file, `${lines.join('\n')}\n`, { mode: 0o600 });
}

/**
 * Everything a TLS server with tokens needs, in `dir`: certificates, an admin token
 * ("node-admin"), a reader token ("node-reader"), the token file and a file holding the
 * admin token for --token-file.
 * @param {string} dir
 */
function makeSecureSetup(dir) {
  const certs = makeCertificates(dir);
  const adminToken = newToken();
  const readerToken = newToken();
  const tokensFile = path.join(dir, 'tokens');
  writeTokensFile(tokensFile, [
    { token: adminToken, principal: 'node-admin', grants: ['admin'] },
    { token: readerToken, principal: 'node-reader', grants: ['reader'] },
  ]);
  const adminTokenFile = path.join(dir, 'admin.token');
  fs.writeFileSync(adminTokenFile, `${adminToken}\n`, { mode: 0o600 });
  return {
    ...certs,
    adminToken,
    readerToken,
    tokensFile,
    adminTokenFile,
    serverFlags: [
      `--tls_cert=${certs.certFile}`,
      `--tls_key=${certs.keyFile}`,
      `--tokens=${tokensFile}`,
    ],
  };
}

module.exports = { makeCertificates, makeSecureSetup, newToken, writeTokensFile };
