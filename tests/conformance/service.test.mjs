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

// The gateway writes Date, Content-Length and the envelope's "time" itself
// (evhttp would add the headers too, were they missing): each header once,
// the length the body's, the date now, the time with six decimals.
test('replies carry one Date, one exact Content-Length and a %.6f time', async () => {
  for (const r of [
    await call('GET', '/collections'),
    await call('GET', '/no/such/endpoint'),
    await call('GET', '/healthz'),
  ]) {
    const len = r.headers.get('content-length');
    assert.match(len, /^\d+$/, `one Content-Length, got ${len}`);
    assert.equal(Number(len), Buffer.byteLength(r.text));
    const date = r.headers.get('date');
    assert.match(date, /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d GMT$/);
    assert.ok(Math.abs(Date.parse(date) - Date.now()) < 60_000, date);
    if (r.json) assert.match(r.text, /"time":\d+\.\d{6}\}$/);
  }
});

test('HEAD answers with the GET reply\'s headers and no body', async () => {
  const get = await call('GET', '/collections');
  const head = await call('HEAD', '/collections');
  assert.equal(head.status, 200);
  assert.equal(head.text, '');
  assert.equal(head.headers.get('content-length'), get.headers.get('content-length'));
  assert.equal(head.headers.get('content-type'), 'application/json');
  assert.match(head.headers.get('date'), / GMT$/);
});
