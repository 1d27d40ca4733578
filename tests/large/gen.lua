-- Writes a large CSV: N rows x 30 columns (an area code and 29 numeric
-- indicators from MINSTD), for the large-input test.
--   cnilua gen.lua OUT.csv [N]
local out, n = arg[1], math.tointeger(tonumber(arg[2] or "1000000"))
local cols, state = {}, 1
local codes = {}
for i = 1, n do codes[i] = string.format("Z%09d", i) end
cols[1] = {"code", cni.column(codes, "string")}
for j = 1, 29 do
  local c
  c, state = cni.minstd(n, state)
  cols[#cols + 1] = {string.format("x%02d", j), c * 100}
end
cni.table(cols):write_csv(out, {digits = 6})
