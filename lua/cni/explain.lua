-- cni.explain: traces one area through a build, from raw values through
-- every transform to its index rank and flags; side by side for two specs.
--   cnilua explain AREA SPEC.lua [OTHER.lua] [--data DIR]
local core = require "cni.core"
local S = require "cni.spec"

local M = {}

local function fmt(x)
  if x == nil then return "" end
  if type(x) == "boolean" then return x and "yes" or "no" end
  if type(x) == "number" then
    if x ~= x then return "NA" end
    return core.format_number(x, 6)
  end
  return tostring(x)
end

--- The trace of one area in a result: a list of {section, label, value}.
function M.trace(r, code)
  local t, c = r.table, r.columns
  local row
  local keys = t:col(c.key)
  if keys:type() == "number" then code = tonumber(code) end
  local i = t:lookup(c.key, code)
  if not i then
    S.raise("data", string.format("no area '%s' in %s%s", tostring(code), r.spec.name,
      "" ))
  end
  -- every value of the area, missing ones as NaN ("NA" when shown):
  -- t:row leaves missing values out, which would read as "no entry"
  row = setmetatable({}, {__index = function(_, col)
    if type(col) ~= "string" or not t:has(col) then return nil end
    local v = t:col(col):get(i)
    if v == nil then return 0 / 0 end
    return v
  end})
  local spec = r.spec
  local L = {}
  local function add(section, label, value) L[#L + 1] = {section = section, label = label, value = value} end
  add("area", "code", row[c.key])
  if c.name then add("area", "name", row[c.name]) end
  if c.la then add("area", "local authority", row[c.la]) end
  if c.region then add("area", "region", row[c.region]) end
  if c.population then add("area", "population", row[c.population]) end
  for _, g in ipairs(S.sorted_keys(spec.geography or {})) do
    local gd = spec.geography[g]
    add("geography", g .. " (" .. (gd.measure or "avg_score") .. " of " .. gd.from .. ")", row[g .. "_score"])
    add("geography", g .. " rank", row[g .. "_rank"])
  end
  for _, k in ipairs(S.sorted_keys(spec.indicators or {})) do
    if row[k] ~= nil or row[k .. "_t"] ~= nil then
      add("indicators", k .. " (raw)", row[k])
      add("indicators", k .. " (transformed, need-oriented)", row[k .. "_t"])
    end
  end
  local total = 0
  local combine = (spec.index and spec.index.combine) or "sum"
  local wsum = 0
  for _, d in ipairs(c.domains) do
    wsum = wsum + ((spec.index and spec.index.weights and spec.index.weights[d]) or spec.domains[d].weight or 1)
  end
  for _, d in ipairs(c.domains) do
    local dom = spec.domains[d]
    local w = (spec.index and spec.index.weights and spec.index.weights[d]) or dom.weight or 1
    if combine ~= "sum" and combine ~= "geomean" then w = w / wsum end
    if row[d .. "_score"] ~= nil then add("domains", d .. " score", row[d .. "_score"]) end
    add("domains", d .. " rank", row[d .. "_rank"])
    add("domains", d .. " transformed", row[d .. "_t"])
    add("domains", d .. " weight", w)
    if combine ~= "geomean" and row[d .. "_t"] then
      add("domains", d .. " contribution (weight x transformed)", w * row[d .. "_t"])
      total = total + w * row[d .. "_t"]
    end
  end
  local ix = c.index
  add("index", "combine", combine)
  add("index", ix.score, row[ix.score])
  add("index", ix.rank .. " (1 = most need, of " .. r.n .. ")", row[ix.rank])
  add("index", ix.decile, row[ix.decile])
  for _, rname in ipairs(S.sorted_keys(r.rules)) do
    add("rules", rname .. ": " .. r.rules[rname], row["flag_" .. rname])
  end
  return L
end

--- Text of one or two traces side by side.
function M.text(ra, rb, code)
  local a = M.trace(ra, code)
  local b = rb and M.trace(rb, code) or nil
  local bmap = {}
  if b then for _, e in ipairs(b) do bmap[e.section .. "\0" .. e.label] = e.value end end
  local lines = {}
  local function add(...) lines[#lines + 1] = string.format(...) end
  if ra.synthetic then add("** SYNTHETIC DATA: invented areas, not real statistics **") end
  if b then
    add("%-52s %18s %18s", "", ra.spec.name:sub(1, 18), rb.spec.name:sub(1, 18))
  else
    add("%s", ra.spec.name)
  end
  local section
  local seen = {}
  for _, e in ipairs(a) do
    if e.section ~= section then section = e.section; add("[%s]", section) end
    local k = e.section .. "\0" .. e.label
    seen[k] = true
    if b then
      add("  %-50s %18s %18s", e.label:sub(1, 50), fmt(e.value), fmt(bmap[k]))
    else
      add("  %-50s %18s", e.label:sub(1, 50), fmt(e.value))
    end
  end
  if b then  -- entries only in the second trace (e.g. a domain added)
    for _, e in ipairs(b) do
      local k = e.section .. "\0" .. e.label
      if not seen[k] then add("  %-50s %18s %18s", (e.section .. ": " .. e.label):sub(1, 50), "", fmt(e.value)) end
    end
  end
  return table.concat(lines, "\n")
end

require("cni.cli").register("explain",
  "trace one area through a spec (or two, side by side): cnilua explain AREA SPEC [OTHER]",
  function(args)
    local run = require "cni.run"
    local cli = require "cni.cli"
    local opts, rest = run.parse_args(args, 3)
    if #rest < 2 then cli.usage_error("explain: cnilua explain AREA SPEC.lua [OTHER.lua]") end
    local code = rest[1]
    local cache = {}
    local ra = require("cni.build").build(run.load_spec(rest[2]), {data = opts.data, cache = cache})
    local rb = rest[3] and require("cni.build").build(run.load_spec(rest[3]), {data = opts.data, cache = cache})
    print(M.text(ra, rb, code))
    return 0
  end)

return M
