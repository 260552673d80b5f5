-- wrk script for /cheap: each connection waits CHEAP_DELAY_MS (default 1) milliseconds before every request, so
-- every server under test gets about the same cheap request rate however fast it answers.
local pause = tonumber(os.getenv("CHEAP_DELAY_MS") or "1")
function delay()
    return pause
end
