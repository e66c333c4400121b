-- wrk script for tests/perf/test_bench_served_write_path.py: every request its own
-- body and idempotency key. BENCH_MODE=dispatch posts an assignment for one of the
-- BENCH_PAIRS ("contractor:job,…") in a window of its own (one hour, slot by slot
-- from BENCH_START, a Unix time; BENCH_BASE keeps runs apart); BENCH_MODE=bare posts
-- the bare app's one-row INSERT.
local mode = os.getenv("BENCH_MODE")
local key = os.getenv("BENCH_KEY")
local start = tonumber(os.getenv("BENCH_START") or "0")
local base = tonumber(os.getenv("BENCH_BASE") or "0")
local pairs_text = os.getenv("BENCH_PAIRS") or ""
local parties = {}
for contractor, job in string.gmatch(pairs_text, "([^:,]+):([^:,]+)") do
  parties[#parties + 1] = {contractor, job}
end

local threads = 0
function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end

local sent = 0
function init(args)
  tid = tid or 0
end

function request()
  -- 4 threads at most (served.py run_wrk): slots never collide between threads, and
  -- stay dense, so the windows stay inside the bench policies' term however fast the
  -- machine (spaced for 100 threads, an idle machine ran past it: uncovered dispatches).
  local slot = base + sent * 4 + tid
  sent = sent + 1
  if mode == "bare" then
    return wrk.format("POST", "/bare/insert", {["Content-Type"] = "application/json"},
      '{"name": "x"}')
  end
  local party = parties[(slot % #parties) + 1]
  local hour = start + 3600 * math.floor(slot / #parties)
  local body = string.format(
    '{"contractor": "%s", "job": "%s", "effective_date": %d, "end_date": %d}',
    party[1], party[2], hour, hour + 3600)
  return wrk.format("POST", "/api/v1/assignments", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. key,
    ["Ten99Policy-Idempotent-Key"] = string.format("bench-%d", slot),
  }, body)
end
