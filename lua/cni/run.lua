-- cni.run: runs a spec from the command line or from Lua: builds it, prints
-- a summary, writes the output folder (results.csv with every intermediate
-- column, flagged.csv, summary.json with the resolved spec, input hashes,
-- version and timings).
--   cnilua spec.lua [-o DIR] [--data DIR] [--quiet] [--no-write]
--   cnilua run spec.lua [same options]
local core = require "cni.core"
local S = require "cni.spec"
local B = require "cni.build"
local cli = require "cni.cli"

local M = {}

local function slug(s)
  s = s:lower():gsub("[^%w]+", "-"):gsub("^-+", ""):gsub("-+$", "")
  return s ~= "" and s or "index"
end
M.slug = slug

--- Parses run options from a list of arguments; returns opts, rest.
function M.parse_args(args, allowed_positional)
  local opts, rest = {}, {}
  local i = 1
  while i <= #args do
    local a = args[i]
    local function value()
      i = i + 1
      if args[i] == nil then cli.usage_error(string.format("option '%s' needs a value", a)) end
      return args[i]
    end
    if a == "-o" or a == "--out" then opts.out = value()
    elseif a == "--data" then opts.data = value()
    elseif a == "--quiet" or a == "-q" then opts.quiet = true
    elseif a == "--no-write" then opts.no_write = true
    elseif a == "--no-maps" then opts.no_maps = true
    elseif a == "--top" then opts.top = math.tointeger(tonumber(value())) or cli.usage_error("--top needs a whole number")
    elseif a:sub(1, 1) == "-" and a ~= "-" then
      cli.usage_error(string.format("unknown option '%s'%s", a,
        S.hint(a, {"-o", "--out", "--data", "--quiet", "--no-write", "--no-maps", "--top"})))
    else
      rest[#rest + 1] = a
    end
    i = i + 1
  end
  if allowed_positional and #rest > allowed_positional then
    cli.usage_error(string.format("unexpected argument '%s'", rest[allowed_positional + 1]))
  end
  return opts, rest
end

-- A string column: a where mask is true, b where false (small tables only).
local function cni_where_text(mask, a, b)
  local vals = {}
  for i = 1, #mask do vals[i] = mask:get(i) and a or b end
  return core.column(vals, "string")
end

local function fmt(x, d)
  if x == nil then return "NA" end
  return core.format_number(x, d or 6)
end

--- Summary of a result (plain data, deterministic order).
function M.summary(r, top)
  local t, c = r.table, r.columns
  local s = {
    name = r.spec.name,
    areas = r.n,
    synthetic = r.synthetic,
    rule = r.flag_rule and r.rules[r.flag_rule] or nil,
    flagged = r.flag and t:col(r.flag):count(true) or nil,
    rules = {},
  }
  for _, k in ipairs(S.sorted_keys(r.rules)) do
    s.rules[#s.rules + 1] = {name = k, rule = r.rules[k], flagged = t:col("flag_" .. k):count(true)}
  end
  if c.region and r.flag then
    local g = core.group_by(t:col(c.region):fill("(missing)"))
    local keys, areas, fl = g:keys(), g:sizes(), g:agg("sum", t:col(r.flag))
    local rows = {}
    for i = 1, #keys do
      rows[i] = {region = keys:get(i) or "(missing)", areas = math.tointeger(areas:get(i)),
        flagged = math.tointeger(fl:get(i))}
    end
    table.sort(rows, function(a, b)
      if a.flagged ~= b.flagged then return a.flagged > b.flagged end
      return S.str_lt(a.region, b.region)
    end)
    s.by_region = rows
  end
  -- the first rows by rank, without sorting (copying) the whole table
  local ord = t:col(c.index.rank):order()
  local pos = {}
  for i = 1, math.min(top or 10, #t) do pos[i] = ord:get(i) end
  local sorted = t:take(core.column(pos, "number"))
  s.top = {}
  for i = 1, #sorted do
    local row = sorted:row(i)
    s.top[i] = {code = row[c.key], name = c.name and row[c.name] or nil, la = c.la and row[c.la] or nil,
      rank = row[c.index.rank], score = row[c.index.score],
      flagged = r.flag and row[r.flag] or nil}
  end
  return s
end

--- Console text of a summary.
function M.summary_text(r, s)
  local lines = {}
  local function add(...) lines[#lines + 1] = string.format(...) end
  if r.synthetic then add("** SYNTHETIC DATA (%s): invented areas, not real statistics **", r.data_root) end
  add("%s: %d %ss", s.name, s.areas, r.spec.unit.label or "area")
  for _, rule in ipairs(s.rules) do
    add("  %s: %d flagged (%s)", rule.name, rule.flagged, rule.rule)
  end
  if s.by_region then
    add("")
    add("flagged by region (%s)", r.flag_rule)
    for _, row in ipairs(s.by_region) do
      add("  %-28s %5d of %5d", row.region, row.flagged, row.areas)
    end
  end
  add("")
  add("top %d by %s rank", #s.top, r.columns.index.rank:gsub("_rank$", ""))
  add("  %5s  %-10s %-26s %-22s %9s %s", "rank", "code", "name", "authority", "score", "")
  for _, row in ipairs(s.top) do
    add("  %5d  %-10s %-26s %-22s %9s %s", math.tointeger(row.rank) or 0, row.code,
      (row.name or ""):sub(1, 26), (row.la or ""):sub(1, 22), fmt(row.score, 5),
      row.flagged and "FLAGGED" or "")
  end
  if r.reference then
    local rf = r.reference
    add("")
    add("against %s: %d in both, %d only flagged here, %d only in the reference (%d flagged, %d in the reference)",
      rf.label, rf.both, rf.only_flagged, rf.only_reference, rf.flagged, rf.reference_count)
  end
  for _, g in ipairs(S.sorted_keys(r.coverage)) do
    local cv = r.coverage[g]
    if g ~= "attach" and (cv.units_without_fine_areas > 0 or cv.targets_not_in_unit > 0) then
      add("")
      add("coverage of %s: %d %ss have no %s areas (missing value, never flagged); %d lookup targets are not %ss",
        g, cv.units_without_fine_areas, r.spec.unit.label or "area", r.spec.geography[g].from,
        cv.targets_not_in_unit, r.spec.unit.label or "area")
    end
  end
  return table.concat(lines, "\n")
end

--- Writes the output folder; returns the list of files written.
function M.write_outputs(r, dir, s, o)
  o = o or {}
  local files = {}
  local t = r.table
  if r.synthetic then t = t:with("data_source", "synthetic") end
  t:write_csv(dir .. "/results.csv")
  files[#files + 1] = dir .. "/results.csv"
  if r.flag then
    local f = t:filter(t:col(r.flag)):sort(r.columns.index.rank)
    f:write_csv(dir .. "/flagged.csv")
    files[#files + 1] = dir .. "/flagged.csv"
  end
  if r.reference then
    local f, ref = t:col(r.flag), t:col("reference")
    local d = t:filter(f ~ ref)
    d = d:with("in", cni_where_text(d:col(r.flag), "flagged here only", r.reference.label .. " only"))
    d:sort{"in", r.columns.index.rank}:write_csv(dir .. "/reference_differences.csv")
    files[#files + 1] = dir .. "/reference_differences.csv"
  end
  local summary = {
    reference = r.reference,
    cnilua_version = r.version,
    spec = S.to_data(r.spec),
    spec_sha256 = core.sha256(S.canonical(r.spec)),
    inputs = r.inputs,
    data_root = r.data_root,
    synthetic = r.synthetic,
    data_note = r.synthetic and "SYNTHETIC DATA: invented areas, not real statistics" or nil,
    summary = s,
    columns = r.columns,
    flag = r.flag,
    coverage = r.coverage,
    timings = r.timings,
  }
  if r.spec.extends then
    local d = S.diff(r.spec.extends, r.spec)
    summary.changes_from_base = {}
    for i, c in ipairs(d) do
      summary.changes_from_base[i] = {path = c.path, old = S.to_data(c.old), new = S.to_data(c.new)}
    end
  end
  -- the profile of flagged areas against other deprived areas and all areas
  if r.profile then
    local P = require "cni.profile"
    P.table(r.profile):write_csv(dir .. "/profile.csv")
    files[#files + 1] = dir .. "/profile.csv"
    core.write_text(dir .. "/profile.svg", P.svg(r.profile, {
      title = (r.spec.profile.title or "Profile of the flagged areas") .. (r.synthetic and " (SYNTHETIC DATA)" or ""),
      subtitle = (r.profile.weighted and "population-weighted means" or "unweighted means") ..
        "; other deprived: top " .. core.format_number(100 * r.profile.dep_top, 4) .. "% on " .. r.profile.dep ..
        " but not flagged"}))
    files[#files + 1] = dir .. "/profile.svg"
    summary.profile = r.profile
  end
  -- maps, when the spec says where the boundaries are
  if r.spec.map and r.flag and not o.no_maps then
    local maps = require "cni.maps"
    local svg, why = maps.flag_map(r)
    if svg then
      core.write_text(dir .. "/map_flagged.svg", svg)
      files[#files + 1] = dir .. "/map_flagged.svg"
      local svg2 = maps.rank_map(r)
      if svg2 then
        core.write_text(dir .. "/map_rank.svg", svg2)
        files[#files + 1] = dir .. "/map_rank.svg"
      end
    else
      summary.map_note = "no map: " .. tostring(why)
    end
  end
  -- timings vary from run to run: kept out of the file so reruns are
  -- byte-identical (they are printed instead)
  summary.timings = nil
  core.write_json(dir .. "/summary.json", summary)
  files[#files + 1] = dir .. "/summary.json"
  if r.synthetic then
    core.write_text(dir .. "/DATA_IS_SYNTHETIC.txt",
      "The results in this folder were computed on SYNTHETIC data (" .. r.data_root .. "):\n" ..
      "invented areas, not real statistics.\n")
    files[#files + 1] = dir .. "/DATA_IS_SYNTHETIC.txt"
  end
  return files
end

--- The profile of a result as its spec's 'profile' key describes it.
function M.profile_of(r)
  local P = require "cni.profile"
  local pr = r.spec.profile
  local data
  local inp = pr.input or r.spec.unit.input
  local path = r.inputs[inp] and r.inputs[inp].file
  if path then data = core.read_csv(path, {types = {[r.columns.key] = "string"}}) end
  local key = r.columns.key
  if data and not data:has(key) then
    S.fail("profile.input", "input '%s' has no column '%s' (the unit key)", inp, key)
  end
  local res = P.of_result(r, {outcomes = pr.outcomes, data = data, dep = pr.dep, dep_top = pr.dep_top})
  local rule = r.flag_rule and r.spec.rules[r.flag_rule]
  res.dep = pr.dep or (type(rule) == "table" and rule.dep)
  res.dep_top = pr.dep_top or (type(rule) == "table" and rule.dep_top) or 0.10
  return res
end

--- Builds and reports a spec (the CLI entry point); returns an exit code.
function M.run_spec(spec, o)
  o = o or {}
  local opts = o.opts or M.parse_args(o.args or {})
  local t0 = core.clock()
  local r = B.build(spec, {data = opts.data})
  local s = M.summary(r, opts.top)
  if spec.profile and r.flag then r.profile = M.profile_of(r) end
  local dir = opts.out or ("out/" .. slug(spec.name))
  if not opts.quiet then print(M.summary_text(r, s)) end
  if r.profile and not opts.quiet then
    print("\n" .. require("cni.profile").text(r.profile, spec.profile.title or "profile of the flagged areas"))
  end
  if spec.extends and not opts.quiet then
    local d = S.diff(spec.extends, spec)
    if #d > 0 then
      print("\nchanges from the base spec")
      for line in S.diff_text(d):gmatch("[^\n]+") do
        if #line > 96 then line = line:sub(1, 93) .. "..." end
        print("  " .. line)
      end
    end
  end
  if not opts.no_write then
    local t1 = core.clock()
    local files = M.write_outputs(r, dir, s, {no_maps = opts.no_maps})
    r.timings.write = core.clock() - t1
    if not opts.quiet then
      print(string.format("\nwrote %s (%s)", dir, table.concat((function()
        local names = {}
        for i, f in ipairs(files) do names[i] = f:match("[^/]+$") end
        return names
      end)(), ", ")))
    end
  end
  r.timings.total = core.clock() - t0
  if not opts.quiet then
    io.stderr:write(string.format("timings: load %.3f s, build %.3f s, write %.3f s, total %.3f s\n",
      r.timings.load, r.timings.build, r.timings.write or 0, r.timings.total))
  end
  return 0, r
end

-- `cnilua run spec.lua [options]`
cli.register("run", "run an index spec: cnilua run SPEC.lua [-o DIR] [--data DIR] [--quiet]",
  function(args)
    local opts, rest = M.parse_args(args, 1)
    if not rest[1] then cli.usage_error("run: which spec? (cnilua run SPEC.lua)") end
    local spec = M.load_spec(rest[1])
    return (M.run_spec(spec, {opts = opts}))
  end)

--- Loads a spec file: a Lua script that returns a spec table.
function M.load_spec(path)
  local chunk, err = loadfile(path)
  if not chunk then
    if err:match("cannot open") then cli.usage_error(err) end
    S.raise("spec", err)
  end
  local ok, spec = pcall(chunk)
  if not ok then
    local msg = type(spec) == "table" and spec.msg or tostring(spec)
    S.raise(type(spec) == "table" and spec.kind or "runtime", msg)
  end
  if type(spec) ~= "table" then S.raise("spec", path .. ": does not return a spec table") end
  return spec
end

return M
