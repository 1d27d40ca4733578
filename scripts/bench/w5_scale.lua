-- W5 scale (../shared/bench): n areas x 20 MINSTD indicators -> index.
-- usage: cnilua w5_scale.lua n out.csv [detail.csv]
-- The 20 normal-score columns and the 4 domain ranks run on all cores
-- (cni.normal_scores_many / cni.rank_many: columns are independent, so the
-- result does not depend on the number of threads); the domain means and
-- the exponential transform split their rows over the cores.
local n = math.tointeger(tonumber(arg[1]))
local t0 = cni.clock()
local X, state = {}, 1
for j = 1, 20 do X[j], state = cni.minstd(n, state) end
local t1 = cni.clock()
-- inplace: results replace inputs that are not needed afterwards (the
-- generated columns, the scores, the domain means), which saves allocating
-- and first touching new columns of n values
local z = cni.normal_scores_many(X, {offset = "rankit", inplace = true})
local dom = {}
for k = 1, 4 do
  dom[k] = cni.combine({z[5 * k - 4], z[5 * k - 3], z[5 * k - 2], z[5 * k - 1], z[5 * k]},
                       {how = "wmean", inplace = true})
end
-- E(rank) depends on the rank alone: one table of E(1..n), looked up by
-- the ranking itself (map = etab gives etab[rank] in the same pass)
local etab = cni.seq(n):exp_transform{n = n}
local E = cni.rank_many(dom, {desc = true, ties = "first", map = etab, inplace = true})
local index = cni.combine(E, {how = "wmean", inplace = true})
local rank = index:rank{desc = true, ties = "first"}
local top10 = rank:le(n // 10)
local t2 = cni.clock()
local area = cni.seq(n)
local top_area = rank:order():get(1)
local count = top10:count(true)
local idsum = math.tointeger(cni.where(top10, area, 0):sum())
local f = assert(io.open(arg[2], "wb"))
f:write("n,gen_s,pipeline_s,index_mean,top_area,rank_of_area1,top10_count,top10_idsum\n")
f:write(string.format("%d,%.4f,%.4f,%.12f,%d,%d,%d,%d\n", n, t1 - t0, t2 - t1, index:mean(),
  top_area, rank:get(1), count, idsum))
f:close()
if arg[3] then
  cni.table{{"area", area}, {"index", index}, {"rank", rank}, {"top10", cni.where(top10, 1, 0)}}
    :write_csv(arg[3], {digits = 17})
end
print(string.format("W5 cnilua: n=%d gen_s=%.3f pipeline_s=%.3f top_area=%d top10_idsum=%d",
  n, t1 - t0, t2 - t1, top_area, idsum))
print(string.format("TIMING gen=%.4f pipeline=%.4f", t1 - t0, t2 - t1))
