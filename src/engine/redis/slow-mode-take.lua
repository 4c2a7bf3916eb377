-- KEYS: the user's slot in the room. ARGV: the room's interval (ms).
-- Returns 0 when the slot was free (now taken for the interval), else the ms until it frees up.
if redis.call('SET', KEYS[1], '1', 'PX', ARGV[1], 'NX') then
  return 0
end
local left = redis.call('PTTL', KEYS[1])
if left < 1 then
  return 1
end
return left
