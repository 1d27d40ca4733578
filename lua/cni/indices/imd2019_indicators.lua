-- An IMD-style index of the 32,844 LSOAs built from 20 of the IMD 2019
-- underlying indicators (File 8, imd2019_england_lsoa11_indicators.csv) in
-- six domains (the Crime domain's indicators are not in the file): each
-- indicator normal-scored (rankit), averaged with equal weights within its
-- domain, domains exponentially transformed and weighted as in the IMD.
-- It is a template, not the official IMD (which uses factor-analysis
-- weights, shrinkage and sub-domains): its rank correlates with the
-- published IMD rank, and it is the shape COINr-style sensitivity analyses
-- are timed on (scripts/bench/sobol_lsoa.lua).
-- Input layout: ../shared/data/real (indicators + population files).
local function ind(column, o)
  o = o or {}
  local transforms = {}
  if o.fill then transforms[#transforms + 1] = {"fill", value = 0} end
  transforms[#transforms + 1] = {"normal_scores", offset = "rankit"}
  return {column = o.column ~= false and column or nil, numerator = o.numerator, denominator = o.denominator,
    direction = o.direction or "need", transforms = transforms}
end

return {
  name = "IMD-style index from 20 indicators",
  inputs = {
    lsoa = {file = "imd2019_england_lsoa11_indicators.csv"},
    population = {file = "population_lsoa11.csv"},
  },
  unit = {input = "lsoa", key = "lsoa11_code", label = "LSOA", population = "population",
    attach = {{input = "population", key = "lsoa11_code", columns = {"population"}}}},
  indicators = {
    -- suppressed small counts (empty cells) are taken as 0
    income = {numerator = "income_domain_numerator", denominator = "population",
      transforms = {{"fill", value = 0}, {"normal_scores", offset = "rankit"}}},
    employment = {numerator = "employment_domain_numerator", denominator = "population",
      transforms = {{"fill", value = 0}, {"normal_scores", offset = "rankit"}}},
    staying_on = ind("staying_on_in_education_post_16_indicator"),
    entry_he = ind("entry_to_higher_education_indicator"),
    adult_skills = ind("adult_skills_and_english_language_proficiency_indicator"),
    ypll = ind("years_of_potential_life_lost_indicator"),
    cidr = ind("comparative_illness_and_disability_ratio_indicator"),
    acute = ind("acute_morbidity_indicator"),
    mood = ind("mood_and_anxiety_disorders_indicator"),
    post_office = ind("road_distance_to_a_post_office_indicator_km"),
    primary_school = ind("road_distance_to_a_primary_school_indicator_km"),
    store = ind("road_distance_to_general_store_or_supermarket_indicator_km"),
    gp = ind("road_distance_to_a_gp_surgery_indicator_km"),
    overcrowding = ind("household_overcrowding_indicator"),
    homelessness = ind("homelessness_indicator_rate_per_1000_households"),
    affordability = ind("housing_affordability_indicator"),
    poor_condition = ind("housing_in_poor_condition_indicator"),
    no_heating = ind("houses_without_central_heating_indicator"),
    air_quality = ind("air_quality_indicator"),
    accidents = ind("road_traffic_accidents_indicator"),
  },
  domains = {
    income = {indicators = {"income"}, weight = 0.225, order = 1},
    employment = {indicators = {"employment"}, weight = 0.225, order = 2},
    education = {indicators = {"staying_on", "entry_he", "adult_skills"}, weight = 0.135, order = 3},
    health = {indicators = {"ypll", "cidr", "acute", "mood"}, weight = 0.135, order = 4},
    barriers = {indicators = {"post_office", "primary_school", "store", "gp", "overcrowding",
      "homelessness", "affordability"}, weight = 0.093, order = 5},
    living_environment = {indicators = {"poor_condition", "no_heating", "air_quality", "accidents"},
      weight = 0.093, order = 6},
  },
  domain_transform = {"exp", c = 23, upper = 100},
  index = {name = "imd20", combine = "sum"},
  rules = {most_deprived = {rule = "top", top = 0.10}},
}
