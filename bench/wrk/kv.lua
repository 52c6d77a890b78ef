-- wrk script for bench/serving.py: KV v2 reads of one secret, or writes of new keys with cas=0
-- (the local stack's KV mount requires check-and-set, so a blind overwrite would be refused).
-- The token comes from the environment (VAULT_TOKEN), never the command line; MODE=read|write,
-- MOUNT=<kv mount>, RUN=<unique run id>. done() prints one JSON line the bench parses: client-side latency in
-- microseconds, request and error counts.

local mode = os.getenv("MODE") or "read"
local mount = os.getenv("MOUNT") or "kv"
local token = os.getenv("VAULT_TOKEN") or ""
local run = os.getenv("RUN") or "0" -- unique per wrk run: new keys never collide with an earlier run
-- `id` is a global on purpose: setup() runs in the main state and thread:set() writes the global of
-- each thread's own state, so every thread writes under its own prefix (a local would shadow it and
-- make threads collide on the same new keys, which cas=0 then refuses).
next_id = 0
local counter = 0

function setup(thread)
  next_id = next_id + 1
  thread:set("id", next_id)
end

function init(args)
  wrk.headers["X-Vault-Token"] = token
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  if mode == "write" then
    counter = counter + 1
    local path = string.format("/v1/%s/data/bench/serving/%s/w%d-%d", mount, run, id or 0, counter)
    local body = string.format('{"data":{"i":%d},"options":{"cas":0}}', counter)
    return wrk.format("POST", path, nil, body)
  end
  return wrk.format("GET", string.format("/v1/%s/data/bench/serving/read", mount))
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,'
      .. '"non2xx":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, e.status, e.connect, e.read, e.write, e.timeout))
end
