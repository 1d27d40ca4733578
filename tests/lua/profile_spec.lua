-- Profile of flagged areas (lua/cni/profile.lua): group means and medians
-- against hand-computed values, gap ratios, errors, the SVG chart.
local cni = require "cni"
local P = require "cni.profile"

-- six areas: flags, deprivation, weights (populations), one outcome
local flag = cni.column{true, false, false, true, false, false}
local dep = cni.column{true, true, false, true, true, false}
local w = cni.column{1, 2, 3, 1, 1, 2}
local x = cni.column{10, 20, 30, 30, 0 / 0, 60}
local y = cni.column{1, 2, 3, 4, 5, 6}

describe("profile", function()
  it("computes weighted means of the three groups by hand", function()
    local r = P.profile{flag = flag, deprived = dep, weights = w,
      outcomes = {{name = "x", column = x}, {name = "y", column = y}}}
    -- flagged: rows 1, 4: (10*1 + 30*1) / (1 + 1) = 20
    assert.near(20, r.rows[1].mean_flagged, 1e-12)
    -- other deprived: deprived and not flagged = rows 2, 5; row 5 missing:
    -- 20*2 / 2 = 20
    assert.near(20, r.rows[1].mean_other_deprived, 1e-12)
    -- all: (10 + 40 + 90 + 30 + 120) / (1 + 2 + 3 + 1 + 2) = 290 / 9
    assert.near(290 / 9, r.rows[1].mean_all, 1e-12)
    -- y, all rows: (1 + 4 + 9 + 4 + 5 + 12) / 10 = 3.5
    assert.near(3.5, r.rows[2].mean_all, 1e-12)
    -- y, other deprived rows 2 and 5: (2*2 + 5*1) / 3 = 3
    assert.near(3, r.rows[2].mean_other_deprived, 1e-12)
    -- ratios
    assert.near(1, r.rows[1].ratio_flagged_other, 1e-12)
    assert.near(20 / (290 / 9), r.rows[1].ratio_flagged_all, 1e-12)
    -- counts and group populations
    assert.equal(2, r.counts.flagged)
    assert.equal(2, r.counts.other_deprived)
    assert.equal(6, r.counts.all)
    assert.equal(2, r.counts.flagged_population)
    assert.equal(3, r.counts.other_deprived_population)
    assert.is_true(r.weighted)
  end)

  it("computes unweighted means and medians by hand", function()
    local r = P.profile{flag = flag, deprived = dep, outcomes = {{name = "x", column = x}}}
    -- all, missing skipped: (10 + 20 + 30 + 30 + 60) / 5 = 30; median of
    -- 10 20 30 30 60 = 30
    assert.near(30, r.rows[1].mean_all, 1e-12)
    assert.near(30, r.rows[1].median_all, 1e-12)
    -- flagged: 10, 30 -> mean 20, median 20
    assert.near(20, r.rows[1].mean_flagged, 1e-12)
    assert.near(20, r.rows[1].median_flagged, 1e-12)
    assert.is_false(r.weighted)
  end)

  it("computes weighted medians", function()
    -- flagged y values 1 (w 1) and 4 (w 1): the smallest value whose
    -- cumulative weight share reaches 1/2 is 1
    local r = P.profile{flag = flag, deprived = dep, weights = w, outcomes = {{name = "y", column = y}}}
    assert.near(1, r.rows[1].median_flagged, 1e-12)
    -- all: weights 1 2 3 1 1 2 (total 10) over y = 1..6: cumulative
    -- 1, 3, 6 -> the half (5) is reached at y = 3
    assert.near(3, r.rows[1].median_all, 1e-12)
  end)

  it("raises clear errors", function()
    local ok, e = pcall(P.profile, {flag = x, deprived = dep, outcomes = {{name = "x", column = x}}})
    assert.is_false(ok)
    assert.equal("profile.flag: expected a boolean column", e.msg)
    ok, e = pcall(P.profile, {flag = flag, deprived = dep, outcomes = {}})
    assert.is_false(ok)
    assert.matches("profile.outcomes: expected a list", e.msg)
    ok, e = pcall(P.profile, {flag = flag, deprived = dep, outcomes = {{name = "x", column = cni.column{1, 2}}}})
    assert.is_false(ok)
    assert.equal("profile.outcomes[1].column: has 2 rows, the flags 6", e.msg)
  end)

  it("draws one bar per group per outcome in well-formed SVG", function()
    local r = P.profile{flag = flag, deprived = dep, weights = w,
      outcomes = {{name = "x", column = x, label = "X & co"}, {name = "y", column = y}}}
    local svg = P.svg(r, {title = "t"})
    local bars = 0
    for _ in svg:gmatch('<rect class="bar"') do bars = bars + 1 end
    assert.equal(2 * 3, bars)
    assert.truthy(svg:find("X &amp; co", 1, true))
    -- well-formed: tags balance (a small checker; xmllint when present)
    local stack, okx = {}, true
    for close, name, selfclose in svg:gmatch("<(/?)([%w:]+)[^>]-(/?)>") do
      if close == "/" then
        if stack[#stack] ~= name then okx = false end
        stack[#stack] = nil
      elseif selfclose ~= "/" then
        stack[#stack + 1] = name
      end
    end
    assert.is_true(okx and #stack == 0)
    if os.execute("command -v xmllint >/dev/null 2>&1") then
      local path = os.tmpname()
      local f = io.open(path, "w"); f:write(svg); f:close()
      assert.is_true(os.execute("xmllint --noout " .. path .. " 2>/dev/null") == true)
      os.remove(path)
    end
  end)

  it("profiles a build result with the spec's profile key (fixture)", function()
    local spec = dofile("tests/fixtures/cli/spec.lua")
    local r = cni.build(spec, {data = "tests/fixtures/cli"})
    local res = P.of_result(r, {outcomes = {{column = "civic"}}, data = cni.read_csv("tests/fixtures/cli/wards.csv")})
    -- flagged: W01 (civic 3.1, pop 1200) and W03 (2.2, pop 1500):
    -- (3.1*1200 + 2.2*1500) / 2700 = 7020 / 2700 = 2.6
    assert.near(2.6, res.rows[1].mean_flagged, 1e-12)
    assert.equal(2, res.counts.flagged)
  end)
end)
