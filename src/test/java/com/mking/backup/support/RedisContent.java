package com.mking.backup.support;

/** What a Redis server holds, read through redis-cli, for tests that compare a restored server with its source. */
public final class RedisContent {

    /**
     * For {@code redis-cli EVAL DUMP_SCRIPT 0}: every key as "key|type|hex value|pttl", sorted; values in a canonical
     * order (hash fields, set members sorted).
     */
    public static final String DUMP_SCRIPT = """
            local keys = redis.call('KEYS', '*')
            table.sort(keys)
            local out = {}
            for _, k in ipairs(keys) do
              local t = redis.call('TYPE', k)['ok']
              local v = ''
              if t == 'string' then v = redis.call('GET', k)
              elseif t == 'hash' then
                local h = redis.call('HGETALL', k); local p = {}
                for i = 1, #h, 2 do table.insert(p, h[i] .. '=' .. h[i + 1]) end
                table.sort(p); v = table.concat(p, ',')
              elseif t == 'list' then v = table.concat(redis.call('LRANGE', k, 0, -1), ',')
              elseif t == 'set' then local s = redis.call('SMEMBERS', k); table.sort(s); v = table.concat(s, ',')
              elseif t == 'zset' then v = table.concat(redis.call('ZRANGE', k, 0, -1, 'WITHSCORES'), ',')
              elseif t == 'stream' then
                local p = {}
                for _, e in ipairs(redis.call('XRANGE', k, '-', '+')) do table.insert(p, e[1] .. ':' .. table.concat(e[2], '=')) end
                v = table.concat(p, ';')
              end
              v = v:gsub('.', function(c) return string.format('%02x', c:byte()) end)
              table.insert(out, k .. '|' .. t .. '|' .. v .. '|' .. redis.call('PTTL', k))
            end
            return out
            """;

    private RedisContent() {
    }
}
