// Payload and vector updates of existing points, and the batch endpoint:
// exact bodies and codes of Qdrant 1.18, good and bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { call, assertOk, assertError } from './lib.mjs';
import { withCollection, DOT4, POINTS, seed, payloads, UPDATE_OK, byCity } from './fixtures.mjs';

const W = '?wait=true';

test('set payload merges keys by ids, by filter, and under a key', async () => {
  await withCollection('setpl', DOT4, async (name) => {
    await seed(name);
    const url = `/collections/${name}/points/payload${W}`;
    UPDATE_OK(await call('POST', url, { payload: { n: 10, extra: true }, points: [1, 5] }));
    let p = await payloads(name);
    assert.deepEqual(p[1], { city: 'Berlin', n: 10, tags: ['a'], extra: true });
    assert.deepEqual(p[5], { n: 10, extra: true });
    assert.deepEqual(p[2], { city: 'London', n: 2 });

    UPDATE_OK(await call('POST', url, { payload: { seen: 1 }, filter: byCity('Berlin') }));
    p = await payloads(name);
    assert.equal(p[1].seen, 1);
    assert.equal(p[4].seen, 1);
    assert.equal(p[2].seen, undefined);
    assert.equal(p[3].seen, undefined);

    UPDATE_OK(await call('POST', url, { payload: { lat: 52.5 }, points: [2], key: 'geo' }));
    p = await payloads(name);
    assert.deepEqual(p[2], { city: 'London', n: 2, geo: { lat: 52.5 } });

    // An empty id list changes nothing and succeeds.
    UPDATE_OK(await call('POST', url, { payload: { z: 1 }, points: [] }));
    assert.deepEqual(await payloads(name), p);
  });
});

test('overwrite payload replaces it entirely', async () => {
  await withCollection('owpl', DOT4, async (name) => {
    await seed(name);
    UPDATE_OK(
      await call('PUT', `/collections/${name}/points/payload${W}`, { payload: { only: 'this' }, points: [1, 2] }),
    );
    const p = await payloads(name);
    assert.deepEqual(p[1], { only: 'this' });
    assert.deepEqual(p[2], { only: 'this' });
    assert.deepEqual(p[3], POINTS[2].payload);
  });
});

test('delete payload keys and clear payload, by ids and by filter', async () => {
  await withCollection('delpl', DOT4, async (name) => {
    await seed(name);
    UPDATE_OK(
      await call('POST', `/collections/${name}/points/payload/delete${W}`, { keys: ['n', 'tags'], points: [1, 3] }),
    );
    let p = await payloads(name);
    assert.deepEqual(p[1], { city: 'Berlin' });
    assert.deepEqual(p[3], { city: 'Paris' });
    assert.deepEqual(p[2], { city: 'London', n: 2 });

    UPDATE_OK(
      await call('POST', `/collections/${name}/points/payload/delete${W}`, { keys: ['n'], filter: byCity('London') }),
    );
    p = await payloads(name);
    assert.deepEqual(p[2], { city: 'London' });

    UPDATE_OK(await call('POST', `/collections/${name}/points/payload/clear${W}`, { points: [1] }));
    UPDATE_OK(await call('POST', `/collections/${name}/points/payload/clear${W}`, { filter: byCity('Paris') }));
    p = await payloads(name);
    assert.deepEqual(p[1], {});
    assert.deepEqual(p[3], {});
    assert.deepEqual(p[4], { city: 'Berlin', n: 4 });
  });
});

