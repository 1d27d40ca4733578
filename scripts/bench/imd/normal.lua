local base = cni.include("base.lua")
return cni.variant(base, {name = "IMD, normal scores", domain_transform = {"normal"}})
