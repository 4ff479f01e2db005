-- Prepended by metabench.py to each wrk script of scripts/bench-metadata.sh.
-- Request headers (the trusted identity headers) come from the file named by $BENCH_HDR_FILE,
-- one "Name: value" per line. done() prints one machine-readable line that metabench.py parses.
local hdr_file = os.getenv("BENCH_HDR_FILE")
if hdr_file and hdr_file ~= "" then
  local f = assert(io.open(hdr_file, "r"))
  for line in f:lines() do
    local k, v = line:match("^%s*([^:]+):%s*(.-)%s*$")
    if k then wrk.headers[k] = v end
  end
  f:close()
end

function bench_headers(extra)
  local h = {}
  for k, v in pairs(wrk.headers) do h[k] = v end
  if extra then for k, v in pairs(extra) do h[k] = v end end
  return h
end

-- Status accounting for scripts that define response() (create_delete.lua): every response is classified,
-- so that any non-2xx answer (also 1xx/3xx, which wrk's own summary.errors.status ignores) is counted.
bench_threads = {}
function setup(thread) table.insert(bench_threads, thread) end
status_2xx, status_other, status_first_bad = 0, 0, 0

function bench_count(status)
  if status >= 200 and status < 300 then
    status_2xx = status_2xx + 1
  else
    status_other = status_other + 1
    if status_first_bad == 0 then status_first_bad = status end
  end
end

local function thread_sum(name)
  local n = 0
  for _, t in ipairs(bench_threads) do n = n + (tonumber(t:get(name)) or 0) end
  return n
end
bench_thread_sum = thread_sum

function done(summary, latency, requests)
  local e = summary.errors
  local first_bad = 0
  for _, t in ipairs(bench_threads) do
    local s = tonumber(t:get("status_first_bad")) or 0
    if s ~= 0 then first_bad = s end
  end
  io.write(string.format(
    "WRK requests=%d duration_us=%d bytes=%d err_connect=%d err_read=%d err_write=%d err_status=%d err_timeout=%d " ..
    "lat_mean_us=%.0f lat_p50_us=%d lat_p90_us=%d lat_p99_us=%d lat_max_us=%d " ..
    "hook=%d status_2xx=%d status_other=%d first_bad_status=%d\n",
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    response and 1 or 0, thread_sum("status_2xx"), thread_sum("status_other"), first_bad))
  if bench_extra_report then bench_extra_report() end
end
