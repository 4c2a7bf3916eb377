-- Every entry of a room stream after `since`, or {'lost'} when the stream no longer holds all of them
-- or they are more than maxCount (one past it is read to tell, never the whole stream).
-- KEYS: logKey, epochKey. ARGV: sinceEpoch, sinceStreamId, maxCount.
local epoch = redis.call('GET', KEYS[2])
local since = ARGV[2]
if (not epoch) or epoch ~= ARGV[1] or redis.call('EXISTS', KEYS[1]) == 0 or not string.match(since, '^%d+%-%d+$') then
  return { 'lost' }
end

local function parse(id)
  local ms, seq = string.match(id, '^(%d+)-(%d+)$')
  return tonumber(ms), tonumber(seq)
end
local function is_before(a, b)
  local am, as = parse(a)
  local bm, bs = parse(b)
  return am < bm or (am == bm and as < bs)
end

local info = redis.call('XINFO', 'STREAM', KEYS[1])
local fields = {}
for i = 1, #info, 2 do fields[info[i]] = info[i + 1] end
if is_before(since, fields['max-deleted-entry-id']) or is_before(fields['last-generated-id'], since) then
  return { 'lost' }
end
-- Older than anything this stream held: an id of a stream that expired (and whose new epoch happened to be
-- the same), never one of this stream.
local first = fields['first-entry']
if first and is_before(since, first[1]) and since ~= fields['max-deleted-entry-id'] then
  return { 'lost' }
end
local max = tonumber(ARGV[3])
local entries = redis.call('XRANGE', KEYS[1], '(' .. since, '+', 'COUNT', max + 1)
if #entries > max then
  return { 'lost' }
end
return { 'ok', entries }
