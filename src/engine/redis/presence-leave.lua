-- KEYS: connections hash, users hash, this node's rooms set.
-- ARGV: connectionId, userId, room, '1' when this node has no socket left in the room.
-- Returns {last (1 when the user has no socket left in the room), number of users}.
local last = 0
if redis.call('HDEL', KEYS[1], ARGV[1]) == 1 then
  if redis.call('HINCRBY', KEYS[2], ARGV[2], -1) <= 0 then
    redis.call('HDEL', KEYS[2], ARGV[2])
    last = 1
  end
end
-- Otherwise the set would keep every room this node ever had a socket in.
if ARGV[4] == '1' then redis.call('SREM', KEYS[3], ARGV[3]) end
return { last, redis.call('HLEN', KEYS[2]) }
