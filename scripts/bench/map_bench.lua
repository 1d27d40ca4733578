-- Map benchmark: the 32,844-LSOA map of England (real boundaries).
-- usage: build/cnilua scripts/bench/map_bench.lua [REAL_DIR] [OUT.svg] [RUNS]
--   REAL_DIR  folder of the real data (default ../shared/data/real, or
--             $CNI_REAL_DATA)
--   OUT.svg   where to write the map (default /tmp/cni-map-bench.svg)
--   RUNS      number of timed renders (default 5; the median is reported)
-- Prints the time to load the boundaries, to render (projection,
-- simplification, SVG text) and to write, and the size of the SVG.
-- Target (issue): render under 0.5 s, SVG under about 3 MB.
local map = require "cni.map"

local real = arg[1] or os.getenv("CNI_REAL_DATA") or "../shared/data/real"
local out = arg[2] or "/tmp/cni-map-bench.svg"
local runs = tonumber(arg[3] or "5")

local lsoa_file = real .. "/boundaries_lsoa11_england.geojson"
local f = io.open(lsoa_file, "r")
if not f then
  io.stderr:write("map_bench: " .. lsoa_file .. " not found (give the real data folder)\n")
  os.exit(2)
end
f:close()

local function median(t)
  table.sort(t)
  local n = #t
  return n % 2 == 1 and t[(n + 1) / 2] or (t[n / 2] + t[n / 2 + 1]) / 2
end

local t0 = cni.clock()
local lsoa = cni.read_geojson(lsoa_file)
local t1 = cni.clock()
local la = cni.read_geojson(real .. "/boundaries_ltla19_england.geojson")
local t2 = cni.clock()
local imd = cni.read_csv(real .. "/imd2019_england_lsoa11.csv")
local t3 = cni.clock()

local function one(kind)
  local opts = {shapes = lsoa, outline = la, kind = kind, title = "IMD 2019"}
  if kind == "continuous" then
    opts.values = {table = imd, code = "lsoa11_code", column = "IMD_rank"}
    opts.legend = {title = "IMD rank", low = "1 = most deprived"}
  else
    local codes, dec = imd.lsoa11_code:totable(), imd.IMD_decile:totable()
    local v = {}
    for i = 1, #codes do v[codes[i]] = dec[i] == 1 end
    opts.values = v
    opts.legend = "Most deprived 10%"
  end
  local times, svg, info = {}, nil, nil
  for r = 1, runs do
    -- the first render of a Shapes also projects it (cached afterwards)
    local a = cni.clock()
    svg, info = map.render(opts)
    times[r] = cni.clock() - a
  end
  local first = times[1]
  local a = cni.clock()
  map.write(out, svg)
  local w = cni.clock() - a
  print(string.format("%-10s render first=%.3f s median=%.3f s (n=%d)  write=%.3f s  size=%d bytes (%.2f MB)  paths=%d  points=%d",
    kind, first, median(times), runs, w, #svg, #svg / 1e6, info.drawn, info.points))
  return first, #svg
end

print(string.format("load: LSOA boundaries %.3f s (%d areas), LA boundaries %.3f s, IMD csv %.3f s",
  t1 - t0, #lsoa, t2 - t1, t3 - t2))
local first_c = one("continuous")
one("flag")
print(string.format("TIMING load=%.4f render_first=%.4f load_render=%.4f",
  t1 - t0, first_c, t1 - t0 + first_c))
