-- cni.profile: how do the flagged areas differ from other deprived areas
-- and from all areas? Population-weighted (or unweighted) means and medians
-- of outcome columns for three groups, the gap ratios, a console table, and
-- an SVG chart (grouped bars, one panel per outcome).
local core = require "cni.core"
local S = require "cni.spec"

local M = {}

local GROUPS = {"flagged", "other_deprived", "all"}
M.groups = GROUPS

local function fmt(x, d)
  if x == nil or x ~= x then return "NA" end
  return core.format_number(x, d or 4)
end

-- weighted mean of x over rows where mask is true (missing x or w skipped)
local function wmean(x, w, mask)
  local xv = core.where(mask, x, 0 / 0)
  if w then
    local ok = xv:isna():eq(false) & w:isna():eq(false) & mask
    local num = core.where(ok, xv * w, 0):sum()
    local den = core.where(ok, w, 0):sum()
    return den > 0 and num / den or 0 / 0, ok:count(true)
  end
  local ok = xv:isna():eq(false)
  local cnt = ok:count(true)
  return cnt > 0 and core.where(ok, xv, 0):sum() / cnt or 0 / 0, cnt
end

local function wmedian(x, w, mask)
  local xv = core.where(mask, x, 0 / 0)
  if w then
    local ww = core.where(mask, w, 0 / 0)
    local ok = xv:isna():eq(false) & ww:isna():eq(false)
    if ok:count(true) == 0 then return 0 / 0 end
    return xv:quantile(0.5, {weights = core.where(ok, ww, 0 / 0)})
  end
  return xv:median()
end

--- Profiles outcomes for three groups.
-- o = {
--   flag = boolean column (the flagged areas),
--   deprived = boolean column (the deprived areas; 'other deprived' =
--              deprived and not flagged),
--   weights = numeric column or nil (population weights),
--   outcomes = list of {name = "...", column = Column, label = "...",
--              unit = "...", higher = "better"|"worse"},
-- }
-- Returns {rows = {...}, counts = {...}, weighted = bool}.
function M.profile(o)
  if type(o) ~= "table" then S.fail("profile", "expected a table of options") end
  for _, k in ipairs{"flag", "deprived"} do
    if not (type(o[k]) == "userdata" and o[k].type and o[k]:type() == "boolean") then
      S.fail("profile." .. k, "expected a boolean column")
    end
  end
  if type(o.outcomes) ~= "table" or #o.outcomes == 0 then
    S.fail("profile.outcomes", "expected a list of outcomes {name =, column =}")
  end
  local flag = o.flag:fill(false)
  local dep = o.deprived:fill(false)
  local n = #flag
  local masks = {flagged = flag, other_deprived = dep & ~flag, all = core.fill(n, true)}
  local res = {rows = {}, counts = {}, weighted = o.weights ~= nil}
  for _, g in ipairs(GROUPS) do
    res.counts[g] = masks[g]:count(true)
    if o.weights then res.counts[g .. "_population"] = core.where(masks[g], o.weights, 0):sum() end
  end
  for i, oc in ipairs(o.outcomes) do
    local p = "profile.outcomes[" .. i .. "]"
    if type(oc.name) ~= "string" then S.fail(p .. ".name", "expected a string") end
    if not (type(oc.column) == "userdata" and oc.column.type and oc.column:type() == "number") then
      S.fail(p .. ".column", "expected a numeric column")
    end
    if #oc.column ~= n then S.fail(p .. ".column", "has %d rows, the flags %d", #oc.column, n) end
    local row = {name = oc.name, label = oc.label or oc.name, unit = oc.unit, higher = oc.higher}
    for _, g in ipairs(GROUPS) do
      row["mean_" .. g] = wmean(oc.column, o.weights, masks[g])
      row["median_" .. g] = wmedian(oc.column, o.weights, masks[g])
    end
    row.ratio_flagged_other = row.mean_flagged / row.mean_other_deprived
    row.ratio_flagged_all = row.mean_flagged / row.mean_all
    res.rows[i] = row
  end
  return res
end

