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

-- done(): the RESULT line run.sh reads.
dofile((os.getenv("GWB_LUA_DIR") or ".") .. "/report.lua")
