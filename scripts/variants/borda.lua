-- Consultation variant: domain ranks averaged (Borda count) instead of
-- transformed and summed; the CNI rank is the rank of the mean domain rank.
local base = cni.include("../real/lbn2019.lua")
return cni.variant(base, {
  name = "CNI by mean domain rank (Borda)",
  index = {combine = "borda"},
})
