-- Statistical kernels through the Lua bindings (src/lcni_stats.c).
-- Every expected value is worked out by hand in the comments; none is
-- computed by calling the function under test.
local cni = require "cni"
local H = require "helper"
local NA = 0 / 0
local vals, near = H.vals, H.near
local col = cni.column

describe("rank", function()
  -- x = {10, 20, 20, NA, 5, 20}; sorted: 5 (pos 1), 10 (pos 2), 20 20 20 (pos 3, 4, 5)
  local x = col{10, 20, 20, NA, 5, 20}

  it("ties = average (default): the 20s get (3+4+5)/3 = 4; NaN kept", function()
    assert.same({2, 4, 4, "NA", 1, 4}, vals(x:rank()))
  end)

  it("ties = min / max / first / dense", function()
    assert.same({2, 3, 3, "NA", 1, 3}, vals(x:rank{ties = "min"}))
    assert.same({2, 5, 5, "NA", 1, 5}, vals(x:rank{ties = "max"}))
    assert.same({2, 3, 4, "NA", 1, 5}, vals(x:rank{ties = "first"}))   -- input order breaks ties
    assert.same({2, 3, 3, "NA", 1, 3}, vals(x:rank{ties = "dense"}))   -- 5 -> 1, 10 -> 2, 20 -> 3
  end)

  it("desc = true ranks the largest first", function()
    -- descending: 20 20 20 (pos 1, 2, 3 -> avg 2), 10 (4), 5 (5)
    assert.same({4, 2, 2, "NA", 5, 2}, vals(x:rank{desc = true}))
    assert.same({4, 1, 1, "NA", 5, 1}, vals(x:rank{desc = true, ties = "min"}))
  end)

  it("-0 and +0 tie; infinities are ordered values", function()
    -- {NA, -0, 0, Inf, -Inf, 3}: -Inf 1, (-0, 0) 2.5, 3 -> 4, Inf 5
    assert.same({"NA", 2.5, 2.5, 5, 1, 4}, vals(col{NA, -0.0, 0, 1 / 0, -1 / 0, 3}:rank()))
  end)

  it("map = m gives m[rank] (integer ranks only)", function()
    -- ranks (ties first) {2, 3, 4, NA, 1, 5} looked up in m = {10, 20, 30, 40, 50}
    local m = col{10, 20, 30, 40, 50}
    assert.same({20, 30, 40, "NA", 10, 50}, vals(x:rank{ties = "first", map = m}))
    -- dense {2, 3, 3, NA, 1, 3}; desc min {4, 1, 1, NA, 5, 1}
    assert.same({20, 30, 30, "NA", 10, 30}, vals(x:rank{ties = "dense", map = m}))
    assert.same({40, 10, 10, "NA", 50, 10}, vals(cni.rank_many({x}, {desc = true, ties = "min", map = m})[1]))
    H.cni_err("usage", "rank: option 'map' needs integer ranks", function() return x:rank{map = m} end)
    H.cni_err("usage", "option 'map' must be a numeric column", function() return x:rank{ties = "first", map = {1}} end)
    H.cni_err("runtime", "rank: map has 4 values, fewer than the 5 ranks",
              function() return x:rank{ties = "first", map = col{1, 2, 3, 4}} end)
  end)

  it("rank_many / normal_scores_many with inplace = true overwrite the given columns", function()
    local function fresh() return {col{3, 1, 2, NA}, col{10, 30, 20, 20}} end
    local a = fresh()
    local r = cni.rank_many(a, {ties = "min", inplace = true})
    assert.equal(a[1], r[1]); assert.equal(a[2], r[2])          -- the same column objects
    assert.same({3, 1, 2, "NA"}, vals(a[1]))                     -- ranks of 3, 1, 2
    assert.same({1, 4, 2, 2}, vals(a[2]))                        -- 10 < 20 = 20 < 30
    local b = fresh()
    local z = cni.normal_scores_many(b, {inplace = true})
    assert.same(vals(cni.normal_scores_many(fresh())[2]), vals(z[2]))
    -- refused: a column shared with a table, a column given twice, the map itself
    local t = cni.table{{"x", {1, 2, 3, 4}}}
    H.cni_err("usage", "inplace: column 1 is shared", function()
      return cni.normal_scores_many({t.x}, {inplace = true}) end)
    local c = col{1, 2, 3, 4}
    H.cni_err("usage", "inplace: column 2 is also column 1", function()
      return cni.rank_many({c, c}, {inplace = true}) end)
    H.cni_err("usage", "inplace: column 1 is also the map", function()
      return cni.rank_many({c}, {ties = "first", map = c, inplace = true}) end)
  end)

  it("map on a large column (sorted in buckets) equals looking the ranks up", function()
    -- 200,000 values with ties; the reference is plain Lua indexing
    local n, t = 200000, {}
    for i = 1, n do t[i] = (i * 7919) % 1000 end
    local y, m = col(t), cni.seq(n) * 3
    for _, ties in ipairs{"first", "min", "max", "dense"} do
      local r, got = vals(y:rank{desc = true, ties = ties}), vals(y:rank{desc = true, ties = ties, map = m})
      local bad = 0
      for i = 1, n do if got[i] ~= 3 * r[i] then bad = bad + 1 end end
      assert.equal(0, bad, ties)
    end
  end)

  it("option errors", function()
    H.cni_err("usage", "option 'ties': unknown value 'avg'", function() return x:rank{ties = "avg"} end)
    H.cni_err("usage", "rank: unknown option 'tie' (did you mean 'ties'?)", function() return x:rank{tie = "min"} end)
    H.cni_err("runtime", "expected a numeric column, got a string column", function() return col{"a"}:rank() end)
    H.lua_err("table expected", function() return x:rank("min") end)
  end)
end)

