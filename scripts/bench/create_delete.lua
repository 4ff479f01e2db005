-- Create+delete pairs: POST /v2/images, then DELETE /v2/images/{id} of the image just created, using the
-- id from the 201 response. The queue of created ids is per wrk thread (wrk calls request() per thread):
-- a connection whose previous create has been answered deletes a pending id, else it creates.
-- pairs = min(201 creates, 204 deletes). Leftovers (<= connections) are named bench-cd and removed by
-- metabench.py after the run.
local queue = {}
creates, deletes, create_no_id = 0, 0, 0
local body = '{"name":"bench-cd","visibility":"private","disk_format":"raw","container_format":"bare"}'
local post_headers

function init(args)
  post_headers = bench_headers({["Content-Type"] = "application/json"})
end

function request()
  if #queue > 0 then
    local id = table.remove(queue)
    return wrk.format("DELETE", "/v2/images/" .. id, nil, nil)
  end
  return wrk.format("POST", "/v2/images", post_headers, body)
end

function response(status, headers, rbody)
  bench_count(status)
  if status == 201 then
    local id = rbody:match('"id"%s*:%s*"([^"]+)"')
    if id then creates = creates + 1; queue[#queue + 1] = id else create_no_id = create_no_id + 1 end
  elseif status == 204 then
    deletes = deletes + 1
  end
end

function bench_extra_report()
  io.write(string.format("WRKX creates=%d deletes=%d create_no_id=%d\n",
    bench_thread_sum("creates"), bench_thread_sum("deletes"), bench_thread_sum("create_no_id")))
end
