// Collections and points over HTTP against the kernel backend: exact
// shapes of Qdrant 1.18 (see QDRANT-API.md). Every test uses its own
// collection and deletes it, so tests stay independent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { call, assertOk, assertError } from './lib.mjs';

let seq = 0;
function uniqueName(tag) {
  return `http_${tag}_${process.pid}_${++seq}`;
}

// Create a collection for the duration of fn, then delete it.
async function withCollection(tag, vectors, fn, extra = {}) {
  const name = uniqueName(tag);
  const r = await call('PUT', `/collections/${name}`, { vectors, ...extra });
  assert.equal(assertOk(assert, r), true);
  try {
    await fn(name);
  } finally {
    await call('DELETE', `/collections/${name}`);
  }
}

const DOT4 = { size: 4, distance: 'Dot' };
const POINTS = [
  { id: 1, vector: [1, 0, 0, 0], payload: { city: 'Berlin', n: 1 } },
  { id: 2, vector: [0, 1, 0, 0], payload: { city: 'London', n: 2 } },
  { id: 3, vector: [0.5, 0.5, 0, 0], payload: { city: 'Paris', tags: ['a', 'b'] } },
  { id: 4, vector: [0, 0, 1, 0] },
];

async function upsert(name, body, wait = true) {
  return call('PUT', `/collections/${name}/points${wait ? '?wait=true' : ''}`, body);
}

test('create, get, exists, list, delete a collection', async () => {
  const name = uniqueName('coll');
  assert.equal(
    assertOk(assert, await call('PUT', `/collections/${name}`, {
      vectors: { size: 8, distance: 'Cosine' },
      hnsw_config: { m: 8, ef_construct: 64 },
    })),
    true,
  );
  try {
    const info = assertOk(assert, await call('GET', `/collections/${name}`));
    assert.equal(info.status, 'green');
    assert.equal(info.optimizer_status, 'ok');
    assert.equal(typeof info.segments_count, 'number');
    assert.equal(info.points_count, 0);
    assert.equal(info.indexed_vectors_count, 0);
    assert.deepEqual(info.config.params, { vectors: { size: 8, distance: 'Cosine' } });
    assert.equal(info.config.hnsw_config.m, 8);
    assert.equal(info.config.hnsw_config.ef_construct, 64);
    assert.equal(info.config.hnsw_config.full_scan_threshold, 10000);
    assert.deepEqual(info.payload_schema, {});

    assert.deepEqual(assertOk(assert, await call('GET', `/collections/${name}/exists`)), {
      exists: true,
    });
    const list = assertOk(assert, await call('GET', '/collections'));
    assert.ok(list.collections.some((c) => c.name === name), JSON.stringify(list));
    assert.deepEqual(Object.keys(list.collections.find((c) => c.name === name)), ['name']);

    assertError(
      assert,
      await call('PUT', `/collections/${name}`, { vectors: { size: 8, distance: 'Cosine' } }),
      409,
      new RegExp(`^Wrong input: Collection \`${name}\` already exists!$`),
    );
  } finally {
    assert.equal(assertOk(assert, await call('DELETE', `/collections/${name}`)), true);
  }
  assert.deepEqual(assertOk(assert, await call('GET', `/collections/${name}/exists`)), {
    exists: false,
  });
  assertError(
    assert,
    await call('GET', `/collections/${name}`),
    404,
    new RegExp(`^Not found: Collection \`${name}\` doesn't exist!$`),
  );
  assert.equal(assertOk(assert, await call('DELETE', `/collections/${name}`)), false);
});

test('default HNSW config is Qdrant\'s', async () => {
  await withCollection('defaults', DOT4, async (name) => {
    const info = assertOk(assert, await call('GET', `/collections/${name}`));
    assert.deepEqual(info.config.hnsw_config, { m: 16, ef_construct: 100, full_scan_threshold: 10000 });
    assert.deepEqual(info.config.params.vectors, DOT4);
  });
});

