// Every endpoint added for issue #6 against the generic bad inputs:
// malformed JSON, a body that is not an object, an unknown collection,
// and a main field of the wrong type. Exact codes and message shapes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { call, assertOk, assertError } from './lib.mjs';
import { withCollection, DOT4, seed, payloads, POINTS } from './fixtures.mjs';

// [method, path under /collections/{c}, a valid body, the same with a wrong type]
const ENDPOINTS = [
  ['POST', '/points/payload', { payload: { a: 1 }, points: [1] }, { payload: 'a', points: [1] }],
  ['PUT', '/points/payload', { payload: { a: 1 }, points: [1] }, { payload: { a: 1 }, points: 'x' }],
  ['POST', '/points/payload/delete', { keys: ['a'], points: [1] }, { keys: 'a', points: [1] }],
  ['POST', '/points/payload/clear', { points: [1] }, { points: { id: 1 } }],
  ['PUT', '/points/vectors', { points: [{ id: 1, vector: [1, 0, 0, 0] }] }, { points: 5 }],
  ['POST', '/points/vectors/delete', { points: [5], vector: [''] }, { points: [1], vector: '' }],
  ['POST', '/points/batch', { operations: [{ delete: { points: [4] } }] }, { operations: { delete: {} } }],
  ['POST', '/points/recommend', { positive: [1], limit: 1 }, { positive: [1], limit: 'one' }],
  ['POST', '/points/recommend/batch', { searches: [{ positive: [1], limit: 1 }] }, { searches: {} }],
  ['POST', '/points/scroll', { filter: { must: [] } }, { filter: { must: [] }, limit: 'x' }],
  ['POST', '/points/count', { filter: { must: [] } }, { exact: 'yes' }],
  ['PATCH', '', { hnsw_config: { m: 8 } }, { optimizers_config: [] }],
  ['PUT', '/index', { field_name: 'a', field_schema: 'keyword' }, { field_name: 'a', field_schema: 7 }],
];

test('new endpoints: malformed JSON, non-object body, wrong types are 400', async () => {
  await withCollection('errs', DOT4, async (name) => {
    await seed(name);
    for (const [m, p, , wrong] of ENDPOINTS) {
      const url = `/collections/${name}${p}`;
      assertError(assert, await call(m, url, '{"x":'), 400, /^Format error in JSON body: /);
      assertError(assert, await call(m, url, '[1,2]'), 400, /^Format error in JSON body: /);
      assertError(assert, await call(m, url, wrong), 400, /^Format error in JSON body: /);
    }
    assertError(assert, await call('POST', '/collections/aliases', '{"actions":'), 400, /^Format error in JSON body: /);
    assertError(assert, await call('POST', '/collections/aliases', { actions: 'x' }), 400, /actions: expected an array/);
    // Nothing was changed by any of it.
    const p = await payloads(name);
    assert.deepEqual(p[1], POINTS[0].payload);
    assert.equal(Object.keys(p).length, 5);
    assert.deepEqual(assertOk(assert, await call('GET', `/collections/${name}`)).payload_schema, {});
  });
});

test('new endpoints on an unknown collection are 404', async () => {
  const missing = `missing_${process.pid}`;
  for (const [m, p, body] of ENDPOINTS) {
    assertError(
      assert,
      await call(m, `/collections/${missing}${p}`, body),
      404,
      new RegExp(`^Not found: Collection \`${missing}\` doesn't exist!$`),
    );
  }
  assertError(
    assert,
    await call('DELETE', `/collections/${missing}/index/a`),
    404,
    new RegExp(`^Not found: Collection \`${missing}\` doesn't exist!$`),
  );
});

test('valid bodies of the same table succeed', async () => {
  await withCollection('oks', DOT4, async (name) => {
    await seed(name);
    for (const [m, p, body] of ENDPOINTS) {
      const r = await call(m, `/collections/${name}${p}`, body);
      assert.equal(r.status, 200, `${m} ${p}: ${r.text}`);
      assert.equal(r.json.status, 'ok');
    }
  });
});
