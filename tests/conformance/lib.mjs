// Shared helpers for the conformance tests: where the gateway is, and
// a fetch wrapper that returns status, headers and the parsed body.
export const BASE = process.env.VEXFS_URL ?? 'http://127.0.0.1:6333';

export async function call(method, path, body, headers = {}) {
  const init = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    init.headers['content-type'] = 'application/json';
  }
  const res = await fetch(BASE + path, init);
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

// Qdrant's success envelope: {"result": ..., "status": "ok", "time": <float>}.
export function assertOk(assert, r) {
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'ok');
  assert.equal(typeof r.json.time, 'number');
  assert.ok('result' in r.json);
  return r.json.result;
}

// Qdrant's error envelope: {"status": {"error": "..."}, "time": <float>}.
export function assertError(assert, r, code, pattern) {
  assert.equal(r.status, code, r.text);
  assert.equal(typeof r.json.status.error, 'string');
  assert.equal(typeof r.json.time, 'number');
  assert.ok(!('result' in r.json));
  if (pattern) assert.match(r.json.status.error, pattern);
}
