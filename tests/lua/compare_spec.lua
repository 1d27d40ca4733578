-- The comparison module (lua/cni/compare.lua) on the invented fixture
-- tests/fixtures/compare (twelve wards W01..W12, see its README.md).
--
-- Every expected value below is worked out by hand in the comments (none is
-- computed by calling the code under test); Spearman and Kendall are checked
-- against R (tests/r/compare_ref.R -> tests/fixtures/compare/r_ref.csv).
--
-- The data (wards.csv; ward IMD = population-weighted mean of lsoa.csv):
--
--   code  la    region  a b c | base a+b+c  rank | weights 2a+b+.5c  rank | IMD   IMD rank
--   W01   Aton  North   5 9 9 |  23          2   |  23.5              5    | 40     1   (50, 30; pops 100, 100)
--   W02   Aton  North   9 8 7 |  24          1   |  29.5              1    | 35     2
--   W03   Bly   North   4 8 8 |  20          5   |  20                8    | 20     8
--   W04   Bly   North   8 7 8 |  23          3   |  27                2.5  | 22     7
--   W05   Cove  South   2 5 5 |  12         10   |  11.5             11    | 25     6
--   W06   Cove  South   9 6 6 |  21          4   |  27                2.5  | 30     3
--   W07   Dale  South   6 5 7 |  18          7   |  20.5              6.5  | 10    11
--   W08   Dale  South   7 7 6 |  20          6   |  24                4    | 28     4   ((20*300 + 52*100)/400)
--   W09   Eske  East    1 2 3 |   6         12   |   5.5             12    | 15     9
--   W10   Eske  East    3 6 9 |  18          8   |  16.5              9    | 28     5   (tie with W08: input order)
--   W11   Eske  East    7 4 5 |  16          9   |  20.5              6.5  | 12    10
--   W12   Fenn  (none)  5 3 4 |  12         11   |  15               10    | NA    NA  (no LSOA)
--
-- Base ranks break ties by input order (W01 before W04 at 23, W03 before
-- W08 at 20, W07 before W10 at 18, W05 before W12 at 12); the weights
-- variant averages ties (W04/W06 at 27 -> 2.5, W07/W11 at 20.5 -> 6.5).
-- Deciles: ceil(10 r / 12): r 1..12 -> 1 2 3 4 5 5 6 7 8 9 10 10;
-- r 2.5 -> 3, r 6.5 -> 6.
--
-- Base rule: index rank <= floor(.25 * 12) = 3 -> {W02, W01, W04}, AND IMD
-- rank <= floor(.5 * 11) = 5 -> {W01, W02, W06, W08, W10}:
--   base flagged = {W01, W02}.
-- threshold.lua (index_top .5): index <= 6 -> {W02 W01 W04 W06 W03 W08}
--   flagged = {W01, W02, W06, W08}.
-- weights.lua: index <= 3 -> {W02, W04, W06}: flagged = {W02, W06}.
-- empty.lua (index_top .05): index <= floor(.6) = 0: flagged = {}.
-- list.csv: W01, W06, W09 (and X99, not a ward): flagged = {W01, W06, W09}.
local cni = require "cni"
local H = require "helper"
local C = require "cni.compare"

local FX = H.root .. "/tests/fixtures/compare"
local close = H.close

local function spec(name) return dofile(FX .. "/" .. name .. ".lua") end

-- Codes of the areas where a boolean column (in base order) is true.
local function codes_where(res, col)
  local out = {}
  local codes = res.base_item.codes
  for i = 1, #col do if col[i] then out[#out + 1] = codes[i] end end
  return out
end

-- The main comparison of the suite: base against the four variants.
local res
local function main()
  if not res then
    res = C.compare(spec("base"), {spec("threshold"), spec("weights"), spec("empty"),
      C.external_list(FX .. "/list.csv")}, {data = FX, sweep = {from = 0.25, to = 0.75, step = 0.25}})
  end
  return res
end

describe("compare: the fixture builds as worked out by hand", function()
  it("base and weights ranks, deciles, flags", function()
    local r = main()
    local b = r.base_item
    assert.same({"W01", "W02", "W03", "W04", "W05", "W06", "W07", "W08", "W09", "W10", "W11", "W12"},
      H.vals(b.codes))
    assert.same({2, 1, 5, 3, 10, 4, 7, 6, 12, 8, 9, 11}, H.vals(b.rank))
    assert.same({23, 24, 20, 23, 12, 21, 18, 20, 6, 18, 16, 12}, H.vals(b.score))
    assert.same({2, 1, 5, 3, 9, 4, 6, 5, 10, 7, 8, 10}, H.vals(b.decile))
    assert.same({"W01", "W02"}, codes_where(r, b.flag))
    local imd = b.result.table:col("imd_score")
    assert.same({40, 35, 20, 22, 25, 30, 10, 28, 15, 28, 12, "NA"}, H.vals(imd))
    local w = r.variants[2].aligned
    assert.same({5, 1, 8, 2.5, 11, 2.5, 6.5, 4, 12, 9, 6.5, 10}, H.vals(w.rank))
    assert.same({23.5, 29.5, 20, 27, 11.5, 27, 20.5, 24, 5.5, 16.5, 20.5, 15}, H.vals(w.score))
    -- deciles: r 5->5 1->1 8->7 2.5->3 11->10 2.5->3 6.5->6 4->4 12->10 9->8 6.5->6 10->9
    assert.same({5, 1, 7, 3, 10, 3, 6, 4, 10, 8, 6, 9}, H.vals(w.decile))
  end)

  it("ranks.csv (read by the R script) holds the ranks of the builds", function()
    local t = cni.read_csv(FX .. "/ranks.csv")
    local r = main()
    assert.same(H.vals(t:col("base")), H.vals(r.base_item.rank))
    assert.same(H.vals(t:col("threshold")), H.vals(r.variants[1].aligned.rank))
    assert.same(H.vals(t:col("weights")), H.vals(r.variants[2].aligned.rank))
    local m = C.compare(spec("base"), {spec("missing")}, {data = FX, sweep = false})
    assert.same(H.vals(t:col("missing")), H.vals(m.variants[1].aligned.rank))
  end)
end)

