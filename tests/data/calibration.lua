-- tests/data/calibration.lua: checks every calibration claim of the SYNTHETIC
-- default dataset in data/ (documented in data/README.md): the real file
-- layout, counts and nesting, the IMD and CNI definitions, the shipped specs
-- (cni2019.lua and cni2019_indicators.lua flag the same wards as the file),
-- correlations and clustering against the real data, the briefing contrasts,
-- the ward and authority outlines, and byte-identical regeneration.
--
--   build/cnilua tests/data/calibration.lua ROOT [--no-regen]
--
-- ROOT is the repository root. Prints one line per check and, as its last
-- line, "N passed, N failed"; exits 1 when a check fails, 2 on bad usage.
-- --no-regen skips the byte-identical regeneration check (the slowest part).
--
-- The reference values REAL below were measured on the real published files
-- in ../shared/data/real (CNI 2019 wards, IMD 2019 LSOAs, the ONS LSOA-to-ward
-- best-fit lookup, mid-2015 populations); when that folder exists next to
-- ROOT they are re-measured here and compared with the constants.

local cni = rawget(_G, "cni") or require "cni"

local ROOT = arg and arg[1]
if not ROOT then
  io.stderr:write("usage: calibration.lua ROOT [--no-regen]\n")
  os.exit(2)
end
ROOT = ROOT:gsub("/+$", "")
local REGEN = true
for i = 2, #arg do
  if arg[i] == "--no-regen" then REGEN = false
  else io.stderr:write("calibration.lua: unknown option '" .. arg[i] .. "'\n"); os.exit(2) end
end
local DATA = ROOT .. "/data"
local t_start = cni.clock()

local passed, failed = 0, 0
local function check(ok, what, detail)
  if ok then passed = passed + 1 else failed = failed + 1 end
  print(string.format("%-4s %s%s", ok and "ok" or "FAIL", what, detail and ("  [" .. detail .. "]") or ""))
  return ok
end
local function fmt(x) return string.format("%.3f", x) end
local function within(x, target, tol, what)
  return check(math.abs(x - target) <= tol, what,
    string.format("synthetic %s, real %s, allowed +-%s", fmt(x), fmt(target), tostring(tol)))
