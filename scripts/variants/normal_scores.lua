-- Consultation variant: normal scores of the domain ranks,
-- qnorm((N - r + 1) / (N + 1)), instead of the exponential transform.
local base = cni.include("../real/lbn2019.lua")
return cni.variant(base, {
  name = "CNI with normal scores",
  domain_transform = {"normal", offset = "vdw"},
})
