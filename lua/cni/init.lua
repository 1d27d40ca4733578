-- cni: the cnilua library. Re-exports the C core (tables, columns, I/O,
-- statistics) and adds the Lua layers.
local core = require "cni.core"

local M = {}
for k, v in pairs(core) do M[k] = v end

M.NA = 0 / 0

--- Readable display of any value (used by the REPL).
function M.show(v, n)
  local mt = getmetatable(v)
  if mt and (mt.__name == "cni.Table") then return v:show(n or 8) end
  if type(v) == "table" and not mt then
    local keys = {}
    for k in pairs(v) do keys[#keys + 1] = k end
    table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
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