describe("order and percent_rank", function()
  local x = col{10, 20, 20, NA, 5, 20}

  it("order gives row numbers in sorted order, stable, missing last", function()
    -- ascending: 5 (row 5), 10 (row 1), 20 (rows 2, 3, 6), NA (row 4)
    assert.same({5, 1, 2, 3, 6, 4}, vals(x:order()))
    -- descending: 20 (rows 2, 3, 6), 10 (row 1), 5 (row 5), NA (row 4)
    assert.same({2, 3, 6, 1, 5, 4}, vals(x:order{desc = true}))
  end)

  it("percent_rank = (min_rank - 1) / (n_valid - 1)", function()
    -- n_valid = 5; min ranks 2, 3, 3, -, 1, 3 -> 1/4, 2/4, 2/4, NA, 0, 2/4
    assert.same({0.25, 0.5, 0.5, "NA", 0, 0.5}, vals(x:percent_rank()))
  end)
end)

describe("ntile (as dplyr::ntile)", function()
  local y = cni.seq(10)

  it("10 values in 3 groups: sizes 4, 3, 3 (larger groups first)", function()
    assert.same({1, 1, 1, 1, 2, 2, 2, 3, 3, 3}, vals(y:ntile(3)))
  end)

  it("desc = true is ntile(desc(x)): the largest four get 1", function()
    assert.same({3, 3, 3, 2, 2, 2, 1, 1, 1, 1}, vals(y:ntile(3, {desc = true})))
  end)

  it("missing values stay missing and do not count", function()
    -- 5 valid values {5, 1, 3, 2, 4} in 2 groups: sizes 3, 2 -> 1, 2, 3 in group 1
    assert.same({2, 1, "NA", 1, 1, 2}, vals(col{5, 1, NA, 3, 2, 4}:ntile(2)))
  end)

  it("more groups than values: 1..n", function()
    assert.same({1, 2, 3, 4, 5}, vals(cni.seq(5):ntile(10)))
  end)

  it("ties are broken by input order (row_number)", function()
    -- {7, 7, 7, 7} in 2 groups: rows 1, 2 -> 1; rows 3, 4 -> 2
    assert.same({1, 1, 2, 2}, vals(col{7, 7, 7, 7}:ntile(2)))
  end)

  it("weights: group = ceil(k * cumulative weight / total)", function()
    -- x = 1..4, w = {3, 1, 1, 1}, W = 6, C = 3, 4, 5, 6, k = 2:
    -- ceil(6/6) = 1, ceil(8/6) = 2, ceil(10/6) = 2, ceil(12/6) = 2
    assert.same({1, 2, 2, 2}, vals(cni.seq(4):ntile(2, {weights = col{3, 1, 1, 1}})))
    -- equal weights: ceil(2 * i / 4) = 1, 1, 2, 2
    assert.same({1, 1, 2, 2}, vals(cni.seq(4):ntile(2, {weights = col{1, 1, 1, 1}})))
  end)

  it("errors", function()
    H.lua_err("number of groups must be >= 1", function() return y:ntile(0) end)
    H.cni_err("runtime", "weight 2 is negative or infinite", function()
      return cni.seq(4):ntile(2, {weights = col{1, -1, 1, 1}})
    end)
    H.cni_err("runtime", "columns differ in length (10 and 1)", function() return y:ntile(2, {weights = col{1}}) end)
    H.cni_err("usage", "ntile: unknown option 'weight' (did you mean 'weights'?)", function()
      return y:ntile(2, {weight = y})
    end)
  end)
end)

