-- wrk script: 10-NN searches, bodies from $GWB_QUERIES (one JSON per line,
-- written by `direct ... load`), the same queries the direct driver runs.
-- The requests are formatted once, in init(): the client shares the CPUs
-- with the gateway, so it should cost as little per request as it can.
local bodies = {}
for line in io.lines(os.getenv("GWB_QUERIES")) do
	bodies[#bodies + 1] = line
end
local reqs = {}
local i = 0

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

function init(args)
	for k = 1, #bodies do
		reqs[k] = wrk.format(nil, nil, nil, bodies[k])
	end
	-- each thread starts at another query
	i = math.random(#reqs)
end

function request()
	i = i % #reqs + 1
	return reqs[i]
end

-- done(): the RESULT line run.sh reads.
dofile((os.getenv("GWB_LUA_DIR") or ".") .. "/report.lua")
