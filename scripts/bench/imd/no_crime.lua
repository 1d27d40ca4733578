local base = cni.include("base.lua")
return cni.variant(base, {name = "IMD without Crime", domains = {crime = cni.drop}})
