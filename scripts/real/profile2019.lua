-- How do the published 225 'left behind' wards differ from other deprived
-- wards and from England? Education and health indicators of IMD 2019,
-- aggregated from LSOAs to wards (population-weighted mean through the
-- best-fit LSOA -> ward lookup, mid-2015 populations), compared for three
-- groups: the published 225; other deprived wards (ward IMD in the most
-- deprived 10%, by count, but not in the list); all wards.
--   build/cnilua scripts/real/profile2019.lua [--data DIR] [-o DIR] [--markdown]
-- Writes profile.csv, profile.json and profile.svg to the output folder
-- (default out/real-profile-2019) and prints the table; --markdown prints
-- the table as Markdown (used for docs/findings.md).
local P = require "cni.profile"
local run = require "cni.run"

local markdown = false
local pass = {}
for i = 1, #arg do
  if arg[i] == "--markdown" then markdown = true else pass[#pass + 1] = arg[i] end
end
local opts = run.parse_args(pass)

local base = cni.include("lbn2019.lua")
-- IMD 2019 indicators (higher = more deprived for each of these: their
-- Spearman correlation with the IMD rank, 1 = most deprived, is negative)
local INDICATORS = {
  {"entry_to_higher_education_indicator", "Entry to higher education", "IMD indicator", "education"},
  {"adult_skills_and_english_language_proficiency_indicator", "Adult skills and English proficiency", "IMD indicator", "education"},
  {"comparative_illness_and_disability_ratio_indicator", "Comparative illness and disability ratio", "IMD indicator", "health"},
  {"years_of_potential_life_lost_indicator", "Years of potential life lost", "IMD indicator", "health"},
  {"mood_and_anxiety_disorders_indicator", "Mood and anxiety disorders", "IMD indicator", "health"},
}
local geography = {}
for _, ind in ipairs(INDICATORS) do
  geography[ind[1]] = {from = "indicators", key = "lsoa11_code", column = ind[1], measure = "wmean",
    lookup = {input = "lookup", from = "lsoa11_code", to = "ward17_code"},
    population = {input = "population", key = "lsoa11_code", column = "population"}}
end
local spec = cni.variant(base, {
  name = "Profile of the published 2019 left-behind wards",
  inputs = {indicators = {file = "imd2019_england_lsoa11_indicators.csv"}},
  geography = geography,
  map = cni.drop,
})
local r = cni.build(spec, {data = opts.data})
local t = r.table
local N = r.n
local published = t:col("reference")                    -- 'Left Behind Area?' of the CNI file
local deprived = t.imd_rank:le(math.floor(0.10 * N))     -- ward IMD, top 10% by count
local outcomes = {}
for i, ind in ipairs(INDICATORS) do
  outcomes[i] = {name = ind[1], column = t:col(ind[1] .. "_score"), label = ind[2], unit = ind[3]}
end
-- ward populations: the sum of their LSOAs' (wards with no LSOA get none)
local pops = cni.build(cni.variant(base, {name = "ward populations", map = cni.drop,
  unit = {population = "population"},
  geography = {population = {from = "population", key = "lsoa11_code", column = "population",
    measure = "sum", lookup = {input = "lookup", from = "lsoa11_code", to = "ward17_code"}}}}),
  {data = opts.data}).table:col("population_score")
local res = P.profile{flag = published, deprived = deprived, weights = pops, outcomes = outcomes}

if markdown then
  print("| indicator (IMD 2019, higher = more deprived) | published 225 | other deprived wards | all wards | 225 minus other deprived |")
  print("| --- | ---: | ---: | ---: | ---: |")
  for _, row in ipairs(res.rows) do
    print(string.format("| %s | %s | %s | %s | %s |", row.label,
      cni.format_number(row.mean_flagged, 4), cni.format_number(row.mean_other_deprived, 4),
      cni.format_number(row.mean_all, 4), cni.format_number(row.mean_flagged - row.mean_other_deprived, 3)))
  end
  print(string.format("\nGroups: %d published left-behind wards, %d other deprived wards, %d wards in all.",
    res.counts.flagged, res.counts.other_deprived, res.counts.all))
  return
end
print(P.text(res, "The published 2019 left-behind wards, other deprived wards and all wards (IMD 2019 indicators)"))
local dir = opts.out or "out/real-profile-2019"
P.table(res):write_csv(dir .. "/profile.csv")
cni.write_json(dir .. "/profile.json", {counts = res.counts, rows = res.rows, weighted = res.weighted,
  method = "population-weighted means of LSOA indicators by ward (best-fit lookup, mid-2015 population); " ..
    "groups: published 225; ward IMD top 10% not in the list; all wards"})
cni.write_text(dir .. "/profile.svg", P.svg(res, {title = "Published left-behind wards: education and health (IMD 2019)",
  subtitle = "population-weighted means; other deprived = ward IMD top 10% not in the list",
  labels = {flagged = "Published 225", other_deprived = "Other deprived wards", all = "All wards"}}))
print("\nwrote " .. dir .. " (profile.csv, profile.json, profile.svg)")
