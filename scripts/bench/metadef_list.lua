-- GET /v2/metadefs/namespaces (first page, Glance's default limit and sort; scripts/bench-metadefs.sh).
wrk.method = "GET"
wrk.path = "/v2/metadefs/namespaces" .. (os.getenv("BENCH_METADEF_QUERY") or "")
-- No response() hook (see get.lua): non-2xx answers are counted by wrk (summary.errors.status, status >= 400).
