-- wrk script: earnPoints at FreshMart for random seeded members, each request with its own idempotency key.
-- Card numbers are those bench/earn/run.sh seeds: "9" .. 14-digit member number .. Luhn check digit.
local token = os.getenv("BENCH_TOKEN")
local members = tonumber(os.getenv("BENCH_MEMBERS") or "10000")
local counter = 0

local function luhn(payload)
  local sum, double = 0, true
  for i = #payload, 1, -1 do
    local d = tonumber(payload:sub(i, i))
    if double then d = d * 2; if d > 9 then d = d - 9 end end
    sum = sum + d
    double = not double
  end
  return (10 - sum % 10) % 10
end

local function card(n)
  local payload = "9" .. string.format("%014d", n)
  return payload .. luhn(payload)
end

local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads .. "-" .. math.random(1, 1e9))
end

function init(args)
  math.randomseed(os.time() + tonumber(string.sub(tostring({}), -6, -1), 16))
end

request = function()
  counter = counter + 1
  local body = string.format(
    '{"query":"mutation($i: EarnPointsInput!) { earnPoints(input: $i) { transaction { id } userErrors { code } } }",' ..
    '"variables":{"i":{"idempotencyKey":"bench-%s-%d-%d","member":{"cardNumber":"%s"},"purchaseAmount":"12.34","currency":"EUR"}}}',
    id, os.time(), counter, card(math.random(1, members)))
  return wrk.format("POST", "/graphql", {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}, body)
end

ok, failed = 0, 0
response = function(status, headers, body)
  if status == 200 and string.find(body, '"userErrors":%[%]') and string.find(body, '"transaction":{"id"') then
    ok = ok + 1
  else
    failed = failed + 1
  end
end

done = function(summary, latency, requests)
  local succeeded, refused = 0, 0
  for _, thread in ipairs(threads) do
    succeeded = succeeded + thread:get("ok")
    refused = refused + thread:get("failed")
  end
  io.write(string.format("RESULT requests=%d rps=%.1f p50_ms=%.2f p95_ms=%.2f p99_ms=%.2f errors=%d succeeded=%d\n",
    summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    refused + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout, succeeded))
end