describe("quantile, median, sd", function()
  local y = cni.seq(10)

  it("type 7 (default): h = (n - 1) p + 1, linear interpolation", function()
    -- p = 0.25: h = 9 * 0.25 + 1 = 3.25 -> 3 + 0.25 * (4 - 3) = 3.25
    assert.equal(3.25, y:quantile(0.25))
    -- p = 0.5: h = 5.5 -> 5.5
    assert.equal(5.5, y:quantile(0.5))
    -- p = 0.1: h = 1.9 -> 1.9; p = 0 -> min; p = 1 -> max
    near({1, 1.9, 10}, y:quantile{0, 0.1, 1})
  end)

  it("type 1: inverse of the empirical CDF", function()
    -- n p = 2.5 -> x[3]; n p = 5 (integer) -> x[5]; n p = 5.5 -> x[6]
    assert.equal(3, y:quantile(0.25, {type = 1}))
    assert.equal(5, y:quantile(0.5, {type = 1}))
    assert.equal(6, y:quantile(0.55, {type = 1}))
  end)

  it("missing values are dropped", function()
    -- {3, 1, NA, 2}: valid {1, 2, 3}; median = 2
    assert.equal(2, col{3, 1, NA, 2}:quantile(0.5))
    assert.equal(2, col{3, 1, NA, 2}:median())
    assert.equal(5.5, y:median())
  end)

  it("weighted quantile: smallest x whose cumulative weight reaches p W", function()
    -- x = 1..4, w = {1, 1, 1, 1}: p = 0.5 -> S = 2 at x = 2
    assert.equal(2, cni.seq(4):quantile(0.5, {weights = col{1, 1, 1, 1}}))
    -- w = {5, 1, 1, 1}: W = 8, p W = 4 <= S_1 = 5 -> x = 1
    assert.equal(1, cni.seq(4):quantile(0.5, {weights = col{5, 1, 1, 1}}))
  end)

  it("errors", function()
    H.cni_err("runtime", "quantile: probability 1.5 outside [0,1]", function() return y:quantile(1.5) end)
    H.cni_err("runtime", "quantile: type must be 1..9 (got 10)", function() return y:quantile(0.5, {type = 10}) end)
    H.cni_err("usage", "quantile: probabilities must be numbers", function() return y:quantile{0.5, "x"} end)
  end)

  it("sd: sample (n - 1) by default, population with sample = false", function()
    -- 1..10: population variance (n^2 - 1) / 12 = 99 / 12 = 8.25
    H.close(math.sqrt(8.25), y:sd{sample = false})
    -- sample variance 8.25 * 10 / 9
    H.close(math.sqrt(8.25 * 10 / 9), y:sd())
    assert.is_nil(col{1}:sd())
    assert.equal(0, col{1}:sd{sample = false})
  end)
end)

describe("normalisation", function()
  it("zscore with sample and population sd", function()
    -- {1, 2, 3}: mean 2, sample sd 1 -> -1, 0, 1
    assert.same({-1, 0, 1}, vals(col{1, 2, 3}:zscore()))
    -- population sd sqrt(2/3) -> +-1 / sqrt(2/3) = +-sqrt(1.5)
    near({-math.sqrt(1.5), 0, math.sqrt(1.5)}, col{1, 2, 3}:zscore{sample = false})
    -- constant column -> 0; NaN kept
    assert.same({0, 0, "NA"}, vals(col{2, 2, NA}:zscore()))
  end)

  it("minmax rescales to [lo, hi]; constant -> lo", function()
    assert.same({0, 0.5, 1, "NA"}, vals(col{1, 3, 5, NA}:minmax()))
    assert.same({0, 50, 100}, vals(col{1, 3, 5}:minmax{lo = 0, hi = 100}))
    assert.same({0, 0}, vals(col{7, 7}:minmax()))
  end)

  it("distance to a reference", function()
    assert.same({0.5, 1, 1.5}, vals(col{50, 100, 150}:distance(100)))
    assert.same({-0.5, 0, 0.5}, vals(col{50, 100, 150}:distance(100, {relative = true})))
    H.cni_err("runtime", "reference must be finite and non-zero", function() return col{1}:distance(0) end)
  end)

  it("winsorise at quantiles", function()
    -- {1, 2, 3, 4, 5, 100}: Q7(0.8): h = 5 * 0.8 + 1 = 5 -> 5; Q7(0) = 1
    assert.same({1, 2, 3, 4, 5, 5}, vals(col{1, 2, 3, 4, 5, 100}:winsorise{q = {0, 0.8}}))
  end)

  it("winsorise at mean +- k sd", function()
    -- mean = 115 / 6; deviations -109/6, -103/6, -97/6, -91/6, -85/6, 485/6
    -- sum of squares = (109^2 + 103^2 + 97^2 + 91^2 + 85^2 + 485^2) / 36
    --                = (11881 + 10609 + 9409 + 8281 + 7225 + 235225) / 36 = 282630 / 36
    -- sample sd = sqrt(282630 / 36 / 5); upper bound = mean + sd
    local hi = 115 / 6 + math.sqrt(282630 / 36 / 5)
    near({1, 2, 3, 4, 5, hi}, col{1, 2, 3, 4, 5, 100}:winsorise{sd = 1})
  end)

  it("winsorise needs exactly one of q and sd", function()
    H.cni_err("usage", "winsorise: give exactly one of 'q' or 'sd'", function() return col{1}:winsorise{} end)
    H.cni_err("usage", "winsorise: give exactly one of 'q' or 'sd'", function()
      return col{1}:winsorise{q = {0, 1}, sd = 2}
    end)
    H.cni_err("usage", "winsorise: 'q' must be {low, high}", function() return col{1}:winsorise{q = 0.5} end)
  end)
end)

