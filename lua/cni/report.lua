-- cni.report: the self-contained HTML report of a comparison (cnilua
-- compare ... -o DIR writes DIR/report.html through cni.compare.write).
--
--   local html = require("cni.report").compare_html(res, tabs, o)
--
-- res is cni.compare.compare's result, tabs cni.compare.tables(res); o:
--   title      page title (default "Comparison: <base label>")
--   max_rows   rows shown per table of entering/leaving areas (500)
--   maps_html  an already-rendered SVG (or HTML) string shown in a "Maps"
--              section (hook for cni.map; nothing is drawn when absent)
--
-- One file, no network: inline CSS, inline SVG charts, and a small inline
-- script that only makes tables sortable (everything reads without it).
-- Deterministic: lists are walked in order, maps by sorted keys, numbers
-- written with cni.format_number or integer arithmetic, no dates; the same
-- comparison gives a byte-identical file. docs/compare.md describes the
-- sections.
local core = require "cni.core"
local S = require "cni.spec"
local G = require "cni.svg"

local M = {}

local esc, n = G.esc, G.n

-- {===== number text

local function missing(x)
  return x == nil or x ~= x or type(x) == "userdata"
end

local function strip_neg_zero(s)
  if s:match("^%-0[%.0]*$") then return s:sub(2) end
  return s
end

--- x with d significant digits ("NA" when missing).
local function sig(x, d)
  if missing(x) then return "NA" end
  return strip_neg_zero(core.format_number(x, d or 3))
end

--- x with d decimals.
local function dec(x, d)
  if missing(x) then return "NA" end
  return strip_neg_zero(core.format_number(x, nil, d))
end

--- A share as a percentage with one decimal.
local function pct(x)
  if missing(x) then return "NA" end
  return dec(100 * x, 1) .. "%"
end

--- A measured value: decimals by magnitude (scores, contributions).
local function val(x)
  if missing(x) then return "NA" end
  local a = math.abs(x)
  if a >= 100 then return dec(x, 0) end
  if a >= 10 then return dec(x, 1) end
  if a >= 1 then return dec(x, 2) end
  if a == 0 then return "0" end
  return sig(x, 3)
end

local function int(x)
  if missing(x) then return "NA" end
  return G.int(x)
end

local function signed(x)
  if missing(x) then return "NA" end
  if x > 0 then return "+" .. int(x) end
  if x < 0 then return "\u{2212}" .. int(-x) end
  return "0"
end

local function short(s, len)
  s = tostring(s)
  if #s <= len then return s end
  -- cut on a UTF-8 character boundary
  local cut = len - 1
  while cut > 1 and (s:byte(cut + 1) or 0) >= 0x80 and (s:byte(cut + 1) or 0) < 0xC0 do cut = cut - 1 end
  return s:sub(1, cut) .. "\u{2026}"
end

-- }=====

