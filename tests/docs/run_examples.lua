-- Runs every ```lua block of ROOT/README.md and ROOT/docs/*.md.
--
--   build/cnilua tests/docs/run_examples.lua ROOT
--
-- Each block runs in a fresh environment (globals of its own, reading
-- through to the standard ones, with 'cni' set) with the working directory
-- at ROOT. A block fails when it raises an error (a failing assert()
-- included). A block may be followed by an ```output block: then what the
-- block print()s must equal that text (trailing blanks and blank lines
-- ignored). Blocks fenced as ```text (or anything but lua) are not run.
-- Prints each failure with file and line, then "N passed, N failed";
-- exits 1 if any block failed. Also works under stock lua5.4 when ROOT/build
-- holds the loadable module.

local ROOT = arg and arg[1] or "."
ROOT = ROOT:gsub("/+$", "")
if ROOT == "" then ROOT = "/" end

local function sh_quote(s) return "'" .. s:gsub("'", "'\\''") .. "'" end

local function capture(cmd)
  local p = io.popen(cmd)
  if not p then return nil end
  local out = p:read("a")
  p:close()
  return (out:gsub("%s+$", ""))
end

-- The examples use paths relative to ROOT: run from there (re-running this
-- script in ROOT when started elsewhere).
local here, root_abs = capture("pwd"), capture("cd " .. sh_quote(ROOT) .. " && pwd")
if not root_abs or root_abs == "" then
  io.stderr:write("run_examples: no such folder: " .. ROOT .. "\n")
  os.exit(2)
end
if here ~= root_abs then
  local interp = arg[-1] or "lua5.4"
  local script = arg[0]
  if script:sub(1, 1) ~= "/" then script = here .. "/" .. script end
  local ok, how, code = os.execute("cd " .. sh_quote(root_abs) .. " && " .. sh_quote(interp) .. " "
    .. sh_quote(script) .. " " .. sh_quote(root_abs))
  if how == "exit" then os.exit(code) end
  os.exit(ok and 0 or 1)
end

-- The library: preloaded in cnilua, else from ROOT/lua and ROOT/build/lua.
local cni = rawget(_G, "cni")
if not cni then
  package.path = "./lua/?.lua;./lua/?/init.lua;" .. package.path
  package.cpath = "./build/lua/?.so;" .. package.cpath
  cni = require "cni"
end

-- Files: README.md (if present), then docs/*.md in name order.
local files = {}
local function exists(p) local f = io.open(p, "r"); if f then f:close() return true end return false end
if exists("README.md") then files[#files + 1] = "README.md" end
do
  local p = io.popen("ls docs 2>/dev/null")
  local names = {}
  if p then
    for f in p:lines() do if f:match("%.md$") then names[#names + 1] = f end end
    p:close()
  end
  table.sort(names)
  for _, f in ipairs(names) do files[#files + 1] = "docs/" .. f end
end

-- Blocks of one file: {lang, line (first code line), fence_line, code,
-- output (text of an ```output block that follows after blank lines only)}
local function blocks_of(path)
  local lines = {}
  for l in io.lines(path) do lines[#lines + 1] = l end
  local all, i = {}, 1
  while i <= #lines do
    local fence, lang = lines[i]:match("^%s*(```+)%s*([%w_%-]*)")
    if fence then
      local start, body = i, {}
      i = i + 1
      while i <= #lines and not lines[i]:match("^%s*" .. fence .. "%s*$") do
        body[#body + 1] = lines[i]
        i = i + 1
      end
      all[#all + 1] = {lang = lang, line = start + 1, fence_line = start, close_line = i,
                       code = table.concat(body, "\n")}
    end
    i = i + 1
  end
  local out = {}
  for k, b in ipairs(all) do
    local nxt = all[k + 1]
    if b.lang == "lua" and nxt and nxt.lang == "output" then
      local blank = true
      for j = b.close_line + 1, nxt.fence_line - 1 do
        if not lines[j]:match("^%s*$") then blank = false end
      end
      if blank then b.output = nxt.code end
    end
    out[#out + 1] = b
  end
  return out
end

local function trim_lines(s)
  local t = {}
  for l in (s .. "\n"):gmatch("(.-)\n") do t[#t + 1] = (l:gsub("%s+$", "")) end
  while #t > 0 and t[#t] == "" do t[#t] = nil end
  return table.concat(t, "\n")
end

local function errmsg(e)
  if type(e) == "table" then
    local mt = getmetatable(e)
    if mt and mt.__tostring then return tostring(e) end
    return tostring(e.msg or e)
  end
  return tostring(e)
end

local passed, failed = 0, 0
for _, path in ipairs(files) do
  for _, b in ipairs(blocks_of(path)) do
    if b.lang == "lua" then
      local printed = {}
      local env = setmetatable({}, {__index = _G})
      env.cni = cni
      env._G = env
      env.print = function(...)
        local n, parts = select("#", ...), {}
        for k = 1, n do parts[k] = tostring((select(k, ...))) end
        printed[#printed + 1] = table.concat(parts, "\t")
      end
      -- padding keeps error line numbers equal to the lines of the file
      local chunk, cerr = load(string.rep("\n", b.line - 1) .. b.code, "@" .. path, "t", env)
      local ok, err = chunk ~= nil, cerr
      if chunk then ok, err = xpcall(chunk, function(e) return errmsg(e) end) end
      if ok and b.output then
        local got, want = trim_lines(table.concat(printed, "\n")), trim_lines(b.output)
        if got ~= want then
          ok, err = false, "output differs\n--- expected\n" .. want .. "\n--- got\n" .. got
        end
      end
      collectgarbage()
      if ok then
        passed = passed + 1
      else
        failed = failed + 1
        io.write(string.format("FAIL %s:%d: %s\n", path, b.fence_line, errmsg(err)))
      end
    end
  end
end

print(string.format("%d passed, %d failed", passed, failed))
os.exit(failed == 0 and passed > 0 and 0 or 1)
