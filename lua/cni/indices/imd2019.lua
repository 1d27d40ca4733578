-- IMD 2019 (English Indices of Deprivation 2019, MHCLG) rebuilt from the
-- seven published domain ranks of the 32,844 LSOAs (2011): each domain rank
-- exponentially transformed (constant 23, upper bound 100), then weighted
-- .225/.225/.135/.135/.093/.093/.093 and summed. Reproduces the published
-- IMD ranks for 32,736 LSOAs (99.67%); the rest differ by 1-2 places
-- (near-ties: the published ranks come from unrounded domain scores).
-- Input layout: imd2019_england_lsoa11.csv as in ../shared/data/real.
return {
  name = "IMD 2019 from domain ranks",
  inputs = {
    lsoa = {file = "imd2019_england_lsoa11.csv"},
  },
  unit = {input = "lsoa", key = "lsoa11_code", label = "LSOA"},
  domains = {
    income = {column = "Income_rank", as = "rank", weight = 0.225, order = 1, label = "Income"},
    employment = {column = "Employment_rank", as = "rank", weight = 0.225, order = 2, label = "Employment"},
    education = {column = "Education_rank", as = "rank", weight = 0.135, order = 3,
      label = "Education, Skills and Training"},
    health = {column = "Health_rank", as = "rank", weight = 0.135, order = 4,
      label = "Health Deprivation and Disability"},
    crime = {column = "Crime_rank", as = "rank", weight = 0.093, order = 5, label = "Crime"},
    barriers = {column = "Housing_and_Access_rank", as = "rank", weight = 0.093, order = 6,
      label = "Barriers to Housing and Services"},
    living_environment = {column = "Environment_rank", as = "rank", weight = 0.093, order = 7,
      label = "Living Environment"},
  },
  domain_transform = {"exp", c = 23, upper = 100},
  index = {name = "imd", combine = "sum"},
}
