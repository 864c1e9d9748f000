import { LuaScript } from './lua-script.js';

/*
 * The host's atomic operations. Each touches the keys of one session only (one hash tag, one
 * Cluster slot). Stream keys are `<stream prefix><member>`, where members of the streams set are
 * the URI-encoded stream ids; entries have ids `<seq>-0` and fields `p` (payload) and, on the
 * final event, `f`. Times are epoch milliseconds from the calling node.
 */

const HELPERS = `
local function seq_of(entry)
  return tonumber(string.match(entry[1], '^(%d+)'))
end
local function is_final(entry)
  return entry[2][3] == 'f'
end
local function last_entry(key)
  return redis.call('XREVRANGE', key, '+', '-', 'COUNT', 1)[1]
end
-- The hash of the session's owned streams (member -> owner node), next to its other keys.
local function owners_of(session)
  return string.sub(session, 1, -9) .. ':owners'
end
local function delete_all(session, streams, prefix)
  for _, member in ipairs(redis.call('ZRANGE', streams, 0, -1)) do
    redis.call('DEL', prefix .. member)
  end
  redis.call('DEL', session, streams, owners_of(session))
end
-- Gives every key of the session the same remaining lifetime, or deletes them when it is over.
local function expire_all(session, streams, prefix, ttl)
  if ttl <= 0 then
    delete_all(session, streams, prefix)
    return 0
  end
  redis.call('PEXPIRE', session, ttl)
  redis.call('PEXPIRE', streams, ttl)
  redis.call('PEXPIRE', owners_of(session), ttl)
  for _, member in ipairs(redis.call('ZRANGE', streams, 0, -1)) do
    redis.call('PEXPIRE', prefix .. member, ttl)
  end
  return 1
end
`;

const script = (body: string) => new LuaScript(HELPERS + body);

/** KEYS: session. ARGV: metadata JSON, idle TTL, absolute end, initial TTL. 1, or 0 when the id is taken. */
export const CREATE_SESSION = script(`
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'm', ARGV[1], 'i', ARGV[2], 'e', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1
`);

/**
 * Compare-and-set of the metadata. KEYS: session, streams. ARGV: expected JSON, new JSON, idle TTL,
 * absolute end, now, stream prefix. 1 when stored, the current JSON when it changed meanwhile,
 * nil when the session is gone.
 */
export const MUTATE_SESSION = script(`
local current = redis.call('HGET', KEYS[1], 'm')
if not current then return false end
if current ~= ARGV[1] then return current end
redis.call('HSET', KEYS[1], 'm', ARGV[2], 'i', ARGV[3], 'e', ARGV[4])
local ttl = math.min(tonumber(ARGV[3]), tonumber(ARGV[4]) - tonumber(ARGV[5]))
if expire_all(KEYS[1], KEYS[2], ARGV[6], ttl) == 0 then return false end
return 1
`);

/** KEYS: session, streams. ARGV: now, stream prefix. 1, or 0 when the session is gone. */
export const TOUCH_SESSION = script(`
local limits = redis.call('HMGET', KEYS[1], 'i', 'e')
if not limits[1] then return 0 end
local ttl = math.min(tonumber(limits[1]), tonumber(limits[2]) - tonumber(ARGV[1]))
return expire_all(KEYS[1], KEYS[2], ARGV[2], ttl)
`);

/**
 * KEYS: session, streams. ARGV: stream prefix, publish command, wake channel. Deletes every key of
 * the session and announces its end with an empty wake-up. Its metadata JSON (so the caller can
 * update the principal's index), or nil when it did not exist.
 */
export const DELETE_SESSION = script(`
local metadata = redis.call('HGET', KEYS[1], 'm')
delete_all(KEYS[1], KEYS[2], ARGV[1])
if metadata then redis.call(ARGV[2], ARGV[3], '') end
return metadata
`);

/**
 * KEYS: session, streams, stream. ARGV: member, payload, final ('1' or '0'), max events, max streams,
 * now, stream prefix, publish command, wake channel, owner node ('' for none). Appends with the next
 * sequence number, trims exactly to max events, gives the stream the session's remaining lifetime
 * and publishes the wake-up "<member> <seq>". The stream's first append records its owner; a final
 * one ends the stream, after which appends are refused. {seq, owner node ended with this append or
 * false}; seq is 0 when the session is gone and -1 when the stream already ended.
 */
