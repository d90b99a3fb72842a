// Shared fixtures of the update, recommend, alias and filter tests: a
// collection per test, removed afterwards, and its points.
import assert from 'node:assert/strict';
import { call, assertOk } from './lib.mjs';

let seq = 0;
export function uniqueName(tag) {
  return `${tag}_${process.pid}_${++seq}`;
}

// Create a collection for the duration of fn, then delete it.
export async function withCollection(tag, vectors, fn, extra = {}) {
  const name = uniqueName(tag);
  const r = await call('PUT', `/collections/${name}`, { vectors, ...extra });
  assert.equal(assertOk(assert, r), true);
  try {
    await fn(name);
  } finally {
    await call('DELETE', `/collections/${name}`);
  }
}

export const DOT4 = { size: 4, distance: 'Dot' };

// Cities with numbers: enough for filters to select different subsets.
export const POINTS = [
  { id: 1, vector: [1, 0, 0, 0], payload: { city: 'Berlin', n: 1, tags: ['a'] } },
  { id: 2, vector: [0, 1, 0, 0], payload: { city: 'London', n: 2 } },
  { id: 3, vector: [0.5, 0.5, 0, 0], payload: { city: 'Paris', n: 3, tags: ['a', 'b'] } },
  { id: 4, vector: [0, 0, 1, 0], payload: { city: 'Berlin', n: 4 } },
  { id: 5, vector: [0, 0, 0, 1] },
];

export async function seed(name, points = POINTS) {
  assertOk(assert, await call('PUT', `/collections/${name}/points?wait=true`, { points }));
}

// id -> payload of every point, via scroll.
export async function payloads(name) {
  const r = assertOk(
    assert,
    await call('POST', `/collections/${name}/points/scroll`, { limit: 1000 }),
  );
  return Object.fromEntries(r.points.map((p) => [p.id, p.payload]));
}

export const UPDATE_OK = (r) => {
  const res = assertOk(assert, r);
  assert.deepEqual(Object.keys(res).sort(), ['operation_id', 'status']);
  assert.equal(typeof res.operation_id, 'number');
  assert.equal(res.status, 'completed');
  return res;
};

export const byCity = (city) => ({ must: [{ key: 'city', match: { value: city } }] });
