-- wrk script for bench/load/run.py: each connection walks the list of paths given in
-- SDGNET_PATHS (one per line), starting at a different place; at the end it prints one
-- line "SDGNET {json}" with throughput, latency percentiles and error counts.
local paths = {}
for line in string.gmatch(os.getenv("SDGNET_PATHS") or "/", "[^\n]+") do
  paths[#paths + 1] = line
end

local counter = 0
function setup(thread)
  thread:set("offset", counter * 7)
  counter = counter + 1
end

local index = 0
function request()
  index = index + 1
  local path = paths[((index + offset) % #paths) + 1]
  return wrk.format("GET", path)
end

function done(summary, latency, requests)
  local errors = summary.errors
  local socket_errors = errors.connect + errors.read + errors.write + errors.timeout
  io.write(string.format(
    'SDGNET {"requests": %d, "seconds": %.2f, "rps": %.1f, "p50_ms": %.1f, "p90_ms": %.1f, '
      .. '"p95_ms": %.1f, "p99_ms": %.1f, "max_ms": %.1f, "mean_ms": %.1f, "errors": %d, '
      .. '"non_2xx_3xx": %d, "bytes": %d}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, latency.mean / 1000,
    socket_errors + errors.status, errors.status, summary.bytes))
end