export const APPEND_EVENT = script(`
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then return {0, false} end
local owners = owners_of(KEYS[1])
local last = last_entry(KEYS[3])
if last and is_final(last) then return {-1, false} end
local seq = 1
if last then
  seq = seq_of(last) + 1
else
  redis.call('ZADD', KEYS[2], ARGV[6], ARGV[1])
  if redis.call('ZCARD', KEYS[2]) > tonumber(ARGV[5]) then
    -- Drop the oldest finished stream; an open one never, or its numbering would restart.
    for _, member in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
      if member ~= ARGV[1] then
        local key = ARGV[7] .. member
        local tail = last_entry(key)
        if not tail or is_final(tail) then
          redis.call('DEL', key)
          redis.call('ZREM', KEYS[2], member)
          break
        end
      end
    end
  end
  redis.call('PEXPIRE', KEYS[2], ttl)
  if ARGV[10] ~= '' then
    redis.call('HSET', owners, ARGV[1], ARGV[10])
    redis.call('PEXPIRE', owners, ttl)
  end
end
local id = string.format('%d-0', seq)
local ended = false
if ARGV[3] == '1' then
  redis.call('XADD', KEYS[3], 'MAXLEN', ARGV[4], id, 'p', ARGV[2], 'f', '1')
  ended = redis.call('HGET', owners, ARGV[1])
  if ended then redis.call('HDEL', owners, ARGV[1]) end
else
  redis.call('XADD', KEYS[3], 'MAXLEN', ARGV[4], id, 'p', ARGV[2])
end
redis.call('PEXPIRE', KEYS[3], ttl)
redis.call(ARGV[8], ARGV[9], ARGV[1] .. ' ' .. string.format('%d', seq))
return {seq, ended}
`);

/**
 * KEYS: session, stream. ARGV: after seq, count. Reads the events after a sequence number:
 * {'gone'} when the session no longer exists, {'gap'} when retention dropped events after it or it
 * lies beyond the last one, {'done'} when the stream ended and nothing is left, else
 * {'ok', entries, milliseconds until the session expires}.
 */
export const READ_EVENTS = script(`
if redis.call('EXISTS', KEYS[1]) == 0 then return {'gone'} end
local after = tonumber(ARGV[1])
local entries = redis.call('XRANGE', KEYS[2], '(' .. string.format('%d', after) .. '-0', '+', 'COUNT', ARGV[2])
local ttl = redis.call('PTTL', KEYS[1])
if #entries > 0 then
  if seq_of(entries[1]) ~= after + 1 then return {'gap'} end
  return {'ok', entries, ttl}
end
local last = last_entry(KEYS[2])
local last_seq = 0
if last then last_seq = seq_of(last) end
if after > last_seq then return {'gap'} end
if last and is_final(last) then return {'done'} end
return {'ok', {}, ttl}
`);

/**
 * KEYS: session, stream. ARGV: member. {first seq, last seq, finished (1/0), owner node or false},
 * or nil when the stream has no events.
 */
export const STREAM_INFO = script(`
local first = redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', 1)[1]
if not first then return false end
local last = last_entry(KEYS[2])
local finished = 0
if is_final(last) then finished = 1 end
return {seq_of(first), seq_of(last), finished, redis.call('HGET', owners_of(KEYS[1]), ARGV[1])}
`);

/** Epoch milliseconds by the Redis server's clock, so that nodes with skewed clocks agree on leases. */
const NOW = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
`;

/** KEYS: leases. ARGV: node, TTL. Sets the node's lease to end TTL ms from now (Redis time). */
export const RENEW_LEASE = new LuaScript(
  NOW +
    `
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
return 1
`,
);

/** KEYS: leases. ARGV: node. 1 when the node's lease has not ended, else 0. */
export const HAS_LEASE = new LuaScript(
  NOW +
    `
local ends = redis.call('ZSCORE', KEYS[1], ARGV[1])
if ends and tonumber(ends) > now then return 1 end
return 0
`,
);

/** KEYS: leases. The nodes whose lease ended. */
export const LAPSED_NODES = new LuaScript(
  NOW +
    `
return redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)
`,
);

/** KEYS: leases. ARGV: node. Forgets the node unless it renewed its lease meanwhile; 1 when forgotten. */
export const FORGET_NODE = new LuaScript(
  NOW +
    `
