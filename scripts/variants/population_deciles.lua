-- Consultation variant: '10%' means 10% of the population, not of the
-- wards, on both indices (ward population = sum of its LSOAs' populations).
local base = cni.include("../real/lbn2019.lua")
return cni.variant(base, {
  name = "LBN by population deciles",
  unit = {population = "population"},
  geography = {
    population = {
      from = "population", key = "lsoa11_code", column = "population", measure = "sum",
      lookup = {input = "lookup", from = "lsoa11_code", to = "ward17_code"},
    },
  },
  rules = {left_behind = {by = "population"}},
  deciles = {by = "population"},
})
