-- Boundaries and SVG maps (src/lcni_geo.c, lua/cni/map.lua).
local cni = require "cni"
local map = require "cni.map"
local H = require "helper"

local function geo(name) return H.root .. "/tests/fixtures/geo/" .. name end

-- {===== a small XML well-formedness checker (no external tools needed)

local function check_xml(s)
  local pos, stack, roots = 1, {}, 0
  local function fail(msg)
    local line = select(2, s:sub(1, pos):gsub("\n", "")) + 1
    error(string.format("XML not well-formed at line %d: %s", line, msg), 2)
  end
  local function check_text(t)
    if t:find("<", 1, true) then fail("'<' in text") end
    for ent in t:gmatch("&([^;]*);?") do
      if not (ent == "amp" or ent == "lt" or ent == "gt" or ent == "quot" or ent == "apos"
              or ent:match("^#%d+$") or ent:match("^#x%x+$")) then
        fail("bad entity &" .. ent)
      end
    end
  end
  s = s:gsub("^<%?xml.-%?>%s*", "")
  while pos <= #s do
    local lt = s:find("<", pos, true)
    if not lt then
      if not s:sub(pos):match("^%s*$") then check_text(s:sub(pos)) end
      if #stack > 0 or s:sub(pos):match("%S") then fail("text after the root element") end
      break
    end
    local text = s:sub(pos, lt - 1)
    check_text(text)
    if #stack == 0 and text:match("%S") then fail("text outside the root element") end
    pos = lt
    if s:sub(pos, pos + 3) == "<!--" then
      local e = s:find("-->", pos + 4, true) or fail("unclosed comment")
      pos = e + 3
    else
      local gt = s:find(">", pos, true) or fail("unclosed tag")
      local tag = s:sub(pos + 1, gt - 1)
      if tag:sub(1, 1) == "/" then
        local name = tag:match("^/([%w:_%-]+)%s*$") or fail("bad end tag <" .. tag .. ">")
        if stack[#stack] ~= name then fail("</" .. name .. "> closes <" .. tostring(stack[#stack]) .. ">") end
        stack[#stack] = nil
      else
        local selfclose = tag:sub(-1) == "/"
        if selfclose then tag = tag:sub(1, -2) end
        local name, rest = tag:match("^([%a_][%w:_%-%.]*)(.*)$")
        if not name then fail("bad tag <" .. tag .. ">") end
        local seen = {}
        rest = rest:gsub('%s+([%a_][%w:_%-%.]*)%s*=%s*"([^"]*)"', function(k, v)
          if seen[k] then fail("attribute " .. k .. " twice") end
          seen[k] = true
          check_text(v)
          return ""
        end)
        if rest:match("%S") then fail("bad attributes in <" .. name .. ">: " .. rest) end
        if #stack == 0 then
          roots = roots + 1
          if roots > 1 then fail("more than one root element") end
        end
        if not selfclose then stack[#stack + 1] = name end
      end
      pos = gt + 1
    end
  end
  if #stack > 0 then fail("unclosed <" .. stack[#stack] .. ">") end
  if roots ~= 1 then fail("no root element") end
  return true
end

local function has_xmllint()
  local ok = os.execute("command -v xmllint >/dev/null 2>&1")
  return ok == true or ok == 0
end

local function xmllint_ok(svg)
  local d = H.tmpdir()
  local p = d .. "/m.svg"
  H.write_file(p, svg)
  local ok = os.execute("xmllint --noout '" .. p .. "' 2>/dev/null")
  H.rmtree(d)
  return ok == true or ok == 0
end

local function count(s, pat)
  local n = 0
  for _ in s:gmatch(pat) do n = n + 1 end
  return n
end

-- Paths inside the areas group (outlines excluded).
local function area_paths(svg)
  local n = 0
  for g in svg:gmatch('<g class="areas">(.-)\n</g>\n<g class="outline"') do n = n + count(g, "<path ") end
  if n == 0 then
    for g in svg:gmatch('<g class="areas">(.-)</g>\n</g></g>') do n = n + count(g, "<path ") end
  end
  return n
end

-- }=====

describe("the XML checker", function()
  it("accepts well-formed and refuses broken documents", function()
    assert.is_true(check_xml('<svg a="1"><g><path d="M0 0z"><title>x &amp; y</title></path></g></svg>\n'))
    assert.has_error(function() check_xml("<svg><g></svg>") end)
    assert.has_error(function() check_xml("<svg><title>a & b</title></svg>") end)
    assert.has_error(function() check_xml('<svg a="1" a="2"/>') end)
    assert.has_error(function() check_xml("<svg/><svg/>") end)
  end)
end)

describe("read_geojson", function()
  it("reads Polygon and MultiPolygon features with holes", function()
    local s = cni.read_geojson(geo("areas.geojson"))
    assert.equal(6, #s)
    assert.same({areas = 6, polygons = 7, rings = 8, points = 33, skipped = 0}, s:info())
    assert.same({"A01", "A02", "A03", "A04", "A05", "A06"}, H.vals(s:codes()))
    assert.equal("string", s:codes():type())
    assert.equal("Epsilon & Co <3>", s:name(5))
    assert.equal("A04", s:code(4))
    assert.equal(4, s:find("A04"))
    assert.is_nil(s:find("A4"))
    assert.same({-1.6, 52.8, -0.95, 53.0}, s:bbox("A04"))
    assert.same({-1.6, 52.6, -0.95, 53.0}, s:bbox())
    assert.matches("cni.Shapes: 6 areas, 7 polygons, 8 rings, 33 points", tostring(s), 1, true)
  end)

  it("takes the code and name from other properties", function()
    local s = cni.read_geojson(geo("custom_props.geojson"), {code = "LSOA11CD", name = "LSOA11NM"})
    assert.same({"E01000001", "1002"}, s:code_list())
    assert.same({"City of London 001A", "NA"}, H.vals(s:names()))
  end)

  it("skips features with a null geometry and counts them", function()
    local s = cni.read_geojson(geo("null_geometry.geojson"))
    assert.equal(1, #s)
    assert.equal(1, s:info().skipped)
  end)

  it("parses GeoJSON text", function()
    local s = cni.parse_geojson('{"type":"FeatureCollection","features":[{"type":"Feature",'
      .. '"properties":{"code":"Z"},"geometry":{"type":"Polygon","coordinates":[[[0,50],[1,50],[1,51],[0,50]]]}}]}')
    assert.same({"Z"}, s:code_list())
  end)

  it("gives clear errors for bad files", function()
    H.cni_err("data", {"bad_syntax.geojson:4:4", "invalid JSON"}, cni.read_geojson, geo("bad_syntax.geojson"))
    H.cni_err("data", {"feature 2 (code 'P02')", "'Point' is not Polygon or MultiPolygon"},
      cni.read_geojson, geo("bad_point.geojson"))
    H.cni_err("data", {"polygon 2, ring 1 has only 3 positions"}, cni.read_geojson, geo("bad_ring.geojson"))
    H.cni_err("data", {"position 2 has a non-numeric coordinate"}, cni.read_geojson, geo("bad_coord.geojson"))
    H.cni_err("data", {"not in longitude/latitude", "British National Grid", "ogr2ogr -t_srs EPSG:4326"},
      cni.read_geojson, geo("bad_bng.geojson"))
    H.cni_err("data", {"expected a GeoJSON FeatureCollection"}, cni.read_geojson, geo("bad_notfc.geojson"))
    H.cni_err("data", {"duplicate code 'D01'"}, cni.read_geojson, geo("dup_code.geojson"))
    H.cni_err("data", {"missing properties.code", "'code' option", "LSOA11CD"},
      cni.read_geojson, geo("custom_props.geojson"))
    H.cni_err("io", {"no_such.geojson"}, cni.read_geojson, geo("no_such.geojson"))
    H.cni_err("usage", {"unknown option 'cod'", "did you mean 'code'"},
      cni.read_geojson, geo("areas.geojson"), {cod = "x"})
    local e = H.cni_err("data", {"invalid JSON"}, cni.read_geojson, geo("bad_syntax.geojson"))
    assert.equal(4, e.row)
    assert.equal(4, e.col)
  end)
end)

describe("coverage of a join by code", function()
  local s = cni.read_geojson(geo("areas.geojson"))
  local v = cni.read_csv(geo("values.csv"))

  it("reports areas with no shape and shapes with no area", function()
    local c = s:coverage(v, "code")
    assert.same({matched = 5, n_keys = 6, n_shapes = 6, no_shape = {"X99"}, no_area = {"A06"}}, c)
  end)

  it("takes a Column or a list of codes", function()
    assert.same({"X99"}, s:coverage(v.code).no_shape)
    local c = map.coverage(s, {"A01", "A02", "nope"})
    assert.equal(2, c.matched)
    assert.same({"nope"}, c.no_shape)
    assert.same({"A03", "A04", "A05", "A06"}, c.no_area)
  end)

  it("refuses a missing column", function()
    H.cni_err("usage", {"no column 'zz'"}, s.coverage, s, v, "zz")
  end)
end)

describe("projection", function()
  it("puts known points on the British National Grid", function()
    local x, y = cni.geo_project(-0.1276, 51.5072)        -- London (reference: PROJ cs2cs)
    H.close(530043.1979, x, 1e-7)
    H.close(180358.2087, y, 1e-7)
    x, y = cni.geo_project(-5.7150, 50.0657, "bng")       -- Land's End
    H.close(134240.8298, x, 1e-7)
    H.close(25011.4616, y, 1e-6)
  end)

  it("equirectangular: x = R lon cos(lat0), y = R lat", function()
    local x, y = cni.geo_project(1, 0, "equirect", 60)
    H.close(6371008.8 * math.pi / 180 * 0.5, x, 1e-12)
    assert.equal(0, y)
    H.cni_err("usage", {"unknown projection 'mercator'"}, cni.geo_project, 0, 0, "mercator")
  end)

  it("chooses BNG for England and equirectangular elsewhere", function()
    assert.same({proj = "bng"}, map.auto_projection({-1.6, 52.6, -0.95, 53.0}))
    local p = map.auto_projection({10, 40, 20, 50})
    assert.equal("equirect", p.proj)
    assert.equal(45, p.lat0)
  end)
end)

describe("Shapes:paths", function()
  local s = cni.read_geojson(geo("areas.geojson"))

  it("gives one closed path per area and culls areas outside the view", function()
    local b = s:extent{proj = "bng"}
    local scale = 400 / (b[3] - b[1])
    local d, npts, drawn = s:paths{x0 = b[1], y1 = b[4], scale = scale, tol = 0.5}
    assert.equal(6, #d)
    assert.equal(6, drawn)
    assert.is_true(npts >= 18)
    for i = 1, 6 do
      assert.matches("^M%d+ %d+l[%d%- ]+z", d[i])
      assert.equal(1, count(d[i], "M"))
    end
    assert.equal(2, count(d[2], "z"))   -- outer ring and hole
    assert.equal(2, count(d[4], "z"))   -- two polygons
    -- a view that only covers the western column
    local w = s:paths{x0 = b[1], y1 = b[4], scale = scale, tol = 0.5, w = 10, h = 1000}
    assert.is_string(w[1])
    assert.is_false(w[6])
    H.cni_err("usage", {"'scale'"}, s.paths, s, {x0 = 0, y1 = 0})
  end)

  it("extent of a selection, and unknown codes are counted", function()
    local all = s:extent{proj = "bng"}
    local one, unknown = s:extent({proj = "bng"}, {"A01", "nope"})
    assert.equal(1, unknown)
    assert.is_true(one[3] < all[3])
    assert.is_nil((s:extent({proj = "bng"}, {"nope"})))
    assert.equal(6, s:count_in({proj = "bng"}, all))
  end)
end)

describe("map.render", function()
  local s = cni.read_geojson(geo("areas.geojson"))
  local la = cni.read_geojson(geo("la.geojson"))
  local v = cni.read_csv(geo("values.csv"))
  local flags = {table = v, code = "code", column = "flag"}

  it("draws flagged areas: well-formed SVG, one path per area, titles, legend", function()
    local svg, info = map.render{shapes = s, values = flags, kind = "flag", title = "Flagged <areas>",
                                 outline = la}
    assert.is_true(check_xml(svg))
    if has_xmllint() then assert.is_true(xmllint_ok(svg)) end
    assert.matches("^<svg xmlns=\"http://www.w3.org/2000/svg\"", svg)
    assert.equal(6, area_paths(svg))
    assert.equal(6 + 2, count(svg, "<path "))              -- plus two outlines
    assert.equal(6, info.drawn)
    assert.truthy(svg:find("<title>Alpha 001A (A01)</title>", 1, true))
    assert.truthy(svg:find("<title>Epsilon &amp; Co &lt;3&gt; (A05)</title>", 1, true))
    assert.truthy(svg:find("<title>Westshire (L1)</title>", 1, true))
    assert.truthy(svg:find('<g class="legend"', 1, true))
    assert.truthy(svg:find("Flagged (3)", 1, true))
    assert.truthy(svg:find("Not flagged (2)", 1, true))
    assert.truthy(svg:find("No data (1)", 1, true))
    assert.truthy(svg:find("Flagged &lt;areas&gt;", 1, true))
    assert.truthy(svg:find('fill-rule="evenodd"', 1, true))
    assert.same({flagged = 3, not_flagged = 2, nodata = 1}, info.counts)
    assert.same({"X99"}, info.coverage.no_shape)
    assert.same({"A06"}, info.coverage.no_area)
    assert.equal(5, info.coverage.matched)
    assert.equal("bng", info.proj)
    assert.equal(#svg, info.bytes)
  end)

  it("is deterministic", function()
    local a = map.render{shapes = s, values = flags, outline = la}
    local b = map.render{shapes = s, values = {A01 = true, A02 = false, A03 = true, A04 = false, A05 = true, X99 = true},
                         outline = la}
    assert.equal(a, b)
  end)

  it("draws a variant against its base", function()
    local svg, info = map.render{shapes = s, kind = "change", values = flags,
                                 base = {table = v, code = "code", column = "base"}}
    assert.is_true(check_xml(svg))
    -- A01 T/F entering, A02 F/F neither, A03 T/T both, A04 F/T leaving, A05 T/T both
    assert.same({entering = 1, neither = 1, both = 2, leaving = 1, nodata = 1}, info.counts)
    for _, label in ipairs({"Entering", "Leaving", "Flagged in both", "Neither"}) do
      assert.truthy(svg:find(label, 1, true), label)
    end
    local svg2 = map.render{shapes = s, kind = "change",
                            values = {A01 = "entering", A02 = "neither", A03 = "both", A04 = "leaving",
                                      A05 = "both"}}
    assert.equal(svg, svg2)
    H.cni_err("data", {"'sideways'"}, map.render, {shapes = s, kind = "change", values = {A01 = "sideways"}})
    H.cni_err("data", {"area A01: base value 'maybe' is not a flag"}, map.render,
      {shapes = s, kind = "change", values = {A01 = true}, base = {A01 = "maybe"}})
    H.cni_err("data", {"area A02: value 'maybe' is not a flag"}, map.render,
      {shapes = s, kind = "flag", values = {A01 = true, A02 = "maybe"}})
  end)

  it("draws a continuous value with a legend bar and ticks", function()
    local svg, info = map.render{shapes = s, kind = "continuous", title = "P(flagged)",
                                 values = {table = v, code = "code", column = "p"}, domain = {0, 1},
                                 legend = {title = "P(flagged)", low = "0", high = "1"}}
    assert.is_true(check_xml(svg))
    assert.equal(6, area_paths(svg))
    assert.truthy(svg:find("<linearGradient", 1, true))
    for _, t in ipairs({">0.0<", ">0.2<", ">0.4<", ">0.6<", ">0.8<", ">1.0<"}) do
      assert.truthy(svg:find(t, 1, true), t)
    end
    assert.same({0, 1}, info.domain)
    assert.same({value = 5, nodata = 1}, info.counts)
    -- viridis stops, reversed with reverse = true
    assert.truthy(svg:find('stop-color="#440154"', 1, true))
    local r = map.render{shapes = s, kind = "continuous", values = {A01 = 1, A02 = 2}, reverse = true,
                         palette = "cividis"}
    assert.truthy(r:find('<stop offset="0" stop-color="#FFEA46"/>', 1, true))
    H.cni_err("data", {"not a number"}, map.render, {shapes = s, kind = "continuous", values = {A01 = "x"}})
  end)

  it("colours areas by a group's value through a lookup", function()
    local wards = cni.read_csv(geo("wards.csv"))
    local lk = cni.read_csv(geo("lookup.csv"))
    local svg, info = map.render{shapes = s, kind = "flag", outline = la,
                                 values = {table = wards, code = "ward", column = "flag"},
                                 lookup = {table = lk, from = "area", to = "ward"}}
    assert.is_true(check_xml(svg))
    assert.equal(6, area_paths(svg))
    -- W1 (A01, A02) and W3 (A05, A06) flagged, W2 (A03, A04) not: counted as wards
    assert.same({flagged = 2, not_flagged = 1}, info.counts)
    assert.same({}, info.coverage.no_area)
    assert.same({"W9"}, info.coverage.no_shape)
    local plain = map.render{shapes = s, kind = "flag", outline = la,
                             values = {W1 = true, W2 = false, W3 = true, W9 = false},
                             lookup = {A01 = "W1", A02 = "W1", A03 = "W2", A04 = "W2", A05 = "W3", A06 = "W3"}}
    assert.equal(svg, plain)
  end)

  it("zooms to an authority or a box, and insets", function()
    local svg, info = map.render{shapes = s, values = flags, outline = la, zoom = "L1"}
    assert.is_true(check_xml(svg))
    assert.is_true(info.drawn < 6 and info.drawn >= 2)
    local svg2, info2 = map.render{shapes = s, values = flags, zoom = {bbox = {-1.6, 52.6, -1.45, 52.75}}}
    assert.is_true(check_xml(svg2))
    assert.is_true(info2.drawn < 6)
    H.cni_err("data", {"no area or outline has the code 'L9'"}, map.render,
      {shapes = s, values = flags, outline = la, zoom = "L9"})
    local svg3, info3 = map.render{shapes = s, values = flags, outline = la,
                                   inset = {codes = {"A03"}, title = "Gamma"}}
    assert.is_true(check_xml(svg3))
    assert.truthy(svg3:find('<g class="inset">', 1, true))
    assert.truthy(svg3:find(">Gamma<", 1, true))
    assert.is_true(info3.drawn > 6)
  end)

  it("refuses bad options", function()
    H.cni_err("usage", {"unknown option 'colour'"}, map.render, {shapes = s, values = flags, colour = 1})
    H.cni_err("usage", {"unknown kind 'heat'"}, map.render, {shapes = s, values = flags, kind = "heat"})
    H.cni_err("usage", {"'values' is required"}, map.render, {shapes = s})
    H.cni_err("usage", {"'shapes'"}, map.render, {values = flags})
    H.cni_err("usage", {"no column 'nope'"}, map.render,
      {shapes = s, values = {table = v, code = "code", column = "nope"}})
  end)

  it("writes the SVG atomically", function()
    local d = H.tmpdir()
    local svg = map.render{shapes = geo("areas.geojson"), values = flags}
    map.write(d .. "/sub/map.svg", svg)
    assert.equal(svg, H.read_file(d .. "/sub/map.svg"))
    assert.same({"map.svg"}, H.ls(d .. "/sub"))
    H.rmtree(d)
  end)
end)

describe("real boundaries", function()
  local real = os.getenv("CNI_REAL_DATA") or (H.root .. "/../shared/data/real")
  local f = io.open(real .. "/boundaries_lsoa11_england.geojson", "r")
  if not f then
    it("(skipped: no real data folder)", function() pending("real data not found at " .. real) end)
    return
  end
  f:close()

  it("renders the 32,844 LSOAs under 3 MB, one path per area", function()
    local s = cni.read_geojson(real .. "/boundaries_lsoa11_england.geojson")
    local la = cni.read_geojson(real .. "/boundaries_ltla19_england.geojson")
    assert.equal(32844, #s)
    assert.equal(317, #la)
    local imd = cni.read_csv(real .. "/imd2019_england_lsoa11.csv")
    local cov = s:coverage(imd, "lsoa11_code")
    assert.equal(32844, cov.matched)
    assert.same({}, cov.no_area)
    local svg, info = map.render{shapes = s, outline = la, kind = "continuous", title = "IMD 2019 rank",
                                 values = {table = imd, code = "lsoa11_code", column = "IMD_rank"}}
    assert.equal(32844, info.drawn)
    assert.equal(32844, area_paths(svg))
    assert.equal(32844 + 317, count(svg, "<path "))
    assert.is_true(#svg < 3e6, "SVG is " .. #svg .. " bytes")
    assert.is_true(check_xml(svg))
  end)
end)
