-- wrk script: POST the same JSON body (read from a file) to a path.
-- usage: wrk ... -s bench/post.lua http://HOST:PORT -- BODY_FILE /v1/claims [AUTHORIZATION]
-- done() prints one "BENCH key=value ..." line that bench/bench.py parses.
local body, path = "", "/"
local headers = {["Content-Type"] = "application/json"}

function init(args)
  local f = assert(io.open(args[1], "rb"))
  body = f:read("*a")
  f:close()
  path = args[2]
  if args[3] and args[3] ~= "" then headers["Authorization"] = args[3] end
end

function request()
  return wrk.format("POST", path, headers, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d bytes=%d status_errors=%d socket_errors=%d " ..
    "p50_us=%d p99_us=%d max_us=%d mean_us=%.1f\n",
    summary.requests, summary.duration, summary.bytes, e.status,
    e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max, latency.mean))
end
