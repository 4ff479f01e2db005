-- GET /v1/images/detail?limit=25 (the legacy v1 API's detailed list, first page, default sort): compared with
-- list.lua (GET /v2/images?limit=25) in the same run of scripts/bench-metadata.sh --tests "list v1_list".
wrk.method = "GET"
wrk.path = "/v1/images/detail?limit=" .. (os.getenv("BENCH_LIST_LIMIT") or "25")
