-- scripts/gen_demo.lua: writes data/demo_wards.csv, a small SYNTHETIC
-- ward table (600 invented wards in 30 invented authorities, 9 regions) for
-- the first demo. Deterministic: a fixed-seed 64-bit LCG, fixed formatting,
-- so regenerating gives byte-identical output.
--   build/cnilua scripts/gen_demo.lua [out.csv]
local out = arg[1] or "data/demo_wards.csv"

local state = 20190905
local function unif()  -- Knuth MMIX LCG, top 53 bits
  state = (state * 6364136223846793005 + 1442695040888963407)
  return ((state >> 11) & ((1 << 53) - 1)) / (1 << 53)
end
local function norm()  -- Box-Muller
  local u, v = unif(), unif()
  return math.sqrt(-2 * math.log(1 - u)) * math.cos(2 * math.pi * v)
end

local regions = {"North Eastland", "North Westshire", "Yorkridge", "East Midmarch", "West Midmarch",
                 "Eastfen", "Londra", "South Eastmoor", "South Westcombe"}
local syll = {"ash", "bury", "ton", "ley", "worth", "ham", "ford", "wick", "stead", "by", "mere", "combe"}
local pre = {"Ald", "Bram", "Cal", "Dun", "Elm", "Fen", "Gar", "Hol", "Ing", "Kel", "Lor", "Mar",
             "Nor", "Oak", "Pen", "Quin", "Ros", "Sal", "Thorn", "Ul", "Ver", "Wes", "Yar", "Zel"}
local function name(i, j) return pre[(i * 7 + j * 3) % #pre + 1] .. syll[(i + j * 5) % #syll + 1] end

local code, wname, la, region, pop, civic, conn, engaged, imd = {}, {}, {}, {}, {}, {}, {}, {}, {}
local n = 0
for a = 1, 30 do
  local reg = regions[(a - 1) % 9 + 1]
  local la_name = name(a, 0) .. " District"
  local la_dep = norm()          -- authority effects: areas within an LA are alike
  local la_civ, la_con = norm(), norm()
  for w = 1, 20 do
    n = n + 1
    code[n] = string.format("X05%06d", n)     -- invented codes: no real code starts with X
    wname[n] = name(a, w) .. " Ward"
    la[n] = la_name
    region[n] = reg
    pop[n] = math.floor(4000 + 6000 * unif())
    local dep = 0.6 * la_dep + 0.8 * norm()
    imd[n] = 20 * math.exp(0.45 * dep)
    civic[n] = 0.5 * la_civ + 0.3 * dep + 0.8 * norm()
    conn[n] = 0.5 * la_con - 0.1 * dep + 0.8 * norm()
    engaged[n] = 0.4 * dep + 0.9 * norm()
  end
end

local t = cni.table{
  {"ward_code", code}, {"ward_name", wname}, {"la_name", la}, {"region", region},
  {"population", pop}, {"civic_need", civic}, {"connectedness_need", conn},
  {"engagement_need", engaged}, {"imd_score", imd},
}
t:write_csv(out, {digits = 6})
print(string.format("wrote %s: %d synthetic wards", out, #t))
