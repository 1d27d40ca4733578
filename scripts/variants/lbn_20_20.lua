-- Consultation variant: thresholds 20% on the CNI and 20% on ward IMD.
local base = cni.include("../real/lbn2019.lua")
return cni.variant(base, {
  name = "LBN: CNI 20% and IMD 20%",
  rules = {left_behind = {index_top = 0.20, dep_top = 0.20}},
})
