// Service endpoints: exact shapes of Qdrant 1.18 (see QDRANT-API.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { call, assertOk, assertError } from './lib.mjs';

test('GET / is the bare version object', async () => {
  const r = await call('GET', '/');
  assert.equal(r.status, 200);
  assert.deepEqual(Object.keys(r.json).sort(), ['commit', 'title', 'version']);
  assert.equal(r.json.title, 'qdrant - vector search engine');
  assert.match(r.json.version, /^1\.18\.\d+$/);
  assert.match(r.json.commit, /^[0-9a-f]{40}$/);
});

for (const [path, text] of [
  ['/healthz', 'healthz check passed'],
  ['/livez', 'healthz check passed'],
  ['/readyz', 'all shards are ready'],
]) {
  test(`${path} answers in plain text`, async () => {
    const r = await call('GET', path);
    assert.equal(r.status, 200);
    assert.equal(r.text, text);
  });
}

test('/telemetry is enveloped and names the app', async () => {
  const result = assertOk(assert, await call('GET', '/telemetry'));
  assert.equal(result.app.name, 'qdrant');
  assert.match(result.app.version, /^\d+\.\d+\.\d+$/);
});

test('/metrics is Prometheus text and counts requests', async () => {
  await call('GET', '/healthz');
  const r = await call('GET', '/metrics');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/plain/);
  assert.match(r.text, /^# (HELP|TYPE) /m);
  assert.match(r.text, /^app_info\{.*\} 1$/m);
  // The request we just made is counted.
  assert.match(r.text, /healthz.* [1-9]\d*$/m);
});

test('GET /cluster reports standalone mode', async () => {
  const result = assertOk(assert, await call('GET', '/cluster'));
  assert.equal(result.status, 'disabled');
});

test('paths are normalised: duplicate and trailing slashes', async () => {
  const r = await call('GET', '//healthz/');
  assert.equal(r.status, 200);
  assert.equal(r.text, 'healthz check passed');
  const c = await call('GET', '//collections//');
  assertOk(assert, c);
});

test('unknown paths get the 404 error envelope', async () => {
  assertError(assert, await call('GET', '/no/such/endpoint'), 404);
});

test('wrong method on a known path is refused with an envelope', async () => {
  const r = await call('DELETE', '/healthz');
  assert.ok(r.status === 405 || r.status === 404, r.text);
  assertError(assert, r, r.status);
});

test('malformed JSON is a 400 format error', async () => {
  const r = await call('PUT', '/collections/c1', '{"vectors": ');
  assertError(assert, r, 400, /^Format error in JSON body/);
});
