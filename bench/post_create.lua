-- POST WRK_PATH (default /v1/meetings) with a JSON create body and a unique
-- meetingID per request; bearer token from WRK_TOKEN.
local path  = os.getenv("WRK_PATH")  or "/v1/meetings"
local token = os.getenv("WRK_TOKEN") or ""
local n = 0
local hdr = { ["Content-Type"] = "application/json", ["Accept"] = "application/json" }
if token ~= "" then hdr["Authorization"] = "Bearer " .. token end
function request()
  n = n + 1
  local body = string.format(
    '{"meetingID":"bench-%d","name":"Bench room %d","record":false,"maxParticipants":50}', n, n)
  return wrk.format("POST", path, hdr, body)
end
dofile(os.getenv("WRK_DONE") or "bench/done.lua")