describe("transforms", function()
  it("log returns the values and the number of invalid inputs", function()
    local l, bad = col{1, math.exp(1), 0, -1, NA}:log()
    near({0, 1, "NA", "NA", "NA"}, l)
    assert.equal(2, bad)     -- 0 and -1; NA is not counted
    local l1, bad1 = col{0, -1}:log1p()
    near({0, "NA"}, l1)
    assert.equal(1, bad1)
  end)

  it("abs, sqrt, exp, floor, ceil", function()
    assert.same({1, 2, "NA"}, vals(col{-1, 2, NA}:abs()))
    assert.same({2, 3}, vals(col{4, 9}:sqrt()))
    assert.same({1}, vals(col{0}:exp()))
    assert.same({1, -2}, vals(col{1.5, -1.5}:floor()))
    assert.same({2, -1}, vals(col{1.5, -1.5}:ceil()))
  end)

  it("qnorm and pnorm on numbers and columns", function()
    assert.equal(0, cni.qnorm(0.5))
    H.close(1.959963984540054, cni.qnorm(0.975), 1e-12)   -- the familiar 1.96
    assert.equal(0.5, cni.pnorm(0))
    assert.equal(-math.huge, cni.qnorm(0))
    assert.same({0.5, "NA"}, vals(cni.pnorm(col{0, NA})))
  end)

  it("normal_scores: qnorm of (r - 1/2) / n by default", function()
    -- n = 3, ranks 1, 2, 3 -> p = 1/6, 1/2, 5/6; qnorm(5/6) = 0.9674215661017...
    local z = col{1, 2, 3}:normal_scores()
    near({-0.96742156610170, 0, 0.96742156610170}, z, 1e-12)
    -- symmetric: scores of reversed data are the negated scores
    assert.equal(-z[1], z[3])
  end)

  it("normal_scores offsets: blom (r - 3/8) / (n + 1/4), vdw r / (n + 1)", function()
    -- vdw, n = 4: p = 0.2, 0.4, 0.6, 0.8; qnorm(0.8) = 0.8416212335729,
    -- qnorm(0.6) = 0.2533471031358
    near({-0.8416212335729, -0.2533471031358, 0.2533471031358, 0.8416212335729},
      cni.seq(4):normal_scores{offset = "vdw"}, 1e-12)
    -- blom, n = 1: p = (1 - 3/8) / (5/4) = 0.5 -> 0
    assert.same({0}, vals(col{42}:normal_scores{offset = "blom"}))
    H.cni_err("usage", "option 'offset': unknown value 'bloom' (did you mean 'blom'?)", function()
      return col{1}:normal_scores{offset = "bloom"}
    end)
  end)

  it("exp_transform: rank 1 -> 100, X = -23 ln(1 - R (1 - e^(-100/23)))", function()
    -- N = 4 (non-missing ranks); R = (N - rank + 1) / N
    local a = 1 - math.exp(-100 / 23)
    local function X(R) return -23 * math.log(1 - R * a) end
    near({100, X(0.75), X(0.5), X(0.25), "NA"}, col{1, 2, 3, 4, NA}:exp_transform(), 1e-12)
    -- explicit n = 10: rank 10 -> R = 0.1
    near({100, X(0.1)}, col{1, 10}:exp_transform{n = 10}, 1e-12)
    -- X(0.75) = 31.0091..., checked once by hand
    H.close(31.0091, col{1, 2, 3, 4}:exp_transform()[2], 1e-5)
  end)

  it("exp_transform of a large column (rows split over the cores) matches the formula", function()
    -- ln(1 - y) without cancellation for small y: the series to y^14 / 14
    local function log1m(y)
      if y >= 1e-2 then return math.log(1 - y) end
      local s, p = 0, 1
      for k = 1, 14 do p = p * y; s = s - p / k end
      return s
    end
    local n = 250000
    local e = vals(cni.seq(n):exp_transform())
    local bad = 0
    for _, r in ipairs{1, 2, 3, 131071, 131072, 131073, 200000, n - 1, n} do
      local want = r == 1 and 100 or -23 * log1m((n - r + 1) / n * (1 - math.exp(-100 / 23)))
      if math.abs(e[r] - want) > 1e-12 * want then bad = bad + 1 end
    end
    assert.equal(0, bad)
  end)

  it("exp_transform: ranks outside [1, N] give NaN", function()
    assert.same({100, "NA"}, vals(col{1, 5}:exp_transform{n = 4}))
  end)
end)

