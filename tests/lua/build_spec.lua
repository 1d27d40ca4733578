-- The index-spec engine (lua/cni/build.lua, lua/cni/run.lua) on the small
-- invented dataset tests/fixtures/spec:
--   wards.csv       10 wards W01..W10: pop, domain ranks a_rank and b_rank,
--                   domain score c_score, indicators x, y, unemp/working_age,
--                   a TRUE/FALSE reference column ref_flag (W07 missing)
--   lsoa.csv        25 small areas L01..L25: imd_score, imd_rank (rank 1 =
--                   highest score)
--   lookup.csv      small area -> ward (+ region_name): W10 has no small
--                   area, L24 has no row, L25 maps to W99 (not a ward)
--   population.csv  small-area populations (total 4000)
-- plus variants for the data errors (wards_dup, wards_badpop,
-- population_short, population_bad).
--
-- Every expected value is worked out by hand in the comments; none is
-- computed by calling the code under test.
local cni = require "cni"
local H = require "helper"
local run = require "cni.run"

local DATA = H.root .. "/tests/fixtures/spec"
local near = H.near

local function build(spec, opts)
  opts = opts or {}
  opts.data = opts.data or DATA
  return cni.build(spec, opts)
end

-- Expects an error of 'kind' whose message is exactly 'msg'.
local function exact_err(kind, msg, f, ...)
  local e = H.cni_err(kind, msg, f, ...)
  assert.equal(msg, e.msg)
  return e
end

-- Booleans of a column, missing as "NA".
local function bools(col) return H.vals(col) end

-- A list of 10 booleans from the set of flagged ward numbers.
local function flags(...)
  local out = {false, false, false, false, false, false, false, false, false, false}
  for _, i in ipairs{...} do out[i] = true end
  return out
end

local LOOKUP = {input = "lookup", from = "lsoa_code", to = "ward_code"}
local LSOA_POP = {input = "population", key = "lsoa_code", column = "population"}

local function inputs()
  return {
    wards = {file = "wards.csv"},
    lsoa = {file = "lsoa.csv"},
    lookup = {file = "lookup.csv"},
    population = {file = "population.csv"},
  }
end

-- The ward spec: three domains a (ranks), b (ranks), c (scores), summed
-- after the exponential transform; ward IMD from the small areas.
local function ward_spec()
  return {
    name = "fixture wards",
    inputs = inputs(),
    unit = {input = "wards", key = "ward_code", name = "ward_name", la = "la", population = "pop", label = "ward"},
    geography = {
      imd = {from = "lsoa", key = "lsoa_code", column = "imd_score", lookup = LOOKUP, population = LSOA_POP},
    },
    domains = {
      a = {column = "a_rank", as = "rank"},
      b = {column = "b_rank", as = "rank"},
      c = {column = "c_score"},
    },
    index = {name = "cni"},
  }
end

--[[ The exponential transform for N = 10 wards:
  E = e^(-100/23) = 0.0129349014,  1 - E = 0.9870650986
  X(r) = -23 ln(1 - R (1 - E)),  R = (N - r + 1) / N
  X(1)  = -23 ln(E) = 100
  X(2)  = -23 ln(1 - 0.9 * 0.98706510) = -23 ln(0.11164141)  = 50.4266543
  X(3)  = -23 ln(1 - 0.8 * 0.98706510) = -23 ln(0.21034792)  = 35.8568241
  X(4)  = -23 ln(0.30905443) = 27.0074709
  X(5)  = -23 ln(0.40776094) = 20.6327067
  X(6)  = -23 ln(0.50646745) = 15.6467901
  X(7)  = -23 ln(0.60517396) = 11.5515045
  X(8)  = -23 ln(0.70388047) =  8.0763746
  X(9)  = -23 ln(0.80258698) =  5.0580460
  X(10) = -23 ln(0.90129349) =  2.3902597
]]
local X = {100, 50.426654274244, 35.85682409584928, 27.00747090842127, 20.632706729527325,
  15.646790072602894, 11.55150445600334, 8.07637464232535, 5.0580459938848055, 2.390259732416166}

-- a_rank, b_rank as in wards.csv; c_rank = c_score {9,7,8,10,1,5,2,6,3,5}
-- ranked from the highest, ties in row order (W06 before W10 at 5).
local A = {3, 1, 5, 2, 8, 4, 10, 6, 9, 7}
local B = {2, 4, 1, 3, 10, 5, 9, 7, 6, 8}
local C = {2, 4, 3, 1, 10, 6, 9, 5, 8, 7}

local function xs(ranks)
  local out = {}
  for i, r in ipairs(ranks) do out[i] = X[r] end
  return out
end

--[[ Index = X(a) + X(b) + X(c):
  W01 X3 + X2 + X2  = 35.857 + 50.427 + 50.427  = 136.710
  W02 X1 + X4 + X4  = 100 + 27.007 + 27.007     = 154.015
  W03 X5 + X1 + X3  = 20.633 + 100 + 35.857     = 156.490
  W04 X2 + X3 + X1  = 50.427 + 35.857 + 100     = 186.283
  W05 X8 + X10 + X10 = 8.076 + 2.390 + 2.390    =  12.857
  W06 X4 + X5 + X6  = 27.007 + 20.633 + 15.647  =  63.287
  W07 X10 + X9 + X9 = 2.390 + 5.058 + 5.058     =  12.506
  W08 X6 + X7 + X5  = 15.647 + 11.552 + 20.633  =  47.831
  W09 X9 + X6 + X8  = 5.058 + 15.647 + 8.076    =  28.781
  W10 X7 + X8 + X7  = 11.552 + 8.076 + 11.552   =  31.179
  ranks (1 = highest): W04 1, W03 2, W02 3, W01 4, W06 5, W08 6, W10 7,
  W09 8, W05 9, W07 10 ]]
local INDEX = {136.71013264433728, 154.0149418168425, 156.48953082537656, 186.28347837009323,
  12.85689410715768, 63.286967710551494, 12.506351720185776, 47.831001258133554,
  28.78121070881305, 31.17938355433203}
local IRANK = {4, 3, 2, 1, 9, 5, 10, 6, 8, 7}

