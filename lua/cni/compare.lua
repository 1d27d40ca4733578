-- cni.compare: what a variant changes. Set and rank differences against a
-- base, agreement statistics, counts by region and authority, the
-- difference in the resolved specs, why each area moved (contributions of
-- domains to the change in its index score), and a threshold sweep.
--
-- Definitions (docs/compare.md):
--   Jaccard  |A n B| / |A u B| (1 when both sets are empty)
--   kappa    Cohen's kappa of the two flags over all areas:
--            (po - pe) / (1 - pe), po = observed agreement,
--            pe = pA pB + (1 - pA)(1 - pB); 1 when pe = 1
--   rank shift  |rank_variant - rank_base| over areas ranked in both
--   decile moves  share of areas whose decile changes by 2 or more
local core = require "cni.core"
local S = require "cni.spec"

local M = {}

local function raise(msg) S.raise("usage", msg) end

-- {===== inputs: results, specs, external lists

--- A comparable item from a build result.
local function from_result(r, label)
  local t, c = r.table, r.columns
  return {
    label = label or r.spec.name,
    kind = "result",
    result = r,
    spec = r.spec,
    key = c.key,
    codes = t:col(c.key),
    flag = r.flag and t:col(r.flag) or nil,
    rank = t:col(c.index.rank),
    score = t:col(c.index.score),
    decile = t:col(c.index.decile),
    name = c.name and t:col(c.name) or nil,
    la = c.la and t:col(c.la) or nil,
    region = c.region and t:col(c.region) or nil,
    synthetic = r.synthetic,
  }
end

--- A result folder written by a run (results.csv + summary.json).
function M.from_folder(dir)
  local sj = core.read_json(dir .. "/summary.json")
  local c = sj.columns
  if type(c) ~= "table" or not c.index then
    S.raise("data", dir .. "/summary.json: not a cnilua result (no 'columns')")
  end
  local t = core.read_csv(dir .. "/results.csv")
  local it = {label = (sj.summary and sj.summary.name) or dir, kind = "folder", key = c.key,
    codes = t:col(c.key), rank = t:col(c.index.rank), score = t:col(c.index.score),
    decile = t:col(c.index.decile), flag = sj.flag and t:col(sj.flag) or nil,
    name = c.name and t:col(c.name) or nil, la = c.la and t:col(c.la) or nil,
    region = c.region and t:col(c.region) or nil, synthetic = sj.synthetic, spec = sj.spec}
  return it
end

--- An external list of area codes (a CSV file with a code column), to
-- stand in a comparison like a variant (flags only, no ranks).
function M.external_list(path, o)
  o = o or {}
  local t = core.read_csv(path)
  local col = o.column
  if not col then
    for _, name in ipairs(t:names()) do
      if t:col(name):type() == "string" then col = name; break end
    end
  end
  if not col or not t:has(col) then
    S.raise("data", string.format("%s: no code column%s", path,
      col and string.format(" '%s'%s", col, S.hint(col, t:names())) or " (give one with path:column)"))
  end
  local codes = t:col(col)
  t:check_key(col)
  return {label = o.label or path:match("[^/]+$"), kind = "list", path = path, codes = codes, column = col}
end

-- Aligns an item to the base's area order (by code). Returns the item's
-- columns in base order and the coverage of the match.
local function align(base, item)
  local bt = core.table{{"code", base.codes}}
  if item.kind == "list" then
    local lt = core.table{{"code", item.codes}, {"in_list", core.fill(#item.codes, true)}}
    local j, rep = bt:join(lt, {on = "code"})
    return {flag = j:col("in_list"):fill(false)}, {not_in_base = rep.unmatched_right, missing = {}}
  end
  local cols = {{"code", item.codes}, {"rank", item.rank}, {"score", item.score}, {"decile", item.decile}}
  if item.flag then cols[#cols + 1] = {"flag", item.flag} end
  local it = core.table(cols)
  local j, rep = bt:join(it, {on = "code"})
  return {flag = item.flag and j:col("flag"):fill(false) or nil, rank = j:col("rank"),
    score = j:col("score"), decile = j:col("decile")},
    {not_in_base = rep.unmatched_right, missing = rep.unmatched_left}
end

-- }=====

-- {===== metrics

--- Jaccard index and Cohen's kappa of two boolean columns of one length.
function M.agreement(a, b)
  local n = #a
  local both = (a & b):count(true)
  local na, nb = a:count(true), b:count(true)
  local union = na + nb - both
  local jac = union == 0 and 1 or both / union
  local po = (n - (na + nb - 2 * both)) / n
  local pa, pb = na / n, nb / n
  local pe = pa * pb + (1 - pa) * (1 - pb)
  local kappa = pe == 1 and 1 or (po - pe) / (1 - pe)
  return {both = both, only_a = na - both, only_b = nb - both, n_a = na, n_b = nb,
    jaccard = jac, kappa = kappa, agreement = po}
end

-- Counts by a grouping column (region, LA): base flagged, variant flagged,
-- change; sorted by group name.
local function by_group(col, fb, fv)
  if not col then return nil end
  local g = col:isna():count(true) > 0 and core.group_by(col:fill("(missing)")) or core.group_by(col)
  local keys = g:keys()
  local cb, cv, sz = g:agg("sum", fb), g:agg("sum", fv), g:sizes()
  local rows = {}
  for i = 1, #keys do
    rows[i] = {group = keys:get(i), areas = math.tointeger(sz:get(i)),
      base = math.tointeger(cb:get(i)), variant = math.tointeger(cv:get(i))}
    rows[i].change = rows[i].variant - rows[i].base
  end
  table.sort(rows, function(x, y) return S.str_lt(x.group, y.group) end)
  return rows
end

-- Per-area contributions of each domain to the change in index score
-- (exact for sum and mean combines: the index is linear in the transformed
-- domain values). Returns {domain = column} in base order, and a note.
local function contributions(base, var, aligned_cols)
  local rb, rv = base.result, var.result
  if not (rb and rv) then return nil, "no build result" end
  local sb, sv = rb.spec, rv.spec
  local cb = (sb.index and sb.index.combine) or "sum"
  local cv = (sv.index and sv.index.combine) or "sum"
  if not ((cb == "sum" or cb == "mean" or cb == "borda") and (cv == "sum" or cv == "mean" or cv == "borda")) then
    return nil, "contributions are exact only for linear combines (sum, mean, borda)"
  end
  local function weights(r)
    local spec, w, total = r.spec, {}, 0
    for _, d in ipairs(r.columns.domains) do
      w[d] = (spec.index and spec.index.weights and spec.index.weights[d]) or spec.domains[d].weight or 1
      total = total + w[d]
    end
    local comb = (spec.index and spec.index.combine) or "sum"
    if comb ~= "sum" then for d, x in pairs(w) do w[d] = x / total end end
    return w
  end
  local wb, wv = weights(rb), weights(rv)
  local names, seen = {}, {}
  for _, d in ipairs(rb.columns.domains) do names[#names + 1] = d; seen[d] = true end
  for _, d in ipairs(rv.columns.domains) do if not seen[d] then names[#names + 1] = d end end
  local out = {}
  local n = #base.codes
  for _, d in ipairs(names) do
    local xb = wb[d] and rb.table:col(d .. "_t") * wb[d] or core.fill(n, 0)
    local xv
    if wv[d] then
      local vt = core.table{{"code", var.codes}, {"x", rv.table:col(d .. "_t") * wv[d]}}
      xv = core.table{{"code", base.codes}}:join(vt, {on = "code"}):col("x")
    else
      xv = core.fill(n, 0)
    end
    out[d] = xv - xb
  end
  local _ = aligned_cols
  return out, nil, names
end

--- Compares each variant with the base.
-- items: base = result|spec, variants = {result|spec|external list, ...}
-- o: {data = root, cache = {}, sweep = {from = .05, to = .20, step = .01}}
function M.compare(base, variants, o)
  o = o or {}
  local build = require("cni.build")
  local cache = o.cache or {}
  local function item(x, i)
    if type(x) == "table" and (x.kind == "list" or x.kind == "folder") then return x end
    if type(x) == "table" and x.table and x.columns then return from_result(x) end
    if type(x) == "table" and x.domains then
      return from_result(build.build(x, {data = o.data, cache = cache}))
    end
    raise(string.format("compare: item %s is not a spec, a result or a list", tostring(i)))
  end
  local b = item(base, "base")
  if b.kind == "list" then raise("compare: the base must be a spec or a result, not a list") end
  if b.kind == "folder" then b.result = nil end
  if not b.flag then raise("compare: the base has no rule (no flag to compare)") end
  local n = #b.codes
  local res = {base = {label = b.label, flagged = b.flag:count(true), areas = n, synthetic = b.synthetic},
    variants = {}, base_item = b}
  for i, v in ipairs(variants) do
    local it = item(v, i)
    local a, cov = align(b, it)
    if not a.flag then raise(string.format("compare: variant %d (%s) has no rule", i, it.label)) end
    local ag = M.agreement(b.flag, a.flag)
    local entry = {label = it.label, kind = it.kind, item = it, aligned = a, coverage = cov,
      flagged = a.flag:count(true), both = ag.both, only_base = ag.only_a, only_variant = ag.only_b,
      jaccard = ag.jaccard, kappa = ag.kappa}
    if a.rank then
      local ok = b.rank:isna():eq(false) & a.rank:isna():eq(false)
      local rb, rv = b.rank, a.rank
      entry.spearman = core.spearman(rb, rv)
      entry.kendall = core.kendall(rb, rv)
      local shift = (rv - rb):abs()
      entry.shift = shift
      entry.mean_shift = shift:mean()
      entry.median_shift = shift:median()
      entry.max_shift = shift:max()
      local dmove = (a.decile - b.decile):abs()
      entry.share_decile_moves = dmove:ge(2):count(true) / ok:count(true)
      entry.share_decile_changes = dmove:ge(1):count(true) / ok:count(true)
      entry.contrib, entry.contrib_note, entry.contrib_domains = contributions(b, it, a)
    end
    entry.by_region = by_group(b.region, b.flag, a.flag)
    entry.by_la = by_group(b.la, b.flag, a.flag)
    if it.spec and b.spec then
      entry.spec_diff = S.diff(b.spec, it.spec)
    end
    res.variants[i] = entry
  end
  if o.sweep ~= false then res.sweep = M.sweep(b, type(o.sweep) == "table" and o.sweep or nil) end
  return res
end

--- Threshold sweep of the two-index rule on the base: flagged count and
-- Jaccard with the base list over a grid of index and deprivation cut-offs.
function M.sweep(b, o)
  o = o or {}
  local r = b.result
  if not r then return nil end
  local rule = r.flag_rule and r.spec.rules[r.flag_rule]
  if type(rule) ~= "table" or rule.rule ~= "two_index" then return nil end
  local from, to, step = o.from or 0.05, o.to or 0.20, o.step or 0.01
  local irank = b.rank
  local drank = r.table:col(rule.dep .. "_rank")
  local ni, nd = irank:count(), drank:count()
  local pop = rule.by == "population" and r.columns.population and r.table:col(r.columns.population)
  local build = require "cni.build"
  local function top(rank, x, nv)
    if pop then return build.top_share_population(rank, x, pop) end
    return rank:le(math.floor(x * nv + 1e-9))
  end
  local cuts = {}
  local k = 0
  while true do
    local x = from + k * step
    if x > to + 1e-9 then break end
    cuts[#cuts + 1] = math.floor(x * 1e6 + 0.5) / 1e6
    k = k + 1
  end
  local grid = {}
  for i, xi in ipairs(cuts) do
    local fi = top(irank, xi, ni)
    grid[i] = {}
    for j, xd in ipairs(cuts) do
      local f = fi & top(drank, xd, nd)
      local ag = M.agreement(b.flag, f)
      grid[i][j] = {index_top = xi, dep_top = xd, flagged = ag.n_b, jaccard = ag.jaccard}
    end
  end
  return {cuts = cuts, grid = grid, dep = rule.dep, index = r.columns.index.rank:gsub("_rank$", ""),
    base_index_top = rule.index_top, base_dep_top = rule.dep_top}
end

-- }=====

-- {===== tables of areas that enter or leave

--- Areas flagged in only one of base and variant, with both ranks, flags
-- and the domain contributions to the change in index score.
function M.movers(res, i)
  local v = res.variants[i]
  local b = res.base_item
  local fb, fv = b.flag, v.aligned.flag
  local mask = fb ~ fv
  local cols = {{"code", b.codes}}
  if b.name then cols[#cols + 1] = {"name", b.name} end
  if b.la then cols[#cols + 1] = {"la", b.la} end
  if b.region then cols[#cols + 1] = {"region", b.region} end
  cols[#cols + 1] = {"change", core.where(fv, 1, -1)}
  cols[#cols + 1] = {"base_rank", b.rank}
  cols[#cols + 1] = {"base_flag", fb}
  if v.aligned.rank then
    cols[#cols + 1] = {"variant_rank", v.aligned.rank}
    cols[#cols + 1] = {"score_change", v.aligned.score - b.score}
  end
  cols[#cols + 1] = {"variant_flag", fv}
  if v.contrib then
    for _, d in ipairs(v.contrib_domains) do cols[#cols + 1] = {"contrib_" .. d, v.contrib[d]} end
  end
  local t = core.table(cols):filter(mask)
  return t:sort{{"change", desc = true}, "base_rank"}
end

-- }=====

-- {===== text

local function fmt(x, d)
  if x == nil or x ~= x then return "NA" end
  return core.format_number(x, d or 4)
end

--- Console summary (fits 100 columns).
function M.text(res)
  local L = {}
  local function add(...) L[#L + 1] = string.format(...) end
  if res.base.synthetic then add("** SYNTHETIC DATA: invented areas, not real statistics **") end
  add("base: %s (%d areas, %d flagged)", res.base.label, res.base.areas, res.base.flagged)
  add("")
  add("%-30s %7s %6s %6s %6s %7s %6s %8s %7s %7s", "variant", "flagged", "both", "-base", "+new",
    "jaccard", "kappa", "spearman", "kendall", "mean|d|")
  for _, v in ipairs(res.variants) do
    add("%-30s %7d %6d %6d %6d %7s %6s %8s %7s %7s", v.label:sub(1, 30), v.flagged, v.both, v.only_base,
      v.only_variant, fmt(v.jaccard, 3), fmt(v.kappa, 3), fmt(v.spearman, 4), fmt(v.kendall, 4),
      fmt(v.mean_shift, 4))
  end
  add("  (-base: flagged in the base only; +new: flagged in the variant only; mean|d|: mean absolute rank shift)")
  for _, v in ipairs(res.variants) do
    add("")
    add("== %s", v.label)
    if v.median_shift then
      add("rank shift: mean %s, median %s, max %s; %s of areas move 2+ deciles (%s change decile)",
        fmt(v.mean_shift, 4), fmt(v.median_shift, 4), fmt(v.max_shift, 6),
        fmt(100 * v.share_decile_moves, 3) .. "%", fmt(100 * v.share_decile_changes, 3) .. "%")
    end
    if v.spec_diff and #v.spec_diff > 0 then
      add("changes to the spec:")
      for _, line in ipairs((function()
        local t = {}
        for l in S.diff_text(v.spec_diff):gmatch("[^\n]+") do t[#t + 1] = l end
        return t
      end)()) do add("  %s", line:sub(1, 96)) end
    end
    if v.by_region then
      local changed = {}
      for _, r in ipairs(v.by_region) do if r.change ~= 0 then changed[#changed + 1] = r end end
      if #changed > 0 then
        add("by region (base -> variant):")
        for _, r in ipairs(v.by_region) do
          add("  %-28s %5d -> %5d  (%+d)", r.group:sub(1, 28), r.base, r.variant, r.change)
        end
      end
    end
    if v.coverage and #v.coverage.not_in_base > 0 then
      add("%d codes of the variant are not areas of the base (first: %s)", #v.coverage.not_in_base,
        tostring(v.coverage.not_in_base[1]))
    end
  end
  if res.sweep then
    add("")
    add("threshold sweep of the base rule (flagged count; rows: %s top share, columns: %s top share)",
      res.sweep.index, res.sweep.dep)
    local hdr = {string.format("%6s", "")}
    for j, x in ipairs(res.sweep.cuts) do
      if (j - 1) % 3 == 0 then hdr[#hdr + 1] = string.format("%6s", fmt(100 * x, 3) .. "%") end
    end
    add("%s", table.concat(hdr, ""))
    for i, x in ipairs(res.sweep.cuts) do
      if (i - 1) % 3 == 0 then
        local row = {string.format("%6s", fmt(100 * x, 3) .. "%")}
        for j in ipairs(res.sweep.cuts) do
          if (j - 1) % 3 == 0 then row[#row + 1] = string.format("%6d", res.sweep.grid[i][j].flagged) end
        end
        add("%s", table.concat(row, ""))
      end
    end
  end
  return table.concat(L, "\n")
end

-- }=====

-- {===== data for files (CSV tables and JSON)

--- Plain tables of a comparison: summary rows, region and LA counts,
-- sweep cells; and the movers of each variant (cni.Tables).
function M.tables(res)
  local sum = {}
  local cols = {"label", "kind", "flagged", "both", "only_base", "only_variant", "jaccard", "kappa",
    "spearman", "kendall", "mean_shift", "median_shift", "max_shift", "share_decile_moves",
    "share_decile_changes"}
  for _, c in ipairs(cols) do
    local vals = {}
    for i, v in ipairs(res.variants) do
      local x = v[c]
      if x == nil then x = (c == "label" or c == "kind") and "" or 0 / 0 end
      vals[i] = x
    end
    sum[#sum + 1] = {c, core.column(vals, (c == "label" or c == "kind") and "string" or "number")}
  end
  local out = {summary = core.table(sum)}
  local function group_table(key)
    local rows = {{}, {}, {}, {}, {}, {}}
    for _, v in ipairs(res.variants) do
      for _, r in ipairs(v[key] or {}) do
        rows[1][#rows[1] + 1] = v.label
        rows[2][#rows[2] + 1] = r.group
        rows[3][#rows[3] + 1] = r.areas
        rows[4][#rows[4] + 1] = r.base
        rows[5][#rows[5] + 1] = r.variant
        rows[6][#rows[6] + 1] = r.change
      end
    end
    if #rows[1] == 0 then return nil end
    return core.table{{"variant", core.column(rows[1], "string")}, {"group", core.column(rows[2], "string")},
      {"areas", rows[3]}, {"base", rows[4]}, {"variant_flagged", rows[5]}, {"change", rows[6]}}
  end
  out.by_region = group_table("by_region")
  out.by_la = group_table("by_la")
  if res.sweep then
    local a, b2, c, d = {}, {}, {}, {}
    for i in ipairs(res.sweep.cuts) do
      for j in ipairs(res.sweep.cuts) do
        local cell = res.sweep.grid[i][j]
        a[#a + 1] = cell.index_top; b2[#b2 + 1] = cell.dep_top
        c[#c + 1] = cell.flagged; d[#d + 1] = cell.jaccard
      end
    end
    out.sweep = core.table{{"index_top", a}, {"dep_top", b2}, {"flagged", c}, {"jaccard_with_base", d}}
  end
  out.movers = {}
  for i in ipairs(res.variants) do out.movers[i] = M.movers(res, i) end
  return out
end

--- JSON-ready summary (no columns; sorted keys are written by cni.write_json).
function M.data(res)
  local d = {base = res.base, variants = {}}
  for i, v in ipairs(res.variants) do
    local e = {}
    for _, k in ipairs{"label", "kind", "flagged", "both", "only_base", "only_variant", "jaccard", "kappa",
        "spearman", "kendall", "mean_shift", "median_shift", "max_shift", "share_decile_moves",
        "share_decile_changes", "by_region", "contrib_note"} do
      e[k] = v[k]
    end
    if v.spec_diff then
      e.spec_changes = {}
      for j, c in ipairs(v.spec_diff) do
        e.spec_changes[j] = {path = c.path, old = S.to_data(c.old), new = S.to_data(c.new)}
      end
    end
    d.variants[i] = e
  end
  if res.sweep then
    d.sweep = {cuts = res.sweep.cuts, index = res.sweep.index, dep = res.sweep.dep}
  end
  return d
end

-- }=====

-- {===== command line: cnilua compare

local function is_dir(p)
  local f = io.open(p .. "/summary.json", "r")
  if f then f:close() return true end
  return false
end

--- Loads one command-line item: a spec file, a result folder, or an
-- external list (--list FILE[:COLUMN]).
function M.load_item(path, run)
  if is_dir(path) then return M.from_folder(path) end
  return run.load_spec(path)
end

--- Writes every table of a comparison (CSV), compare.json and, when the
-- report module is there, report.html. Returns the files written.
function M.write(res, dir, o)
  o = o or {}
  local files = {}
  local tabs = M.tables(res)
  local function w(t, name)
    if t then
      t:write_csv(dir .. "/" .. name)
      files[#files + 1] = name
    end
  end
  w(tabs.summary, "summary.csv")
  w(tabs.by_region, "by_region.csv")
  w(tabs.by_la, "by_la.csv")
  w(tabs.sweep, "sweep.csv")
  for i, t in ipairs(tabs.movers) do w(t, string.format("movers_%d.csv", i)) end
  local d = M.data(res)
  d.files = files
  core.write_json(dir .. "/compare.json", d)
  files[#files + 1] = "compare.json"
  -- maps of each variant against the base, when the base spec has a 'map'
  local maps_html
  local br = res.base_item.result
  if br and br.spec.map and not o.no_maps then
    local maps = require "cni.maps"
    local parts = {}
    for i, v in ipairs(res.variants) do
      local svg = maps.change_map(br, v.aligned.flag, {id = "mapv" .. i, width = 640, compact = true,
        title = string.format("%d. %s against the base", i, v.label)})
      if svg then
        parts[#parts + 1] = svg
        core.write_text(dir .. string.format("/map_change_%d.svg", i), svg)
        files[#files + 1] = string.format("map_change_%d.svg", i)
      end
    end
    if #parts > 0 then maps_html = table.concat(parts, "\n") end
  end
  local ok, report = pcall(require, "cni.report")
  if ok and report.compare_html and not o.no_report then
    local ro = {}
    for k, x in pairs(o) do ro[k] = x end
    ro.maps_html = maps_html
    core.write_text(dir .. "/report.html", report.compare_html(res, tabs, ro))
    files[#files + 1] = "report.html"
  end
  return files
end

require("cni.cli").register("compare",
  "compare variants with a base: cnilua compare BASE V1 [V2 ...] [--list CSV[:COL]] [-o DIR]",
  function(args)
    local run = require "cni.run"
    local cli = require "cni.cli"
    local rest, lists = {}, {}
    local i = 1
    local pass = {}
    while i <= #args do
      if args[i] == "--list" then
        if not args[i + 1] then cli.usage_error("option '--list' needs a CSV file") end
        lists[#lists + 1] = args[i + 1]
        i = i + 2
      else
        pass[#pass + 1] = args[i]
        i = i + 1
      end
    end
    local opts, items = run.parse_args(pass)
    rest = items
    if #rest < 1 or (#rest < 2 and #lists == 0) then
      cli.usage_error("compare: give a base and at least one variant (spec files, result folders or --list CSV)")
    end
    local base = M.load_item(rest[1], run)
    local vars = {}
    for k = 2, #rest do vars[#vars + 1] = M.load_item(rest[k], run) end
    for _, l in ipairs(lists) do
      local path, col = l:match("^(.-):([^/:]+)$")
      vars[#vars + 1] = M.external_list(path or l, {column = col})
    end
    local t0 = core.clock()
    local res = M.compare(base, vars, {data = opts.data})
    if not opts.quiet then print(M.text(res)) end
    if not opts.no_write then
      local dir = opts.out or "out/compare"
      local files = M.write(res, dir, {})
      if not opts.quiet then print(string.format("\nwrote %s (%s)", dir, table.concat(files, ", "))) end
    end
    if not opts.quiet then io.stderr:write(string.format("compare: %.3f s\n", core.clock() - t0)) end
    return 0
  end)

-- }=====

return M