end
local function read_all(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local s = f:read("a")
  f:close()
  return s
end
local function file_size(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local n = f:seek("end")
  f:close()
  return n
end

----------------------------------------------------------------------------
-- Real reference values (how measured: tests/data/calibration.lua's measure()
-- run on ../shared/data/real; see data/README.md, "Calibration").
----------------------------------------------------------------------------
local IMD_DOMS = {"income", "employment", "education", "health", "crime", "barriers", "environment"}
-- the same seven domains as named in the real file layout
local REAL_DOMS = {"Income", "Employment", "Education", "Health", "Crime", "Housing_and_Access", "Environment"}
local REAL = {
  -- Spearman between IMD 2019 domain ranks over the 32,844 LSOAs, in the
  -- order 12 13 14 15 16 17 23 24 ... 67 of IMD_DOMS
  imd_pairs = {0.948, 0.814, 0.809, 0.660, 0.044, 0.248,
               0.814, 0.858, 0.614, -0.055, 0.165,
               0.731, 0.516, -0.051, 0.076,
               0.599, -0.159, 0.170,
               0.005, 0.320,
               0.190},
  -- CNI 2019 (7,421 wards with a best-fit LSOA): Spearman between domain ranks
  civic_conn = -0.108, civic_eng = 0.202, conn_eng = -0.038,
  -- ... and with the ward IMD rank (population-weighted mean LSOA IMD score)
  civic_imd = -0.093, conn_imd = 0.485, eng_imd = 0.351, cni_imd = 0.408,
  -- between-group variance share (eta squared) of normal scores
  eta_lsoa_imd_region = 0.081, eta_lsoa_imd_la = 0.320, eta_lsoa_imd_ward = 0.694,
  eta_ward_imd_la = 0.451, eta_civic_la = 0.297, eta_conn_la = 0.565, eta_eng_la = 0.574,
  eta_cni_la = 0.480,
  flagged = 225,
  -- structure
  lsoa_per_ward_mean = 4.422, pop_mean = 1666,
}

-- Between-group share of variance of x (eta squared, one-way ANOVA).
local function eta2(x, key)
  local g = cni.group_by(key)
  local mu = x:mean()
  local f = g:expand(g:agg("mean", x))
  return ((f - mu) ^ 2):sum() / ((x - mu) ^ 2):sum()
end

----------------------------------------------------------------------------
-- Re-measure the real reference values (when the real data is present).
----------------------------------------------------------------------------
local function measure_real(R)
  local imd = cni.read_csv(R .. "/imd2019_england_lsoa11.csv")
  local lk = cni.read_csv(R .. "/lookup_lsoa11_ward17.csv")
  local pop = cni.read_csv(R .. "/population_lsoa11.csv")
  local cw = cni.read_csv(R .. "/cni2019_england_ward17.csv")
  local N = #imd
  local names = {"Income", "Employment", "Education", "Health", "Crime", "Housing_and_Access", "Environment"}
  local wts = {.225, .225, .135, .135, .093, .093, .093}
  local score = cni.fill(N, 0)
  for i, d in ipairs(names) do score = score + imd[d .. "_rank"]:exp_transform{n = N} * wts[i] end
  imd.imd_score = score
  local m = {imd_pairs = {}}
  for i = 1, 7 do for j = i + 1, 7 do
    m.imd_pairs[#m.imd_pairs + 1] = cni.spearman(imd[names[i] .. "_rank"], imd[names[j] .. "_rank"])
  end end
  local t = lk:join(imd, {on = "lsoa11_code"}):join(pop, {on = "lsoa11_code"})
  local ns = t.imd_score:normal_scores()
  m.eta_lsoa_imd_region = eta2(ns, t.region_code)
  m.eta_lsoa_imd_la = eta2(ns, t.lad17_code)
  m.eta_lsoa_imd_ward = eta2(ns, t.ward17_code)
  local g = t:group_by("ward17_code")
  local wt = cni.table{{"ward17_code", g:keys()}, {"ward_imd", g:agg("wmean", t.imd_score, t.population)}}
  local c = cw:join(wt, {on = "ward17_code"})
  c = c:filter(~c.ward_imd:isna())
  local ir = c.ward_imd:rank{desc = true, ties = "first"}
  local cr, nr, er = c["Civic Assets rank"], c["Connectedness rank"], c["Engaged community rank"]
  m.civic_conn, m.civic_eng, m.conn_eng = cni.spearman(cr, nr), cni.spearman(cr, er), cni.spearman(nr, er)
  m.civic_imd, m.conn_imd, m.eng_imd = cni.spearman(cr, ir), cni.spearman(nr, ir), cni.spearman(er, ir)
  m.cni_imd = cni.spearman(c["Community Needs Index rank"], ir)
  m.eta_ward_imd_la = eta2(ir:normal_scores(), c.lad19_code)
  m.eta_civic_la = eta2(cr:normal_scores(), c.lad19_code)
  m.eta_conn_la = eta2(nr:normal_scores(), c.lad19_code)
  m.eta_eng_la = eta2(er:normal_scores(), c.lad19_code)
  m.eta_cni_la = eta2(c["Community Needs Index rank"]:normal_scores(), c.lad19_code)
  local cut = #c // 10
  m.flagged = (c["Community Needs Index rank"]:le(cut) & ir:le(cut)):count(true)
  m.lsoa_per_ward_mean = #t / #g
  m.pop_mean = t.population:mean()
  return m
end

local real_dir = ROOT .. "/../shared/data/real"
local function remeasure()
  local m = measure_real(real_dir)
  local worst, where = 0, "?"
  local function cmp(a, b, k) local d = math.abs(a - b); if d > worst then worst, where = d, k end end
  for k, v in pairs(REAL) do
    if k == "imd_pairs" then
      for i = 1, #v do cmp(v[i], m.imd_pairs[i], "imd_pairs[" .. i .. "]") end
    elseif k == "flagged" then cmp(v / 100, m.flagged / 100, k)
    elseif k == "pop_mean" then cmp(v / 1000, m.pop_mean / 1000, k)
    else cmp(v, m[k], k) end
  end
  check(worst <= 0.0015, "reference values re-measured on ../shared/data/real agree with the constants",
    string.format("largest difference %.4f at %s", worst, where))
  -- invented names never equal a real ward or district name
  local lk = cni.read_csv(real_dir .. "/lookup_lsoa11_ward17.csv")
  local real_names = {}
  for i = 1, #lk do
    real_names[lk.ward17_name[i]:lower()] = true
    real_names[lk.lad17_name[i]:lower()] = true
  end
  local same = {}
  for _, f in ipairs{{"lookup_lsoa11_ward17.csv", "ward17_name"}, {"las.csv", "lad17_name"}} do
    local t = cni.read_csv(DATA .. "/" .. f[1], {select = {f[2]}})
    for i = 1, #t do
      if real_names[t[f[2]][i]:lower()] then same[#same + 1] = t[f[2]][i] end
    end
  end
  check(#same == 0, "no invented ward or authority name equals a real ward or district name",
    #same > 0 and table.concat(same, ", ") or nil)
end
local function guarded(what, fn)
  local ok, err = pcall(fn)
  if not ok then check(false, what, "raised: " .. tostring(err)) end
end
if file_size(real_dir .. "/cni2019_england_ward17.csv") then
  guarded("reference values re-measured on ../shared/data/real", remeasure)
else
  print("skip reference values not re-measured: ../shared/data/real not found (constants used)")
end

local FILES = {"imd2019_england_lsoa11.csv", "lookup_lsoa11_ward17.csv", "population_lsoa11.csv",
  "cni2019_england_ward17.csv", "wards.csv", "las.csv", "indicators.csv",
  "boundaries_ward17.geojson", "boundaries_lad17.geojson", "manifest.json", "SYNTHETIC"}
-- the column layout of the real files in ../shared/data/real (what the
-- shipped specs read); the synthetic IMD file may append columns after these
local LAYOUT = {
  ["imd2019_england_lsoa11.csv"] = {"lsoa11_code", "IMD_decile", "Income_decile", "Employment_decile",
    "Education_decile", "Health_decile", "Crime_decile", "Housing_and_Access_decile", "Environment_decile",
    "IMD_rank", "Income_rank", "Employment_rank", "Education_rank", "Health_rank", "Crime_rank",
    "Housing_and_Access_rank", "Environment_rank"},
  ["lookup_lsoa11_ward17.csv"] = {"lsoa11_code", "lsoa11_name", "ward17_code", "ward17_name", "lad17_code",
    "lad17_name", "region_code", "region_name"},
  ["population_lsoa11.csv"] = {"lsoa11_code", "population", "year"},
  ["cni2019_england_ward17.csv"] = {"ward17_code", "ward17_name", "lad19_code", "lad19_name",
    "Civic Assets score", "Civic Assets rank", "Connectedness score", "Connectedness rank",
    "Engaged community score", "Engaged community rank", "Community Needs Index score",
    "Community Needs Index rank", "Left Behind Area?"},
}
local LAYOUT_FILES = {"imd2019_england_lsoa11.csv", "lookup_lsoa11_ward17.csv", "population_lsoa11.csv",
  "cni2019_england_ward17.csv"}
local CNI_DOMS = {"Civic Assets", "Connectedness", "Engaged community"}
local SIZE_LIMIT = 13.0e6      -- bytes, all generated files together (see data/README.md, "Size")

-- The cnilua executable running this script (for the subprocess checks).
local function this_exe()
  local i = 0
  while arg[i - 1] do i = i - 1 end
  local exe = i < 0 and arg[i] or nil
  if not exe or not exe:match("cnilua$") then exe = ROOT .. "/build/cnilua" end
  return exe
end

-- The default left-behind run, written independently of the generator and
-- of the spec engine: per domain, the mean of the rank-based normal scores
-- (rankit) of the need-oriented indicators, ranked; the IMD exponential
-- transform of the domain ranks, summed; CNI rank; CNI top 10% AND ward
-- IMD top 10% by count.
local function default_run(w, inds, ward_imd)
  local n = #w
  local domain_cols, cni_score = {}, cni.fill(n, 0)
  for d = 1, 3 do
    local sum, k = cni.fill(n, 0), 0
    for _, ind in ipairs(inds) do
      if ind.domain == d then
        local x = w[ind.name]
        if ind.direction < 0 then x = -x end
        sum = sum + x:normal_scores{offset = "rankit"}
        k = k + 1
      end
    end
    local mean = sum / k
    domain_cols[d] = mean
    cni_score = cni_score + mean:rank{desc = true, ties = "first"}:exp_transform{n = n}
  end
  local cni_rank = cni_score:rank{desc = true, ties = "first"}
  local imd_rank = ward_imd:rank{desc = true, ties = "first"}
  local cut = n // 10
  local flagged = cni_rank:le(cut) & imd_rank:le(cut)
  return {domains = domain_cols, cni_score = cni_score, cni_rank = cni_rank, imd_rank = imd_rank,
          flagged = flagged, cut = cut}
end

local function main_checks()
  ----------------------------------------------------------------------------
  -- Files, sizes, labels, layout.
  ----------------------------------------------------------------------------
  local total, sizes = 0, {}
  for _, f in ipairs(FILES) do
    local n = file_size(DATA .. "/" .. f)
    check(n ~= nil and n > 0, "file data/" .. f .. " exists", n and (n .. " bytes") or "missing")
    total = total + (n or 0)
    sizes[#sizes + 1] = string.format("%s %.2f MB", f, (n or 0) / 1e6)
  end
  local readme = read_all(DATA .. "/README.md") or ""
  check(#readme > 0, "data/README.md exists")
  total = total + #readme
  check(total <= SIZE_LIMIT, string.format("data/ (generated files and README) at most %.1f MB", SIZE_LIMIT / 1e6),
    string.format("%.2f MB", total / 1e6))
  for _, old in ipairs{"lsoa.csv", "lookup_lsoa_ward.csv", "boundaries_lsoa.geojson", "boundaries_la.geojson"} do
    check(file_size(DATA .. "/" .. old) == nil, "the old layout's data/" .. old .. " is gone")
  end

  local manifest = cni.read_json(DATA .. "/manifest.json")
  check(manifest.synthetic == true and tostring(manifest.label):find("SYNTHETIC", 1, true) ~= nil,
    "manifest.json says synthetic and carries the SYNTHETIC label")
  local listed = table.concat(manifest.files or {}, " ")
  check(listed == table.concat(FILES, " "), "manifest.json lists the files", listed)
  check((read_all(DATA .. "/SYNTHETIC") or ""):find("SYNTHETIC", 1, true) ~= nil,
    "marker file data/SYNTHETIC present (the spec engine labels outputs synthetic)")
  check(readme:find("synthetic", 1, true) ~= nil and readme:find("SYNTHETIC", 1, true) ~= nil
    and readme:find("not real", 1, true) ~= nil, "README states plainly that the data is synthetic")

  local lsoa = cni.read_csv(DATA .. "/imd2019_england_lsoa11.csv")
  local lookup = cni.read_csv(DATA .. "/lookup_lsoa11_ward17.csv")
  local popt = cni.read_csv(DATA .. "/population_lsoa11.csv")
  local cw = cni.read_csv(DATA .. "/cni2019_england_ward17.csv")
  local wards = cni.read_csv(DATA .. "/wards.csv")
  local las = cni.read_csv(DATA .. "/las.csv")
  local inds_t = cni.read_csv(DATA .. "/indicators.csv")
  local tables = {["imd2019_england_lsoa11.csv"] = lsoa, ["lookup_lsoa11_ward17.csv"] = lookup,
    ["population_lsoa11.csv"] = popt, ["cni2019_england_ward17.csv"] = cw}

  -- the real file layout: same column names in the same order (the IMD file
  -- may append synthetic columns), same types as the real files
  for _, f in ipairs(LAYOUT_FILES) do
    local want, have = LAYOUT[f], tables[f]:names()
    local ok = #have >= #want and (f == "imd2019_england_lsoa11.csv" or #have == #want)
    for i = 1, #want do if have[i] ~= want[i] then ok = false end end
    check(ok, "data/" .. f .. " has the real file's columns, in order",
      string.format("%d columns, %d real", #have, #want))
  end
  do
    local ty = cw:types()
    check(ty["Left Behind Area?"] == "boolean" and ty["Civic Assets rank"] == "number" and
      lsoa:types().IMD_rank == "number" and popt:types().year == "number",
      "column types as in the real files (ranks numeric, 'Left Behind Area?' TRUE/FALSE)")
  end
  if file_size(real_dir .. "/cni2019_england_ward17.csv") then
    local same = true
    for _, f in ipairs(LAYOUT_FILES) do
      local fh = io.open(real_dir .. "/" .. f, "rb")
      local two = fh:read("l") .. "\n" .. fh:read("l") .. "\n"
      fh:close()
      local real_names = cni.parse_csv(two):names()
      for i = 1, #real_names do if real_names[i] ~= LAYOUT[f][i] then same = false end end
      if #real_names ~= #LAYOUT[f] then same = false end
    end
    check(same, "the layout constants equal the headers of the files in ../shared/data/real")
  end

  ----------------------------------------------------------------------------
  -- Counts, nesting, codes.
  ----------------------------------------------------------------------------
  local NL, NW, NA = #lsoa, #cw, #las
  check(NL >= 31000 and NL <= 35000, "about 33,000 small areas", tostring(NL))
  check(NW >= 7000 and NW <= 7800, "about 7,400 wards", tostring(NW))
  check(NA >= 300 and NA <= 340, "about 320 local authorities", tostring(NA))
  local nreg = #cni.group_by(lookup.region_code)
  check(nreg == 9, "9 regions", tostring(nreg))

  -- every column documented in the README, no missing values
  for _, pair in ipairs{{"imd2019_england_lsoa11.csv", lsoa}, {"lookup_lsoa11_ward17.csv", lookup},
                        {"population_lsoa11.csv", popt}, {"cni2019_england_ward17.csv", cw},
                        {"wards.csv", wards}, {"las.csv", las}, {"indicators.csv", inds_t}} do
    local undocumented, nmiss = {}, 0
    for _, nm in ipairs(pair[2]:names()) do
      if not readme:find("`" .. nm .. "`", 1, true) then undocumented[#undocumented + 1] = nm end
      nmiss = nmiss + pair[2][nm]:nmissing()
    end
    check(#undocumented == 0, "every column of " .. pair[1] .. " documented in data/README.md",
      #undocumented > 0 and ("missing: " .. table.concat(undocumented, " ")) or nil)
    check(nmiss == 0, "no missing values in " .. pair[1], nmiss .. " missing")
  end

  -- codes: invented prefix X, never a real GSS prefix
  local function codes_ok(column, prefix)
    local bad = 0
    for i = 1, #column do
      local s = column[i]
      if not (type(s) == "string" and s:match("^" .. prefix .. "%d%d%d%d%d%d$")) or s:match("^[EWSNKJLM]%d") then
        bad = bad + 1
      end
    end
    return bad
  end
  for _, c in ipairs{{lsoa.lsoa11_code, "X01"}, {cw.ward17_code, "X05"}, {las.lad17_code, "X06"},
                     {lookup.region_code, "X12"}} do
    local bad = codes_ok(c[1], c[2])
    check(bad == 0, "codes look invented: " .. c[2] .. "dddddd, no real GSS prefix (E0, W0, S0, ...)",
      bad .. " bad")
  end
  local function unique(column) return #cni.group_by(column) == #column end
  check(unique(lsoa.lsoa11_code) and unique(cw.ward17_code) and unique(las.lad17_code) and unique(las.lad17_name),
    "codes unique; authority names unique")

  -- the small-area files list the same areas in the same order; the ward
  -- files the same wards in the same order
  do
    local same_l, same_w = 0, 0
    for i = 1, NL do
      if lookup.lsoa11_code[i] == lsoa.lsoa11_code[i] and popt.lsoa11_code[i] == lsoa.lsoa11_code[i] then
        same_l = same_l + 1
      end
    end
    for i = 1, NW do if wards.ward17_code[i] == cw.ward17_code[i] then same_w = same_w + 1 end end
    check(#lookup == NL and #popt == NL and same_l == NL,
      "IMD, lookup and population files: one row per small area, same order", same_l .. " of " .. NL)
    check(#wards == NW and same_w == NW, "wards.csv and the CNI file: one row per ward, same order",
      same_w .. " of " .. NW)
  end

  -- ward population, from the small areas through the lookup
  local lk = lookup:join(popt:select{"lsoa11_code", "population"}, {on = "lsoa11_code"})
  local gw = lk:group_by("ward17_code")
  local wt = cni.table{{"ward17_code", gw:keys()}, {"population", gw:agg("sum", lk.population)},
                       {"n_lsoa", gw:sizes()}, {"ward17_name_lk", gw:first(lk.ward17_name)},
                       {"lad17_code", gw:first(lk.lad17_code)}, {"lad17_name_lk", gw:first(lk.lad17_name)},
                       {"region_code", gw:first(lk.region_code)}, {"region_name", gw:first(lk.region_name)}}
  local w = cw:join(wt, {on = "ward17_code"}):join(wards, {on = "ward17_code"})
  do
    check(#gw == NW and w.population:nmissing() == 0, "every ward holds at least one small area",
      #gw .. " wards with areas")
    local ok = (w.lad19_code:eq(w.lad17_code) & w.ward17_name:eq(w.ward17_name_lk) &
                w.lad19_name:eq(w.lad17_name_lk)):count(true)
    check(ok == NW, "CNI file: ward names and authorities (lad19 = lad17 codes, as in the real file) agree with the lookup",
      ok .. " of " .. NW)
    local gl = lookup:group_by("ward17_code")
    local ga = lookup:group_by("lad17_code")
    local nested = gl:expand(gl:first(lookup.lad17_code)):eq(lookup.lad17_code):count(true) == NL and
      ga:expand(ga:first(lookup.region_code)):eq(lookup.region_code):count(true) == NL
    check(nested, "every ward lies in one authority, every authority in one region")
    local gla = w:group_by("lad17_code")
    local at = cni.table{{"lad17_code", gla:keys()}, {"pop_w", gla:agg("sum", w.population)},
                         {"nw", gla:sizes()}, {"nl", gla:agg("sum", w.n_lsoa)}}
    local ka = las:join(at, {on = "lad17_code"})
    local oka = (ka.population:eq(ka.pop_w) & ka.n_wards:eq(ka.nw) & ka.n_lsoa:eq(ka.nl)):count(true)
    check(oka == NA, "las.csv: population, n_wards and n_lsoa equal the sums over the authority", oka .. " of " .. NA)
    local sz = gw:sizes()
    local m = sz:mean()
    check(m >= 4.0 and m <= 4.9, "small areas per ward like the real lookup (mean 4.0-4.9; real 4.42)",
      string.format("mean %.2f, min %d, max %d", m, sz:min(), sz:max()))
    local singles = sz:le(1):count(true) / #sz
    check(singles >= 0.04 and singles <= 0.20, "5-20% of wards are a single small area (real 11%)",
      string.format("%.3f", singles))
    local pm = popt.population:mean()
    check(pm >= 1550 and pm <= 1800 and popt.population:min() >= 500,
      "small-area populations like the real ones (mean 1,550-1,800, min >= 500; real 1,666, min 523)",
      string.format("mean %.0f, min %d, max %d", pm, popt.population:min(), popt.population:max()))
  end

  ----------------------------------------------------------------------------
  -- IMD-style internal consistency.
  ----------------------------------------------------------------------------
  local W = {0.225, 0.225, 0.135, 0.135, 0.093, 0.093, 0.093}
  local imd_score = cni.fill(NL, 0)
  do
    local perm_ok, dec_ok = true, true
    for d, nm in ipairs(REAL_DOMS) do
      local r = lsoa[nm .. "_rank"]
      if r:min() ~= 1 or r:max() ~= NL or not unique(r) then perm_ok = false end
      imd_score = imd_score + r:exp_transform{n = NL} * W[d]
      local rs = cni.spearman(lsoa[nm .. "_score"], r)      -- rank 1 = highest score
      if rs > -0.999 then perm_ok = false end
      if ((r * 10 / NL):ceil() - lsoa[nm .. "_decile"]):abs():max() ~= 0 then dec_ok = false end
    end
    check(perm_ok, "each domain rank is a permutation of 1..N, descending in its score")
    local rk = imd_score:rank{desc = true, ties = "first"}
    local off = (rk - lsoa.IMD_rank):abs():max()
    check(off == 0, "IMD_rank = rank of the IMD 2019 score rebuilt from the domain ranks " ..
      "(sum of weights x exp-transformed ranks; ties in order of rows)", "max shift " .. off)
    if ((lsoa.IMD_rank * 10 / NL):ceil() - lsoa.IMD_decile):abs():max() ~= 0 then dec_ok = false end
    check(dec_ok, "every *_decile = ceil(10 rank / N)")
    local e1 = (lsoa.income_numerator / popt.population - lsoa.Income_score):abs():max()
    local e2 = (lsoa.employment_numerator / lsoa.employment_denominator - lsoa.Employment_score):abs():max()
    check(e1 <= 0.00051 and e2 <= 0.00051, "income and employment scores = numerator / denominator " ..
      "(income: over population)", string.format("max error %.5f, %.5f", e1, e2))
    local okden = (lsoa.income_numerator:le(popt.population) & lsoa.employment_numerator:le(lsoa.employment_denominator) &
       lsoa.employment_denominator:le(popt.population) &
       lsoa.idaci_numerator:le(lsoa.idaci_denominator) & lsoa.idaci_denominator:le(popt.population) &
       lsoa.adult_skills_numerator:le(lsoa.adult_skills_denominator) &
       lsoa.adult_skills_denominator:le(popt.population)):count(true) == NL
    check(okden, "numerators never exceed denominators, denominators never exceed the population")
    local r1 = cni.spearman(lsoa.idaci_numerator / lsoa.idaci_denominator, lsoa.Income_score)
    local r2 = cni.spearman(lsoa.adult_skills_numerator / lsoa.adult_skills_denominator, lsoa.Education_score)
    check(r1 >= 0.7 and r2 >= 0.5, "IDACI rate follows income (rho >= 0.7), skills rate follows education (>= 0.5)",
      string.format("%.3f, %.3f", r1, r2))
    -- the spec engine's IMD 2019 (lua/cni/indices/imd2019.lua) reproduces the ranks
    local r = cni.build(require "cni.indices.imd2019", {data = DATA})
    local off2 = (r.table.imd_rank - lsoa.IMD_rank):abs():max()
    check(off2 == 0, "the spec engine's imd2019.lua reproduces IMD_rank exactly", "max shift " .. off2)
  end

  ----------------------------------------------------------------------------
  -- The published-style CNI file, against its definition.
  ----------------------------------------------------------------------------
  -- ward IMD: population-weighted mean of the small-area IMD scores
  local lks = lookup:select{"lsoa11_code", "ward17_code"}:with("imd_score", imd_score):with("pop", popt.population)
  local gi = lks:group_by("ward17_code")
  local wimd = cni.table{{"ward17_code", gi:keys()}, {"ward_imd", gi:agg("wmean", lks.imd_score, lks.pop)}}
  w = w:join(wimd, {on = "ward17_code"})

  local inds = {}
  for i = 1, #inds_t do
    local dom = inds_t.domain[i]
    local d = dom == "civic" and 1 or dom == "connectedness" and 2 or dom == "engaged" and 3 or nil
    if d then inds[#inds + 1] = {name = inds_t.column[i], domain = d, direction = inds_t.direction[i]} end
  end
  check(#inds >= 17 and #inds <= 21, "about 19 CNI-style indicators in 3 domains", #inds .. " indicators")

  local run = default_run(w, inds, w.ward_imd)
  local pub_rank = {}
  for d = 1, 3 do pub_rank[d] = w[CNI_DOMS[d] .. " rank"] end
  local pub_cni_rank = w["Community Needs Index rank"]
  local pub_flag = w["Left Behind Area?"]
  do
    local same = 0
    for d = 1, 3 do
      same = same + (run.domains[d]:rank{desc = true, ties = "first"}:eq(pub_rank[d])):count(true)
    end
    check(same == 3 * NW, "published domain ranks = the default run over wards.csv (computed here)",
      same .. " of " .. 3 * NW)
    local err, perm = 0, true
    local xs = {}
    for d = 1, 3 do
      local r = pub_rank[d]
      if r:min() ~= 1 or r:max() ~= NW or not unique(r) then perm = false end
      xs[d] = r:exp_transform{n = NW}
      local e = ((xs[d] - w[CNI_DOMS[d] .. " score"]) / xs[d]):abs():max()
      if e > err then err = e end
    end
    local sum = xs[1] + xs[2] + xs[3]
    local es = ((sum - w["Community Needs Index score"]) / sum):abs():max()
    check(perm and err <= 5.01e-4 and es <= 5.01e-4,
      "published domain score = X(domain rank) and CNI score = their sum (4 significant digits)",
      string.format("max relative error %.2e, %.2e", err, es))
    local rk = sum:rank{desc = true, ties = "first"}
    check((rk - pub_cni_rank):abs():max() == 0, "published CNI rank = rank of the CNI score")
    local flag = pub_cni_rank:le(NW // 10) & run.imd_rank:le(NW // 10)
    check(flag:eq(pub_flag):count(true) == NW and pub_flag:eq(run.flagged):count(true) == NW,
      "'Left Behind Area?' = CNI top 10% AND ward IMD top 10% (ward IMD computed here)",
      pub_flag:count(true) .. " TRUE")
  end

  ----------------------------------------------------------------------------
  -- The shipped specs on data/: cni2019.lua (published ranks) and
  -- cni2019_indicators.lua (indicators) flag the same wards as the file.
  ----------------------------------------------------------------------------
  do
    local ra = cni.build(require "cni.indices.cni2019", {data = DATA})
    local fa = ra.table:col(ra.flag)
    local na = fa:count(true)
    check(na >= 200 and na <= 250, "lua/cni/indices/cni2019.lua runs on data/ and flags 200-250 wards", na .. " flagged")
    check(ra.synthetic == true, "the spec engine labels the run on data/ as synthetic")
    check(fa:eq(pub_flag):count(true) == NW, "cni2019.lua flags exactly the wards marked 'Left Behind Area?'")
    local rb = cni.build(require "cni.indices.cni2019_indicators", {data = DATA})
    local fb = rb.table:col(rb.flag)
    local nb = fb:count(true)
    check(nb >= 200 and nb <= 250, "lua/cni/indices/cni2019_indicators.lua runs on data/ and flags 200-250 wards",
      nb .. " flagged")
    check(fb:eq(fa):count(true) == NW, "cni2019_indicators.lua and cni2019.lua flag the same wards",
      (fb & ~fa):count(true) .. " only in the first, " .. (fa & ~fb):count(true) .. " only in the second")
    local same = 0
    for d, id in ipairs{"civic_assets", "connectedness", "engaged_community"} do
      same = same + rb.table:col(id .. "_rank"):eq(pub_rank[d]):count(true)
    end
    same = same + rb.table.cni_rank:eq(pub_cni_rank):count(true) + ra.table.cni_rank:eq(pub_cni_rank):count(true)
    check(same == 5 * NW, "both specs reproduce the published domain and CNI ranks exactly", same .. " of " .. 5 * NW)
    local pw = (rb.table.population_score - w.population):abs():max()
    check(pw == 0, "cni2019_indicators.lua: ward population = sum over the lookup")
    -- scripts/cni2019.lua: the baseline run from the command line
    local tmp = os.tmpname()
    os.remove(tmp)
    local cmd = string.format('cd "%s" && "%s" scripts/cni2019.lua --data "%s" -o "%s" 2>&1', ROOT, this_exe(), DATA, tmp)
    local pipe = io.popen(cmd)
    local out = pipe:read("a")
    local okrun = pipe:close()
    local n = tonumber(out:match("left_behind: (%d+) flagged"))
    check(okrun and n == nb and out:find("SYNTHETIC", 1, true) ~= nil,
      "build/cnilua scripts/cni2019.lua runs and prints its summary (synthetic, same count)",
      tostring(n) .. " flagged")
    if tmp:match("^/tmp/") then os.execute('rm -rf "' .. tmp .. '"') end
    if file_size(real_dir .. "/cni2019_england_ward17.csv") then
      local rr = cni.build(require "cni.indices.cni2019", {data = real_dir})
      local nr = rr.table:col(rr.flag):count(true)
      check(nr >= 215 and nr <= 235 and not rr.synthetic,
        "cni2019.lua still runs on ../shared/data/real (same spec, real layout)", nr .. " flagged (published 225)")
    end
  end

  ----------------------------------------------------------------------------
  -- Calibration: correlations, clustering, the default run, group contrasts.
  ----------------------------------------------------------------------------
  local k = 0
  for i = 1, 7 do for j = i + 1, 7 do
    k = k + 1
    local r = cni.spearman(lsoa[REAL_DOMS[i] .. "_rank"], lsoa[REAL_DOMS[j] .. "_rank"])
    within(r, REAL.imd_pairs[k], 0.06, "Spearman " .. IMD_DOMS[i] .. "-" .. IMD_DOMS[j] .. " ranks (small areas)")
  end end

  local ns = imd_score:normal_scores()
  within(eta2(ns, lookup.region_code), REAL.eta_lsoa_imd_region, 0.05, "variance share of small-area IMD between regions")
  within(eta2(ns, lookup.lad17_code), REAL.eta_lsoa_imd_la, 0.08, "variance share of small-area IMD between authorities")
  within(eta2(ns, lookup.ward17_code), REAL.eta_lsoa_imd_ward, 0.08, "variance share of small-area IMD between wards")

  local dr = pub_rank
  within(cni.spearman(dr[1], dr[2]), REAL.civic_conn, 0.05, "Spearman Civic - Connectedness (wards)")
  within(cni.spearman(dr[1], dr[3]), REAL.civic_eng, 0.05, "Spearman Civic - Engaged (wards)")
  within(cni.spearman(dr[2], dr[3]), REAL.conn_eng, 0.05, "Spearman Connectedness - Engaged (wards)")
  within(cni.spearman(dr[1], run.imd_rank), REAL.civic_imd, 0.06, "Spearman Civic - ward IMD")
  within(cni.spearman(dr[2], run.imd_rank), REAL.conn_imd, 0.06, "Spearman Connectedness - ward IMD")
  within(cni.spearman(dr[3], run.imd_rank), REAL.eng_imd, 0.06, "Spearman Engaged - ward IMD")
  within(cni.spearman(pub_cni_rank, run.imd_rank), REAL.cni_imd, 0.05, "Spearman CNI - ward IMD")

  within(eta2(run.imd_rank:normal_scores(), w.lad17_code), REAL.eta_ward_imd_la, 0.08, "variance share of ward IMD between authorities")
  within(eta2(dr[1]:normal_scores(), w.lad17_code), REAL.eta_civic_la, 0.08, "variance share of Civic need between authorities")
  within(eta2(dr[2]:normal_scores(), w.lad17_code), REAL.eta_conn_la, 0.08, "variance share of Connectedness need between authorities")
  within(eta2(dr[3]:normal_scores(), w.lad17_code), REAL.eta_eng_la, 0.08, "variance share of Engaged need between authorities")
  within(eta2(pub_cni_rank:normal_scores(), w.lad17_code), REAL.eta_cni_la, 0.08, "variance share of the CNI between authorities")

  local nflag = pub_flag:count(true)
  check(nflag >= 200 and nflag <= 250, "default run flags 200-250 left-behind wards (real 225)",
    nflag .. " of " .. NW .. " (cut-off " .. run.cut .. ")")

  -- where the flagged wards are: mostly the northern regions, few in the capital-like one
  do
    local fw = w:filter(pub_flag)
    local north, capital = 0, 0
    for i = 1, #fw do
      local r = fw.region_code[i]
      if r == "X12000001" or r == "X12000002" or r == "X12000003" then north = north + 1 end
      if r == "X12000008" then capital = capital + 1 end
    end
    check(north / nflag >= 0.45 and capital / nflag <= 0.05,
      "flagged wards concentrate in the three northern regions (>= 45%; real 61%) and avoid the capital-like region (<= 5%; real 1%)",
      string.format("north %d, capital %d of %d", north, capital, nflag))
  end

  -- group contrasts: left behind vs other deprived (ward IMD top 10%, not flagged)
  do
    local flagged = pub_flag
    local deprived = run.imd_rank:le(run.cut)
    local other = deprived & ~flagged
    local function gmean(x, mask) return w:filter(mask)[x]:mean() end
    local function pmean(x, mask)
      local t = w:filter(mask)
      return (t[x] * t.population):sum() / t.population:sum()
    end
    local function rate(n, mask)
      local t = w:filter(mask)
      return t[n]:sum() / t.population:sum() * 1e5
    end
    local rows = {
      {"jobs_density", -1}, {"covid_grants_per_100k", -1, "covid_grants_n"},
      {"mutual_aid_per_100k", -1, "mutual_aid_groups_n"}, {"covid_vulnerability_index", 1},
    }
    for _, r in ipairs(rows) do
      local a, b = gmean(r[1], flagged), gmean(r[1], other)
      local pa, pb
      if r[3] then pa, pb = rate(r[3], flagged), rate(r[3], other)
      else pa, pb = pmean(r[1], flagged), pmean(r[1], other) end
      local ok = (r[2] < 0 and a < b and pa < pb) or (r[2] > 0 and a > b and pa > pb)
      check(ok, string.format("left behind %s other deprived wards on %s (mean and population-weighted)",
        r[2] < 0 and "below" or "above", r[1]),
        string.format("mean %.2f vs %.2f; weighted %.2f vs %.2f", a, b, pa, pb))
    end
    local all = cni.fill(NW, true)
    local rows2 = {{"children_in_poverty_pct", 1}, {"out_of_work_households_pct", 1},
      {"at_risk_health_pct", 1}, {"no_qualifications_pct", 1}, {"he_participation_pct", -1},
      {"jobs_density", -1}, {"covid_vulnerability_index", 1}, {"covid_grants_per_100k", -1, "covid_grants_n"},
      {"mutual_aid_per_100k", -1, "mutual_aid_groups_n"}}
    for _, r in ipairs(rows2) do
      local a, b
      if r[3] then a, b = rate(r[3], flagged), rate(r[3], all)
      else a, b = pmean(r[1], flagged), pmean(r[1], all) end
      local ok = (r[2] < 0 and a < b) or (r[2] > 0 and a > b)
      check(ok, string.format("left behind %s the all-ward average on %s (population-weighted)",
        r[2] < 0 and "below" or "above", r[1]), string.format("%.2f vs %.2f", a, b))
    end
    local erate = 0
    for _, p in ipairs{{"covid_grants_n", "covid_grants_per_100k"}, {"mutual_aid_groups_n", "mutual_aid_per_100k"}} do
      local e = (w[p[1]] / w.population * 1e5 - w[p[2]]):abs():max()
      if e > erate then erate = e end
    end
    check(erate <= 0.0501, "per-100,000 rates = count / ward population (sum over the lookup) x 100,000",
      string.format("max error %.4f", erate))
  end

  ----------------------------------------------------------------------------
  -- Boundaries: ward and authority outlines. Coordinates are read as whole
  -- hundredths of a degree, so areas and shared edges compare exactly.
  ----------------------------------------------------------------------------
  do
    local function load(f)
      local text = read_all(DATA .. "/" .. f) or ""
      check(not text:find("%d%.%d%d%d%d%d%d"), f .. ": coordinates have at most 5 decimals")
      local gj = cni.json_decode(text)
      check(gj.type == "FeatureCollection" and gj.synthetic == true and
        tostring(gj.description):find("SYNTHETIC", 1, true) ~= nil, f .. " is a FeatureCollection labelled synthetic")
      return gj.features or {}
    end
    local function H(x) return math.floor(x * 100 + 0.5) end
    -- rings as lists of {lon, lat} in whole hundredths; checks closure,
    -- bounding box and hundredths
    local out_box, not_grid = 0, 0
    local function rings_of(geom)
      local polys = geom.type == "Polygon" and {geom.coordinates} or geom.coordinates
      local out = {}
      for _, poly in ipairs(polys) do
        for ri, ring in ipairs(poly) do
          local r = {}
          for i, p in ipairs(ring) do
            local x, y = H(p[1]), H(p[2])
            if math.abs(p[1] * 100 - x) > 1e-6 or math.abs(p[2] * 100 - y) > 1e-6 then not_grid = not_grid + 1 end
            if p[1] < -6.5 or p[1] > 3.5 or p[2] < 49.5 or p[2] > 56.5 then out_box = out_box + 1 end
            r[i] = {x, y}
          end
          out[#out + 1] = {pts = r, outer = ri == 1}
        end
      end
      return out, #polys
    end
    local function area2(r)                 -- twice the signed area, hundredths^2
      local a = 0
      for i = 1, #r - 1 do a = a + r[i][1] * r[i + 1][2] - r[i + 1][1] * r[i][2] end
      return a
    end
    local function orient(a, b, c)
      local v = (b[1] - a[1]) * (c[2] - a[2]) - (b[2] - a[2]) * (c[1] - a[1])
      return v > 0 and 1 or (v < 0 and -1 or 0)
    end
    local function on_seg(a, b, p)
      return math.min(a[1], b[1]) <= p[1] and p[1] <= math.max(a[1], b[1]) and
             math.min(a[2], b[2]) <= p[2] and p[2] <= math.max(a[2], b[2])
    end
    local function cross(a, b, c, d)        -- segments ab and cd meet
      local o1, o2, o3, o4 = orient(a, b, c), orient(a, b, d), orient(c, d, a), orient(c, d, b)
      if o1 ~= o2 and o3 ~= o4 then return true end
      return (o1 == 0 and on_seg(a, b, c)) or (o2 == 0 and on_seg(a, b, d)) or
             (o3 == 0 and on_seg(c, d, a)) or (o4 == 0 and on_seg(c, d, b))
    end
    local function simple(r)                -- closed ring without self-contact
      local n = #r - 1
      if n < 3 or r[1][1] ~= r[#r][1] or r[1][2] ~= r[#r][2] then return false end
      for i = 1, n do
        for j = i + 2, n do
          if not (i == 1 and j == n) and cross(r[i], r[i + 1], r[j], r[j + 1]) then return false end
        end
      end
      return true
    end

    local wf = load("boundaries_ward17.geojson")
    local lf = load("boundaries_lad17.geojson")
    check(#wf == NW and #lf == NA, "one outline per ward and one per authority", #wf .. " and " .. #lf .. " features")
    local ward_of_edge, ward_area, ward_idx = {}, {}, {}
    local bad, nonsimple, multi, badorient = 0, 0, 0, 0
    for i = 1, NW do ward_idx[cw.ward17_code[i]] = i end
    local ratio_lo, ratio_hi = math.huge, 0
    local HEX = 36                          -- twice a hexagon's area in hundredths^2
    for fi, f in ipairs(wf) do
      local i = ward_idx[f.properties.code]
      if i ~= fi or f.properties.name ~= cw.ward17_name[i] or not f.geometry then bad = bad + 1
      else
        local rings, nparts = rings_of(f.geometry)
        if nparts ~= 1 then multi = multi + 1 end
        local a = 0
        for _, rg in ipairs(rings) do
          local r = rg.pts
          if not simple(r) then nonsimple = nonsimple + 1 end
          local ar = area2(r)
          if (rg.outer and ar <= 0) or (not rg.outer and ar >= 0) then badorient = badorient + 1 end
          a = a + ar
          for v = 1, #r - 1 do
            local p, q = r[v], r[v + 1]
            local ka, kb = p[1] .. "," .. p[2], q[1] .. "," .. q[2]
            local key = ka < kb and (ka .. "|" .. kb) or (kb .. "|" .. ka)
            local e = ward_of_edge[key]
            if e then e[#e + 1] = i else ward_of_edge[key] = {i} end
          end
        end
        ward_area[i] = a
        local ratio = a / (HEX * w.n_lsoa[i])
        if ratio < ratio_lo then ratio_lo = ratio end
        if ratio > ratio_hi then ratio_hi = ratio end
      end
    end
    check(bad == 0, "ward outlines: in the CNI file's order, with its codes and names", bad .. " bad")
    check(nonsimple == 0 and badorient == 0, "every ring closed and simple; outer rings counter-clockwise, holes clockwise",
      nonsimple .. " not simple, " .. badorient .. " wrongly oriented")
    check(multi == 0, "every ward is one polygon (contiguous)", multi .. " in several parts")
    check(out_box == 0 and not_grid == 0, "every vertex on the 0.01-degree lattice, inside lon -6.5..3.5, lat 49.5..56.5",
      out_box .. " outside, " .. not_grid .. " off the lattice")
    check(ratio_lo >= 0.5 and ratio_hi <= 1.5, "ward area = its small areas' hexagons, within the lightened edges (0.5-1.5)",
      string.format("ratio %.3f to %.3f", ratio_lo, ratio_hi))
    -- shared edges: each edge belongs to one or two wards
    local adj, over = {}, 0
    for i = 1, NW do adj[i] = {} end
    local keys = {}
    for key in pairs(ward_of_edge) do keys[#keys + 1] = key end
    table.sort(keys)
    for _, key in ipairs(keys) do
      local e = ward_of_edge[key]
      if #e == 2 and e[1] ~= e[2] then
        adj[e[1]][#adj[e[1]] + 1] = e[2]; adj[e[2]][#adj[e[2]] + 1] = e[1]
      elseif #e > 2 or (#e == 2 and e[1] == e[2]) then over = over + 1 end
    end
    check(over == 0, "neighbouring wards share identical boundary edges (no edge used more than twice)", over .. " bad")
    local function split_groups(group_of)
      local seen, comps, order = {}, {}, {}
      for i = 1, NW do
        if not seen[i] then
          local g = group_of[i]
          comps[g] = (comps[g] or 0) + 1
          if comps[g] == 1 then order[#order + 1] = g end
          local stack = {i}
          seen[i] = true
          while #stack > 0 do
            local v = table.remove(stack)
            for _, u in ipairs(adj[v]) do
              if not seen[u] and group_of[u] == g then seen[u] = true; stack[#stack + 1] = u end
            end
          end
        end
      end
      local split = 0
      for _, g in ipairs(order) do if comps[g] > 1 then split = split + 1 end end
      return split, #order
    end
    for _, lv in ipairs{{"authority", "lad17_code"}, {"region", "region_code"}} do
      local g = {}
      for i = 1, NW do g[i] = w[lv[2]][i] end
      local split, n = split_groups(g)
      check(split == 0, "every " .. lv[1] .. " is contiguous on the map (its wards connected by shared edges)",
        split .. " of " .. n .. " split")
    end
    -- authority outlines: the union of their wards
    local la_sum = {}
    for i = 1, NW do
      local c = w.lad17_code[i]
      la_sum[c] = (la_sum[c] or 0) + ward_area[i]
    end
    local badla, areala, nsla = 0, 0, 0
    for i, f in ipairs(lf) do
      if f.properties.code ~= las.lad17_code[i] or f.properties.name ~= las.lad17_name[i] then badla = badla + 1
      else
        local rings = rings_of(f.geometry)
        local a = 0
        for _, rg in ipairs(rings) do
          a = a + area2(rg.pts)
          if not simple(rg.pts) then nsla = nsla + 1 end
          for v = 1, #rg.pts - 1 do
            local p, q = rg.pts[v], rg.pts[v + 1]
            local ka, kb = p[1] .. "," .. p[2], q[1] .. "," .. q[2]
            if not ward_of_edge[ka < kb and (ka .. "|" .. kb) or (kb .. "|" .. ka)] then badla = badla + 1 end
          end
        end
        if a ~= la_sum[las.lad17_code[i]] then areala = areala + 1 end
      end
    end
    check(badla == 0 and nsla == 0, "authority outlines: codes and names of las.csv, simple rings, every edge a ward edge",
      badla .. " bad, " .. nsla .. " not simple")
    check(areala == 0, "each authority's area = the sum of its wards' areas (exact)", areala .. " differ")
    -- the engine reads and draws them
    local ok, err = pcall(function()
      local ws = cni.read_geojson(DATA .. "/boundaries_ward17.geojson")
      local ls = cni.read_geojson(DATA .. "/boundaries_lad17.geojson")
      local map = require "cni.map"
      local _, info = map.render{shapes = ws, outline = ls, kind = "flag",
        values = {table = cw, code = "ward17_code", column = "Left Behind Area?"}}
      assert(#ws == NW and #ls == NA, "counts")
      assert(info.drawn == NW and #info.coverage.no_shape == 0 and #info.coverage.no_area == 0, "coverage")
      assert(info.counts.flagged == nflag, "flagged count")
    end)
    check(ok, "cni.read_geojson reads both files and cni.map draws every ward (flag map)", not ok and tostring(err) or nil)
  end
end  -- main_checks
guarded("every data check ran to the end", main_checks)

----------------------------------------------------------------------------
-- Regeneration is byte-identical.
----------------------------------------------------------------------------
local function regen_check()
  local exe = this_exe()
  local tmp = os.tmpname()
  os.remove(tmp)
  local t1 = cni.clock()
  local cmd = string.format('cd "%s" && "%s" scripts/gen_data.lua "%s" 2>/dev/null', ROOT, exe, tmp)
  local okrun = os.execute(cmd)
  local secs = cni.clock() - t1
  check(okrun == true, "generator runs", string.format("%s, %.1f s", exe, secs))
  check(secs <= 30, "generator runs in at most 30 s", string.format("%.1f s", secs))
  local diff = {}
  for _, f in ipairs(FILES) do
    local a, b = read_all(DATA .. "/" .. f), read_all(tmp .. "/" .. f)
    if not a or not b or a ~= b then diff[#diff + 1] = f end
  end
  check(#diff == 0, "regenerating gives byte-identical files", #diff > 0 and ("differ: " .. table.concat(diff, " ")) or nil)
  if tmp:match("^/tmp/") then os.execute('rm -rf "' .. tmp .. '"') end
end
if REGEN then guarded("regeneration check ran to the end", regen_check) end

print(string.format("calibration of the SYNTHETIC data in %s: %.1f s", DATA, cni.clock() - t_start))
print(string.format("%d passed, %d failed", passed, failed))
os.exit(failed == 0 and 0 or 1)
