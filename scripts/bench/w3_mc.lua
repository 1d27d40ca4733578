-- W3 mc (../shared/bench): Monte Carlo weight uncertainty for the CNI.
-- usage: cnilua w3_mc.lua cni2019_england_ward17.csv out.csv [draws=10000] [seed=20240601] [threads=0]
-- Draw i: w ~ Dirichlet(10, 10, 10); score = 3 (w1 E_civic + w2 E_conn + w3 E_engaged);
-- rank descending (ties by row order). Per ward: share of draws in the top
-- decile (rank <= N // 10) and exact nearest-rank 5/50/95% rank percentiles.
-- The draws run in the C engine (cni.mc_weights) on all cores.
local t0 = cni.clock()
local d = cni.read_csv(arg[1])
local t1 = cni.clock()
local D = tonumber(arg[3] or 10000)
local seed = math.tointeger(tonumber(arg[4] or 20240601))
local threads = math.tointeger(tonumber(arg[5] or 0))
local n = #d
local E = {d:col("Civic Assets rank"):exp_transform{n = n},
           d:col("Connectedness rank"):exp_transform{n = n},
           d:col("Engaged community rank"):exp_transform{n = n}}
local r = cni.mc_weights{domains = E, alpha = {10, 10, 10}, scale = 3, draws = D, seed = seed,
                         top = n // 10, top_decile = n // 10, threads = threads,
                         percentiles = {0.05, 0.50, 0.95}}
local out = cni.table{{"ward17_code", d.ward17_code}, {"p_top10", r.p_top10},
                      {"rank_p05", r.rank_p05}, {"rank_p50", r.rank_p50}, {"rank_p95", r.rank_p95}}
local t2 = cni.clock()
out:write_csv(arg[2])
local t3 = cni.clock()
print(string.format("W3 cnilua: wards=%d draws=%d seed=%d threads=%d sum_p_top10=%.4f (expect %d)",
                    n, D, seed, r.threads, r.p_top10:sum(), n // 10))
print(string.format("TIMING read=%.4f compute=%.4f write=%.4f", t1 - t0, t2 - t1, t3 - t2))
