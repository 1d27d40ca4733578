-- W4 indicators (../shared/bench): normal scores of all 28 indicators and
-- three sub-domain sums, ranked. The 28 columns are scored on all cores
-- (cni.normal_scores_many: independent columns, same result at any number
-- of threads).
-- usage: cnilua w4_indicators.lua imd2019_england_lsoa11_indicators.csv out.csv
local t0 = cni.clock()
local d = cni.read_csv(arg[1])
local t1 = cni.clock()
local names, cols = {}, {}
for _, name in ipairs(d:names()) do
  if name ~= "lsoa11_code" then names[#names + 1] = name; cols[#cols + 1] = d:col(name) end
end
local zs = cni.normal_scores_many(cols, {offset = "rankit"})
local z = {}
for i, name in ipairs(names) do z[name] = zs[i] end
local function sum(list)
  local c = {}
  for i, name in ipairs(list) do c[i] = z[name] end
  return cni.combine(c, {how = "wsum"})     -- left to right; missing if any term is
end
local geo = sum{"road_distance_to_a_post_office_indicator_km", "road_distance_to_a_primary_school_indicator_km",
  "road_distance_to_general_store_or_supermarket_indicator_km", "road_distance_to_a_gp_surgery_indicator_km"}
local wider = sum{"household_overcrowding_indicator", "homelessness_indicator_rate_per_1000_households",
  "housing_affordability_indicator"}
local outdoors = sum{"air_quality_indicator", "road_traffic_accidents_indicator"}
local r = cni.rank_many({geo, wider, outdoors}, {desc = true, ties = "first"})
local out = cni.table{{"lsoa11_code", d.lsoa11_code}, {"geo_rank", r[1]}, {"wider_rank", r[2]},
  {"outdoors_rank", r[3]}}
local t2 = cni.clock()
out:write_csv(arg[2])
local t3 = cni.clock()
print(string.format("W4 cnilua: rows=%d", #d))
print(string.format("TIMING read=%.4f compute=%.4f write=%.4f", t1 - t0, t2 - t1, t3 - t2))
