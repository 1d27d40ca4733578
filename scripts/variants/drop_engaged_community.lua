-- Consultation variant: the CNI without the Active and Engaged Community domain.
local base = cni.include("../real/lbn2019.lua")
return cni.variant(base, {
  name = "CNI without Engaged Community",
  domains = {engaged_community = cni.drop},
})
