-- Benchmark base: IMD 2019 over the 32,844 real LSOAs with a 'top 10%' rule.
local imd = require "cni.indices.imd2019"
return cni.variant(imd, {
  name = "IMD 2019, most deprived 10%",
  data_root = "../shared/data/real",
  rules = {most_deprived = {rule = "top", top = 0.10}},
})
