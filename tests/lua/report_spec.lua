-- The HTML report of a comparison (lua/cni/report.lua, lua/cni/svg.lua):
-- a small comparison on tests/fixtures/spec (ten invented wards), checked
-- for well-formed markup, one chart per figure, the key figures, no
-- network references, determinism, the synthetic banner and the maps hook.
-- The browser test (tests/browser/run.sh) renders the real-data report.
local cni = require "cni"
local C = require "cni.compare"
local R = require "cni.report"
local G = require "cni.svg"
local H = require "helper"

local DATA = H.root .. "/tests/fixtures/spec"

local function base_spec()
  return {
    name = "fixture LBN",
    data_root = DATA,
    inputs = {
      wards = {file = "wards.csv"},
      lsoa = {file = "lsoa.csv"},
      lookup = {file = "lookup.csv"},
      population = {file = "population.csv"},
    },
    unit = {input = "wards", key = "ward_code", name = "ward_name", la = "la", region = "region_name",
      population = "pop", attach = {{input = "lookup", key = "ward_code", columns = {"region_name"}}}},
    geography = {
      imd = {
        from = "lsoa", key = "lsoa_code", column = "imd_score",
        lookup = {input = "lookup", from = "lsoa_code", to = "ward_code"},
        population = {input = "population", key = "lsoa_code", column = "population"},
      },
    },
    indicators = {x = {column = "x"}, y = {column = "y"}},
    domains = {
      a = {column = "a_rank", as = "rank"},
      b = {column = "b_rank", as = "rank"},
      econ = {indicators = {"x", "y"}},
    },
    index = {name = "cni", combine = "sum"},
    rules = {lb = {rule = "two_index", index_top = 0.3, dep = "imd", dep_top = 0.5}},
    flag = "lb",
  }
end

