-- wrk script for /cheap at a fixed rate: each connection sends CHEAP_RATE requests per second (default 200) on a
-- schedule, whatever the server's latency, so every server under test gets the same cheap load (paced.lua's fixed
-- pause gives a server that answers faster more requests). A request whose turn came while the previous one was
-- still out is sent as soon as that one is answered, and the schedule restarts from then (no catch-up burst).
-- wrk waits whole milliseconds, rounded down, so a request may go up to 1 ms early; the next wait makes up for it.
local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } rate_timespec;
int clock_gettime(int clock, rate_timespec *time);
]]
local clock = ffi.new("rate_timespec")
local function nowMs()
    ffi.C.clock_gettime(1, clock) -- CLOCK_MONOTONIC
    return tonumber(clock.tv_sec) * 1000 + tonumber(clock.tv_nsec) / 1e6
end
local period = 1000 / tonumber(os.getenv("CHEAP_RATE") or "200")
local nextSend = nil
function delay()
    local now = nowMs()
    if nextSend == nil or nextSend < now then nextSend = now end
    local wait = nextSend - now
    nextSend = nextSend + period
    return wait
end