test('payload endpoints refuse bad input with Qdrant errors', async () => {
  await withCollection('badpl', DOT4, async (name) => {
    await seed(name);
    const set = `/collections/${name}/points/payload`;
    assertError(assert, await call('POST', set, '{"payload":'), 400, /^Format error in JSON body: /);
    assertError(assert, await call('POST', set, { points: [1] }), 400, /^Format error in JSON body: missing field `payload`$/);
    assertError(assert, await call('POST', set, { payload: [1], points: [1] }), 400, /payload: expected an object/);
    assertError(assert, await call('POST', set, { payload: { a: 1 } }), 400, /untagged enum PointsSelector/);
    assertError(assert, await call('POST', set, { payload: { a: 1 }, points: [1], key: 5 }), 400, /key: expected a string/);
    assertError(
      assert,
      await call('POST', set, { payload: { a: 1 }, points: [-3] }),
      400,
      /^Format error in JSON body: value -3 is not a valid point ID, valid values are either an unsigned integer or a UUID$/,
    );
    assertError(
      assert,
      await call('POST', set, { payload: { a: 1 }, points: [1, 99] }),
      404,
      /^Not found: No point with id 99 found$/,
    );
    assertError(
      assert,
      await call('POST', set, { payload: { a: 1 }, filter: { must: [{ key: 'city', nope: 1 }] } }),
      400,
      /^Format error in JSON body: /,
    );
    assertError(
      assert,
      await call('POST', `/collections/${name}_missing/points/payload`, { payload: { a: 1 }, points: [1] }),
      404,
      /^Not found: Collection `.*_missing` doesn't exist!$/,
    );
    const del = `/collections/${name}/points/payload/delete`;
    assertError(assert, await call('POST', del, { points: [1] }), 400, /missing field `keys`/);
    assertError(assert, await call('POST', del, { keys: [1], points: [1] }), 400, /keys\[0\]: expected a string/);
    assertError(assert, await call('POST', `/collections/${name}/points/payload/clear`, { nothing: 1 }), 400);
    // Nothing above changed anything.
    assert.deepEqual((await payloads(name))[1], POINTS[0].payload);
  });
});

test('update and delete vectors', async () => {
  await withCollection('vecs', DOT4, async (name) => {
    await seed(name);
    UPDATE_OK(
      await call('PUT', `/collections/${name}/points/vectors${W}`, {
        points: [{ id: 2, vector: [0, 0, 0, 2] }, { id: 5, vector: { '': [3, 0, 0, 0] } }],
      }),
    );
    const got = assertOk(
      assert,
      await call('POST', `/collections/${name}/points`, { ids: [2, 5], with_vector: true, with_payload: true }),
    );
    assert.deepEqual(got, [
      { id: 2, payload: { city: 'London', n: 2 }, vector: [0, 0, 0, 2] },
      { id: 5, payload: {}, vector: [3, 0, 0, 0] },
    ]);
    const s = assertOk(assert, await call('POST', `/collections/${name}/points/search`, { vector: [1, 0, 0, 0], limit: 1 }));
    assert.equal(s[0].id, 5);

    UPDATE_OK(await call('POST', `/collections/${name}/points/vectors/delete${W}`, { points: [5], vector: [''] }));
    const after = assertOk(assert, await call('POST', `/collections/${name}/points`, { ids: [5], with_vector: true }));
    assert.deepEqual(after, [{ id: 5, payload: {}, vector: {} }]);
    // The point stays (count), but no longer matches searches.
    assert.deepEqual(assertOk(assert, await call('POST', `/collections/${name}/points/count`, {})), { count: 5 });
    const s2 = assertOk(
      assert,
      await call('POST', `/collections/${name}/points/search`, { vector: [1, 0, 0, 0], limit: 10 }),
    );
    assert.ok(!s2.some((h) => h.id === 5), JSON.stringify(s2));

    UPDATE_OK(
      await call('POST', `/collections/${name}/points/vectors/delete${W}`, { filter: byCity('Berlin'), vector: [''] }),
    );
    const s3 = assertOk(
      assert,
      await call('POST', `/collections/${name}/points/search`, { vector: [1, 1, 1, 1], limit: 10 }),
    );
    assert.deepEqual(s3.map((h) => h.id).sort(), [2, 3]);
  });
});

