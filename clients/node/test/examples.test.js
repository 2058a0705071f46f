'use strict';
// The examples, run as a user runs them (`node examples/x.js --server ...`), against a
// real server with TLS and a token file, and against one in development mode.

const assert = require('node:assert/strict');
const { execFile } = require('node:child_process');
const path = require('node:path');
const { after, before, describe, it } = require('node:test');
const { startServer, tempDir, removeDir } = require('./support/server');
const { makeSecureSetup } = require('./support/secure');

const EXAMPLES = path.join(__dirname, '..', 'examples');
const EXAMPLE_TIMEOUT_MS = 30000;

/**
 * Runs one example; resolves with its exit code and output whatever the code.
 * @param {string} name e.g. 'record-agreement.js'
 * @param {string[]} args
 * @returns {Promise<{code: number, stdout: string, stderr: string}>}
 */
function runExample(name, args) {
  return new Promise((resolve) => {
    const env = { ...process.env };
    for (const key of Object.keys(env)) if (key.startsWith('AGREEMENTS_')) delete env[key];
    execFile(process.execPath, [path.join(EXAMPLES, name), ...args], { timeout: EXAMPLE_TIMEOUT_MS, env },
      (err, stdout, stderr) => resolve({ code: err ? (err.code ?? 1) : 0, stdout, stderr }));
  });
}

/**
 * Fails with the example's output unless it exited 0.
 * @param {{code: number, stdout: string, stderr: string}} run
 */
function assertSucceeded(run) {
  assert.equal(run.code, 0, `exit ${run.code}\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`);
}

describe('examples against a TLS server with tokens', { timeout: 120000 }, () => {
  let dir;
  let secure;
  let server;
  let connection;

  before(async () => {
    dir = tempDir('examples');
    secure = makeSecureSetup(dir);
    server = await startServer({ flags: secure.serverFlags });
    connection = ['--server', server.target, '--token-file', secure.adminTokenFile, '--ca-file', secure.caFile];
  });

  after(async () => {
    if (server) await server.stop();
    if (dir) removeDir(dir);
  });

  it('record-agreement.js records, signs with expected revisions, and replays on a re-run', async () => {
    const first = await runExample('record-agreement.js', connection);
    assertSucceeded(first);
    assert.match(first.stdout, /^party kz: registered at position 1$/m);
    assert.match(first.stdout, /^recorded kz-kr-air-2010: position 3, revision 1, now AGREEMENT_STATUS_DRAFT$/m);
    assert.match(first.stdout, /^signed by kr: position 5, revision 3, now AGREEMENT_STATUS_SIGNED_NOT_IN_FORCE$/m);
    assert.match(first.stdout, /^stale revision refused: ABORTED /m);

    const again = await runExample('record-agreement.js', connection);
    assertSucceeded(again);
    assert.match(again.stdout, /^recorded kz-kr-air-2010: replayed, revision 1/m);
    assert.match(again.stdout, /^signed by kr: replayed, revision 3/m);
  });

  it('query-sector.js shows the sector and its agreements', async () => {
    const run = await runExample('query-sector.js', [...connection, '--sector', 'transport']);
    assertSucceeded(run);
    assert.match(run.stdout, /^transport: 1 agreements$/m);
    assert.match(run.stdout, /^ {2}by status: signed_not_in_force: 1$/m);
    assert.match(run.stdout, /^ {2}kz-kr-air-2010 {2}SIGNED_NOT_IN_FORCE {2}"Air Services Agreement" {2}\[kz, kr\] {2}signed 2010-03-02 {2}rev 3$/m);
    assert.match(run.stdout, /^1 listed$/m);
  });

  it('follow-feed.js catches up, stops, and resumes from the position it printed', async () => {
    const first = await runExample('follow-feed.js', [...connection, '--limit', '3']);
    assertSucceeded(first);
    const lines = first.stdout.trim().split('\n');
    assert.deepEqual(lines.slice(0, 3).map((line) => line.split(' ')[0]), ['1', '2', '3']);
    assert.match(lines[2], /^3 kz-kr-air-2010@1 agreement_recorded by node-admin$/);
    assert.equal(lines[3], 'resume with --from 4');

    const rest = await runExample('follow-feed.js', [...connection, '--from', '4', '--until-caught-up']);
    assertSucceeded(rest);
    assert.deepEqual(rest.stdout.trim().split('\n'), [
      '4 kz-kr-air-2010@2 participant_signed party=kz 2010-03-02 by node-admin',
      '5 kz-kr-air-2010@3 participant_signed party=kr 2010-03-02 by node-admin',
      'caught up at 5',
      'resume with --from 6',
    ]);
  });

  it('the examples fail with the server\'s answer, exit code 2', async () => {
    const anonymous = await runExample('query-sector.js', ['--server', server.target, '--ca-file', secure.caFile]);
    assert.equal(anonymous.code, 2);
    assert.match(anonymous.stderr, /^error: UNAUTHENTICATED: /m);
    const badSector = await runExample('follow-feed.js', [...connection, '--sector', 'nowhere']);
    assert.equal(badSector.code, 2);
    assert.match(badSector.stderr, /^error: INVALID_ARGUMENT: filter\.sectors\[0\]/m);
  });
});

describe('examples against a server in development mode', { timeout: 60000 }, () => {
  let server;

  before(async () => {
    server = await startServer();
  });

  after(async () => {
    if (server) await server.stop();
  });

  it('run without a token or TLS', async () => {
    const recorded = await runExample('record-agreement.js', ['--server', server.target, '--id', 'plain-2010']);
    assertSucceeded(recorded);
    assert.match(recorded.stdout, /^recorded plain-2010: position 3, revision 1/m);
    const queried = await runExample('query-sector.js', ['--server', server.target]);
    assertSucceeded(queried);
    assert.match(queried.stdout, /^ {2}plain-2010 /m);
    const followed = await runExample('follow-feed.js', ['--server', server.target, '--until-caught-up', '--agreement', 'plain-2010']);
    assertSucceeded(followed);
    assert.match(followed.stdout, /^caught up at 5$/m);
    assert.match(followed.stdout, /by anonymous$/m);
  });
});
