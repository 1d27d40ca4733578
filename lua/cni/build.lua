-- cni.build: runs an index spec: loads the inputs, checks every column
-- before computing, builds indicators, domains, the index and the rules,
-- and returns a result (a cni.Table with every intermediate column plus
-- provenance). Definitions: docs/spec.md and docs/methodology.md.
local core = require "cni.core"
local S = require "cni.spec"

local M = {}

local fail = S.fail

-- {===== inputs

local function exists(path)
  local f = io.open(path, "rb")
  if f then f:close() end
  return f ~= nil
end
M.exists = exists

--- A file of the data root (absolute paths are kept).
local function resolve(root, file)
  if file:sub(1, 1) == "/" then return file end
  return (root and root ~= "" and (root .. "/") or "") .. file
end
M.resolve = resolve

--- The data root of a run: opts.data, else spec.data_root, else "data".
function M.data_root(spec, opts)
  return (opts and opts.data) or spec.data_root or "data"
end

-- Reads the header of every input (cheap), for checking the columns before
-- anything is loaded.
local function load_headers(spec, opts)
  local root = M.data_root(spec, opts)
  local heads = {}
  for _, name in ipairs(S.sorted_keys(spec.inputs)) do
    local inp = spec.inputs[name]
    local path = resolve(root, inp.file)
    if not exists(path) then
      fail("inputs." .. name .. ".file", "%s: no such file (data root '%s'; set it with --data DIR)", path, root)
    end
    heads[name] = core.read_csv(path, {header_only = true, rename = inp.rename, select = inp.select,
      types = inp.types, na = inp.na})
  end
  return heads, root
end

-- Loads every input once (cache keyed by path and options), with only the
-- columns the spec refers to ('used', from the column check) unless the
-- input gives its own select or rename. File hashes are computed on a
-- background thread while the data loads.
local function load_inputs(spec, opts, root, used)
  local cache = opts.cache or {}
  local tables, info, pending, seen = {}, {}, {}, {}
  for _, name in ipairs(S.sorted_keys(spec.inputs)) do
    local path = resolve(root, spec.inputs[name].file)
    if not cache["sha256|" .. path] and not seen[path] then pending[#pending + 1] = path; seen[path] = true end
  end
  local job = #pending > 0 and core.sha256_start(pending) or nil   -- hashes while the data loads
  for _, name in ipairs(S.sorted_keys(spec.inputs)) do
    local inp = spec.inputs[name]
    local path = resolve(root, inp.file)
    local sel = inp.select
    if sel == nil and inp.rename == nil and used[name] then
      sel = {}
      for _, c in ipairs(used[name].order) do sel[#sel + 1] = c end
    end
    local ckey = path .. "|" .. S.canonical({inp.types, inp.na, inp.rename, sel})
    local entry = cache[ckey]
    if not entry then
      local t = core.read_csv(path, {types = inp.types, na = inp.na, rename = inp.rename, select = sel})
      entry = {table = t, path = path}
      cache[ckey] = entry
    end
    tables[name] = entry.table
    info[name] = {file = path, rows = #entry.table, columns = entry.table:ncol()}
  end
  if job then
    local hashes = core.sha256_wait(job)
    for _, p in ipairs(pending) do cache["sha256|" .. p] = hashes[p] end
  end
  for _, name in ipairs(S.sorted_keys(info)) do
    info[name].sha256 = cache["sha256|" .. info[name].file]
  end
  return tables, info
end

-- Checks that column 'col' exists in input 'iname'; raises a spec error at
-- 'path' with the closest name otherwise.
local function need_col(tables, spec, iname, col, path)
  local t = tables[iname]
  if not t:has(col) then
    fail(path, "no column '%s' in %s%s", col, spec.inputs[iname].file, S.hint(col, t:names()))
  end
  local used = tables.__used
  if used then
    local u = used[iname]
    if not u then u = {set = {}, order = {}}; used[iname] = u end
    if not u.set[col] then u.set[col] = true; u.order[#u.order + 1] = col end
  end
end

-- Every column a spec refers to, checked against the loaded inputs.
local function check_columns(spec, tables)
  local u = spec.unit
  need_col(tables, spec, u.input, u.key, "unit.key")
  local attached = {}
  for i, a in ipairs(u.attach or {}) do
    need_col(tables, spec, a.input, a.key, "unit.attach[" .. i .. "].key")
    for j, c in ipairs(a.columns) do
      need_col(tables, spec, a.input, c, "unit.attach[" .. i .. "].columns[" .. j .. "]")
      attached[c] = true
    end
  end
  for _, k in ipairs{"name", "la", "region", "population"} do
    local v = u[k]
    local from_geo = k == "population" and spec.geography and spec.geography[v]
    if type(v) == "string" and not attached[v] and not from_geo then
      need_col(tables, spec, u.input, v, "unit." .. k)
    end
  end
  for _, k in ipairs(S.sorted_keys(spec.indicators or {})) do
    local ind = spec.indicators[k]
    for _, f in ipairs{"column", "numerator", "denominator"} do
      if ind[f] and not attached[ind[f]] then need_col(tables, spec, u.input, ind[f], "indicators." .. k .. "." .. f) end
    end
    for i, tr in ipairs(ind.transforms or {}) do
      if type(tr) == "table" and tr[1] == "shrink" and type(tr.parent) == "string" then
        need_col(tables, spec, u.input, tr.parent, "indicators." .. k .. ".transforms[" .. i .. "].parent")
      end
    end
  end
  for _, d in ipairs(S.sorted_keys(spec.domains)) do
    local dom = spec.domains[d]
    if dom.column and not attached[dom.column] then need_col(tables, spec, u.input, dom.column, "domains." .. d .. ".column") end
  end
  if spec.reference then need_col(tables, spec, u.input, spec.reference.column, "reference.column") end
  for _, g in ipairs(S.sorted_keys(spec.geography or {})) do
    local gd, p = spec.geography[g], "geography." .. g
    need_col(tables, spec, gd.from, gd.key, p .. ".key")
    if gd.column then need_col(tables, spec, gd.from, gd.column, p .. ".column") end
    if gd.rank_column then need_col(tables, spec, gd.from, gd.rank_column, p .. ".rank_column") end
    need_col(tables, spec, gd.lookup.input, gd.lookup.from, p .. ".lookup.from")
    need_col(tables, spec, gd.lookup.input, gd.lookup.to, p .. ".lookup.to")
    if gd.population then
      need_col(tables, spec, gd.population.input, gd.population.key, p .. ".population.key")
      need_col(tables, spec, gd.population.input, gd.population.column, p .. ".population.column")
    end
    if gd.index then
      local sub = S.merge(gd.index, {inputs = spec.inputs})
      local ok, e = pcall(check_columns, sub, tables)
      if not ok then
        local msg = type(e) == "table" and e.msg or tostring(e)
        fail(p .. ".index." .. msg:match("^([^:]+)"), "%s", msg:gsub("^[^:]+: ", "", 1))
      end
    end
  end
end

-- }=====

-- {===== pieces of the pipeline

local function count_cut(share, n)
  return math.floor(share * n + 1e-9)
end
M.count_cut = count_cut

--- Flags the areas whose cumulative population, most need first, is within
-- 'share' of the total ('top x% by population'). Positions in the need
-- order are the areas' ranks (ties first), so an area's cumulative
-- population is cum[rank].
function M.top_share_population(rank, share, population)
  local order = rank:order()
  local cum = population:take(order):cumsum()
  local total = population:sum()
  local c = cum:take(rank)
  return c:le(share * total * (1 + 1e-12))
end

local function transform_indicator(x, tr, path, t, ctx)
  local name = type(tr) == "table" and tr[1] or tr
  local o = type(tr) == "table" and tr or {}
  if name == "log" then return (x:log())
  elseif name == "log1p" then return (x:log1p())
  elseif name == "winsorise" then return x:winsorise{q = o.q, sd = o.sd}
  elseif name == "normal_scores" then return x:normal_scores{offset = o.offset}
  elseif name == "rank" then return x:rank{ties = o.ties}
  elseif name == "zscore" then return x:zscore{sample = o.sample}
  elseif name == "minmax" then return x:minmax{lo = o.lo, hi = o.hi}
  elseif name == "flip" then return -x
  elseif name == "fill" then return x:fill(o.value)
  elseif name == "distance" then return x:distance(o.ref or x:mean(), {relative = o.relative})
  elseif name == "shrink" then
    if not (ctx.numerator and ctx.denominator) then
      fail(path, "'shrink' needs an indicator given as numerator and denominator")
    end
    local parent = o.parent and t:col(o.parent)
    if not parent then fail(path, "'shrink' needs parent = a column of the parent area (e.g. the local authority)") end
    local rate = core.eb_shrink(ctx.numerator, ctx.denominator, parent, {tau = o.tau})
    return rate * (ctx.per or 1)
  end
  fail(path, "unknown transform '%s'", tostring(name))
end

-- Domain weights within a domain: equal, explicit or PCA.
local function indicator_weights(dom, cols, path)
  local w = {}
  if dom.weights == nil or dom.weights == "equal" then
    for i = 1, #cols do w[i] = 1 end
  elseif dom.weights == "pca" then
    local m = core.cor_matrix(cols, {method = "pearson"})
    local pw = core.pca_weights(m)
    for i = 1, #cols do w[i] = pw[i] end
  else
    for i, name in ipairs(dom.indicators) do
      w[i] = dom.weights[name] or 1
    end
  end
  local total = 0
  for i = 1, #w do total = total + w[i] end
  if not (total > 0) then fail(path .. ".weights", "the weights sum to zero") end
  return w
end

-- }=====

--- Builds the spec; returns the result (see docs/lua-api.md "Results").
function M.build(spec, opts)
  opts = opts or {}
  local clock0 = core.clock()
  S.validate(spec)
  -- every column the spec names is checked against the headers first, then
  -- only those columns are loaded
  opts.cache = opts.cache or {}
  local heads, root = load_headers(spec, opts)
  local used = {}
  heads.__used = used
  check_columns(spec, heads)
  heads.__used = nil
  -- a nested build (an index of finer areas) loads the columns its parent
  -- chose, so that both share one read of each file
  local tables, info = load_inputs(spec, opts, root, opts.used or used)
  local timings = {load = core.clock() - clock0}
  local clock1 = core.clock()
  local coverage_attach

  local u = spec.unit
  local src = tables[u.input]
  src:check_key(u.key)
  local n = #src
  -- columns attached from other inputs (first row for each key)
  for i, a in ipairs(u.attach or {}) do
    local other = tables[a.input]
    local g = other:group_by(a.key)
    local add = core.table{{a.key, g:keys()}}
    for _, c in ipairs(a.columns) do add:set(c, g:first(other:col(c))) end
    if a.key ~= u.key then add = add:rename{[a.key] = u.key} end
    local j, rep = src:join(add, {on = u.key})
    if #rep.unmatched_left > 0 then
      coverage_attach = coverage_attach or {}
      coverage_attach[a.input] = {units_without_match = #rep.unmatched_left, codes = rep.unmatched_left}
    end
    src = j
  end
  local t = src:select{u.key}
  local cols = {key = u.key}
  local function attach(role, v)
    if v == nil then return end
    t:set(v, src:col(v))
    cols[role] = v
  end
  attach("name", u.name)
  attach("la", u.la)
  attach("region", u.region)
  local pop_from_geo = u.population and spec.geography and spec.geography[u.population]
  if not pop_from_geo then attach("population", u.population) end
  local population = (u.population and not pop_from_geo) and t:col(u.population) or nil
  if population then
    local bad = (population:le(0) | population:isna()):count(true)
    if bad > 0 then
      fail("unit.population", "column '%s' has %d areas with a missing, zero or negative population",
        u.population, bad)
    end
  end
  local coverage = {attach = coverage_attach}

  -- geography: indices or columns of finer areas aggregated to the unit
  for _, g in ipairs(S.sorted_keys(spec.geography or {})) do
    local gd, p = spec.geography[g], "geography." .. g
    local fine = tables[gd.from]
    local score, frank
    if gd.index then
      local sub = S.merge(gd.index, {inputs = spec.inputs})
      local r = M.build(sub, {data = root, cache = opts.cache, nested = true, used = used})
      local st = r.table
      local ix = r.columns.index
      local j = fine:select{gd.key}:join(st:select{sub.unit.key, ix.score, ix.rank}:rename{
        [sub.unit.key] = gd.key}, {on = gd.key})
      score, frank = j:col(ix.score), j:col(ix.rank)
    else
      score = fine:col(gd.column)
      frank = gd.rank_column and fine:col(gd.rank_column)
        or score:rank{desc = true, ties = "first"}
    end
    -- fine area -> unit, and population
    local lk = tables[gd.lookup.input]:select{gd.lookup.from, gd.lookup.to}
    local f = fine:select{gd.key}:with("score", score):with("frank", frank)
    local fj, rep = f:join(lk:rename{[gd.lookup.from] = gd.key}, {on = gd.key})
    local pop
    if gd.population then
      local pt = tables[gd.population.input]:select{gd.population.key, gd.population.column}
      local pj, prep = fj:join(pt:rename{[gd.population.key] = gd.key}, {on = gd.key})
      if #prep.unmatched_left > 0 then
        fail(p .. ".population", "%d of %d areas of '%s' have no population (first: %s)",
          #prep.unmatched_left, #fine, gd.from, tostring(prep.unmatched_left[1]))
      end
      pop = pj:col(gd.population.column)
      local bad = (pop:le(0) | pop:isna()):count(true)
      if bad > 0 then fail(p .. ".population", "%d areas have a missing, zero or negative population", bad) end
    end
    local target = fj:col(gd.lookup.to)
    local g_ = core.group_by(target)
    local measure = gd.measure or "avg_score"
    local nfine = #fine
    local val
    if measure == "avg_score" then
      val = g_:imd("avg_score", {score = score, pop = pop, n = nfine})
    elseif measure == "avg_rank" or measure == "extent" or measure == "local_conc" or measure == "prop_d1" then
      val = g_:imd(measure, {rank = frank, pop = pop, n = nfine})
    elseif measure == "wmean" then
      val = g_:agg("wmean", score, pop or core.fill(nfine, 1))
    else
      val = g_:agg(measure, score)
    end
    local agg = core.table{{"to", g_:keys()}, {"value", val}}
    local tj, trep = t:select{u.key}:join(agg:rename{to = u.key}, {on = u.key})
    local v = tj:col("value")
    t:set(g .. "_score", v)
    t:set(g .. "_rank", v:rank{desc = true, ties = "first"})
    coverage[g] = {
      fine_areas = nfine,
      fine_without_lookup = #rep.unmatched_left,
      units_without_fine_areas = #trep.unmatched_left,
      units_without_fine_areas_codes = trep.unmatched_left,
      targets_not_in_unit = #trep.unmatched_right,
      targets_not_in_unit_codes = trep.unmatched_right,
      measure = measure,
    }
  end

  if pop_from_geo then  -- population aggregated from finer areas (e.g. the sum over LSOAs)
    cols.population = u.population .. "_score"
    population = t:col(cols.population)
  end

  -- indicators
  local indicator_cols = {}
  for _, k in ipairs(S.sorted_keys(spec.indicators or {})) do
    local ind, p = spec.indicators[k], "indicators." .. k
    if ind.enabled ~= false then
      local x, ctx
      if ind.column then
        x = src:col(ind.column)
      else
        local num, den = src:col(ind.numerator), src:col(ind.denominator)
        if ind.noise and ind.noise.poisson then
          -- Poisson resampling of the counts (an uncertainty draw's noise)
          num = core.rpois(num, 0, ind.noise.poisson)
        end
        x = num / den * (ind.per or 1)
        ctx = {numerator = num, denominator = den, per = ind.per}
      end
      if x:type() ~= "number" then fail(p, "column is %s, not numeric", x:type()) end
      if x:count() == 0 then fail(p, "no values: every area is missing") end
      t:set(k, x)
      for i, tr in ipairs(ind.transforms or {}) do
        x = transform_indicator(x, tr, p .. ".transforms[" .. i .. "]", src, ctx or {})
      end
      if ind.direction == "good" then x = -x end
      t:set(k .. "_t", x)
      indicator_cols[k] = x
      -- columns hold C memory that Lua's collector does not see: collect
      -- the intermediate ones now on large tables, so that memory stays
      -- within a small multiple of the data
      if n > 100000 then collectgarbage() end
    end
  end

  -- domains
  local dom_ids = {}
  for _, d in ipairs(S.sorted_keys(spec.domains)) do
    if spec.domains[d].enabled ~= false then dom_ids[#dom_ids + 1] = d end
  end
  table.sort(dom_ids, function(a, b)
    local oa, ob = spec.domains[a].order or math.huge, spec.domains[b].order or math.huge
    if oa ~= ob then return oa < ob end
    return S.str_lt(a, b)
  end)
  if #dom_ids == 0 then fail("domains", "every domain is disabled") end
  local dt_default = spec.domain_transform or "exp"
  local dom_score, dom_rank, dom_t, weights = {}, {}, {}, {}
  local combine = (spec.index and spec.index.combine) or "sum"
  for _, d in ipairs(dom_ids) do
    local dom, p = spec.domains[d], "domains." .. d
    local score, rank
    if dom.column then
      local x = src:col(dom.column)
      if x:type() ~= "number" then fail(p .. ".column", "column '%s' is %s, not numeric", dom.column, x:type()) end
      if x:count() == 0 then fail(p .. ".column", "column '%s' has no values: every area is missing", dom.column) end
      if dom.as == "rank" then
        rank = x
        score = nil
      else
        score = x
      end
    else
      local cs = {}
      for i, name in ipairs(dom.indicators) do
        if not indicator_cols[name] then
          fail(p .. ".indicators[" .. i .. "]", "indicator '%s' is disabled", name)
        end
        cs[#cs + 1] = indicator_cols[name]
      end
      local w = indicator_weights(dom, cs, p)
      local how = ({mean = "wmean", sum = "wsum", geomean = "geomean"})[dom.combine or "mean"]
      score = core.combine(cs, {how = how, weights = w, na = "skip"})
    end
    if score then
      t:set(d .. "_score", score)
      rank = score:rank{desc = true, ties = "first"}
    end
    t:set(d .. "_rank", rank)
    local dtr = dom.transform or dt_default
    if combine == "borda" then dtr = "rank" end
    local tname = type(dtr) == "table" and dtr[1] or dtr
    local topt = type(dtr) == "table" and dtr or {}
    local N = rank:count()
    local x
    if tname == "exp" then
      x = rank:exp_transform{n = N, c = topt.c or 23, upper = topt.upper or 100}
    elseif tname == "normal" then
      -- need-oriented normal scores of the ranks as given: qnorm(p(a)) with
      -- a = N - r + 1 (1 = least need) and p the offset's plotting position
      -- (vdw a/(N+1), rankit (a-1/2)/N, blom (a-3/8)/(N+1/4)); tied ranks
      -- keep their given rank
      local a = (rank * -1) + (N + 1)
      local off = topt.offset or "vdw"
      local pp
      if off == "vdw" then pp = a / (N + 1)
      elseif off == "rankit" then pp = (a - 0.5) / N
      elseif off == "blom" then pp = (a - 0.375) / (N + 0.25)
      else fail("domain_transform.offset", "unknown normal-score offset '%s' (vdw, rankit, blom)", tostring(off)) end
      x = core.qnorm(pp)
    elseif tname == "rank" then
      x = (rank * -1) + (N + 1)
    else -- none
      if not score then fail(p, "domain transform 'none' needs a score, not a rank column") end
      x = score
    end
    t:set(d .. "_t", x)
    dom_score[d], dom_rank[d], dom_t[d] = score, rank, x
    if n > 100000 then collectgarbage() end
    weights[#weights + 1] = (spec.index and spec.index.weights and spec.index.weights[d]) or dom.weight or 1
  end

  -- index
  local iname = (spec.index and spec.index.name) or "index"
  local tcols = {}
  for i, d in ipairs(dom_ids) do tcols[i] = dom_t[d] end
  local how = ({sum = "wsum", mean = "wmean", geomean = "geomean", borda = "wmean"})[combine]
  local iscore = core.combine(tcols, {how = how, weights = weights, na = "propagate"})
  local ties = (spec.index and spec.index.ties) or "first"
  local irank = iscore:rank{desc = true, ties = ties}
  local ndec = irank:count()
  local idec
  if spec.deciles and spec.deciles.by == "population" then
    if not population then fail("deciles.by", "'population' needs unit.population") end
    idec = (irank * -1):ntile(10, {weights = population, desc = true})
  else
    idec = (irank * 10 / ndec):ceil()
  end
  t:set(iname .. "_score", iscore)
  t:set(iname .. "_rank", irank)
  t:set(iname .. "_decile", idec)

  -- rules
  local flags, rule_text = {}, {}
  local ctx = {spec = spec, n = n, population = population, domains = dom_ids, index = iname,
    domain_rank = dom_rank, domain_t = dom_t, top_share = M.top_share_population, count_cut = count_cut}
  local function top(rank, share, by, path)
    if by == "population" then
      if not population then fail(path .. ".by", "'population' needs unit.population") end
      return M.top_share_population(rank, share, population)
    end
    return rank:le(count_cut(share, rank:count()))
  end
  local function pct(x) return core.format_number(100 * x, 6) .. "%" end
  for _, r in ipairs(S.sorted_keys(spec.rules or {})) do
    local rule, p = spec.rules[r], "rules." .. r
    local flag
    if type(rule) == "function" or rule.rule == "custom" then
      local fn = type(rule) == "function" and rule or rule.fn
      local ok, res = pcall(fn, t, ctx)
      if not ok then
        local msg = type(res) == "table" and res.msg or tostring(res)
        fail(p, "custom rule failed: %s", msg)
      end
      if not (type(res) == "userdata" and res.type and res:type() == "boolean" and #res == n) then
        fail(p, "a custom rule must return a boolean column of %d rows", n)
      end
      flag = res
      rule_text[r] = "custom rule (Lua function)"
    elseif rule.rule == "two_index" then
      local dep = t:col(rule.dep .. "_rank")
      flag = top(irank, rule.index_top, rule.by, p) & top(dep, rule.dep_top, rule.by, p)
      rule_text[r] = string.format("top %s on %s AND top %s on %s (by %s)", pct(rule.index_top), iname,
        pct(rule.dep_top), rule.dep, rule.by or "count")
    elseif rule.rule == "top" then
      flag = top(irank, rule.top, rule.by, p)
      rule_text[r] = string.format("top %s on %s (by %s)", pct(rule.top), iname, rule.by or "count")
    elseif rule.rule == "k_of_n" then
      local ds = rule.domains or dom_ids
      local tops = {}
      for i, d in ipairs(ds) do
        if not dom_rank[d] then fail(p .. ".domains[" .. i .. "]", "domain '%s' is disabled", d) end
        tops[i] = core.where(top(dom_rank[d], rule.top, rule.by, p), 1, 0)
      end
      local cnt = core.combine(tops, {how = "wsum"})
      t:set(r .. "_domains_in_top", cnt)
      flag = cnt:ge(rule.k)
      rule_text[r] = string.format("at least %d of %d domains in the top %s (by %s)", rule.k, #ds,
        pct(rule.top), rule.by or "count")
      if rule.dep then
        flag = flag & top(t:col(rule.dep .. "_rank"), rule.dep_top, rule.by, p)
        rule_text[r] = rule_text[r] .. string.format(" AND top %s on %s", pct(rule.dep_top), rule.dep)
      end
    end
    flag = flag:fill(false)
    t:set("flag_" .. r, flag)
    flags[r] = flag
  end
  local main = spec.flag
  if not main then
    local names = S.sorted_keys(flags)
    if #names == 1 then main = names[1] elseif flags.left_behind then main = "left_behind" end
  end
  -- a reference list (e.g. the published flags) to compare the main flag with
  local reference
  if spec.reference and main then
    local ref = src:col(spec.reference.column)
    if ref:type() ~= "boolean" then
      fail("reference.column", "column '%s' must hold TRUE/FALSE, it holds %ss", spec.reference.column, ref:type())
    end
    ref = ref:fill(false)
    local f = flags[main]
    t:set("reference", ref)
    reference = {
      label = spec.reference.label or spec.reference.column,
      column = spec.reference.column,
      reference_count = ref:count(true),
      flagged = f:count(true),
      both = (f & ref):count(true),
      only_flagged = (f & ~ref):count(true),
      only_reference = (ref & ~f):count(true),
    }
  end
  timings.build = core.clock() - clock1

  return {
    spec = spec,
    table = t,
    n = n,
    columns = {key = u.key, name = cols.name, la = cols.la, region = cols.region,
      population = cols.population, index = {score = iname .. "_score", rank = iname .. "_rank",
      decile = iname .. "_decile"}, domains = dom_ids},
    flag = main and ("flag_" .. main) or nil,
    flag_rule = main,
    rules = rule_text,
    coverage = coverage,
    reference = reference,
    inputs = info,
    data_root = root,
    synthetic = spec.synthetic == true or exists(root .. "/SYNTHETIC"),
    timings = timings,
    version = core.version,
  }
end

return M
