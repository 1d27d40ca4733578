local base = cni.include("base.lua")
return cni.variant(base, {name = "IMD, equal domain weights",
  domains = {income = {weight = 1}, employment = {weight = 1}, education = {weight = 1}, health = {weight = 1},
    crime = {weight = 1}, barriers = {weight = 1}, living_environment = {weight = 1}}})
