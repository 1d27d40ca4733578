-- Consultation variant: the CNI without the Connectedness domain.
local base = cni.include("../real/lbn2019.lua")
return cni.variant(base, {
  name = "CNI without Connectedness",
  domains = {connectedness = cni.drop},
})
