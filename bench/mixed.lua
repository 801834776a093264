-- A mixed load for several gateways sharing Redis: of every 10 requests, 7
-- GET /v1/meetings/{id}/running and 2 GET /v1/meetings/{id} of WRK_MEETINGS
-- meetings created beforehand (mix-0 .. mix-<n-1>, placed through another
-- gateway: this one finds them in Redis once), and 1 create of a new meeting
-- (POST /v1/meetings, meetingID <WRK_PREFIX>-<n>: placed by the shared
-- script). Bearer token from WRK_TOKEN.
local token = os.getenv("WRK_TOKEN") or ""
local prefix = os.getenv("WRK_PREFIX") or "new"
local meetings = tonumber(os.getenv("WRK_MEETINGS") or "30")
local get = { ["Accept"] = "application/json" }
local post = { ["Content-Type"] = "application/json", ["Accept"] = "application/json" }
if token ~= "" then
  get["Authorization"] = "Bearer " .. token
  post["Authorization"] = "Bearer " .. token
end
local n = 0
function request()
  n = n + 1
  local k = n % 10
  local id = "mix-" .. (n % meetings)
  if k == 0 then
    local body = string.format('{"meetingID":"%s-%d","name":"Mixed %d"}', prefix, n, n)
    return wrk.format("POST", "/v1/meetings", post, body)
  elseif k <= 2 then
    return wrk.format("GET", "/v1/meetings/" .. id, get)
  end
  return wrk.format("GET", "/v1/meetings/" .. id .. "/running", get)
end
dofile(os.getenv("WRK_DONE") or "bench/done.lua")
