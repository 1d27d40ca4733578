-- The Community Needs Index 2019 built from indicators, and the 2019 'left
-- behind' rule: the indicator-level template of lua/cni/indices/cni2019.lua.
-- It is the baseline of the embedded SYNTHETIC default data in data/
-- (scripts/gen_data.lua, data/README.md): the published-style ranks in
-- data/cni2019_england_ward17.csv are made by exactly this run, so this spec
-- and cni2019.lua (which starts from those ranks) flag the same wards there.
--
--   per indicator: rank-based normal scores (rankit, (r - 1/2)/N), negated
--                  when a higher value means less need ("good");
--   per domain:    the mean of its indicators (equal weights), ranked
--                  (1 = most need), exponentially transformed (constant 23,
--                  upper bound 100), as in CNI 2019;
--   CNI:           sum of the three transformed domains (equal weights);
--   left behind:   top 10% of wards on the CNI AND top 10% on ward IMD, by
--                  count; ward IMD = population-weighted mean of the LSOA IMD
--                  2019 scores rebuilt from the domain ranks (imd2019.lua)
--                  through the best-fit LSOA -> ward lookup.
--
-- Input layout: data/ (wards.csv with one row per ward keyed by ward17_code,
-- plus the real-layout files imd2019_england_lsoa11.csv,
-- lookup_lsoa11_ward17.csv and population_lsoa11.csv). The real CNI 2019
-- indicators were never published in full (docs/methodology.md §1.2): the 19
-- below are the synthetic stand-ins, named after the published domain
-- descriptions. "Within reach" = in the ward or within 1 km of its edge.
local imd = require "cni.indices.imd2019"

-- name = {column, label, unit, direction}; direction "need": a higher value
-- means more need; "good": a higher value means less need.
local INDICATORS = {
  -- Civic Assets
  civic_community_space = {"civic_community_space_per_1k",
    "community space (halls, community centres, places of worship) within reach",
    "assets per 1,000 residents", "good"},
  civic_education = {"civic_education_assets_per_1k",
    "education assets (nurseries, schools, colleges) within reach", "assets per 1,000 residents", "good"},
  civic_sport_leisure = {"civic_sport_leisure_per_1k",
    "sport and leisure assets (leisure centres, pools, clubs, pubs) within reach",
    "assets per 1,000 residents", "good"},
  civic_cultural = {"civic_cultural_assets_per_1k",
    "cultural assets (libraries, museums, galleries) within reach", "assets per 1,000 residents", "good"},
  civic_green_assets = {"civic_green_assets_per_1k",
    "green assets (parks, play areas, nature reserves) within reach", "assets per 1,000 residents", "good"},
  civic_green_space = {"civic_green_space_pct",
    "publicly accessible green space", "% of the ward's area", "good"},
  -- Connectedness
  conn_travel_gp = {"conn_travel_gp_min",
    "travel time to the nearest GP by public transport or walking", "minutes", "need"},
  conn_travel_hospital = {"conn_travel_hospital_min",
    "travel time to the nearest hospital by public transport or walking", "minutes", "need"},
  conn_travel_secondary_school = {"conn_travel_secondary_school_min",
    "travel time to the nearest secondary school by public transport or walking", "minutes", "need"},
  conn_travel_employment_centre = {"conn_travel_employment_centre_min",
    "travel time to the nearest employment centre (5,000+ jobs) by public transport or walking",
    "minutes", "need"},
  conn_superfast_broadband = {"conn_superfast_broadband_pct",
    "premises with superfast broadband (30 Mbit/s or more) available", "% of premises", "good"},
  conn_job_density_nearby = {"conn_job_density_nearby",
    "jobs in the ward and the wards around it (local jobs market)", "jobs per resident aged 16-64", "good"},
  conn_no_car_households = {"conn_no_car_households_pct",
    "households without a car or van (isolation)", "% of households", "need"},
  -- Active and Engaged Community
  eng_charities = {"eng_charities_per_1k",
    "registered charities based in the ward", "charities per 1,000 residents", "good"},
  eng_charity_income = {"eng_charity_income_per_head",
    "annual income of charities based in the ward", "GBP per resident per year", "good"},
  eng_voter_turnout = {"eng_voter_turnout_pct",
    "turnout at the latest local election", "% of the electorate", "good"},
  eng_lottery_grants = {"eng_lottery_grants_per_head",
    "community lottery grant funding received, cumulative", "GBP per resident", "good"},
  eng_census_response = {"eng_census_response_pct",
    "census return rate (civic participation)", "% of households", "good"},
  eng_unpaid_care = {"eng_unpaid_care_50h_pct",
    "residents giving 50 or more hours of unpaid care a week (barrier to participation)",
    "% of residents", "need"},
}

local indicators = {}
for name, d in pairs(INDICATORS) do   -- the engine processes names in sorted order
  indicators[name] = {column = d[1], label = d[2], unit = d[3], direction = d[4],
    transforms = {{"normal_scores", offset = "rankit"}}}
end

return {
  name = "CNI 2019 left-behind neighbourhoods, from indicators",
  description = "CNI 2019 method over 19 ward indicators (data/wards.csv); left behind = CNI top 10% " ..
    "and ward IMD 2019 top 10%",
  inputs = {
    wards = {file = "wards.csv"},
    lsoa = {file = "imd2019_england_lsoa11.csv"},
    lookup = {file = "lookup_lsoa11_ward17.csv"},
    population = {file = "population_lsoa11.csv"},
  },
  unit = {
    input = "wards", key = "ward17_code", name = "ward17_name", la = "lad17_name",
    region = "region_name", label = "ward", population = "population",
    attach = {{input = "lookup", key = "ward17_code", columns = {"ward17_name", "lad17_name", "region_name"}}},
  },
  geography = {
    imd = {
      from = "lsoa", key = "lsoa11_code",
      index = imd,
      lookup = {input = "lookup", from = "lsoa11_code", to = "ward17_code"},
      population = {input = "population", key = "lsoa11_code", column = "population"},
      measure = "avg_score",
    },
    -- ward population = sum over its LSOAs (used by population-based variants)
    population = {
      from = "population", key = "lsoa11_code", column = "population",
      lookup = {input = "lookup", from = "lsoa11_code", to = "ward17_code"},
      measure = "sum",
    },
  },
  indicators = indicators,
  -- indicators within a domain in the column order of data/wards.csv, the
  -- order in which scripts/gen_data.lua sums them, so that this run
  -- reproduces the published-style ranks of the default data bit for bit
  domains = {
    civic_assets = {order = 1, label = "Civic Assets", indicators = {"civic_community_space",
      "civic_education", "civic_sport_leisure", "civic_cultural", "civic_green_assets", "civic_green_space"}},
    connectedness = {order = 2, label = "Connectedness", indicators = {"conn_travel_gp",
      "conn_travel_hospital", "conn_travel_secondary_school", "conn_travel_employment_centre",
      "conn_superfast_broadband", "conn_job_density_nearby", "conn_no_car_households"}},
    engaged_community = {order = 3, label = "Active and Engaged Community", indicators = {"eng_charities",
      "eng_charity_income", "eng_voter_turnout", "eng_lottery_grants", "eng_census_response",
      "eng_unpaid_care"}},
  },
  domain_transform = {"exp", c = 23, upper = 100},
  index = {name = "cni", combine = "sum"},
  rules = {
    left_behind = {rule = "two_index", index_top = 0.10, dep = "imd", dep_top = 0.10, by = "count",
      label = "left behind (CNI top 10% and IMD top 10%)"},
  },
  flag = "left_behind",
}