describe("combine", function()
  local a, b, c = col{1, 2, NA}, col{3, NA, NA}, col{2, 2, 2}

  it("inplace = true writes the result over the first column", function()
    for _, n in ipairs{5, 200000} do
      local function cols()
        local u, v = {}, {}
        for i = 1, n do u[i] = i % 7; v[i] = (i % 11 == 0) and NA or i / 3 end
        return {col(u), col(v)}
      end
      for _, opts in ipairs{{how = "wmean", weights = {1, 3}}, {how = "max", na = "skip"}} do
        local want = vals(cni.combine(cols(), opts))
        local c = cols()
        opts.inplace = true
        local got = cni.combine(c, opts)
        assert.equal(c[1], got)
        assert.same(want, vals(c[1]))
      end
    end
    local t = cni.table{{"x", {1, 2}}}
    H.cni_err("usage", "combine: inplace: column 1 is shared", function()
      return cni.combine({t.x, col{1, 2}}, {inplace = true}) end)
  end)

  it("large columns (rows split over the cores) sum each row left to right", function()
    -- 300,000 rows (above the 2^17 rows where rows are split over threads);
    -- reference: the same sums in plain Lua, in column order
    local n, u, v, w = 300000, {}, {}, {}
    for i = 1, n do u[i] = i / 7; v[i] = (i % 13 == 0) and NA or 1 / i; w[i] = -i / 3 end
    local got = vals(cni.combine({col(u), col(v), col(w)}, {how = "wmean", weights = {0.2, 0.5, 0.3}}))
    local bad = 0
    for i = 1, n do
      local want = (((0.0 + 0.2 * u[i]) + 0.5 * v[i]) + 0.3 * w[i]) / ((0.0 + 0.2 + 0.5) + 0.3)
      if want ~= want then want = "NA" end
      if got[i] ~= want then bad = bad + 1 end
    end
    assert.equal(0, bad)
  end)

  it("wsum with na = propagate (default)", function()
    assert.same({6, "NA", "NA"}, vals(cni.combine{a, b, c}))
  end)

  it("wsum with na = skip rescales by total / present weight", function()
    -- row 2: (2 + 2) * 3 / 2 = 6; row 3: 2 * 3 / 1 = 6
    assert.same({6, 6, 6}, vals(cni.combine({a, b, c}, {na = "skip"})))
  end)

  it("wmean with weights", function()
    -- weights {1, 1, 2}: row 1 (1 + 3 + 4) / 4 = 2; row 2 (2 + 4) / 3 = 2; row 3 4 / 2 = 2
    assert.same({2, 2, 2}, vals(cni.combine({a, b, c}, {how = "wmean", weights = {1, 1, 2}, na = "skip"})))
    -- propagate: row 1 only
    assert.same({2, "NA", "NA"}, vals(cni.combine({a, b, c}, {how = "wmean", weights = {1, 1, 2}})))
  end)

  it("min, max, count_above", function()
    assert.same({1, 2, 2}, vals(cni.combine({a, b, c}, {how = "min", na = "skip"})))
    assert.same({3, 2, 2}, vals(cni.combine({a, b, c}, {how = "max", na = "skip"})))
    -- threshold 1.5: row 1 {1, 3, 2} -> 2; row 2 {2, 2} -> 2; row 3 {2} -> 1
    assert.same({2, 2, 1}, vals(cni.combine({a, b, c}, {how = "count_above", threshold = 1.5, na = "skip"})))
  end)

  it("geomean and harmean; non-positive values give NaN", function()
    -- sqrt(1 * 4) = 2; 4 and -1 -> NaN
    assert.same({2, "NA"}, vals(cni.combine({col{1, 4}, col{4, -1}}, {how = "geomean"})))
    -- 2 / (1/1 + 1/4) = 1.6; 2 / (1/4 + 1/4) = 4
    near({1.6, 4}, cni.combine({col{1, 4}, col{4, 4}}, {how = "harmean"}))
  end)

  it("na = error names the row and column of the first missing value", function()
    local e = H.cni_err("data", 'combine: missing value in row 2 of column 2 (na = "error")', function()
      return cni.combine({a, b, c}, {na = "error"})
    end)
    assert.truthy(e.msg:match("stats_spec%.lua:%d+: combine"))
  end)

  it("argument errors", function()
    H.cni_err("usage", "combine: 'weights' must list 3 numbers, one per column", function()
      return cni.combine({a, b, c}, {weights = {1}})
    end)
    H.cni_err("usage", "expected a non-empty list of columns", function() return cni.combine({}) end)
    H.cni_err("runtime", "columns differ in length (3 and 1)", function() return cni.combine({a, col{1}}) end)
    H.cni_err("usage", "element 2 of the column list is not a numeric column", function()
      return cni.combine({a, "x"})
    end)
    H.cni_err("usage", "option 'how': unknown value 'wsun' (did you mean 'wsum'?)", function()
      return cni.combine({a}, {how = "wsun"})
    end)
    H.cni_err("usage", "option 'na': unknown value 'skp' (did you mean 'skip'?)", function()
      return cni.combine({a}, {na = "skp"})
    end)
  end)
end)

