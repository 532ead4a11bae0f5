-- wrk script: GET a path with {id} replaced by an id picked at random from a file.
-- usage: wrk ... -s bench/ids.lua http://HOST:PORT -- IDS_FILE '/v1/claims/{id}' ['Bearer cdb_…']
-- done() prints one "BENCH key=value ..." line that bench/bench.py parses.
local ids, template, auth = {}, "/", nil

function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then ids[#ids + 1] = line end
  end
  template = args[2]
  if args[3] and #args[3] > 0 then auth = args[3] end
  math.randomseed(os.time())
end

function request()
  local path = template:gsub("{id}", ids[math.random(#ids)])
  return wrk.format("GET", path, auth and {["Authorization"] = auth} or nil)
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
