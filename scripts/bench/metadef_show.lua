-- GET /v2/metadefs/namespaces/{namespace}: one namespace with all its properties, objects, associations and
-- tags (scripts/bench-metadefs.sh; $BENCH_METADEF_NAMESPACE, default OS::Compute::Libvirt).
wrk.method = "GET"
wrk.path = "/v2/metadefs/namespaces/" .. (os.getenv("BENCH_METADEF_NAMESPACE") or "OS::Compute::Libvirt")
