// `filter` in scroll, count, search, query and delete; scroll order and
// pages; exact u64 ids up to 2^64-1 in every id position.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { call, assertOk, assertError } from './lib.mjs';
import { withCollection, DOT4, seed, byCity, UPDATE_OK } from './fixtures.mjs';

const ids = (pts) => pts.map((p) => p.id);

test('scroll with a filter pages in id order with next_page_offset', async () => {
  await withCollection('fscroll', DOT4, async (name) => {
    const u1 = '00000000-0000-4000-8000-0000000000aa';
    const u2 = '00000000-0000-4000-8000-0000000000bb';
    const pts = [40, 7, u2, 12, 3, u1, 25].map((id, i) => ({
      id,
      vector: [i, 1, 0, 0],
      payload: { city: i % 2 ? 'Berlin' : 'Paris', i },
    }));
    await seed(name, pts);
    const url = `/collections/${name}/points/scroll`;
    // Paris: i = 0, 2, 4, 6 -> ids 40, u2, 3, 25.
    const p1 = assertOk(assert, await call('POST', url, { filter: byCity('Paris'), limit: 2, with_payload: false }));
    assert.deepEqual(p1, { points: [{ id: 3 }, { id: 25 }], next_page_offset: 40 });
    const p2 = assertOk(
      assert,
      await call('POST', url, { filter: byCity('Paris'), limit: 2, offset: 40, with_payload: ['i'] }),
    );
    assert.deepEqual(p2, { points: [{ id: 40, payload: { i: 0 } }, { id: u2, payload: { i: 2 } }], next_page_offset: null });
    // Offset need not be a matching (or existing) id.
    const p3 = assertOk(assert, await call('POST', url, { filter: byCity('Berlin'), offset: 8, with_payload: false }));
    assert.deepEqual(ids(p3.points), [12, u1]);
    assert.equal(p3.next_page_offset, null);
    // A filter nothing matches.
    assert.deepEqual(assertOk(assert, await call('POST', url, { filter: byCity('Rome') })), { points: [], next_page_offset: null });
  });
});

test('count, search and query with filters', async () => {
  await withCollection('fcount', DOT4, async (name) => {
    await seed(name);
    const count = (body) => call('POST', `/collections/${name}/points/count`, body);
    assert.deepEqual(assertOk(assert, await count({ filter: byCity('Berlin') })), { count: 2 });
    assert.deepEqual(assertOk(assert, await count({ filter: byCity('Berlin'), exact: true })), { count: 2 });
    assert.deepEqual(
      assertOk(assert, await count({ filter: { must_not: [{ key: 'city', match: { value: 'Berlin' } }] } })),
      { count: 3 },
    );
    assert.deepEqual(assertOk(assert, await count({ filter: { must: [{ key: 'n', range: { gte: 2, lt: 4 } }] } })), {
      count: 2,
    });
    assert.deepEqual(assertOk(assert, await count({ filter: { must: [{ has_id: [1, 5, 77] }] } })), { count: 2 });

    const s = assertOk(
      assert,
      await call('POST', `/collections/${name}/points/search`, {
        vector: [1, 0, 0, 0],
        limit: 3,
        filter: byCity('Berlin'),
        with_payload: true,
      }),
    );
    assert.deepEqual(s, [
      { id: 1, version: 0, score: 1, payload: { city: 'Berlin', n: 1, tags: ['a'] } },
      { id: 4, version: 0, score: 0, payload: { city: 'Berlin', n: 4 } },
    ]);
    const q = assertOk(
      assert,
      await call('POST', `/collections/${name}/points/query`, {
        query: [0, 1, 0, 0],
        filter: { should: [{ key: 'city', match: { any: ['Paris', 'London'] } }] },
      }),
    );
    assert.deepEqual(ids(q.points), [2, 3]);
  });
});

test('delete by filter', async () => {
  await withCollection('fdel', DOT4, async (name) => {
    await seed(name);
    UPDATE_OK(await call('POST', `/collections/${name}/points/delete?wait=true`, { filter: byCity('Berlin') }));
    const all = assertOk(assert, await call('POST', `/collections/${name}/points/scroll`, { with_payload: false }));
    assert.deepEqual(ids(all.points), [2, 3, 5]);
  });
});

