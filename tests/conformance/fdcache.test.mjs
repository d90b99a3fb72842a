// A collection deleted and recreated, and an alias re-pointed, must show on
// the next request whichever worker serves it. The kernel backend keeps
// collection directories open per worker thread (admin.rst, "Collection
// fds"); every request here opens its own connection, so the gateway's
// SO_REUSEPORT sockets spread them over all the workers, each of which
// has the old collection cached before the change.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { BASE, call, assertOk, assertError } from './lib.mjs';
import { uniqueName } from './fixtures.mjs';

const SPREAD = 12; // requests per check, each on a new connection

// One request on a connection of its own (no keep-alive pool).
function fresh(method, path, body) {
  const data = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      BASE + path,
      {
        method,
        agent: false,
        headers: data ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } : {},
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (text += c));
        res.on('end', () => {
          let json;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.status ?? res.statusCode, text, json });
        });
      },
    );
    req.on('error', reject);
    if (data) req.write(data);
    req.end();
  });
}

// SPREAD requests, each on its own connection. One after the other: qemu's
// port forwarding listens with a backlog of 1 and drops bursts of SYNs.
async function spread(method, path, body) {
  const out = [];
  for (let i = 0; i < SPREAD; i++) out.push(await fresh(method, path, typeof body === 'function' ? body(i) : body));
  return out;
}

const search = (name, vector) => spread('POST', `/collections/${name}/points/search`, { vector, limit: 3 });

function ids(r) {
  return assertOk(assert, r).map((h) => h.id);
}

const create = async (name, size) =>
  assert.equal(assertOk(assert, await call('PUT', `/collections/${name}`, { vectors: { size, distance: 'Dot' } })), true);

const upsert = async (name, points) =>
  assertOk(assert, await call('PUT', `/collections/${name}/points?wait=true`, { points }));

test('a collection deleted and recreated with another size is the new one on every worker', async () => {
  const name = uniqueName('fdc');
  try {
    await create(name, 4);
    await upsert(name, [{ id: 1, vector: [1, 0, 0, 0] }]);
    for (const r of await search(name, [1, 0, 0, 0])) assert.deepEqual(ids(r), [1]);

    assert.equal(assertOk(assert, await call('DELETE', `/collections/${name}`)), true);
    await create(name, 8);

    const v8 = [0, 0, 0, 0, 0, 0, 0, 1];
    for (const r of await search(name, v8)) assert.deepEqual(ids(r), []);
    for (const r of await search(name, [1, 0, 0, 0]))
      assertError(assert, r, 400, /^Wrong input: Vector dimension error: expected dim: 8, got 4$/);

    // Upserts through every worker land in the new collection.
    const ups = await spread('PUT', `/collections/${name}/points?wait=true`, (i) => ({
      points: [{ id: 100 + i, vector: v8 }],
    }));
    for (const r of ups) assertOk(assert, r);
    assert.deepEqual(assertOk(assert, await call('POST', `/collections/${name}/points/count`, { exact: true })), {
      count: SPREAD,
    });
    for (const r of await spread('POST', `/collections/${name}/points/count`, { exact: true }))
      assert.deepEqual(assertOk(assert, r), { count: SPREAD });
    assert.equal(assertOk(assert, await call('GET', `/collections/${name}`)).config.params.vectors.size, 8);
  } finally {
    await call('DELETE', `/collections/${name}`);
  }
});

test('an alias re-pointed, renamed and deleted with its collection is followed on every worker', async () => {
  const a = uniqueName('fdc_a');
  const b = uniqueName('fdc_b');
  const x = uniqueName('fdc_x');
  const y = uniqueName('fdc_y');
  const aliasOps = (actions) => call('POST', '/collections/aliases', { actions });
  try {
    await create(a, 4);
    await create(b, 4);
    await upsert(a, [{ id: 1, vector: [1, 0, 0, 0] }]);
    await upsert(b, [{ id: 2, vector: [1, 0, 0, 0] }]);
    assertOk(assert, await aliasOps([{ create_alias: { collection_name: a, alias_name: x } }]));
    for (const r of await search(x, [1, 0, 0, 0])) assert.deepEqual(ids(r), [1]);

    assertOk(
      assert,
      await aliasOps([{ delete_alias: { alias_name: x } }, { create_alias: { collection_name: b, alias_name: x } }]),
    );
    for (const r of await search(x, [1, 0, 0, 0])) assert.deepEqual(ids(r), [2]);
    const ups = await spread('PUT', `/collections/${x}/points?wait=true`, (i) => ({
      points: [{ id: 10 + i, vector: [0, 1, 0, 0] }],
    }));
    for (const r of ups) assertOk(assert, r);
    assert.deepEqual(assertOk(assert, await call('POST', `/collections/${b}/points/count`, { exact: true })), {
      count: SPREAD + 1,
    });
    assert.deepEqual(assertOk(assert, await call('POST', `/collections/${a}/points/count`, { exact: true })), {
      count: 1,
    });

    assertOk(assert, await aliasOps([{ rename_alias: { old_alias_name: x, new_alias_name: y } }]));
    for (const r of await search(x, [1, 0, 0, 0])) assertError(assert, r, 404, /^Not found: Collection `.*` doesn't exist!$/);
    // b's own point first; a's point 1 never.
    for (const r of await search(y, [1, 0, 0, 0])) {
      const got = ids(r);
      assert.equal(got[0], 2);
      assert.ok(!got.includes(1), JSON.stringify(got));
    }

    // Deleting a collection deletes its aliases.
    assert.equal(assertOk(assert, await call('DELETE', `/collections/${b}`)), true);
    for (const r of await search(y, [1, 0, 0, 0])) assertError(assert, r, 404, /^Not found: Collection `.*` doesn't exist!$/);
  } finally {
    await aliasOps([{ delete_alias: { alias_name: x } }]);
    await aliasOps([{ delete_alias: { alias_name: y } }]);
    await call('DELETE', `/collections/${a}`);
    await call('DELETE', `/collections/${b}`);
  }
});
