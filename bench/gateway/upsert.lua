-- wrk script: single-point upserts (durable: the reply waits for the WAL
-- flush), vectors from $GWB_VECTORS (one JSON array per line), random ids.
local vecs = {}
for line in io.lines(os.getenv("GWB_VECTORS")) do
	vecs[#vecs + 1] = line
end
local i = 0

wrk.method = "PUT"
wrk.headers["Content-Type"] = "application/json"

function init(args)
	i = math.random(#vecs)
end

function request()
	i = i % #vecs + 1
	local body = string.format('{"points":[{"id":%d,"vector":%s}]}',
		math.random(1, 1000000000), vecs[i])
	return wrk.format(nil, nil, nil, body)
end

function done(summary, latency, requests)
	local e = summary.errors
	io.write(string.format(
		"RESULT rps=%.1f p50_us=%d p99_us=%d n=%d errors=%d timeouts=%d non2xx=%d\n",
		summary.requests / (summary.duration / 1e6),
		latency:percentile(50), latency:percentile(99),
		summary.requests,
		e.connect + e.read + e.write + e.status + e.timeout,
		e.timeout, e.status))
end
