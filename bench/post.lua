-- wrk script: POST the same JSON body (read from a file) to a path.
-- usage: wrk ... -s bench/post.lua http://HOST:PORT -- BODY_FILE /v1/claims [AUTHORIZATION]
-- done() (bench/report.lua) prints one "BENCH key=value ..." line that bench/bench.py parses.
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

-- done(): the report line, shared with the other script (beside this one).
dofile((debug.getinfo(1, "S").source:sub(2):match("^(.*/)") or "") .. "report.lua")