-- {===== a small well-formedness checker for the (XHTML-clean) page

-- Returns nil when every tag is closed in order, else a message. <script>
-- and <style> hold raw text; void elements must be self-closed ("/>").
local function check_markup(s)
  s = s:gsub("^<!DOCTYPE html>%s*", "")
  local stack, pos = {}, 1
  while true do
    local lt = s:find("<", pos, true)
    if not lt then break end
    local text = s:sub(pos, lt - 1)
    for ent in text:gmatch("&([^;%s]*);?") do
      if not (ent == "amp" or ent == "lt" or ent == "gt" or ent == "quot" or ent:match("^#%d+$")) then
        return "bad entity &" .. ent .. " before offset " .. lt
      end
    end
    if s:sub(lt, lt + 3) == "<!--" then
      pos = (s:find("-->", lt, true) or #s) + 3
    else
      local gt = s:find(">", lt, true)
      if not gt then return "unclosed tag at " .. lt end
      local tag = s:sub(lt, gt)
      local close, name = tag:match("^<(/?)([%w:-]+)")
      if not name then return "bad tag " .. tag end
      if close == "/" then
        local top = table.remove(stack)
        if top ~= name then return string.format("</%s> closes <%s> at offset %d", name, tostring(top), lt) end
        pos = gt + 1
      elseif tag:sub(-2) == "/>" then
        pos = gt + 1
      elseif name == "script" or name == "style" then
        local e = s:find("</" .. name .. ">", gt, true)
        if not e then return "unclosed <" .. name .. ">" end
        pos = e + #name + 3
      else
        stack[#stack + 1] = name
        pos = gt + 1
      end
    end
  end
  if #stack > 0 then return "unclosed <" .. stack[#stack] .. ">" end
  return nil
end

local function count(s, pat)
  return select(2, s:gsub(pat, ""))
end

-- }=====

describe("cni.report", function()
  local base, variants, res, tabs, html

  setup(function()
    base = base_spec()
    variants = {
      cni.variant(base, {name = "equal ranks only", domains = {econ = cni.drop}}),
      cni.variant(base, {name = "wider rule", rules = {lb = {index_top = 0.5}}}),
    }
    res = C.compare(base, variants, {})
    tabs = C.tables(res)
    html = R.compare_html(res, tabs, {})
  end)

  it("is one well-formed page", function()
    assert.is_nil(check_markup(html))
    assert.truthy(html:match("^<!DOCTYPE html>\n<html"))
    assert.truthy(html:find('<meta charset="utf-8"/>', 1, true))
  end)

  it("needs no network and no external script", function()
    assert.is_nil(html:find("<script[^>]*src"))
    assert.is_nil(html:find("<link", 1, true))
    assert.is_nil(html:find("<img", 1, true))
    assert.is_nil(html:find("url%("))
    -- the only URL is the SVG namespace
    local other = html:gsub('xmlns="http://www%.w3%.org/2000/svg"', "")
    assert.is_nil(other:find("https?://"))
    assert.equal(1, count(html, "<script>"))
  end)

  it("has one titled <svg> per chart", function()
    local n = #res.variants
    local svgs = count(html, "<svg ")
    -- overlap + regions + (scatter + histogram) per variant + 2 sweep heatmaps
    assert.equal(2 + 2 * n + (res.sweep and 2 or 0), svgs)
    assert.equal(svgs, count(html, "</svg>"))
    for chart in html:gmatch("<svg .-</svg>") do
      assert.truthy(chart:match('^<svg [^>]*role="img"[^>]*><title'), chart:sub(1, 120))
    end
    assert.equal(1, count(html, 'aria%-labelledby="overlap%-t"'))
    assert.equal(1, count(html, 'aria%-labelledby="regions%-t"'))
    for i = 1, n do
      assert.equal(1, count(html, 'aria%-labelledby="scatter%-' .. i .. '%-t"'))
      assert.equal(1, count(html, 'aria%-labelledby="hist%-' .. i .. '%-t"'))
    end
  end)

  it("shows the key figures in the summary table", function()
    local function cell(i, k)
      local row = html:match('<tr[^>]-data%-variant="' .. i .. '".-</tr>')
      return row and row:match('data%-k="' .. k .. '">([^<]*)<')
    end
    assert.equal(tostring(res.base.flagged), cell(0, "flagged"))
    for i, v in ipairs(res.variants) do
      assert.equal(tostring(v.flagged), cell(i, "flagged"))
      assert.equal(tostring(v.both), cell(i, "both"))
      assert.equal(tostring(v.only_base), cell(i, "only_base"))
      assert.equal(tostring(v.only_variant), cell(i, "only_variant"))
      assert.equal(cni.format_number(v.jaccard, 3), cell(i, "jaccard"))
      assert.equal(cni.format_number(v.kappa, 3), cell(i, "kappa"))
      assert.truthy(html:find(G.esc(v.label), 1, true))
    end
  end)

  it("lists the areas entering and leaving, sortable", function()
    for i, t in ipairs(tabs.movers) do
      local tbl = html:match('<table class="sortable movers" id="movers%-' .. i .. '">.-</table>')
      if #t > 0 then
        assert.truthy(tbl)
        assert.equal(#t, count(tbl:match("<tbody>.-</tbody>"), "<tr>"))
        local codes = t:col("code"):totable()
        for _, code in ipairs(codes) do assert.truthy(tbl:find(">" .. code .. "<", 1, true)) end
        assert.truthy(tbl:find('data-type="num"', 1, true))
      end
    end
  end)

  it("caps long tables with a note", function()
    local h = R.compare_html(res, tabs, {max_rows = 1})
    for i, t in ipairs(tabs.movers) do
      if #t > 1 then
        assert.truthy(h:find(string.format("Showing the first 1 of %d areas", #t), 1, true))
        local tbl = h:match('id="movers%-' .. i .. '">.-</table>')
        assert.equal(1, count(tbl:match("<tbody>.-</tbody>"), "<tr>"))
      end
    end
  end)

  it("shows spec changes, the sweep and the provenance", function()
    assert.truthy(html:find("<code>domains.econ</code>", 1, true))
    assert.truthy(html:find("<code>rules.lb.index_top</code>", 1, true))
    assert.truthy(html:find('id="sweep"', 1, true))
    assert.truthy(html:find("cnilua " .. cni.version, 1, true))
    local S = require "cni.spec"
    assert.truthy(html:find(cni.sha256(S.canonical(res.base_item.spec)), 1, true))
    for _, v in ipairs(res.variants) do
      assert.truthy(html:find(cni.sha256(S.canonical(v.item.spec)), 1, true))
    end
    for _, name in ipairs{"wards", "lsoa", "lookup", "population"} do
      local inp = res.base_item.result.inputs[name]
      assert.truthy(html:find(inp.sha256, 1, true))
    end
  end)

  it("is deterministic: the same comparison gives the same bytes", function()
    assert.equal(html, R.compare_html(res, tabs, {}))
    local res2 = C.compare(base_spec(), {
      cni.variant(base_spec(), {name = "equal ranks only", domains = {econ = cni.drop}}),
      cni.variant(base_spec(), {name = "wider rule", rules = {lb = {index_top = 0.5}}}),
    }, {})
    assert.equal(html, R.compare_html(res2, C.tables(res2), {}))
  end)

  it("does not depend on the numeric locale", function()
    local old = os.setlocale(nil, "numeric")
    local ok = os.setlocale("de_DE.UTF-8", "numeric") or os.setlocale("de_DE.utf8", "numeric")
    local h = R.compare_html(res, tabs, {})
    os.setlocale(old, "numeric")
    if ok then assert.equal(html, h) end
  end)

  it("has a SYNTHETIC DATA banner for synthetic data only", function()
    assert.is_nil(html:find("SYNTHETIC DATA", 1, true))
    local saved = res.base.synthetic
    res.base.synthetic = true
    local h = R.compare_html(res, tabs, {})
    res.base.synthetic = saved
    assert.truthy(h:find('<div class="synthetic" role="alert">SYNTHETIC DATA', 1, true))
    assert.is_nil(check_markup(h))
  end)

  it("places the maps given in o.maps_html in a Maps section", function()
    assert.is_nil(html:find('id="maps"', 1, true))
    local svg = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><title>map</title></svg>'
    local h = R.compare_html(res, tabs, {maps_html = svg})
    assert.truthy(h:find('<section id="maps" class="maps"><h2>Maps</h2>\n' .. svg, 1, true))
    assert.truthy(h:find('<a href="#maps">Maps</a>', 1, true))
  end)

  it("reports an external list without rank charts", function()
    local dir = H.tmpdir()
    H.write_file(dir .. "/list.csv", "code\nW01\nW05\nW99\n")
    local r2 = C.compare(base_spec(), {C.external_list(dir .. "/list.csv", {label = "a list"})}, {})
    local h = R.compare_html(r2, C.tables(r2), {})
    H.rmtree(dir)
    assert.is_nil(check_markup(h))
    assert.is_nil(h:find('aria-labelledby="scatter-1-t"', 1, true))
    assert.truthy(h:find("An external list of area codes", 1, true))
    assert.truthy(h:find("1 codes of the variant are not areas of the base", 1, true))
  end)

  it("is written by cni.compare.write", function()
    local dir = H.tmpdir()
    local files = C.write(res, dir, {})
    local written = H.read_file(dir .. "/report.html")
    H.rmtree(dir)
    assert.truthy(table.concat(files, " "):find("report.html", 1, true))
    assert.equal(html, written)
  end)
end)

describe("cni.svg", function()
  it("writes coordinates without locale and without trailing zeros", function()
    assert.equal("0", G.n(0))
    assert.equal("12", G.n(12.04))
    assert.equal("12.5", G.n(12.46))
    assert.equal("-3.5", G.n(-3.5))
    assert.equal("0", G.n(-0.04))
    assert.equal("-0.1", G.n(-0.06))
  end)

  it("escapes text", function()
    assert.equal("a &lt;b&gt; &amp; &quot;c&quot; &#39;d&#39;", G.esc([[a <b> & "c" 'd']]))
    assert.equal("", G.esc(nil))
  end)

  it("gives nice ticks and ramp colours", function()
    local t, d = G.ticks(0, 9000, 5)
    assert.same({0, 2000, 4000, 6000, 8000}, t)
    assert.equal(0, d)
    t, d = G.ticks(0, 1, 4)
    assert.same({0, 0.2, 0.4, 0.6, 0.8, 1}, t)
    assert.equal(1, d)
    assert.equal("#440154", G.ramp(G.viridis, 0))
    assert.equal("#FDE725", G.ramp(G.viridis, 1))
    assert.equal("#FFFFFF", G.ink("#440154"))
    assert.equal("#000000", G.ink("#FDE725"))
  end)
end)
