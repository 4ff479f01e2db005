-- GET /v2/images?$BENCH_LIST_QUERY (first page; default "limit=25": the default sort, created_at then id, newest first).
wrk.method = "GET"
wrk.path = "/v2/images?" .. (os.getenv("BENCH_LIST_QUERY") or "limit=25")
-- No response() hook (see get.lua): non-2xx answers are counted by wrk (summary.errors.status, status >= 400).