local ends = redis.call('ZSCORE', KEYS[1], ARGV[1])
if ends and tonumber(ends) > now then return 0 end
redis.call('ZREM', KEYS[1], ARGV[1])
return 1
`,
);

/**
 * KEYS: session. ARGV: field, value, most values. 1 when stored, 0 when the session is gone, -1
 * when it already holds the most values (the hash's three metadata fields are not values).
 */
export const PUT_VALUE = script(`
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 and redis.call('HLEN', KEYS[1]) - 3 >= tonumber(ARGV[3]) then
  return -1
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
`);

/** KEYS: listening held, listening. ARGV: node, session ids. The node holds the sessions' GET streams now. */
export const HOLD_LISTENING = new LuaScript(`
for index = 2, #ARGV do
  redis.call('HSET', KEYS[1], ARGV[index], ARGV[1])
  redis.call('ZREM', KEYS[2], ARGV[index])
end
return 1
`);

/**
 * KEYS: listening held, listening. ARGV: node, linger, session ids. The node no longer holds them:
 * each lingers for linger ms (Redis time); one another node holds stays held there.
 */
export const RELEASE_LISTENING = new LuaScript(
  NOW +
    `
for index = 3, #ARGV do
  local holder = redis.call('HGET', KEYS[1], ARGV[index])
  if not holder or holder == ARGV[1] then
    redis.call('HDEL', KEYS[1], ARGV[index])
    redis.call('ZADD', KEYS[2], now + tonumber(ARGV[2]), ARGV[index])
  end
end
return 1
`,
);

/**
 * KEYS: listening held, listening, leases. ARGV: linger. The sessions held by a node whose lease
 * lasts, and those lingering; the sessions of a node whose lease lapsed (or was forgotten) linger
 * from then, and what no longer counts is dropped.
 */
export const LISTENING_SESSIONS = new LuaScript(
  NOW +
    `
local linger = tonumber(ARGV[1])
local held = redis.call('HGETALL', KEYS[1])
local listening = {}
for index = 1, #held, 2 do
  local ends = redis.call('ZSCORE', KEYS[3], held[index + 1])
  if ends and tonumber(ends) > now then
    table.insert(listening, held[index])
  else
    redis.call('HDEL', KEYS[1], held[index])
    redis.call('ZADD', KEYS[2], 'NX', (ends and tonumber(ends) or now) + linger, held[index])
  end
end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
for _, session in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  table.insert(listening, session)
end
return listening
`,
);

/**
 * KEYS: a channel's message log. ARGV: payload, max length, TTL. Appends the message and returns its
 * entry id; the log keeps about max length entries and expires TTL ms after the last message.
 */
export const LOG_MESSAGE = new LuaScript(`
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', 'm', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return id
`);

/**
 * KEYS: an owner's task index (sorted set of `<createdAt>:<id>` scored by when each task expires).
 * ARGV: now, member, expires at, most tasks per owner. Drops expired entries, then adds the task:
 * 1, or 0 when the owner already has the most tasks.
 */
export const INDEX_TASK = new LuaScript(`
local now = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[2])
local ttl = tonumber(ARGV[3]) - now
if redis.call('PTTL', KEYS[1]) < ttl then redis.call('PEXPIRE', KEYS[1], ttl) end
return 1
`);

/** KEYS: an owner's task index. ARGV: now. Drops expired entries and returns the others. */
export const INDEXED_TASKS = new LuaScript(`
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', tonumber(ARGV[1]))
return redis.call('ZRANGE', KEYS[1], 0, -1)
`);

/**
 * KEYS: task. ARGV: expected JSON, new JSON, TTL. Compare-and-set: 1 when stored, the current JSON
 * when it changed meanwhile, nil when the task is gone.
 */
export const UPDATE_TASK = new LuaScript(`
local current = redis.call('GET', KEYS[1])
if not current then return false end
if current ~= ARGV[1] then return current end
redis.call('SET', KEYS[1], ARGV[2], 'PX', math.max(1, tonumber(ARGV[3])))
return 1
`);

/** KEYS: a principal's session index (set of ids). ARGV: session id, TTL. Adds the session; the index lives as long as its longest session may. */
export const INDEX_SESSION = new LuaScript(`
redis.call('SADD', KEYS[1], ARGV[1])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 1
`);

/** KEYS: session. The metadata JSON, the idle TTL and the time left (ms), or nil when the session is gone. */
export const SESSION_ACTIVITY = new LuaScript(`
local fields = redis.call('HMGET', KEYS[1], 'm', 'i')
if not fields[1] then return false end
return { fields[1], fields[2], redis.call('PTTL', KEYS[1]) }
`);
