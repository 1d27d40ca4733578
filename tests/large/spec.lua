-- A spec over the large generated CSV: 29 indicators in 3 domains (normal
-- scores, means), exponential transform, top 10%.
local file = os.getenv("CNI_LARGE_CSV") or "large.csv"
local indicators, domains = {}, {}
for j = 1, 29 do
  indicators[string.format("x%02d", j)] = {column = string.format("x%02d", j), transforms = {"normal_scores"}}
end
local d = {a = {}, b = {}, c = {}}
for j = 1, 29 do
  local dn = j <= 10 and "a" or (j <= 20 and "b" or "c")
  d[dn][#d[dn] + 1] = string.format("x%02d", j)
end
for dn, list in pairs(d) do domains[dn] = {indicators = list} end
return {
  name = "large input",
  inputs = {areas = {file = file}},
  unit = {input = "areas", key = "code"},
  indicators = indicators,
  domains = domains,
  rules = {top = {rule = "top", top = 0.10}},
}
