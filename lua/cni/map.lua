-- cni.map: SVG maps of areas (flagged areas, change against a base, a
-- continuous value) on top of the C boundaries core (cni.read_geojson,
-- Shapes:paths). See docs/maps.md.
--
--   local map = require "cni.map"
--   local shapes = map.shapes("tests/fixtures/geo/areas.geojson")
--   local svg, info = map.render{shapes = shapes, values = {E01 = true},
--                                kind = "flag", title = "Flagged areas"}
--   map.write("out/map.svg", svg)
--
-- Output is deterministic: areas are drawn in file order within each class,
-- classes in a fixed order, numbers with fixed formats.
local cni = require "cni"

local M = {}

-- {===== palettes (colour-blind safe)

--- Okabe-Ito colours (Okabe & Ito 2008), safe for the common forms of
--- colour blindness.
M.okabe_ito = {
  orange = "#E69F00", sky = "#56B4E9", green = "#009E73", yellow = "#F0E442",
  blue = "#0072B2", vermillion = "#D55E00", purple = "#CC79A7", black = "#000000",
}

--- Sequential ramps as explicit stops (viridisLite, 10 colours each): even
--- in lightness, readable in grey and by colour-blind readers.
M.ramps = {
  viridis = {"#440154", "#482878", "#3E4A89", "#31688E", "#26828E",
             "#1F9E89", "#35B779", "#6DCD59", "#B4DE2C", "#FDE725"},
  cividis = {"#00204D", "#00336F", "#39486B", "#575C6D", "#707173",
             "#8A8779", "#A69D75", "#C4B56C", "#E4CF5B", "#FFEA46"},
  magma = {"#000004", "#180F3E", "#451077", "#721F81", "#9F2F7F",
           "#CD4071", "#F1605D", "#FD9567", "#FEC98D", "#FCFDBF"},
}

local NOT_FLAGGED = "#E4E4E4"
local NO_DATA_FILL = "#FFFFFF"   -- under a grey hatch pattern

--- Classes of the categorical kinds, in drawing (and legend) order: the
--- emphasised classes last, so that they are drawn on top.
M.categories = {
  flag = {
    {key = "not_flagged", label = "Not flagged", colour = NOT_FLAGGED},
    {key = "flagged", label = "Flagged", colour = M.okabe_ito.vermillion},
  },
  change = {
    {key = "neither", label = "Neither", colour = NOT_FLAGGED},
    {key = "leaving", label = "Leaving (flagged in base only)", colour = M.okabe_ito.orange},
    {key = "entering", label = "Entering (flagged in variant only)", colour = M.okabe_ito.blue},
    {key = "both", label = "Flagged in both", colour = M.okabe_ito.purple},
  },
}

-- }=====