test('bad collection configs are refused', async () => {
  const name = uniqueName('bad');
  assertError(
    assert,
    await call('PUT', `/collections/${name}`, { vectors: { size: 0, distance: 'Dot' } }),
    422,
    /^Validation error in JSON body: \[vectors\.size: value 0 invalid/,
  );
  assertError(
    assert,
    await call('PUT', `/collections/${name}`, { vectors: { size: 4, distance: 'Hamming' } }),
    400,
    /^Format error in JSON body/,
  );
  assert.deepEqual(assertOk(assert, await call('GET', `/collections/${name}/exists`)), {
    exists: false,
  });
});

test('upsert (list form), count, retrieve with exact shapes', async () => {
  await withCollection('upsert', DOT4, async (name) => {
    const res = assertOk(assert, await upsert(name, { points: POINTS }));
    assert.deepEqual(Object.keys(res).sort(), ['operation_id', 'status']);
    assert.equal(res.status, 'completed');
    assert.equal(typeof res.operation_id, 'number');

    const ack = assertOk(assert, await upsert(name, { points: [POINTS[0]] }, false));
    assert.equal(ack.status, 'acknowledged');

    assert.deepEqual(
      assertOk(assert, await call('POST', `/collections/${name}/points/count`, { exact: true })),
      { count: 4 },
    );
    assert.equal(assertOk(assert, await call('GET', `/collections/${name}`)).points_count, 4);

    // Retrieve: payload by default, no vector; missing ids are skipped.
    const got = assertOk(
      assert,
      await call('POST', `/collections/${name}/points`, { ids: [2, 1, 99] }),
    );
    assert.deepEqual(got, [
      { id: 2, payload: { city: 'London', n: 2 } },
      { id: 1, payload: { city: 'Berlin', n: 1 } },
    ]);

    const withVec = assertOk(
      assert,
      await call('POST', `/collections/${name}/points`, {
        ids: [3, 4],
        with_payload: false,
        with_vector: true,
      }),
    );
    assert.deepEqual(withVec, [
      { id: 3, vector: [0.5, 0.5, 0, 0] },
      { id: 4, vector: [0, 0, 1, 0] },
    ]);

    // A point stored without payload has an empty one.
    assert.deepEqual(
      assertOk(assert, await call('POST', `/collections/${name}/points`, { ids: [4] })),
      [{ id: 4, payload: {} }],
    );

    // with_payload as a list of keys, and include / exclude.
    assert.deepEqual(
      assertOk(assert, await call('POST', `/collections/${name}/points`, {
        ids: [1],
        with_payload: ['city'],
      })),
      [{ id: 1, payload: { city: 'Berlin' } }],
    );
    assert.deepEqual(
      assertOk(assert, await call('POST', `/collections/${name}/points`, {
        ids: [1],
        with_payload: { exclude: ['city'] },
      })),
      [{ id: 1, payload: { n: 1 } }],
    );

    // GET by id: payload and vector.
    assert.deepEqual(assertOk(assert, await call('GET', `/collections/${name}/points/3`)), {
      id: 3,
      payload: { city: 'Paris', tags: ['a', 'b'] },
      vector: [0.5, 0.5, 0, 0],
    });
    assertError(
      assert,
      await call('GET', `/collections/${name}/points/12345`),
      404,
      /^Not found: No point with id 12345 found$/,
    );
  });
});

test('upsert (batch form) and UUID ids', async () => {
  await withCollection('batch', DOT4, async (name) => {
    const u1 = '550e8400-e29b-41d4-a716-446655440000';
    const u2 = 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11';
    assertOk(
      assert,
      await upsert(name, {
        batch: {
          ids: [10, u1, u2],
          vectors: [
            [1, 1, 0, 0],
            [0, 0, 1, 1],
            [1, 0, 1, 0],
          ],
          payloads: [{ k: 'ten' }, { k: 'u1' }, null],
        },
      }),
    );
    assert.deepEqual(
      assertOk(assert, await call('POST', `/collections/${name}/points/count`, {})),
      { count: 3 },
    );
    // UUIDs come back normalised to lower case.
    const got = assertOk(
      assert,
      await call('POST', `/collections/${name}/points`, { ids: [u2, u1, 10] }),
    );
    assert.deepEqual(got, [
      { id: u2.toLowerCase(), payload: {} },
      { id: u1, payload: { k: 'u1' } },
      { id: 10, payload: { k: 'ten' } },
    ]);
    assert.deepEqual(
      assertOk(assert, await call('GET', `/collections/${name}/points/${u1}`)).payload,
      { k: 'u1' },
    );
  });
});

test('upsert with bad input is refused and stores nothing', async () => {
  await withCollection('badpts', DOT4, async (name) => {
    assertOk(assert, await upsert(name, { points: [POINTS[0]] }));
    // Dimension mismatch.
    assertError(
      assert,
      await upsert(name, { points: [{ id: 7, vector: [1, 2, 3] }] }),
      400,
      /^Wrong input: Vector dimension error: expected dim: 4, got 3$/,
    );
    // Bad ids: negative, a non-UUID string, a float.
    for (const id of [-1, 'not-a-uuid', 1.5]) {
      assertError(assert, await upsert(name, { points: [{ id, vector: [1, 2, 3, 4] }] }), 400);
    }
    // Wrong vector element type, payload not an object, no points at all.
    assertError(assert, await upsert(name, { points: [{ id: 8, vector: [1, 'x', 3, 4] }] }), 400);
    assertError(
      assert,
      await upsert(name, { points: [{ id: 8, vector: [1, 2, 3, 4], payload: [1] }] }),
      400,
    );
    assertError(assert, await upsert(name, { nothing: true }), 400);
    // Batch with mismatched lengths.
    assertError(assert, await upsert(name, { batch: { ids: [1, 2], vectors: [[1, 2, 3, 4]] } }), 400);
    // Unknown collection.
    assertError(
      assert,
      await upsert(`${name}_missing`, { points: [POINTS[0]] }),
      404,
      /^Not found: Collection `.*_missing` doesn't exist!$/,
    );
    assert.deepEqual(
      assertOk(assert, await call('POST', `/collections/${name}/points/count`, {})),
      { count: 1 },
    );
  });
});

test('search: nearest first, exact scores, offset, threshold, payloads', async () => {
  await withCollection('search', DOT4, async (name) => {
    assertOk(assert, await upsert(name, { points: POINTS }));
    const url = `/collections/${name}/points/search`;

    const hits = assertOk(assert, await call('POST', url, { vector: [1, 0.2, 0, 0], limit: 3 }));
    assert.deepEqual(
      hits.map((h) => h.id),
      [1, 3, 2],
    );
    for (const h of hits) assert.deepEqual(Object.keys(h).sort(), ['id', 'score', 'version']);
    assert.ok(Math.abs(hits[0].score - 1.0) < 1e-6, JSON.stringify(hits));
    assert.ok(Math.abs(hits[1].score - 0.6) < 1e-6, JSON.stringify(hits));
    assert.ok(Math.abs(hits[2].score - 0.2) < 1e-6, JSON.stringify(hits));

    const off = assertOk(assert, await call('POST', url, { vector: [1, 0.2, 0, 0], limit: 2, offset: 1 }));
    assert.deepEqual(off.map((h) => h.id), [3, 2]);

    const thr = assertOk(
      assert,
      await call('POST', url, { vector: [1, 0.2, 0, 0], limit: 10, score_threshold: 0.5 }),
    );
    assert.deepEqual(thr.map((h) => h.id), [1, 3]);

    const exact = assertOk(
      assert,
      await call('POST', url, {
        vector: [0, 0, 1, 0],
        limit: 1,
        params: { exact: true },
        with_payload: true,
        with_vector: true,
      }),
    );
    assert.equal(exact.length, 1);
    assert.equal(exact[0].id, 4);
    assert.deepEqual(exact[0].payload, {});
    assert.deepEqual(exact[0].vector, [0, 0, 1, 0]);

    const ef = assertOk(
      assert,
      await call('POST', url, { vector: [0, 1, 0, 0], limit: 1, params: { hnsw_ef: 64 }, with_payload: ['city'] }),
    );
    assert.deepEqual(ef.map((h) => [h.id, h.payload]), [[2, { city: 'London' }]]);

    // Errors: dimension mismatch, missing limit, unknown collection.
    assertError(
      assert,
      await call('POST', url, { vector: [1, 0], limit: 3 }),
      400,
      /^Wrong input: Vector dimension error: expected dim: 4, got 2$/,
    );
    assertError(assert, await call('POST', url, { vector: [1, 0, 0, 0] }), 400);
    assertError(
      assert,
      await call('POST', `/collections/${name}_missing/points/search`, { vector: [1, 0, 0, 0], limit: 1 }),
      404,
    );
  });
});

test('Euclid reports the L2 distance, smaller first', async () => {
  await withCollection('euclid', { size: 2, distance: 'Euclid' }, async (name) => {
    assertOk(
      assert,
      await upsert(name, {
        points: [
          { id: 1, vector: [0, 0] },
          { id: 2, vector: [3, 4] },
          { id: 3, vector: [1, 0] },
        ],
      }),
    );
    const hits = assertOk(
      assert,
      await call('POST', `/collections/${name}/points/search`, { vector: [0, 0], limit: 3 }),
    );
    assert.deepEqual(hits.map((h) => h.id), [1, 3, 2]);
    assert.ok(Math.abs(hits[0].score - 0) < 1e-6, JSON.stringify(hits));
    assert.ok(Math.abs(hits[1].score - 1) < 1e-6, JSON.stringify(hits));
    assert.ok(Math.abs(hits[2].score - 5) < 1e-5, JSON.stringify(hits));
  });
});

test('query by vector returns {points: [...]}', async () => {
  await withCollection('query', DOT4, async (name) => {
    assertOk(assert, await upsert(name, { points: POINTS }));
    const res = assertOk(
      assert,
      await call('POST', `/collections/${name}/points/query`, {
        query: [0, 1, 0, 0],
        limit: 2,
        with_payload: true,
      }),
    );
    assert.deepEqual(Object.keys(res), ['points']);
    assert.deepEqual(res.points.map((p) => p.id), [2, 3]);
    assert.deepEqual(res.points[0].payload, { city: 'London', n: 2 });
    assert.equal(res.points[0].version, 0);
    // {"nearest": vector} is the same query; limit defaults to 10.
    const near = assertOk(
      assert,
      await call('POST', `/collections/${name}/points/query`, { query: { nearest: [0, 1, 0, 0] } }),
    );
    assert.equal(near.points.length, 4);
    assert.equal(near.points[0].id, 2);
  });
});

test('delete points by id', async () => {
  await withCollection('delete', DOT4, async (name) => {
    assertOk(assert, await upsert(name, { points: POINTS }));
    const res = assertOk(
      assert,
      await call('POST', `/collections/${name}/points/delete?wait=true`, { points: [1, 3, 77] }),
    );
    assert.equal(res.status, 'completed');
    assert.deepEqual(
      assertOk(assert, await call('POST', `/collections/${name}/points/count`, {})),
      { count: 2 },
    );
    assert.deepEqual(
      assertOk(assert, await call('POST', `/collections/${name}/points`, { ids: [1, 2, 3, 4] })).map(
        (p) => p.id,
      ),
      [2, 4],
    );
    const hits = assertOk(
      assert,
      await call('POST', `/collections/${name}/points/search`, { vector: [1, 0, 0, 0], limit: 10 }),
    );
    assert.ok(!hits.some((h) => h.id === 1 || h.id === 3), JSON.stringify(hits));
    assertError(assert, await call('POST', `/collections/${name}/points/delete`, { points: 'x' }), 400);
  });
});

test('point operations on an unknown collection are 404', async () => {
  const name = uniqueName('missing');
  for (const [m, p, b] of [
    ['POST', `/collections/${name}/points`, { ids: [1] }],
    ['GET', `/collections/${name}/points/1`, undefined],
    ['POST', `/collections/${name}/points/count`, {}],
    ['POST', `/collections/${name}/points/delete`, { points: [1] }],
    ['POST', `/collections/${name}/points/query`, { query: [1, 0] }],
  ]) {
    assertError(assert, await call(m, p, b), 404, /^Not found: Collection `.*` doesn't exist!$/);
  }
});

test('query by point id leaves the point out; batch search and query', async () => {
  await withCollection('qbatch', DOT4, async (name) => {
    assertOk(assert, await upsert(name, { points: POINTS }));
    const byId = assertOk(
      assert,
      await call('POST', `/collections/${name}/points/query`, { query: 1, limit: 2 }),
    );
    assert.deepEqual(byId.points.map((p) => p.id), [3, 2]);
    assertError(
      assert,
      await call('POST', `/collections/${name}/points/query`, { query: 424242 }),
      404,
      /^Not found: No point with id 424242 found$/,
    );

    const sb = assertOk(
      assert,
      await call('POST', `/collections/${name}/points/search/batch`, {
        searches: [
          { vector: [1, 0, 0, 0], limit: 1 },
          { vector: [0, 0, 1, 0], limit: 1, with_payload: true },
        ],
      }),
    );
    assert.equal(sb.length, 2);
    assert.deepEqual(sb.map((r) => r.map((h) => h.id)), [[1], [4]]);
    assert.deepEqual(sb[1][0].payload, {});

    const qb = assertOk(
      assert,
      await call('POST', `/collections/${name}/points/query/batch`, {
        searches: [{ query: [0, 1, 0, 0], limit: 1 }, { query: 2, limit: 1 }],
      }),
    );
    assert.deepEqual(qb.map((r) => r.points.map((p) => p.id)), [[2], [3]]);
  });
});

test('u64 ids above 2^53 round-trip exactly', async () => {
  await withCollection('bigid', DOT4, async (name) => {
    const big = '9007199254740993123'; // between 2^53 and 2^63
    assertOk(
      assert,
      await upsert(name, `{"points":[{"id":${big},"vector":[1,0,0,0],"payload":{"x":1}}]}`),
    );
    const r = await call('POST', `/collections/${name}/points`, `{"ids":[${big}]}`);
    assert.equal(r.status, 200, r.text);
    assert.match(r.text, new RegExp(`"id":${big}[,}]`));
    const s = await call('POST', `/collections/${name}/points/search`, { vector: [1, 0, 0, 0], limit: 1 });
    assert.match(s.text, new RegExp(`"id":${big}[,}]`));
    const g = await call('GET', `/collections/${name}/points/${big}`);
    assert.match(g.text, new RegExp(`"id":${big}[,}]`));
  });
});

test('scroll pages in id order, numbers before UUIDs', async () => {
  await withCollection('scroll', DOT4, async (name) => {
    const u = '00000000-0000-4000-8000-000000000001';
    const ids = [30, 5, u, 12, 1, 7];
    assertOk(
      assert,
      await upsert(name, {
        points: ids.map((id, i) => ({ id, vector: [i, 1, 0, 0], payload: { i } })),
      }),
    );
    const url = `/collections/${name}/points/scroll`;
    const p1 = assertOk(assert, await call('POST', url, { limit: 4 }));
    assert.deepEqual(Object.keys(p1).sort(), ['next_page_offset', 'points']);
    assert.deepEqual(p1.points.map((p) => p.id), [1, 5, 7, 12]);
    assert.deepEqual(p1.points[0], { id: 1, payload: { i: 4 } });
    assert.equal(p1.next_page_offset, 30);
    const p2 = assertOk(
      assert,
      await call('POST', url, { limit: 4, offset: p1.next_page_offset, with_payload: false, with_vector: true }),
    );
    assert.deepEqual(p2, {
      points: [
        { id: 30, vector: [0, 1, 0, 0] },
        { id: u, vector: [2, 1, 0, 0] },
      ],
      next_page_offset: null,
    });
    // Default limit is 10: everything in one page.
    const all = assertOk(assert, await call('POST', url, {}));
    assert.equal(all.points.length, 6);
    assert.equal(all.next_page_offset, null);
  });
});
