-- tests/real/run.lua: checks against the real published files in
-- ../shared/data/real (CNI 2019 wards, IMD 2019 LSOAs). Run by ctest as
--   build/cnilua tests/real/run.lua ROOT
-- Exits 77 (ctest: skipped), saying so, when the folder is absent.
local root = arg[1] or "."
local real = os.getenv("CNI_REAL_DATA") or (root .. "/../shared/data/real")

local function exists(p) local f = io.open(p, "r"); if f then f:close() end; return f ~= nil end
if not exists(real .. "/README.md") then
  print("SKIPPED: real data folder " .. real .. " not found; no real-data test was run")
  os.exit(77)
end

local pass, fail = 0, 0
local function check(cond, what)
  if cond then pass = pass + 1 else fail = fail + 1; print("FAIL: " .. what) end
end
local function f(x) return cni.format_number(x, 6) end

-- {===== every file loads with the right types and row counts (issue 2)
local expect = {
  ["cni2019_england_ward17.csv"] = {rows = 7433, cols = 13,
    types = {ward17_code = "string", ["Civic Assets score"] = "number",
             ["Community Needs Index rank"] = "number", ["Left Behind Area?"] = "boolean"}},
  ["imd2019_england_lsoa11.csv"] = {rows = 32844, cols = 17,
    types = {lsoa11_code = "string", IMD_rank = "number", Environment_decile = "number"}},
  ["imd2019_england_lsoa11_indicators.csv"] = {rows = 32844, cols = 29,
    types = {lsoa11_code = "string", income_domain_numerator = "number", air_quality_indicator = "number"}},
  ["imd2019_england_lsoa11_subdomains.csv"] = {rows = 32844, cols = 19,
    types = {lsoa11_code = "string", Geographical_barriers_rank = "number"}},
  ["lookup_lsoa11_ward17.csv"] = {rows = 32844, cols = 8,
    types = {lsoa11_code = "string", ward17_code = "string", region_name = "string"}},
  ["population_lsoa11.csv"] = {rows = 32844, cols = 3,
    types = {lsoa11_code = "string", population = "number", year = "number"}},
}
local names = {}
for k in pairs(expect) do names[#names + 1] = k end
table.sort(names)
local T = {}
for _, name in ipairs(names) do
  local e = expect[name]
  local t = cni.read_csv(real .. "/" .. name)
  T[name] = t
  check(#t == e.rows, name .. ": " .. #t .. " rows, expected " .. e.rows)
  check(t:ncol() == e.cols, name .. ": " .. t:ncol() .. " columns, expected " .. e.cols)
  local types = t:types()
  local keys = {}
  for k in pairs(e.types) do keys[#keys + 1] = k end
  table.sort(keys)
  for _, k in ipairs(keys) do
    check(types[k] == e.types[k], name .. ": column '" .. k .. "' is " .. tostring(types[k]) .. ", expected " .. e.types[k])
  end
  -- every column but the codes and names is numeric or boolean
  for _, k in ipairs(t:names()) do
    if not (k:match("_code$") or k:match("_name$")) then
      check(types[k] ~= "string", name .. ": column '" .. k .. "' should not be text")
    end
  end
end
local ind = T["imd2019_england_lsoa11_indicators.csv"]
-- 5,758 empty (= missing) cells in the indicators file (bench README)
local nmiss = 0
for _, k in ipairs(ind:names()) do nmiss = nmiss + ind:col(k):nmissing() end
check(nmiss == 5758, "indicators: " .. nmiss .. " missing cells, expected 5758")
check(T["population_lsoa11.csv"].population:sum() == 54728204, "population total")
check(T["cni2019_england_ward17.csv"]["Left Behind Area?"]:count(true) == 225, "225 left-behind wards")
-- }=====

-- {===== IMD 2019 rebuilt from the seven domain ranks (issue 3)
local imd = T["imd2019_england_lsoa11.csv"]
local N = #imd
local weights = {Income = .225, Employment = .225, Education = .135, Health = .135,
                 Crime = .093, Housing_and_Access = .093, Environment = .093}
local doms = {"Income", "Employment", "Education", "Health", "Crime", "Housing_and_Access", "Environment"}
local score = cni.fill(N, 0)
for _, d in ipairs(doms) do
  score = score + imd:col(d .. "_rank"):exp_transform{n = N} * weights[d]
end
local rank = score:rank{desc = true, ties = "first"}
local exact = rank:eq(imd.IMD_rank):count(true)
local maxdiff = (rank - imd.IMD_rank):abs():max()
check(exact / N >= 0.996, "IMD rank exact share " .. f(exact / N) .. " < 0.996")
check(exact == 32736, "IMD exact ranks: " .. exact .. " (expected 32,736 as in the data README)")
check(maxdiff <= 2, "IMD max rank difference " .. f(maxdiff))
local decile = rank:ntile(10, {weights = cni.fill(N, 1)})  -- ceil(10 rank / N), as MHCLG
check(decile:eq(imd.IMD_decile):count(true) == N, "IMD deciles all equal")
local top = rank:order():get(1)
check(imd:col("lsoa11_code"):get(top) == "E01021988", "IMD rank 1 is E01021988")
check(math.abs(score:get(top) - 92.735234) < 1e-6, "IMD top score 92.735234, got " .. f(score:get(top)))
print(string.format("IMD 2019: %d of %d LSOA ranks exact (%.4f%%), max difference %d, deciles %d/%d equal",
  exact, N, 100 * exact / N, maxdiff, decile:eq(imd.IMD_decile):count(true), N))
-- }=====

-- {===== CNI 2019 rebuilt from the domain ranks
local cni19 = T["cni2019_england_ward17.csv"]
local W = #cni19
local cscore = cni19:col("Civic Assets rank"):exp_transform{n = W}
  + cni19:col("Connectedness rank"):exp_transform{n = W}
  + cni19:col("Engaged community rank"):exp_transform{n = W}
local cdiff = (cscore - cni19:col("Community Needs Index score")):abs():max()
local crank = cscore:rank{desc = true, ties = "first"}
local cexact = crank:eq(cni19:col("Community Needs Index rank")):count(true)
check(cdiff < 0.01, "CNI max score difference " .. f(cdiff))
check(cexact / W >= 0.999, "CNI exact rank share " .. f(cexact / W))
print(string.format("CNI 2019: max |score - published| = %.6f, %d of %d ranks exact (%.3f%%)",
  cdiff, cexact, W, 100 * cexact / W))
-- }=====

-- {===== Geographical Barriers sub-domain from four road distances
local sub = T["imd2019_england_lsoa11_subdomains.csv"]
local j = ind:join(sub:select{"lsoa11_code", "Geographical_barriers_rank"}, {on = "lsoa11_code", require = "all"})
local roads = {"road_distance_to_a_post_office_indicator_km", "road_distance_to_a_primary_school_indicator_km",
  "road_distance_to_general_store_or_supermarket_indicator_km", "road_distance_to_a_gp_surgery_indicator_km"}
local ns = {}
for i, k in ipairs(roads) do ns[i] = j:col(k):normal_scores{offset = "vdw"} end
local geo = cni.combine(ns, {how = "wmean"})
local grank = geo:rank{desc = true}
local rho = cni.spearman(grank, j.Geographical_barriers_rank)
check(rho >= 0.9999, "Geographical barriers Spearman " .. f(rho))
print(string.format("Geographical Barriers: Spearman %.8f with the published rank", rho))
-- }=====

-- {===== local-authority summaries from LSOAs against R on the same files
local lk = T["lookup_lsoa11_ward17.csv"]:select{"lsoa11_code", "lad17_code"}
local ls = imd:select{"lsoa11_code", "IMD_rank"}:with("score", score)
ls = ls:join(lk, {on = "lsoa11_code", require = "all"})
ls = ls:join(T["population_lsoa11.csv"], {on = "lsoa11_code", require = "all"})
local g = ls:group_by("lad17_code")
local las = g:keys()
local meas = {
  avg_score = g:imd("avg_score", {score = ls.score, pop = ls.population, n = N}),
  extent = g:imd("extent", {rank = ls.IMD_rank, pop = ls.population, n = N}),
  avg_rank = g:imd("avg_rank", {rank = ls.IMD_rank, pop = ls.population, n = N}),
  prop_d1 = g:imd("prop_d1", {rank = ls.IMD_rank, n = N}),
}
local res = cni.table{{"lad17_code", las}, {"avg_score", meas.avg_score}, {"extent", meas.extent},
  {"avg_rank", meas.avg_rank}, {"prop_d1", meas.prop_d1}}
local ref = cni.read_csv(root .. "/tests/fixtures/real/la_measures_r.csv")
local cmp, rep = ref:join(res, {on = "lad17_code", suffix = "_c"})
check(#rep.unmatched_left == 0 and #rep.unmatched_right == 0, "LA sets equal")
check(#ref == 326, "326 districts")
for _, m in ipairs{"avg_score", "extent", "avg_rank", "prop_d1"} do
  local d = ((cmp:col(m) - cmp:col(m .. "_c")) / cmp:col(m)):abs()
  local worst = cmp:col(m .. "_c"):isna():count(true) > 0 and math.huge or (d:max() or 0)
  check(worst <= 1e-12, "LA " .. m .. ": max relative difference " .. f(worst))
  print(string.format("local authorities, %s: max relative difference with R %.2e", m, worst))
end
-- }=====

print(string.format("%d passed, %d failed", pass, fail))
os.exit(fail == 0 and 0 or 1)
