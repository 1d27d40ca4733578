-- The Community Needs Index 2019 (OCSI for Local Trust) and the 2019
-- 'left behind' rule, from the published domain ranks of the 7,433 wards
-- (2017):
--   CNI   = sum of the three domain ranks, each exponentially transformed
--           (constant 23, upper bound 100), equal weights;
--   left behind = top 10% of wards on the CNI AND top 10% of wards on the
--           ward-level IMD 2019, 10% taken by count (743 of 7,433);
--   ward IMD = population-weighted mean of the LSOA IMD 2019 scores through
--           the ONS best-fit LSOA -> ward lookup (see docs/methodology.md:
--           OCSI did not publish how they built ward IMD; this is the best
--           reconstruction found).
-- Input layout: the files of ../shared/data/real (and of data/, which uses
-- the same layout).
local imd = require "cni.indices.imd2019"

return {
  name = "CNI 2019 left-behind neighbourhoods",
  inputs = {
    wards = {file = "cni2019_england_ward17.csv"},
    lsoa = {file = "imd2019_england_lsoa11.csv"},
    lookup = {file = "lookup_lsoa11_ward17.csv"},
    population = {file = "population_lsoa11.csv"},
  },
  unit = {
    input = "wards", key = "ward17_code", name = "ward17_name", la = "lad19_name",
    region = "region_name", label = "ward",
    attach = {{input = "lookup", key = "ward17_code", columns = {"region_name"}}},
  },
  geography = {
    imd = {
      from = "lsoa", key = "lsoa11_code",
      index = imd,
      lookup = {input = "lookup", from = "lsoa11_code", to = "ward17_code"},
      population = {input = "population", key = "lsoa11_code", column = "population"},
      measure = "avg_score",
    },
  },
  domains = {
    civic_assets = {column = "Civic Assets rank", as = "rank", order = 1, label = "Civic Assets"},
    connectedness = {column = "Connectedness rank", as = "rank", order = 2, label = "Connectedness"},
    engaged_community = {column = "Engaged community rank", as = "rank", order = 3,
      label = "Active and Engaged Community"},
  },
  domain_transform = {"exp", c = 23, upper = 100},
  index = {name = "cni", combine = "sum"},
  rules = {
    left_behind = {rule = "two_index", index_top = 0.10, dep = "imd", dep_top = 0.10, by = "count",
      label = "left behind (CNI top 10% and IMD top 10%)"},
  },
  flag = "left_behind",
}
