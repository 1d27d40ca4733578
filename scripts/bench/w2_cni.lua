-- W2 cni (../shared/bench): CNI 2019 from the three domain ranks.
-- usage: cnilua w2_cni.lua cni2019_england_ward17.csv out.csv
local t0 = cni.clock()
local d = cni.read_csv(arg[1])
local t1 = cni.clock()
local n = #d
local s = d:col("Civic Assets rank"):exp_transform{n = n}
  + d:col("Connectedness rank"):exp_transform{n = n}
  + d:col("Engaged community rank"):exp_transform{n = n}
local rank = s:rank{desc = true, ties = "first"}
local out = cni.table{{"ward17_code", d.ward17_code}, {"cni", s}, {"rank", rank},
                      {"top10", cni.where(rank:le(n // 10), 1, 0)}}
local t2 = cni.clock()
out:write_csv(arg[2])
local t3 = cni.clock()
print(string.format("W2 cnilua: rows=%d", n))
print(string.format("TIMING read=%.4f compute=%.4f write=%.4f", t1 - t0, t2 - t1, t3 - t2))