-- {===== small helpers

local function usage(msg)
  error(setmetatable({kind = "usage", msg = "map: " .. msg},
    {__tostring = function(e) return e.msg end}), 3)
end

local function data_error(msg)
  error(setmetatable({kind = "data", msg = "map: " .. msg},
    {__tostring = function(e) return e.msg end}), 3)
end

local function is_shapes(x)
  local mt = type(x) == "userdata" and getmetatable(x)
  return mt and mt.__name == "cni.Shapes" or false
end

local function is_cni_table(x)
  local mt = type(x) == "userdata" and getmetatable(x)
  return mt and mt.__name == "cni.Table" or false
end

local function sorted_keys(t)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  local lt = require("cni.spec").str_order()   -- byte order, not the locale's collation
  table.sort(keys, function(a, b)
    local ta, tb = type(a), type(b)
    if ta ~= tb then return ta < tb end
    if ta == "string" then return lt(a, b) end
    return a < b
  end)
  return keys
end

local function check_options(opts, allowed, fname)
  for _, k in ipairs(sorted_keys(opts)) do
    if not allowed[k] then
      local names = sorted_keys(allowed)
      usage(string.format("%s: unknown option '%s' (options: %s)", fname, tostring(k),
        table.concat(names, ", ")))
    end
  end
end

local xml_repl = {["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;", ['"'] = "&quot;"}
--- XML escape for text and attribute values.
function M.escape(s)
  s = tostring(s)
  if not s:find('[&<>"]') then return s end
  return (s:gsub('[&<>"]', xml_repl))
end
local esc = M.escape

--- Number with at most 'd' decimals, trailing zeros removed ("12", "3.5").
local function num(x, d)
  -- cni.format_number: '.' as the decimal separator whatever the C locale
  local s = cni.format_number(x, -1, d or 2)
  if s:find("%.") then s = s:gsub("0+$", ""):gsub("%.$", "") end
  if s == "-0" then s = "0" end
  return s
end
M.num = num

local function is_missing(v)
  return v == nil or v ~= v or v == cni.null
end

-- }=====

-- {===== values, lookups and flags

--- Turns a code -> value source into a function plus the list of keys in a
--- fixed order. Forms: a plain table {code = value}; {table = T, code =
--- "column", column = "column"} with a cni Table; or a function(code).
local function value_source(src, what)
  if src == nil then return nil end
  if type(src) == "function" then return src, nil end
  if type(src) ~= "table" then usage(what .. ": expected a table {code = value} or {table =, code =, column =}") end
  if src.table ~= nil then
    check_options(src, {table = true, code = true, column = true}, what)
    local t = src.table
    if not is_cni_table(t) then usage(what .. ".table: expected a cni Table") end
    if type(src.code) ~= "string" or type(src.column) ~= "string" then
      usage(what .. ": give the names of the 'code' and 'column' columns")
    end
    if not t:has(src.code) then usage(string.format("%s: the table has no column '%s'", what, src.code)) end
    if not t:has(src.column) then usage(string.format("%s: the table has no column '%s'", what, src.column)) end
    local codes, vals = t:col(src.code):totable(), t:col(src.column):totable()
    local map, present, keys = {}, {}, {}
    for i = 1, #codes do
      local c = codes[i]
      if not is_missing(c) then
        c = tostring(c)
        if present[c] == nil then keys[#keys + 1] = c end
        present[c] = true
        local v = vals[i]
        if is_missing(v) then v = nil end
        map[c] = v
      end
    end
    return function(c) return map[c] end, keys, present
  end
  local keys = {}
  for _, k in ipairs(sorted_keys(src)) do keys[#keys + 1] = tostring(k) end
  return function(c) return src[c] end, keys, src
end

-- A lookup {area -> group}: plain table or {table = T, from = "col", to = "col"}.
local function lookup_source(src)
  if src == nil then return nil end
  if type(src) == "function" then return src end
  if type(src) ~= "table" then usage("lookup: expected a table {area = group} or {table =, from =, to =}") end
  if src.table ~= nil then
    check_options(src, {table = true, from = true, to = true}, "lookup")
    local t = src.table
    if not is_cni_table(t) then usage("lookup.table: expected a cni Table") end
    if type(src.from) ~= "string" or type(src.to) ~= "string" then
      usage("lookup: give the names of the 'from' (area code) and 'to' (group code) columns")
    end
    for _, c in ipairs({src.from, src.to}) do
      if not t:has(c) then usage(string.format("lookup: the table has no column '%s'", c)) end
    end
    local a, g = t:col(src.from):totable(), t:col(src.to):totable()
    local map = {}
    for i = 1, #a do
      if not is_missing(a[i]) and not is_missing(g[i]) then map[tostring(a[i])] = tostring(g[i]) end
    end
    return function(c) return map[c] end
  end
  return function(c) return src[c] end
end

local truthy = {["true"] = true, ["TRUE"] = true, ["True"] = true, ["1"] = true, yes = true, YES = true}
local falsy = {["false"] = false, ["FALSE"] = false, ["False"] = false, ["0"] = false, no = false, NO = false}

--- A flag value -> true, false or nil (missing).
function M.flag_of(v)
  if is_missing(v) then return nil end
  local t = type(v)
  if t == "boolean" then return v end
  if t == "number" then return v ~= 0 end
  if t == "string" then
    if truthy[v] ~= nil then return true end
    if falsy[v] ~= nil then return false end
    return nil
  end
  return nil
end

-- }=====

-- {===== colour ramps and ticks

--- Colour at t in [0, 1] of a ramp (list of hex stops), linear in RGB
--- (the chart helpers' ramp: cni.svg).
function M.ramp_colour(stops, t)
  return require("cni.svg").ramp(stops, t)
end

--- "Nice" tick values covering [lo, hi] (about 'n' of them) and their
--- decimals (the chart helpers' ticks: cni.svg).
function M.ticks(lo, hi, n)
  return require("cni.svg").ticks(lo, hi, n)
end

-- }=====

-- {===== shapes cache

local cache = setmetatable({}, {__mode = "v"})

--- Reads a GeoJSON file once per process (cached by path and options).
function M.shapes(path, opts)
  opts = opts or {}
  local key = path .. "\0" .. tostring(opts.code or "code") .. "\0" .. tostring(opts.name or "name")
  local s = cache[key]
  if not s then
    s = cni.read_geojson(path, opts)
    cache[key] = s
  end
  return s
end

-- }=====

-- {===== projection and view

local GB = {-9.0, 49.0, 3.0, 61.0}

--- Projection chosen for a lon/lat box: British National Grid inside Great
--- Britain and its waters, else equirectangular at the box's middle latitude.
function M.auto_projection(bbox)
  if bbox[1] >= GB[1] and bbox[3] <= GB[3] and bbox[2] >= GB[2] and bbox[4] <= GB[4] then
    return {proj = "bng"}
  end
  local mid = (bbox[2] + bbox[4]) / 2
  if mid > 85 then mid = 85 elseif mid < -85 then mid = -85 end
  return {proj = "equirect", lat0 = mid}
end

local function projection(opts, shapes)
  local p = opts.proj or "auto"
  if type(p) == "table" then return {proj = p.proj or p[1], lat0 = p.lat0} end
  if p == "auto" then return M.auto_projection(shapes:bbox()) end
  if p == "bng" then return {proj = "bng"} end
  if p == "equirect" then
    local b = shapes:bbox()
    return {proj = "equirect", lat0 = opts.lat0 or (b[2] + b[4]) / 2}
  end
  usage(string.format("unknown projection '%s' (expected 'auto', 'bng' or 'equirect')", tostring(p)))
end

-- Projected box {x0, y0, x1, y1} of a zoom spec.
local function zoom_extent(spec, shapes, outlines, proj)
  local codes, bbox, pad = nil, nil, 0.03
  if type(spec) == "string" then codes = {spec}
  elseif type(spec) == "table" then
    if spec.bbox then bbox = spec.bbox
    elseif spec.codes then codes = spec.codes
    elseif #spec > 0 then codes = spec
    else usage("zoom: expected {bbox = {lon0, lat0, lon1, lat1}}, {codes = {...}} or a list of codes") end
    pad = spec.pad or pad
  else
    usage("zoom: expected a code, a list of codes, {codes = ...} or {bbox = ...}")
  end
  local box
  if bbox then
    if type(bbox) ~= "table" or #bbox ~= 4 then usage("zoom.bbox must be {lon0, lat0, lon1, lat1}") end
    local x0, y0, x1, y1 = math.huge, math.huge, -math.huge, -math.huge
    for k = 0, 8 do
      for _, pt in ipairs({
        {bbox[1] + (bbox[3] - bbox[1]) * k / 8, bbox[2]}, {bbox[1] + (bbox[3] - bbox[1]) * k / 8, bbox[4]},
        {bbox[1], bbox[2] + (bbox[4] - bbox[2]) * k / 8}, {bbox[3], bbox[2] + (bbox[4] - bbox[2]) * k / 8},
      }) do
        local x, y = cni.geo_project(pt[1], pt[2], proj.proj, proj.lat0)
        if x < x0 then x0 = x end
        if x > x1 then x1 = x end
        if y < y0 then y0 = y end
        if y > y1 then y1 = y end
      end
    end
    box = {x0, y0, x1, y1}
  else
    local found = {}
    local layers = {shapes}
    for _, o in ipairs(outlines) do layers[#layers + 1] = o.shapes end
    for _, layer in ipairs(layers) do
      local b = layer:extent(proj, codes)
      if b then
        if not box then box = b else
          box = {math.min(box[1], b[1]), math.min(box[2], b[2]), math.max(box[3], b[3]), math.max(box[4], b[4])}
        end
      end
      for _, c in ipairs(codes) do if type(c) == "string" and layer:find(c) then found[c] = true end end
    end
    for _, c in ipairs(codes) do
      if type(c) == "string" and not found[c] then
        data_error(string.format("zoom: no area or outline has the code '%s'", c))
      end
    end
    if not box then data_error("zoom: the selection matches no area") end
  end
  local w, h = box[3] - box[1], box[4] - box[2]
  local m = math.max(w, h) * pad
  if m <= 0 then m = 100 end
  return {box[1] - m, box[2] - m, box[3] + m, box[4] + m}
end

-- }=====

-- {===== classification

-- Returns cls[i] (class key or "nodata") per area, the list of classes
-- (drawing order) and the value per area.
local function classify(opts, codes, lookup)
  local kind = opts.kind or "flag"
  local getv, keys, raw = value_source(opts.values, "values")
  if not getv then usage("'values' is required") end
  local getb
  if opts.base ~= nil then
    if kind ~= "change" then usage("'base' is only used with kind = \"change\"") end
    getb = value_source(opts.base, "base")
  end
  local n = #codes
  local cls, vals, groups = {}, {}, {}
  local reached = {}
  local matched = 0
  for i = 1, n do
    local key = codes[i]
    if lookup then key = lookup(key) end
    groups[i] = key
    local v
    if key ~= nil then
      v = getv(key)
      if is_missing(v) then v = nil end
      if getb then
        local b = getb(key)
        if is_missing(b) then b = nil end
        if v ~= nil or b ~= nil then
          reached[key] = true
          v = {v, b}
        end
      elseif v ~= nil or (raw and raw[key] ~= nil) then
        reached[key] = true
      end
    end
    if v ~= nil then matched = matched + 1 end
    vals[i] = v
  end
  local function flag(v, i, what)
    local f = M.flag_of(v)
    if f == nil and v ~= nil then
      data_error(string.format("area %s: %s '%s' is not a flag (true/false, 1/0, TRUE/FALSE, yes/no)",
        codes[i], what, tostring(v)))
    end
    return f
  end
  local classes
  if kind == "flag" then
    classes = M.categories.flag
    for i = 1, n do
      local f = flag(vals[i], i, "value")
      cls[i] = f == nil and "nodata" or (f and "flagged" or "not_flagged")
    end
  elseif kind == "change" then
    classes = M.categories.change
    local valid = {entering = true, leaving = true, both = true, neither = true}
    for i = 1, n do
      local v = vals[i]
      if type(v) == "table" then
        local now, base = flag(v[1], i, "value"), flag(v[2], i, "base value")
        if now == nil or base == nil then cls[i] = "nodata"
        elseif now and base then cls[i] = "both"
        elseif now then cls[i] = "entering"
        elseif base then cls[i] = "leaving"
        else cls[i] = "neither" end
      elseif v == nil then
        cls[i] = "nodata"
      elseif valid[v] then
        cls[i] = v
      else
        data_error(string.format("area %s: change value '%s' is not entering, leaving, both or neither (or give 'base' flags)",
          codes[i], tostring(v)))
      end
    end
  elseif kind == "continuous" then
    classes = nil
    for i = 1, n do
      local v = vals[i]
      if v ~= nil and type(v) ~= "number" then
        local x = tonumber(v)
        if not x then
          data_error(string.format("area %s: value '%s' is not a number (kind = \"continuous\")", codes[i], tostring(v)))
        end
        vals[i] = x
      end
      cls[i] = vals[i] == nil and "nodata" or "value"
    end
  else
    usage(string.format("unknown kind '%s' (expected 'flag', 'change' or 'continuous')", tostring(kind)))
  end
  -- coverage: results with no shape, shapes with no result
  local no_area, no_shape = {}, {}
  for i = 1, n do if vals[i] == nil then no_area[#no_area + 1] = codes[i] end end
  if keys then
    for _, k in ipairs(keys) do if not reached[k] then no_shape[#no_shape + 1] = k end end
  end
  local coverage = {matched = matched, no_area = no_area, no_shape = no_shape,
                    n_shapes = n, n_results = keys and #keys or nil}
  return cls, classes, vals, groups, coverage
end

-- }=====

-- {===== rendering

local ALLOWED = {
  shapes = true, values = true, base = true, kind = true, title = true, subtitle = true,
  legend = true, labels = true, outline = true, lookup = true, zoom = true, inset = true,
  width = true, proj = true, lat0 = true, tolerance = true, precision = true,
  palette = true, reverse = true, domain = true, steps = true, borders = true, note = true,
  hover = true, id = true, colours = true, outline_colour = true, outline_width = true,
  legend_width = true, skip = true, background = true,
}

-- The outline layers: a Shapes, a list of them, or {shapes =, colour =, width =}.
local function outline_layers(opts)
  local o = opts.outline
  if o == nil then return {} end
  local list = {}
  local function add(x)
    if is_shapes(x) then
      list[#list + 1] = {shapes = x, colour = opts.outline_colour or "#222222", width = opts.outline_width or 0.6}
    elseif type(x) == "table" and is_shapes(x.shapes) then
      list[#list + 1] = {shapes = x.shapes, colour = x.colour or opts.outline_colour or "#222222",
                         width = x.width or opts.outline_width or 0.6, label = x.label}
    else
      usage("outline: expected Shapes, {shapes = Shapes, colour =, width =} or a list of them")
    end
  end
  if is_shapes(o) or (type(o) == "table" and o.shapes) then add(o)
  elseif type(o) == "table" then for _, x in ipairs(o) do add(x) end
  else usage("outline: expected Shapes or a list of Shapes") end
  return list
end

-- Writes the area and outline layers of one view into buf.
-- view = {x0, y0, x1, y1 (projected), px, py, pw, ph (pixels), clip id}
local function draw_view(buf, st, view)
  local prec = view.prec
  local scale = view.pw / (view.x1 - view.x0) * prec
  local popts = {proj = st.proj.proj, lat0 = st.proj.lat0, x0 = view.x0, y1 = view.y1,
                 scale = scale, tol = st.tolerance * prec, w = view.pw * prec, h = view.ph * prec}
  local d, npts, drawn = st.shapes:paths(popts)
  st.points = st.points + npts
  buf[#buf + 1] = string.format('<g clip-path="url(#%s)"><g transform="translate(%s %s) scale(%s)" fill-rule="evenodd" stroke-linejoin="round">\n',
    view.clip, num(view.px), num(view.py), num(1 / prec, 6))
  -- areas, grouped by class
  local cls, names, codes = st.cls, st.names, st.codes
  local sw = num(st.border_width * prec)
  local by = {}
  local counts, seen = st.counts, {}
  for i = 1, #codes do
    if d[i] then
      local c = st.class_of(i)
      if not st.skip[c] then  -- skipped classes are counted, not drawn
        local l = by[c]
        if not l then l = {}; by[c] = l end
        l[#l + 1] = i
      end
      if counts then
        -- distinct result keys per class: areas, or groups through a lookup
        local key = cls[i] .. "\0" .. (st.groups[i] or codes[i])
        if not seen[key] then
          seen[key] = true
          counts[cls[i]] = (counts[cls[i]] or 0) + 1
        end
      end
    end
  end
  local hover = st.hover
  -- a filled background layer (e.g. districts in the colour of a skipped
  -- class), so that skipped areas still show as land
  if st.background then
    local bg = st.background
    local bd = bg.shapes:paths(popts)
    buf[#buf + 1] = string.format('<g class="background" fill="%s" stroke="%s" stroke-width="%s">\n',
      bg.colour or "#E4E4E4", bg.colour or "#E4E4E4", num(0.5 * prec))
    for i = 1, #bd do
      if bd[i] then buf[#buf + 1] = '<path d="' .. bd[i] .. '"/>\n' end
    end
    buf[#buf + 1] = '</g>\n'
  end
  buf[#buf + 1] = '<g class="areas">\n'
  for _, c in ipairs(st.draw_order) do
    local l = by[c.key]
    if l then
      local stroke
      if st.borders == "fill" then stroke = string.format(' stroke="%s" stroke-width="%s"', c.colour, sw)
      elseif st.borders then stroke = string.format(' stroke="%s" stroke-width="%s"', st.borders, sw)
      else stroke = "" end
      buf[#buf + 1] = string.format('<g class="%s" fill="%s"%s>\n', c.cssclass, c.fill or c.colour, stroke)
      for _, i in ipairs(l) do
        local label
        if hover then label = hover(codes[i], names[i], st.vals[i], c.label, st.groups[i])
        else
          local nm = names[i]
          label = (nm ~= nil and nm ~= "") and (nm .. " (" .. codes[i] .. ")") or codes[i]
        end
        buf[#buf + 1] = '<path d="'
        buf[#buf + 1] = d[i]
        buf[#buf + 1] = '"><title>'
        buf[#buf + 1] = esc(label)
        buf[#buf + 1] = '</title></path>\n'
      end
      buf[#buf + 1] = '</g>\n'
      st.drawn_classes[c.key] = true
    end
  end
  buf[#buf + 1] = '</g>\n'
  st.drawn = st.drawn + drawn
  -- outlines on top, no fill
  for _, o in ipairs(st.outlines) do
    popts.tol = st.tolerance * prec
    local od = o.shapes:paths(popts)
    local oc, on = o.shapes:code_list(), o.shapes:name_list()
    buf[#buf + 1] = string.format('<g class="outline" fill="none" stroke="%s" stroke-width="%s">\n',
      o.colour, num(o.width * prec))
    for i = 1, #oc do
      if od[i] then
        local nm = on[i]
        local label = (nm ~= "") and (nm .. " (" .. oc[i] .. ")") or oc[i]
        buf[#buf + 1] = '<path d="' .. od[i] .. '"><title>' .. esc(label) .. '</title></path>\n'
      end
    end
    buf[#buf + 1] = '</g>\n'
  end
  buf[#buf + 1] = '</g></g>\n'
end

--- Renders a map; returns the SVG text and an info table
--- {areas, drawn, points, bytes, width, height, proj, counts = {class = n},
---  coverage = {matched, no_area = {codes}, no_shape = {codes}}}.
--- See docs/maps.md for the options.
function M.render(opts)
  if type(opts) ~= "table" then usage("render: expected a table of options") end
  check_options(opts, ALLOWED, "render")
  local shapes = opts.shapes
  if type(shapes) == "string" then shapes = M.shapes(shapes) end
  if not is_shapes(shapes) then usage("'shapes' must be Shapes (cni.read_geojson) or a GeoJSON path") end
  local kind = opts.kind or "flag"
  local width = opts.width or 800
  if type(width) ~= "number" or width < 200 or width > 20000 then usage("'width' must be a number of pixels in 200..20000") end
  local id = opts.id or "cnimap"
  if type(id) ~= "string" or not id:match("^[%a_][%w_%-]*$") then usage("'id' must be an XML name (letters, digits, - and _)") end

  local codes, names = shapes:code_list(), shapes:name_list()
  local lookup = lookup_source(opts.lookup)
  local cls, classes, vals, groups, coverage = classify(opts, codes, lookup)

  -- classes to draw (in order) with colours
  local draw_order, legend_items = {}, {}
  local nodata = {key = "nodata", label = "No data", colour = "#999999",
                  fill = "url(#" .. id .. "-nodata)", cssclass = "nodata"}
  local labels = opts.labels or {}
  local colours = opts.colours or {}
  local class_of
  local counts = {}
  local cont -- continuous scale
  if classes then
    draw_order[1] = nodata
    for _, c in ipairs(classes) do
      local e = {key = c.key, label = labels[c.key] or c.label, colour = colours[c.key] or c.colour, cssclass = c.key}
      draw_order[#draw_order + 1] = e
    end
    class_of = function(i) return cls[i] end
  else
    local ramp = opts.palette or "viridis"
    if type(ramp) == "string" then
      if not M.ramps[ramp] then usage(string.format("unknown palette '%s' (viridis, cividis, magma or a list of colours)", ramp)) end
      ramp = M.ramps[ramp]
    end
    if opts.reverse then
      local r = {}
      for k = #ramp, 1, -1 do r[#r + 1] = ramp[k] end
      ramp = r
    end
    local lo, hi
    if opts.domain then lo, hi = opts.domain[1], opts.domain[2]
    else
      for i = 1, #codes do
        local v = vals[i]
        if cls[i] == "value" then
          if not lo or v < lo then lo = v end
          if not hi or v > hi then hi = v end
        end
      end
    end
    lo, hi = lo or 0, hi or 1
    if hi == lo then hi = lo + 1 end
    local steps = opts.steps or 32
    cont = {lo = lo, hi = hi, ramp = ramp, steps = steps}
    draw_order[1] = nodata
    for k = 1, steps do
      draw_order[#draw_order + 1] = {key = k, label = "", colour = M.ramp_colour(ramp, (k - 0.5) / steps),
                                     cssclass = "v" .. k}
    end
    class_of = function(i)
      if cls[i] ~= "value" then return "nodata" end
      local t = (vals[i] - lo) / (hi - lo)
      local k = math.floor(t * steps) + 1
      if k < 1 then k = 1 elseif k > steps then k = steps end
      return k
    end
  end
  -- projection and extent
  local proj = projection(opts, shapes)
  local outlines = outline_layers(opts)
  local ext
  if opts.zoom then ext = zoom_extent(opts.zoom, shapes, outlines, proj)
  else
    local b = shapes:extent(proj)
    if not b then b = {0, 0, 1, 1} end
    local m = math.max(b[3] - b[1], b[4] - b[2]) * 0.01
    ext = {b[1] - m, b[2] - m, b[3] + m, b[4] + m}
  end

  -- layout (pixels)
  local margin = 12
  local legend = opts.legend
  local legend_w = legend == false and 0 or (opts.legend_width or 210)
  local top = margin
  if opts.title then top = top + 26 end
  if opts.subtitle then top = top + 18 end
  if opts.title or opts.subtitle then top = top + 6 end
  local map_w = width - 2 * margin - (legend_w > 0 and legend_w + 10 or 0)
  if map_w < 100 then usage("'width' is too small for the legend") end
  local ew, eh = ext[3] - ext[1], ext[4] - ext[2]
  local map_h = math.floor(map_w * eh / ew + 0.5)
  local map_x, map_y = margin, top

  -- precision (SVG units per pixel): finer for maps with fewer areas
  local visible = shapes:count_in(proj, ext)
  local prec = opts.precision or (visible <= 3000 and 4 or visible <= 12000 and 2 or 1)
  local borders = opts.borders
  if borders == nil or borders == "auto" then
    borders = (visible > 3000 or lookup) and "fill" or "#FFFFFF"
  end
  local st = {
    shapes = shapes, proj = proj, tolerance = opts.tolerance or 0.5, cls = cls, vals = vals,
    names = names, codes = codes, groups = groups, class_of = class_of, draw_order = draw_order,
    outlines = outlines, borders = borders, border_width = visible > 3000 and 0.35 or 0.5,
    hover = opts.hover, points = 0, drawn = 0, drawn_classes = {}, counts = counts,
    skip = opts.skip or {}, background = opts.background,
  }

  local buf = {}
  local body = {}
  -- main view
  draw_view(body, st, {x0 = ext[1], y0 = ext[2], x1 = ext[3], y1 = ext[4], px = map_x, py = map_y,
                       pw = map_w, ph = map_h, prec = prec, clip = id .. "-clip"})
  st.counts = nil   -- the legend counts the areas of the main view only
  -- inset
  local inset_defs = ""
  if opts.inset then
    local spec = opts.inset
    local iext = zoom_extent(spec.zoom or spec, shapes, outlines, proj)
    local frac = type(spec) == "table" and spec.size or 0.33
    local iw = math.floor(map_w * frac + 0.5)
    local ih = math.floor(iw * (iext[4] - iext[2]) / (iext[3] - iext[1]) + 0.5)
    if ih > map_h * 0.6 then
      ih = math.floor(map_h * 0.6 + 0.5)
      iw = math.floor(ih * (iext[3] - iext[1]) / (iext[4] - iext[2]) + 0.5)
    end
    local corner = type(spec) == "table" and spec.corner or "tr"
    local ix = corner:find("l") and map_x + 4 or map_x + map_w - iw - 4
    local iy = corner:find("b") and map_y + map_h - ih - 4 or map_y + 4
    local ivis = shapes:count_in(proj, iext)
    local iprec = ivis <= 3000 and 4 or ivis <= 12000 and 2 or 1
    inset_defs = string.format('<clipPath id="%s-inset-clip"><rect x="%s" y="%s" width="%s" height="%s"/></clipPath>\n',
      id, num(ix), num(iy), num(iw), num(ih))
    body[#body + 1] = string.format('<g class="inset"><rect x="%s" y="%s" width="%s" height="%s" fill="#FFFFFF" stroke="#444444" stroke-width="1"/>\n',
      num(ix), num(iy), num(iw), num(ih))
    draw_view(body, st, {x0 = iext[1], y0 = iext[2], x1 = iext[3], y1 = iext[4], px = ix, py = iy,
                         pw = iw, ph = ih, prec = iprec, clip = id .. "-inset-clip"})
    local ititle = type(spec) == "table" and spec.title
    if ititle then
      body[#body + 1] = string.format('<rect x="%s" y="%s" width="%s" height="16" fill="#FFFFFF" fill-opacity="0.85"/>'
        .. '<text x="%s" y="%s" font-size="11" font-weight="bold">%s</text>\n',
        num(ix + 1), num(iy + 1), num(#ititle * 7 + 6), num(ix + 4), num(iy + 13), esc(ititle))
    end
    body[#body + 1] = string.format('<rect x="%s" y="%s" width="%s" height="%s" fill="none" stroke="#444444" stroke-width="1"/></g>\n',
      num(ix), num(iy), num(iw), num(ih))
  end

  -- legend
  local lg = {}
  local legend_h = 0
  if legend_w > 0 then
    local lx, ly = map_x + map_w + 10, map_y
    local ltitle = type(legend) == "string" and legend or (type(legend) == "table" and legend.title) or
      (kind == "flag" and "Flagged areas" or kind == "change" and "Against the base" or "Value")
    lg[#lg + 1] = string.format('<g class="legend" transform="translate(%s %s)">\n', num(lx), num(ly))
    lg[#lg + 1] = string.format('<text x="0" y="12" font-size="13" font-weight="bold">%s</text>\n', esc(ltitle))
    local y = 24
    local function swatch(fill, label)
      lg[#lg + 1] = string.format('<rect x="0" y="%s" width="16" height="12" fill="%s" stroke="#666666" stroke-width="0.5"/>'
        .. '<text x="22" y="%s" font-size="11">%s</text>\n', num(y), fill, num(y + 10), esc(label))
      y = y + 18
    end
    if classes then
      for k = #draw_order, 2, -1 do   -- emphasised classes first
        local c = draw_order[k]
        swatch(c.colour, string.format("%s (%d)", c.label, counts[c.key] or 0))
      end
    else
      local bar_h = 200
      local gid = id .. "-ramp"
      lg[#lg + 1] = string.format('<rect x="0" y="%s" width="16" height="%s" fill="url(#%s)" stroke="#666666" stroke-width="0.5"/>\n',
        num(y), num(bar_h), gid)
      local ticks, dec = M.ticks(cont.lo, cont.hi, 5)
      for _, t in ipairs(ticks) do
        local ty = y + bar_h * (1 - (t - cont.lo) / (cont.hi - cont.lo))
        lg[#lg + 1] = string.format('<line x1="16" y1="%s" x2="21" y2="%s" stroke="#333333" stroke-width="1"/>'
          .. '<text x="24" y="%s" font-size="11">%s</text>\n', num(ty), num(ty), num(ty + 4),
          esc(string.format("%." .. dec .. "f", t)))
      end
      y = y + bar_h + 12
      if type(legend) == "table" and legend.low then
        lg[#lg + 1] = string.format('<text x="0" y="%s" font-size="10">%s</text>\n', num(y), esc("Low: " .. legend.low))
        y = y + 14
      end
      if type(legend) == "table" and legend.high then
        lg[#lg + 1] = string.format('<text x="0" y="%s" font-size="10">%s</text>\n', num(y), esc("High: " .. legend.high))
        y = y + 14
      end
      y = y + 4
    end
    if (counts.nodata or 0) > 0 then
      swatch("url(#" .. id .. "-nodata)", string.format("%s (%d)", labels.nodata or "No data", counts.nodata))
    end
    for _, o in ipairs(outlines) do
      lg[#lg + 1] = string.format('<line x1="0" y1="%s" x2="16" y2="%s" stroke="%s" stroke-width="%s"/>'
        .. '<text x="22" y="%s" font-size="11">%s</text>\n', num(y + 6), num(y + 6), o.colour,
        num(o.width * 1.5), num(y + 10), esc(o.label or "Boundaries"))
      y = y + 18
    end
    lg[#lg + 1] = '</g>\n'
    legend_h = y
  end

  local note = opts.note
  local foot = note and 18 or 0
  local height = math.floor(map_y + math.max(map_h, legend_h) + foot + margin + 0.5)

  -- assemble
  buf[#buf + 1] = string.format('<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" '
    .. 'font-family="Helvetica, Arial, sans-serif" role="img" aria-labelledby="%s-title">\n',
    width, height, width, height, id)
  buf[#buf + 1] = string.format('<title id="%s-title">%s</title>\n', id, esc(opts.title or "Map"))
  buf[#buf + 1] = '<defs>\n'
  buf[#buf + 1] = string.format('<pattern id="%s-nodata" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
    .. '<rect width="6" height="6" fill="%s"/><line x1="0" y1="0" x2="0" y2="6" stroke="#999999" stroke-width="2"/></pattern>\n',
    id, NO_DATA_FILL)
  buf[#buf + 1] = string.format('<clipPath id="%s-clip"><rect x="%s" y="%s" width="%s" height="%s"/></clipPath>\n',
    id, num(map_x), num(map_y), num(map_w), num(map_h))
  buf[#buf + 1] = inset_defs
  if cont then
    buf[#buf + 1] = string.format('<linearGradient id="%s-ramp" x1="0" y1="1" x2="0" y2="0">', id)
    for k, c in ipairs(cont.ramp) do
      buf[#buf + 1] = string.format('<stop offset="%s" stop-color="%s"/>', num((k - 1) / (#cont.ramp - 1), 4), c)
    end
    buf[#buf + 1] = '</linearGradient>\n'
  end
  buf[#buf + 1] = '</defs>\n'
  buf[#buf + 1] = string.format('<rect width="%d" height="%d" fill="#FFFFFF"/>\n', width, height)
  if opts.title then
    buf[#buf + 1] = string.format('<text x="%d" y="%d" font-size="18" font-weight="bold">%s</text>\n',
      margin, margin + 18, esc(opts.title))
  end
  if opts.subtitle then
    buf[#buf + 1] = string.format('<text x="%d" y="%d" font-size="12" fill="#333333">%s</text>\n',
      margin, margin + (opts.title and 26 or 0) + 14, esc(opts.subtitle))
  end
  for _, s in ipairs(body) do buf[#buf + 1] = s end
  for _, s in ipairs(lg) do buf[#buf + 1] = s end
  if note then
    buf[#buf + 1] = string.format('<text x="%d" y="%d" font-size="10" fill="#444444">%s</text>\n',
      margin, height - margin, esc(note))
  end
  buf[#buf + 1] = '</svg>\n'
  local svg = table.concat(buf)
  local info = {
    areas = #codes, drawn = st.drawn, points = st.points, bytes = #svg, width = width, height = height,
    proj = proj.proj, lat0 = proj.lat0, precision = prec, counts = counts, coverage = coverage,
    kind = kind, domain = cont and {cont.lo, cont.hi} or nil,
  }
  return svg, info
end

--- Writes an SVG atomically (temporary file, then rename).
function M.write(path, svg)
  if type(path) ~= "string" or type(svg) ~= "string" then usage("write(path, svg): expected two strings") end
  cni.write_text(path, svg)
  return path
end

--- Renders and writes in one step; returns the info table (and the path).
function M.file(path, opts)
  local svg, info = M.render(opts)
  M.write(path, svg)
  return info, path
end

--- The map kinds, for front ends that check a --kind argument.
M.kinds = {"flag", "change", "continuous"}

--- Coverage of a join of shapes to results by code (C core):
--- {matched, n_keys, n_shapes, no_shape = {codes}, no_area = {codes}}.
function M.coverage(shapes, keys, column)
  return shapes:coverage(keys, column)
end

-- }=====

return M
