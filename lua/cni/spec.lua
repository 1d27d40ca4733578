-- cni.spec: index specifications as plain Lua tables: validation with
-- errors that name the path, deep-merging variants, differences between
-- specs, canonical (sorted) serialisation.
--
-- A spec describes one index over one unit of geography (wards, LSOAs, ...)
-- and the rules that flag areas; docs/spec.md documents every key.
local M = {}

-- {===== errors

local function raise(kind, msg)
  error(setmetatable({kind = kind, msg = msg}, {__tostring = function(e) return e.msg end}), 0)
end
M.raise = raise

--- Raises a spec error "path: message".
function M.fail(path, fmt, ...)
  local msg = select("#", ...) > 0 and string.format(fmt, ...) or fmt
  raise("spec", (path ~= "" and (path .. ": ") or "") .. msg)
end

-- Levenshtein distance (case-insensitive) for "did you mean" hints.
local function distance(a, b)
  a, b = a:lower(), b:lower()
  local prev, cur = {}, {}
  for j = 0, #b do prev[j] = j end
  for i = 1, #a do
    cur[0] = i
    for j = 1, #b do
      local cost = a:sub(i, i) == b:sub(j, j) and 0 or 1
      cur[j] = math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
    end
    prev, cur = cur, prev
  end
  return prev[#b]
end

--- The closest of a list of candidate names, or nil.
function M.closest(name, candidates)
  local best, bd = nil, math.huge
  local limit = math.max(2, #name // 3)
  for _, c in ipairs(candidates) do
    local d = distance(name, c)
    if d < bd or (d == bd and best and c < best) then best, bd = c, d end
  end
  if bd <= limit then return best end
  return nil
end

function M.hint(name, candidates)
  local c = M.closest(name, candidates)
  return c and string.format(" (did you mean '%s'?)", c) or ""
end

-- }=====

-- {===== small helpers

--- Byte-order comparison of strings. Lua's '<' on strings follows the C
-- locale's collation (strcoll), which a script may change with
-- os.setlocale: outputs are ordered with this instead, so they never
-- depend on the locale.
local function bytes_lt(a, b)
  local n = math.min(#a, #b)
  for i = 1, n do
    local x, y = a:byte(i), b:byte(i)
    if x ~= y then return x < y end
  end
  return #a < #b
end
local function native_lt(a, b) return a < b end

--- The byte-order comparison to use now: Lua's own '<' when the collation
-- is the C locale's (the usual case: fast), else a byte-by-byte one.
function M.str_order()
  local c = os.setlocale(nil, "collate")
  if c == "C" or c == "POSIX" then return native_lt end
  return bytes_lt
end

function M.str_lt(a, b)
  return M.str_order()(a, b)
end
local str_lt = M.str_lt

--- Keys of a table, sorted (numbers before strings; strings in byte order).
function M.sorted_keys(t)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  local lt = M.str_order()
  table.sort(keys, function(a, b)
    local ta, tb = type(a), type(b)
    if ta ~= tb then return ta < tb end
    if ta == "string" then return lt(a, b) end
    return a < b
  end)
  return keys
end

local function is_array(t)
  if type(t) ~= "table" then return false end
  local n = #t
  local count = 0
  for _ in pairs(t) do count = count + 1 end
  return count == n and n > 0
end
M.is_array = is_array

--- Deep copy of plain tables (functions and userdata shared).
function M.copy(v)
  if type(v) ~= "table" or getmetatable(v) then return v end
  local r = {}
  for k, x in pairs(v) do r[k] = M.copy(x) end
  return r
end

-- A sentinel that removes a key in a variant: domains = { civic = cni.drop }.
M.drop = setmetatable({}, {__name = "cni.drop", __tostring = function() return "cni.drop" end})

--- Deep merge: maps merge key by key, arrays and scalars are replaced,
-- M.drop removes the key.
function M.merge(base, changes)
  local r = M.copy(base)
  for _, k in ipairs(M.sorted_keys(changes)) do
    local v = changes[k]
    if v == M.drop then
      r[k] = nil
    elseif type(v) == "table" and not getmetatable(v) and type(r[k]) == "table"
        and not getmetatable(r[k]) and not is_array(v) and not is_array(r[k]) then
      r[k] = M.merge(r[k], v)
    else
      r[k] = M.copy(v)
    end
  end
  return r
end

-- }=====

-- {===== canonical text (for hashing, diffs and the JSON summary)

local function fmt_scalar(v)
  local t = type(v)
  if t == "string" then return string.format("%q", v) end
  if t == "number" then
    if math.type(v) == "integer" then return tostring(v) end
    return require("cni.core").format_number(v, 0)  -- shortest exact
  end
  if t == "boolean" or t == "nil" then return tostring(v) end
  if t == "function" then return "<function>" end
  return "<" .. t .. ">"
end

--- Canonical one-line text of a value: keys sorted, numbers fixed.
function M.canonical(v)
  if type(v) ~= "table" or getmetatable(v) then return fmt_scalar(v) end
  local parts = {}
  if is_array(v) then
    for i = 1, #v do parts[i] = M.canonical(v[i]) end
    return "[" .. table.concat(parts, ",") .. "]"
  end
  for _, k in ipairs(M.sorted_keys(v)) do
    if k ~= "extends" then parts[#parts + 1] = tostring(k) .. "=" .. M.canonical(v[k]) end
  end
  return "{" .. table.concat(parts, ",") .. "}"
end

--- Plain data for JSON output: functions become "<function>", keys as is.
function M.to_data(v)
  if type(v) == "function" then return "<function>" end
  if type(v) ~= "table" or getmetatable(v) then return v end
  local r = {}
  for k, x in pairs(v) do
    if k ~= "extends" then r[k] = M.to_data(x) end
  end
  return r
end

--- Differences between two specs: list of {path =, old =, new =}, sorted by
-- path. Arrays compare as wholes.
function M.diff(a, b, path, out)
  out = out or {}
  path = path or ""
  local function rec(x, y, p)
    if type(x) == "table" and type(y) == "table" and not is_array(x) and not is_array(y)
        and not getmetatable(x) and not getmetatable(y) then
      local keys, seen = {}, {}
      for _, k in ipairs(M.sorted_keys(x)) do keys[#keys + 1] = k; seen[k] = true end
      for _, k in ipairs(M.sorted_keys(y)) do if not seen[k] then keys[#keys + 1] = k end end
      table.sort(keys, function(u, v) return str_lt(tostring(u), tostring(v)) end)
      for _, k in ipairs(keys) do
        if k ~= "extends" and k ~= "name" and k ~= "description" then
          rec(x[k], y[k], p == "" and tostring(k) or (p .. "." .. tostring(k)))
        end
      end
    elseif M.canonical(x) ~= M.canonical(y) then
      out[#out + 1] = {path = p, old = x, new = y}
    end
  end
  rec(a, b, path)
  return out
end

--- Text of a diff, one line per change: "path: old -> new".
function M.diff_text(d)
  local lines = {}
  for _, c in ipairs(d) do
    local function show(v) return v == nil and "(absent)" or M.canonical(v) end
    lines[#lines + 1] = string.format("%s: %s -> %s", c.path, show(c.old), show(c.new))
  end
  return table.concat(lines, "\n")
end

-- }=====

-- {===== validation

local transforms_known = {"log", "log1p", "winsorise", "normal_scores", "rank", "zscore",
  "minmax", "flip", "shrink", "distance", "fill"}
local domain_transforms = {"exp", "normal", "rank", "none"}
local index_combines = {"sum", "mean", "geomean", "borda"}
local domain_combines = {"mean", "sum", "geomean"}
local measures = {"avg_score", "avg_rank", "extent", "local_conc", "prop_d1", "mean", "wmean",
  "sum", "median", "min", "max"}
local rule_kinds = {"two_index", "k_of_n", "top", "custom"}

local function check_type(path, v, want, optional)
  if v == nil then
    if optional then return false end
    M.fail(path, "missing (expected %s %s)", want:match("^[aeiou]") and "an" or "a", want)
  end
  local t = type(v)
  if want == "integer" then
    if math.type(v) ~= "integer" then M.fail(path, "expected an integer, got %s", t == "number" and tostring(v) or t) end
  elseif want == "list" then
    if t ~= "table" or (next(v) ~= nil and not is_array(v)) then M.fail(path, "expected a list, got %s", t) end
  elseif want == "map" then
    if t ~= "table" or is_array(v) then M.fail(path, "expected a table of named entries, got %s", is_array(v) and "a list" or t) end
  elseif t ~= want then
    M.fail(path, "expected a %s, got %s", want, t)
  end
  return true
end

local function check_keys(path, t, allowed)
  for _, k in ipairs(M.sorted_keys(t)) do
    local ok = false
    for _, a in ipairs(allowed) do if a == k then ok = true break end end
    if not ok then
      local names = {}
      for _, a in ipairs(allowed) do if type(a) == "string" then names[#names + 1] = a end end
      M.fail(path == "" and tostring(k) or (path .. "." .. tostring(k)),
        "unknown key%s", type(k) == "string" and M.hint(k, names) or "")
    end
  end
end

local function check_enum(path, v, values)
  for _, x in ipairs(values) do if x == v then return end end
  M.fail(path, "unknown value '%s'%s (one of: %s)", tostring(v), M.hint(tostring(v), values),
    table.concat(values, ", "))
end

local function check_share(path, v)
  check_type(path, v, "number")
  if not (v > 0 and v <= 1) then M.fail(path, "must be a share in (0, 1], got %s", tostring(v)) end
end

local function check_weight(path, v)
  check_type(path, v, "number")
  if v ~= v or v < 0 or v == math.huge then M.fail(path, "weights must be finite and >= 0, got %s", tostring(v)) end
end

local function check_transform(path, tr)
  local name = tr
  if type(tr) == "table" then
    name = tr[1]
    if type(name) ~= "string" then M.fail(path, "a transform is a name or {name, options...}") end
  elseif type(tr) ~= "string" then
    M.fail(path, "a transform is a name or {name, options...}, got %s", type(tr))
  end
  check_enum(path, name, transforms_known)
  if type(tr) ~= "table" and name == "winsorise" then
    M.fail(path, "winsorise needs exactly one of q = {low, high} or sd = k: write {\"winsorise\", q = {0.01, 0.99}}")
  end
  if name == "fill" and (type(tr) ~= "table" or type(tr.value) ~= "number") then
    M.fail(path, "fill needs value = a number for missing values: write {\"fill\", value = 0}")
  end
  if type(tr) ~= "table" and name == "shrink" then
    M.fail(path, "shrink needs parent = a column of the parent area: write {\"shrink\", parent = \"la_code\"}")
  end
  if type(tr) == "table" then
    local allowed = ({winsorise = {1, "q", "sd"}, minmax = {1, "lo", "hi"}, zscore = {1, "sample"},
      normal_scores = {1, "offset"}, rank = {1, "ties"}, distance = {1, "ref", "relative"},
      shrink = {1, "parent", "denominator", "tau"}, fill = {1, "value"}})[name] or {1}
    check_keys(path, tr, allowed)
    if name == "winsorise" and (tr.q == nil) == (tr.sd == nil) then
      M.fail(path, "winsorise needs exactly one of q = {low, high} or sd = k")
    end
  end
end

--- Validates a spec; raises a spec error naming the first problem's path.
-- Columns are checked later against the loaded data (check_columns).
function M.validate(s)
  check_type("spec", s, "table")
  check_keys("", s, {"name", "description", "version", "inputs", "unit", "geography", "indicators",
    "domains", "domain_transform", "index", "deciles", "rules", "flag", "outputs", "extends",
    "uncertainty", "data_root", "profile", "synthetic", "reference", "map"})
  check_type("name", s.name, "string")
  check_type("description", s.description, "string", true)
  check_type("data_root", s.data_root, "string", true)

  -- inputs
  check_type("inputs", s.inputs, "map")
  local inputs = M.sorted_keys(s.inputs)
  -- the input named at 'key' must be one of s.inputs
  local function check_input(key, name)
    if not s.inputs[name] then M.fail(key, "no input named '%s'%s", name, M.hint(name, inputs)) end
  end
  for _, k in ipairs(inputs) do
    local p, inp = "inputs." .. k, s.inputs[k]
    check_type(p, inp, "table")
    check_keys(p, inp, {"file", "types", "na", "rename", "select", "key"})
    check_type(p .. ".file", inp.file, "string")
    check_type(p .. ".key", inp.key, "string", true)
  end

  -- unit
  check_type("unit", s.unit, "table")
  check_keys("unit", s.unit, {"input", "key", "name", "la", "region", "population", "label", "attach"})
  check_type("unit.input", s.unit.input, "string")
  check_input("unit.input", s.unit.input)
  check_type("unit.key", s.unit.key, "string")
  for _, k in ipairs{"name", "la", "region", "population", "label"} do
    check_type("unit." .. k, s.unit[k], "string", true)
  end
  if s.unit.attach ~= nil then
    check_type("unit.attach", s.unit.attach, "list")
    for i, a in ipairs(s.unit.attach) do
      local p = "unit.attach[" .. i .. "]"
      check_type(p, a, "table")
      check_keys(p, a, {"input", "key", "columns"})
      check_type(p .. ".input", a.input, "string")
      check_input(p .. ".input", a.input)
      check_type(p .. ".key", a.key, "string")
      check_type(p .. ".columns", a.columns, "list")
    end
  end

  -- geography: columns brought from finer areas
  local geo_names = {}
  if s.geography ~= nil then
    check_type("geography", s.geography, "map")
    for _, g in ipairs(M.sorted_keys(s.geography)) do
      local p, gd = "geography." .. g, s.geography[g]
      geo_names[#geo_names + 1] = g
      check_type(p, gd, "table")
      check_keys(p, gd, {"from", "key", "column", "index", "lookup", "population", "measure", "rank_column"})
      check_type(p .. ".from", gd.from, "string")
      check_input(p .. ".from", gd.from)
      check_type(p .. ".key", gd.key, "string")
      if (gd.column == nil) == (gd.index == nil) then
        M.fail(p, "give exactly one of 'column' (a score column of '%s') or 'index' (an index spec built on it)", gd.from)
      end
      check_type(p .. ".column", gd.column, "string", true)
      if gd.index ~= nil then
        check_type(p .. ".index", gd.index, "table")
        local ok, err = pcall(M.validate, gd.index)
        if not ok then
          local e = type(err) == "table" and err.msg or tostring(err)
          M.fail(p .. ".index", "%s", e)
        end
      end
      check_type(p .. ".lookup", gd.lookup, "table")
      check_keys(p .. ".lookup", gd.lookup, {"input", "from", "to"})
      for _, k in ipairs{"input", "from", "to"} do check_type(p .. ".lookup." .. k, gd.lookup[k], "string") end
      check_input(p .. ".lookup.input", gd.lookup.input)
      if gd.population ~= nil then
        check_type(p .. ".population", gd.population, "table")
        check_keys(p .. ".population", gd.population, {"input", "key", "column"})
        for _, k in ipairs{"input", "key", "column"} do check_type(p .. ".population." .. k, gd.population[k], "string") end
        check_input(p .. ".population.input", gd.population.input)
      end
      check_type(p .. ".measure", gd.measure, "string", true)
      if gd.measure then check_enum(p .. ".measure", gd.measure, measures) end
      check_type(p .. ".rank_column", gd.rank_column, "string", true)
      if gd.measure and gd.measure ~= "avg_score" and gd.measure ~= "mean" and gd.measure ~= "wmean"
          and gd.measure ~= "sum" and gd.measure ~= "median" and gd.measure ~= "min" and gd.measure ~= "max"
          and gd.index == nil and gd.rank_column == nil then
        M.fail(p .. ".measure", "'%s' needs national ranks: give 'rank_column' or build with 'index'", gd.measure)
      end
    end
  end

  -- indicators
  local ind_names = {}
  if s.indicators ~= nil then
    check_type("indicators", s.indicators, "map")
    for _, k in ipairs(M.sorted_keys(s.indicators)) do
      local p, ind = "indicators." .. k, s.indicators[k]
      ind_names[#ind_names + 1] = k
      check_type(p, ind, "table")
      check_keys(p, ind, {"column", "numerator", "denominator", "per", "direction", "transforms", "label",
        "unit", "enabled", "noise"})
      if ind.column == nil and ind.numerator == nil then
        M.fail(p, "give 'column', or 'numerator' and 'denominator'")
      end
      if ind.column ~= nil and ind.numerator ~= nil then M.fail(p, "give 'column' or 'numerator', not both") end
      check_type(p .. ".column", ind.column, "string", true)
      check_type(p .. ".numerator", ind.numerator, "string", true)
      if ind.numerator ~= nil then check_type(p .. ".denominator", ind.denominator, "string") end
      check_type(p .. ".per", ind.per, "number", true)
      if ind.direction ~= nil then check_enum(p .. ".direction", ind.direction, {"need", "good"}) end
      if ind.transforms ~= nil then
        check_type(p .. ".transforms", ind.transforms, "list")
        for i, tr in ipairs(ind.transforms) do check_transform(p .. ".transforms[" .. i .. "]", tr) end
      end
      check_type(p .. ".enabled", ind.enabled, "boolean", true)
    end
  end

  -- domains
  check_type("domains", s.domains, "map")
  local dom_names = M.sorted_keys(s.domains)
  if #dom_names == 0 then M.fail("domains", "at least one domain is needed") end
  for _, d in ipairs(dom_names) do
    local p, dom = "domains." .. d, s.domains[d]
    check_type(p, dom, "table")
    check_keys(p, dom, {"label", "indicators", "weights", "combine", "column", "as", "weight", "order",
      "enabled", "transform"})
    if (dom.column == nil) == (dom.indicators == nil) then
      M.fail(p, "give exactly one of 'column' (a domain score or rank) or 'indicators'")
    end
    check_type(p .. ".column", dom.column, "string", true)
    if dom.as ~= nil then check_enum(p .. ".as", dom.as, {"score", "rank"}) end
    if dom.indicators ~= nil then
      check_type(p .. ".indicators", dom.indicators, "list")
      if #dom.indicators == 0 then M.fail(p .. ".indicators", "empty list") end
      for i, name in ipairs(dom.indicators) do
        check_type(p .. ".indicators[" .. i .. "]", name, "string")
        if not (s.indicators and s.indicators[name]) then
          M.fail(p .. ".indicators[" .. i .. "]", "no indicator named '%s'%s", name, M.hint(name, ind_names))
        end
      end
      if dom.weights ~= nil and dom.weights ~= "equal" and dom.weights ~= "pca" then
        check_type(p .. ".weights", dom.weights, "map")
        for _, w in ipairs(M.sorted_keys(dom.weights)) do
          local found = false
          for _, name in ipairs(dom.indicators) do if name == w then found = true end end
          if not found then
            M.fail(p .. ".weights." .. w, "not an indicator of this domain%s", M.hint(w, dom.indicators))
          end
          check_weight(p .. ".weights." .. w, dom.weights[w])
        end
      end
      if dom.combine ~= nil then check_enum(p .. ".combine", dom.combine, domain_combines) end
    end
    if dom.weight ~= nil then check_weight(p .. ".weight", dom.weight) end
    check_type(p .. ".order", dom.order, "number", true)
    check_type(p .. ".enabled", dom.enabled, "boolean", true)
    if dom.transform ~= nil then check_enum(p .. ".transform", type(dom.transform) == "table" and dom.transform[1] or dom.transform, domain_transforms) end
  end

  -- domain transform
  if s.domain_transform ~= nil then
    local dt = s.domain_transform
    if type(dt) == "table" then
      check_keys("domain_transform", dt, {1, "c", "upper", "offset"})
      check_enum("domain_transform[1]", dt[1], domain_transforms)
      check_type("domain_transform.c", dt.c, "number", true)
      check_type("domain_transform.upper", dt.upper, "number", true)
    else
      check_enum("domain_transform", dt, domain_transforms)
    end
  end

  -- index
  if s.index ~= nil then
    check_type("index", s.index, "table")
    check_keys("index", s.index, {"combine", "weights", "weights_sum", "name", "ties"})
    if s.index.combine ~= nil then check_enum("index.combine", s.index.combine, index_combines) end
    if s.index.weights ~= nil then
      check_type("index.weights", s.index.weights, "map")
      for _, k in ipairs(M.sorted_keys(s.index.weights)) do
        if type(k) ~= "string" then M.fail("index.weights", "keys must be domain names, got %s", tostring(k)) end
        if not s.domains[k] then M.fail("index.weights." .. k, "no domain named '%s'%s", k, M.hint(k, dom_names)) end
        check_weight("index.weights." .. k, s.index.weights[k])
      end
    end
    if s.index.weights_sum ~= nil then
      check_type("index.weights_sum", s.index.weights_sum, "number")
      local total = 0
      for _, d in ipairs(dom_names) do
        local dom = s.domains[d]
        if dom.enabled ~= false then
          total = total + ((s.index.weights and s.index.weights[d]) or dom.weight or 1)
        end
      end
      if math.abs(total - s.index.weights_sum) > 1e-9 then
        M.fail("index.weights_sum", "the domain weights sum to %s, not %s as declared",
          require("cni.core").format_number(total, 10), tostring(s.index.weights_sum))
      end
    end
    check_type("index.name", s.index.name, "string", true)
    if s.index.ties ~= nil then check_enum("index.ties", s.index.ties, {"first", "average", "min"}) end
  end

  -- deciles
  if s.deciles ~= nil then
    check_type("deciles", s.deciles, "table")
    check_keys("deciles", s.deciles, {"by"})
    check_enum("deciles.by", s.deciles.by, {"count", "population"})
  end

  -- rules
  local rule_names = {}
  if s.rules ~= nil then
    check_type("rules", s.rules, "map")
    for _, r in ipairs(M.sorted_keys(s.rules)) do
      local p, rule = "rules." .. r, s.rules[r]
      rule_names[#rule_names + 1] = r
      if type(rule) == "function" then goto continue end
      check_type(p, rule, "table")
      check_keys(p, rule, {"rule", "index_top", "dep", "dep_top", "by", "k", "top", "domains", "fn", "label"})
      check_type(p .. ".rule", rule.rule, "string")
      check_enum(p .. ".rule", rule.rule, rule_kinds)
      if rule.by ~= nil then check_enum(p .. ".by", rule.by, {"count", "population"}) end
      if rule.rule == "two_index" then
        check_share(p .. ".index_top", rule.index_top)
        check_share(p .. ".dep_top", rule.dep_top)
        check_type(p .. ".dep", rule.dep, "string")
        if not (s.geography and s.geography[rule.dep]) then
          local cands = {}
          for _, g in ipairs(geo_names) do cands[#cands + 1] = g end
          M.fail(p .. ".dep", "no deprivation index named '%s'%s (define it under 'geography')",
            rule.dep, M.hint(rule.dep, cands))
        end
      elseif rule.rule == "top" then
        check_share(p .. ".top", rule.top)
      elseif rule.rule == "k_of_n" then
        if rule.dep ~= nil then
          check_type(p .. ".dep", rule.dep, "string")
          check_share(p .. ".dep_top", rule.dep_top)
          if not (s.geography and s.geography[rule.dep]) then
            M.fail(p .. ".dep", "no deprivation index named '%s'%s (define it under 'geography')",
              rule.dep, M.hint(rule.dep, geo_names))
          end
        end
        check_type(p .. ".k", rule.k, "integer")
        check_share(p .. ".top", rule.top)
        if rule.domains ~= nil then
          check_type(p .. ".domains", rule.domains, "list")
          if #rule.domains == 0 then M.fail(p .. ".domains", "empty list: name the domains to count") end
          for i, d in ipairs(rule.domains) do
            check_type(p .. ".domains[" .. i .. "]", d, "string")
            if not s.domains[d] then M.fail(p .. ".domains[" .. i .. "]", "no domain named '%s'%s", d, M.hint(d, dom_names)) end
          end
        end
        local n = rule.domains and #rule.domains or #dom_names
        if rule.k < 1 or rule.k > n then M.fail(p .. ".k", "must be between 1 and %d", n) end
      elseif rule.rule == "custom" then
        check_type(p .. ".fn", rule.fn, "function")
      end
      ::continue::
    end
  end
  if s.flag ~= nil then
    check_type("flag", s.flag, "string")
    if not (s.rules and s.rules[s.flag]) then
      M.fail("flag", "no rule named '%s'%s", s.flag, M.hint(s.flag, rule_names))
    end
  end
  if s.reference ~= nil then
    check_type("reference", s.reference, "table")
    check_keys("reference", s.reference, {"column", "label"})
    check_type("reference.column", s.reference.column, "string")
    check_type("reference.label", s.reference.label, "string", true)
  end
  if s.uncertainty ~= nil then
    local u, p = s.uncertainty, "uncertainty"
    check_type(p, u, "table")
    check_keys(p, u, {"draws", "seed", "threads", "weights", "thresholds", "transforms", "aggregation",
      "sobol", "borderline", "percentiles", "custom", "measures", "measure_of", "indicator_weights",
      "indicators", "noise"})
    check_type(p .. ".custom", u.custom, "function", true)
    if u.measures ~= nil then
      check_type(p .. ".measures", u.measures, "list")
      for i, m in ipairs(u.measures) do check_enum(p .. ".measures[" .. i .. "]", m, measures) end
      check_type(p .. ".measure_of", u.measure_of, "string", true)
      if u.measure_of and not (s.geography and s.geography[u.measure_of]) then
        M.fail(p .. ".measure_of", "no geography entry named '%s'%s", u.measure_of, M.hint(u.measure_of, geo_names))
      end
    end
    if u.indicator_weights ~= nil then
      check_type(p .. ".indicator_weights", u.indicator_weights, "table")
      check_keys(p .. ".indicator_weights", u.indicator_weights, {"dirichlet"})
      check_type(p .. ".indicator_weights.dirichlet", u.indicator_weights.dirichlet, "number")
      if not (u.indicator_weights.dirichlet > 0) then M.fail(p .. ".indicator_weights.dirichlet", "must be > 0") end
    end
    if u.indicators ~= nil then
      check_type(p .. ".indicators", u.indicators, "table")
      check_keys(p .. ".indicators", u.indicators, {"include"})
      check_share(p .. ".indicators.include", u.indicators.include)
    end
    if u.noise ~= nil then
      check_type(p .. ".noise", u.noise, "table")
      check_keys(p .. ".noise", u.noise, {"poisson"})
      if u.noise.poisson ~= true then
        check_type(p .. ".noise.poisson", u.noise.poisson, "list")
        for i, name in ipairs(u.noise.poisson) do
          if not (s.indicators and s.indicators[name] and s.indicators[name].numerator) then
            M.fail(p .. ".noise.poisson[" .. i .. "]", "'%s' is not an indicator given as numerator and denominator", tostring(name))
          end
        end
      end
    end
    check_type(p .. ".draws", u.draws, "integer", true)
    if u.draws ~= nil and (u.draws < 1 or u.draws > 10000000) then M.fail(p .. ".draws", "must be between 1 and 10,000,000") end
    check_type(p .. ".seed", u.seed, "integer", true)
    check_type(p .. ".threads", u.threads, "integer", true)
    if u.weights ~= nil then
      check_type(p .. ".weights", u.weights, "table")
      check_keys(p .. ".weights", u.weights, {"dirichlet", "bounds", "lower", "upper"})
      local nset = (u.weights.dirichlet ~= nil and 1 or 0) + (u.weights.bounds ~= nil and 1 or 0) +
        ((u.weights.lower ~= nil or u.weights.upper ~= nil) and 1 or 0)
      if nset ~= 1 then
        M.fail(p .. ".weights", "give one of dirichlet = concentration, bounds = share, or lower/upper")
      end
      local d = u.weights.dirichlet
      if type(d) == "number" then
        if not (d > 0) then M.fail(p .. ".weights.dirichlet", "the concentration must be > 0, got %s", tostring(d)) end
      elseif d ~= nil then
        check_type(p .. ".weights.dirichlet", d, "map")
        for _, k in ipairs(M.sorted_keys(d)) do
          if not s.domains[k] then M.fail(p .. ".weights.dirichlet." .. tostring(k), "no domain named '%s'%s", tostring(k), M.hint(tostring(k), dom_names)) end
          if type(d[k]) ~= "number" or not (d[k] > 0) then M.fail(p .. ".weights.dirichlet." .. k, "must be a number > 0") end
        end
      end
      if u.weights.bounds ~= nil then
        check_type(p .. ".weights.bounds", u.weights.bounds, "number")
        if not (u.weights.bounds > 0 and u.weights.bounds < 1) then
          M.fail(p .. ".weights.bounds", "must be a share in (0, 1): the weights vary by that share around the base")
        end
      end
      for _, side in ipairs{"lower", "upper"} do
        local m = u.weights[side]
        if m ~= nil then
          check_type(p .. ".weights." .. side, m, "map")
          for _, k in ipairs(M.sorted_keys(m)) do
            if not s.domains[k] then M.fail(p .. ".weights." .. side .. "." .. tostring(k), "no domain named '%s'%s", tostring(k), M.hint(tostring(k), dom_names)) end
            check_weight(p .. ".weights." .. side .. "." .. k, m[k])
          end
        end
      end
    end
    if u.thresholds ~= nil then
      check_type(p .. ".thresholds", u.thresholds, "table")
      check_keys(p .. ".thresholds", u.thresholds, {"index_top", "dep_top"})
      for _, k in ipairs{"index_top", "dep_top"} do
        local r = u.thresholds[k]
        if r ~= nil then
          check_type(p .. ".thresholds." .. k, r, "list")
          if #r ~= 2 then M.fail(p .. ".thresholds." .. k, "expected {low, high}") end
          check_share(p .. ".thresholds." .. k .. "[1]", r[1])
          check_share(p .. ".thresholds." .. k .. "[2]", r[2])
          if r[1] > r[2] then M.fail(p .. ".thresholds." .. k, "low must not exceed high") end
        end
      end
    end
    if u.transforms ~= nil then
      check_type(p .. ".transforms", u.transforms, "list")
      for i, t in ipairs(u.transforms) do check_enum(p .. ".transforms[" .. i .. "]", t, domain_transforms) end
    end
    if u.aggregation ~= nil then
      check_type(p .. ".aggregation", u.aggregation, "list")
      for i, a in ipairs(u.aggregation) do check_enum(p .. ".aggregation[" .. i .. "]", a, {"sum", "geomean", "harmean"}) end
    end
    if u.sobol ~= nil then
      check_type(p .. ".sobol", u.sobol, "table")
      check_keys(p .. ".sobol", u.sobol, {"n", "bootstrap"})
      check_type(p .. ".sobol.n", u.sobol.n, "integer", true)
      check_type(p .. ".sobol.bootstrap", u.sobol.bootstrap, "integer", true)
    end
    if u.borderline ~= nil then
      check_type(p .. ".borderline", u.borderline, "list")
      if #u.borderline ~= 2 then M.fail(p .. ".borderline", "expected {low, high}") end
    end
  end
  if s.profile ~= nil then
    check_type("profile", s.profile, "table")
    check_keys("profile", s.profile, {"input", "outcomes", "dep", "dep_top", "title"})
    check_type("profile.input", s.profile.input, "string", true)
    if s.profile.input then check_input("profile.input", s.profile.input) end
    check_type("profile.outcomes", s.profile.outcomes, "list")
    for i, oc in ipairs(s.profile.outcomes) do
      local p = "profile.outcomes[" .. i .. "]"
      check_type(p, oc, "table")
      check_keys(p, oc, {"column", "label", "unit", "higher"})
      check_type(p .. ".column", oc.column, "string")
      for _, k in ipairs{"label", "unit"} do check_type(p .. "." .. k, oc[k], "string", true) end
      if oc.higher ~= nil then check_enum(p .. ".higher", oc.higher, {"better", "worse"}) end
    end
    check_type("profile.dep", s.profile.dep, "string", true)
    if s.profile.dep_top ~= nil then check_share("profile.dep_top", s.profile.dep_top) end
  end
  if s.map ~= nil then
    check_type("map", s.map, "table")
    check_keys("map", s.map, {"boundaries", "code", "name", "via", "outline", "outline_code",
      "outline_label", "note"})
    check_type("map.boundaries", s.map.boundaries, "string")
    for _, k in ipairs{"code", "name", "outline", "outline_code", "outline_label", "note"} do
      check_type("map." .. k, s.map[k], "string", true)
    end
    if s.map.via ~= nil then
      check_type("map.via", s.map.via, "table")
      check_keys("map.via", s.map.via, {"input", "from", "to"})
      for _, k in ipairs{"input", "from", "to"} do check_type("map.via." .. k, s.map.via[k], "string") end
      check_input("map.via.input", s.map.via.input)
    end
  end
  if s.outputs ~= nil then
    check_type("outputs", s.outputs, "table")
    check_keys("outputs", s.outputs, {"dir", "digits", "top"})
  end
  return true
end

-- }=====

return M
