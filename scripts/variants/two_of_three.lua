-- Consultation variant (non-compensatory): at least 2 of the 3 CNI domains
-- in the top 10% of wards, AND ward IMD in the top 10%.
local base = cni.include("../real/lbn2019.lua")
return cni.variant(base, {
  name = "LBN: 2 of 3 domains in the top 10%",
  rules = {
    left_behind = cni.drop,
    two_of_three = {rule = "k_of_n", k = 2, top = 0.10, dep = "imd", dep_top = 0.10},
  },
  flag = "two_of_three",
})
