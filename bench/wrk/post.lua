-- wrk script for the agentbox benchmark. The requests come from the file named by $BENCH_REQUESTS
-- (written by bench/lib/load.mjs), each as: a line "<METHOD> <path>", a line with the number of
-- headers, that many "name: value" lines, a line with the body length in bytes, the body, "\n".
-- One request: wrk's static request (no Lua per request). Several: sent in rotation.
-- done() prints one line "BENCH_RESULT {json}" with counts and latency percentiles (microseconds).

local function load(file)
  local reqs = {}
  local f = assert(io.open(file, "rb"))
  while true do
    local line = f:read("*l")
    if not line or line == "" then break end
    local method, path = line:match("^(%S+) (%S+)$")
    local headers = {}
    for _ = 1, tonumber(f:read("*l")) do
      local k, v = f:read("*l"):match("^([^:]+): (.*)$")
      headers[k] = v
    end
    local len = tonumber(f:read("*l"))
    local body = len > 0 and f:read(len) or nil
    f:read("*l")
    reqs[#reqs + 1] = { method = method, path = path, headers = headers, body = body }
  end
  f:close()
  return reqs
end

local reqs = load(assert(os.getenv("BENCH_REQUESTS"), "BENCH_REQUESTS not set"))

if #reqs == 1 then
  wrk.method = reqs[1].method
  wrk.path = reqs[1].path
  wrk.headers = reqs[1].headers
  wrk.body = reqs[1].body
else
  local formatted = {}
  local i = 0
  init = function(args)
    for k, r in ipairs(reqs) do
      formatted[k] = wrk.format(r.method, r.path, r.headers, r.body)
    end
  end
  request = function()
    i = i % #formatted + 1
    return formatted[i]
  end
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests":%d,"duration_us":%d,"bytes":%d,"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"p50":%d,"p90":%d,"p99":%d,"max":%d,"mean":%.2f}}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
