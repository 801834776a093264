-- GET WRK_PATH with a bearer token (WRK_TOKEN). WRK_DELAY_MS > 0 paces each
-- connection (closed loop, so the rate is approximate).
local path  = os.getenv("WRK_PATH")  or "/healthz"
local token = os.getenv("WRK_TOKEN") or ""
local pause = tonumber(os.getenv("WRK_DELAY_MS") or "0")
wrk.method = "GET"
wrk.path = path
if token ~= "" then wrk.headers["Authorization"] = "Bearer " .. token end
wrk.headers["Accept"] = "application/json"
if pause > 0 then function delay() return pause end end
dofile(os.getenv("WRK_DONE") or "bench/done.lua")
