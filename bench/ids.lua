-- wrk script: GET a path with {id} replaced by an id picked at random from a file.
-- usage: wrk ... -s bench/ids.lua http://HOST:PORT -- IDS_FILE '/v1/claims/{id}' ['Bearer cdb_…']
-- done() (bench/report.lua) prints one "BENCH key=value ..." line that bench/bench.py parses.
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

-- done(): the report line, shared with the other script (beside this one).
dofile((debug.getinfo(1, "S").source:sub(2):match("^(.*/)") or "") .. "report.lua")