test('bad filters are 400 and change nothing', async () => {
  await withCollection('fbad', DOT4, async (name) => {
    await seed(name);
    const bad = [
      { must: 5 },
      { must: [{ key: 'city' }] },
      { must: [{ key: 'n', range: { gte: 'x' } }] },
      { must: [{ nope: 1 }] },
      [1, 2],
    ];
    for (const filter of bad) {
      for (const [m, p, b] of [
        ['POST', 'points/count', {}],
        ['POST', 'points/scroll', {}],
        ['POST', 'points/search', { vector: [1, 0, 0, 0], limit: 1 }],
        ['POST', 'points/delete', {}],
      ]) {
        assertError(
          assert,
          await call(m, `/collections/${name}/${p}`, { ...b, filter }),
          400,
          /^Format error in JSON body: /,
        );
      }
    }
    assert.deepEqual(assertOk(assert, await call('POST', `/collections/${name}/points/count`, {})), { count: 5 });
  });
});

test('ids up to 2^64-1 in every position, echoed exactly; beyond refused', async () => {
  await withCollection('u64', DOT4, async (name) => {
    const max = '18446744073709551615';
    const hi = '9223372036854775808'; // 2^63
    const body = `{"points":[{"id":${max},"vector":[1,0,0,0],"payload":{"a":1}},{"id":${hi},"vector":[0.5,1,0,0]},{"id":5,"vector":[0,0,1,0]}]}`;
    assertOk(assert, await call('PUT', `/collections/${name}/points?wait=true`, body));
    const has = (r, id) => assert.match(r.text, new RegExp(`"id":${id}[,}]`), r.text);

    const get = await call('POST', `/collections/${name}/points`, `{"ids":[${max},${hi}]}`);
    assert.equal(get.status, 200, get.text);
    has(get, max);
    has(get, hi);
    has(await call('GET', `/collections/${name}/points/${max}`), max);
    const sc = await call('POST', `/collections/${name}/points/scroll`, '{"limit":2}');
    // Numeric order: 5, 2^63, then 2^64-1 as the next offset.
    assert.match(sc.text, new RegExp(`"points":\\[\\{"id":5,.*\\{"id":${hi},.*"next_page_offset":${max}\\}`), sc.text);
    const sc2 = await call('POST', `/collections/${name}/points/scroll`, `{"offset":${max}}`);
    assert.match(sc2.text, new RegExp(`^\\{"result":\\{"points":\\[\\{"id":${max},"payload":\\{"a":1\\}\\}\\],"next_page_offset":null\\}`));
    has(await call('POST', `/collections/${name}/points/search`, { vector: [1, 0, 0, 0], limit: 1 }), max);
    has(await call('POST', `/collections/${name}/points/recommend`, `{"positive":[${hi}],"limit":1}`), max);
    has(await call('POST', `/collections/${name}/points/query`, `{"query":${hi},"limit":1}`), max);
    assertOk(assert, await call('POST', `/collections/${name}/points/payload?wait=true`, `{"payload":{"b":2},"points":[${max}]}`));
    assert.match(
      (await call('GET', `/collections/${name}/points/${max}`)).text,
      /"payload":\{"a":1,"b":2\}/,
    );
    assertOk(assert, await call('POST', `/collections/${name}/points/delete?wait=true`, `{"points":[${hi}]}`));
    assert.deepEqual(assertOk(assert, await call('POST', `/collections/${name}/points/count`, {})), { count: 2 });

    for (const v of ['18446744073709551616', '99999999999999999999999', '-1', '-9223372036854775809']) {
      for (const [m, p, b] of [
        ['PUT', 'points', `{"points":[{"id":${v},"vector":[1,0,0,0]}]}`],
        ['POST', 'points', `{"ids":[${v}]}`],
        ['POST', 'points/delete', `{"points":[${v}]}`],
        ['POST', 'points/scroll', `{"offset":${v}}`],
        ['POST', 'points/recommend', `{"positive":[${v}],"limit":1}`],
        ['POST', 'points/payload', `{"payload":{},"points":[${v}]}`],
      ]) {
        assertError(
          assert,
          await call(m, `/collections/${name}/${p}`, b),
          400,
          new RegExp(`^Format error in JSON body: value ${v} is not a valid point ID, valid values are either an unsigned integer or a UUID$`),
        );
      }
    }
    assertError(assert, await call('GET', `/collections/${name}/points/18446744073709551616`), 400);
  });
});
