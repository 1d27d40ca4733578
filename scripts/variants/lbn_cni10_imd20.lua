-- Consultation variant: CNI top 10% as before, ward IMD widened to 20%.
local base = cni.include("../real/lbn2019.lua")
return cni.variant(base, {
  name = "LBN: CNI 10% and IMD 20%",
  rules = {left_behind = {dep_top = 0.20}},
})