describe("compare: flagged sets", function()
  it("flagged, both, only_base, only_variant per variant", function()
    local r = main()
    assert.equal(2, r.base.flagged)
    assert.equal(12, r.base.areas)
    assert.equal("compare fixture base", r.base.label)
    local want = {
      -- threshold: {W01 W02 W06 W08} vs {W01 W02}
      {label = "wider index threshold", flagged = 4, both = 2, only_base = 0, only_variant = 2},
      -- weights: {W02 W06}: W02 in both, W01 leaves, W06 enters
      {label = "weights 2/1/0.5", flagged = 2, both = 1, only_base = 1, only_variant = 1},
      -- empty
      {label = "flags nothing", flagged = 0, both = 0, only_base = 2, only_variant = 0},
      -- list {W01 W06 W09}: W01 in both, W02 leaves, W06 and W09 enter
      {label = "list.csv", flagged = 3, both = 1, only_base = 1, only_variant = 2},
    }
    assert.equal(4, #r.variants)
    for i, w in ipairs(want) do
      local v = r.variants[i]
      for k, x in pairs(w) do assert.equal(x, v[k], string.format("variant %d, %s", i, k)) end
    end
    assert.same({"W01", "W02", "W06", "W08"}, codes_where(r, r.variants[1].aligned.flag))
    assert.same({"W02", "W06"}, codes_where(r, r.variants[2].aligned.flag))
    assert.same({}, codes_where(r, r.variants[3].aligned.flag))
    assert.same({"W01", "W06", "W09"}, codes_where(r, r.variants[4].aligned.flag))
  end)

  it("Jaccard |A n B| / |A u B|, one set empty = 0", function()
    local r = main()
    close(2 / 4, r.variants[1].jaccard, 1e-15)   -- 2 in both, union 4
    close(1 / 3, r.variants[2].jaccard, 1e-15)   -- W02; union W01 W02 W06
    assert.equal(0, r.variants[3].jaccard)       -- both 0, union 2
    close(1 / 4, r.variants[4].jaccard, 1e-15)   -- W01; union W01 W02 W06 W09
  end)

  it("kappa (po - pe) / (1 - pe)", function()
    local r = main()
    -- threshold: 2 disagreements, po = 10/12; pA = 2/12, pB = 4/12;
    -- pe = (1/6)(1/3) + (5/6)(2/3) = 11/18; kappa = (15/18 - 11/18)/(7/18) = 4/7
    close(4 / 7, r.variants[1].kappa, 1e-12)
    -- weights: po = 10/12, pA = pB = 1/6, pe = 26/36; kappa = (4/36)/(10/36) = 0.4
    close(0.4, r.variants[2].kappa, 1e-12)
    -- empty: po = 10/12, pB = 0, pe = 5/6 = po: kappa = 0
    close(0, r.variants[3].kappa, 1e-12)
    -- list: 3 disagreements, po = 9/12; pA = 1/6, pB = 1/4;
    -- pe = 1/24 + 15/24 = 2/3; kappa = (3/4 - 2/3)/(1/3) = 1/4
    close(0.25, r.variants[4].kappa, 1e-12)
  end)

  it("both sets empty: Jaccard 1, kappa 1 (pe = 1), no movers", function()
    local r = C.compare(spec("empty"), {spec("empty")}, {data = FX})
    local v = r.variants[1]
    assert.equal(0, r.base.flagged)
    assert.equal(0, v.flagged)
    assert.equal(0, v.both)
    assert.equal(1, v.jaccard)
    assert.equal(1, v.kappa)
    assert.equal(0, #C.movers(r, 1))
  end)

  it("M.agreement on plain columns", function()
    local T, F = true, false
    local function col(t) return cni.column(t, "boolean") end
    -- all flagged in both: pA = pB = 1, pe = 1 -> kappa 1; Jaccard 1
    local a = C.agreement(col{T, T, T}, col{T, T, T})
    assert.same({3, 0, 0, 1, 1, 1}, {a.both, a.only_a, a.only_b, a.jaccard, a.kappa, a.agreement})
    -- none in either: pe = 1 -> kappa 1; union 0 -> Jaccard 1
    a = C.agreement(col{F, F, F, F}, col{F, F, F, F})
    assert.same({0, 1, 1, 1}, {a.both, a.jaccard, a.kappa, a.agreement})
    -- opposite: po = 0, pA = pB = 1/2, pe = 1/2 -> kappa -1; Jaccard 0
    a = C.agreement(col{T, F}, col{F, T})
    assert.same({0, 1, 1, 0, -1, 0}, {a.both, a.only_a, a.only_b, a.jaccard, a.kappa, a.agreement})
    -- one empty, the other not: Jaccard 0; po = 3/4, pA = 1/4, pB = 0,
    -- pe = 3/4 -> kappa 0
    a = C.agreement(col{T, F, F, F}, col{F, F, F, F})
    assert.same({0, 1, 0}, {a.both, a.only_a, a.jaccard})
    close(0, a.kappa, 1e-15)
    -- 6 areas, A = {1 2 3}, B = {2 3 4}: both 2, union 4, po = 4/6,
    -- pA = pB = 1/2, pe = 1/2, kappa = (2/3 - 1/2)/(1/2) = 1/3
    a = C.agreement(col{T, T, T, F, F, F}, col{F, T, T, T, F, F})
    assert.same({2, 1, 1, 3, 3}, {a.both, a.only_a, a.only_b, a.n_a, a.n_b})
    close(2 / 4, a.jaccard, 1e-15)
    close(1 / 3, a.kappa, 1e-12)
    close(4 / 6, a.agreement, 1e-15)
    -- A = {1 2 3}, B = {2 3 4 5}: both 2, union 5, po = 3/6, pA = 1/2,
    -- pB = 2/3, pe = 1/3 + 1/6 = 1/2 = po: kappa 0
    a = C.agreement(col{T, T, T, F, F, F}, col{F, T, T, T, T, F})
    close(2 / 5, a.jaccard, 1e-15)
    close(0, a.kappa, 1e-12)
  end)
end)

describe("compare: ranks", function()
  it("rank shift, mean / median / max", function()
    local r = main()
    -- threshold: same ranks
    local v = r.variants[1]
    assert.same({0, 0, 0}, {v.mean_shift, v.median_shift, v.max_shift})
    -- weights: |5-2| |1-1| |8-5| |2.5-3| |11-10| |2.5-4| |6.5-7| |4-6| |12-12| |9-8| |6.5-9| |10-11|
    --        = 3 0 3 .5 1 1.5 .5 2 0 1 2.5 1: sum 16, mean 4/3;
    -- sorted 0 0 .5 .5 1 1 1 1.5 2 2.5 3 3: median 1; max 3
    v = r.variants[2]
    assert.same({3, 0, 3, 0.5, 1, 1.5, 0.5, 2, 0, 1, 2.5, 1}, H.vals(v.shift))
    close(16 / 12, v.mean_shift, 1e-12)
    assert.equal(1, v.median_shift)
    assert.equal(3, v.max_shift)
  end)

  it("decile moves (2+) and changes (1+)", function()
    local r = main()
    assert.equal(0, r.variants[1].share_decile_moves)
    assert.equal(0, r.variants[1].share_decile_changes)
    -- weights: |5-2| |1-1| |7-5| |3-3| |10-9| |3-4| |6-6| |4-5| |10-10| |8-7| |6-8| |9-10|
    --        = 3 0 2 0 1 1 0 1 0 1 2 1: 2+ for W01 W03 W11 (3/12); 1+ for 8 of 12
    close(3 / 12, r.variants[2].share_decile_moves, 1e-15)
    close(8 / 12, r.variants[2].share_decile_changes, 1e-15)
  end)

  it("Spearman and Kendall (tau-b) agree with R", function()
    local ref = cni.read_csv(FX .. "/r_ref.csv")
    local want = {}
    for i = 1, #ref do want[ref:col("pair")[i]] = {ref:col("spearman")[i], ref:col("kendall")[i]} end
    local r = main()
    close(want.threshold[1], r.variants[1].spearman, 1e-12)
    close(want.threshold[2], r.variants[1].kendall, 1e-12)
    close(want.weights[1], r.variants[2].spearman, 1e-12)
    close(want.weights[2], r.variants[2].kendall, 1e-12)
    -- by hand: sum of squared rank differences of the weights variant with
    -- average ranks... R's value is the reference; a sanity bound:
    assert.is_true(r.variants[2].spearman > 0.85 and r.variants[2].spearman < 0.9)
    local m = C.compare(spec("base"), {spec("missing")}, {data = FX, sweep = false})
    close(want.missing[1], m.variants[1].spearman, 1e-12)
    close(want.missing[2], m.variants[1].kendall, 1e-12)
  end)

  it("an area without a rank in the variant: shifts and deciles over the 11 ranked in both", function()
    local m = C.compare(spec("base"), {spec("missing")}, {data = FX, sweep = false})
    local v = m.variants[1]
    -- missing.lua: W05 has no score; the other ranks are the base's except
    -- W09 12 -> 11 and W12 11 -> 10: shifts 1 and 1 over 11 areas
    assert.same({2, 1, 5, 3, "NA", 4, 7, 6, 11, 8, 9, 10}, H.vals(v.aligned.rank))
    close(2 / 11, v.mean_shift, 1e-12)
    assert.equal(0, v.median_shift)
    assert.equal(1, v.max_shift)
    -- deciles ceil(10 r / 11): W07 7 (base 6), W08 6 (5), W10 8 (7), W11 9 (8)
    -- change by one; none by two
    assert.equal(0, v.share_decile_moves)
    close(4 / 11, v.share_decile_changes, 1e-12)
    assert.same({}, v.coverage.missing)       -- every code is there, one unranked
    assert.same({}, v.coverage.not_in_base)
  end)
end)

describe("compare: regions, authorities, spec changes", function()
  it("by_region: counts and changes, sorted, missing region as '(missing)'", function()
    local r = main()
    -- weights: North {W01 W02} -> {W02}; South {} -> {W06}
    assert.same({
      {group = "(missing)", areas = 1, base = 0, variant = 0, change = 0},
      {group = "East", areas = 3, base = 0, variant = 0, change = 0},
      {group = "North", areas = 4, base = 2, variant = 1, change = -1},
      {group = "South", areas = 4, base = 0, variant = 1, change = 1},
    }, r.variants[2].by_region)
    -- threshold: South gains W06 and W08
    assert.same({0, 0, 0, 2}, {r.variants[1].by_region[1].change, r.variants[1].by_region[2].change,
      r.variants[1].by_region[3].change, r.variants[1].by_region[4].change})
    -- list: East gains W09, North loses W02, South gains W06
    local l = r.variants[4].by_region
    assert.same({"East", 0, 1, 1}, {l[2].group, l[2].base, l[2].variant, l[2].change})
    assert.same({"North", 2, 1, -1}, {l[3].group, l[3].base, l[3].variant, l[3].change})
    assert.same({"South", 0, 1, 1}, {l[4].group, l[4].base, l[4].variant, l[4].change})
  end)

  it("by_la: counts and changes", function()
    local r = main()
    assert.same({
      {group = "Aton", areas = 2, base = 2, variant = 1, change = -1},
      {group = "Bly", areas = 2, base = 0, variant = 0, change = 0},
      {group = "Cove", areas = 2, base = 0, variant = 1, change = 1},
      {group = "Dale", areas = 2, base = 0, variant = 0, change = 0},
      {group = "Eske", areas = 3, base = 0, variant = 0, change = 0},
      {group = "Fenn", areas = 1, base = 0, variant = 0, change = 0},
    }, r.variants[2].by_la)
    -- threshold: Cove +1 (W06), Dale +1 (W08)
    local ch = {}
    for _, g in ipairs(r.variants[1].by_la) do ch[g.group] = g.change end
    assert.same({Aton = 0, Bly = 0, Cove = 1, Dale = 1, Eske = 0, Fenn = 0}, ch)
  end)

  it("spec_diff paths (name and extends left out)", function()
    local r = main()
    local function paths(v)
      local p = {}
      for i, c in ipairs(v.spec_diff) do p[i] = c.path end
      return p
    end
    assert.same({"rules.left_behind.index_top"}, paths(r.variants[1]))
    assert.equal(0.25, r.variants[1].spec_diff[1].old)
    assert.equal(0.5, r.variants[1].spec_diff[1].new)
    -- the base has no index.ties / index.weights: both appear whole
    assert.same({"index.ties", "index.weights"}, paths(r.variants[2]))
    assert.is_nil(r.variants[2].spec_diff[1].old)
    assert.equal("average", r.variants[2].spec_diff[1].new)
    assert.same({a = 2, b = 1, c = 0.5}, r.variants[2].spec_diff[2].new)
    assert.same({"rules.left_behind.index_top"}, paths(r.variants[3]))
    assert.equal(0.05, r.variants[3].spec_diff[1].new)
    assert.is_nil(r.variants[4].spec_diff)      -- a list has no spec
  end)
end)

describe("compare: movers", function()
  it("weights variant: W06 enters (+1), W01 leaves (-1), contributions add up", function()
    local r = main()
    local t = C.movers(r, 2)
    assert.equal(2, #t)
    assert.same({"code", "name", "la", "region", "change", "base_rank", "base_flag", "variant_rank",
      "score_change", "variant_flag", "contrib_a", "contrib_b", "contrib_c"}, t:names())
    -- entering first, then by base rank
    assert.same({"W06", "W01"}, H.vals(t:col("code")))
    assert.same({"Ford", "Abbey"}, H.vals(t:col("name")))
    assert.same({"Cove", "Aton"}, H.vals(t:col("la")))
    assert.same({"South", "North"}, H.vals(t:col("region")))
    assert.same({1, -1}, H.vals(t:col("change")))
    assert.same({4, 2}, H.vals(t:col("base_rank")))
    assert.same({2.5, 5}, H.vals(t:col("variant_rank")))
    assert.same({false, true}, H.vals(t:col("base_flag")))
    assert.same({true, false}, H.vals(t:col("variant_flag")))
    -- W06: 27 - 21 = 6 = a (2*9 - 9 = 9) + b (0) + c (.5*6 - 6 = -3)
    -- W01: 23.5 - 23 = .5 = a (2*5 - 5 = 5) + b (0) + c (.5*9 - 9 = -4.5)
    assert.same({6, 0.5}, H.vals(t:col("score_change")))
    assert.same({9, 5}, H.vals(t:col("contrib_a")))
    assert.same({0, 0}, H.vals(t:col("contrib_b")))
    assert.same({-3, -4.5}, H.vals(t:col("contrib_c")))
    local sc, ca, cb, cc = t:col("score_change"), t:col("contrib_a"), t:col("contrib_b"), t:col("contrib_c")
    for i = 1, #t do close(sc[i], ca[i] + cb[i] + cc[i], 1e-12) end
  end)

  it("contributions of every area add up to the score change (sum combine)", function()
    local r = main()
    local v = r.variants[2]
    local d = v.aligned.score - r.base_item.score
    local s = v.contrib.a + v.contrib.b + v.contrib.c
    H.near(H.vals(d), s, 1e-12)
    assert.same({"a", "b", "c"}, v.contrib_domains)
    assert.is_nil(v.contrib_note)
  end)

  it("threshold variant: W06 and W08 enter, by base rank, no score change", function()
    local r = main()
    local t = C.movers(r, 1)
    assert.same({"W06", "W08"}, H.vals(t:col("code")))
    assert.same({1, 1}, H.vals(t:col("change")))
    assert.same({4, 6}, H.vals(t:col("base_rank")))
    assert.same({4, 6}, H.vals(t:col("variant_rank")))
    assert.same({0, 0}, H.vals(t:col("score_change")))
    assert.same({0, 0}, H.vals(t:col("contrib_a")))
  end)

  it("empty variant: both base areas leave", function()
    local t = C.movers(main(), 3)
    assert.same({"W02", "W01"}, H.vals(t:col("code")))   -- base ranks 1, 2
    assert.same({-1, -1}, H.vals(t:col("change")))
  end)

  it("list: flags only (no rank columns); W06 and W09 enter, W02 leaves", function()
    local t = C.movers(main(), 4)
    assert.same({"code", "name", "la", "region", "change", "base_rank", "base_flag", "variant_flag"}, t:names())
    assert.same({"W06", "W09", "W02"}, H.vals(t:col("code")))
    assert.same({1, 1, -1}, H.vals(t:col("change")))
    assert.same({4, 12, 1}, H.vals(t:col("base_rank")))
  end)
end)

describe("compare: external list", function()
  it("aligned to the base by code; the unknown code in coverage.not_in_base; no rank metrics", function()
    local r = main()
    local v = r.variants[4]
    assert.equal("list", v.kind)
    assert.equal("list.csv", v.label)
    assert.same({"X99"}, v.coverage.not_in_base)
    assert.same({}, v.coverage.missing)
    assert.same({true, false, false, false, false, true, false, false, true, false, false, false},
      H.vals(v.aligned.flag))
    for _, k in ipairs{"spearman", "kendall", "shift", "mean_shift", "median_shift", "max_shift",
        "share_decile_moves", "share_decile_changes", "contrib"} do
      assert.is_nil(v[k], k)
    end
  end)

  it("the first text column, or a named one; errors", function()
    local l = C.external_list(FX .. "/list.csv")
    assert.equal("code", l.column)
    assert.equal(4, #l.codes)
    local l2 = C.external_list(FX .. "/wards.csv", {column = "name", label = "names"})
    assert.equal("name", l2.column)
    assert.equal("names", l2.label)
    H.cni_err("data", {"list.csv: no code column", "did you mean 'code'"}, C.external_list, FX .. "/list.csv",
      {column = "cdoe"})
    -- a file without a text column
    local dir = H.tmpdir()
    H.write_file(dir .. "/numbers.csv", "n\n1\n2\n")
    H.cni_err("data", {"numbers.csv: no code column", "path:column"}, C.external_list, dir .. "/numbers.csv")
    H.rmtree(dir)
  end)

  it("the console text reports the unknown code", function()
    local txt = C.text(main())
    assert.truthy(txt:find("1 codes of the variant are not areas of the base (first: X99)", 1, true))
  end)

  it("a list cannot be the base", function()
    H.cni_err("usage", "the base must be a spec or a result, not a list",
      C.compare, C.external_list(FX .. "/list.csv"), {spec("base")}, {data = FX})
  end)
end)

describe("compare: threshold sweep of the base rule", function()
  it("a 3 x 3 grid (25%, 50%, 75%)", function()
    local sw = main().sweep
    assert.same({0.25, 0.5, 0.75}, sw.cuts)
    assert.equal("imd", sw.dep)
    assert.equal("ix", sw.index)
    assert.equal(0.25, sw.base_index_top)
    assert.equal(0.5, sw.base_dep_top)
    -- index cut floor(x * 12): 3, 6, 9; IMD cut floor(x * 11): 2, 5, 8
    -- IMD <= 2 {W01 W02}; <= 5 + {W06 W08 W10}; <= 8 + {W05 W04 W03}
    -- index <= 3 {W02 W01 W04}; <= 6 + {W06 W03 W08}; <= 9 + {W07 W10 W11}
    local want = {
      {{2, 1}, {2, 1}, {3, 2 / 3}},          -- index 25%: {W01 W02}, {W01 W02}, {W01 W02 W04}
      {{2, 1}, {4, 1 / 2}, {6, 1 / 3}},      -- index 50%: ..., {W01 W02 W06 W08}, + {W03 W04}
      {{2, 1}, {5, 2 / 5}, {7, 2 / 7}},      -- index 75%: ..., + W10, {W01 W02 W03 W04 W06 W08 W10}
    }
    for i = 1, 3 do
      for j = 1, 3 do
        local c = sw.grid[i][j]
        assert.equal(sw.cuts[i], c.index_top)
        assert.equal(sw.cuts[j], c.dep_top)
        assert.equal(want[i][j][1], c.flagged, string.format("cell %d,%d", i, j))
        close(want[i][j][2], c.jaccard, 1e-12)
      end
    end
  end)

  it("the default grid: 5% to 20% by 1% (16 cuts)", function()
    local r = C.compare(spec("base"), {spec("threshold")}, {data = FX})
    local sw = r.sweep
    assert.equal(16, #sw.cuts)
    close(0.05, sw.cuts[1], 1e-12)
    close(0.20, sw.cuts[16], 1e-12)
    -- 5%: index cut floor(.6) = 0: nothing, Jaccard 0 (union = the base's 2)
    assert.same({0, 0}, {sw.grid[1][16].flagged, sw.grid[1][16].jaccard})
    -- 9% (cuts[5]): index cut floor(1.08) = 1 {W02}; 20%: IMD cut floor(2.2) = 2
    assert.equal(1, sw.grid[5][16].flagged)
    close(0.5, sw.grid[5][16].jaccard, 1e-12)
    -- 20% x 20%: index <= 2 {W02 W01}, IMD <= 2 {W01 W02}: the base list
    assert.same({2, 1}, {sw.grid[16][16].flagged, sw.grid[16][16].jaccard})
    -- 20% x 10% (cuts[6]): IMD cut floor(1.1) = 1 {W01}
    assert.equal(1, sw.grid[16][6].flagged)
    -- 17% (cuts[13]) x 9%: IMD cut floor(.99) = 0: nothing
    assert.equal(0, sw.grid[13][5].flagged)
  end)

  it("no sweep for a 'top' rule, for a folder base, or with sweep = false", function()
    local top = cni.variant(spec("base"), {name = "top rule",
      rules = {left_behind = {rule = "top", top = 0.25, dep = cni.drop, dep_top = cni.drop}}})
    local r = C.compare(top, {spec("threshold")}, {data = FX})
    assert.is_nil(r.sweep)
    r = C.compare(spec("base"), {spec("threshold")}, {data = FX, sweep = false})
    assert.is_nil(r.sweep)
  end)

  -- The sweep cuts by population when the base rule is 'by = "population"',
  -- so the cell of the base's own shares reproduces the base list. Here (pop column of wards.csv, total 18,100): top 25% of population on
  -- the index = {W02} (3,000; W01 would bring it to 4,600 > 4,525), so the
  -- base flags {W02}; the count grid's base cell flags {W01, W02}, Jaccard .5.
  it("sweep of a by-population base rule reproduces the base list at the base cell", function()
    local pb = cni.variant(spec("base"), {name = "by population", unit = {population = "pop"},
      rules = {left_behind = {by = "population"}}})
    local r = C.compare(pb, {spec("threshold")}, {data = FX, sweep = {from = 0.25, to = 0.5, step = 0.25}})
    assert.equal(1, r.base.flagged)
    local cell = r.sweep.grid[1][2]
    assert.same({0.25, 0.5}, {cell.index_top, cell.dep_top})
    assert.equal(1, cell.flagged)
    assert.equal(1, cell.jaccard)
  end)
end)

describe("compare: inputs", function()
  it("a base without a rule is refused", function()
    local norule = cni.variant(spec("base"), {name = "no rule", rules = cni.drop, flag = cni.drop})
    H.cni_err("usage", "the base has no rule", C.compare, norule, {spec("threshold")}, {data = FX})
  end)

  it("a variant without a rule is refused", function()
    local norule = cni.variant(spec("base"), {name = "no rule", rules = cni.drop, flag = cni.drop})
    H.cni_err("usage", "has no rule", C.compare, spec("base"), {norule}, {data = FX})
  end)

  it("an item that is not a spec, result or list is refused", function()
    H.cni_err("usage", "is not a spec, a result or a list", C.compare, spec("base"), {42}, {data = FX})
  end)

  it("a build result is accepted as it is", function()
    local rb = cni.build(spec("base"), {data = FX})
    local rv = cni.build(spec("weights"), {data = FX})
    local r = C.compare(rb, {rv})
    assert.same({2, 1, 1, 1}, {r.variants[1].flagged, r.variants[1].both, r.variants[1].only_base,
      r.variants[1].only_variant})
  end)
end)

describe("compare: alignment by area code", function()
  -- wards_reversed.csv: the same wards, rows reversed. Ties by input order
  -- now go the other way: W04 2 / W01 3, W08 5 / W03 6, W10 7 / W07 8,
  -- W12 10 / W05 11 (and IMD W10 4 / W08 5). Flags: index <= 3 {W02 W04 W01}
  -- AND IMD <= 5 {W01 W02 W06 W10 W08}: {W01, W02}, as the base.
  it("a variant with its rows in another order is matched by code", function()
    local rev = cni.variant(spec("base"), {name = "reversed rows", inputs = {wards = {file = "wards_reversed.csv"}}})
    local r = C.compare(spec("base"), {rev}, {data = FX, sweep = false})
    local v = r.variants[1]
    assert.same({3, 1, 6, 2, 11, 4, 8, 5, 12, 7, 9, 10}, H.vals(v.aligned.rank))
    assert.same({2, 2, 0, 0}, {v.flagged, v.both, v.only_base, v.only_variant})
    assert.same({1, 1}, {v.jaccard, v.kappa})
    -- eight areas move by one place
    close(8 / 12, v.mean_shift, 1e-12)
    assert.equal(1, v.max_shift)
    assert.equal(0, #C.movers(r, 1))
  end)

  -- Numeric area codes (numeric.csv: 101..105): a folder's key column is read
  -- with the same type inference as the spec's input, so a spec base and a
  -- folder variant join and give the same figures as spec vs spec.
  it("numeric area codes: a spec base against a result folder", function()
    local dir = H.tmpdir()
    -- score 2x + y: 11 10 9 8 7 -> top 40% (2 areas) = {101, 102};
    -- x + 2y: 7 8 9 10 11 -> {105, 104}
    local base = {name = "numeric codes", inputs = {w = {file = "numeric.csv"}}, unit = {input = "w", key = "id"},
      domains = {x = {column = "x"}, y = {column = "y"}}, domain_transform = "none",
      index = {weights = {x = 2, y = 1}}, rules = {t = {rule = "top", top = 0.4}}}
    local v = cni.variant(base, {name = "y weighted", index = {weights = {x = 1, y = 2}}})
    local direct = C.compare(base, {v}, {data = FX}).variants[1]
    assert.same({2, 0, 2, 2}, {direct.flagged, direct.both, direct.only_base, direct.only_variant})
    cni.run(v, {out = dir .. "/v", quiet = true, data = FX})
    local ok, res = pcall(C.compare, base, {C.from_folder(dir .. "/v")}, {data = FX})
    H.rmtree(dir)
    assert(ok, "compare failed: " .. tostring(type(res) == "table" and res.msg or res))
    local f = res.variants[1]
    assert.same({2, 0, 2, 2}, {f.flagged, f.both, f.only_base, f.only_variant})
  end)
end)

describe("compare: result folders", function()
  local dir
  before_each(function() dir = H.tmpdir() end)
  after_each(function() H.rmtree(dir) end)

  it("runs written with cni.run compare as the specs do", function()
    cni.run(spec("base"), {out = dir .. "/base", quiet = true, data = FX})
    cni.run(spec("weights"), {out = dir .. "/weights", quiet = true, data = FX})
    local fb, fw = C.from_folder(dir .. "/base"), C.from_folder(dir .. "/weights")
    assert.equal("folder", fb.kind)
    assert.equal("compare fixture base", fb.label)
    assert.equal("weights 2/1/0.5", fw.label)
    assert.same({2, 1, 5, 3, 10, 4, 7, 6, 12, 8, 9, 11}, H.vals(fb.rank))
    local r = C.compare(fb, {fw})
    local s = main().variants[2]
    local v = r.variants[1]
    for _, k in ipairs{"flagged", "both", "only_base", "only_variant", "jaccard", "kappa", "spearman",
        "kendall", "mean_shift", "median_shift", "max_shift", "share_decile_moves", "share_decile_changes"} do
      assert.equal(s[k], v[k], k)
    end
    assert.same(s.by_region, v.by_region)
    assert.same(s.by_la, v.by_la)
    -- the specs travel in summary.json: the same paths change
    assert.same({"index.ties", "index.weights"}, {v.spec_diff[1].path, v.spec_diff[2].path})
    -- no build result: no sweep, no contributions (with a note)
    assert.is_nil(r.sweep)
    assert.is_nil(v.contrib)
    assert.equal("no build result", v.contrib_note)
    local t = C.movers(r, 1)
    assert.same({"W06", "W01"}, H.vals(t:col("code")))
    assert.same({6, 0.5}, H.vals(t:col("score_change")))
  end)

  it("a spec base with a folder variant", function()
    cni.run(spec("threshold"), {out = dir .. "/t", quiet = true, data = FX})
    local r = C.compare(spec("base"), {C.from_folder(dir .. "/t")}, {data = FX})
    assert.same({4, 2, 0, 2}, {r.variants[1].flagged, r.variants[1].both, r.variants[1].only_base,
      r.variants[1].only_variant})
    assert.is_not_nil(r.sweep)
  end)

  it("run.write_outputs of a build, then from_folder", function()
    local run = require "cni.run"
    local rb = cni.build(spec("base"), {data = FX})
    run.write_outputs(rb, dir, run.summary(rb))
    local f = C.from_folder(dir)
    -- base flagged {W01, W02}
    assert.same({true, true, false, false, false, false, false, false, false, false, false, false},
      H.vals(f.flag))
    assert.same({"North", "North", "North", "North", "South", "South", "South", "South", "East", "East",
      "East", "NA"}, H.vals(f.region))
  end)

  it("a folder that is not a result", function()
    cni.write_json(dir .. "/summary.json", {hello = 1})
    H.cni_err("data", "not a cnilua result", C.from_folder, dir)
  end)
end)

describe("compare: tables, data, files", function()
  local dir
  before_each(function() dir = H.tmpdir() end)
  after_each(function() H.rmtree(dir) end)

  it("M.tables: summary rows, group rows, sweep cells, movers", function()
    local tabs = C.tables(main())
    local s = tabs.summary
    assert.equal(4, #s)
    assert.same({"wider index threshold", "weights 2/1/0.5", "flags nothing", "list.csv"}, H.vals(s:col("label")))
    assert.same({"result", "result", "result", "list"}, H.vals(s:col("kind")))
    assert.same({4, 2, 0, 3}, H.vals(s:col("flagged")))
    assert.same({2, 1, 0, 1}, H.vals(s:col("both")))
    assert.equal("NA", H.vals(s:col("spearman"))[4])   -- the list has no ranks
    assert.equal(16, #tabs.by_region)                  -- 4 variants x 4 regions
    assert.equal(24, #tabs.by_la)                      -- 4 variants x 6 authorities
    assert.equal(9, #tabs.sweep)
    assert.same({"index_top", "dep_top", "flagged", "jaccard_with_base"}, tabs.sweep:names())
    assert.equal(4, #tabs.movers)
    assert.same({2, 2, 2, 3}, {#tabs.movers[1], #tabs.movers[2], #tabs.movers[3], #tabs.movers[4]})
  end)

  it("M.data: JSON-ready summary", function()
    local d = C.data(main())
    assert.equal(2, d.base.flagged)
    assert.equal(4, #d.variants)
    assert.same({{path = "rules.left_behind.index_top", old = 0.25, new = 0.5}}, d.variants[1].spec_changes)
    assert.same({0.25, 0.5, 0.75}, d.sweep.cuts)
    assert.is_nil(d.variants[4].spec_changes)
  end)

  it("M.write: the files, byte-identical twice", function()
    local files = C.write(main(), dir .. "/a")
    assert.same({"summary.csv", "by_region.csv", "by_la.csv", "sweep.csv", "movers_1.csv", "movers_2.csv",
      "movers_3.csv", "movers_4.csv", "compare.json", "report.html"}, files)
    C.write(main(), dir .. "/b")
    -- and from a fresh comparison
    local r2 = C.compare(spec("base"), {spec("threshold"), spec("weights"), spec("empty"),
      C.external_list(FX .. "/list.csv")}, {data = FX, sweep = {from = 0.25, to = 0.75, step = 0.25}})
    C.write(r2, dir .. "/c")
    local sorted = {}
    for i, f in ipairs(files) do sorted[i] = f end
    table.sort(sorted)
    assert.same(sorted, H.ls(dir .. "/a"))
    assert.same(H.ls(dir .. "/a"), H.ls(dir .. "/b"))
    assert.same(H.ls(dir .. "/a"), H.ls(dir .. "/c"))
    for _, f in ipairs(files) do
      local a = H.read_file(dir .. "/a/" .. f)
      assert.equal(a, H.read_file(dir .. "/b/" .. f), f)
      assert.equal(a, H.read_file(dir .. "/c/" .. f), f)
    end
    -- contents of two of them
    local m = cni.read_csv(dir .. "/a/movers_2.csv")
    assert.same({"W06", "W01"}, H.vals(m:col("code")))
    local j = cni.read_json(dir .. "/a/compare.json")
    assert.equal(2, j.base.flagged)
    assert.equal(3, j.variants[4].flagged)
    close(0.4, j.variants[2].kappa, 1e-12)
  end)
end)

describe("explain", function()
  local E = require "cni.explain"
  it("traces an area: domains, weights, contributions, index, rule", function()
    local rb = cni.build(spec("base"), {data = FX})
    local rw = cni.build(spec("weights"), {data = FX})
    local function find(tr, label)
      for _, e in ipairs(tr) do if e.label == label then return e.value end end
    end
    local tb, tw = E.trace(rb, "W06"), E.trace(rw, "W06")
    assert.equal("Ford", find(tb, "name"))
    assert.equal(30, find(tb, "imd (avg_score of lsoa)"))
    assert.equal(3, find(tb, "imd rank"))
    assert.equal(2, find(tw, "a weight"))
    assert.equal(18, find(tw, "a contribution (weight x transformed)"))
    assert.equal(3, find(tw, "c contribution (weight x transformed)"))
    assert.equal(21, find(tb, "ix_score"))
    assert.equal(27, find(tw, "ix_score"))
    assert.equal(4, find(tb, "ix_rank (1 = most need, of 12)"))
    assert.equal(2.5, find(tw, "ix_rank (1 = most need, of 12)"))
    local txt = E.text(rb, rw, "W06")
    assert.truthy(txt:find("compare fixture ba", 1, true))
    assert.truthy(txt:match("ix_score%s+21%s+27"))
  end)

  it("an unknown area is a data error", function()
    local rb = cni.build(spec("base"), {data = FX})
    H.cni_err("data", "no area 'X99' in compare fixture base", E.trace, rb, "X99")
  end)
end)
