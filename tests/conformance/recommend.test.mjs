// Recommend (POST .../points/recommend, .../recommend/batch and query's
// recommend): Qdrant's average_vector strategy, examples left out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { call, assertOk, assertError } from './lib.mjs';
import { withCollection, seed, byCity } from './fixtures.mjs';

const EUC2 = { size: 2, distance: 'Euclid' };
// On a line, so the averaged query's neighbours are easy to know.
const LINE = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => ({
  id: i + 1,
  vector: [i, 0],
  payload: { even: i % 2 === 0, city: i < 5 ? 'Berlin' : 'Paris' },
}));

test('recommend averages positives, steps away from negatives, skips examples', async () => {
  await withCollection('reco', EUC2, async (name) => {
    await seed(name, LINE);
    const url = `/collections/${name}/points/recommend`;
    // avg(x=0, 1, 5) = 2; the examples themselves are left out.
    let r = assertOk(assert, await call('POST', url, { positive: [1, 2, 6], limit: 3 }));
    assert.deepEqual(r, [
      { id: 3, version: 0, score: 0 },
      { id: 4, version: 0, score: 1 },
      { id: 5, version: 0, score: 2 },
    ]);

    // avg(pos) + (avg(pos) - avg(neg)): pos x=4, neg x=2 -> query x=6.
    r = assertOk(assert, await call('POST', url, { positive: [5], negative: [3], limit: 1, strategy: 'average_vector' }));
    assert.deepEqual(r, [{ id: 7, version: 0, score: 0 }]);

    // Raw vectors as examples (not excluded: they are no points).
    r = assertOk(assert, await call('POST', url, { positive: [[8, 0]], negative: [[9, 0]], limit: 1 }));
    assert.deepEqual(r, [{ id: 8, version: 0, score: 0 }]); // 8 + (8 - 9) = x=7 -> id 8

    // Filter, offset, with_payload, score_threshold.
    r = assertOk(
      assert,
      await call('POST', url, {
        positive: [1],
        limit: 2,
        offset: 1,
        filter: { must: [{ key: 'even', match: { value: true } }] },
        with_payload: true,
        score_threshold: 10,
      }),
    );
    assert.deepEqual(r, [{ id: 5, version: 0, score: 4, payload: { even: true, city: 'Berlin' } },
      { id: 7, version: 0, score: 6, payload: { even: true, city: 'Paris' } }]);
  });
});

test('recommend batch and query recommend', async () => {
  await withCollection('recob', EUC2, async (name) => {
    await seed(name, LINE);
    const b = assertOk(
      assert,
      await call('POST', `/collections/${name}/points/recommend/batch`, {
        searches: [{ positive: [1], limit: 1 }, { positive: [10], limit: 2, filter: byCity('Berlin') }],
      }),
    );
    assert.deepEqual(b.map((r) => r.map((h) => h.id)), [[2], [5, 4]]);

    const q = assertOk(
      assert,
      await call('POST', `/collections/${name}/points/query`, {
        query: { recommend: { positive: [6], negative: [[0, 0]] } },
        limit: 2,
      }),
    );
    // x=5 + (5 - 0) = 10 -> ids 10 (x=9), 9 (x=8).
    assert.deepEqual(q, { points: [{ id: 10, version: 0, score: 1 }, { id: 9, version: 0, score: 2 }] });
    const qb = assertOk(
      assert,
      await call('POST', `/collections/${name}/points/query/batch`, {
        searches: [{ query: { recommend: { positive: [1] } }, limit: 1 }, { query: 4, limit: 1, filter: byCity('Paris') }],
      }),
    );
    assert.deepEqual(qb.map((r) => r.points.map((p) => p.id)), [[2], [6]]);
  });
});

test('recommend refuses bad input', async () => {
  await withCollection('recobad', EUC2, async (name) => {
    await seed(name, LINE);
    const url = `/collections/${name}/points/recommend`;
    assertError(
      assert,
      await call('POST', url, { positive: [], negative: [1], limit: 1 }),
      400,
      /^Bad request: At least one positive vector ID required with this strategy$/,
    );
    assertError(assert, await call('POST', url, { positive: [1] }), 400, /missing field `limit`/);
    assertError(
      assert,
      await call('POST', url, { positive: Array(4000).fill(1), negative: Array(97).fill([0, 0]), limit: 1 }),
      422,
      /^Validation error in JSON body: \[positive, negative: at most 4096 examples in all\]$/,
    );
    assertError(assert, await call('POST', url, { positive: [99], limit: 1 }), 404, /^Not found: No point with id 99 found$/);
    assertError(
      assert,
      await call('POST', url, { positive: [[1, 2, 3]], limit: 1 }),
      400,
      /^Wrong input: Vector dimension error: expected dim: 2, got 3$/,
    );
    assertError(assert, await call('POST', url, { positive: [-1], limit: 1 }), 400, /value -1 is not a valid point ID/);
    assertError(assert, await call('POST', url, { positive: [1], limit: 1, strategy: 'nope' }), 400, /unknown variant `nope`/);
    assertError(assert, await call('POST', url, { positive: 1, limit: 1 }), 400, /^Format error in JSON body: /);
    assertError(
      assert,
      await call('POST', url, { positive: [1], limit: 1, filter: { must: 7 } }),
      400,
      /^Format error in JSON body: /,
    );
    assertError(
      assert,
      await call('POST', `/collections/${name}_missing/points/recommend`, { positive: [1], limit: 1 }),
      404,
      /^Not found: Collection `.*_missing` doesn't exist!$/,
    );
    assertError(
      assert,
      await call('POST', `/collections/${name}/points/recommend/batch`, { searches: [{ positive: [1], limit: 1 }, { positive: [], limit: 1 }] }),
      400,
      /At least one positive vector ID required/,
    );
  });
});
