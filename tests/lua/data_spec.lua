-- The embedded SYNTHETIC dataset in data/ (written by scripts/gen_data.lua,
-- documented in data/README.md). Quick structural checks here; the full
-- calibration (correlations, clustering, left-behind count and contrasts,
-- the shipped specs on data/, outlines, byte-identical regeneration) is
-- tests/data/calibration.lua, run at the end through the built cnilua when
-- it is available.
local cni = require "cni"
local H = require "helper"

local cfg = package.loaded["cni_test_config"] or {}
local ROOT = H.root
local DATA = ROOT .. "/data"

local function exists(path)
  local f = io.open(path, "rb")
  if f then f:close() return true end
  return false
end

local DOMS = {"Income", "Employment", "Education", "Health", "Crime", "Housing_and_Access", "Environment"}

describe("embedded synthetic data", function()
  local lsoa, lookup, pop, cw, wards, las, inds

  setup(function()
    lsoa = cni.read_csv(DATA .. "/imd2019_england_lsoa11.csv")
    lookup = cni.read_csv(DATA .. "/lookup_lsoa11_ward17.csv")
    pop = cni.read_csv(DATA .. "/population_lsoa11.csv")
    cw = cni.read_csv(DATA .. "/cni2019_england_ward17.csv")
    wards = cni.read_csv(DATA .. "/wards.csv")
    las = cni.read_csv(DATA .. "/las.csv")
    inds = cni.read_csv(DATA .. "/indicators.csv")
  end)

  it("is labelled synthetic in the manifest, the README and the boundaries", function()
    local m = cni.read_json(DATA .. "/manifest.json")
    assert.is_true(m.synthetic)
    assert.truthy(m.label:find("SYNTHETIC", 1, true))
    assert.equal(#lsoa, m.counts.lsoas)
    assert.equal(#cw, m.counts.wards)
    assert.equal(#las, m.counts.local_authorities)
    assert.equal(9, m.counts.regions)
    assert.truthy(H.read_file(DATA .. "/SYNTHETIC"):find("SYNTHETIC", 1, true))
    local readme = H.read_file(DATA .. "/README.md")
    assert.truthy(readme:find("Everything in this folder is synthetic", 1, true))
    for _, f in ipairs{"boundaries_ward17.geojson", "boundaries_lad17.geojson"} do
      local fh = assert(io.open(DATA .. "/" .. f, "rb"))
      local head = fh:read(400)
      fh:close()
      assert.truthy(head:find('"synthetic":true', 1, true), f)
      assert.truthy(head:find("SYNTHETIC", 1, true), f)
    end
  end)

  it("uses the real file layout (names and leading columns of ../shared/data/real)", function()
    local want = {"lsoa11_code", "IMD_decile"}
    for _, d in ipairs(DOMS) do want[#want + 1] = d .. "_decile" end
    want[#want + 1] = "IMD_rank"
    for _, d in ipairs(DOMS) do want[#want + 1] = d .. "_rank" end
    local have = lsoa:names()
    for i = 1, #want do assert.equal(want[i], have[i]) end
    assert.same({"lsoa11_code", "lsoa11_name", "ward17_code", "ward17_name", "lad17_code", "lad17_name",
      "region_code", "region_name"}, lookup:names())
    assert.same({"lsoa11_code", "population", "year"}, pop:names())
    assert.same({"ward17_code", "ward17_name", "lad19_code", "lad19_name", "Civic Assets score",
      "Civic Assets rank", "Connectedness score", "Connectedness rank", "Engaged community score",
      "Engaged community rank", "Community Needs Index score", "Community Needs Index rank",
      "Left Behind Area?"}, cw:names())
    assert.equal("boolean", cw:types()["Left Behind Area?"])
  end)

  it("has England-like counts and invented X codes", function()
    assert.is_true(#lsoa >= 31000 and #lsoa <= 35000)
    assert.is_true(#cw >= 7000 and #cw <= 7800)
    assert.is_true(#las >= 300 and #las <= 340)
    assert.equal(#lsoa, #lookup)
    assert.equal(#lsoa, #pop)
    assert.equal(#cw, #wards)
    assert.equal(9, #cni.group_by(lookup.region_code))
    for _, c in ipairs{{lsoa.lsoa11_code, "X01"}, {cw.ward17_code, "X05"}, {las.lad17_code, "X06"},
                       {lookup.region_code, "X12"}} do
      for i = 1, #c[1] do
        local s = c[1][i]
        assert(s:match("^" .. c[2] .. "%d%d%d%d%d%d$"), "bad code " .. s)
      end
    end
  end)

  it("IMD_rank follows the IMD 2019 formula from the domain ranks", function()
    local w = {0.225, 0.225, 0.135, 0.135, 0.093, 0.093, 0.093}
    local s = cni.fill(#lsoa, 0)
    for d, nm in ipairs(DOMS) do
      assert.equal(1, lsoa[nm .. "_rank"]:min())
      assert.equal(#lsoa, lsoa[nm .. "_rank"]:max())
      assert.equal(0, lsoa[nm .. "_score"]:nmissing())
      s = s + lsoa[nm .. "_rank"]:exp_transform{n = #lsoa} * w[d]
    end
    assert.equal(0, (s:rank{desc = true, ties = "first"} - lsoa.IMD_rank):abs():max())
    assert.equal(10, lsoa.IMD_decile:max())
    for _, p in ipairs{"employment", "idaci", "adult_skills"} do
      assert.equal(#lsoa, lsoa[p .. "_numerator"]:le(lsoa[p .. "_denominator"]):count(true))
    end
    assert.equal(#lsoa, lsoa.income_numerator:le(pop.population):count(true))
  end)

  it("nests small areas in wards in authorities in regions", function()
    local j = lookup:join(cw:select{"ward17_code", "lad19_code"}, {on = "ward17_code", require = "all"})
    assert.equal(#lookup, #j)
    assert.equal(#j, j.lad19_code:eq(j.lad17_code):count(true))
    assert.equal(#cw, #lookup:group_by("ward17_code"))
    assert.equal(pop.population:sum(), las.population:sum())
  end)

  it("wards.csv has 19 CNI-style indicators in 3 domains and the briefing outcomes", function()
    local per = {civic = 0, connectedness = 0, engaged = 0, outcome = 0}
    for i = 1, #inds do
      local d = inds.domain[i]
      per[d] = per[d] + 1
      assert.truthy(wards:has(inds.column[i]), inds.column[i])
      assert.truthy(inds.direction[i] == 1 or inds.direction[i] == -1)
    end
    assert.equal(19, per.civic + per.connectedness + per.engaged)
    assert.is_true(per.civic >= 5 and per.connectedness >= 5 and per.engaged >= 5)
    for _, c in ipairs{"jobs_density", "children_in_poverty_pct", "out_of_work_households_pct",
                       "at_risk_health_pct", "no_qualifications_pct", "he_participation_pct",
                       "covid_vulnerability_index", "covid_grants_per_100k", "mutual_aid_per_100k"} do
      assert.truthy(wards:has(c), c)
    end
  end)

  it("the published domain ranks are the default run over the indicators; 200-250 wards left behind", function()
    local n = #wards
    local names = {civic = "Civic Assets rank", connectedness = "Connectedness rank",
                   engaged = "Engaged community rank"}
    for _, dom in ipairs{"civic", "connectedness", "engaged"} do
      local s, k = cni.fill(n, 0), 0
      for i = 1, #inds do
        if inds.domain[i] == dom then
          s = s + (wards[inds.column[i]] * inds.direction[i]):normal_scores{offset = "rankit"}
          k = k + 1
        end
      end
      local rk = (s / k):rank{desc = true, ties = "first"}
      assert.equal(n, rk:eq(cw[names[dom]]):count(true), dom)
    end
    local nf = cw["Left Behind Area?"]:count(true)
    assert.is_true(nf >= 200 and nf <= 250, "flagged " .. nf)
  end)

  it("the shipped cni2019.lua and cni2019_indicators.lua flag the same wards on data/", function()
    local a = cni.build(require "cni.indices.cni2019", {data = DATA})
    local b = cni.build(require "cni.indices.cni2019_indicators", {data = DATA})
    local fa, fb = a.table:col(a.flag), b.table:col(b.flag)
    assert.is_true(a.synthetic and b.synthetic)
    assert.equal(#cw, fa:eq(cw["Left Behind Area?"]):count(true))
    assert.equal(#cw, fa:eq(fb):count(true))
  end)

  it("the ward and authority outlines read as shapes", function()
    local ws = cni.read_geojson(DATA .. "/boundaries_ward17.geojson")
    local ls = cni.read_geojson(DATA .. "/boundaries_lad17.geojson")
    assert.equal(#cw, #ws)
    assert.equal(#las, #ls)
    local c = ws:coverage(cw, "ward17_code")
    assert.equal(#cw, c.matched)
  end)

  local exe = cfg.build and (cfg.build .. "/cnilua") or (ROOT .. "/build/cnilua")
  if exists(exe) and exists(ROOT .. "/tests/data/calibration.lua") then
    it("passes every check of tests/data/calibration.lua (incl. byte-identical regeneration)", function()
      local cmd = string.format('"%s" "%s/tests/data/calibration.lua" "%s" 2>&1', exe, ROOT, ROOT)
      local pipe = assert(io.popen(cmd))
      local out = pipe:read("a")
      local ok = pipe:close()
      local last = out:match("([^\n]*)\n?$")
      assert(ok and last:match("^%d+ passed, 0 failed$"),
        "calibration failed:\n" .. out:gsub("\nok [^\n]*", ""))
    end)
  else
    pending("tests/data/calibration.lua (no cnilua at " .. exe .. ")")
  end
end)
