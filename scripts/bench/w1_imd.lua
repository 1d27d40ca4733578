-- W1 imd (../shared/bench): IMD 2019 score from the seven domain ranks.
-- usage: cnilua w1_imd.lua imd2019_england_lsoa11.csv out.csv
local t0 = cni.clock()
local d = cni.read_csv(arg[1])
local t1 = cni.clock()
local n = #d
local score = d.Income_rank:exp_transform{n = n} * .225
  + d.Employment_rank:exp_transform{n = n} * .225
  + d.Education_rank:exp_transform{n = n} * .135
  + d.Health_rank:exp_transform{n = n} * .135
  + d.Crime_rank:exp_transform{n = n} * .093
  + d.Housing_and_Access_rank:exp_transform{n = n} * .093
  + d.Environment_rank:exp_transform{n = n} * .093
local rank = score:rank{desc = true, ties = "first"}
local out = cni.table{{"lsoa11_code", d.lsoa11_code}, {"score", score}, {"rank", rank},
                      {"decile", (rank * 10 / n):ceil()}}
local t2 = cni.clock()
out:write_csv(arg[2])
local t3 = cni.clock()
print(string.format("W1 cnilua: rows=%d share_rank_eq_IMD_rank=%.6f", n, rank:eq(d.IMD_rank):count(true) / n))
print(string.format("TIMING read=%.4f compute=%.4f write=%.4f", t1 - t0, t2 - t1, t3 - t2))
