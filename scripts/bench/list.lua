-- GET /v2/images?limit=25 (first page, default sort).
wrk.method = "GET"
wrk.path = "/v2/images?limit=" .. (os.getenv("BENCH_LIST_LIMIT") or "25")
-- No response() hook (see get.lua): non-2xx answers are counted by wrk (summary.errors.status, status >= 400).
