-- wrk driver for the gateway benchmark (bench/run.sh). One script, five workloads, chosen by BENCH_WORKLOAD:
--   earn    earnPoints at random partners for random members
--   earn-webhook  the same, while both partners have an active webhook endpoint (bench/run.sh sets it up)
--   earn-campaigns  the same, while both partners run 50 campaigns each (bench/run.sh sets them up)
--   earn-campaign-grants  the same, with 2 of each partner's campaigns granting a bonus on every earn
--   earn-analytics  the same, while the analytics job folds the ledger every second (bench/run.sh runs it)
--   redeem  redeemPoints at random partners for random members
--   mixed   70 % earn, 20 % redeem, 10 % member balance reads (partner view), random members
--   hot     redeemPoints, all at one partner (FreshMart), on the first 1,000 members only
--   me      `me` reads with member tokens (each member signs in as itself)
-- Card numbers are those bench/seed.sql gives: "9" .. 14-digit member number .. Luhn check digit.
-- Every mutation carries its own idempotency key. A response counts as a success only when it is a 200
-- with no GraphQL errors and no userErrors; everything else (and every socket error) is an error.
local workload = os.getenv("BENCH_WORKLOAD") or "earn"
local members = tonumber(os.getenv("BENCH_MEMBERS") or "100000")
local hotMembers = tonumber(os.getenv("BENCH_HOT_MEMBERS") or "1000")
local partnerTokens = { os.getenv("BENCH_TOKEN_FRESHMART"), os.getenv("BENCH_TOKEN_FUELCO") }
local memberTokensFile = os.getenv("BENCH_MEMBER_TOKENS")

local EARN = '{"query":"mutation($i: EarnPointsInput!) { earnPoints(input: $i) { transaction { id points } member { balance } userErrors { code } } }",'
  .. '"variables":{"i":{"idempotencyKey":"%s","member":{"cardNumber":"%s"},"purchaseAmount":"12.34","currency":"EUR","channel":"STORE"}}}'
local REDEEM = '{"query":"mutation($i: RedeemPointsInput!) { redeemPoints(input: $i) { transaction { id points } member { balance } userErrors { code } } }",'
  .. '"variables":{"i":{"idempotencyKey":"%s","member":{"cardNumber":"%s"},"points":100,"channel":"STORE"}}}'
local MEMBER = '{"query":"query($r: MemberRefInput!) { member(ref: $r) { balance available } }","variables":{"r":{"cardNumber":"%s"}}}'
local ME = '{"query":"{ me { cardNumber balance available } }"}'

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

local function post(token, body)
  return wrk.format("POST", "/graphql", {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}, body)
end

-- `me` requests differ only in their token: built once here, so that wrk, which shares the machine with the gateway,
-- spends no CPU formatting them again for every request.
local meRequests = {}
function init(args)
  math.randomseed(os.time() + tonumber(string.sub(tostring({}), -6, -1), 16))
  if workload == "me" then
    for line in io.lines(memberTokensFile) do table.insert(meRequests, post(line, ME)) end
  end
end

local counter = 0
local function key()
  counter = counter + 1
  return string.format("bench-%s-%d-%d", id, os.time(), counter)
end

request = function()
  local roll = math.random(1, 100)
  local partner = partnerTokens[math.random(1, 2)]
  if workload == "earn" or workload == "earn-webhook" or workload == "earn-campaigns"
      or workload == "earn-campaign-grants" or workload == "earn-analytics" or (workload == "mixed" and roll <= 70) then
    return post(partner, string.format(EARN, key(), card(math.random(1, members))))
  elseif workload == "redeem" or (workload == "mixed" and roll <= 90) then
    return post(partner, string.format(REDEEM, key(), card(math.random(1, members))))
  elseif workload == "hot" then
    return post(partnerTokens[1], string.format(REDEEM, key(), card(math.random(1, hotMembers))))
  elseif workload == "me" then
    return meRequests[math.random(1, #meRequests)]
  else
    return post(partner, string.format(MEMBER, card(math.random(1, members))))
  end
end

earned, redeemed, read, failed = 0, 0, 0, 0
-- wrk keeps several requests in flight per thread, so the response itself says what it answers.
response = function(status, headers, body)
  local ok = status == 200 and not string.find(body, '"errors"', 1, true)
  local posted = ok and string.find(body, '"userErrors":[]', 1, true) ~= nil
    and string.find(body, '"transaction":{"id"', 1, true) ~= nil
  if posted and string.find(body, '"earnPoints"', 1, true) then earned = earned + 1
  elseif posted and string.find(body, '"redeemPoints"', 1, true) then redeemed = redeemed + 1
  elseif ok and string.find(body, '"balance":', 1, true) and not string.find(body, 'Points"', 1, true) then read = read + 1
  else
    failed = failed + 1
    if failed <= 3 then io.stderr:write("unexpected response " .. status .. ": " .. string.sub(body, 1, 300) .. "\n") end
  end
end

done = function(summary, latency, requests)
  local totals = { earned = 0, redeemed = 0, read = 0, failed = 0 }
  for _, thread in ipairs(threads) do
    for name, _ in pairs(totals) do totals[name] = totals[name] + thread:get(name) end
  end
  local errors = totals.failed + summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout
  io.write(string.format('RESULT {"requests":%d,"rps":%.1f,"p50_ms":%.2f,"p95_ms":%.2f,"p99_ms":%.2f,"max_ms":%.2f,'
    .. '"errors":%d,"earned":%d,"redeemed":%d,"read":%d}\n',
    summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    errors, totals.earned, totals.redeemed, totals.read))
end