test('vector updates refuse bad input', async () => {
  await withCollection('badvec', DOT4, async (name) => {
    await seed(name);
    const up = `/collections/${name}/points/vectors`;
    assertError(
      assert,
      await call('PUT', up, { points: [{ id: 1, vector: [1, 2, 3] }] }),
      400,
      /^Wrong input: Vector dimension error: expected dim: 4, got 3$/,
    );
    assertError(assert, await call('PUT', up, { points: [{ id: 77, vector: [1, 2, 3, 4] }] }), 404, /^Not found: No point with id 77 found$/);
    assertError(assert, await call('PUT', up, { points: [{ vector: [1, 2, 3, 4] }] }), 400, /missing field `id`/);
    assertError(assert, await call('PUT', up, {}), 400, /missing field `points`/);
    assertError(assert, await call('PUT', up, { points: [{ id: 1, vector: [1, 'x', 3, 4] }] }), 400);
    const del = `/collections/${name}/points/vectors/delete`;
    assertError(assert, await call('POST', del, { points: [1] }), 400, /missing field `vector`/);
    assertError(
      assert,
      await call('POST', del, { points: [1], vector: ['text'] }),
      400,
      /^Wrong input: Not existing vector name error: text$/,
    );
    assertError(
      assert,
      await call('PUT', `/collections/${name}_missing/points/vectors`, { points: [{ id: 1, vector: [1, 2, 3, 4] }] }),
      404,
      /^Not found: Collection `.*_missing` doesn't exist!$/,
    );
    // Point 1 kept its vector.
    const got = assertOk(assert, await call('POST', `/collections/${name}/points`, { ids: [1], with_vector: true, with_payload: false }));
    assert.deepEqual(got, [{ id: 1, vector: [1, 0, 0, 0] }]);
  });
});

test('batch applies every operation kind in order', async () => {
  await withCollection('batch', DOT4, async (name) => {
    await seed(name);
    const r = assertOk(
      assert,
      await call('POST', `/collections/${name}/points/batch${W}`, {
        operations: [
          { upsert: { points: [{ id: 10, vector: [1, 1, 0, 0], payload: { k: 'v' } }] } },
          { delete: { points: [5] } },
          { set_payload: { payload: { s: 1 }, points: [10] } },
          { overwrite_payload: { payload: { o: 1 }, points: [2] } },
          { delete_payload: { keys: ['n'], points: [1] } },
          { clear_payload: { points: [3] } },
          { update_vectors: { points: [{ id: 4, vector: [0, 0, 0, 9] }] } },
          { delete_vectors: { points: [10], vector: [''] } },
          { upsert: { batch: { ids: [11], vectors: [[0, 0, 1, 1]], payloads: [{ b: true }] } } },
          { delete: { filter: byCity('Berlin') } },
        ],
      }),
    );
    assert.equal(r.length, 10);
    for (const u of r) assert.deepEqual(Object.keys(u).sort(), ['operation_id', 'status']);
    const p = await payloads(name);
    assert.deepEqual(p, { 2: { o: 1 }, 3: {}, 10: { k: 'v', s: 1 }, 11: { b: true } });
    const v = assertOk(assert, await call('POST', `/collections/${name}/points`, { ids: [10, 11], with_vector: true, with_payload: false }));
    assert.deepEqual(v, [{ id: 10, vector: {} }, { id: 11, vector: [0, 0, 1, 1] }]);
  });
});

test('batch refuses malformed operations before applying any', async () => {
  await withCollection('badbatch', DOT4, async (name) => {
    await seed(name);
    const url = `/collections/${name}/points/batch${W}`;
    assertError(assert, await call('POST', url, {}), 400, /missing field `operations`/);
    assertError(
      assert,
      await call('POST', url, { operations: [{ delete: { points: [1] } }, { frobnicate: {} }] }),
      400,
      /operations\[1\]: data did not match any variant of untagged enum UpdateOperation/,
    );
    assert.equal(Object.keys(await payloads(name)).length, 5);
    // A failing operation stops the batch; those before it stay applied.
    assertError(
      assert,
      await call('POST', url, {
        operations: [{ delete: { points: [1] } }, { set_payload: { payload: { a: 1 }, points: [404] } }],
      }),
      404,
      /^Not found: No point with id 404 found$/,
    );
    assert.deepEqual(Object.keys(await payloads(name)).map(Number), [2, 3, 4, 5]);
    assertError(
      assert,
      await call('POST', `/collections/${name}_missing/points/batch`, { operations: [{ delete: { points: [1] } }] }),
      404,
      /^Not found: Collection `.*_missing` doesn't exist!$/,
    );
  });
});