describe("correlations", function()
  -- x = 1..5, y = {2, 1, 4, 3, 5}; dx = -2 -1 0 1 2, dy = -1 -2 1 0 2
  -- sum dx dy = 2 + 2 + 0 + 0 + 4 = 8; sum dx^2 = sum dy^2 = 10 -> r = 0.8
  local x, y = cni.seq(5), col{2, 1, 4, 3, 5}

  it("pearson returns r and the number of rows used", function()
    local r, n = cni.pearson(x, y)
    H.close(0.8, r, 1e-14)
    assert.equal(5, n)
  end)

  it("spearman: the data are their own ranks, so rho = 0.8", function()
    local r, n = cni.spearman(x, y)
    H.close(0.8, r, 1e-14)
    assert.equal(5, n)
  end)

  it("kendall tau-b: 8 concordant, 2 discordant pairs of 10 -> 0.6", function()
    -- discordant pairs: (1,2) and (3,4)
    H.close(0.6, (cni.kendall(x, y)), 1e-14)
  end)

  it("kendall tau-b with ties", function()
    -- x = {1, 2, 2, 3}, y = {1, 2, 3, 3}: n0 = 6, one x-tie, one y-tie,
    -- C = 4, D = 0 -> 4 / sqrt(5 * 5) = 0.8
    H.close(0.8, (cni.kendall(col{1, 2, 2, 3}, col{1, 2, 3, 3})), 1e-14)
  end)

  it("pairwise-complete rows; undefined cases are NaN", function()
    local r, n = cni.pearson(col{1, 2, NA, 4}, col{2, 4, 6, NA})
    H.close(1, r, 1e-14)       -- rows 1 and 2 only: a straight line
    assert.equal(2, n)
    local r0 = cni.pearson(col{1, 1, 1}, col{1, 2, 3})
    assert.is_true(r0 ~= r0)
  end)

  it("cor_matrix is symmetric with unit diagonal", function()
    local m = cni.cor_matrix{x, y}
    H.close(1, m[1][1]); H.close(1, m[2][2])
    H.close(0.8, m[1][2], 1e-14); H.close(0.8, m[2][1], 1e-14)
    H.close(0.6, cni.cor_matrix({x, y}, {method = "kendall"})[1][2], 1e-14)
    H.cni_err("usage", "option 'method': unknown value 'kendal' (did you mean 'kendall'?)", function()
      return cni.cor_matrix({x, y}, {method = "kendal"})
    end)
  end)

  it("correlation errors", function()
    H.cni_err("runtime", "columns differ in length (5 and 1)", function() return cni.pearson(x, col{1}) end)
    H.cni_err("runtime", "expected a numeric column", function() return cni.spearman(x, col{"a"}) end)
  end)

  it("cronbach_alpha", function()
    -- var(x) = var(y) = 10 / 4 = 2.5; x + y = {3, 3, 7, 7, 10}, mean 6,
    -- squares 9 + 9 + 1 + 1 + 16 = 36, var = 9; alpha = 2 (1 - 5/9) = 8/9
    H.close(8 / 9, cni.cronbach_alpha{x, y}, 1e-14)
  end)

  it("eigen of [[2, 1], [1, 2]]: values 3, 1; vectors (1, 1)/sqrt 2, (1, -1)/sqrt 2", function()
    local vals_, vecs = cni.eigen{{2, 1}, {1, 2}}
    H.close(3, vals_[1], 1e-14)
    H.close(1, vals_[2], 1e-14)
    local s = 1 / math.sqrt(2)
    H.close(s, vecs[1][1], 1e-14); H.close(s, vecs[2][1], 1e-14)
    H.close(s, vecs[1][2], 1e-14); H.close(-s, vecs[2][2], 1e-14)
    H.cni_err("usage", "matrix row 1: expected 1 numbers", function() return cni.eigen{{1, 2}} end)
  end)

  it("pca_weights of [[1, .5], [.5, 1]]: one component kept, equal weights", function()
    -- eigenvalues 1.5, 0.5; only 1.5 > 1 is kept; loadings sqrt(1.5)/sqrt(2)
    -- each, squared 0.75 each -> weights 0.5, 0.5; explained 1.5, 0.5
    local w, ld, ex, nkept = cni.pca_weights{{1, 0.5}, {0.5, 1}}
    near({0.5, 0.5}, w, 1e-12)
    near({1.5, 0.5}, ex, 1e-12)
    assert.equal(1, nkept)
    H.close(math.sqrt(0.75), math.abs(ld[1][1]), 1e-12)
  end)
end)