-- {===== page parts

local CSS = [[
:root{--ink:#1b1f24;--muted:#57606a;--line:#d0d7de;--soft:#f6f8fa;--head:#1f2a44}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 "DejaVu Sans",system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:var(--ink);background:#fff}
header.top{background:var(--head);color:#fff;padding:18px 28px 14px}
header.top h1{margin:0 0 4px;font-size:22px;font-weight:600}
header.top p{margin:2px 0;color:#dfe6f3}
.synthetic{background:#fff3cd;color:#5c4400;border-bottom:2px solid #E69F00;padding:10px 28px;font-weight:700;letter-spacing:.03em}
nav{position:sticky;top:0;z-index:2;background:#fff;border-bottom:1px solid var(--line);padding:8px 28px;font-size:13px}
nav a{color:#0b5cad;text-decoration:none;margin-right:14px;white-space:nowrap}
nav a:hover{text-decoration:underline}
main{max-width:1200px;margin:0 auto;padding:4px 28px 32px}
h2{font-size:19px;margin:30px 0 8px;padding-bottom:4px;border-bottom:2px solid var(--line)}
h3{font-size:15px;margin:20px 0 6px}
p.note,.note{color:var(--muted);font-size:13px;margin:4px 0 10px}
section.variant{border-left:4px solid var(--vc,#999);padding-left:16px;margin-top:26px}
section.variant h2{border-bottom:0;margin-top:10px}
.kind{font-size:12px;color:var(--muted);font-weight:400;margin-left:8px}
table{border-collapse:collapse;font-size:13px;margin:6px 0 10px}
th,td{padding:4px 9px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
th{background:var(--soft);font-weight:600}
td.r,th.r{text-align:right;font-variant-numeric:tabular-nums}
tr.base td{background:#eef1f5;font-weight:600}
td.k{font-weight:600}
#summary-table td:first-child{min-width:200px}
#summary-table th,#summary-table td{padding:4px 6px}
#summary-table th{font-size:12px}
.movers{font-size:12px}
.movers th,.movers td{padding:3px 7px}
.movers td{white-space:nowrap;text-align:right;font-variant-numeric:tabular-nums}
.movers td.t{text-align:left;white-space:normal;min-width:5em}
.swatch{display:inline-block;width:11px;height:11px;border-radius:2px;margin-right:6px;vertical-align:-1px;border:1px solid rgba(0,0,0,.25)}
.scroll{max-height:520px;overflow:auto;border:1px solid var(--line);display:inline-block;max-width:100%}
.scroll table{margin:0}
.scroll thead th{position:sticky;top:0;z-index:1}
.wide{overflow-x:auto;max-width:100%}
.ch{display:inline-block;padding:0 6px;border-radius:3px;font-size:12px;font-weight:600}
.ch.in{background:#d6e9f5;color:#00466e}
.ch.out{background:#fbe7c2;color:#6b4700}
th button{all:unset;cursor:pointer}
th button:focus-visible{outline:2px solid #0072B2}
th[aria-sort=ascending] button::after{content:" \25B2";font-size:10px}
th[aria-sort=descending] button::after{content:" \25BC";font-size:10px}
.charts{display:flex;flex-wrap:wrap;gap:18px;align-items:flex-start}
figure{margin:6px 0 10px}
figcaption{font-size:12px;color:var(--muted);max-width:460px;margin-top:2px}
.la{max-width:520px}
.la h3{margin-top:6px}
svg.chart{background:#fff;overflow:visible;max-width:100%;height:auto}
svg.chart text{font-family:"DejaVu Sans",system-ui,Arial,sans-serif;font-size:12px;fill:#1b1f24}
svg.chart text.ct{font-size:14px;font-weight:700}
svg.chart text.tk{font-size:11px;fill:#444}
svg.chart text.al{font-size:12px;fill:#222}
svg.chart text.lg{font-size:12px}
svg.chart text.v{font-size:10px;fill:#333}
svg.chart text.cell{font-size:9px}
svg.chart text.tk2{font-size:10px;fill:#444}
code,.mono{font-family:"DejaVu Sans Mono",ui-monospace,monospace;font-size:12px}
td.mono{word-break:break-all}
footer{border-top:1px solid var(--line);margin-top:36px;padding:14px 28px 30px;background:var(--soft);font-size:13px}
footer h2{font-size:16px;margin:4px 0 8px;border:0}
footer table{background:#fff}
.maps svg{max-width:100%;height:auto}
@media print{nav{display:none}.scroll{max-height:none;overflow:visible}}
]]

-- Sorting only; no '<' or '&' in the code so that the page stays XML-clean.
local SCRIPT = [[
(function () {
  function key(td, num) {
    var v = td.getAttribute("data-v");
    if (v === null) v = td.textContent;
    if (num) { var x = parseFloat(v); return isNaN(x) ? -Infinity : x; }
    return v.toLowerCase();
  }
  var tables = document.querySelectorAll("table.sortable");
  Array.prototype.forEach.call(tables, function (t) {
    var ths = t.tHead.rows[0].cells;
    Array.prototype.forEach.call(ths, function (th, c) {
      var b = document.createElement("button");
      b.type = "button";
      b.textContent = th.textContent;
      b.title = "sort by " + th.textContent;
      th.textContent = "";
      th.appendChild(b);
      b.addEventListener("click", function () {
        var num = th.getAttribute("data-type") === "num";
        var dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
        Array.prototype.forEach.call(ths, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
        var body = t.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = key(a.cells[c], num), y = key(b.cells[c], num);
          return (x > y ? 1 : (y > x ? -1 : 0)) * dir;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  });
})();
]]

local function variant_colour(i) return G.series_colour(i) end

local function swatch(colour)
  return '<span class="swatch" style="background:' .. colour .. '"></span>'
end

-- }=====

-- {===== summary table

local function summary_table(res)
  local h = {}
  local function add(s) h[#h + 1] = s end
  add('<div class="wide"><table id="summary-table">')
  add('<thead><tr><th>List</th><th class="r">Flagged</th><th class="r">In both</th>'
    .. '<th class="r">Leaving (base only)</th><th class="r">Entering (variant only)</th>'
    .. '<th class="r">Jaccard</th><th class="r">Kappa</th><th class="r">Spearman</th><th class="r">Kendall</th>'
    .. '<th class="r">Mean |rank shift|</th><th class="r">Median</th><th class="r">Max</th>'
    .. '<th class="r">Decile moves 2+</th><th class="r">Decile changes</th></tr></thead><tbody>')
  add(string.format('<tr class="base" data-variant="0"><td>%sBase: %s</td><td class="r" data-k="flagged">%s</td>%s</tr>',
    swatch(G.base_colour), esc(res.base.label), int(res.base.flagged),
    string.rep('<td class="r"></td>', 12)))
  for i, v in ipairs(res.variants) do
    local cells = {
      {"flagged", int(v.flagged)}, {"both", int(v.both)}, {"only_base", int(v.only_base)},
      {"only_variant", int(v.only_variant)}, {"jaccard", sig(v.jaccard, 3)}, {"kappa", sig(v.kappa, 3)},
      {"spearman", sig(v.spearman, 4)}, {"kendall", sig(v.kendall, 4)}, {"mean_shift", dec(v.mean_shift, 1)},
      {"median_shift", val(v.median_shift)}, {"max_shift", int(v.max_shift)},
      {"share_decile_moves", pct(v.share_decile_moves)}, {"share_decile_changes", pct(v.share_decile_changes)},
    }
    local row = {string.format('<tr data-variant="%d"><td><a href="#variant-%d">%s%s</a></td>', i, i,
      swatch(variant_colour(i)), esc(v.label))}
    for _, c in ipairs(cells) do
      row[#row + 1] = string.format('<td class="r" data-k="%s">%s</td>', c[1], c[2])
    end
    row[#row + 1] = "</tr>"
    add(table.concat(row))
  end
  add("</tbody></table></div>")
  add('<p class="note">Jaccard: |A \u{2229} B| / |A \u{222A} B| of the flagged sets. Kappa: Cohen\'s kappa of the two flags '
    .. 'over all areas. Spearman, Kendall: rank correlations of the index. Rank shift: |variant rank \u{2212} base rank|. '
    .. 'Decile moves: share of areas whose index decile changes by 2 or more (or at all). NA: the variant has no ranks '
    .. '(an external list).</p>')
  return table.concat(h, "\n")
end

-- }=====

-- {===== overlap chart: base only | both | variant only, per variant

local function overlap_chart(res)
  local nv = #res.variants
  local lab_w = 40
  for _, v in ipairs(res.variants) do lab_w = math.max(lab_w, G.text_width(short(v.label, 40), 12)) end
  lab_w = math.min(lab_w, 300) + 16
  local x0, x1 = lab_w, 1000
  local bar_h, gap = 22, 12
  local top = 62
  local h = top + nv * (bar_h + gap) + 48
  local W = 1140
  local maxu = 1
  for _, v in ipairs(res.variants) do maxu = math.max(maxu, v.only_base + v.both + v.only_variant) end
  local scale = (x1 - x0) / maxu
  local b = {}
  G.open(b, W, h, "Overlap of the flagged sets", "For each variant, the areas flagged in the base only, in both, and in the variant only.", "overlap")
  G.title(b, 0, 16, "Overlap of the flagged sets with the base (" .. int(res.base.flagged) .. " flagged in the base)")
  G.legend(b, 0, 42, {
    {colour = G.change.leaving, label = "Base only (leaving)"},
    {colour = G.change.both, label = "In both"},
    {colour = G.change.entering, label = "Variant only (entering)"},
  })
  for i, v in ipairs(res.variants) do
    local y = top + (i - 1) * (bar_h + gap)
    G.text(b, x0 - 10, y + bar_h / 2 + 4, short(v.label, 40), "end")
    local segs = {
      {v.only_base, G.change.leaving, "base only (leaving)"},
      {v.both, G.change.both, "in both"},
      {v.only_variant, G.change.entering, "variant only (entering)"},
    }
    local x = x0
    for _, s in ipairs(segs) do
      local w = s[1] * scale
      if w > 0 then
        G.rect(b, x, y, w, bar_h, s[2], 'stroke="#fff" stroke-width="1"',
          string.format("%s: %s areas %s", v.label, int(s[1]), s[3]))
        local label = int(s[1])
        if w >= G.text_width(label, 12) + 8 then
          G.text(b, x + w / 2, y + bar_h / 2 + 4, label, "middle", 'style="fill:' .. G.ink(s[2]) .. '"')
        end
      end
      x = x + w
    end
    -- counts that did not fit inside, then the Jaccard index
    local small = {}
    for _, s in ipairs(segs) do
      if s[1] > 0 and s[1] * scale < G.text_width(int(s[1]), 12) + 8 then small[#small + 1] = int(s[1]) .. " " .. s[3] end
    end
    local tail = "Jaccard " .. sig(v.jaccard, 3)
    if #small > 0 then tail = table.concat(small, ", ") .. "; " .. tail end
    G.text(b, x + 8, y + bar_h / 2 + 4, tail, "start", 'class="v"')
  end
  local ty = top + nv * (bar_h + gap) + 2
  local ticks = G.int_ticks(0, maxu, 8)
  G.axis_x(b, x0, x1, ty, 0, maxu, ticks, function(t) return int(t) end,
    "Areas flagged in the base or the variant (union)")
  G.close(b)
  return table.concat(b)
end

-- }=====

-- {===== regional bar chart: flagged counts, base and each variant

local function region_chart(res)
  local groups = res.variants[1] and res.variants[1].by_region
  if not groups then return nil end
  local series = {{label = "Base: " .. res.base.label, colour = G.base_colour}}
  for i, v in ipairs(res.variants) do series[#series + 1] = {label = v.label, colour = variant_colour(i)} end
  -- region rows: flagged somewhere (others noted)
  local rows, dropped = {}, {}
  for gi, g in ipairs(groups) do
    local vals = {g.base}
    local any = g.base > 0
    for _, v in ipairs(res.variants) do
      local x = v.by_region and v.by_region[gi] and v.by_region[gi].variant or 0
      vals[#vals + 1] = x
      any = any or x > 0
    end
    if any then rows[#rows + 1] = {group = g.group, vals = vals, areas = g.areas}
    else dropped[#dropped + 1] = g.group end
  end
  local ns = #series
  local bar_h, gap = ns > 4 and 9 or 11, 14
  local lab_w = 40
  for _, r in ipairs(rows) do lab_w = math.max(lab_w, G.text_width(r.group, 12)) end
  lab_w = math.min(lab_w, 240) + 14
  local maxv = 1
  for _, r in ipairs(rows) do for _, x in ipairs(r.vals) do maxv = math.max(maxv, x) end end
  local legend_rows = {}
  do -- wrap the legend over lines of about 1100 px
    local line, w = {}, 0
    for _, s in ipairs(series) do
      local lw = 34 + G.text_width(short(s.label, 48), 12)
      if w + lw > 1100 and #line > 0 then legend_rows[#legend_rows + 1] = line; line, w = {}, 0 end
      line[#line + 1] = {colour = s.colour, label = short(s.label, 48)}
      w = w + lw
    end
    legend_rows[#legend_rows + 1] = line
  end
  local top = 30 + 20 * #legend_rows + 8
  local group_h = ns * bar_h + gap
  local x0, x1 = lab_w, 1060
  local h = top + #rows * group_h + 50
  local W = 1140
  local b = {}
  G.open(b, W, h, "Flagged areas by region", "Grouped bars: flagged areas per region in the base and each variant.", "regions")
  G.title(b, 0, 16, "Flagged areas by region")
  for k, line in ipairs(legend_rows) do G.legend(b, 0, 30 + 20 * k, line) end
  local ticks = G.int_ticks(0, maxv, 8)
  local bottom = top + #rows * group_h
  for _, t in ipairs(ticks) do
    local x = x0 + t / maxv * (x1 - x0)
    if t > 0 then G.line(b, x, top - 4, x, bottom, "#E5E5E5") end
  end
  for ri, r in ipairs(rows) do
    local y = top + (ri - 1) * group_h
    G.text(b, x0 - 8, y + ns * bar_h / 2 + 4, r.group, "end")
    for si, x in ipairs(r.vals) do
      local w = x / maxv * (x1 - x0)
      local yy = y + (si - 1) * bar_h
      G.rect(b, x0, yy, math.max(w, 0), bar_h - 1, series[si].colour, nil,
        string.format("%s, %s: %s flagged of %s areas", r.group, series[si].label, int(x), int(r.areas)))
      G.text(b, x0 + w + 4, yy + bar_h - 2, int(x), "start", 'class="v"')
    end
  end
  G.axis_x(b, x0, x1, bottom + 2, 0, maxv, ticks, function(t) return int(t) end, "Flagged areas")
  G.close(b)
  local note = nil
  if #dropped > 0 then
    note = "Not shown (no flagged area in any list): " .. table.concat(dropped, ", ") .. "."
  end
  return table.concat(b), note
end

-- }=====

-- {===== rank scatter: density of all areas, flag changes as points

local GRID = 80
local MAX_TIPS = 300   -- entering/leaving points with a tooltip each, per panel

local function density_classes(maxc)
  for _, seq in ipairs{{1, 2, 5}, {1, 3}, {1}} do
    local edges, mag = {}, 1
    while true do
      local stop = false
      for _, m in ipairs(seq) do
        local e = m * mag
        if e > maxc then stop = true; break end
        edges[#edges + 1] = e
      end
      if stop then break end
      mag = mag * 10
    end
    if #edges <= 6 then return edges end
  end
  return {1}
end

-- One panel: density of the areas within ranks lo..hi on both axes, the
-- flagged-in-both areas as small dots (or tinted cells when there are
-- many), entering and leaving areas as points (with tooltips when o.tips);
-- points beyond lo..hi are drawn on the border, hollow. Returns the density
-- classes, their shades and the largest count (for the legend).
local function scatter_panel(b, d, x0, y0, P, lo, hi, o)
  local rb, rv = d.rb, d.rv
  local span = hi - lo + 1
  local GRID = math.min(o.grid or GRID, span)   -- never finer than one rank
  local cell = P / GRID
  local counts = {}
  for k = 1, GRID * GRID do counts[k] = 0 end
  local scale = GRID / span
  for k = 1, #rb do
    local a, c = rb[k], rv[k]
    if a == a and c == c and a >= lo and a <= hi and c >= lo and c <= hi then
      local cx = math.floor((a - lo) * scale)
      local cy = math.floor((c - lo) * scale)
      if cx >= GRID then cx = GRID - 1 end
      if cy >= GRID then cy = GRID - 1 end
      local idx = cy * GRID + cx + 1
      counts[idx] = counts[idx] + 1
    end
  end
  local maxc = 0
  for k = 1, #counts do if counts[k] > maxc then maxc = counts[k] end end
  local edges = density_classes(math.max(maxc, 1))
  local shades = {}
  for k = 1, #edges do
    shades[k] = G.ramp({"#E6E6E6", "#5C5C5C"}, #edges == 1 and 0.3 or (k - 1) / (#edges - 1))
  end
  local function class_of(c)
    local cl = 1
    for k = 2, #edges do if c >= edges[k] then cl = k end end
    return cl
  end
  -- in grid units (a transform scales them): runs of cells of one class
  -- along a row make one rectangle; relative moves keep the path short
  local paths, last = {}, {}
  for k = 1, #edges do paths[k] = {} end
  for cy = 0, GRID - 1 do
    local cx = 0
    while cx < GRID do
      local c = counts[cy * GRID + cx + 1]
      if c > 0 then
        local cl = class_of(c)
        local run = 1
        while cx + run < GRID do
          local c2 = counts[cy * GRID + cx + run + 1]
          if c2 == 0 or class_of(c2) ~= cl then break end
          run = run + 1
        end
        local p, l = paths[cl], last[cl]
        local mv = l and string.format("m%d %d", cx - l[1], cy - l[2]) or string.format("M%d %d", cx, cy)
        p[#p + 1] = string.format("%sh%dv1h-%dz", mv, run, run)
        last[cl] = {cx, cy}
        cx = cx + run
      else
        cx = cx + 1
      end
    end
  end
  G.title(b, x0, y0 - 10, o.title)
  G.rect(b, x0, y0, P, P, "#FFFFFF", 'stroke="#BBB"')
  b[#b + 1] = string.format('<g transform="translate(%s %s) scale(%s %s)" shape-rendering="crispEdges">',
    n(x0), n(y0 + P), n(cell), n(-cell))
  for k = 1, #edges do
    if #paths[k] > 0 then
      b[#b + 1] = string.format('<path fill="%s" d="%s"/>', shades[k], table.concat(paths[k]))
    end
  end
  b[#b + 1] = "</g>"
  G.line(b, x0, y0 + P, x0 + P, y0, "#000", 'stroke-width="1" stroke-dasharray="5 4" opacity="0.6"')
  -- positions: rank r sits at (r - lo + 0.5) / span; beyond the panel, on its border
  local function pos(r) return (math.max(lo - 0.5, math.min(r, hi + 0.5)) - lo + 0.5) / span * P end
  if o.zoom then  -- the extent of the zoomed panel
    local za, zb = pos(o.zoom[1] - 0.5), pos(o.zoom[2] + 0.5)
    G.rect(b, x0 + za, y0 + P - zb, zb - za, zb - za, "none", 'stroke="#000" stroke-width="1.2" stroke-dasharray="3 2"')
    G.text(b, x0 + zb + 4, y0 + P - zb + 10, "zoom", "start", 'class="v"')
  end
  local function inside(a) return rb[a] >= lo and rb[a] <= hi and rv[a] >= lo and rv[a] <= hi end
  local function dots(list, colour, width, title)
    if #list == 0 then return end
    local dd = {}
    for k = 1, #list do
      local a = list[k]
      if inside(a) then dd[#dd + 1] = "M" .. n(x0 + pos(rb[a])) .. " " .. n(y0 + P - pos(rv[a])) .. "h0" end
    end
    if #dd > 0 then
      b[#b + 1] = string.format('<path fill="none" stroke="%s" stroke-width="%s" stroke-linecap="round" d="%s">%s</path>',
        colour, width, table.concat(dd), title and ("<title>" .. esc(title) .. "</title>") or "")
    end
  end
  if o.tips or #d.both <= 1000 then
    dots(d.both, G.change.both, o.tips and "2.6" or "4", int(#d.both) .. " areas flagged in both")
  else
    -- many: the grid cells holding an area flagged in both, tinted
    local seen, cellsp = {}, {}
    local lastc
    local idx = {}
    for k = 1, #d.both do
      local a = d.both[k]
      if inside(a) then
        local cx = math.min(GRID - 1, math.floor((rb[a] - lo) * scale))
        local cy = math.min(GRID - 1, math.floor((rv[a] - lo) * scale))
        local key = cy * GRID + cx
        if not seen[key] then seen[key] = true; idx[#idx + 1] = key end
      end
    end
    table.sort(idx)
    for _, key in ipairs(idx) do
      local cx, cy = key % GRID, key // GRID
      local mv = lastc and string.format("m%d %d", cx - lastc[1], cy - lastc[2]) or string.format("M%d %d", cx, cy)
      cellsp[#cellsp + 1] = mv .. "h1v1h-1z"
      lastc = {cx, cy}
    end
    b[#b + 1] = string.format('<g transform="translate(%s %s) scale(%s %s)" shape-rendering="crispEdges">'
      .. '<path fill="%s" fill-opacity="0.85" d="%s"><title>%s areas flagged in both</title></path></g>',
      n(x0), n(y0 + P), n(cell), n(-cell), G.change.both, table.concat(cellsp), int(#d.both))
  end
  local function points(list, colour, verb)
    if #list == 0 then return end
    local plain = {}
    b[#b + 1] = string.format('<g fill="%s" stroke="#1b1f24" stroke-width="0.7">', colour)
    local tips = 0
    for k = 1, #list do
      local a = list[k]
      local x, y = n(x0 + pos(rb[a])), n(y0 + P - pos(rv[a]))
      local out = not inside(a)
      if o.tips and tips < MAX_TIPS then
        tips = tips + 1
        local nm = d.names and d.names[a]
        nm = type(nm) == "string" and (" " .. nm) or ""
        b[#b + 1] = string.format('<circle cx="%s" cy="%s" r="3.6"%s><title>%s%s %s: base rank %s, variant rank %s</title></circle>',
          x, y, out and ' fill="#fff" stroke="' .. colour .. '" stroke-width="1.6"' or "", esc(d.codes[a]), esc(nm), verb,
          int(rb[a]), int(rv[a]))
      elseif out then
        b[#b + 1] = string.format('<circle cx="%s" cy="%s" r="3.6" fill="#fff" stroke="%s" stroke-width="1.6"/>', x, y, colour)
      else
        plain[#plain + 1] = "M" .. x .. " " .. y .. "h0"
      end
    end
    b[#b + 1] = "</g>"
    if #plain > 0 then
      -- the look of the circles: a dark outline under a coloured dot
      local dd = table.concat(plain)
      b[#b + 1] = string.format('<path fill="none" stroke="#1b1f24" stroke-width="8.6" stroke-linecap="round" d="%s"/>', dd)
      b[#b + 1] = string.format('<path fill="none" stroke="%s" stroke-width="7.2" stroke-linecap="round" d="%s"/>', colour, dd)
    end
  end
  points(d.leave, G.change.leaving, "leaves")
  points(d.enter, G.change.entering, "enters")
  -- axes on rank positions
  local tk = lo == 1 and {0.5} or {}
  for _, t in ipairs((G.int_ticks(lo, hi, 5))) do if t > lo or lo > 1 then tk[#tk + 1] = t - lo + 0.5 end end
  local function lab(t) return int(t + lo - 0.5) end
  G.axis_x(b, x0, x0 + P, y0 + P, 0, span, tk, lab, "Base rank (1 = highest need)")
  G.axis_y(b, x0, y0 + P, y0, 0, span, tk, lab, "Variant rank")
  return edges, shades, maxc
end

-- The zoom window [lo, hi] (the same on both axes): where the flags
-- change, i.e. the ranks of the entering and leaving areas (2nd to 98th
-- percentile, padded, rounded to "nice" values); nil when there is no
-- mover or the window would cover most of the ranks anyway.
local function zoom_extent(d, N)
  local lo_r, hi_r = {}, {}
  for _, list in ipairs{d.enter, d.leave} do
    for k = 1, #list do
      local a = list[k]
      lo_r[#lo_r + 1] = math.min(d.rb[a], d.rv[a])
      hi_r[#hi_r + 1] = math.max(d.rb[a], d.rv[a])
    end
  end
  if #lo_r == 0 then return nil end
  table.sort(lo_r)
  table.sort(hi_r)
  local m = #lo_r
  local q1 = lo_r[math.max(1, math.floor(0.02 * m + 0.5))]
  local q2 = hi_r[math.min(m, math.ceil(0.98 * m))]
  local pad = math.max(5, 0.08 * (q2 - q1))
  local _, _, step = G.int_ticks(0, q2 - q1 + 2 * pad, 5)
  local lo = math.max(1, math.floor((q1 - pad) / step) * step)
  local hi = math.min(N, math.ceil((q2 + pad) / step) * step)
  if hi - lo + 1 > 0.5 * N then return nil end
  return {lo, hi}
end

local function scatter(res, i, cols, vcols)
  local v = res.variants[i]
  local rb, fb = cols.rank, cols.flag
  local rv, fv = vcols.rank, vcols.flag
  local N = 1
  local d = {rb = rb, rv = rv, both = {}, enter = {}, leave = {}, codes = cols.codes, names = cols.name}
  local both, enter, leave = d.both, d.enter, d.leave
  for k = 1, #rb do
    local a, c = rb[k], rv[k]
    if a == a and c == c then
      if a > N then N = a end
      if c > N then N = c end
      local f1, f2 = fb[k] == true, fv[k] == true
      if f1 and f2 then both[#both + 1] = k
      elseif f2 then enter[#enter + 1] = k
      elseif f1 then leave[#leave + 1] = k end
    end
  end
  local Z = zoom_extent(d, N)
  local P, x0, y0 = 360, 72, 62
  local x1 = x0 + P + 92
  local W = Z and (x1 + P + 24) or (x0 + P + 24)
  local H = y0 + P + 112
  local b = {}
  G.open(b, W, H, "Ranks: base vs " .. v.label, "Density of all areas by base rank and variant rank (grey cells), "
    .. "with the areas whose flag changes as coloured points" .. (Z and "; right: a zoom on the ranks where flags change." or "."),
    "scatter-" .. i)
  G.title(b, 0, 16, "Rank in the base and in the variant")
  G.text(b, 0, 33, string.format("%s areas; grey cells: number of areas at those ranks; dashed: same rank in both",
    int(#rb)), "start", 'class="v"')
  local edges, shades, maxc = scatter_panel(b, d, x0, y0, P, 1, N, {title = "All areas", zoom = Z, tips = not Z})
  local e2, s2, m2
  if Z then
    e2, s2, m2 = scatter_panel(b, d, x1, y0, P, Z[1], Z[2], {tips = true, grid = 40,
      title = string.format("Zoom on the flag changes: ranks %s\u{2013}%s", int(Z[1]), int(Z[2]))})
  end
  local ly = y0 + P + 66
  local lx = G.legend(b, 0, ly, {
    {colour = G.change.entering, label = "Entering (" .. int(#enter) .. ")", shape = "dot"},
    {colour = G.change.leaving, label = "Leaving (" .. int(#leave) .. ")", shape = "dot"},
    {colour = G.change.both, label = "Flagged in both (" .. int(#both) .. ")", shape = "dot", stroke = G.change.both},
  })
  if Z then
    b[#b + 1] = string.format('<circle cx="%s" cy="%s" r="4.5" fill="#fff" stroke="#555" stroke-width="1.6"/>', n(lx + 6), n(ly - 4))
    G.text(b, lx + 18, ly, "beyond the zoom, on its border", "start", 'class="lg"')
  end
  -- stepped legend of the density classes (of each panel)
  local function density_legend(x, y, e, s, mx, label)
    G.text(b, x, y + 10, label, "start", 'class="lg"')
    x = x + G.text_width(label, 12) + 8
    for k = 1, #e do
      G.rect(b, x + (k - 1) * 34, y, 34, 11, s[k], 'stroke="#999" stroke-width="0.5"')
      G.text(b, x + (k - 1) * 34, y + 24, int(e[k]), "middle", 'class="tk2"')
    end
    if mx > e[#e] then G.text(b, x + #e * 34, y + 24, int(mx), "middle", 'class="tk2"') end
  end
  density_legend(0, ly + 14, edges, shades, maxc, "Areas per cell:")
  if Z then density_legend(x1 - 60, ly + 14, e2, s2, m2, "Zoom, areas per cell:") end
  G.close(b)
  return table.concat(b)
end

-- }=====

-- {===== rank-shift histogram

local function histogram(res, i, cols, vcols)
  local v = res.variants[i]
  local rb = cols.rank
  local rv = vcols.rank
  local d, lo_d, hi_d = {}, 0, 0
  for k = 1, #rb do
    local a, c = rb[k], rv[k]
    if a == a and c == c then
      local x = c - a
      d[#d + 1] = x
      if x < lo_d then lo_d = x end
      if x > hi_d then hi_d = x end
    end
  end
  -- bins of a "nice" width, one of them centred on 0, over the data's range
  local w = 1
  if hi_d > lo_d then
    local _, _, step = G.ticks(0, hi_d - lo_d, 40)
    w = math.max(1, step)
  end
  local kmin, kmax = math.floor(lo_d / w + 0.5), math.floor(hi_d / w + 0.5)
  if kmax - kmin < 10 then
    local pad = (10 - (kmax - kmin)) // 2 + 1
    kmin, kmax = kmin - pad, kmax + pad
  end
  local counts = {}
  for k = kmin, kmax do counts[k] = 0 end
  for k = 1, #d do
    local bin = math.floor(d[k] / w + 0.5)
    counts[bin] = counts[bin] + 1
  end
  local maxc = 1
  for k = kmin, kmax do if counts[k] > maxc then maxc = counts[k] end end
  local yt, _, ystep = G.int_ticks(0, maxc, 5)
  local ytop = math.ceil(maxc / ystep - 1e-9) * ystep
  if yt[#yt] < ytop then yt[#yt + 1] = ytop end
  local x0, y0, PW, PH = 70, 46, 470, 400
  local lo, hi = (kmin - 0.5) * w, (kmax + 0.5) * w
  local function px(x) return x0 + (x - lo) / (hi - lo) * PW end
  local function py(c) return y0 + PH - c / ytop * PH end
  local W, H = x0 + PW + 20, y0 + PH + 110
  local colour = variant_colour(i)
  local b = {}
  G.open(b, W, H, "Rank shift: " .. v.label, "Histogram of the change in rank, variant minus base, over all areas.", "hist-" .. i)
  G.title(b, 0, 16, "Rank change of every area")
  G.text(b, 0, 33, string.format("mean |shift| %s, median %s, max %s; bins of %s", dec(v.mean_shift, 1),
    val(v.median_shift), int(v.max_shift), w == 1 and "1 rank" or (int(w) .. " ranks")), "start", 'class="v"')
  G.axis_y(b, x0, y0 + PH, y0, 0, ytop, yt, function(t) return int(t) end, "Areas", x0 + PW)
  for k = kmin, kmax do
    local c = counts[k]
    if c > 0 then
      local xa, xb = px((k - 0.5) * w), px((k + 0.5) * w)
      G.rect(b, xa, py(c), xb - xa, py(0) - py(c), colour, 'stroke="#fff" stroke-width="0.5"',
        string.format("%s to %s: %s areas", signed((k - 0.5) * w + 0.5), signed((k + 0.5) * w - 0.5), int(c)))
    end
  end
  G.line(b, px(0), y0, px(0), y0 + PH, "#000", 'stroke-dasharray="4 3"')
  local xt = G.int_ticks(lo, hi, 6)
  G.axis_x(b, x0, x0 + PW, y0 + PH, lo, hi, xt, function(t) return signed(t) end,
    "Variant rank \u{2212} base rank")
  G.text(b, x0, y0 + PH + 56, "\u{2190} higher need in the variant", "start", 'class="v"')
  G.text(b, x0 + PW, y0 + PH + 56, "lower need in the variant \u{2192}", "end", 'class="v"')
  G.close(b)
  return table.concat(b)
end

-- }=====

-- {===== tables of a variant

local COL_LABELS = {code = "Code", name = "Name", la = "Local authority", region = "Region",
  change = "Change", base_rank = "Base rank", variant_rank = "Variant rank", score_change = "Index score change"}

--- Entering/leaving areas (sortable), from cni.compare.movers.
local function movers_table(t, max_rows, i)
  local total = #t
  if total == 0 then return '<p class="note">No area enters or leaves.</p>' end
  local names = {}
  for _, nm in ipairs(t:names()) do
    if nm ~= "base_flag" and nm ~= "variant_flag" then names[#names + 1] = nm end
  end
  local nrows = math.min(total, max_rows)
  local cols = {}
  for k, nm in ipairs(names) do
    local c = t:col(nm)
    cols[k] = {name = nm, type = c:type(), vals = (nrows < total and t:head(nrows) or t):col(nm):totable()}
  end
  local h = {}
  local function add(s) h[#h + 1] = s end
  local nin, nout = 0, 0
  local ch = t:col("change"):totable()
  for k = 1, total do if ch[k] == 1 then nin = nin + 1 else nout = nout + 1 end end
  add(string.format('<p class="note">%s areas enter and %s leave the flagged list. Click a column heading to sort. '
    .. 'Domain columns: the contribution of each domain to the change in the index score (variant \u{2212} base).</p>',
    int(nin), int(nout)))
  if nrows < total then
    add(string.format('<p class="note"><strong>Showing the first %s of %s areas</strong> (entering first, then by base rank); '
      .. 'all of them are in movers_%d.csv.</p>', int(nrows), int(total), i))
  end
  add(string.format('<div class="scroll"><table class="sortable movers" id="movers-%d"><thead><tr>', i))
  for _, c in ipairs(cols) do
    local label = COL_LABELS[c.name] or (c.name:match("^contrib_(.+)$") and ("\u{0394} " .. c.name:match("^contrib_(.+)$"):gsub("_", " ")))
      or c.name
    local num = c.type == "number" and c.name ~= "change"
    add(string.format('<th%s data-type="%s">%s</th>', num and ' class="r"' or "", (num or c.name == "change") and "num" or "text", esc(label)))
  end
  add("</tr></thead><tbody>")
  for r = 1, nrows do
    local row = {"<tr>"}
    for _, c in ipairs(cols) do
      local x = c.vals[r]
      if c.name == "change" then
        row[#row + 1] = x == 1 and '<td class="t" data-v="1"><span class="ch in">enters</span></td>'
          or '<td class="t" data-v="-1"><span class="ch out">leaves</span></td>'
      elseif c.type == "number" then
        if c.name:match("rank$") then
          row[#row + 1] = "<td>" .. int(x) .. "</td>"
        else
          row[#row + 1] = "<td>" .. val(x) .. "</td>"
        end
      elseif c.type == "boolean" then
        row[#row + 1] = '<td class="t">' .. (missing(x) and "NA" or tostring(x)) .. "</td>"
      else
        row[#row + 1] = '<td class="t">' .. (missing(x) and "" or esc(x)) .. "</td>"
      end
    end
    row[#row + 1] = "</tr>"
    add(table.concat(row))
  end
  add("</tbody></table></div>")
  return table.concat(h, "\n")
end

local function spec_changes(v)
  local it = v.item or {}
  if v.kind == "list" then
    return string.format('<p>An external list of area codes: <code>%s</code> (column <code>%s</code>). '
      .. 'It has flags only, so there are no rank charts.</p>', esc(it.path), esc(it.column))
  end
  if not v.spec_diff then return '<p class="note">No spec to compare (a result folder without its spec).</p>' end
  if #v.spec_diff == 0 then return '<p class="note">The resolved specs are the same (apart from name and description).</p>' end
  local h = {'<div class="wide"><table class="spec"><thead><tr><th>Setting</th><th>Base</th><th>Variant</th></tr></thead><tbody>'}
  for _, c in ipairs(v.spec_diff) do
    local function show(x) return x == nil and "(absent)" or short(S.canonical(x), 160) end
    h[#h + 1] = string.format("<tr><td><code>%s</code></td><td><code>%s</code></td><td><code>%s</code></td></tr>",
      esc(c.path), esc(show(c.old)), esc(show(c.new)))
  end
  h[#h + 1] = "</tbody></table></div>"
  return table.concat(h)
end

local function la_table(v)
  if not v.by_la then return nil end
  local rows = {}
  for _, r in ipairs(v.by_la) do if r.change ~= 0 then rows[#rows + 1] = r end end
  if #rows == 0 then return '<p class="note">No local authority changes its count of flagged areas.</p>' end
  table.sort(rows, function(a, b)
    if math.abs(a.change) ~= math.abs(b.change) then return math.abs(a.change) > math.abs(b.change) end
    return S.str_lt(a.group, b.group)
  end)
  local h = {#rows <= 10
    and string.format('<p class="note">%s of %s local authorities change their count of flagged areas:</p>',
      int(#rows), int(#v.by_la))
    or string.format('<p class="note">%s of %s local authorities change their count of flagged areas; the 10 largest '
      .. 'changes (all in by_la.csv):</p>', int(#rows), int(#v.by_la)),
    '<table class="sortable"><thead><tr><th data-type="text">Local authority</th><th class="r" data-type="num">Areas</th>'
    .. '<th class="r" data-type="num">Base</th><th class="r" data-type="num">Variant</th><th class="r" data-type="num">Change</th></tr></thead><tbody>'}
  for k = 1, math.min(#rows, 10) do
    local r = rows[k]
    h[#h + 1] = string.format('<tr><td>%s</td><td class="r">%s</td><td class="r">%s</td><td class="r">%s</td><td class="r" data-v="%s">%s</td></tr>',
      esc(r.group), int(r.areas), int(r.base), int(r.variant), int(r.change), signed(r.change))
  end
  h[#h + 1] = "</tbody></table>"
  return table.concat(h)
end

-- }=====

-- {===== threshold sweep heatmaps

local function heatmap(sw, field, title, fmt, lo, hi, id)
  local cuts = sw.cuts
  local m = #cuts
  local C = 25
  local x0, y0 = 62, 40
  local P = m * C
  local W, H = x0 + P + 100, y0 + P + 56
  local b = {}
  local tip_field = field == "flagged" and "flagged" or "Jaccard"
  G.open(b, W, H, title, "Heatmap over the grid of top shares of the index (rows) and of the deprivation measure (columns).", id)
  G.title(b, 0, 16, title)
  local function colour(x)
    if hi == lo then return G.ramp(G.viridis, 0.5) end
    return G.ramp(G.viridis, (x - lo) / (hi - lo))
  end
  local base_i, base_j
  for i, xi in ipairs(cuts) do
    for j, xd in ipairs(cuts) do
      local cell = sw.grid[i][j]
      local x = x0 + (j - 1) * C
      local y = y0 + P - i * C
      local fill = colour(cell[field])
      G.rect(b, x, y, C, C, fill, 'stroke="#fff" stroke-width="0.5"',
        string.format("%s top %s, %s top %s: %s flagged, Jaccard with the base %s", sw.index, pct(xi), sw.dep, pct(xd),
          int(cell.flagged), sig(cell.jaccard, 3)))
      G.text(b, x + C / 2, y + C / 2 + 3, fmt(cell[field]), "middle", 'class="cell" style="fill:' .. G.ink(fill) .. '"')
      if sw.base_index_top and math.abs(xi - sw.base_index_top) < 1e-9 and math.abs(xd - (sw.base_dep_top or -1)) < 1e-9 then
        base_i, base_j = i, j
      end
    end
  end
  if base_i then
    local x, y = x0 + (base_j - 1) * C, y0 + P - base_i * C
    G.rect(b, x + 1, y + 1, C - 2, C - 2, "none", 'stroke="#fff" stroke-width="2"')
    G.rect(b, x - 1, y - 1, C + 2, C + 2, "none", 'stroke="#000" stroke-width="2"')
  end
  local function tick_pct(x) return dec(100 * x, 0) .. "%" end
  for j, xd in ipairs(cuts) do
    if m <= 16 or (j - 1) % 2 == 0 then
      G.text(b, x0 + (j - 0.5) * C, y0 + P + 14, tick_pct(xd), "middle", 'class="tk2"')
    end
  end
  for i, xi in ipairs(cuts) do
    if m <= 16 or (i - 1) % 2 == 0 then
      G.text(b, x0 - 6, y0 + P - (i - 0.5) * C + 4, tick_pct(xi), "end", 'class="tk"')
    end
  end
  G.text(b, x0 + P / 2, y0 + P + 34, "Top share of " .. sw.dep .. " (deprivation rank)", "middle", 'class="al"')
  local cy = y0 + P / 2
  b[#b + 1] = string.format('<text x="%s" y="%s" text-anchor="middle" class="al" transform="rotate(-90 %s %s)">%s</text>',
    n(14), n(cy), n(14), n(cy), esc("Top share of " .. sw.index .. " (index rank)"))
  -- colour legend (vertical)
  local lx, ly, lh = x0 + P + 18, y0 + 10, P - 20
  local steps = 40
  for k = 0, steps - 1 do
    local t = k / (steps - 1)
    G.rect(b, lx, ly + lh - (k + 1) * lh / steps, 14, lh / steps + 0.4, G.ramp(G.viridis, t))
  end
  G.rect(b, lx, ly, 14, lh, "none", 'stroke="#777" stroke-width="0.5"')
  local ticks = field == "flagged" and G.int_ticks(lo, hi, 4) or G.ticks(lo, hi, 4)
  for _, t in ipairs(ticks) do
    local y = ly + lh - (hi == lo and 0.5 or (t - lo) / (hi - lo)) * lh
    G.line(b, lx + 14, y, lx + 18, y, "#333")
    G.text(b, lx + 21, y + 4, fmt(t), "start", 'class="tk"')
  end
  G.text(b, lx, ly - 8, tip_field, "start", 'class="tk"')
  G.close(b)
  return table.concat(b)
end

local function sweep_section(sw)
  local lo, hi = math.huge, -math.huge
  for i in ipairs(sw.cuts) do
    for j in ipairs(sw.cuts) do
      local f = sw.grid[i][j].flagged
      if f < lo then lo = f end
      if f > hi then hi = f end
    end
  end
  local function on_grid(x)
    for _, c in ipairs(sw.cuts) do if x and math.abs(c - x) < 1e-9 then return true end end
    return false
  end
  local where = (on_grid(sw.base_index_top) and on_grid(sw.base_dep_top)) and "the outlined cell" or "outside this grid"
  local h = {}
  h[#h + 1] = string.format('<p class="note">The base rule again, over a grid of cut-offs: an area is flagged when it is in the top '
    .. 'share of %s <em>and</em> in the top share of %s. Left: how many areas are flagged; right: the Jaccard index of that '
    .. 'list with the base list. The base rule (%s top %s, %s top %s) is %s. Hover a cell for both figures.</p>',
    esc(sw.index), esc(sw.dep), esc(sw.index), pct(sw.base_index_top), esc(sw.dep), pct(sw.base_dep_top), where)
  h[#h + 1] = '<div class="charts">'
  h[#h + 1] = "<figure>" .. heatmap(sw, "flagged", "Flagged areas", function(x) return int(x) end, lo, hi, "sweep-flagged") .. "</figure>"
  h[#h + 1] = "<figure>" .. heatmap(sw, "jaccard", "Jaccard with the base list", function(x) return dec(x, 2) end, 0, 1, "sweep-jaccard") .. "</figure>"
  h[#h + 1] = "</div>"
  return table.concat(h, "\n")
end

-- }=====

-- {===== provenance

local function provenance(res)
  local h = {}
  h[#h + 1] = string.format("<p>Made by cnilua %s. The report is a pure function of the comparison: "
    .. "no date, no network, the same inputs give the same file.</p>", esc(core.version))
  local items = {{role = "base", label = res.base.label, item = res.base_item}}
  for i, v in ipairs(res.variants) do items[#items + 1] = {role = "variant " .. i, label = v.label, item = v.item or {}} end
  h[#h + 1] = '<div class="wide"><table><thead><tr><th>Role</th><th>Name</th><th>Kind</th><th>Spec SHA-256 (canonical text)</th></tr></thead><tbody>'
  local files, order = {}, {}
  for _, it in ipairs(items) do
    local item = it.item
    local hash = item.spec and core.sha256(S.canonical(item.spec)) or nil
    local kind = item.kind or "?"
    if kind == "list" then kind = "list: " .. tostring(item.path) end
    h[#h + 1] = string.format('<tr><td>%s</td><td>%s</td><td>%s</td><td class="mono">%s</td></tr>', esc(it.role),
      esc(it.label), esc(kind), hash and esc(hash) or "\u{2014}")
    local inputs = item.result and item.result.inputs
    if type(inputs) == "table" then
      for _, name in ipairs(S.sorted_keys(inputs)) do
        local inp = inputs[name]
        local key = tostring(inp.file) .. "|" .. tostring(inp.sha256)
        if not files[key] then
          files[key] = {file = inp.file, sha256 = inp.sha256, rows = inp.rows, names = {}, used = {}}
          order[#order + 1] = key
        end
        local f = files[key]
        if not f.names[name] then f.names[name] = true; f.names[#f.names + 1] = name end
        if f.used[#f.used] ~= it.role then f.used[#f.used + 1] = it.role end
      end
    end
  end
  h[#h + 1] = "</tbody></table></div>"
  if #order > 0 then
    h[#h + 1] = '<h3>Input files</h3><div class="wide"><table><thead><tr><th>Input</th><th>File</th><th class="r">Rows</th>'
      .. '<th>SHA-256</th><th>Used by</th></tr></thead><tbody>'
    for _, key in ipairs(order) do
      local f = files[key]
      h[#h + 1] = string.format('<tr><td>%s</td><td><code>%s</code></td><td class="r">%s</td><td class="mono">%s</td><td>%s</td></tr>',
        esc(table.concat(f.names, ", ")), esc(f.file), int(f.rows), esc(f.sha256), esc(table.concat(f.used, ", ")))
    end
    h[#h + 1] = "</tbody></table></div>"
  end
  return table.concat(h, "\n")
end

-- }=====

-- {===== the page

--- The HTML report of a comparison (a string).
-- shared with other reports (cni.uncertainty)
M.css = CSS
M.script = SCRIPT

function M.compare_html(res, tabs, o)
  o = o or {}
  tabs = tabs or require("cni.compare").tables(res)
  local max_rows = o.max_rows or 500
  local b = res.base_item
  local cols = {rank = b.rank:totable(), flag = b.flag:totable(), codes = b.codes:totable(),
    name = b.name and b.name:totable() or nil}
  local title = o.title or ("Comparison: " .. res.base.label)
  local P = {}
  local function add(s) P[#P + 1] = s end
  add("<!DOCTYPE html>")
  add('<html lang="en"><head><meta charset="utf-8"/>')
  add('<meta name="viewport" content="width=device-width, initial-scale=1"/>')
  add('<meta name="generator" content="cnilua ' .. esc(core.version) .. '"/>')
  add("<title>" .. esc(title) .. "</title>")
  add("<style>" .. CSS .. "</style></head><body>")
  if res.base.synthetic then
    add('<div class="synthetic" role="alert">SYNTHETIC DATA: invented areas, not real statistics.</div>')
  end
  add('<header class="top"><h1>' .. esc(title) .. "</h1>")
  add(string.format("<p>Base <strong>%s</strong>: %s areas, <strong>%s flagged</strong>. %s compared with it.</p>",
    esc(res.base.label), int(res.base.areas), int(res.base.flagged),
    #res.variants == 1 and "One variant" or (int(#res.variants) .. " variants")))
  add("</header>")
  -- navigation
  local nav = {'<a href="#summary">Summary</a>', '<a href="#overlap">Overlap</a>', '<a href="#regions">Regions</a>'}
  if o.maps_html then nav[#nav + 1] = '<a href="#maps">Maps</a>' end
  for i, v in ipairs(res.variants) do
    nav[#nav + 1] = string.format('<a href="#variant-%d">%d. %s</a>', i, i, esc(short(v.label, 32)))
  end
  if res.sweep then nav[#nav + 1] = '<a href="#sweep">Threshold sweep</a>' end
  nav[#nav + 1] = '<a href="#provenance">Provenance</a>'
  add("<nav>" .. table.concat(nav) .. "</nav>")
  add("<main>")
  -- summary
  add('<section id="summary"><h2>Summary</h2>')
  add(summary_table(res))
  add("</section>")
  -- overlap
  add('<section id="overlap"><h2>Overlap of the flagged sets</h2>')
  add("<figure>" .. overlap_chart(res) .. "</figure>")
  add("</section>")
  -- regions
  add('<section id="regions"><h2>Flagged areas by region</h2>')
  local rc, rnote = region_chart(res)
  if rc then
    add("<figure>" .. rc .. "</figure>")
    if rnote then add('<p class="note">' .. esc(rnote) .. "</p>") end
  else
    add('<p class="note">The base has no region column.</p>')
  end
  add("</section>")
  -- HOOK (maps): o.maps_html is an already-rendered SVG/HTML string (e.g.
  -- from cni.map.render); it is placed here as is.
  if o.maps_html then
    add('<section id="maps" class="maps"><h2>Maps</h2>')
    add(o.maps_html)
    add("</section>")
  end
  -- variants
  for i, v in ipairs(res.variants) do
    add(string.format('<section class="variant" id="variant-%d" style="--vc:%s">', i, variant_colour(i)))
    add(string.format('<h2>%s%d. %s<span class="kind">%s</span></h2>', swatch(variant_colour(i)), i, esc(v.label), esc(v.kind)))
    add(string.format('<p><strong>%s</strong> flagged (base %s): <strong>%s</strong> in both, <strong>%s</strong> leave, '
      .. '<strong>%s</strong> enter; Jaccard <strong>%s</strong>, kappa %s.</p>', int(v.flagged), int(res.base.flagged),
      int(v.both), int(v.only_base), int(v.only_variant), sig(v.jaccard, 3), sig(v.kappa, 3)))
    local cov = v.coverage
    if cov then
      local notes = {}
      if cov.not_in_base and #cov.not_in_base > 0 then
        notes[#notes + 1] = string.format("%s codes of the variant are not areas of the base (first: %s)",
          int(#cov.not_in_base), esc(tostring(cov.not_in_base[1])))
      end
      if cov.missing and #cov.missing > 0 then
        notes[#notes + 1] = string.format("%s areas of the base are missing from the variant", int(#cov.missing))
      end
      if #notes > 0 then add('<p class="note">' .. table.concat(notes, "; ") .. ".</p>") end
    end
    add("<h3>Changes to the spec</h3>")
    add(spec_changes(v))
    local lt = la_table(v)
    add('<div class="charts">')
    if v.aligned and v.aligned.rank then
      local vcols = {rank = v.aligned.rank:totable(), flag = v.aligned.flag:totable()}
      add("<figure>" .. scatter(res, i, cols, vcols) .. "<figcaption>Grey cells count the areas at each pair of ranks; "
        .. "on the dashed diagonal an area keeps its rank. Coloured points: the areas whose flag changes "
        .. "(hover for their names).</figcaption></figure>")
      add("<figure>" .. histogram(res, i, cols, vcols) .. "</figure>")
    end
    if lt then add('<div class="la"><h3>Local authorities</h3>' .. lt .. "</div>") end
    add("</div>")
    add("<h3>Areas entering and leaving</h3>")
    if v.contrib_note then add('<p class="note">Domain contributions: ' .. esc(v.contrib_note) .. ".</p>") end
    add(movers_table(tabs.movers[i], max_rows, i))
    add("</section>")
  end
  if res.sweep then
    add('<section id="sweep"><h2>Threshold sweep of the base rule</h2>')
    add(sweep_section(res.sweep))
    add("</section>")
  end
  add("</main>")
  add('<footer id="provenance"><h2>Provenance</h2>')
  if res.base.synthetic then add("<p><strong>SYNTHETIC DATA: invented areas, not real statistics.</strong></p>") end
  add(provenance(res))
  add("</footer>")
  add("<script>" .. SCRIPT .. "</script>")
  add("</body></html>")
  return table.concat(P, "\n") .. "\n"
end

-- }=====

return M