--- Console table (like the briefing's Figure 5).
function M.text(res, title)
  local lines = {}
  local function add(...) lines[#lines + 1] = string.format(...) end
  if title then add("%s", title) end
  add("%s means of %d flagged, %d other deprived and %d areas in all",
    res.weighted and "population-weighted" or "unweighted",
    res.counts.flagged, res.counts.other_deprived, res.counts.all)
  add("%-42s %12s %12s %12s %9s %9s", "outcome", "flagged", "other dep.", "all", "flag/oth", "flag/all")
  for _, r in ipairs(res.rows) do
    add("%-42s %12s %12s %12s %9s %9s", (r.label .. (r.unit and (" (" .. r.unit .. ")") or "")):sub(1, 42),
      fmt(r.mean_flagged), fmt(r.mean_other_deprived), fmt(r.mean_all),
      fmt(r.ratio_flagged_other, 3), fmt(r.ratio_flagged_all, 3))
  end
  return table.concat(lines, "\n")
end

--- The profile as a cni.Table (one row per outcome).
function M.table(res)
  local cols = {"name", "label", "mean_flagged", "mean_other_deprived", "mean_all",
    "median_flagged", "median_other_deprived", "median_all", "ratio_flagged_other", "ratio_flagged_all"}
  local spec = {}
  for i, c in ipairs(cols) do
    local v = {}
    for j, r in ipairs(res.rows) do v[j] = r[c] end
    spec[i] = {c, core.column(v, (c == "name" or c == "label") and "string" or "number")}
  end
  return core.table(spec)
end

-- {===== SVG

local function esc(s)
  return (tostring(s):gsub("&", "&amp;"):gsub("<", "&lt;"):gsub(">", "&gt;"):gsub('"', "&quot;"))
end

-- Okabe-Ito colours (colour-blind safe): flagged, other deprived, all.
M.colours = {flagged = "#D55E00", other_deprived = "#0072B2", all = "#999999"}
M.labels = {flagged = "Left behind (flagged)", other_deprived = "Other deprived areas", all = "All areas"}

local function num(x) return core.format_number(x, 6) end

--- Grouped bar chart: one panel per outcome, three bars each.
function M.svg(res, o)
  o = o or {}
  local labels = o.labels or M.labels
  local cols = 3
  local pw, ph = 250, 190
  local rows = math.ceil(#res.rows / cols)
  local W = cols * pw + 20
  local top = 70
  local H = top + rows * ph + 20
  local out = {}
  local function add(s) out[#out + 1] = s end
  add(string.format('<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" ' ..
    'font-family="Helvetica, Arial, sans-serif" role="img">', W, H, W, H))
  add(string.format('<title>%s</title>', esc(o.title or "Profile of flagged areas")))
  add('<rect width="100%" height="100%" fill="#ffffff"/>')
  add(string.format('<text x="10" y="22" font-size="16" font-weight="bold">%s</text>',
    esc(o.title or "Profile of flagged areas")))
  if o.subtitle then add(string.format('<text x="10" y="40" font-size="12" fill="#444">%s</text>', esc(o.subtitle))) end
  -- legend
  local lx = 10
  for _, g in ipairs(GROUPS) do
    add(string.format('<rect x="%d" y="50" width="12" height="12" fill="%s"/>', lx, M.colours[g]))
    local txt = string.format("%s (%d)", labels[g], res.counts[g])
    add(string.format('<text x="%d" y="60" font-size="12">%s</text>', lx + 16, esc(txt)))
    lx = lx + 24 + 7 * #txt
  end
  for i, r in ipairs(res.rows) do
    local cx = 10 + ((i - 1) % cols) * pw
    local cy = top + ((i - 1) // cols) * ph
    add(string.format('<g class="panel" transform="translate(%d,%d)">', cx, cy))
    add(string.format('<text x="0" y="14" font-size="12" font-weight="bold">%s</text>', esc(r.label:sub(1, 38))))
    if r.unit then add(string.format('<text x="0" y="28" font-size="10" fill="#555">%s</text>', esc(r.unit))) end
    local vmax = 0
    for _, g in ipairs(GROUPS) do
      local v = r["mean_" .. g]
      if v == v and math.abs(v) > vmax then vmax = math.abs(v) end
    end
    if vmax == 0 then vmax = 1 end
    local base, height, bw = 160, 118, 50
    add(string.format('<line x1="0" y1="%d" x2="%d" y2="%d" stroke="#333" stroke-width="1"/>', base, pw - 30, base))
    for j, g in ipairs(GROUPS) do
      local v = r["mean_" .. g]
      local h = (v == v) and math.abs(v) / vmax * height or 0
      local x = 10 + (j - 1) * (bw + 20)
      add(string.format('<rect class="bar" x="%d" y="%s" width="%d" height="%s" fill="%s"><title>%s: %s</title></rect>',
        x, num(base - h), bw, num(h), M.colours[g], esc(labels[g]), esc(fmt(v))))
      add(string.format('<text x="%d" y="%s" font-size="11" text-anchor="middle">%s</text>', x + bw // 2,
        num(base - h - 4), esc(fmt(v, 3))))
    end
    add('</g>')
  end
  add('</svg>')
  return table.concat(out, "\n") .. "\n"
end

-- }=====

--- Profile of a build result: outcomes are columns of the unit input
-- (joined by key) or of the result table; 'deprived' is the top share of
-- the rule's deprivation index (default: the main rule's dep and dep_top).
function M.of_result(r, o)
  o = o or {}
  local t = r.table
  local spec = r.spec
  local rule = r.flag_rule and spec.rules and spec.rules[r.flag_rule]
  local dep = o.dep or (type(rule) == "table" and rule.dep)
  local dep_top = o.dep_top or (type(rule) == "table" and rule.dep_top) or 0.10
  if not dep then S.fail("profile", "no deprivation index: give dep = '<geography name>'") end
  local drank = t:col(dep .. "_rank")
  local deprived = drank:le(math.floor(dep_top * drank:count() + 1e-9))
  local src = o.data
  local outcomes = {}
  for i, oc in ipairs(o.outcomes or {}) do
    local col
    if type(oc.column) == "string" then
      if t:has(oc.column) then col = t:col(oc.column)
      elseif src and src:has(oc.column) then
        local j = t:select{r.columns.key}:join(src:select{r.columns.key, oc.column}, {on = r.columns.key})
        col = j:col(oc.column)
      else
        S.fail("profile.outcomes[" .. i .. "].column", "no column '%s'%s", oc.column,
          S.hint(oc.column, src and src:names() or t:names()))
      end
    else
      col = oc.column
    end
    outcomes[i] = {name = oc.name or oc.column, column = col, label = oc.label, unit = oc.unit, higher = oc.higher}
  end
  local weights = o.weights
  if weights == nil and r.columns.population then weights = t:col(r.columns.population) end
  if weights == false then weights = nil end
  return M.profile{flag = t:col(r.flag), deprived = deprived, weights = weights, outcomes = outcomes}
end

return M
