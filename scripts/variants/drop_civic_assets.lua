-- Consultation variant: the CNI without the Civic Assets domain.
local base = cni.include("../real/lbn2019.lua")
return cni.variant(base, {
  name = "CNI without Civic Assets",
  domains = {civic_assets = cni.drop},
})
