-- Shared helpers for the busted specs (require "helper").
local cni = require "cni"

local H = {}

local cfg = package.loaded["cni_test_config"]
if cfg then
  H.root = cfg.root
else  -- run directly with busted: locate the repository from this file
  local src = debug.getinfo(1, "S").source:gsub("^@", "")
  H.root = src:match("^(.*)/tests/lua/[^/]*$") or "."
end

--- Path of a fixture file.
function H.fixture(name)
  return H.root .. "/tests/fixtures/lua/" .. name
end

--- A new empty folder (removed by H.rmtree).
function H.tmpdir()
  local p = os.tmpname()
  os.remove(p)
  cni.mkdirs(p)
  return p
end

function H.rmtree(dir)
  if dir and dir:match("^/tmp/") then os.execute('rm -rf "' .. dir .. '"') end
end

--- Names of the files in a folder (sorted, without . and ..).
function H.ls(dir)
  local out = {}
  local pipe = io.popen('ls -A "' .. dir .. '"')
  for f in pipe:lines() do out[#out + 1] = f end
  pipe:close()
  table.sort(out)
  return out
end

function H.read_file(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("a")
  f:close()
  return s
end

function H.write_file(path, s)
  local f = assert(io.open(path, "wb"))
  f:write(s)
  f:close()
end

--- Values of a column as a plain list; a missing value is the string "NA"
--- (so that lists compare with assert.same; NaN never equals itself).
function H.vals(col)
  local out = {}
  for i = 1, #col do
    local v = col[i]
    if v == nil then v = "NA" end
    out[i] = v
  end
  return out
end

--- Converts a plain list of numbers (NaN allowed) the same way.
function H.na(list)
  local out = {}
  for i, v in ipairs(list) do out[i] = (v ~= v) and "NA" or v end
  return out
end

--- Asserts that col (or list) holds numbers close to expected (missing as
--- "NA" in expected).
function H.near(expected, got, tol)
  tol = tol or 1e-9
  if type(got) ~= "table" then got = H.vals(got) else got = H.na(got) end
  assert(#got == #expected, string.format("length %d, expected %d", #got, #expected))
  for i, e in ipairs(expected) do
    local g = got[i]
    if e == "NA" or g == "NA" then
      assert(e == g, string.format("element %d: got %s, expected %s", i, tostring(g), tostring(e)))
    else
      local ok = math.abs(g - e) <= tol * math.max(1, math.abs(e))
      assert(ok, string.format("element %d: got %.17g, expected %.17g", i, g, e))
    end
  end
  return true
end

--- Asserts |a - b| <= tol (relative for large values).
function H.close(expected, got, tol)
  tol = tol or 1e-9
  assert(type(got) == "number", "expected a number, got " .. type(got))
  assert(math.abs(got - expected) <= tol * math.max(1, math.abs(expected)),
    string.format("got %.17g, expected %.17g", got, expected))
  return true
end

--- Calls f(...) expecting a failure; returns the error value.
function H.err(f, ...)
  local ok, e = pcall(f, ...)
  assert(not ok, "expected an error, but the call succeeded")
  return e
end

--- Expects a structured cni error of the given kind whose message contains
--- every string in 'needles' (plain text). Returns the error object.
function H.cni_err(kind, needles, f, ...)
  local e = H.err(f, ...)
  assert(type(e) == "table", "expected a cni error object, got: " .. tostring(e))
  assert(getmetatable(e) and getmetatable(e).__tostring, "error object has no __tostring")
  assert(e.kind == kind, string.format("kind %s, expected %s (msg: %s)", tostring(e.kind), kind, tostring(e.msg)))
  if type(needles) == "string" then needles = { needles } end
  for _, n in ipairs(needles) do
    assert(tostring(e.msg):find(n, 1, true),
      string.format("message %q does not contain %q", tostring(e.msg), n))
  end
  assert(tostring(e) == e.msg, "tostring(error) should be its message")
  return e
end

--- Expects a plain (string) Lua error containing every needle.
function H.lua_err(needles, f, ...)
  local e = H.err(f, ...)
  local s = type(e) == "table" and tostring(e.msg) or tostring(e)
  if type(needles) == "string" then needles = { needles } end
  for _, n in ipairs(needles) do
    assert(s:find(n, 1, true), string.format("message %q does not contain %q", s, n))
  end
  return e
end

return H
