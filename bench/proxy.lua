-- wrk script for the fwdproxy benchmarks.
--
-- With BENCH_ORIGIN=HOST:PORT set, wrk connects to the URL given on its
-- command line (the proxy) but sends absolute-form requests for the same path
-- on the origin:
--   BENCH_ORIGIN=127.0.0.1:8080 wrk -s proxy.lua http://127.0.0.1:3128/100b
-- sends "GET http://127.0.0.1:8080/100b HTTP/1.1" with "Host: 127.0.0.1:8080".
-- Without BENCH_ORIGIN it sends ordinary origin-form requests (direct target).
--
-- The request stays static (built once by wrk.init), so the script costs wrk
-- nothing per request. done() prints one line "BENCH_JSON {...}" with the
-- totals that bench/bench.py reads.

local origin = os.getenv("BENCH_ORIGIN")
if origin and origin ~= "" then
   wrk.path = "http://" .. origin .. wrk.path
   wrk.headers["Host"] = origin
end

function done(summary, latency, requests)
   local errors = summary.errors
   io.write(string.format(
      'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
      '"errors_connect": %d, "errors_read": %d, "errors_write": %d, ' ..
      '"errors_status": %d, "errors_timeout": %d, ' ..
      '"latency_p50_us": %d, "latency_p99_us": %d, "latency_max_us": %d}\n',
      summary.requests, summary.duration, summary.bytes,
      errors.connect, errors.read, errors.write, errors.status, errors.timeout,
      latency:percentile(50), latency:percentile(99), latency.max))
end
