// The official JS SDK (@qdrant/js-client-rest, pinned) driving payload and
// vector updates, batch, recommend, collection update, aliases, payload
// indexes, and filtered scroll/count/search/query, asserting results.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { QdrantClient } from '@qdrant/js-client-rest';
import { BASE } from './lib.mjs';

const client = new QdrantClient({ url: BASE, checkCompatibility: false });
const name = `sdk_update_${process.pid}`;
const alias = `sdk_alias_${process.pid}`;
const alias2 = `sdk_alias2_${process.pid}`;

after(async () => {
  for (const a of [alias, alias2]) {
    try {
      await client.updateCollectionAliases({ actions: [{ delete_alias: { alias_name: a } }] });
    } catch {
      // not there
    }
  }
  try {
    await client.deleteCollection(name);
  } catch {
    // already gone
  }
});

const berlin = { must: [{ key: 'city', match: { value: 'Berlin' } }] };

async function payloadOf(id) {
  const [p] = await client.retrieve(name, { ids: [id], with_payload: true });
  return p?.payload;
}

test('SDK update, recommend, alias and index methods', async (t) => {
  await t.test('setup', async () => {
    assert.equal(await client.createCollection(name, { vectors: { size: 2, distance: 'Euclid' } }), true);
    const r = await client.upsert(name, {
      wait: true,
      points: [0, 1, 2, 3, 4, 5].map((i) => ({
        id: i + 1,
        vector: [i, 0],
        payload: { city: i < 3 ? 'Berlin' : 'Paris', n: i },
      })),
    });
    assert.equal(r.status, 'completed');
  });

  await t.test('setPayload / overwritePayload / deletePayload / clearPayload', async () => {
    let r = await client.setPayload(name, { payload: { tag: 'x' }, points: [1, 2] });
    assert.equal(r.status, 'completed');
    assert.deepEqual(await payloadOf(1), { city: 'Berlin', n: 0, tag: 'x' });
    r = await client.setPayload(name, { payload: { nested: 1 }, points: [3], key: 'inner' });
    assert.equal(r.status, 'completed');
    assert.deepEqual(await payloadOf(3), { city: 'Berlin', n: 2, inner: { nested: 1 } });
    r = await client.setPayload(name, { payload: { flagged: true }, filter: berlin });
    assert.equal((await payloadOf(2)).flagged, true);
    assert.equal((await payloadOf(4)).flagged, undefined);
    r = await client.overwritePayload(name, { payload: { only: 1 }, points: [4] });
    assert.equal(r.status, 'completed');
    assert.deepEqual(await payloadOf(4), { only: 1 });
    r = await client.deletePayload(name, { keys: ['tag', 'flagged'], points: [1, 2] });
    assert.equal(r.status, 'completed');
    assert.deepEqual(await payloadOf(1), { city: 'Berlin', n: 0 });
    r = await client.clearPayload(name, { points: [4] });
    assert.equal(r.status, 'completed');
    assert.deepEqual(await payloadOf(4), {});
  });

  await t.test('updateVectors / deleteVectors', async () => {
    let r = await client.updateVectors(name, { points: [{ id: 6, vector: [100, 0] }] });
    assert.equal(r.status, 'completed');
    const [p] = await client.retrieve(name, { ids: [6], with_vector: true, with_payload: false });
    assert.deepEqual(p.vector, [100, 0]);
    r = await client.deleteVectors(name, { points: [6], vector: [''] });
    assert.equal(r.status, 'completed');
    const hits = await client.search(name, { vector: [100, 0], limit: 10 });
    assert.ok(!hits.some((h) => h.id === 6));
    await client.updateVectors(name, { points: [{ id: 6, vector: [5, 0] }] });
  });

  await t.test('batchUpdate', async () => {
    const r = await client.batchUpdate(name, {
      operations: [
        { upsert: { points: [{ id: 7, vector: [6, 0], payload: { city: 'Rome' } }] } },
        { set_payload: { payload: { b: 1 }, points: [7] } },
        { delete_payload: { keys: ['city'], points: [7] } },
      ],
    });
    assert.equal(r.length, 3);
    assert.ok(r.every((u) => u.status === 'completed'));
    assert.deepEqual(await payloadOf(7), { b: 1 });
    await client.batchUpdate(name, { operations: [{ delete: { points: [7] } }] });
    assert.deepEqual(await client.count(name), { count: 6 });
  });

  await t.test('recommend / recommendBatch / query recommend', async () => {
    const r = await client.recommend(name, { positive: [1, 3], limit: 2, with_payload: false });
    // avg(x=0, x=2) = 1 -> id 2 (x=1); then id 4 (x=3) at distance 2.
    assert.deepEqual(r.map((h) => [h.id, h.score]), [[2, 0], [4, 2]]);
    const rb = await client.recommendBatch(name, {
      searches: [{ positive: [6], negative: [5], limit: 1 }, { positive: [1], limit: 1, filter: berlin }],
    });
    // x=5 + (5 - 4) = 6: ids 6 and 5 are the examples, so id 4 (x=3).
    assert.deepEqual(rb.map((hs) => hs.map((h) => h.id)), [[4], [2]]);
    const q = await client.query(name, { query: { recommend: { positive: [3] } }, limit: 1, filter: berlin });
    assert.deepEqual(q.points.map((p) => p.id), [2]);
  });

  await t.test('scroll / count / search / query with filters', async () => {
    const s = await client.scroll(name, { filter: berlin, limit: 2, with_payload: false });
    assert.deepEqual(s.points.map((p) => p.id), [1, 2]);
    assert.equal(s.next_page_offset, 3);
    assert.deepEqual(await client.count(name, { filter: berlin }), { count: 3 });
    assert.deepEqual(
      await client.count(name, { filter: { must: [{ key: 'n', range: { gt: 3 } }] } }),
      { count: 2 }, // ids 5 and 6; id 4's payload was cleared
    );
    const hits = await client.search(name, { vector: [5, 0], limit: 2, filter: berlin, with_payload: false });
    assert.deepEqual(hits.map((h) => h.id), [3, 2]);
    const q = await client.query(name, { query: [0, 0], filter: { must_not: [berlin.must[0]] }, limit: 1 });
    assert.deepEqual(q.points.map((p) => p.id), [4]);
  });

  await t.test('updateCollection', async () => {
    assert.equal(await client.updateCollection(name, { hnsw_config: { m: 24 }, optimizers_config: { indexing_threshold: 0 } }), true);
    const info = await client.getCollection(name);
    assert.equal(info.config.hnsw_config.m, 24);
  });

  await t.test('updateCollectionAliases / getAliases / getCollectionAliases', async () => {
    assert.equal(
      await client.updateCollectionAliases({ actions: [{ create_alias: { collection_name: name, alias_name: alias } }] }),
      true,
    );
    assert.deepEqual(await client.getCollectionAliases(name), { aliases: [{ alias_name: alias, collection_name: name }] });
    const all = await client.getAliases();
    assert.ok(all.aliases.some((a) => a.alias_name === alias && a.collection_name === name));
    assert.deepEqual(await client.count(alias), { count: 6 });
    assert.equal(
      await client.updateCollectionAliases({ actions: [{ rename_alias: { old_alias_name: alias, new_alias_name: alias2 } }] }),
      true,
    );
    assert.deepEqual(await client.getCollectionAliases(name), { aliases: [{ alias_name: alias2, collection_name: name }] });
    assert.equal(await client.updateCollectionAliases({ actions: [{ delete_alias: { alias_name: alias2 } }] }), true);
    assert.deepEqual(await client.getCollectionAliases(name), { aliases: [] });
  });

  await t.test('createPayloadIndex / deletePayloadIndex', async () => {
    const r = await client.createPayloadIndex(name, { field_name: 'city', field_schema: 'keyword', wait: true });
    assert.equal(r.status, 'completed');
    let info = await client.getCollection(name);
    assert.deepEqual(info.payload_schema, { city: { data_type: 'keyword', points: 5 } });
    const d = await client.deletePayloadIndex(name, 'city');
    assert.equal(d.status, 'completed');
    info = await client.getCollection(name);
    assert.deepEqual(info.payload_schema, {});
  });
});
