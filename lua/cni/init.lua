-- cni: the cnilua library. Re-exports the C core (tables, columns, I/O,
-- statistics) and adds the Lua layers.
local core = require "cni.core"

local M = {}
for k, v in pairs(core) do M[k] = v end

M.NA = 0 / 0

local S = require "cni.spec"

--- A variant of a spec: a deep merge of 'changes' into 'base' (maps merge
-- key by key; lists and values are replaced; cni.drop removes a key). The
-- variant remembers its base (field 'extends') so that its differences can
-- be printed (cni.diff) and compared.
function M.variant(base, changes)
  if type(base) ~= "table" then S.fail("variant", "the base must be a spec table, got %s", type(base)) end
  if type(changes) ~= "table" then S.fail("variant", "the changes must be a table, got %s", type(changes)) end
  local v = S.merge(base, changes)
  v.extends = S.copy(base)
  if changes.name == nil then v.name = base.name .. " (variant)" end
  return v
end

M.drop = S.drop

--- Runs a Lua file given relative to the folder of the calling script (for
-- a variant that builds on another spec file); returns what it returns.
function M.include(relpath)
  local me = debug.getinfo(1, "t")
  local src = debug.getinfo(2, "S").source
  local dir = src:sub(1, 1) == "@" and (src:sub(2):match("^(.*)/[^/]*$") or ".") or nil
  local path = relpath
  if me.istailcall and relpath:sub(1, 1) ~= "/" then
    -- 'return cni.include(...)' is a tail call: the calling script's frame
    -- is gone, so its folder is unknown
    local f = io.open(relpath, "r")
    if not f then
      S.raise("spec", "cni.include('" .. relpath .. "'): cannot tell which script called it, " ..
        "because 'return cni.include(...)' is a tail call; write 'local base = cni.include(...)' " ..
        "and return a value built from it")
    end
    f:close()
    dir = nil
  end
  if relpath:sub(1, 1) ~= "/" and dir then path = dir .. "/" .. relpath end
  local chunk, err = loadfile(path)
  if not chunk then S.raise("spec", err) end
  return chunk()
end

--- Differences between two specs as text lines "path: old -> new"; with
-- one argument, a variant against its base.
function M.diff(a, b)
  if b == nil then a, b = a.extends, a end
  return S.diff_text(S.diff(a or {}, b))
end

function M.validate(spec) return S.validate(spec) end

--- Builds a spec; returns the result (docs/lua-api.md, "Results").
function M.build(spec, opts) return require("cni.build").build(spec, opts) end

--- Builds a spec, prints its summary and writes its output folder unless
-- opts.no_write; returns the result.
function M.run(spec, opts)
  local _, r = require("cni.run").run_spec(spec, {opts = opts or {}})
  return r
end

--- Readable display of any value (used by the REPL).
function M.show(v, n)
  local mt = getmetatable(v)
  if mt and (mt.__name == "cni.Table") then return v:show(n or 8) end
  if type(v) == "table" and not mt then
    local keys = {}
    for k in pairs(v) do keys[#keys + 1] = k end
    table.sort(keys, function(a, b) return S.str_lt(tostring(a), tostring(b)) end)
    local parts = {}
    for i, k in ipairs(keys) do
      if i > 20 then parts[#parts + 1] = "..."; break end
      local val = v[k]
      if type(val) == "number" then val = core.format_number(val, 6) end
      parts[#parts + 1] = tostring(k) .. " = " .. tostring(val)
    end
    return "{" .. table.concat(parts, ", ") .. "}"
  end
  if type(v) == "number" then return core.format_number(v) end
  return tostring(v)
end

return M
