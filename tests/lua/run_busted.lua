-- Runs the busted specs tests/lua/*_spec.lua.
--
--   lua5.4 tests/lua/run_busted.lua ROOT BUILD        (loadable cni.core)
--   build/cnilua tests/lua/run_busted.lua ROOT BUILD  (built-in cni.core)
--
-- ROOT is the repository root, BUILD the CMake build folder. Exits non-zero
-- when any test fails or errors; prints busted's plain-terminal summary
-- ("N successes / N failures / N errors / N pending").

local ROOT, BUILD = arg and arg[1], arg and arg[2]
if not ROOT or not BUILD then
  io.stderr:write("usage: run_busted.lua ROOT BUILD\n")
  os.exit(2)
end

-- Absolute paths, so that specs do not depend on the working directory.
local function absolute(p)
  if p:sub(1, 1) == "/" then return p end
  local pipe = io.popen("pwd")
  local cwd = pipe and pipe:read("l") or "."
  if pipe then pipe:close() end
  return (cwd .. "/" .. p):gsub("/%./", "/"):gsub("/%.$", "")
end
ROOT = absolute(ROOT):gsub("/+$", "")
BUILD = absolute(BUILD):gsub("/+$", "")

-- Is cni.core built into this host (build/cnilua) or loadable (lua5.4)?
local embedded = package.preload["cni.core"] ~= nil

local system_lpath = table.concat({
  "/usr/local/share/lua/5.4/?.lua", "/usr/local/share/lua/5.4/?/init.lua",
  "/usr/share/lua/5.4/?.lua", "/usr/share/lua/5.4/?/init.lua",
}, ";")
local system_cpath = table.concat({
  "/usr/local/lib/lua/5.4/?.so",
  "/usr/lib/x86_64-linux-gnu/lua/5.4/?.so", "/usr/lib/aarch64-linux-gnu/lua/5.4/?.so",
  "/usr/lib/lua/5.4/?.so", "/usr/local/lib/lua/5.4/loadall.so",
}, ";")

package.path = table.concat({
  ROOT .. "/lua/?.lua", ROOT .. "/lua/?/init.lua",
  ROOT .. "/tests/lua/?.lua",
  package.path, system_lpath,
}, ";")
package.cpath = table.concat({
  BUILD .. "/lua/?.so",
  package.cpath, system_cpath,
}, ";")

-- The Lua layer must come from ROOT/lua: forget any copy the host loaded
-- from elsewhere (cnilua preloads "cni" from the folder it was built with).
for name in pairs(package.loaded) do
  if (name == "cni" or name:match("^cni%.")) and name ~= "cni.core" then
    package.loaded[name] = nil
  end
end
local cni = require "cni"
if rawget(_G, "cni") ~= nil then _G.cni = cni end

-- Paths for the specs (read by tests/lua/helper.lua).
package.loaded["cni_test_config"] = { root = ROOT, build = BUILD, embedded = embedded }

-- Refuse to pass on an empty suite.
local specs = {}
local pipe = io.popen('ls "' .. ROOT .. '/tests/lua"')
if pipe then
  for f in pipe:lines() do if f:match("_spec%.lua$") then specs[#specs + 1] = f end end
  pipe:close()
end
if #specs == 0 then
  io.stderr:write("run_busted: no *_spec.lua files in " .. ROOT .. "/tests/lua\n")
  os.exit(1)
end
table.sort(specs)

local where = package.searchpath("cni", package.path) or "?"
print(string.format("run_busted: host %s, cni.core %s, cni from %s, specs: %s",
  _VERSION .. (embedded and " (cnilua)" or ""),
  embedded and "built in" or (package.searchpath("cni.core", package.cpath) or "?"),
  where, table.concat(specs, " ")))

-- busted reads its command line from the global 'arg'.
arg = {
  [0] = ROOT .. "/tests/lua/run_busted.lua",
  "--output=plainTerminal",
  "--pattern=_spec%.lua$",
  "--directory=" .. ROOT,
  "--sort-files",
  ROOT .. "/tests/lua",
}

-- Returns normally when everything passed; exits(1) itself otherwise.
require "busted.runner" ({ standalone = false, output = "plainTerminal" })
os.exit(0)
