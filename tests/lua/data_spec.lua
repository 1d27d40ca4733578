-- The embedded SYNTHETIC dataset in data/ (written by scripts/gen_data.lua,
-- documented in data/README.md). Quick structural checks here; the full
-- calibration (correlations, clustering, left-behind count and contrasts,
-- contiguity, byte-identical regeneration) is tests/data/calibration.lua,
-- run at the end through the built cnilua when it is available.
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

describe("embedded synthetic data", function()
  local lsoa, wards, lookup, las, inds

  setup(function()
    lsoa = cni.read_csv(DATA .. "/lsoa.csv")
    wards = cni.read_csv(DATA .. "/wards.csv")
    lookup = cni.read_csv(DATA .. "/lookup_lsoa_ward.csv")
    las = cni.read_csv(DATA .. "/las.csv")
    inds = cni.read_csv(DATA .. "/indicators.csv")
  end)

  it("is labelled synthetic in the manifest, the README and the boundaries", function()
    local m = cni.read_json(DATA .. "/manifest.json")
    assert.is_true(m.synthetic)
    assert.truthy(m.label:find("SYNTHETIC", 1, true))
    assert.equal(#lsoa, m.counts.lsoas)
    assert.equal(#wards, m.counts.wards)
    assert.equal(#las, m.counts.local_authorities)
    assert.equal(9, m.counts.regions)
    local readme = H.read_file(DATA .. "/README.md")
    assert.truthy(readme:find("Everything in this folder is synthetic", 1, true))
    for _, f in ipairs{"boundaries_lsoa.geojson", "boundaries_la.geojson"} do
      local fh = assert(io.open(DATA .. "/" .. f, "rb"))
      local head = fh:read(400)
      fh:close()
      assert.truthy(head:find('"synthetic":true', 1, true), f)
      assert.truthy(head:find("SYNTHETIC", 1, true), f)
    end
  end)

  it("has England-like counts and invented X codes", function()
    assert.is_true(#lsoa >= 31000 and #lsoa <= 35000)
    assert.is_true(#wards >= 7000 and #wards <= 7800)
    assert.is_true(#las >= 300 and #las <= 340)
    assert.equal(9, #cni.group_by(lookup.region_code))
    for _, c in ipairs{{lsoa.lsoa_code, "X01"}, {wards.ward_code, "X05"}, {las.la_code, "X06"},
                       {lookup.region_code, "X12"}} do
      for i = 1, #c[1] do
        local s = c[1][i]
        assert(s:match("^" .. c[2] .. "%d%d%d%d%d%d$"), "bad code " .. s)
      end
    end
  end)

  it("lsoa.csv has the IMD-style columns, consistent with the IMD 2019 formula", function()
    local doms = {"income", "employment", "education", "health", "crime", "barriers", "environment"}
    local w = {0.225, 0.225, 0.135, 0.135, 0.093, 0.093, 0.093}
    local s = cni.fill(#lsoa, 0)
    for d, nm in ipairs(doms) do
      assert.equal(1, lsoa[nm .. "_rank"]:min())
      assert.equal(#lsoa, lsoa[nm .. "_rank"]:max())
      assert.equal(0, lsoa[nm .. "_score"]:nmissing())
      s = s + lsoa[nm .. "_rank"]:exp_transform{n = #lsoa} * w[d]
    end
    assert.is_true((s - lsoa.imd_score):abs():max() <= 0.0006)
    assert.equal(10, lsoa.imd_decile:max())
    for _, p in ipairs{"income", "employment", "idaci", "adult_skills"} do
      assert.equal(#lsoa, lsoa[p .. "_num"]:le(lsoa[p .. "_den"]):count(true))
    end
  end)

  it("nests small areas in wards in authorities in regions", function()
    local j = lookup:join(wards:select{"ward_code", "la_code"}, {on = "ward_code", suffix = "_w",
                                                                 require = "all"})
    assert.equal(#lookup, j.la_code:eq(j.la_code_w):count(true))
    assert.equal(#wards, #lsoa:group_by("ward_code"))
    assert.equal(lsoa.population:sum(), wards.population:sum())
    assert.equal(lsoa.population:sum(), las.population:sum())
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

  it("the default left-behind run flags 200-250 wards", function()
    local g = lsoa:group_by("ward_code")
    local wi = cni.table{{"ward_code", g:keys()}, {"ward_imd", g:agg("wmean", lsoa.imd_score, lsoa.population)}}
    local w = wards:join(wi, {on = "ward_code"})
    local n = #w
    local score = cni.fill(n, 0)
    for _, dom in ipairs{"civic", "connectedness", "engaged"} do
      local s, k = cni.fill(n, 0), 0
      for i = 1, #inds do
        if inds.domain[i] == dom then
          s = s + (w[inds.column[i]] * inds.direction[i]):normal_scores()
          k = k + 1
        end
      end
      score = score + (s / k):rank{desc = true, ties = "first"}:exp_transform{n = n}
    end
    local flagged = score:rank{desc = true, ties = "first"}:le(n // 10) &
                    w.ward_imd:rank{desc = true, ties = "first"}:le(n // 10)
    local nf = flagged:count(true)
    assert.is_true(nf >= 200 and nf <= 250, "flagged " .. nf)
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