describe("build: domains and index", function()
  local r = build(ward_spec())
  local t = r.table

  it("keeps the unit columns and the row order of the unit input", function()
    assert.equal(10, r.n)
    assert.same({"W01", "W02", "W03", "W04", "W05", "W06", "W07", "W08", "W09", "W10"}, H.vals(t.ward_code))
    assert.equal("Jetty", t.ward_name[10])
    assert.same({key = "ward_code", name = "ward_name", la = "la", population = "pop",
      index = {score = "cni_score", rank = "cni_rank", decile = "cni_decile"}, domains = {"a", "b", "c"}}, r.columns)
  end)

  it("rank domains: the exponential transform of the given ranks", function()
    assert.same(A, H.vals(t.a_rank))
    near(xs(A), t.a_t, 1e-12)
    near(xs(B), t.b_t, 1e-12)
    assert.is_false(t:has("a_score"))                   -- a rank domain has no score column
  end)

  it("score domains are ranked from the highest score, ties first", function()
    assert.same({9, 7, 8, 10, 1, 5, 2, 6, 3, 5}, H.vals(t.c_score))
    assert.same(C, H.vals(t.c_rank))                   -- W06 (6) before W10 (7)
    near(xs(C), t.c_t, 1e-12)
  end)

  it("index = sum of the transformed domains, ranked, deciles by count", function()
    near(INDEX, t.cni_score, 1e-12)
    assert.same(IRANK, H.vals(t.cni_rank))
    -- decile = ceil(10 r / N) = r for N = 10
    assert.same(IRANK, H.vals(t.cni_decile))
  end)

  it("domain order follows 'order', then the name", function()
    local s = ward_spec()
    s.domains.c.order = 1
    s.domains.b.order = 2
    local r2 = build(s)
    assert.same({"c", "b", "a"}, r2.columns.domains)
    near(INDEX, r2.table.cni_score, 1e-12)              -- same sum in another order
  end)

  it("deciles by population: ceil(10 C / W), C cumulated from the most deprived", function()
    local s = ward_spec()
    s.deciles = {by = "population"}
    local d = build(s).table.cni_decile
    -- rank order W04 1000 (C 1000 -> 1), W03 500 (1500 -> 2), W02 1500 (3000 -> 3),
    -- W01 1000 (4000 -> 4), W06 1500 (5500 -> 6), W08 (6500 -> 7), W10 (7500 -> 8),
    -- W09 (8500 -> 9), W05 (9500 -> 10), W07 500 (10000 -> 10); W = 10000
    assert.same({4, 3, 2, 1, 10, 6, 10, 7, 9, 8}, H.vals(d))
  end)

  it("25 small areas: deciles by count ceil(10 r / 25) and by population; top by count vs population", function()
    local s = {
      name = "small areas",
      inputs = {lsoa = {file = "lsoa.csv"}, population = {file = "population.csv"}},
      unit = {input = "lsoa", key = "lsoa_code", population = "population",
        attach = {{input = "population", key = "lsoa_code", columns = {"population"}}}},
      domains = {d = {column = "imd_score"}},
      domain_transform = "none",
      rules = {cnt = {rule = "top", top = 0.25}, pop = {rule = "top", top = 0.25, by = "population"}},
    }
    local t = build(s).table
    local R = {4, 9, 15, 5, 17, 8, 10, 22, 2, 11, 13, 18, 20, 6, 12, 3, 16, 23, 7, 14, 19, 21, 24, 1, 25}
    assert.same(R, H.vals(t.index_rank))               -- the index is imd_score itself
    -- ceil(0.4 r): r 1,2 -> 1; 3..5 -> 2; 6,7 -> 3; 8..10 -> 4; 11,12 -> 5; 13..15 -> 6; ...
    assert.same({2, 4, 6, 2, 7, 4, 4, 9, 1, 5, 6, 8, 8, 3, 5, 2, 7, 10, 3, 6, 8, 9, 10, 1, 10},
      H.vals(t.index_decile))
    -- cumulative population in rank order (W = 4000, decile ceil(C / 400)):
    -- L24 200 (1), L09 500 (2), L16 600 (2), L01 700 (2), L04 900 (3), L14 1100 (3),
    -- L19 1400 (4), L06 1500 (4), L02 1800 (5), L07 1900 (5), L10 2000 (5), L15 2200 (6),
    -- L11 2300 (6), L20 2400 (6), L03 2500 (7), L17 2600 (7), L05 2800 (7), L12 2900 (8),
    -- L21 3000 (8), L13 3200 (8), L22 3300 (9), L08 3500 (9), L18 3600 (9), L23 3800 (10), L25 (10)
    s.deciles = {by = "population"}
    t = build(s).table
    assert.same({2, 5, 7, 3, 7, 4, 5, 9, 2, 5, 6, 8, 8, 3, 6, 2, 7, 9, 4, 6, 8, 9, 10, 1, 10},
      H.vals(t.index_decile))
    -- top 25% by count: floor(6.25) = 6: ranks 1..6 = L24, L09, L16, L01, L04, L14
    local function which(col)
      local out = {}
      for i = 1, #col do if col[i] then out[#out + 1] = t.lsoa_code[i] end end
      return out
    end
    assert.same({"L01", "L04", "L09", "L14", "L16", "L24"}, which(t.flag_cnt))
    -- by population, C <= 1000: up to L04 (900); L14 reaches 1100
    assert.same({"L01", "L04", "L09", "L16", "L24"}, which(t.flag_pop))
  end)

  it("deciles by population without a population is an error", function()
    local s = ward_spec()
    s.unit.population = nil
    s.deciles = {by = "population"}
    exact_err("spec", "deciles.by: 'population' needs unit.population", build, s)
  end)

  it("index and domain weights: wsum with the weights (index weights win)", function()
    local s = ward_spec()
    s.domains.a.weight = 5
    s.index.weights = {a = 2}
    s.domains.c.weight = 0.5
    local v = build(s).table.cni_score
    -- W01: 2 X3 + X2 + 0.5 X2 = 71.71365 + 50.42665 + 25.21333 = 147.35363
    -- W07: 2 X10 + X9 + 0.5 X9 = 4.78052 + 5.05805 + 2.52902 = 12.36759
    H.close(2 * 35.85682409584928 + 1.5 * 50.426654274244, v[1], 1e-12)
    H.close(2 * 2.390259732416166 + 1.5 * 5.0580459938848055, v[7], 1e-12)
  end)

  it("a disabled domain is left out of the index", function()
    local s = ward_spec()
    s.domains.c.enabled = false
    local r2 = build(s)
    assert.same({"a", "b"}, r2.columns.domains)
    assert.is_false(r2.table:has("c_t"))
    -- W02 X1 + X4 = 127.007 (1), W03 X5 + X1 = 120.633 (2), W01 X3 + X2 = 86.283 and
    -- W04 X2 + X3: the same sum, a tie broken in row order (W01 3, W04 4)
    near({35.85682409584928 + 50.426654274244}, {r2.table.cni_score[1]}, 1e-12)
    assert.equal(r2.table.cni_score[1], r2.table.cni_score[4])
    assert.same({1, 2, 3, 4}, {r2.table.cni_rank[2], r2.table.cni_rank[3], r2.table.cni_rank[1], r2.table.cni_rank[4]})
  end)

  it("every domain disabled is an error", function()
    local s = ward_spec()
    for _, d in pairs(s.domains) do d.enabled = false end
    exact_err("spec", "domains: every domain is disabled", build, s)
  end)
end)

