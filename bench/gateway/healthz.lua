-- wrk script: GET /healthz, the gateway's floor (TCP, evhttp, routing and
-- a fixed reply, no body and no backend), beside the searches.
wrk.method = "GET"

-- done(): the RESULT line run.sh reads.
dofile((os.getenv("GWB_LUA_DIR") or ".") .. "/report.lua")
