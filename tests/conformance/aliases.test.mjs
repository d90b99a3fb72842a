// Aliases, collection update (PATCH) and payload indexes with
// payload_schema: exact bodies, and aliases usable wherever a
// collection name is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { call, assertOk, assertError } from './lib.mjs';
import { withCollection, uniqueName, DOT4, seed, UPDATE_OK } from './fixtures.mjs';

const aliasOps = (actions) => call('POST', '/collections/aliases', { actions });

test('create, list, use, rename and delete aliases', async () => {
  await withCollection('al', DOT4, async (name) => {
    const a = uniqueName('alias_a');
    const b = uniqueName('alias_b');
    try {
      assert.equal(
        assertOk(assert, await aliasOps([{ create_alias: { collection_name: name, alias_name: a } }])),
        true,
      );
      assert.deepEqual(assertOk(assert, await call('GET', `/collections/${name}/aliases`)), {
        aliases: [{ alias_name: a, collection_name: name }],
      });
      const all = assertOk(assert, await call('GET', '/aliases'));
      assert.deepEqual(Object.keys(all), ['aliases']);
      assert.ok(all.aliases.some((x) => x.alias_name === a && x.collection_name === name), JSON.stringify(all));

      // The alias works wherever a collection name does.
      await seed(a);
      assert.deepEqual(assertOk(assert, await call('POST', `/collections/${name}/points/count`, {})), { count: 5 });
      assert.equal(assertOk(assert, await call('GET', `/collections/${a}`)).points_count, 5);
      assert.deepEqual(assertOk(assert, await call('GET', `/collections/${a}/exists`)), { exists: true });
      const s = assertOk(assert, await call('POST', `/collections/${a}/points/search`, { vector: [1, 0, 0, 0], limit: 1 }));
      assert.equal(s[0].id, 1);

      assert.equal(
        assertOk(assert, await aliasOps([{ rename_alias: { old_alias_name: a, new_alias_name: b } }])),
        true,
      );
      assert.deepEqual(assertOk(assert, await call('GET', `/collections/${name}/aliases`)), {
        aliases: [{ alias_name: b, collection_name: name }],
      });
      assertError(assert, await call('POST', `/collections/${a}/points/count`, {}), 404, /^Not found: Collection `.*` doesn't exist!$/);

      assert.equal(assertOk(assert, await aliasOps([{ delete_alias: { alias_name: b } }])), true);
      assert.deepEqual(assertOk(assert, await call('GET', `/collections/${name}/aliases`)), { aliases: [] });
      assertError(assert, await call('GET', `/collections/${b}`), 404, /^Not found: Collection `.*` doesn't exist!$/);
    } finally {
      await aliasOps([{ delete_alias: { alias_name: a } }]);
      await aliasOps([{ delete_alias: { alias_name: b } }]);
    }
  });
});

test('several actions in order, and alias errors', async () => {
  await withCollection('al2', DOT4, async (name) => {
    const a = uniqueName('alias_c');
    try {
      // Create then re-point in one request: the last action wins.
      assert.equal(
        assertOk(
          assert,
          await aliasOps([
            { create_alias: { collection_name: name, alias_name: a } },
            { delete_alias: { alias_name: a } },
            { create_alias: { collection_name: name, alias_name: a } },
          ]),
        ),
        true,
      );
      assert.deepEqual(assertOk(assert, await call('GET', `/collections/${name}/aliases`)), {
        aliases: [{ alias_name: a, collection_name: name }],
      });
      assertError(
        assert,
        await aliasOps([{ create_alias: { collection_name: `${name}_missing`, alias_name: uniqueName('x') } }]),
        404,
        /^Not found: Collection `.*_missing` doesn't exist!$/,
      );
      assertError(assert, await aliasOps([{ delete_alias: { alias_name: uniqueName('never') } }]), 404, /^Not found: /);
      assertError(assert, await aliasOps([{ create_alias: { collection_name: name, alias_name: name } }]), 409);
      assertError(assert, await aliasOps([{ create_alias: { collection_name: name } }]), 400, /missing field `alias_name`/);
      assertError(assert, await aliasOps([{ drop_alias: { alias_name: a } }]), 400, /untagged enum AliasOperations/);
      assertError(assert, await call('POST', '/collections/aliases', {}), 400, /missing field `actions`/);
      assertError(assert, await call('POST', '/collections/aliases', '{"actions":['), 400, /^Format error in JSON body: /);
      assertError(assert, await call('GET', `/collections/${name}_missing/aliases`), 404, /doesn't exist!$/);
      // The failed requests left the alias as it was.
      assert.deepEqual(assertOk(assert, await call('GET', `/collections/${name}/aliases`)), {
        aliases: [{ alias_name: a, collection_name: name }],
      });
    } finally {
      await aliasOps([{ delete_alias: { alias_name: a } }]);
    }
  });
});

test('PATCH a collection: hnsw_config changes, optimizers_config accepted', async () => {
  await withCollection('patch', DOT4, async (name) => {
    const url = `/collections/${name}`;
    assert.equal(assertOk(assert, await call('PATCH', url, { hnsw_config: { m: 32, ef_construct: 200 } })), true);
    let info = assertOk(assert, await call('GET', url));
    assert.deepEqual(info.config.hnsw_config, { m: 32, ef_construct: 200, full_scan_threshold: 10000 });
    assert.deepEqual(info.config.params, { vectors: DOT4 });
    assert.equal(
      assertOk(assert, await call('PATCH', url, { optimizers_config: { indexing_threshold: 20000, deleted_threshold: 0.3 } })),
      true,
    );
    assert.equal(assertOk(assert, await call('PATCH', url, { hnsw_config: { full_scan_threshold: 500 } })), true);
    info = assertOk(assert, await call('GET', url));
    assert.deepEqual(info.config.hnsw_config, { m: 32, ef_construct: 200, full_scan_threshold: 500 });

    assertError(assert, await call('PATCH', url, { hnsw_config: 5 }), 400, /hnsw_config: expected an object/);
    assertError(assert, await call('PATCH', url, { hnsw_config: { m: 'x' } }), 400, /hnsw_config.m: expected an unsigned integer/);
    assertError(assert, await call('PATCH', url, { hnsw_config: { ef_construct: 1 } }), 422, /^Validation error in JSON body: \[hnsw_config.ef_construct: value 1 invalid, must be from 4 to/);
    assertError(assert, await call('PATCH', url, { optimizers_config: { indexing_threshold: -1 } }), 400);
    assertError(assert, await call('PATCH', `${url}_missing`, { hnsw_config: { m: 8 } }), 404, /^Not found: Collection `.*_missing` doesn't exist!$/);
    assertError(assert, await call('PATCH', url, '{"hnsw_config":'), 400, /^Format error in JSON body: /);
    info = assertOk(assert, await call('GET', url));
    assert.equal(info.config.hnsw_config.m, 32);
  });
});

test('payload indexes show in payload_schema', async () => {
  await withCollection('pidx', DOT4, async (name) => {
    await seed(name);
    const url = `/collections/${name}/index?wait=true`;
    UPDATE_OK(await call('PUT', url, { field_name: 'city', field_schema: 'keyword' }));
    UPDATE_OK(await call('PUT', url, { field_name: 'n', field_schema: { type: 'integer' } }));
    let info = assertOk(assert, await call('GET', `/collections/${name}`));
    assert.deepEqual(info.payload_schema, {
      city: { data_type: 'keyword', points: 4 },
      n: { data_type: 'integer', points: 4 },
    });
    // Indexed filters give the same answers.
    assert.deepEqual(
      assertOk(assert, await call('POST', `/collections/${name}/points/count`, { filter: { must: [{ key: 'city', match: { value: 'Berlin' } }] } })),
      { count: 2 },
    );
    UPDATE_OK(await call('DELETE', `/collections/${name}/index/city?wait=true`));
    info = assertOk(assert, await call('GET', `/collections/${name}`));
    assert.deepEqual(Object.keys(info.payload_schema), ['n']);

    assertError(assert, await call('PUT', url, { field_schema: 'keyword' }), 400, /missing field `field_name`/);
    assertError(assert, await call('PUT', url, { field_name: 'x' }), 400, /missing field `field_schema`/);
    assertError(assert, await call('PUT', url, { field_name: 'x', field_schema: 'blob' }), 400, /unknown variant `blob`/);
    assertError(assert, await call('PUT', url, { field_name: 5, field_schema: 'keyword' }), 400, /field_name: expected a string/);
    assertError(
      assert,
      await call('PUT', `/collections/${name}_missing/index`, { field_name: 'x', field_schema: 'keyword' }),
      404,
      /^Not found: Collection `.*_missing` doesn't exist!$/,
    );
    for (const t of ['float', 'bool', 'geo', 'datetime', 'text', 'uuid']) {
      UPDATE_OK(await call('PUT', url, { field_name: `f_${t}`, field_schema: t }));
    }
    info = assertOk(assert, await call('GET', `/collections/${name}`));
    for (const t of ['float', 'bool', 'geo', 'datetime', 'text', 'uuid']) {
      assert.deepEqual(info.payload_schema[`f_${t}`], { data_type: t, points: 0 });
    }
  });
});

test('hnsw_config.m = 0 builds no graph: reported as 0, searches stay exact', async () => {
  await withCollection(
    'nograph',
    DOT4,
    async (name) => {
      const url = `/collections/${name}`;
      const info = assertOk(assert, await call('GET', url));
      assert.equal(info.config.hnsw_config.m, 0);
      await seed(name);
      const hits = assertOk(
        assert,
        await call('POST', `${url}/points/search`, { vector: [0, 0, 1, 0], limit: 2 }),
      );
      // Exact search: ties (score 0) broken by id.
      assert.deepEqual(
        hits.map((h) => [h.id, h.score]),
        [
          [4, 1],
          [1, 0],
        ],
      );
      assert.equal(assertOk(assert, await call('GET', url)).indexed_vectors_count, 0);
    },
    { hnsw_config: { m: 0 } },
  );
});