describe("build: domain transforms and index combines", function()
  it("domain_transform 'normal': qnorm((N - r + 1) / (N + 1))", function()
    local s = ward_spec()
    s.domain_transform = {"normal"}
    local t = build(s).table
    -- a_rank 1 (W02): qnorm(10/11) = 1.3351777; a_rank 10 (W07): qnorm(1/11) = -1.3351777
    -- a_rank 3 (W01): qnorm(8/11) = 0.6045853
    H.close(1.3351777361189365, t.a_t[2], 1e-9)
    H.close(-1.3351777361189365, t.a_t[7], 1e-9)
    H.close(0.6045853465832371, t.a_t[1], 1e-9)
    -- W04: ranks 2, 3, 1 -> qnorm(9/11) + qnorm(8/11) + qnorm(10/11)
    --      = 0.9084578 + 0.6045853 + 1.3351777 = 2.8482210
    H.close(2.848220951239559, t.cni_score[4], 1e-9)
    assert.same({2, 4, 3, 1, 10, 5, 9, 6, 8, 7}, H.vals(t.cni_rank))
  end)

  it("domain_transform 'rank': N + 1 - r", function()
    local s = ward_spec()
    s.domain_transform = "rank"
    local t = build(s).table
    assert.same({8, 10, 6, 9, 3, 7, 1, 5, 2, 4}, H.vals(t.a_t))
    -- W01: 8 + 9 + 9 = 26; W02: 10 + 7 + 7 = 24; W03: 6 + 10 + 8 = 24; W04: 9 + 8 + 10 = 27
    -- W05: 3 + 1 + 1 = 5; W06: 7 + 6 + 5 = 18; W07: 1 + 2 + 2 = 5; W08: 5 + 4 + 6 = 15
    -- W09: 2 + 5 + 3 = 10; W10: 4 + 3 + 4 = 11
    assert.same({26, 24, 24, 27, 5, 18, 5, 15, 10, 11}, H.vals(t.cni_score))
    -- ties first: W02 before W03, W05 before W07
    assert.same({2, 3, 4, 1, 9, 5, 10, 6, 8, 7}, H.vals(t.cni_rank))
  end)

  it("domain transform 'none' for one score domain, exp for the others", function()
    local s = ward_spec()
    s.domains.c.transform = "none"
    local t = build(s).table
    assert.same({9, 7, 8, 10, 1, 5, 2, 6, 3, 5}, H.vals(t.c_t))
    -- W04: X2 + X3 + 10 = 96.2834784
    H.close(50.426654274244 + 35.85682409584928 + 10, t.cni_score[4], 1e-12)
  end)

  it("domain transform 'none' on a rank column is an error", function()
    local s = ward_spec()
    s.domain_transform = "none"
    exact_err("spec", "domains.a: domain transform 'none' needs a score, not a rank column", build, s)
  end)

  it("exp with another constant and upper bound", function()
    local s = ward_spec()
    s.domain_transform = {"exp", c = 10, upper = 50}
    local t = build(s).table
    -- rank 1 -> 50; rank 10: R = 0.1, -10 ln(1 - 0.1 (1 - e^-5)) = -10 ln(0.9006737947) = 1.0461213
    H.close(50, t.a_t[2], 1e-12)
    H.close(1.0461213498683555, t.a_t[7], 1e-9)
  end)

  it("index combine 'mean' is the sum / 3", function()
    local s = ward_spec()
    s.index.combine = "mean"
    local t = build(s).table
    local e = {}
    for i, v in ipairs(INDEX) do e[i] = v / 3 end
    near(e, t.cni_score, 1e-12)
    assert.same(IRANK, H.vals(t.cni_rank))
  end)

  it("index combine 'geomean' = (X(a) X(b) X(c))^(1/3)", function()
    local s = ward_spec()
    s.index.combine = "geomean"
    local t = build(s).table
    -- W04: (50.4267 * 35.8568 * 100)^(1/3) = 180812.6^(1/3) = 56.5471
    -- W07: (2.3903 * 5.0580 * 5.0580)^(1/3) = 61.151^(1/3) = 3.9398
    H.close(56.54714181868643, t.cni_score[4], 1e-9)
    H.close(3.9397640637928126, t.cni_score[7], 1e-9)
    -- W05: (8.0764 * 2.3903 * 2.3903)^(1/3) = 3.5868 < W07: W05 now last
    assert.same({2, 4, 3, 1, 10, 5, 9, 6, 8, 7}, H.vals(t.cni_rank))
  end)

  it("index combine 'borda': the mean of N + 1 - r, whatever the domain transform", function()
    local s = ward_spec()
    s.index.combine = "borda"
    local t = build(s).table
    -- (26, 24, 24, 27, 5, 18, 5, 15, 10, 11) / 3
    near({26 / 3, 8, 8, 9, 5 / 3, 6, 5 / 3, 5, 10 / 3, 11 / 3}, t.cni_score, 1e-12)
    assert.same({2, 3, 4, 1, 9, 5, 10, 6, 8, 7}, H.vals(t.cni_rank))
  end)

  it("index ties: first (default), average, min", function()
    -- one domain, c_score untransformed: the index is c_score; W06 and W10 tie at 5
    local s = ward_spec()
    s.domains = {c = {column = "c_score"}}
    s.domain_transform = "none"
    local t = build(s).table
    assert.same({2, 4, 3, 1, 10, 6, 9, 5, 8, 7}, H.vals(t.cni_rank))
    s.index.ties = "average"
    t = build(s).table
    assert.same({2, 4, 3, 1, 10, 6.5, 9, 5, 8, 6.5}, H.vals(t.cni_rank))
    -- decile ceil(10 * 6.5 / 10) = 7
    assert.equal(7, t.cni_decile[6])
    s.index.ties = "min"
    assert.same({2, 4, 3, 1, 10, 6, 9, 5, 8, 6}, H.vals(build(s).table.cni_rank))
  end)
end)

