-- wrk scripts' shared done(): one RESULT line (requests/s, p50/p99 latency
-- in us, requests, errors) for run.sh. Loaded with dofile() by the others.
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
