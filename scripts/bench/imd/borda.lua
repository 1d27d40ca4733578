local base = cni.include("base.lua")
return cni.variant(base, {name = "IMD, mean domain rank", index = {combine = "borda"}})
