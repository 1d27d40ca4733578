-- W4 indicators (../shared/bench): normal scores of all 28 indicators and
-- three sub-domain sums, ranked.
-- usage: cnilua w4_indicators.lua imd2019_england_lsoa11_indicators.csv out.csv
local t0 = cni.clock()
local d = cni.read_csv(arg[1])
local t1 = cni.clock()
local z = {}
for _, name in ipairs(d:names()) do
  if name ~= "lsoa11_code" then z[name] = d:col(name):normal_scores{offset = "rankit"} end
end
local geo = z.road_distance_to_a_post_office_indicator_km + z.road_distance_to_a_primary_school_indicator_km
  + z.road_distance_to_general_store_or_supermarket_indicator_km + z.road_distance_to_a_gp_surgery_indicator_km
local wider = z.household_overcrowding_indicator + z.homelessness_indicator_rate_per_1000_households
  + z.housing_affordability_indicator
local outdoors = z.air_quality_indicator + z.road_traffic_accidents_indicator
local out = cni.table{{"lsoa11_code", d.lsoa11_code},
  {"geo_rank", geo:rank{desc = true, ties = "first"}},
  {"wider_rank", wider:rank{desc = true, ties = "first"}},
  {"outdoors_rank", outdoors:rank{desc = true, ties = "first"}}}
local t2 = cni.clock()
out:write_csv(arg[2])
local t3 = cni.clock()
print(string.format("W4 cnilua: rows=%d", #d))
print(string.format("TIMING read=%.4f compute=%.4f write=%.4f", t1 - t0, t2 - t1, t3 - t2))
