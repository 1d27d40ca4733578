-- Consultation variant: thresholds 15% on the CNI and 15% on ward IMD.
local base = cni.include("../real/lbn2019.lua")
return cni.variant(base, {
  name = "LBN: CNI 15% and IMD 15%",
  rules = {left_behind = {index_top = 0.15, dep_top = 0.15}},
})
