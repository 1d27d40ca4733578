-- BENCH_EXT_CMD for ../shared/bench/run-peers.sh (see scripts/bench.sh):
--   cnilua scripts/bench/ext.lua PROGRAM ARGS...
-- runs scripts/bench/PROGRAM.lua with ARGS as its arg table, in this
-- process (no shell in between), then exits without closing the Lua state:
-- the operating system frees the process's memory at once, as for the
-- other peers' interpreters at exit.
local prog = assert(arg[1], "usage: cnilua ext.lua PROGRAM ARGS...")
assert(prog:match("^[%w_]+$"), "ext.lua: bad program name " .. prog)
local dir = arg[0]:match("^(.*)/[^/]*$") or "."
local args = {[0] = dir .. "/" .. prog .. ".lua"}
for i = 2, #arg do args[i - 1] = arg[i] end
arg = args   -- luacheck: ignore (the programs read the global 'arg', as scripts do)
dofile(args[0])
io.stdout:flush()
os.exit(0, false)
