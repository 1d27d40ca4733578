local base = cni.include("base.lua")
return cni.variant(base, {name = "IMD, most deprived 15%", rules = {most_deprived = {top = 0.15}}})
