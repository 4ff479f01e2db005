-- GET /v2/images?limit=25 (first page, default sort).
wrk.method = "GET"
wrk.path = "/v2/images?limit=" .. (os.getenv("BENCH_LIST_LIMIT") or "25")
function response(status, headers, body) bench_count(status) end
