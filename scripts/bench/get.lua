-- GET /v2/images/{id}, the id drawn at random (per request) from $BENCH_IDS_FILE (ids of visible images).
local ids = {}
function init(args)
  local f = assert(io.open(os.getenv("BENCH_IDS_FILE"), "r"))
  for line in f:lines() do if #line > 0 then ids[#ids + 1] = line end end
  f:close()
  assert(#ids > 0, "no ids in " .. os.getenv("BENCH_IDS_FILE"))
  -- a different sequence per thread
  math.randomseed(os.time() + (tonumber(tostring({}):match("0x(%x+)"), 16) or 0) % 1000003)
end
function request()
  return wrk.format("GET", "/v2/images/" .. ids[math.random(#ids)])
end
-- No response() hook: defining one makes wrk copy every header and body into Lua (about 40 % fewer
-- requests/s at 1 connection here). Non-2xx answers are counted by wrk itself (summary.errors.status, any
-- status >= 400); 1xx/3xx are not expected on this endpoint (the pre-check saw a 200).