describe("group_by and Groups", function()
  -- la:  A  A  B  B   B  NA
  -- v:   1  2  3  NA  5  6
  -- p:  10 30  1  1   2  1
  -- f:   T  F  T  T   F  T
  local t = cni.table{
    {"la", {"A", "A", "B", "B", "B", cni.null}},
    {"v", {1, 2, 3, NA, 5, 6}},
    {"p", {10, 30, 1, 1, 2, 1}},
    {"f", {true, false, true, true, false, true}},
  }
  local g = t:group_by("la")

  it("keys in order of first appearance, ids, sizes, __len, __tostring", function()
    assert.equal(2, #g)
    assert.same({"A", "B"}, vals(g:keys()))
    assert.same({1, 1, 2, 2, 2, "NA"}, vals(g:ids()))   -- missing key: no group
    assert.same({2, 3}, vals(g:sizes()))
    assert.equal("cni.Groups (2 groups over 6 rows)", tostring(g))
  end)

  it("agg: count, sum, mean, median, min, max skip missing values", function()
    assert.same({2, 2}, vals(g:agg("count", t.v)))     -- B: 3, 5
    assert.same({3, 8}, vals(g:agg("sum", t.v)))
    assert.same({1.5, 4}, vals(g:agg("mean", t.v)))
    assert.same({1.5, 4}, vals(g:agg("median", t.v)))
    assert.same({1, 3}, vals(g:agg("min", t.v)))
    assert.same({2, 5}, vals(g:agg("max", t.v)))
  end)

  it("agg: wmean, share, wshare", function()
    -- A: (1*10 + 2*30) / 40 = 1.75; B: (3*1 + 5*2) / 3 = 13/3 (row with NA v skipped)
    near({1.75, 13 / 3}, g:agg("wmean", t.v, t.p))
    -- share of true f: A 1/2, B 2/3
    near({0.5, 2 / 3}, g:agg("share", t.f))
    -- weighted: A 10 / 40; B (1 + 1) / (1 + 1 + 2)
    near({0.25, 0.5}, g:agg("wshare", t.f, t.p))
  end)

  it("expand spreads group values back to rows", function()
    assert.same({3, 3, 8, 8, 8, "NA"}, vals(g:expand(g:agg("sum", t.v))))
    H.cni_err("runtime", "expand: expected 2 values, got 1", function() return g:expand(col{1}) end)
  end)

  it("cni.group_by(column) is the same as t:group_by(name)", function()
    local g2 = cni.group_by(t.la)
    assert.same(vals(g:ids()), vals(g2:ids()))
  end)

  it("numeric keys group too", function()
    local g3 = cni.group_by(col{3, 1, 3, NA})
    assert.same({3, 1}, vals(g3:keys()))
    assert.same({1, 2, 1, "NA"}, vals(g3:ids()))
  end)

  it("errors", function()
    H.lua_err("invalid option 'avg'", function() return g:agg("avg", t.v) end)
    H.lua_err("cni.Column expected, got nil", function() return g:agg("wmean", t.v) end)
    H.cni_err("runtime", "cannot aggregate a string column", function() return g:agg("sum", t.la) end)
    H.cni_err("runtime", "column has 1 rows, the groups 6", function() return g:agg("sum", col{1}) end)
    H.cni_err("data", "no column 'LA' (did you mean 'la'?)", function() return t:group_by("LA") end)
  end)

  it("groups survive closing the table; closed groups are an error", function()
    local keep
    do
      local t2 <close> = cni.table{{"k", {"x", "y", "x"}}}
      local g4 <close> = t2:group_by("k")
      keep = g4
      assert.same({2, 1}, vals(g4:sizes()))
    end
    H.lua_err("attempt to use closed groups", function() return #keep end)
    local t3 = cni.table{{"k", {"x", "y", "x"}}}
    local g5 = t3:group_by("k")
    t3:close()
    assert.same({"x", "y"}, vals(g5:keys()))
  end)
end)

describe("Groups:imd (IMD summary measures)", function()
  -- Five areas in two districts, national N = 5 (rank 1 = most deprived).
  --   la  score  rank  pop   r' = N - rank + 1
  --   A    40     1    100   5
  --   A    20     3    200   3
  --   A    10     4    100   2
  --   B    30     2     50   4
  --   B     5     5     50   1
  local T = cni.table{
    {"la", {"A", "A", "A", "B", "B"}},
    {"score", {40, 20, 10, 30, 5}},
    {"rank", {1, 3, 4, 2, 5}},
    {"pop", {100, 200, 100, 50, 50}},
  }
  local G = T:group_by("la")
  local args = {score = T.score, rank = T.rank, pop = T.pop}

  it("avg_score: population-weighted mean score", function()
    -- A: (40*100 + 20*200 + 10*100) / 400 = 9000 / 400 = 22.5
    -- B: (30*50 + 5*50) / 100 = 17.5
    near({22.5, 17.5}, G:imd("avg_score", args))
  end)

  it("avg_rank: population-weighted mean of r' (high = deprived)", function()
    -- A: (5*100 + 3*200 + 2*100) / 400 = 1300 / 400 = 3.25; B: (4*50 + 1*50) / 100 = 2.5
    near({3.25, 2.5}, G:imd("avg_rank", args))
  end)

  it("extent: weights by national percentile q = ceil(100 rank / N)", function()
    -- N = 5: q = 20 rank -> 20, 60, 80 (A), 40, 100 (B).
    -- e(20) = 0.95 - (0.90 / 19) * (20 - 11); e(q > 30) = 0.
    -- A: 100 * e(20) / 400; B: 0
    local e20 = 0.95 - (0.90 / 19) * 9
    near({100 * e20 / 400, 0}, G:imd("extent", args))
    -- with n = 100 every area is in percentiles 1..5: e = 1 everywhere
    near({1, 1}, G:imd("extent", {rank = T.rank, pop = T.pop, n = 100}))
  end)

  it("local_conc: mean r' of the most deprived 10% of the population", function()
    -- A: T = 40 people, all from the rank-1 area (r' = 5) -> 5
    -- B: T = 10 people, all from the rank-2 area (r' = 4) -> 4
    near({5, 4}, G:imd("local_conc", args))
  end)

  it("prop_d1: share of areas in the national most deprived decile", function()
    -- n = 20: decile 1 when 10 rank <= 20, i.e. rank <= 2.
    -- A: ranks 1, 3, 4 -> 1/3; B: ranks 2, 5 -> 1/2
    near({1 / 3, 1 / 2}, G:imd("prop_d1", {rank = T.rank, n = 20}))
    -- N = 5: 10 rank <= 5 never holds
    near({0, 0}, G:imd("prop_d1", {rank = T.rank}))
  end)

  it("errors", function()
    H.cni_err("runtime", "row 3 has rank 4 outside [1, 3]", function()
      return G:imd("avg_rank", {rank = T.rank, pop = T.pop, n = 3})
    end)
    H.cni_err("runtime", "score", function() return G:imd("avg_score", {rank = T.rank, pop = T.pop}) end)
    H.lua_err("invalid option 'avg_scor'", function() return G:imd("avg_scor", args) end)
    H.cni_err("usage", "imd: unknown option 'popn' (did you mean 'pop'?)", function()
      return G:imd("avg_rank", {rank = T.rank, popn = T.pop})
    end)
    H.cni_err("runtime", "'rank' has 1 rows, the groups 5", function() return G:imd("avg_rank", {rank = col{1}}) end)
  end)
end)

describe("eb_shrink", function()
  -- Parent P: (1 of 10), (3 of 10); parent Q: (10 of 10).
  -- z = ln((r + .5) / (d - r + .5)), s^2 = 1/(r + .5) + 1/(d - r + .5)
  local function logit_e(r, d) return math.log((r + 0.5) / (d - r + 0.5)) end
  local function s2(r, d) return 1 / (r + 0.5) + 1 / (d - r + 0.5) end
  local ev, den, par = col{1, 3, 10}, col{10, 10, 10}, col{"P", "P", "Q"}

  it("tau = mom: var(z) < mean(s^2) in P, so both areas shrink fully to 4/20", function()
    -- z1 = ln(1.5/9.5), z2 = ln(3.5/7.5); var (k - 1 = 1) = (z1 - z2)^2 / 2 = 0.587...
    -- mean s^2 = (0.7719 + 0.4190) / 2 = 0.595... > var -> t^2 = 0, w = 0
    local z1, z2 = logit_e(1, 10), logit_e(3, 10)
    assert.is_true((z1 - z2) ^ 2 / 2 < (s2(1, 10) + s2(3, 10)) / 2)
    local rate, w = cni.eb_shrink(ev, den, par)
    -- Q: R = D, so the empirical logit ln(10.5 / 0.5) = ln 21 -> rate 21/22; w = 0 (one area)
    near({0.2, 0.2, 21 / 22}, rate, 1e-12)
    near({0, 0, 0}, w)
  end)

  it("tau = var: t^2 = var(z), w = t^2 / (t^2 + s^2)", function()
    local z1, z2 = logit_e(1, 10), logit_e(3, 10)
    local t2 = (z1 - z2) ^ 2 / 2
    local zbar = math.log(0.2 / 0.8)            -- logit(4 / 20)
    local w1, w2 = t2 / (t2 + s2(1, 10)), t2 / (t2 + s2(3, 10))
    local function expit(z) return 1 / (1 + math.exp(-z)) end
    local rate, w = cni.eb_shrink(ev, den, par, {tau = "var"})
    near({w1, w2, 0}, w, 1e-12)
    near({expit(w1 * z1 + (1 - w1) * zbar), expit(w2 * z2 + (1 - w2) * zbar), 21 / 22}, rate, 1e-12)
  end)

  it("missing inputs give missing outputs; bad counts are errors", function()
    local rate = cni.eb_shrink(col{1, NA}, col{10, 10}, col{"P", "P"})
    assert.is_nil(rate[2])
    H.lua_err("row", function() return cni.eb_shrink(col{11}, col{10}, col{"P"}) end)
    H.cni_err("usage", "option 'tau': unknown value 'mon' (did you mean 'mom'?)", function()
      return cni.eb_shrink(ev, den, par, {tau = "mon"})
    end)
  end)
end)
