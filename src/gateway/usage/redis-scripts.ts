/**
 * The Lua scripts that make the Redis store's operations atomic across daemons. Time comes from
 * Redis (`TIME`), so daemons with skewed clocks still share one bucket. Money is integer nano-USD.
 */

const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

const LEVEL = `local function level(key, cap, per)
  local s = redis.call('HMGET', key, 'tokens', 'at')
  if not s[1] then return cap end
  return math.min(cap, tonumber(s[1]) + (now - tonumber(s[2])) * per)
end
local function store(key, cap, per, left)
  redis.call('HSET', key, 'tokens', tostring(left), 'at', tostring(now))
  redis.call('PEXPIRE', key, math.ceil((cap - left) / per) + 1000)
end`;

/** KEYS: buckets; ARGV: capacity, perMs, cost per bucket. Returns {ok, waitMs, blockedIndex}. */
export const TAKE = `${NOW}
${LEVEL}
local levels = {}
local worst = -1
local wait = 0
for i = 1, #KEYS do
  local cap, per, cost = tonumber(ARGV[3*i-2]), tonumber(ARGV[3*i-1]), tonumber(ARGV[3*i])
  levels[i] = level(KEYS[i], cap, per)
  local need = math.min(cost, cap)
  if levels[i] < need then
    local w = (need - levels[i]) / per
    if worst < 0 or w > wait then wait = w; worst = i end
  end
end
if worst >= 0 then return {0, math.ceil(wait), worst - 1} end
for i = 1, #KEYS do
  local cap, per, cost = tonumber(ARGV[3*i-2]), tonumber(ARGV[3*i-1]), tonumber(ARGV[3*i])
  store(KEYS[i], cap, per, levels[i] - cost)
end
return {1, 0, -1}`;

/** KEYS[1]: a bucket; ARGV: capacity, perMs, tokens to give back (negative: take). */
export const ADJUST = `${NOW}
${LEVEL}
local cap, per, delta = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
store(KEYS[1], cap, per, math.min(cap, level(KEYS[1], cap, per) + delta))
return 1`;

/** KEYS: counters; ARGV: amount, limit, seed, ttlMs per counter. Returns {ok, blockedIndex, value}. */
export const RESERVE = `local vals = {}
for i = 1, #KEYS do
  local v = redis.call('GET', KEYS[i])
  if not v then
    redis.call('SET', KEYS[i], ARGV[4*i-1], 'PX', ARGV[4*i])
    v = ARGV[4*i-1]
  end
  vals[i] = tonumber(v)
  if vals[i] >= tonumber(ARGV[4*i-2]) then return {0, i - 1, vals[i]} end
end
for i = 1, #KEYS do redis.call('INCRBY', KEYS[i], ARGV[4*i-3]) end
return {1, -1, 0}`;

/** KEYS[1]: a counter; ARGV: amount, seed, ttlMs. */
export const ADD = `if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
end
return redis.call('INCRBY', KEYS[1], ARGV[1])`;
