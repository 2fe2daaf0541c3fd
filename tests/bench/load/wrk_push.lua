-- wrk script for `POST /api/v1/posts`: every request carries BATCH posts (NDJSON) with uids never sent before,
-- taken round-robin from a corpus of real-looking posts, stamped with the current time. Run by wrk_push.sh;
-- by hand:
--   CORPUS=posts.ndjson TOKEN=... BATCH=200 wrk -t1 -c16 -d15s -s wrk_push.lua http://127.0.0.1:8080/api/v1/posts
-- Prints one JSON line at the end: posts acknowledged (202) per second, answers by status, latency.

local corpus = {}  -- each post's JSON after its uid and created_at: '"platform":...}'
local batch = tonumber(os.getenv("BATCH") or "200")
local token = os.getenv("TOKEN") or ""
local run = os.getenv("RUN") or tostring(os.time())

local function load_corpus(path)
  local f = assert(io.open(path, "r"), "wrk_push.lua: cannot read CORPUS " .. tostring(path))
  for line in f:lines() do
    local rest = line:match('^{"uid":"[^"]*","created_at":"[^"]*",(.*)$')
    if rest then corpus[#corpus + 1] = rest end
  end
  f:close()
  assert(#corpus > 0, "wrk_push.lua: no post in CORPUS " .. path)
end

-- wrk runs setup() in the main Lua state once per thread, then init() in each thread's own state.
local threads = {}
local next_id = 0
function setup(thread)
  thread:set("thread_id", next_id)
  next_id = next_id + 1
  threads[#threads + 1] = thread
end

local counter = 0
local position = 1
statuses = {}  -- global: done() reads it from each thread with thread:get
local parts = {}
function init(args)
  load_corpus(os.getenv("CORPUS"))
  position = 1 + (thread_id * 7919) % #corpus
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/x-ndjson"
  wrk.headers["Authorization"] = "Bearer " .. token
end

function request()
  local now = os.date("!%Y-%m-%dT%H:%M:%SZ")
  local prefix = '{"uid":"wrk:' .. run .. ':' .. thread_id .. ':'
  local created = '","created_at":"' .. now .. '",'
  for i = 1, batch do
    counter = counter + 1
    parts[i] = prefix .. counter .. created .. corpus[position]
    position = position + 1
    if position > #corpus then position = 1 end
  end
  return wrk.format(nil, nil, nil, table.concat(parts, "\n", 1, batch))
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local by_status = {}
  local accepted = 0
  for _, t in ipairs(threads) do
    local s = t:get("statuses")
    for code, n in pairs(s) do
      by_status[code] = (by_status[code] or 0) + n
      if code == 202 then accepted = accepted + n end
    end
  end
  local seconds = summary.duration / 1e6
  local codes = {}
  for code, n in pairs(by_status) do codes[#codes + 1] = string.format('"%d":%d', code, n) end
  io.write(string.format(
      '{"posts_per_s":%.0f,"requests":%d,"posts_acknowledged":%d,"seconds":%.2f,"statuses":{%s},' ..
      '"errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d},' ..
      '"latency_ms":{"p50":%.2f,"p99":%.2f,"p999":%.2f,"max":%.2f}}\n',
      accepted * batch / seconds, summary.requests, accepted * batch, seconds, table.concat(codes, ","),
      summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout,
      latency:percentile(50) / 1e3, latency:percentile(99) / 1e3, latency:percentile(99.9) / 1e3,
      latency.max / 1e3))
end
