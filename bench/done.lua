-- Shared by the wrk scripts: one CSV line per run, parsed by bench/run.
-- requests,rps,p50us,p90us,p99us,p999us,socket_errors,non2xx,maxus
-- (wrk counts a status >= 400 in errors.status; no response() hook, so wrk
-- does not parse the bodies.)
function done(s, lat, req)
  io.write(string.format("CSV,%d,%.1f,%.1f,%.1f,%.1f,%.1f,%d,%d,%.1f\n",
    s.requests, s.requests / (s.duration / 1e6),
    lat:percentile(50), lat:percentile(90), lat:percentile(99), lat:percentile(99.9),
    s.errors.connect + s.errors.read + s.errors.write + s.errors.timeout,
    s.errors.status, lat.max))
end