describe("build: indicators", function()
  -- x = {4, 8, 6, 2, 10, 1, 3, 9, 5, 7} (1..10), y = {2, 4, 1, 8, 3, 9, 6, 5, 10, 7}
  local function ind_spec(indicators, dom)
    local names = {}
    for k in pairs(indicators) do names[#names + 1] = k end
    table.sort(names)
    return {
      name = "indicators",
      inputs = {wards = {file = "wards.csv"}},
      unit = {input = "wards", key = "ward_code", la = "la"},
      indicators = indicators,
      domains = {d = dom or {indicators = names}},
    }
  end

  it("transforms of single indicators", function()
    local t = build(ind_spec{
      lg = {column = "x", transforms = {"log"}},
      lg1 = {column = "x", transforms = {"log1p"}},
      wq = {column = "x", transforms = {{"winsorise", q = {0.1, 0.9}}}},
      wsd = {column = "x", transforms = {{"winsorise", sd = 1}}},
      ns = {column = "x", transforms = {"normal_scores"}},
      rk = {column = "y", transforms = {"rank"}},
      z = {column = "x", transforms = {"zscore"}},
      mm = {column = "x", transforms = {"minmax"}},
      mm100 = {column = "x", transforms = {{"minmax", lo = 0, hi = 100}}},
      fl = {column = "x", transforms = {"flip"}},
      good = {column = "x", direction = "good"},
      chain = {column = "x", transforms = {"minmax", "flip"}, direction = "good"},
      dist = {column = "x", transforms = {"distance"}},
      rel = {column = "x", transforms = {{"distance", ref = 2, relative = true}}},
    }).table
    -- the raw column is kept under the indicator's name
    assert.same({4, 8, 6, 2, 10, 1, 3, 9, 5, 7}, H.vals(t.lg))
    -- ln 4 = 1.3863, ln 8 = 2.0794, ln 6 = 1.7918, ln 2 = 0.6931, ln 10 = 2.3026, ln 1 = 0, ...
    near({1.3862943611198906, 2.0794415416798357, 1.791759469228055, 0.6931471805599453,
      2.302585092994046, 0, 1.0986122886681098, 2.1972245773362196, 1.6094379124341003,
      1.9459101490553132}, t.lg_t, 1e-14)
    -- ln(1 + x): ln 5, ln 9, ln 7, ln 3, ln 11, ln 2, ln 4, ln 10, ln 6, ln 8
    near({1.6094379124341003, 2.1972245773362196, 1.9459101490553132, 1.0986122886681098,
      2.3978952727983707, 0.6931471805599453, 1.3862943611198906, 2.302585092994046,
      1.791759469228055, 2.0794415416798357}, t.lg1_t, 1e-14)
    -- type-7 quantiles of 1..10: q(0.1): h = 9 * 0.1 + 1 = 1.9 -> 1.9; q(0.9): h = 9.1 -> 9.1
    near({4, 8, 6, 2, 9.1, 1.9, 3, 9, 5, 7}, t.wq_t, 1e-12)
    -- mean 5.5, sample sd sqrt(82.5 / 9) = 3.0276504: clamp to [2.4723496, 8.5276504]
    near({4, 8, 6, 2.4723496459025083, 8.527650354097492, 2.4723496459025083, 3,
      8.527650354097492, 5, 7}, t.wsd_t, 1e-12)
    -- rankit: qnorm((x - 0.5) / 10); qnorm(.35) = -.3853205, qnorm(.75) = .6744898,
    -- qnorm(.55) = .1256613, qnorm(.15) = -1.0364334, qnorm(.95) = 1.6448536, ...
    near({-0.38532046640756773, 0.6744897501960817, 0.12566134685507402, -1.0364333894937898,
      1.6448536269514722, -1.6448536269514722, -0.6744897501960817, 1.0364333894937898,
      -0.12566134685507402, 0.38532046640756773}, t.ns_t, 1e-9)
    assert.same({2, 4, 1, 8, 3, 9, 6, 5, 10, 7}, H.vals(t.rk_t))     -- y is 1..10 already
    -- (x - 5.5) / 3.0276504
    local sd = 3.0276503540974917
    near({-1.5 / sd, 2.5 / sd, 0.5 / sd, -3.5 / sd, 4.5 / sd, -4.5 / sd, -2.5 / sd, 3.5 / sd,
      -0.5 / sd, 1.5 / sd}, t.z_t, 1e-12)
    -- (x - 1) / 9
    near({3 / 9, 7 / 9, 5 / 9, 1 / 9, 1, 0, 2 / 9, 8 / 9, 4 / 9, 6 / 9}, t.mm_t, 1e-12)
    near({300 / 9, 700 / 9, 500 / 9, 100 / 9, 100, 0, 200 / 9, 800 / 9, 400 / 9, 600 / 9}, t.mm100_t, 1e-12)
    assert.same({-4, -8, -6, -2, -10, -1, -3, -9, -5, -7}, H.vals(t.fl_t))
    assert.same({-4, -8, -6, -2, -10, -1, -3, -9, -5, -7}, H.vals(t.good_t))
    -- minmax, flip, then 'good' flips back
    near({3 / 9, 7 / 9, 5 / 9, 1 / 9, 1, 0, 2 / 9, 8 / 9, 4 / 9, 6 / 9}, t.chain_t, 1e-12)
    -- x / mean(x) = x / 5.5; (x - 2) / 2
    near({4 / 5.5, 8 / 5.5, 6 / 5.5, 2 / 5.5, 10 / 5.5, 1 / 5.5, 3 / 5.5, 9 / 5.5, 5 / 5.5, 7 / 5.5}, t.dist_t, 1e-12)
    near({1, 3, 2, 0, 4, -0.5, 0.5, 3.5, 1.5, 2.5}, t.rel_t, 1e-12)
  end)

  it("numerator / denominator, with and without 'per'", function()
    local t = build(ind_spec{
      rate = {numerator = "unemp", denominator = "working_age", per = 100},
      share = {numerator = "unemp", denominator = "working_age"},
    }).table
    -- 10/200, 30/400, 4/100, 30/300, 8/400, 18/600, 30/500, 3/200, 24/300, 9/100
    near({5, 7.5, 4, 10, 2, 3, 6, 1.5, 8, 9}, t.rate, 1e-12)
    near({5, 7.5, 4, 10, 2, 3, 6, 1.5, 8, 9}, t.rate_t, 1e-12)
    near({0.05, 0.075, 0.04, 0.1, 0.02, 0.03, 0.06, 0.015, 0.08, 0.09}, t.share_t, 1e-12)
  end)

  it("domain combine: weighted mean (default), sum, geomean, equal weights", function()
    local I = {x = {column = "x"}, y = {column = "y"}}
    local t = build(ind_spec(I, {indicators = {"x", "y"}, weights = {x = 3, y = 1}})).table
    -- (3x + y) / 4: W01 (12 + 2) / 4 = 3.5, W02 (24 + 4) / 4 = 7, W03 19/4, ...
    near({3.5, 7, 4.75, 3.5, 8.25, 3, 3.75, 8, 6.25, 7}, t.d_score, 1e-12)
    -- ties first on 7 (W02 before W10) and on 3.5 (W01 before W04):
    -- ranked: 8.25 W05, 8 W08, 7 W02, 7 W10, 6.25 W09, 4.75 W03, 3.75 W07, 3.5 W01, 3.5 W04, 3 W06
    assert.same({8, 3, 6, 9, 1, 10, 7, 2, 5, 4}, H.vals(t.d_rank))
    t = build(ind_spec(I, {indicators = {"x", "y"}, weights = {x = 3, y = 1}, combine = "sum"})).table
    -- 3x + y
    near({14, 28, 19, 14, 33, 12, 15, 32, 25, 28}, t.d_score, 1e-12)
    t = build(ind_spec(I, {indicators = {"x", "y"}, weights = {x = 3}, combine = "geomean"})).table
    -- y's weight defaults to 1: exp((3 ln x + ln y) / 4) = x^.75 y^.25
    -- W04: 2^.75 8^.25 = 2^(.75 + .75) = 2^1.5 = 2.8284271; W06: 1 * 9^.25 = sqrt 3 = 1.7320508
    -- W10: 7^.75 7^.25 = 7
    near({3.363585661014858, 6.727171322029715, 3.8336586254776353, 2.8284271247461903,
      7.4008280449228545, 1.7320508075688772, 3.567621345008163, 7.770060192334053,
      5.946035575013605, 7}, t.d_score, 1e-12)
    -- no weights and weights = "equal": (x + y) / 2
    local eq = {3, 6, 3.5, 5, 6.5, 5, 4.5, 7, 7.5, 7}
    near(eq, build(ind_spec(I, {indicators = {"x", "y"}})).table.d_score, 1e-12)
    near(eq, build(ind_spec(I, {indicators = {"x", "y"}, weights = "equal"})).table.d_score, 1e-12)
  end)

  it("domain weights 'pca': two indicators get equal weights", function()
    -- corr(x, y) = r != 0: the correlation matrix [[1, r], [r, 1]] has eigenvalues
    -- 1 + |r| > 1 (kept) and 1 - |r|; the kept eigenvector is (1, +-1)/sqrt 2,
    -- squared loadings 1/2 and 1/2: the domain score is (x + y) / 2
    local t = build(ind_spec({x = {column = "x"}, y = {column = "y"}},
      {indicators = {"x", "y"}, weights = "pca"})).table
    near({3, 6, 3.5, 5, 6.5, 5, 4.5, 7, 7.5, 7}, t.d_score, 1e-9)
  end)

  it("weights that sum to zero are an error", function()
    exact_err("spec", "domains.d.weights: the weights sum to zero",
      build, ind_spec({x = {column = "x"}, y = {column = "y"}}, {indicators = {"x", "y"}, weights = {x = 0, y = 0}}))
  end)

  it("a disabled indicator is not built, and a domain using it is an error", function()
    local s = ind_spec({x = {column = "x"}, y = {column = "y", enabled = false}}, {indicators = {"x"}})
    local t = build(s).table
    assert.is_false(t:has("y"))
    assert.is_false(t:has("y_t"))
    assert.same({4, 8, 6, 2, 10, 1, 3, 9, 5, 7}, H.vals(t.d_score))
    s.domains.d.indicators = {"x", "y"}
    exact_err("spec", "domains.d.indicators[2]: indicator 'y' is disabled", build, s)
  end)

  it("a non-numeric indicator column is an error", function()
    exact_err("spec", "indicators.n: column is string, not numeric", build, ind_spec{n = {column = "ward_name"}})
  end)

  it("a non-numeric domain column is an error", function()
    local s = ward_spec()
    s.domains.a.column = "la"
    exact_err("spec", "domains.a.column: column 'la' is string, not numeric", build, s)
  end)

  it("shrink needs a numerator/denominator indicator and a parent", function()
    exact_err("spec", "indicators.x.transforms[1]: 'shrink' needs an indicator given as numerator and denominator",
      build, ind_spec{x = {column = "x", transforms = {{"shrink", parent = "la"}}}})
    exact_err("spec", "indicators.r.transforms[1]: shrink needs parent = a column of the parent area: write {\"shrink\", parent = \"la_code\"}",
      build, ind_spec{r = {numerator = "unemp", denominator = "working_age", transforms = {"shrink"}}})
  end)

  it("a shrink parent column typo is a spec error found before computing", function()
    local e = H.cni_err("spec", "no column 'lx' in wards.csv (did you mean 'la'?)", build,
      ind_spec{r = {numerator = "unemp", denominator = "working_age", transforms = {{"shrink", parent = "lx"}}}})
    assert.truthy(e.msg:find("indicators.r.transforms[1]", 1, true), e.msg)
  end)

  it("'winsorise' given as a bare name is rejected by validation (spec error with the path)", function()
    H.cni_err("spec", "indicators.x.transforms[1]: winsorise needs exactly one of q = {low, high} or sd = k",
      build, ind_spec{x = {column = "x", transforms = {"winsorise"}}})
  end)
end)

describe("build: geography", function()
  -- lsoa -> ward, populations, scores (rank):
  --   W01: L01 100 60 (4),  L02 300 40 (9),  L03 100 20 (15)
  --   W02: L04 200 55 (5),  L05 200 15 (17)
  --   W03: L06 100 45 (8),  L07 100 35 (10), L08 200 5 (22)
  --   W04: L09 300 70 (2),  L10 100 30 (11)
  --   W05: L11 100 25 (13), L12 100 12 (18), L13 200 8 (20)
  --   W06: L14 200 52 (6),  L15 200 28 (12)
  --   W07: L16 100 65 (3),  L17 100 18 (16), L18 100 3 (23)
  --   W08: L19 300 48 (7),  L20 100 22 (14)
  --   W09: L21 100 10 (19), L22 100 6 (21),  L23 200 2 (24)
  --   W10: none;  L24 200 80 (1): no lookup row;  L25 200 1 (25) -> W99
  local function geo_spec(gd)
    local s = ward_spec()
    gd.from = gd.from or "lsoa"
    gd.key = gd.key or "lsoa_code"
    gd.lookup = gd.lookup or LOOKUP
    s.geography = {imd = gd}
    return s
  end

  it("avg_score: population-weighted mean score per ward; W10 missing", function()
    local r = build(ward_spec())
    local t = r.table
    -- W01 (100*60 + 300*40 + 100*20) / 500 = 20000/500 = 40
    -- W02 (200*55 + 200*15) / 400 = 35;  W03 (4500 + 3500 + 1000) / 400 = 22.5
    -- W04 (21000 + 3000) / 400 = 60;     W05 (2500 + 1200 + 1600) / 400 = 13.25
    -- W06 (10400 + 5600) / 400 = 40;     W07 (6500 + 1800 + 300) / 300 = 28.6667
    -- W08 (14400 + 2200) / 400 = 41.5;   W09 (1000 + 600 + 400) / 400 = 5
    near({40, 35, 22.5, 60, 13.25, 40, 86 / 3, 41.5, 5, "NA"}, t.imd_score, 1e-12)
    -- ranks from the highest, ties first (W01 before W06 at 40); W10 unranked
    assert.same({3, 5, 7, 1, 8, 4, 6, 2, 9, "NA"}, H.vals(t.imd_rank))
  end)

  it("coverage lists wards without small areas and targets that are not wards", function()
    local cv = build(ward_spec()).coverage.imd
    assert.same({
      fine_areas = 25,
      fine_without_lookup = 1,                       -- L24
      units_without_fine_areas = 1,
      units_without_fine_areas_codes = {"W10"},
      targets_not_in_unit = 1,
      targets_not_in_unit_codes = {"W99"},           -- from L25
      measure = "avg_score",
    }, cv)
  end)

  it("avg_score without populations is the plain mean; mean, sum, median, min, max", function()
    local function g(measure)
      return build(geo_spec{column = "imd_score", measure = measure}).table.imd_score
    end
    -- W01 (60+40+20)/3 = 40, W02 35, W03 (45+35+5)/3 = 28.333, W04 50, W05 15,
    -- W06 40, W07 86/3, W08 35, W09 6
    local mean = {40, 35, 85 / 3, 50, 15, 40, 86 / 3, 35, 6, "NA"}
    near(mean, g(nil), 1e-12)
    near(mean, g("mean"), 1e-12)
    near({120, 70, 85, 100, 45, 80, 86, 70, 18, "NA"}, g("sum"), 1e-12)
    near({40, 35, 35, 50, 12, 40, 18, 35, 6, "NA"}, g("median"), 1e-12)
    near({20, 15, 5, 30, 8, 28, 3, 22, 2, "NA"}, g("min"), 1e-12)
    near({60, 55, 45, 70, 25, 52, 65, 48, 10, "NA"}, g("max"), 1e-12)
  end)

  it("wmean with populations equals avg_score", function()
    local s = geo_spec{column = "imd_score", measure = "wmean", population = LSOA_POP}
    near({40, 35, 22.5, 60, 13.25, 40, 86 / 3, 41.5, 5, "NA"}, build(s).table.imd_score, 1e-12)
  end)

  it("avg_rank, extent and prop_d1 from a rank column (N = 25 small areas)", function()
    local function g(measure)
      return build(geo_spec{column = "imd_score", rank_column = "imd_rank", measure = measure,
        population = LSOA_POP}).table.imd_score
    end
    -- avg_rank: r' = 26 - rank, population-weighted
    -- W01 (100*22 + 300*17 + 100*11) / 500 = 8400/500 = 16.8
    -- W02 (200*21 + 200*9) / 400 = 15;  W03 (100*18 + 100*16 + 200*4) / 400 = 10.5
    -- W04 (300*24 + 100*15) / 400 = 21.75; W05 (1300 + 800 + 1200) / 400 = 8.25
    -- W06 (200*20 + 200*14) / 400 = 17; W07 (23 + 10 + 3) / 3 = 12
    -- W08 (300*19 + 100*12) / 400 = 17.25; W09 (700 + 500 + 400) / 400 = 4
    near({16.8, 15, 10.5, 21.75, 8.25, 17, 12, 17.25, 4, "NA"}, g("avg_rank"), 1e-12)
    -- extent: q = ceil(100 rank / 25) = ceil(4 rank); e(q) = 1 (q <= 10),
    -- 0.95 - 0.9 (q - 11) / 19 (11..30), 0 above: rank 2 -> q 8 -> 1; rank 3 -> 12 ->
    -- 0.902632; rank 4 -> 16 -> 0.713158; rank 5 -> 20 -> 0.523684; rank 6 -> 24 ->
    -- 0.334211; rank 7 -> 28 -> 0.144737; rank >= 8 -> 0
    -- W01 100 * 0.713158 / 500 = 0.142632; W02 200 * 0.523684 / 400 = 0.261842
    -- W04 300 * 1 / 400 = 0.75; W06 200 * 0.334211 / 400 = 0.167105
    -- W07 100 * 0.902632 / 300 = 0.300877; W08 300 * 0.144737 / 400 = 0.108553
    near({(0.95 - 0.9 * 5 / 19) / 5, (0.95 - 0.9 * 9 / 19) / 2, 0, 0.75, 0, (0.95 - 0.9 * 13 / 19) / 2,
      (0.95 - 0.9 / 19) / 3, (0.95 - 0.9 * 17 / 19) * 3 / 4, 0, "NA"}, g("extent"), 1e-12)
    -- prop_d1: share of small areas with 10 rank <= 25 (ranks 1, 2): only L09 (W04) of
    -- the ward's two; L24 (rank 1) has no ward
    near({0, 0, 0, 0.5, 0, 0, 0, 0, 0, "NA"}, g("prop_d1"), 1e-12)
  end)

  it("a nested index spec built on the small areas (its ranks feed avg_rank)", function()
    local s = geo_spec{
      measure = "avg_rank",
      population = LSOA_POP,
      index = {
        name = "small-area index",
        inputs = {lsoa = {file = "lsoa.csv"}},
        unit = {input = "lsoa", key = "lsoa_code"},
        domains = {d = {column = "imd_score"}},
        domain_transform = "none",
      },
    }
    -- the nested index is imd_score itself, ranked as imd_rank: same answers as above
    near({16.8, 15, 10.5, 21.75, 8.25, 17, 12, 17.25, 4, "NA"}, build(s).table.imd_score, 1e-12)
    s.geography.imd.measure = "avg_score"
    near({40, 35, 22.5, 60, 13.25, 40, 86 / 3, 41.5, 5, "NA"}, build(s).table.imd_score, 1e-12)
  end)

  it("the unit population from a geography sum (W10: no small areas, missing)", function()
    local s = ward_spec()
    s.unit.population = "pop_geo"
    s.geography.pop_geo = {from = "population", key = "lsoa_code", column = "population", measure = "sum",
      lookup = LOOKUP}
    s.deciles = {by = "population"}
    s.rules = {all = {rule = "top", top = 1, by = "population"}, half = {rule = "top", top = 0.5, by = "population"}}
    local r = build(s)
    local t = r.table
    assert.equal("pop_geo_score", r.columns.population)
    -- W01 100+300+100 = 500, W07 300, the others 400; W10 none
    assert.same({500, 400, 400, 400, 400, 400, 300, 400, 400, "NA"}, H.vals(t.pop_geo_score))
    -- deciles: rank order W04 400 (C 400), W03 (800), W02 (1200), W01 500 (1700),
    -- W06 (2100), W08 (2500), [W10 no population], W09 (2900), W05 (3300), W07 300 (3600);
    -- W = 3600, decile ceil(10 C / W): 2, 3, 4, 5, 6, 7, -, 9, 10, 10
    assert.same({5, 4, 3, 2, 10, 6, 10, 7, 9, "NA"}, H.vals(t.cni_decile))
    -- top 50% by population: C <= 1800: W04, W03, W02, W01
    assert.same(flags(1, 2, 3, 4), bools(t.flag_half))
    -- top 100%: every ward with a population
    assert.same(flags(1, 2, 3, 4, 5, 6, 7, 8, 9), bools(t.flag_all))
  end)

  it("unit.attach brings the region of each ward (first lookup row); W10 unmatched", function()
    local s = ward_spec()
    s.unit.region = "region_name"
    s.unit.attach = {{input = "lookup", key = "ward_code", columns = {"region_name"}}}
    local r = build(s)
    -- W05's rows are L11 East, L12 West, L13 West: the first, East
    assert.same({"North", "North", "South", "South", "East", "East", "West", "South", "North", "NA"},
      H.vals(r.table.region_name))
    assert.equal("region_name", r.columns.region)
    assert.same({lookup = {units_without_match = 1, codes = {"W10"}}}, r.coverage.attach)
  end)
end)

describe("build: rules", function()
  local function rule_spec(rules, extra)
    local s = ward_spec()
    s.rules = rules
    for k, v in pairs(extra or {}) do s[k] = v end
    return s
  end

  it("top by count: floor(share N) areas", function()
    local t = build(rule_spec{t30 = {rule = "top", top = 0.3}, t50 = {rule = "top", top = 0.5},
      t25 = {rule = "top", top = 0.25}}).table
    -- floor(3) = 3: ranks 1..3 = W04, W03, W02
    assert.same(flags(2, 3, 4), bools(t.flag_t30))
    -- floor(5) = 5: + W01 (4), W06 (5)
    assert.same(flags(1, 2, 3, 4, 6), bools(t.flag_t50))
    -- floor(2.5) = 2: W04, W03
    assert.same(flags(3, 4), bools(t.flag_t25))
  end)

  it("top by population: cumulative population, most need first, within share * total", function()
    local t = build(rule_spec{p50 = {rule = "top", top = 0.5, by = "population"}}).table
    -- W04 1000, W03 1500, W02 3000, W01 4000, W06 5500 > 5000
    assert.same(flags(1, 2, 3, 4), bools(t.flag_p50))
  end)

  it("rules by population without a population are an error", function()
    local s = rule_spec{p = {rule = "top", top = 0.5, by = "population"}}
    s.unit.population = nil
    exact_err("spec", "rules.p.by: 'population' needs unit.population", build, s)
  end)

  it("two_index by count: floor(share * ranked areas) on each index", function()
    local r = build(rule_spec({lb = {rule = "two_index", index_top = 0.5, dep = "imd", dep_top = 0.5}}))
    -- index top floor(5) = W04, W03, W02, W01, W06; imd has 9 ranked wards (W10
    -- missing): floor(4.5) = 4: imd ranks 1..4 = W04, W08, W01, W06
    assert.same(flags(1, 4, 6), bools(r.table.flag_lb))
    assert.equal("flag_lb", r.flag)                          -- the only rule is the main flag
    assert.equal("lb", r.flag_rule)
    assert.equal("top 50% on cni AND top 50% on imd (by count)", r.rules.lb)
  end)

  it("two_index by population", function()
    local t = build(rule_spec({lb = {rule = "two_index", index_top = 0.5, dep = "imd", dep_top = 0.5,
      by = "population"}})).table
    -- index: W01..W04 (above); imd order W04 1000, W08 2000, W01 3000, W06 4500,
    -- W02 6000 > 5000: W04, W08, W01, W06. Both: W01, W04
    assert.same(flags(1, 4), bools(t.flag_lb))
  end)

  it("k_of_n: domains in the top share, with and without the dep gate", function()
    local r = build(rule_spec({
      k2 = {rule = "k_of_n", k = 2, top = 0.3},
      k3 = {rule = "k_of_n", k = 3, top = 0.3},
      k2dep = {rule = "k_of_n", k = 2, top = 0.3, dep = "imd", dep_top = 0.3},
      ab = {rule = "k_of_n", k = 2, top = 0.3, domains = {"a", "b"}},
      k3pop = {rule = "k_of_n", k = 3, top = 0.3, by = "population"},
    }, {flag = "k2"}))
    local t = r.table
    -- top floor(3) per domain: a ranks <= 3: W01 (3), W02 (1), W04 (2);
    -- b: W01 (2), W03 (1), W04 (3); c: W04 (1), W01 (2), W03 (3)
    assert.same({3, 1, 2, 3, 0, 0, 0, 0, 0, 0}, H.vals(t.k2_domains_in_top))
    assert.same(flags(1, 3, 4), bools(t.flag_k2))
    assert.same(flags(1, 4), bools(t.flag_k3))
    -- gate: imd top floor(0.3 * 9) = 2: W04, W08 -> W04
    assert.same(flags(4), bools(t.flag_k2dep))
    -- a and b only: W01 2, W02 1, W03 1, W04 2
    assert.same({2, 1, 1, 2, 0, 0, 0, 0, 0, 0}, H.vals(t.ab_domains_in_top))
    assert.same(flags(1, 4), bools(t.flag_ab))
    -- by population (3000 of 10000): a: W02 1500, W04 2500 (W01 3500 out);
    -- b: W03 500, W01 1500, W04 2500; c: W04 1000, W01 2000, W03 2500 -> W04 only in all 3
    assert.same({2, 1, 2, 3, 0, 0, 0, 0, 0, 0}, H.vals(t.k3pop_domains_in_top))
    assert.same(flags(4), bools(t.flag_k3pop))
    assert.equal("at least 2 of 3 domains in the top 30% (by count) AND top 30% on imd", r.rules.k2dep)
    assert.equal("flag_k2", r.flag)
  end)

  it("k_of_n naming a disabled domain is an error", function()
    local s = rule_spec{k = {rule = "k_of_n", k = 1, top = 0.3, domains = {"a", "c"}}}
    s.domains.c.enabled = false
    exact_err("spec", "rules.k.domains[2]: domain 'c' is disabled", build, s)
  end)

  it("custom rules: a Lua function of the result table and a context", function()
    local seen
    local r = build(rule_spec({
      lowa = {rule = "custom", fn = function(t, ctx)
        seen = {n = ctx.n, index = ctx.index, domains = ctx.domains, cut = ctx.count_cut(0.3, 10)}
        return t:col("a_rank"):le(2)
      end},
      bare = function(t) return t:col("cni_rank"):le(1) end,
    }, {flag = "lowa"}))
    assert.same({n = 10, index = "cni", domains = {"a", "b", "c"}, cut = 3}, seen)
    -- a_rank <= 2: W02 (1), W04 (2)
    assert.same(flags(2, 4), bools(r.table.flag_lowa))
    assert.same(flags(4), bools(r.table.flag_bare))
    assert.equal("custom rule (Lua function)", r.rules.lowa)
  end)

  it("custom rules returning the wrong thing, or failing, are errors", function()
    local msg = "rules.bad: a custom rule must return a boolean column of 10 rows"
    exact_err("spec", msg, build, rule_spec{bad = {rule = "custom", fn = function(t) return t:col("a_rank") end}})
    exact_err("spec", msg, build, rule_spec{bad = {rule = "custom", fn = function() return true end}})
    exact_err("spec", msg, build, rule_spec{bad = {rule = "custom", fn = function() end}})
    exact_err("spec", msg, build, rule_spec{bad = function() return cni.column({true, false}, "boolean") end})
    exact_err("spec", "rules.bad: custom rule failed: boom", build,
      rule_spec{bad = {rule = "custom", fn = function() error("boom", 0) end}})
    local e = H.cni_err("spec", "rules.bad: custom rule failed: ", build,
      rule_spec{bad = function(t) return t:col("no_such_column") end})
    assert.truthy(e.msg:find("no_such_column", 1, true), e.msg)
  end)

  it("the main flag: 'flag', else the only rule, else 'left_behind', else none", function()
    local two = {x = {rule = "top", top = 0.1}, y = {rule = "top", top = 0.2}}
    local r = build(rule_spec(two))
    assert.is_nil(r.flag)
    assert.is_nil(r.flag_rule)
    two.left_behind = {rule = "top", top = 0.3}
    r = build(rule_spec(two))
    assert.equal("flag_left_behind", r.flag)
  end)

  it("reference comparison counts", function()
    local r = build(rule_spec({t30 = {rule = "top", top = 0.3}},
      {reference = {column = "ref_flag", label = "published"}}))
    -- flagged W02, W03, W04; reference W01, W03, W04, W08 (W07 missing -> FALSE)
    assert.same({label = "published", column = "ref_flag", reference_count = 4, flagged = 3, both = 2,
      only_flagged = 1, only_reference = 2}, r.reference)
    assert.same(flags(1, 3, 4, 8), bools(r.table.reference))
    -- the label defaults to the column name
    r = build(rule_spec({t30 = {rule = "top", top = 0.3}}, {reference = {column = "ref_flag"}}))
    assert.equal("ref_flag", r.reference.label)
  end)

  it("a reference column that is not TRUE/FALSE is an error", function()
    exact_err("spec", "reference.column: column 'ward_name' must hold TRUE/FALSE, it holds strings", build,
      rule_spec({t = {rule = "top", top = 0.3}}, {reference = {column = "ward_name"}}))
  end)
end)

describe("build: data errors", function()
  it("a column typo names the spec path, the file and the closest column", function()
    local s = ward_spec()
    s.domains.a.column = "a_rnk"
    exact_err("spec", "domains.a.column: no column 'a_rnk' in wards.csv (did you mean 'a_rank'?)", build, s)
    s = ward_spec()
    s.geography.imd.column = "imd_scor"
    exact_err("spec", "geography.imd.column: no column 'imd_scor' in lsoa.csv (did you mean 'imd_score'?)", build, s)
    s = ward_spec()
    s.unit.key = "ward_cod"
    exact_err("spec", "unit.key: no column 'ward_cod' in wards.csv (did you mean 'ward_code'?)", build, s)
    s = ward_spec()
    s.geography.imd.lookup = {input = "lookup", from = "lsoa_code", to = "ward_cde"}
    exact_err("spec", "geography.imd.lookup.to: no column 'ward_cde' in lookup.csv (did you mean 'ward_code'?)", build, s)
    -- 'ward' is 5 edits from 'ward_code', more than max(2, 4 // 3): no hint
    s.geography.imd.lookup = {input = "lookup", from = "lsoa_code", to = "ward"}
    exact_err("spec", "geography.imd.lookup.to: no column 'ward' in lookup.csv", build, s)
    s = ward_spec()
    s.indicators = {r = {numerator = "unemp", denominator = "workingage"}}
    s.domains.e = {indicators = {"r"}}
    exact_err("spec", "indicators.r.denominator: no column 'workingage' in wards.csv (did you mean 'working_age'?)", build, s)
    s = ward_spec()
    s.unit.attach = {{input = "lookup", key = "ward_code", columns = {"regin_name"}}}
    exact_err("spec", "unit.attach[1].columns[1]: no column 'regin_name' in lookup.csv (did you mean 'region_name'?)", build, s)
    s = ward_spec()
    s.reference = {column = "zzzzzz"}
    exact_err("spec", "reference.column: no column 'zzzzzz' in wards.csv", build, s)
  end)

  it("column errors are raised before computing: no rule runs and no output is written", function()
    local called = false
    local s = ward_spec()
    s.rules = {c = function(t) called = true; return t:col("cni_rank"):le(1) end}
    s.reference = {column = "ref_flg"}                     -- used after the rules
    local dir = H.tmpdir()
    finally(function() H.rmtree(dir) end)
    exact_err("spec", "reference.column: no column 'ref_flg' in wards.csv (did you mean 'ref_flag'?)",
      cni.run, s, {data = DATA, out = dir .. "/out", quiet = true})
    assert.is_false(called)
    assert.same({}, H.ls(dir))
  end)

  it("a column typo in a nested geography index names the full path", function()
    local s = ward_spec()
    s.geography.imd = {from = "lsoa", key = "lsoa_code", lookup = LOOKUP, index = {
      name = "nested", inputs = {lsoa = {file = "lsoa.csv"}}, unit = {input = "lsoa", key = "lsoa_code"},
      domains = {d = {column = "imd_scor"}}}}
    -- spec.validate prefixes nested errors with "geography.imd.index: "; the column check should too
    exact_err("spec", "geography.imd.index.domains.d.column: no column 'imd_scor' in lsoa.csv (did you mean 'imd_score'?)",
      build, s)
  end)

  it("a missing input file names the path and the data root", function()
    local s = ward_spec()
    s.inputs.lookup.file = "lookups.csv"
    exact_err("spec", "inputs.lookup.file: " .. DATA .. "/lookups.csv: no such file (data root '" .. DATA ..
      "'; set it with --data DIR)", build, s)
  end)

  it("the data root: opts.data, else spec.data_root", function()
    local s = ward_spec()
    s.data_root = DATA
    assert.equal(DATA, cni.build(s).data_root)
    s.data_root = "/nonexistent"
    H.cni_err("spec", "data root '/nonexistent'", cni.build, s)
    assert.equal(DATA, cni.build(s, {data = DATA}).data_root)
  end)

  it("zero or negative unit populations are an error", function()
    local s = ward_spec()
    s.inputs.wards.file = "wards_badpop.csv"
    -- W03 0 and W05 -20
    exact_err("spec", "unit.population: column 'pop' has 2 areas with a missing, zero or negative population", build, s)
  end)

  it("zero or negative small-area populations are an error", function()
    local s = ward_spec()
    s.inputs.population.file = "population_bad.csv"
    -- L07 0 and L08 -5
    exact_err("spec", "geography.imd.population: 2 areas have a missing, zero or negative population", build, s)
  end)

  it("small areas without a population are an error", function()
    local s = ward_spec()
    s.inputs.population.file = "population_short.csv"
    exact_err("spec", "geography.imd.population: 1 of 25 areas of 'lsoa' have no population (first: L05)", build, s)
  end)

  it("duplicate unit keys are an error", function()
    local s = ward_spec()
    s.inputs.wards.file = "wards_dup.csv"
    -- W07's row renamed W03: rows 3 and 7 (a core error: the message starts with the
    -- Lua position of the call, docs/lua-api.md "Errors")
    local e = H.cni_err("data", "key column 'ward_code': duplicate key 'W03' in data rows 3 and 7", build, s)
    assert.truthy(e.msg:match("key column 'ward_code': duplicate key 'W03' in data rows 3 and 7$"), e.msg)
  end)

  it("spec errors come before reading any file", function()
    local s = ward_spec()
    s.inputs.wards.file = "nope.csv"
    s.domains.a.weight = "1"
    exact_err("spec", "domains.a.weight: expected a number, got string", build, s)
  end)
end)

describe("run: summary and output folder", function()
  local function out_spec()
    local s = ward_spec()
    s.unit.region = "region_name"
    s.unit.attach = {{input = "lookup", key = "ward_code", columns = {"region_name"}}}
    s.rules = {t30 = {rule = "top", top = 0.3}, c = function(t) return t:col("a_rank"):le(1) end}
    s.flag = "t30"
    s.reference = {column = "ref_flag", label = "published"}
    return s
  end

  it("summary: counts, rules, regions and the top areas", function()
    local r = build(out_spec())
    local s = run.summary(r, 3)
    assert.equal("fixture wards", s.name)
    assert.equal(10, s.areas)
    assert.equal(3, s.flagged)
    assert.equal("top 30% on cni (by count)", s.rule)
    assert.same({{name = "c", rule = "custom rule (Lua function)", flagged = 1},
      {name = "t30", rule = "top 30% on cni (by count)", flagged = 3}}, s.rules)
    -- flagged W02 (North), W03, W04 (South); sorted by flagged, then name
    assert.same({region = "South", areas = 3, flagged = 2}, s.by_region[1])
    assert.same({region = "North", areas = 3, flagged = 1}, s.by_region[2])
    assert.equal(3, #s.top)
    assert.same({"W04", "W03", "W02"}, {s.top[1].code, s.top[2].code, s.top[3].code})
    assert.equal("Dock", s.top[1].name)
    assert.equal(1, s.top[1].rank)
    H.close(186.28347837009323, s.top[1].score, 1e-12)
    assert.is_true(s.top[1].flagged)
    local text = run.summary_text(r, s)
    assert.truthy(text:find("fixture wards: 10 wards", 1, true), text)
    assert.truthy(text:find("against published: 2 in both, 1 only flagged here, 2 only in the reference (3 flagged, 4 in the reference)", 1, true), text)
    assert.truthy(text:find("coverage of imd: 1 wards have no lsoa areas (missing value, never flagged); 1 lookup targets are not wards", 1, true), text)
  end)

  it("summary.by_region counts the areas without a region under '(missing)'", function()
    -- W10 has no lookup row, so no region: it should appear as "(missing)", and the
    -- regions' areas should add up to the 10 wards
    local s = run.summary(build(out_spec()))
    assert.same({
      {region = "South", areas = 3, flagged = 2},
      {region = "North", areas = 3, flagged = 1},
      {region = "(missing)", areas = 1, flagged = 0},
      {region = "East", areas = 2, flagged = 0},
      {region = "West", areas = 1, flagged = 0},
    }, s.by_region)
  end)

  it("writes results, flagged, reference differences and summary.json; reruns are byte-identical", function()
    local dir = H.tmpdir()
    finally(function() H.rmtree(dir) end)
    local files = {"flagged.csv", "reference_differences.csv", "results.csv", "summary.json"}
    for _, sub in ipairs{"one", "two"} do
      local r = build(out_spec())
      cni.mkdirs(dir .. "/" .. sub)
      local written = run.write_outputs(r, dir .. "/" .. sub, run.summary(r))
      assert.equal(4, #written)
      assert.same(files, H.ls(dir .. "/" .. sub))
    end
    for _, f in ipairs(files) do
      assert.equal(H.read_file(dir .. "/one/" .. f), H.read_file(dir .. "/two/" .. f), f)
    end
    local j = cni.read_json(dir .. "/one/summary.json")
    assert.equal("fixture wards", j.spec.name)
    assert.equal("<function>", j.spec.rules.c)
    assert.equal(3, j.summary.flagged)
    assert.equal(DATA, j.data_root)
    assert.equal(2, j.reference.both)
    assert.equal(64, #j.spec_sha256)
    assert.equal(64, #j.inputs.wards.sha256)
    assert.equal(10, j.inputs.wards.rows)
    assert.equal(DATA .. "/wards.csv", j.inputs.wards.file)
    assert.is_nil(j.timings)                                      -- kept out of the file
    assert.same({"W99"}, j.coverage.imd.targets_not_in_unit_codes)
    local fl = cni.read_csv(dir .. "/one/flagged.csv")
    assert.same({"W04", "W03", "W02"}, H.vals(fl.ward_code))
    local rd = cni.read_csv(dir .. "/one/reference_differences.csv")
    -- flag xor reference: W02 flagged only; W01 (rank 4), W08 (rank 6) in the reference only
    assert.same({"W02", "W01", "W08"}, H.vals(rd.ward_code))
    assert.same({"flagged here only", "published only", "published only"}, H.vals(rd["in"]))
    local res = cni.read_csv(dir .. "/one/results.csv")
    assert.equal(10, #res)
    assert.same(IRANK, H.vals(res.cni_rank))
  end)

  it("a variant records its changes from the base; synthetic data is marked", function()
    local dir = H.tmpdir()
    finally(function() H.rmtree(dir) end)
    local v = cni.variant(out_spec(), {rules = {t30 = {top = 0.5}}, synthetic = true})
    local r = build(v)
    assert.is_true(r.synthetic)
    run.write_outputs(r, dir, run.summary(r))
    assert.same({"DATA_IS_SYNTHETIC.txt", "flagged.csv", "reference_differences.csv", "results.csv", "summary.json"},
      H.ls(dir))
    local j = cni.read_json(dir .. "/summary.json")
    assert.equal("fixture wards (variant)", j.spec.name)
    assert.is_nil(j.spec.extends)
    assert.same({{path = "rules.t30.top", old = 0.3, new = 0.5}, {path = "synthetic", new = true}},
      j.changes_from_base)
    assert.equal("synthetic", cni.read_csv(dir .. "/results.csv").data_source[1])
  end)
end)
