-- Consultation variant: Civic Assets weighted .50, the other domains .25.
local base = cni.include("../real/lbn2019.lua")
return cni.variant(base, {
  name = "CNI weights .50/.25/.25",
  domains = {
    civic_assets = {weight = 0.50},
    connectedness = {weight = 0.25},
    engaged_community = {weight = 0.25},
  },
  index = {weights_sum = 1},
})
