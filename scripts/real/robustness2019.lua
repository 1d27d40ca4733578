-- How robust is each of the 225 published-rule wards of 2019? A Monte Carlo
-- over three choices that could reasonably have gone the other way:
--   domain weights   Dirichlet(10, 10, 10) around equal weights;
--   thresholds       CNI and ward-IMD cut-offs each uniform in 8%-12%;
--   transform        exponential (as published) or normal scores, equally likely;
-- 10,000 draws (seed 2019), plus Sobol indices (N = 1,000).
--   build/cnilua scripts/real/robustness2019.lua [--data DIR] [-o DIR] [--markdown]
-- --markdown prints the Markdown used in docs/robustness-2019.md (the test
-- suite checks the page against it).
local U = require "cni.uncertainty"
local run = require "cni.run"
local markdown = false
local pass = {}
for i = 1, #arg do
  if arg[i] == "--markdown" then markdown = true else pass[#pass + 1] = arg[i] end
end
local opts = run.parse_args(pass)
local base = cni.include("lbn2019.lua")
local spec = cni.variant(base, {
  name = "Robustness of the 2019 left-behind wards",
  uncertainty = {draws = 10000, seed = 2019, weights = {dirichlet = 10},
    thresholds = {index_top = {0.08, 0.12}, dep_top = {0.08, 0.12}},
    transforms = {"exp", "normal"}, sobol = {n = 1000, bootstrap = 500}},
})
local res = U.run(spec, {data = opts.data, quiet = markdown})
local s = res.summary
if not markdown then
  print(U.text(res))
  local dir = opts.out or "out/robustness-2019"
  local files = U.write(res, dir)
  print("\nwrote " .. dir .. " (" .. table.concat(files, ", ") .. ")")
  return
end
local f = cni.format_number
print(string.format("- Draws: %d (seed %d). Flagged per draw: mean %s, 5-95%% range %s-%s.",
  s.draws, s.seed, f(s.flagged_mean, 4), f(s.flagged_p05), f(s.flagged_p95)))
print(string.format("- Jaccard with the 2019 list: mean %s, 5-95%% range %s-%s.", f(s.jaccard_mean, 3),
  f(s.jaccard_p05, 3), f(s.jaccard_p95, 3)))
print(string.format("- Of the %d wards flagged by the 2019 rule: %d are flagged in at least 90%% of draws, %d in fewer than half.",
  s.base_flagged, s.robust, s.fragile))
print(string.format("- Borderline wards (flagged in 10%%-90%% of draws): %d.", s.borderline))
print("")
print("| output | choice | first-order S1 | total effect ST |")
print("| --- | --- | ---: | ---: |")
for _, out in ipairs{"nflag", "jaccard"} do
  for _, row in ipairs(s.sobol[out]) do
    print(string.format("| %s | %s | %s [%s, %s] | %s [%s, %s] |", out == "nflag" and "flagged count" or "Jaccard",
      row.factor, f(row.S1, 2), f(row.S1_lo, 2), f(row.S1_hi, 2), f(row.ST, 2), f(row.ST_lo, 2), f(row.ST_hi, 2)))
  end
end
print("")
print("| ward | name | local authority | 2019 CNI rank | P(flagged) | CNI rank, 5%-95% of draws |")
print("| --- | --- | --- | ---: | ---: | --- |")
local pa = res.per_area:filter(res.per_area.base_flag):sort{{"p_flag", desc = true}, "base_rank"}
for i = 1, #pa do
  local r = pa:row(i)
  print(string.format("| %s | %s | %s | %d | %s | %d-%d |", r.ward17_code, r.ward17_name, r.lad19_name,
    r.base_rank, f(r.p_flag, 3), r.rank_p05, r.rank_p95))
end
