// The official JS SDK (@qdrant/js-client-rest, pinned) driving collections
// and points on the kernel backend. Unique names, cleaned up after.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { QdrantClient } from '@qdrant/js-client-rest';
import { BASE } from './lib.mjs';

const client = new QdrantClient({ url: BASE, checkCompatibility: false });
const name = `sdk_points_${process.pid}`;

after(async () => {
  try {
    await client.deleteCollection(name);
  } catch {
    // already gone
  }
});

test('SDK collection and points lifecycle', async (t) => {
  await t.test('createCollection', async () => {
    assert.equal(
      await client.createCollection(name, {
        vectors: { size: 4, distance: 'Cosine' },
        hnsw_config: { m: 16, ef_construct: 100 },
      }),
      true,
    );
    assert.deepEqual(await client.collectionExists(name), { exists: true });
    const { collections } = await client.getCollections();
    assert.ok(collections.some((c) => c.name === name));
  });

  await t.test('getCollection', async () => {
    const info = await client.getCollection(name);
    assert.equal(info.status, 'green');
    assert.equal(info.points_count, 0);
    assert.deepEqual(info.config.params.vectors, { size: 4, distance: 'Cosine' });
    assert.equal(info.config.hnsw_config.m, 16);
  });

  await t.test('upsert with payloads (list and batch forms)', async () => {
    const r = await client.upsert(name, {
      wait: true,
      points: [
        { id: 1, vector: [1, 0, 0, 0], payload: { color: 'red', n: 1 } },
        { id: 2, vector: [0, 1, 0, 0], payload: { color: 'green', n: 2 } },
        { id: '3f2504e0-4f89-11d3-9a0c-0305e82c3301', vector: [0, 0, 1, 0], payload: { color: 'blue' } },
      ],
    });
    assert.equal(r.status, 'completed');
    assert.equal(typeof r.operation_id, 'number');
    const b = await client.upsert(name, {
      wait: true,
      batch: { ids: [4, 5], vectors: [[0.9, 0.1, 0, 0], [0, 0, 0, 1]], payloads: [{ color: 'pink' }, {}] },
    });
    assert.equal(b.status, 'completed');
  });

  await t.test('count', async () => {
    assert.deepEqual(await client.count(name, { exact: true }), { count: 5 });
    assert.equal((await client.getCollection(name)).points_count, 5);
  });

  await t.test('retrieve', async () => {
    const pts = await client.retrieve(name, { ids: [2, '3f2504e0-4f89-11d3-9a0c-0305e82c3301'], with_vector: true });
    assert.equal(pts.length, 2);
    assert.equal(pts[0].id, 2);
    assert.deepEqual(pts[0].payload, { color: 'green', n: 2 });
    assert.deepEqual(pts[0].vector, [0, 1, 0, 0]);
    assert.equal(pts[1].id, '3f2504e0-4f89-11d3-9a0c-0305e82c3301');
    assert.deepEqual(pts[1].payload, { color: 'blue' });
  });

  await t.test('search: nearest id and score ordering', async () => {
    const hits = await client.search(name, { vector: [1, 0.05, 0, 0], limit: 3, with_payload: true });
    assert.equal(hits.length, 3);
    assert.equal(hits[0].id, 1);
    assert.equal(hits[0].payload.color, 'red');
    assert.equal(hits[1].id, 4);
    for (let i = 1; i < hits.length; i++) assert.ok(hits[i - 1].score >= hits[i].score, JSON.stringify(hits));
    assert.ok(hits[0].score > 0.99 && hits[0].score <= 1.0001, JSON.stringify(hits));
  });

  await t.test('query', async () => {
    const res = await client.query(name, { query: [0, 0, 0, 1], limit: 2 });
    assert.equal(res.points.length, 2);
    assert.equal(res.points[0].id, 5);
    assert.ok(res.points[0].score >= res.points[1].score);
  });

  await t.test('delete points', async () => {
    const r = await client.delete(name, { wait: true, points: [1, 4] });
    assert.equal(r.status, 'completed');
    assert.deepEqual(await client.count(name), { count: 3 });
    const hits = await client.search(name, { vector: [1, 0, 0, 0], limit: 5 });
    assert.ok(!hits.some((h) => h.id === 1 || h.id === 4), JSON.stringify(hits));
  });

  await t.test('errors surface as SDK exceptions', async () => {
    await assert.rejects(
      client.upsert(name, { wait: true, points: [{ id: 9, vector: [1, 2] }] }),
      (e) => e.status === 400,
    );
    await assert.rejects(client.getCollection(`${name}_missing`), (e) => e.status === 404);
    await assert.rejects(
      client.createCollection(name, { vectors: { size: 4, distance: 'Cosine' } }),
      (e) => e.status === 409,
    );
  });

  await t.test('deleteCollection', async () => {
    assert.equal(await client.deleteCollection(name), true);
    assert.deepEqual(await client.collectionExists(name), { exists: false });
  });
});

test('SDK scroll and query by id', async () => {
  const coll = `sdk_scroll_${process.pid}`;
  await client.createCollection(coll, { vectors: { size: 2, distance: 'Euclid' } });
  try {
    await client.upsert(coll, {
      wait: true,
      points: [3, 1, 2, 4].map((id) => ({ id, vector: [id, 0], payload: { id } })),
    });
    const page = await client.scroll(coll, { limit: 3 });
    assert.deepEqual(page.points.map((p) => p.id), [1, 2, 3]);
    assert.deepEqual(page.points[1].payload, { id: 2 });
    assert.equal(page.next_page_offset, 4);
    const rest = await client.scroll(coll, { limit: 3, offset: page.next_page_offset });
    assert.deepEqual(rest.points.map((p) => p.id), [4]);
    assert.equal(rest.next_page_offset, null);

    const near = await client.query(coll, { query: 2, limit: 2 });
    assert.deepEqual(near.points.map((p) => p.id).sort(), [1, 3]);
    assert.ok(Math.abs(near.points[0].score - 1) < 1e-6, JSON.stringify(near));

    const batch = await client.searchBatch(coll, {
      searches: [{ vector: [0, 0], limit: 1 }, { vector: [10, 0], limit: 1 }],
    });
    assert.deepEqual(batch.map((r) => r[0].id), [1, 4]);
  } finally {
    await client.deleteCollection(coll);
  }
});
