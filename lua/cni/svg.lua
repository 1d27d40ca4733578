-- cni.svg: small helpers for the inline SVG charts of the HTML reports
-- (lua/cni/report.lua): escaping, locale-independent number text, "nice"
-- ticks, colour-blind-safe palettes, axes and legends.
--
-- Every function appends strings to a buffer (a Lua list) that the caller
-- joins once with table.concat; output depends only on the arguments, so
-- the same inputs give byte-identical SVG.

local M = {}

-- {===== text and numbers

local xml_repl = {["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;", ['"'] = "&quot;", ["'"] = "&#39;"}

--- XML/HTML escape of text and attribute values (nil gives "").
function M.esc(s)
  if s == nil then return "" end
  s = tostring(s)
  if not s:find("[&<>\"']") then return s end
  return (s:gsub("[&<>\"']", xml_repl))
end

--- A coordinate: at most one decimal, no trailing ".0", never locale
--- dependent (integers and %d only).
function M.n(x)
  local v = math.floor(x * 10 + 0.5)
  local r = v % 10
  if r == 0 then return tostring(v // 10) end
  if v < 0 then
    v = -v
    return string.format("-%d.%d", v // 10, v % 10)
  end
  return string.format("%d.%d", v // 10, r)
end

--- An integer as text (rounded; "NA" for NaN or nil).
function M.int(x)
  if x == nil or x ~= x then return "NA" end
  return string.format("%d", math.floor(x + 0.5))
end

--- "Nice" tick values covering [lo, hi] (about n of them) and the number of
--- decimals they need.
function M.ticks(lo, hi, n)
  n = n or 5
  if hi < lo then lo, hi = hi, lo end
  if hi == lo then return {lo}, 0 end
  local raw = (hi - lo) / n
  local mag = 10 ^ math.floor(math.log(raw, 10))
  local norm = raw / mag
  local step = (norm < 1.5 and 1 or norm < 3 and 2 or norm < 7 and 5 or 10) * mag
  local decimals = math.max(0, -math.floor(math.log(step, 10) + 1e-9))
  local out = {}
  local first = math.ceil(lo / step - 1e-9)
  local last = math.floor(hi / step + 1e-9)
  -- k * m / 10^d rather than k * step: 0.6, not 0.6000000000000001
  local scale = 10 ^ decimals
  local m = math.floor(step * scale + 0.5)
  for k = first, last do out[#out + 1] = k * m / scale end
  return out, decimals, step
end

--- Ticks for counts and ranks: whole numbers only (a step of at least 1).
function M.int_ticks(lo, hi, n)
  local t, d, step = M.ticks(lo, hi, n)
  if step and step >= 1 then return t, 0, step end
  local out = {}
  for k = math.ceil(lo - 1e-9), math.floor(hi + 1e-9) do out[#out + 1] = k end
  return out, 0, 1
end

--- Rough width in pixels of a text at a font size (for layout only).
function M.text_width(s, size)
  return #tostring(s) * (size or 12) * 0.56
end

-- }=====

-- {===== colours

--- Okabe-Ito (Okabe & Ito 2008): distinguishable with the common forms of
--- colour blindness. The same roles as the maps (lua/cni/map.lua).
M.okabe_ito = {
  orange = "#E69F00", sky = "#56B4E9", green = "#009E73", yellow = "#F0E442",
  blue = "#0072B2", vermillion = "#D55E00", purple = "#CC79A7", black = "#000000",
}
local oi = M.okabe_ito

--- Colours of the flag changes (as in the change maps).
M.change = {
  entering = oi.blue,     -- flagged in the variant only
  leaving = oi.orange,    -- flagged in the base only
  both = oi.purple,       -- flagged in both
}

--- The base in bar charts, then one colour per variant (cycled).
M.base_colour = "#4D4D4D"
M.series = {oi.sky, oi.vermillion, oi.green, oi.purple, oi.orange, oi.blue, oi.yellow}

function M.series_colour(i)
  return M.series[(i - 1) % #M.series + 1]
end

--- viridis (viridisLite, 10 stops): even in lightness, readable in grey.
M.viridis = {"#440154", "#482878", "#3E4A89", "#31688E", "#26828E",
             "#1F9E89", "#35B779", "#6DCD59", "#B4DE2C", "#FDE725"}

--- A light-to-dark single-hue grey ramp (density backgrounds).
M.greys = {"#F0F0F0", "#D9D9D9", "#BDBDBD", "#969696", "#737373", "#525252"}

local function hex_rgb(h)
  return tonumber(h:sub(2, 3), 16), tonumber(h:sub(4, 5), 16), tonumber(h:sub(6, 7), 16)
end

--- Colour at t in [0, 1] of a ramp (list of hex stops), linear in RGB.
function M.ramp(stops, t)
  if t ~= t then t = 0 end
  if t < 0 then t = 0 elseif t > 1 then t = 1 end
  local n = #stops
  local x = t * (n - 1)
  local i = math.floor(x)
  if i >= n - 1 then return stops[n] end
  local f = x - i
  local r1, g1, b1 = hex_rgb(stops[i + 1])
  local r2, g2, b2 = hex_rgb(stops[i + 2])
  local function mix(a, b) return math.floor(a + (b - a) * f + 0.5) end
  return string.format("#%02X%02X%02X", mix(r1, r2), mix(g1, g2), mix(b1, b2))
end

--- Black or white, whichever reads better on a background colour.
function M.ink(bg)
  local r, g, b = hex_rgb(bg)
  local l = 0.299 * r + 0.587 * g + 0.114 * b
  return l > 140 and "#000000" or "#FFFFFF"
end

-- }=====

-- {===== elements

--- Opens an <svg> with a title (and description) for screen readers.
function M.open(buf, w, h, title, desc, id)
  buf[#buf + 1] = string.format(
    '<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="%s" height="%s" viewBox="0 0 %s %s" role="img"%s>',
    M.n(w), M.n(h), M.n(w), M.n(h), id and (' aria-labelledby="' .. M.esc(id) .. '-t"') or "")
  buf[#buf + 1] = string.format('<title%s>%s</title>', id and (' id="' .. M.esc(id) .. '-t"') or "", M.esc(title))
  if desc then buf[#buf + 1] = "<desc>" .. M.esc(desc) .. "</desc>" end
end

function M.close(buf) buf[#buf + 1] = "</svg>" end

--- Text; a: anchor ("start", "middle", "end"); extra: more attributes.
function M.text(buf, x, y, s, a, extra)
  buf[#buf + 1] = string.format('<text x="%s" y="%s"%s%s>%s</text>', M.n(x), M.n(y),
    (a and a ~= "start") and (' text-anchor="' .. a .. '"') or "", extra and (" " .. extra) or "", M.esc(s))
end

--- Chart title (bold, top left).
function M.title(buf, x, y, s)
  M.text(buf, x, y, s, "start", 'class="ct"')
end

function M.rect(buf, x, y, w, h, fill, extra, tip)
  if tip then
    buf[#buf + 1] = string.format('<rect x="%s" y="%s" width="%s" height="%s" fill="%s"%s><title>%s</title></rect>',
      M.n(x), M.n(y), M.n(w), M.n(h), fill, extra and (" " .. extra) or "", M.esc(tip))
  else
    buf[#buf + 1] = string.format('<rect x="%s" y="%s" width="%s" height="%s" fill="%s"%s/>',
      M.n(x), M.n(y), M.n(w), M.n(h), fill, extra and (" " .. extra) or "")
  end
end

function M.line(buf, x1, y1, x2, y2, stroke, extra)
  buf[#buf + 1] = string.format('<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s"%s/>',
    M.n(x1), M.n(y1), M.n(x2), M.n(y2), stroke or "#000", extra and (" " .. extra) or "")
end

--- A horizontal axis at y from x0 to x1 for the values lo..hi; ticks are
--- values, fmt formats them; label is centred below.
function M.axis_x(buf, x0, x1, y, lo, hi, ticks, fmt, label)
  M.line(buf, x0, y, x1, y, "#333")
  for _, t in ipairs(ticks) do
    local x = x0 + (t - lo) / (hi - lo) * (x1 - x0)
    if x >= x0 - 0.01 and x <= x1 + 0.01 then
      M.line(buf, x, y, x, y + 4, "#333")
      M.text(buf, x, y + 16, fmt(t), "middle", 'class="tk"')
    end
  end
  if label then M.text(buf, (x0 + x1) / 2, y + 34, label, "middle", 'class="al"') end
end

--- A vertical axis at x from y0 (value lo, bottom) to y1 (value hi, top).
function M.axis_y(buf, x, y0, y1, lo, hi, ticks, fmt, label, grid_x1)
  M.line(buf, x, y0, x, y1, "#333")
  for _, t in ipairs(ticks) do
    local y = y0 + (t - lo) / (hi - lo) * (y1 - y0)
    if y <= y0 + 0.01 and y >= y1 - 0.01 then
      if grid_x1 then M.line(buf, x, y, grid_x1, y, "#E5E5E5") end
      M.line(buf, x - 4, y, x, y, "#333")
      M.text(buf, x - 7, y + 4, fmt(t), "end", 'class="tk"')
    end
  end
  if label then
    local cy = (y0 + y1) / 2
    buf[#buf + 1] = string.format('<text x="%s" y="%s" text-anchor="middle" class="al" transform="rotate(-90 %s %s)">%s</text>',
      M.n(x - 46), M.n(cy), M.n(x - 46), M.n(cy), M.esc(label))
  end
end

--- A horizontal legend from (x, y): items {colour, label [, shape = "dot"]};
--- returns the x after the last item.
function M.legend(buf, x, y, items)
  for _, it in ipairs(items) do
    if it.shape == "dot" then
      buf[#buf + 1] = string.format('<circle cx="%s" cy="%s" r="4.5" fill="%s" stroke="%s" stroke-width="0.8"/>',
        M.n(x + 6), M.n(y - 4), it.colour, it.stroke or "#222")
    elseif it.shape == "line" then
      M.line(buf, x, y - 4, x + 14, y - 4, it.colour, 'stroke-width="1.5" stroke-dasharray="4 3"')
    else
      M.rect(buf, x, y - 10, 12, 12, it.colour, it.stroke and ('stroke="' .. it.stroke .. '"') or nil)
    end
    M.text(buf, x + 18, y, it.label, "start", 'class="lg"')
    x = x + 18 + M.text_width(it.label, 12) + 16
  end
  return x
end

-- }=====

return M
