-- scripts/demo.lua: the main job on the embedded default data (SYNTHETIC).
-- A CNI-style index over data/demo_wards.csv: each domain's need ranked
-- (1 = highest need), exponentially transformed (IMD/CNI constants 23, 100),
-- summed with equal weights, ranked; wards in the top 10% on this index AND
-- the top 10% on the IMD-style score are flagged 'left behind'.
--   build/cnilua scripts/demo.lua [-o OUTDIR]
local out = "out/demo"
for i = 1, #arg do if arg[i] == "-o" then out = arg[i + 1] end end

local t = cni.read_csv("data/demo_wards.csv")
local n = #t
local domains = {"civic_need", "connectedness_need", "engagement_need"}
local score = cni.fill(n, 0)
for _, d in ipairs(domains) do
  local x = t:col(d):rank{desc = true, ties = "first"}:exp_transform{n = n}
  t:set(d .. "_exp", x)
  score = score + x
end
t:set("cni_score", score)
t:set("cni_rank", score:rank{desc = true, ties = "first"})
t:set("imd_rank", t.imd_score:rank{desc = true, ties = "first"})
local cut = math.floor(n / 10)
t:set("left_behind", t.cni_rank:le(cut) & t.imd_rank:le(cut))

local flagged = t.left_behind:count(true)
print(string.format("cnilua demo on SYNTHETIC data (data/demo_wards.csv): %d wards, %d flagged left behind", n, flagged))
print(string.format("rule: top %d (10%%) on the CNI-style index AND top %d (10%%) on the IMD-style score\n", cut, cut))

-- by region
local g = t:group_by("region")
local regions, counts = g:keys(), g:agg("sum", t.left_behind)
local rows = {}
for i = 1, #regions do rows[#rows + 1] = {regions:get(i), counts:get(i)} end
table.sort(rows, function(a, b) if a[2] ~= b[2] then return a[2] > b[2] end return a[1] < b[1] end)
print("flagged wards by region")
for _, r in ipairs(rows) do print(string.format("  %-18s %3d", r[1], r[2])) end

-- top 10 by index rank
print("\ntop 10 wards on the CNI-style index")
print(string.format("  %4s  %-10s %-18s %-18s %8s %4s %s", "rank", "code", "ward", "authority", "score", "imd", "flag"))
local top = t:sort("cni_rank"):head(10)
for i = 1, #top do
  local r = top:row(i)
  print(string.format("  %4d  %-10s %-18s %-18s %8.2f %4d %s", r.cni_rank, r.ward_code, r.ward_name,
    r.la_name, r.cni_score, r.imd_rank, r.left_behind and "LEFT BEHIND" or ""))
end

t:write_csv(out .. "/results.csv")
cni.write_json(out .. "/summary.json", {
  data = "SYNTHETIC demo data (data/demo_wards.csv); not real statistics",
  areas = n, flagged = flagged, cut = cut, version = cni.version,
})
print(string.format("\nwrote %s/results.csv and %s/summary.json", out, out))
