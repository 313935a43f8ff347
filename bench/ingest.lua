-- wrk script for bench/ingest.py: every thread POSTs its own pre-built bodies exactly once.
--
-- Environment (set by bench/ingest.py):
--   BENCH_BODIES   prefix of the body files; thread i reads "<prefix><i>.bin", a sequence of
--                  "<length>\n<bytes>" records
--   BENCH_THREADS  number of wrk threads (-t)
--   BENCH_DONE     directory where a thread drops "done-<i>" when all its answers are in
--   BENCH_RESULT   JSON file that done() writes
--   BENCH_PATH     request path, e.g. /cxml/coupa-demo
--
-- No request is sent twice and none is made up: a connection whose thread has nothing left to
-- send idles (delay hook) until the thread has every answer, then the thread stops. When the
-- last thread is done it sends SIGINT to wrk, which ends the run at once instead of sleeping out
-- -d (which stays as the hard time limit). Latency is wrk's own per-request histogram.

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clk_id, bench_timespec *tp);
int getpid(void);
int kill(int pid, int sig);
]]

local CLOCK_MONOTONIC = 1
local SIGINT = 2
local IDLE_MS = 3600 * 1000
local OVERRUN_LIMIT = 1000

local function now_us()
  local ts = ffi.new("bench_timespec")
  ffi.C.clock_gettime(CLOCK_MONOTONIC, ts)
  return tonumber(ts.tv_sec) * 1000000 + math.floor(tonumber(ts.tv_nsec) / 1000)
end

-- main state: number the threads and keep them for done() ------------------------------------

local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

-- thread states ------------------------------------------------------------------------------

-- Globals below are read by done() through thread:get(); `id` was set by setup().
local requests = {}
local reserved = 0
quota, sent, received, overrun, first_us, last_us = 0, 0, 0, 0, 0, 0
statuses, samples = {}, {}
local nthreads, done_dir

local function read_bodies(path)
  local file = assert(io.open(path, "rb"))
  local data = file:read("*a")
  file:close()
  local bodies, pos = {}, 1
  while pos <= #data do
    local nl = assert(string.find(data, "\n", pos, true), "bad body file " .. path)
    local length = assert(tonumber(string.sub(data, pos, nl - 1)), "bad length in " .. path)
    table.insert(bodies, string.sub(data, nl + 1, nl + length))
    pos = nl + 1 + length
  end
  return bodies
end

function init(args)
  nthreads = assert(tonumber(os.getenv("BENCH_THREADS")), "BENCH_THREADS not set")
  done_dir = assert(os.getenv("BENCH_DONE"), "BENCH_DONE not set")
  local path = assert(os.getenv("BENCH_PATH"), "BENCH_PATH not set")
  local headers = { ["Content-Type"] = "text/xml; charset=utf-8" }
  for _, body in ipairs(read_bodies(os.getenv("BENCH_BODIES") .. id .. ".bin")) do
    table.insert(requests, wrk.format("POST", path, headers, body))
  end
  quota = #requests
end

function delay()
  if reserved < #requests then
    reserved = reserved + 1
    return 0
  end
  return IDLE_MS
end

local function finish()
  last_us = now_us()
  wrk.thread:stop()
  local marker = assert(io.open(done_dir .. "/done-" .. id, "w"))
  marker:write("done\n")
  marker:close()
  for i = 0, nthreads - 1 do
    local other = io.open(done_dir .. "/done-" .. i, "r")
    if other == nil then
      return
    end
    other:close()
  end
  ffi.C.kill(ffi.C.getpid(), SIGINT) -- the last thread done ends the run
end

function request()
  if reserved == 0 then
    return requests[1] -- wrk's start-up check (script_verify_request): never sent
  end
  if sent >= reserved then
    -- wrk re-sends on a connection that failed mid-request without asking delay(); the lost
    -- body is not sent again, and nothing is left to send: ask for a path nothing serves, so
    -- the run stays bounded and reports the error
    overrun = overrun + 1
    if overrun >= OVERRUN_LIMIT then
      finish() -- the server is gone or keeps dropping connections: give up now
    end
    return wrk.format("GET", "/__bench_overrun__")
  end
  sent = sent + 1
  if sent == 1 then
    first_us = now_us()
  end
  return requests[sent]
end

function response(status, headers, body)
  received = received + 1
  statuses[status] = (statuses[status] or 0) + 1
  if status ~= 200 and #samples < 5 then
    table.insert(samples, status .. " " .. string.sub(body or "", 1, 600))
  end
  if received >= #requests then
    finish()
  end
end

-- main state: the result file -----------------------------------------------------------------

local function json_string(s)
  s = string.gsub(s, '[%c"\\]', function(c)
    return string.format("\\u%04x", string.byte(c))
  end)
  return '"' .. s .. '"'
end

function done(summary, latency, requests_stats)
  local merged, samples_out = {}, {}
  local quota, sent_total, received_total, overrun_total = 0, 0, 0, 0
  local first, last = nil, nil
  for _, thread in ipairs(threads) do
    quota = quota + (thread:get("quota") or 0)
    sent_total = sent_total + (thread:get("sent") or 0)
    received_total = received_total + (thread:get("received") or 0)
    overrun_total = overrun_total + (thread:get("overrun") or 0)
    local f, l = thread:get("first_us"), thread:get("last_us")
    if f and f > 0 and (first == nil or f < first) then first = f end
    if l and l > 0 and (last == nil or l > last) then last = l end
    for status, count in pairs(thread:get("statuses") or {}) do
      merged[status] = (merged[status] or 0) + count
    end
    for _, sample in ipairs(thread:get("samples") or {}) do
      table.insert(samples_out, json_string(sample))
    end
  end
  local status_parts = {}
  for status, count in pairs(merged) do
    table.insert(status_parts, string.format('"%d": %d', status, count))
  end
  local e = summary.errors
  local out = {
    string.format('"quota": %d', quota),
    string.format('"sent": %d', sent_total),
    string.format('"received": %d', received_total),
    string.format('"overrun": %d', overrun_total),
    string.format('"window_us": %d', (first and last) and (last - first) or 0),
    string.format('"wrk_duration_us": %d', summary.duration),
    string.format('"wrk_requests": %d', summary.requests),
    string.format('"wrk_bytes": %d', summary.bytes),
    string.format(
      '"socket_errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d}',
      e.connect, e.read, e.write, e.timeout
    ),
    string.format('"wrk_status_errors": %d', e.status),
    '"statuses": {' .. table.concat(status_parts, ", ") .. "}",
    string.format(
      '"latency_us": {"min": %d, "mean": %.1f, "stdev": %.1f, "p50": %d, "p90": %d, '
        .. '"p99": %d, "p999": %d, "max": %d}',
      latency.min, latency.mean, latency.stdev, latency:percentile(50),
      latency:percentile(90), latency:percentile(99), latency:percentile(99.9), latency.max
    ),
    '"error_samples": [' .. table.concat(samples_out, ", ") .. "]",
  }
  local file = assert(io.open(assert(os.getenv("BENCH_RESULT")), "w"))
  file:write("{" .. table.concat(out, ", ") .. "}\n")
  file:close()
end
