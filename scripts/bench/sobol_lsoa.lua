-- Benchmark: a Sobol analysis with 3 choices (domain weights, domain
-- transform, aggregation rule) and N = 1,000 base samples (5,000 rebuilds)
-- over the 32,844 real LSOAs, from 20 indicators to the index: the shape
-- COINr was timed on (about 0.5 s per rebuild there).
--   build/cnilua scripts/bench/sobol_lsoa.lua [N]
local n = math.tointeger(tonumber(arg[1] or "1000"))
local U = require "cni.uncertainty"
local spec = cni.variant(require "cni.indices.imd2019_indicators", {
  name = "IMD-style index, Sobol",
  data_root = "../shared/data/real",
  uncertainty = {draws = 1, seed = 7, weights = {bounds = 0.5}, transforms = {"exp", "normal", "rank"},
    aggregation = {"sum", "geomean"}, sobol = {n = n, bootstrap = 500}},
})
local t0 = cni.clock()
local res = U.run(spec, {quiet = true})
local t1 = cni.clock()
print(string.format("Sobol, %d base samples, %d rebuilds over %d LSOAs: %.2f s (build from indicators %.2f s)",
  n, res.sobol.runs, res.base.n, t1 - t0, res.base.timings.load + res.base.timings.build))
for _, row in ipairs(res.summary.sobol.jaccard) do
  print(string.format("  Jaccard with the base: %-12s S1 %.3f ST %.3f", row.factor, row.S1, row.ST))
end
print(string.format("TIMING total=%.4f", t1 - t0))
