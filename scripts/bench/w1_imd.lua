-- W1 imd (../shared/bench): IMD 2019 score from the seven domain ranks.
-- usage: cnilua w1_imd.lua imd2019_england_lsoa11.csv out.csv
local doms = {"Income_rank", "Employment_rank", "Education_rank", "Health_rank", "Crime_rank",
  "Housing_and_Access_rank", "Environment_rank"}
local t0 = cni.clock()
-- only the columns used are loaded (the deciles are skipped)
local d = cni.read_csv(arg[1], {select = {"lsoa11_code", "IMD_rank", table.unpack(doms)}})
local t1 = cni.clock()
local n = #d
-- E depends on the rank alone: E(1..n) once, then looked up by each rank
local etab = cni.seq(n):exp_transform{n = n}
local E = {}
for i, c in ipairs(doms) do E[i] = etab:take(d:col(c)) end
-- sum left to right in the order written, as the workload defines
local score = cni.combine(E, {how = "wsum", weights = {.225, .225, .135, .135, .093, .093, .093}})
local rank = score:rank{desc = true, ties = "first"}
local out = cni.table{{"lsoa11_code", d.lsoa11_code}, {"score", score}, {"rank", rank},
                      {"decile", (rank * 10 / n):ceil()}}
local t2 = cni.clock()
out:write_csv(arg[2])
local t3 = cni.clock()
print(string.format("W1 cnilua: rows=%d share_rank_eq_IMD_rank=%.6f", n, rank:eq(d.IMD_rank):count(true) / n))
print(string.format("TIMING read=%.4f compute=%.4f write=%.4f", t1 - t0, t2 - t1, t3 - t2))
