-- The CNI 2019 left-behind run on the embedded SYNTHETIC default data,
-- from the 19 ward indicators (lua/cni/indices/cni2019_indicators.lua):
-- the baseline of data/ (see data/README.md), with the profile of the
-- flagged wards against other deprived wards and all wards (the briefing's
-- outcomes) and maps.
--   build/cnilua scripts/cni2019.lua [--data DIR] [-o DIR]
-- The data root defaults to data (relative to the working folder, i.e. the
-- repository root). The shipped lua/cni/indices/cni2019.lua, which starts
-- from the published domain ranks, flags the same wards on data/.
local base = require "cni.indices.cni2019_indicators"
return cni.variant(base, {
  name = "CNI 2019 from indicators (synthetic default data)",
  data_root = "data",
  profile = {
    title = "Left-behind wards against other deprived wards and all wards",
    outcomes = {
      {column = "jobs_density", label = "Jobs density", unit = "jobs per working-age resident", higher = "better"},
      {column = "children_in_poverty_pct", label = "Children in poverty", unit = "%", higher = "worse"},
      {column = "out_of_work_households_pct", label = "Out-of-work households", unit = "%", higher = "worse"},
      {column = "at_risk_health_pct", label = "At-risk health conditions", unit = "%", higher = "worse"},
      {column = "no_qualifications_pct", label = "No qualifications", unit = "% of adults", higher = "worse"},
      {column = "he_participation_pct", label = "Higher-education participation", unit = "%", higher = "better"},
      {column = "covid_vulnerability_index", label = "COVID-19 vulnerability", unit = "index", higher = "worse"},
      {column = "covid_grants_per_100k", label = "COVID-19 charitable grants", unit = "per 100,000 people", higher = "better"},
      {column = "mutual_aid_per_100k", label = "Mutual aid groups", unit = "per 100,000 people", higher = "better"},
    },
  },
  map = {boundaries = "boundaries_ward17.geojson", outline = "boundaries_lad17.geojson",
    outline_label = "Local authorities"},
})
