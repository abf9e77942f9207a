-- wrk's script for the empty-poll ramps (bench/poll.py, drive_wrk). One connection per
-- wrk thread; each polls its share of the phones in turn with that phone's own token,
-- and moves the phone's request on with what the answer says (WatermelonDB's timestamp,
-- the native cursor), as the phone would.
--   wrk -t N -c N -s bench/poll.lua URL -- PHONES_FILE ANSWER_KEY QUERY_PARAM N WHERE_FILE
-- PHONES_FILE: a line per phone, its path then its headers ("Name: value"), tab-separated.
-- WHERE_FILE: each thread appends to WHERE_FILE.<thread> a line each time a phone moves:
-- its line number in PHONES_FILE (from 0), a tab, the parameter's new value; the next run
-- starts where the last line of each phone says.

local counter = 0
local threads = {}

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  local file, param, n = args[1], args[3], tonumber(args[4])
  where = io.open(args[5] .. "." .. id, "w")
  where:setvbuf("line")
  follow_key = args[2]
  phones = {}
  local all, k = {}, 0
  for line in io.lines(file) do
    local fields = {}
    for field in line:gmatch("[^\t]+") do table.insert(fields, field) end
    local phone = {path = fields[1], headers = {}, index = k}
    for i = 2, #fields do
      local name, value = fields[i]:match("^([^:]+): (.*)$")
      phone.headers[name] = value
    end
    if param ~= "" then phone.prefix = phone.path:match("^(.*[?&]" .. param .. "=)") end
    table.insert(all, phone)
    if k % n == id then table.insert(phones, phone) end
    k = k + 1
  end
  if #phones == 0 then phones = all end
  nonempty, turn = 0, 0
end

function request()
  turn = turn % #phones + 1
  current = phones[turn]
  return wrk.format("GET", current.path, current.headers)
end

-- an answer that brings something: the poll was not an empty one
local filled = {'"upserts":%s*%[%s*{', '"deletes":%s*%[%s*"', '"created":%s*%[%s*{',
                '"updated":%s*%[%s*{', '"deleted":%s*%[%s*"'}

function response(status, headers, body)
  if status ~= 200 or not body then return end
  if current.prefix then
    local value = body:match('"' .. follow_key .. '"%s*:%s*"?([%w_%-]+)')
    if value and value ~= current.value then
      current.path = current.prefix .. value
      current.value = value
      where:write(current.index, "\t", value, "\n")
    end
  end
  for _, pattern in ipairs(filled) do
    if body:find(pattern) then
      nonempty = nonempty + 1
      break
    end
  end
end

function done(summary, latency, requests)
  local brought = 0
  for _, thread in ipairs(threads) do brought = brought + (thread:get("nonempty") or 0) end
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "errors": %d, ' ..
    '"not_empty": %d}\n', summary.requests, summary.duration, latency:percentile(50),
    latency:percentile(95), e.connect + e.read + e.write + e.status + e.timeout, brought))
end
