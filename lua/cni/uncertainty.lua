-- cni.uncertainty: how much does the flagged list depend on choices that
-- could reasonably have gone the other way? Monte Carlo over domain
-- weights, thresholds, the domain transform and the aggregation rule (the
-- C engine, all cores, no Lua in the inner loop), or over any choice
-- written as a Lua function (the slower path); per-area probabilities of
-- being flagged and rank intervals; Sobol indices of each choice.
--
--   uncertainty = {
--     draws = 1000, seed = 20240601,
--     weights = {dirichlet = 10},          -- or {bounds = 0.5}, {lower =, upper =}
--     thresholds = {index_top = {0.08, 0.12}, dep_top = {0.08, 0.12}},
--     transforms = {"exp", "normal", "rank"},
--     aggregation = {"sum", "geomean"},
--     sobol = {n = 1000, bootstrap = 500},
--     custom = function(draw, u) return {changes for cni.variant} end,  -- slower path
--   }
local core = require "cni.core"
local S = require "cni.spec"

local M = {}

local DEFAULT_SEED = 20240601

-- {===== the engine model from a built base

-- Need-oriented transformed values of one domain (as the build does).
local function transform(t, d, name, N)
  local rank = t:col(d .. "_rank")
  if name == "exp" then return rank:exp_transform{n = N} end
  if name == "normal" then return (rank * -1):normal_scores{offset = "vdw"} end
  if name == "rank" then return (rank * -1) + (N + 1) end
  if not t:has(d .. "_score") then
    S.fail("uncertainty.transforms", "'none' needs domain scores, domain '%s' is given as a rank", d)
  end
  return t:col(d .. "_score")
end

local function base_transform(spec)
  local dt = spec.domain_transform or "exp"
  return type(dt) == "table" and dt[1] or dt
end

--- The options of cni.mc_weights / cni.mc_sobol for a built base.
function M.model(r, u)
  local spec, t = r.spec, r.table
  local doms = r.columns.domains
  local k = #doms
  local N = r.n
  -- transform alternatives (the spec's own first when not listed)
  local names = u.transforms or {base_transform(spec)}
  local bt = base_transform(spec)
  local base_t
  for i, nm in ipairs(names) do if nm == bt then base_t = i end end
  if not base_t then
    names = {bt, table.unpack(names)}
    base_t = 1
  end
  local alts = {}
  for i, nm in ipairs(names) do
    local cols = {}
    for j, d in ipairs(doms) do
      if spec.domains[d].transform then
        S.fail("uncertainty", "domain '%s' has its own transform: give transforms on domain_transform only", d)
      end
      cols[j] = transform(t, d, nm, N)
    end
    alts[i] = cols
  end
  -- base weights
  local w, wsum = {}, 0
  for j, d in ipairs(doms) do
    w[j] = (spec.index and spec.index.weights and spec.index.weights[d]) or spec.domains[d].weight or 1
    wsum = wsum + w[j]
  end
  local share = {}
  for j = 1, k do share[j] = w[j] / wsum end
  local o = {domains = alts[1], transforms = alts, base_transform = base_t, base_weights = share,
    scale = wsum, seed = u.seed or DEFAULT_SEED, threads = u.threads or 0}
  local uw = u.weights
  if uw and uw.dirichlet then
    local alpha = {}
    for j, d in ipairs(doms) do
      if type(uw.dirichlet) == "number" then alpha[j] = uw.dirichlet * k * share[j]
      else alpha[j] = uw.dirichlet[d] or S.fail("uncertainty.weights.dirichlet", "no concentration for domain '%s'", d) end
    end
    o.alpha = alpha
  elseif uw and uw.bounds then
    local lo, hi = {}, {}
    for j = 1, k do lo[j] = share[j] * (1 - uw.bounds); hi[j] = math.min(1, share[j] * (1 + uw.bounds)) end
    o.lower, o.upper = lo, hi
  elseif uw then
    local lo, hi = {}, {}
    for j, d in ipairs(doms) do
      lo[j] = (uw.lower and uw.lower[d] or 0) / wsum
      hi[j] = (uw.upper and uw.upper[d] or wsum) / wsum
    end
    o.lower, o.upper = lo, hi
  else
    o.weights = share
  end
  -- aggregation alternatives
  local comb = (spec.index and spec.index.combine) or "sum"
  if comb ~= "sum" and comb ~= "mean" and comb ~= "geomean" then
    S.fail("uncertainty", "the index combine '%s' is not supported by the engine (sum, mean, geomean)", comb)
  end
  local base_agg = comb == "geomean" and "geomean" or "sum"
  local aggs = u.aggregation or {base_agg}
  local ba
  for i, a in ipairs(aggs) do if a == base_agg then ba = i end end
  if not ba then aggs = {base_agg, table.unpack(aggs)}; ba = 1 end
  local engine_aggs = {}
  for i, a in ipairs(aggs) do engine_aggs[i] = a == "sum" and "wsum" or a end
  o.aggregation, o.base_aggregation = engine_aggs, ba
  -- the rule: index top share (and a deprivation score for the two-index rule)
  local rule = r.flag_rule and spec.rules[r.flag_rule]
  if type(rule) ~= "table" or (rule.rule ~= "two_index" and rule.rule ~= "top") then
    S.fail("uncertainty", "the main rule must be 'two_index' or 'top' for the engine; use 'custom' for other rules")
  end
  if rule.by == "population" then
    S.fail("uncertainty", "rules by population are not supported by the engine; use 'custom'")
  end
  local ni = t:col(r.columns.index.rank):count()
  local function cut(x, n) return math.floor(x * n + 1e-9) end
  local th = u.thresholds or {}
  local itop = rule.index_top or rule.top
  if th.index_top then o.top = {cut(th.index_top[1], ni), cut(th.index_top[2], ni)} else o.top = cut(itop, ni) end
  o.base_top = cut(itop, ni)
  if rule.rule == "two_index" then
    local dep = t:col(rule.dep .. "_score")
    local nd = t:col(rule.dep .. "_rank"):count()
    o.dep = dep
    if th.dep_top then o.dep_top = {cut(th.dep_top[1], nd), cut(th.dep_top[2], nd)} else o.dep_top = cut(rule.dep_top, nd) end
    o.base_dep_top = cut(rule.dep_top, nd)
  elseif th.dep_top then
    S.fail("uncertainty.thresholds.dep_top", "the main rule has no deprivation index")
  end
  o.base_flags = t:col(r.flag)
  o.base_ranks = t:col(r.columns.index.rank)
  o.top_decile = math.floor(ni / 10)
  return o, {transforms = names, aggregation = aggs, domains = doms}
end

-- }=====

-- {===== progress on stderr (only on a terminal)

local function progress_bar(label)
  if not core.isatty(2) then return nil end
  local t0, last = core.clock(), -1
  return function(done, total)
    local now = core.clock()
    if now - t0 < 1 and done < total then return end   -- quiet for short runs
    local pct = math.floor(100 * done / math.max(total, 1))
    if pct == last and done < total then return end
    last = pct
    local width = 30
    local fill = math.floor(width * done / math.max(total, 1))
    local eta = done > 0 and (now - t0) * (total - done) / done or 0
    io.stderr:write(string.format("\r%s [%s%s] %3d%% %d/%d, %.1f s left ", label, string.rep("#", fill),
      string.rep(" ", width - fill), pct, done, total, eta))
    if done >= total then io.stderr:write("\n") end
    io.stderr:flush()
  end
end

-- }=====

--- Runs the analysis of a spec; returns the result {base = build result,
-- per_area = cni.Table, draws = cni.Table, sobol = {...}, summary = {...},
-- partial = bool}.
function M.run(spec, opts)
  opts = opts or {}
  local build = require "cni.build"
  local u = S.copy(spec.uncertainty or {})
  for _, k in ipairs{"draws", "seed", "threads"} do if opts[k] then u[k] = opts[k] end end
  if opts.sobol then u.sobol = u.sobol or {}; u.sobol.n = opts.sobol end
  local r = build.build(spec, {data = opts.data, cache = opts.cache})
  if not r.flag then S.fail("uncertainty", "the spec has no rule to flag areas") end
  local draws = u.draws or 1000
  local res = {base = r, u = u, draws_requested = draws}
  local t0 = core.clock()
  if u.custom or u.measures or u.indicator_weights or u.indicators or u.noise then
    M.run_custom(res, spec, u, opts)
  else
    local o, info = M.model(r, u)
    res.info = info
    o.draws = draws
    o.borderline = u.borderline
    o.percentiles = u.percentiles
    local bar = not opts.quiet and progress_bar("draws")
    -- the progress function also lets Ctrl-C stop the run cleanly: the
    -- interrupt is raised inside it, the engine keeps the finished draws
    o.progress = function(done, total) if bar then bar(done, total) end end
    local mc = core.mc_weights(o)
    res.mc = mc
    res.partial = mc.partial
    res.stopped = mc.stopped
    res.ndraws = mc.ndraws
    if u.sobol and not res.partial then
      local so = {}
      for kk, v in pairs(o) do if kk ~= "draws" and kk ~= "borderline" and kk ~= "percentiles" then so[kk] = v end end
      so.n = u.sobol.n or 1000
      so.bootstrap = u.sobol.bootstrap or 500
      local sbar = not opts.quiet and progress_bar("sobol")
      so.progress = function(done, total) if sbar then sbar(done, total) end end
      local ok, sob = pcall(core.mc_sobol, so)
      if ok then res.sobol = sob
      else
        local e = type(sob) == "table" and sob or {msg = tostring(sob)}
        if e.kind ~= "interrupted" then error(sob, 0) end
        res.partial, res.stopped = true, e.msg
      end
    end
  end
  res.seconds = core.clock() - t0
  M.tables(res)
  return res
end

-- {===== the slower path: choices written in Lua

--- Each draw calls u.custom(draw, uniforms) for the changes to apply to the
-- spec (cni.variant), builds the variant and records its flags and ranks.
-- Memory: ranks of every draw are kept (draws x areas), as this path is
-- meant for hundreds of draws.
function M.run_custom(res, spec, u, opts)
  local build = require "cni.build"
  local r = res.base
  local draws = u.draws or 200
  local n = r.n
  local key = r.columns.key
  local base_flag = r.table:col(r.flag)
  local base_rank = r.table:col(r.columns.index.rank)
  local nflag, ntop = core.fill(n, 0), core.fill(n, 0)
  local ranks = {}
  local d_nflag, d_jac, d_shift = {}, {}, {}
  local bar = not opts.quiet and progress_bar("draws")
  local cache = opts.cache or {}
  local seed = u.seed or DEFAULT_SEED
  local done = 0
  local declared = M.declared_choices(spec, u, r)
  local ok, err = pcall(function()
    for d = 1, draws do
      local uni = core.runif(8, seed * 1000003 + d):totable()
      local changes = declared(d)
      if u.custom then changes = S.merge(changes, u.custom(d, uni) or {}) end
      local v = require("cni").variant(spec, changes)
      v.uncertainty = nil
      local rv = build.build(v, {data = opts.data, cache = cache})
      local al = core.table{{key, r.table:col(key)}}:join(
        core.table{{key, rv.table:col(key)}, {"f", rv.table:col(rv.flag)}, {"rk", rv.table:col(rv.columns.index.rank)}},
        {on = key})
      local f, rk = al:col("f"):fill(false), al:col("rk")
      nflag = nflag + core.where(f, 1, 0)
      ntop = ntop + core.where(rk:le(math.floor(rk:count() / 10)), 1, 0)
      ranks[#ranks + 1] = rk
      local ag = require("cni.compare").agreement(base_flag, f)
      d_nflag[d], d_jac[d] = ag.n_b, ag.jaccard
      d_shift[d] = (rk - base_rank):abs():mean() or 0 / 0
      done = d
      if bar then bar(d, draws) end
    end
  end)
  if not ok then
    local e = type(err) == "table" and err or {msg = tostring(err)}
    if e.kind ~= "interrupted" or done == 0 then error(err, 0) end
    res.partial, res.stopped = true, e.msg
  end
  -- rank percentiles by area: sort each area's ranks (nearest rank)
  local q = {0.05, 0.5, 0.95}
  local rq = {}
  if done > 0 then
    local m = core.table((function()
      local cols = {}
      for i = 1, done do cols[i] = {"d" .. i, ranks[i]} end
      return cols
    end)())
    for qi, p in ipairs(q) do
      local vals = {}
      local kpos = math.max(1, math.ceil(p * done - 1e-9))
      for a = 1, n do
        local row = {}
        for i = 1, done do row[i] = m:col("d" .. i):get(a) or math.huge end
        table.sort(row)
        vals[a] = row[kpos] == math.huge and 0 / 0 or row[kpos]
      end
      rq[qi] = core.column(vals, "number")
    end
  end
  local D = math.max(done, 1)
  local p_flag = nflag / D
  res.mc = {p_flag = p_flag, p_top10 = ntop / D, rank_p05 = rq[1], rank_p50 = rq[2], rank_p95 = rq[3],
    borderline = p_flag:ge((u.borderline or {0.1})[1]) & p_flag:le((u.borderline or {0, 0.9})[2]),
    draws = {nflag = core.column(d_nflag, "number"), jaccard = core.column(d_jac, "number"),
      rank_shift = core.column(d_shift, "number")}, ndraws = done}
  res.ndraws = done
end

-- }=====

--- The declared slow-path choices as a function draw -> changes:
-- measures (the LSOA-to-unit aggregation measure of a geography entry),
-- indicator_weights (Dirichlet around the weights within each domain built
-- from indicators), indicators.include (each indicator kept with that
-- probability; at least one per domain), noise.poisson (the numerators of
-- count indicators resampled). Every draw's choices come from its own
-- seeds (seed, draw), so the result does not depend on anything else.
function M.declared_choices(spec, u, r)
  local seed = u.seed or DEFAULT_SEED
  local rule = r.flag_rule and spec.rules and spec.rules[r.flag_rule]
  local mgeo = u.measure_of or (type(rule) == "table" and rule.dep)
  if u.measures and not mgeo then S.fail("uncertainty.measure_of", "name the geography entry whose measure varies") end
  local doms = {}
  for _, d in ipairs(S.sorted_keys(spec.domains)) do
    local dom = spec.domains[d]
    if dom.enabled ~= false and dom.indicators then doms[#doms + 1] = d end
  end
  local noisy = {}
  if u.noise and u.noise.poisson then
    if u.noise.poisson == true then
      for _, k in ipairs(S.sorted_keys(spec.indicators or {})) do
        if spec.indicators[k].numerator then noisy[#noisy + 1] = k end
      end
    else
      for _, k in ipairs(u.noise.poisson) do noisy[#noisy + 1] = k end
    end
  end
  return function(d)
    local ch = {}
    local uni = core.runif(16, seed * 7919 + d * 31 + 17):totable()
    if u.measures then
      local m = u.measures[1 + math.floor(uni[1] * #u.measures)]
      ch.geography = {[mgeo] = {measure = m}}
    end
    if u.indicator_weights or u.indicators then
      ch.domains = {}
      for j, dn in ipairs(doms) do
        local dom = spec.domains[dn]
        local list = dom.indicators
        local entry = {}
        if u.indicators then
          local keep, best, bestu = {}, nil, -1
          local inc = core.runif(#list, seed * 104729 + d * 131 + j):totable()
          for i, name in ipairs(list) do
            if inc[i] < u.indicators.include then keep[#keep + 1] = name end
            if inc[i] > bestu then best, bestu = name, inc[i] end
          end
          if #keep == 0 then keep = {best} end
          list = keep
          entry.indicators = keep
        end
        if u.indicator_weights and #list > 1 then
          local base = {}
          local total = 0
          for i, name in ipairs(list) do
            local bw = (type(dom.weights) == "table" and dom.weights[name]) or 1
            base[i] = bw; total = total + bw
          end
          local alpha = {}
          for i = 1, #list do alpha[i] = u.indicator_weights.dirichlet * #list * base[i] / total end
          local w = core.rdirichlet(alpha, 1, seed * 15485863 + d * 977 + j)
          local ws = {}
          for i, name in ipairs(list) do ws[name] = w[i]:get(1) end
          entry.weights = ws
        elseif entry.indicators and type(dom.weights) == "table" then
          local ws = {}
          for _, name in ipairs(list) do ws[name] = dom.weights[name] or 1 end
          entry.weights = ws
        end
        ch.domains[dn] = entry
      end
    end
    if #noisy > 0 then
      ch.indicators = {}
      for i, k in ipairs(noisy) do ch.indicators[k] = {noise = {poisson = seed * 179424673 + d * 1009 + i}} end
    end
    return ch
  end
end

-- {===== tables, summary, text

function M.tables(res)
  local r, mc = res.base, res.mc
  local t = r.table
  local c = r.columns
  local cols = {{c.key, t:col(c.key)}}
  if c.name then cols[#cols + 1] = {c.name, t:col(c.name)} end
  if c.la then cols[#cols + 1] = {c.la, t:col(c.la)} end
  if c.region then cols[#cols + 1] = {c.region, t:col(c.region)} end
  cols[#cols + 1] = {"base_rank", t:col(c.index.rank)}
  cols[#cols + 1] = {"base_flag", t:col(r.flag)}
  cols[#cols + 1] = {"p_flag", mc.p_flag}
  cols[#cols + 1] = {"p_top10", mc.p_top10}
  if mc.rank_p05 then
    cols[#cols + 1] = {"rank_p05", mc.rank_p05}
    cols[#cols + 1] = {"rank_p50", mc.rank_p50}
    cols[#cols + 1] = {"rank_p95", mc.rank_p95}
  end
  cols[#cols + 1] = {"borderline", mc.borderline}
  res.per_area = core.table(cols)
  local dcols = {{"draw", core.seq(#mc.draws.nflag)}, {"flagged", mc.draws.nflag},
    {"jaccard", mc.draws.jaccard}, {"rank_shift", mc.draws.rank_shift}}
  if mc.draws.weights and res.info then
    for j, d in ipairs(res.info.domains) do dcols[#dcols + 1] = {"w_" .. d, mc.draws.weights[j]} end
  end
  for _, k in ipairs{"transform", "aggregation", "top", "dep_top"} do
    if mc.draws[k] then dcols[#dcols + 1] = {k, mc.draws[k]} end
  end
  res.per_draw = core.table(dcols)
  -- summary
  local nf, jac = mc.draws.nflag, mc.draws.jaccard
  local bf = t:col(r.flag)
  local s = {
    name = r.spec.name, synthetic = r.synthetic, draws = res.ndraws, requested = res.draws_requested,
    partial = res.partial or false, stopped = res.stopped, seconds = res.seconds,
    seed = res.u.seed or DEFAULT_SEED, areas = r.n, base_flagged = bf:count(true),
    flagged_mean = nf:mean(), flagged_p05 = nf:quantile(0.05, {type = 1}), flagged_p95 = nf:quantile(0.95, {type = 1}),
    jaccard_mean = jac:mean(), jaccard_p05 = jac:quantile(0.05, {type = 1}), jaccard_p95 = jac:quantile(0.95, {type = 1}),
    borderline = mc.borderline:count(true),
    robust = (bf & mc.p_flag:ge(0.9)):count(true),
    fragile = (bf & mc.p_flag:lt(0.5)):count(true),
    never_flagged_base = (bf & mc.p_flag:le(0)):count(true),
    choices = res.info and {transforms = res.info.transforms, aggregation = res.info.aggregation} or nil,
    uncertainty = (function()
      local d = S.to_data(res.u)
      d.threads = nil   -- a run setting: results do not depend on it
      return d
    end)(),
  }
  if res.sobol then
    s.sobol = {}
    for _, out in ipairs{"nflag", "jaccard", "rank_shift"} do
      local so = res.sobol[out]
      local rows = {}
      for i, f in ipairs(res.sobol.factors) do
        rows[i] = {factor = f, S1 = so.S1[i], ST = so.ST[i], S1_lo = so.S1_lo and so.S1_lo[i],
          S1_hi = so.S1_hi and so.S1_hi[i], ST_lo = so.ST_lo and so.ST_lo[i], ST_hi = so.ST_hi and so.ST_hi[i]}
      end
      s.sobol[out] = rows
    end
    s.sobol_runs = res.sobol.runs
  end
  res.summary = s
  return res
end

local function fmt(x, d)
  if x == nil or x ~= x then return "NA" end
  return core.format_number(x, d or 4)
end

function M.text(res)
  local s, r = res.summary, res.base
  local L = {}
  local function add(...) L[#L + 1] = string.format(...) end
  if s.synthetic then add("** SYNTHETIC DATA: invented areas, not real statistics **") end
  add("%s: %d draws%s in %.2f s (seed %d)", s.name, s.draws,
    s.partial and string.format(" of %d (PARTIAL: %s)", s.requested, tostring(s.stopped)) or "", s.seconds or 0, s.seed)
  if s.choices then
    add("choices: transforms %s; aggregation %s", table.concat(s.choices.transforms, "/"),
      table.concat(s.choices.aggregation, "/"))
  end
  add("flagged per draw: mean %s, 5-95%% %s-%s (base %d)", fmt(s.flagged_mean, 5), fmt(s.flagged_p05),
    fmt(s.flagged_p95), s.base_flagged)
  add("Jaccard with the base list: mean %s, 5-95%% %s-%s", fmt(s.jaccard_mean, 3), fmt(s.jaccard_p05, 3),
    fmt(s.jaccard_p95, 3))
  add("of the %d base-flagged areas: %d robust (flagged in 90%%+ of draws), %d fragile (under 50%%)",
    s.base_flagged, s.robust, s.fragile)
  add("borderline areas (flag probability 10-90%%): %d", s.borderline)
  if s.sobol then
    add("")
    add("Sobol indices (%d model runs): first order S1 / total ST [95%% bootstrap interval]", s.sobol_runs)
    for _, out in ipairs{"nflag", "jaccard", "rank_shift"} do
      add("  %s", ({nflag = "flagged count", jaccard = "Jaccard with the base", rank_shift = "mean |rank shift|"})[out])
      for _, row in ipairs(s.sobol[out]) do
        add("    %-12s S1 %6s [%s, %s]   ST %6s [%s, %s]", row.factor, fmt(row.S1, 3), fmt(row.S1_lo, 3),
          fmt(row.S1_hi, 3), fmt(row.ST, 3), fmt(row.ST_lo, 3), fmt(row.ST_hi, 3))
      end
    end
  end
  -- the base-flagged areas least sure to stay
  local pa = res.per_area:filter(res.per_area:col("base_flag")):sort("p_flag"):head(10)
  if #pa > 0 then
    add("")
    add("base-flagged areas least often flagged")
    for i = 1, #pa do
      local row = pa:row(i)
      add("  %-10s %-28s p(flag) %5s  rank %s (5-95%%: %s-%s)", row[r.columns.key],
        (r.columns.name and row[r.columns.name] or ""):sub(1, 28), fmt(row.p_flag, 3), fmt(row.base_rank),
        fmt(row.rank_p05), fmt(row.rank_p95))
    end
  end
  return table.concat(L, "\n")
end

-- }=====

-- {===== files and the HTML report

local G -- cni.svg, loaded lazily

local function chart_pflag(res)
  G = G or require "cni.svg"
  local pa = res.per_area
  local N = res.base.n
  local W, H = 760, 300
  local x0, x1, y0, y1 = 60, W - 20, H - 50, 30
  local buf = {}
  G.open(buf, W, H, "Probability of being flagged along the base index rank", nil, "upf")
  G.title(buf, 10, 18, "Probability of being flagged, by base rank")
  local show = math.min(N, math.max(1500, math.floor(0.25 * N)))   -- the top of the ranking
  G.axis_x(buf, x0, x1, y0, 1, show, G.int_ticks(1, show, 8), function(v) return G.int(v) end, "base index rank (1 = most need)")
  G.axis_y(buf, x0, y0, y1, 0, 1, {0, 0.25, 0.5, 0.75, 1}, function(v) return fmt(v, 2) end, "P(flagged)", x1)
  local rk, pf = pa:col("base_rank"), pa:col("p_flag")
  local sel = rk:le(show) & pf:gt(0)
  local sub = pa:filter(sel)
  local rks, pfs, bfs = sub:col("base_rank"):totable(), sub:col("p_flag"):totable(), sub:col("base_flag"):totable()
  for i = 1, #rks do
    local x = x0 + (rks[i] - 1) / math.max(show - 1, 1) * (x1 - x0)
    local y = y0 + pfs[i] * (y1 - y0)
    buf[#buf + 1] = string.format('<circle cx="%s" cy="%s" r="1.8" fill="%s"/>', G.n(x), G.n(y),
      bfs[i] == true and "#D55E00" or "#0072B2")
  end
  G.legend(buf, x0 + 330, 18, {{colour = "#D55E00", label = "flagged in the base", shape = "dot"},
    {colour = "#0072B2", label = "not flagged in the base", shape = "dot"}})
  G.close(buf)
  return table.concat(buf)
end

local function chart_intervals(res)
  G = G or require "cni.svg"
  local pa = res.per_area
  if not pa:has("rank_p05") then return nil end
  local sel = pa:col("base_flag") | pa:col("borderline")
  local sub = pa:filter(sel):sort("base_rank")
  local m = #sub
  if m == 0 then return nil end
  local lim = math.min(m, 400)
  sub = sub:head(lim)
  local W = 760
  local rowh = lim > 200 and 1.6 or 3
  local H = math.floor(70 + lim * rowh)
  local x0, x1 = 60, W - 20
  local hi = sub:col("rank_p95"):max() or 1
  local buf = {}
  G.open(buf, W, H, "Rank intervals of the flagged and borderline areas", nil, "uri")
  G.title(buf, 10, 18, string.format("Rank intervals (5-95%%) of %d flagged or borderline areas%s", lim,
    m > lim and string.format(" (first %d of %d by base rank)", lim, m) or ""))
  G.axis_x(buf, x0, x1, H - 40, 1, hi, G.int_ticks(1, hi, 8), function(v) return G.int(v) end, "index rank across draws")
  local p05, p50, p95 = sub:col("rank_p05"):totable(), sub:col("rank_p50"):totable(), sub:col("rank_p95"):totable()
  local bfl = sub:col("base_flag"):totable()
  local code = sub:col(res.base.columns.key):totable()
  for i = 1, lim do
    local y = 30 + (i - 0.5) * rowh
    local xa = x0 + (p05[i] - 1) / math.max(hi - 1, 1) * (x1 - x0)
    local xb = x0 + (p95[i] - 1) / math.max(hi - 1, 1) * (x1 - x0)
    local xm = x0 + (p50[i] - 1) / math.max(hi - 1, 1) * (x1 - x0)
    local col = bfl[i] == true and "#D55E00" or "#0072B2"
    buf[#buf + 1] = string.format('<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="%s"><title>%s: %s-%s (median %s)</title></line>',
      G.n(xa), G.n(y), G.n(xb), G.n(y), col, G.n(math.max(rowh * 0.7, 1)), G.esc(tostring(code[i])),
      G.int(p05[i]), G.int(p95[i]), G.int(p50[i]))
    buf[#buf + 1] = string.format('<circle cx="%s" cy="%s" r="%s" fill="#222"/>', G.n(xm), G.n(y), G.n(math.max(rowh * 0.5, 0.8)))
  end
  G.close(buf)
  return table.concat(buf)
end

local function chart_sobol(res)
  G = G or require "cni.svg"
  local s = res.summary.sobol
  if not s then return nil end
  local outs = {"nflag", "jaccard", "rank_shift"}
  local labels = {nflag = "flagged count", jaccard = "Jaccard with the base", rank_shift = "mean |rank shift|"}
  local nf = #s.nflag
  local pw, W = 250, 780
  local H = 60 + nf * 34 + 40
  local buf = {}
  G.open(buf, W, H, "Sobol indices of each choice", nil, "usb")
  G.title(buf, 10, 18, "Sobol indices: first order (solid) and total effect (light), 95% intervals")
  for o, out in ipairs(outs) do
    local px = 10 + (o - 1) * pw
    G.text(buf, px + 90, 42, labels[out], "start", 'class="al"')
    local xa, xb = px + 90, px + pw - 20
    G.axis_x(buf, xa, xb, H - 40, 0, 1, {0, 0.5, 1}, function(v) return fmt(v, 2) end, nil)
    for i, row in ipairs(s[out]) do
      local y = 52 + (i - 1) * 34
      if o == 1 then G.text(buf, px, y + 16, row.factor, "start", 'class="tk"') end
      local function bar(v, yy, colour, tip)
        local w = math.max(0, math.min(1, v or 0)) * (xb - xa)
        G.rect(buf, xa, yy, w, 11, colour, nil, tip)
      end
      bar(row.ST, y + 2, "#9ecae1", string.format("%s total effect %s", row.factor, fmt(row.ST, 3)))
      bar(row.S1, y + 15, "#0072B2", string.format("%s first order %s", row.factor, fmt(row.S1, 3)))
      for _, ci in ipairs{{row.ST_lo, row.ST_hi, y + 7}, {row.S1_lo, row.S1_hi, y + 20}} do
        if ci[1] and ci[2] then
          local a = xa + math.max(0, math.min(1, ci[1])) * (xb - xa)
          local b = xa + math.max(0, math.min(1, ci[2])) * (xb - xa)
          G.line(buf, a, ci[3], b, ci[3], "#222")
        end
      end
    end
  end
  G.close(buf)
  return table.concat(buf)
end

function M.html(res, o)
  o = o or {}
  local R = require "cni.report"
  G = G or require "cni.svg"
  local s, r = res.summary, res.base
  local esc = G.esc
  local P = {}
  local function add(x) P[#P + 1] = x end
  local title = "Uncertainty: " .. s.name
  add("<!DOCTYPE html>")
  add('<html lang="en"><head><meta charset="utf-8"/><meta name="viewport" content="width=device-width, initial-scale=1"/>')
  add("<title>" .. esc(title) .. "</title><style>" .. R.css .. "</style></head><body>")
  if s.synthetic then add('<div class="synthetic" role="alert">SYNTHETIC DATA: invented areas, not real statistics.</div>') end
  if s.partial then
    add('<div class="synthetic" role="alert">PARTIAL RESULTS: ' .. esc(string.format("%d of %d draws (%s)",
      s.draws, s.requested, tostring(s.stopped))) .. "</div>")
  end
  add('<header class="top"><h1>' .. esc(title) .. "</h1>")
  add(string.format("<p>%d draws, seed %d; base: <strong>%d flagged</strong> of %d areas.</p></header>",
    s.draws, s.seed, s.base_flagged, s.areas))
  add("<main>")
  add('<section id="summary"><h2>Summary</h2><table>')
  local rows = {
    {"draws", tostring(s.draws)},
    {"flagged per draw (mean, 5-95%)", string.format("%s (%s-%s)", fmt(s.flagged_mean, 5), fmt(s.flagged_p05), fmt(s.flagged_p95))},
    {"Jaccard with the base (mean, 5-95%)", string.format("%s (%s-%s)", fmt(s.jaccard_mean, 3), fmt(s.jaccard_p05, 3), fmt(s.jaccard_p95, 3))},
    {"base-flagged areas flagged in 90%+ of draws", tostring(s.robust)},
    {"base-flagged areas flagged in under 50% of draws", tostring(s.fragile)},
    {"borderline areas (flag probability 10-90%)", tostring(s.borderline)},
  }
  for _, row in ipairs(rows) do add("<tr><th>" .. esc(row[1]) .. '</th><td class="r">' .. esc(row[2]) .. "</td></tr>") end
  add("</table></section>")
  add('<section id="pflag"><h2>Probability of being flagged</h2><figure>' .. chart_pflag(res) .. "</figure></section>")
  local ci = chart_intervals(res)
  if ci then add('<section id="intervals"><h2>Rank intervals</h2><figure>' .. ci .. "</figure></section>") end
  local sb = chart_sobol(res)
  if sb then add('<section id="sobol"><h2>Sensitivity (Sobol indices)</h2><figure>' .. sb .. "</figure></section>") end
  if o.maps_html then add('<section id="maps" class="maps"><h2>Map</h2>' .. o.maps_html .. "</section>") end
  add('</main><footer id="provenance"><h2>Provenance</h2><table>')
  add("<tr><th>cnilua</th><td>" .. esc(core.version) .. "</td></tr>")
  add('<tr><th>spec</th><td class="mono">' .. esc(r.spec.name) .. " sha256 " ..
    esc(core.sha256(S.canonical(r.spec))) .. "</td></tr>")
  for _, nm in ipairs(S.sorted_keys(r.inputs)) do
    local inp = r.inputs[nm]
    add('<tr><th>' .. esc(nm) .. '</th><td class="mono">' .. esc(inp.file) .. " sha256 " .. esc(inp.sha256) .. "</td></tr>")
  end
  add("</table></footer></body></html>")
  return table.concat(P, "\n") .. "\n"
end

--- Writes per_area.csv, draws.csv, sobol.csv, summary.json, report.html
-- (and a map of P(flagged) when the spec has 'map'); returns the files.
function M.write(res, dir, o)
  o = o or {}
  local files = {}
  local function w(t, name) t:write_csv(dir .. "/" .. name); files[#files + 1] = name end
  w(res.per_area, "per_area.csv")
  w(res.per_draw, "draws.csv")
  if res.summary.sobol then
    local f, out, s1, st, a, b, c2, d = {}, {}, {}, {}, {}, {}, {}, {}
    for _, o2 in ipairs{"nflag", "jaccard", "rank_shift"} do
      for _, row in ipairs(res.summary.sobol[o2]) do
        f[#f + 1] = row.factor; out[#out + 1] = o2; s1[#s1 + 1] = row.S1; st[#st + 1] = row.ST
        a[#a + 1] = row.S1_lo or 0 / 0; b[#b + 1] = row.S1_hi or 0 / 0; c2[#c2 + 1] = row.ST_lo or 0 / 0
        d[#d + 1] = row.ST_hi or 0 / 0
      end
    end
    w(core.table{{"output", core.column(out, "string")}, {"factor", core.column(f, "string")}, {"S1", s1},
      {"S1_lo", a}, {"S1_hi", b}, {"ST", st}, {"ST_lo", c2}, {"ST_hi", d}}, "sobol.csv")
  end
  local summary = S.copy(res.summary)
  summary.seconds = nil   -- varies from run to run: printed, not written
  core.write_json(dir .. "/summary.json", summary)
  files[#files + 1] = "summary.json"
  local maps_html
  local r = res.base
  if r.spec.map and not o.no_maps then
    local maps = require "cni.maps"
    local svg = maps.rank_map(r, {values = {table = res.per_area, code = r.columns.key, column = "p_flag"},
      title = "Probability of being flagged", legend = {title = "P(flagged)"}, domain = {0, 1},
      id = "mapp", width = 640})
    if svg then
      core.write_text(dir .. "/map_p_flag.svg", svg)
      files[#files + 1] = "map_p_flag.svg"
      maps_html = svg
    end
  end
  core.write_text(dir .. "/report.html", M.html(res, {maps_html = maps_html}))
  files[#files + 1] = "report.html"
  if res.partial then
    core.write_text(dir .. "/PARTIAL.txt", string.format("These results cover %d of %d draws: %s\n",
      res.ndraws or 0, res.draws_requested or 0, tostring(res.stopped)))
    files[#files + 1] = "PARTIAL.txt"
  end
  return files
end

-- `cnilua uncertainty SPEC [-o DIR] [--draws N] [--seed S] [--sobol N] [--threads T]`
require("cni.cli").register("uncertainty",
  "flag probabilities, rank intervals, Sobol indices: cnilua uncertainty SPEC [--draws N] [--sobol N] [-o DIR]",
  function(args)
    local cli = require "cni.cli"
    local run = require "cni.run"
    local extra, pass = {}, {}
    local i = 1
    while i <= #args do
      local a = args[i]
      if a == "--draws" or a == "--seed" or a == "--sobol" or a == "--threads" then
        local v = math.tointeger(tonumber(args[i + 1] or ""))
        if not v then cli.usage_error(string.format("option '%s' needs a whole number", a)) end
        extra[a:sub(3)] = v
        i = i + 2
      else
        pass[#pass + 1] = a
        i = i + 1
      end
    end
    local opts, rest = run.parse_args(pass, 1)
    if not rest[1] then cli.usage_error("uncertainty: which spec? (cnilua uncertainty SPEC.lua)") end
    local spec = run.load_spec(rest[1])
    local res = M.run(spec, {data = opts.data, quiet = opts.quiet, draws = extra.draws, seed = extra.seed,
      sobol = extra.sobol, threads = extra.threads})
    if not opts.quiet then print(M.text(res)) end
    local dir = opts.out or ("out/" .. run.slug(spec.name) .. "-uncertainty")
    if not opts.no_write then
      local files = M.write(res, dir)
      if not opts.quiet then print(string.format("\nwrote %s (%s)", dir, table.concat(files, ", "))) end
    end
    if res.partial then
      io.stderr:write(string.format("cnilua: %s: partial results (%d of %d draws) written to %s\n",
        tostring(res.stopped), res.ndraws or 0, res.draws_requested, dir))
      return tostring(res.stopped):match("interrupt") and 130 or 3
    end
    return 0
  end)

return M
