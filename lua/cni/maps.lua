-- cni.maps: maps of build results, from the spec's `map` key: the flagged
-- areas, the index rank, a variant against its base; used by runs,
-- comparisons and uncertainty reports, and by `cnilua map`.
--
--   map = {
--     boundaries = "boundaries_lsoa11_england.geojson",  -- in the data root
--     code = "code", name = "name",                       -- GeoJSON properties
--     via = {input = "lookup", from = "lsoa11_code", to = "ward17_code"},
--                                     -- shapes of finer areas, coloured by unit
--     outline = "boundaries_ltla19_england.geojson",      -- drawn on top
--   }
local core = require "cni.core"
local S = require "cni.spec"

local M = {}

local B = require "cni.build"
local exists, path_in = B.exists, B.resolve

--- Map settings of a result: shapes, lookup and outline ready for
-- map.render, or nil and a reason.
function M.setup(r)
  local m = r.spec.map
  if type(m) ~= "table" then return nil, "the spec has no 'map' key" end
  local map = require "cni.map"
  local root = r.data_root
  local bpath = path_in(root, m.boundaries)
  if not exists(bpath) then return nil, "no boundaries file " .. bpath end
  local st = {
    shapes = map.shapes(bpath, {code = m.code or "code", name = m.name or "name"}),
  }
  if m.outline then
    local op = path_in(root, m.outline)
    if exists(op) then
      st.outline = {shapes = map.shapes(op, {code = m.outline_code or "code", name = "name"}),
        label = m.outline_label or "Local authorities"}
    end
  end
  if m.via then
    local inp = r.spec.inputs[m.via.input]
    if not inp then return nil, "map.via.input: no input named '" .. tostring(m.via.input) .. "'" end
    local lt = core.read_csv(path_in(root, inp.file), {select = {m.via.from, m.via.to}})
    st.lookup = {table = lt, from = m.via.from, to = m.via.to}
  end
  return st
end

local function note(r)
  if r.synthetic then return "SYNTHETIC DATA: invented areas, not real statistics" end
  return r.spec.map and r.spec.map.note or nil
end

--- Flagged areas of a result.
function M.flag_map(r, o)
  o = o or {}
  local st, why = M.setup(r)
  if not st then return nil, why end
  local t = r.table
  local map = require "cni.map"
  local label = (r.spec.unit and r.spec.unit.label) or "area"
  return map.render{
    shapes = st.shapes, lookup = st.lookup, outline = st.outline, kind = "flag",
    values = {table = t, code = r.columns.key, column = r.flag},
    title = o.title or (r.spec.name .. ": flagged " .. label .. "s"),
    subtitle = o.subtitle or (r.flag_rule and r.rules[r.flag_rule]),
    labels = {flagged = "Flagged", not_flagged = "Not flagged"},
    note = note(r), id = o.id or "mapflag", width = o.width,
  }
end

--- Index rank of a result (continuous; rank 1 = most need, dark end).
function M.rank_map(r, o)
  o = o or {}
  local st, why = M.setup(r)
  if not st then return nil, why end
  local map = require "cni.map"
  return map.render{
    shapes = st.shapes, lookup = st.lookup, outline = st.outline, kind = "continuous",
    values = o.values or {table = r.table, code = r.columns.key, column = r.columns.index.rank},
    title = o.title or (r.spec.name .. ": " .. r.columns.index.rank:gsub("_", " ")),
    legend = o.legend or {title = "rank", low = "1 = most need"}, reverse = o.reverse,
    domain = o.domain, palette = o.palette or "viridis",
    note = note(r), id = o.id or "maprank", width = o.width,
  }
end

--- A variant against its base: entering, leaving, both, neither. 'b' and
-- 'v' are build results (v may be an aligned flag column over b's areas).
function M.change_map(b, vflag, o)
  o = o or {}
  local st, why = M.setup(b)
  if not st then return nil, why end
  local map = require "cni.map"
  local t = core.table{{"code", b.table:col(b.columns.key)}, {"base", b.table:col(b.flag)},
    {"variant", vflag}}
  return map.render{
    shapes = st.shapes, lookup = st.lookup, outline = st.outline, kind = "change",
    values = {table = t, code = "code", column = "variant"},
    base = {table = t, code = "code", column = "base"},
    title = o.title or "Variant against base",
    subtitle = o.subtitle or "entering: flagged by the variant only; leaving: by the base only",
    labels = {entering = "Entering", leaving = "Leaving", both = "Flagged in both", neither = "Neither"},
    -- compact form for reports: only the flagged areas are drawn one by
    -- one, on top of the districts filled in the 'neither' colour
    skip = o.compact and st.outline and {neither = true} or nil,
    background = o.compact and st.outline and {shapes = st.outline.shapes, colour = "#E4E4E4"} or nil,
    note = note(b), id = o.id or "mapchange", width = o.width,
  }
end

-- `cnilua map RESULT|SPEC --kind flag|rank|change [--base SPEC] -o map.svg`
require("cni.cli").register("map",
  "write a map: cnilua map SPEC|RESULT --kind flag|rank|change [--base SPEC] [-o map.svg]",
  function(args)
    local cli = require "cni.cli"
    local run = require "cni.run"
    local kind, base, pass = "flag", nil, {}
    local i = 1
    while i <= #args do
      local a = args[i]
      if a == "--kind" then kind = args[i + 1]; i = i + 2
      elseif a == "--base" then base = args[i + 1]; i = i + 2
      else pass[#pass + 1] = a; i = i + 1 end
    end
    if kind ~= "flag" and kind ~= "rank" and kind ~= "change" then
      cli.usage_error(string.format("map: unknown --kind '%s'%s (flag, rank, change)", tostring(kind),
        S.hint(tostring(kind), {"flag", "rank", "change"})))
    end
    local opts, rest = run.parse_args(pass, 1)
    if not rest[1] then cli.usage_error("map: which spec? (cnilua map SPEC.lua --kind flag -o map.svg)") end
    local build = require "cni.build"
    local cache = {}
    local r = build.build(run.load_spec(rest[1]), {data = opts.data, cache = cache})
    local svg, info
    if kind == "flag" then svg, info = M.flag_map(r)
    elseif kind == "rank" then svg, info = M.rank_map(r)
    else
      if not base then cli.usage_error("map: --kind change needs --base SPEC") end
      local rb = build.build(run.load_spec(base), {data = opts.data, cache = cache})
      local C = require "cni.compare"
      local res = C.compare(rb, {r}, {sweep = false})
      svg, info = M.change_map(rb, res.variants[1].aligned.flag,
        {title = r.spec.name .. " against " .. rb.spec.name})
    end
    if not svg then S.raise("spec", "map: " .. tostring(info)) end
    local out = opts.out or "map.svg"
    core.write_text(out, svg)
    if not opts.quiet then
      print(string.format("wrote %s (%d areas drawn, %d bytes)", out, info.drawn or 0, #svg))
    end
    return 0
  end)

return M
