// The official JS SDK (@qdrant/js-client-rest, pinned in package-lock.json)
// against the gateway.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { QdrantClient } from '@qdrant/js-client-rest';
import { BASE } from './lib.mjs';

const client = new QdrantClient({ url: BASE, checkCompatibility: false });

test('SDK versionInfo', async () => {
  const info = await client.versionInfo();
  assert.equal(info.title, 'qdrant - vector search engine');
  assert.match(info.version, /^1\.18\./);
});

test('SDK getCollections on an empty server', async () => {
  const res = await client.getCollections();
  assert.deepEqual(res, { collections: [] });
});

test('SDK compatibility check passes against the gateway', async () => {
  const warnings = [];
  const orig = console.warn;
  console.warn = (...a) => warnings.push(a.join(' '));
  try {
    const c = new QdrantClient({ url: BASE });
    await c.versionInfo();
    // The check runs in the background; give it a moment to complain.
    await new Promise((r) => setTimeout(r, 300));
  } finally {
    console.warn = orig;
  }
  assert.deepEqual(warnings, []);
});
