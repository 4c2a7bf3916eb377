-- Stores a batch of sends and publishes them, in one atomic step so that publish order equals stream order.
-- ARGV: now, dedupeTtlMs, maxlen, candidateEpoch, userLimit, count, historyTtlMs, then 11 fields per send:
--   kind, logKey, epochKey, dedupeKey, rateKey, channelA, channelB, fromJson, text, origin, target
-- Returns per send: {'new', id} | {'dup', storedJson} | {'rate', ''}
local now, ttl, maxlen, candidate = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local limit, count, history_ttl = tonumber(ARGV[5]), tonumber(ARGV[6]), ARGV[7]
local results, queues, order = {}, {}, {}

local function publish_later(channel, payload)
  local queue = queues[channel]
  if not queue then
    queue = {}
    queues[channel] = queue
    order[#order + 1] = channel
  end
  queue[#queue + 1] = payload
end

for k = 0, count - 1 do
  local base = 8 + k * 11
  local kind, log_key, epoch_key, dedupe_key, rate_key = ARGV[base], ARGV[base + 1], ARGV[base + 2], ARGV[base + 3], ARGV[base + 4]
  local channel_a, channel_b, from_json, text, origin, target =
    ARGV[base + 5], ARGV[base + 6], ARGV[base + 7], ARGV[base + 8], ARGV[base + 9], ARGV[base + 10]
  local earlier = false
  if dedupe_key ~= '' then earlier = redis.call('GET', dedupe_key) end
  if earlier then
    results[k + 1] = { 'dup', earlier }
  else
    local used = redis.call('INCR', rate_key)
    redis.call('PEXPIRE', rate_key, 2000)
    if used > limit then
      results[k + 1] = { 'rate', '' }
    else
      local epoch = redis.call('GET', epoch_key)
      -- A room stream that is gone (Redis lost its data, or evicted it) starts a new epoch, so that a
      -- `since` from before gets recovered: false instead of a silent partial replay.
      -- The same goes for a stream that expired after history_ttl without a message.
      if (not epoch) or (kind == 'room' and redis.call('EXISTS', log_key) == 0) then
        epoch = candidate
      end
      -- The stream and its epoch live history_ttl after the last message, refreshed together.
      redis.call('SET', epoch_key, epoch, 'PX', history_ttl)
      local last = redis.call('XREVRANGE', log_key, '+', '-', 'COUNT', 1)
      local sid
      if kind == 'room' then
        sid = redis.call('XADD', log_key, 'MAXLEN', '~', maxlen, '*', 'f', from_json, 't', text, 'ts', now)
      else
        sid = redis.call('XADD', log_key, 'MAXLEN', '~', maxlen, '*', 'f', from_json, 'to', target, 't', text, 'ts', now)
      end
      redis.call('PEXPIRE', log_key, history_ttl)
      local id = epoch .. ':' .. sid
      local message
      if kind == 'room' then
        message = '{"id":' .. cjson.encode(id) .. ',"room":' .. cjson.encode(target) .. ',"from":' .. from_json ..
          ',"text":' .. cjson.encode(text) .. ',"ts":' .. now .. '}'
        local prev = 'null'
        if last[1] then prev = cjson.encode(epoch .. ':' .. last[1][1]) end
        publish_later(channel_a, '{"event":"message","id":' .. cjson.encode(id) .. ',"prev":' .. prev ..
          ',"exclude":' .. cjson.encode(origin) .. ',"data":' .. message .. '}')
      else
        message = '{"id":' .. cjson.encode(id) .. ',"from":' .. from_json .. ',"to":' .. cjson.encode(target) ..
          ',"text":' .. cjson.encode(text) .. ',"ts":' .. now .. '}'
        local payload = '{"event":"dm","exclude":' .. cjson.encode(origin) .. ',"data":' .. message .. '}'
        publish_later(channel_a, payload)
        if channel_b ~= channel_a then publish_later(channel_b, payload) end
      end
      if dedupe_key ~= '' then
        redis.call('SET', dedupe_key, '{"kind":"' .. kind .. '","message":' .. message .. '}', 'PX', ttl)
      end
      results[k + 1] = { 'new', id }
    end
  end
end

for _, channel in ipairs(order) do
  redis.call('PUBLISH', channel, '[' .. table.concat(queues[channel], ',') .. ']')
end
return results
