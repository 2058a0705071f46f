'use strict';
/**
 * Starts real agreements-server processes for the tests: loopback only, a fresh data
 * directory, no metrics or HTTP listener, optionally TLS and a token file. The binary is
 * $AGREEMENTS_SERVER_BIN (set by CMake), else build/bin/agreements-server of this
 * repository.
 */

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');

const REPO = path.resolve(__dirname, '..', '..', '..', '..');
const START_TIMEOUT_MS = 30000;
const STOP_TIMEOUT_MS = 20000;
const LISTENING = /^agreements-server listening on (\S+)/;

/** @returns {string} the server binary; throws when it is missing */
function serverBinary() {
  const binary = process.env.AGREEMENTS_SERVER_BIN ||
    path.join(REPO, 'build', 'bin', 'agreements-server');
  try {
    fs.accessSync(binary, fs.constants.X_OK);
  } catch (err) {
    throw new Error(`agreements-server not found at ${binary} (build it, or set AGREEMENTS_SERVER_BIN)`);
  }
  return binary;
}

/**
 * A fresh temporary directory, removed by removeDir().
 * @param {string} prefix
 * @returns {string}
 */
function tempDir(prefix) {
  return fs.mkdtempSync(path.join(os.tmpdir(), `agreements-node-${prefix}-`));
}

/** @param {string} dir */
function removeDir(dir) {
  fs.rmSync(dir, { recursive: true, force: true });
}

/**
 * Waits for the "listening on HOST:PORT" line, or fails when the process exits or the
 * time runs out.
 * @param {import('node:child_process').ChildProcess} child
 * @param {() => string} stderr what the server printed on stderr so far
 * @returns {Promise<string>} HOST:PORT
 */
function waitForListening(child, stderr) {
  return new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout });
    const fail = (why) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`agreements-server ${why}\n${stderr().slice(-4000)}`));
    };
    const timer = setTimeout(() => fail(`did not listen within ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS);
    child.once('exit', (code, signal) => fail(`exited (${code ?? signal}) before listening`));
    lines.on('line', (line) => {
      const match = LISTENING.exec(line);
      if (match === null) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      resolve(match[1]);
    });
  });
}

/**
 * One server process on a data directory.
 */
class TestServer {
  /**
   * @param {object} [options]
   * @param {string} [options.dataDir] default: a fresh one, removed by stop()
   * @param {string[]} [options.flags] extra flags (--tls_cert=..., --tokens=...)
   * @param {string} [options.listen='127.0.0.1:0']
   */
  constructor(options = {}) {
    this.ownsDataDir = options.dataDir === undefined;
    this.dataDir = options.dataDir || tempDir('data');
    this.flags = options.flags || [];
    this.listen = options.listen || '127.0.0.1:0';
    this.child = null;
    this.target = null;
    this.stderr = '';
  }

  /**
   * Starts the process and resolves with HOST:PORT once it serves.
   * @returns {Promise<string>}
   */
  async start() {
    const args = [
      `--listen=${this.listen}`,
      `--data_dir=${this.dataDir}`,
      '--metrics_listen=',
      '--http_listen=',
      '--log_level=warning',
      ...this.flags,
    ];
    this.stderr = '';
    this.child = spawn(serverBinary(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stderr.on('data', (chunk) => {
      this.stderr = (this.stderr + chunk).slice(-64 * 1024);
    });
    this.target = await waitForListening(this.child, () => this.stderr);
    return this.target;
  }

  /**
   * SIGTERM, then SIGKILL if it has not exited in time. Keeps the data directory.
   * @returns {Promise<void>}
   */
  async terminate() {
    const child = this.child;
    this.child = null;
    if (child === null || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }

  /**
   * Stops the server and starts it again on the same address and data directory.
   * @returns {Promise<string>}
   */
  async restart() {
    await this.terminate();
    this.listen = this.target;
    return this.start();
  }

  /** Stops the server and removes the data directory it made. */
  async stop() {
    await this.terminate();
    if (this.ownsDataDir) removeDir(this.dataDir);
  }
}

/**
 * Starts a server.
 * @param {ConstructorParameters<typeof TestServer>[0]} [options]
 * @returns {Promise<TestServer>}
 */
async function startServer(options) {
  const server = new TestServer(options);
  await server.start();
  return server;
}

module.exports = { REPO, TestServer, removeDir, serverBinary, startServer, tempDir };
