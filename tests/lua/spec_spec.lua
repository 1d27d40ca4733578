-- Index specifications (lua/cni/spec.lua, cni.variant / cni.drop / cni.diff
-- in lua/cni/init.lua): validation (one mutation of a valid spec per error
-- message, exact text including the path), merging, variants, diffs,
-- canonical text and the "did you mean" hints. Every expected message is
-- written out by hand from the source of spec.validate; none is produced by
-- calling the code under test.
local cni = require "cni"
local S = require "cni.spec"
local H = require "helper"

-- Expects a spec error whose message is exactly 'msg'.
local function spec_err(msg, f, ...)
  local e = H.cni_err("spec", msg, f, ...)
  assert.equal(msg, e.msg)
  return e
end

-- A valid spec over tests/fixtures/spec (validation never reads the files).
local function base()
  return {
    name = "fixture index",
    inputs = {
      wards = {file = "wards.csv"},
      lsoa = {file = "lsoa.csv"},
      lookup = {file = "lookup.csv"},
      population = {file = "population.csv"},
    },
    unit = {input = "wards", key = "ward_code", name = "ward_name", population = "pop",
      attach = {{input = "lookup", key = "ward_code", columns = {"region_name"}}}},
    geography = {
      imd = {
        from = "lsoa", key = "lsoa_code", column = "imd_score",
        lookup = {input = "lookup", from = "lsoa_code", to = "ward_code"},
        population = {input = "population", key = "lsoa_code", column = "population"},
      },
    },
    indicators = {
      x = {column = "x"},
      rate = {numerator = "unemp", denominator = "working_age", per = 100},
    },
    domains = {
      a = {column = "a_rank", as = "rank"},
      b = {column = "b_rank", as = "rank"},
      econ = {indicators = {"x", "rate"}},
    },
    index = {name = "cni", combine = "sum"},
    rules = {
      top = {rule = "top", top = 0.1},
      lb = {rule = "two_index", index_top = 0.1, dep = "imd", dep_top = 0.1},
      k = {rule = "k_of_n", k = 2, top = 0.1},
    },
    flag = "lb",
  }
end

local ONE_OF_TRANSFORMS = "(one of: log, log1p, winsorise, normal_scores, rank, zscore, minmax, flip, shrink, distance, fill)"
local ONE_OF_DT = "(one of: exp, normal, rank, none)"
local ONE_OF_MEASURES = "(one of: avg_score, avg_rank, extent, local_conc, prop_d1, mean, wmean, sum, median, min, max)"
local GEO_ONE = "geography.imd: give exactly one of 'column' (a score column of 'lsoa') or 'index' (an index spec built on it)"

describe("spec.validate", function()
  it("accepts the valid base spec (and returns true)", function()
    assert.is_true(S.validate(base()))
    assert.is_true(cni.validate(base()))
  end)

  it("accepts the shipped specs", function()
    assert.is_true(S.validate(require "cni.indices.imd2019"))
    assert.is_true(S.validate(require "cni.indices.cni2019"))
  end)

  it("a spec that is not a table", function()
    spec_err("spec: expected a table, got string", S.validate, "spec.lua")
    spec_err("spec: missing (expected a table)", S.validate, nil)
  end)

  -- {description, mutation, exact message}
  local cases = {
    -- top level
    {"unknown top-level key with a hint", function(s) s.domain = {} end,
      "domain: unknown key (did you mean 'domains'?)"},
    {"unknown top-level key, nothing close", function(s) s.zzzzzzzz = 1 end, "zzzzzzzz: unknown key"},
    {"unknown numeric top-level key", function(s) s[1] = true end, "1: unknown key"},
    {"name missing", function(s) s.name = nil end, "name: missing (expected a string)"},
    {"name of the wrong type", function(s) s.name = 3 end, "name: expected a string, got number"},
    {"description of the wrong type", function(s) s.description = 1 end,
      "description: expected a string, got number"},
    {"data_root of the wrong type", function(s) s.data_root = true end,
      "data_root: expected a string, got boolean"},

    -- inputs
    {"inputs missing", function(s) s.inputs = nil end, "inputs: missing (expected a map)"},
    {"inputs given as a list", function(s) s.inputs = {{file = "a.csv"}} end,
      "inputs: expected a table of named entries, got a list"},
    {"inputs given as a string", function(s) s.inputs = "wards.csv" end,
      "inputs: expected a table of named entries, got string"},
    {"an input that is not a table", function(s) s.inputs.wards = "wards.csv" end,
      "inputs.wards: expected a table, got string"},
    {"unknown input key with a hint", function(s) s.inputs.wards = {fiel = "wards.csv"} end,
      "inputs.wards.fiel: unknown key (did you mean 'file'?)"},
    {"input file missing", function(s) s.inputs.wards = {key = "ward_code"} end,
      "inputs.wards.file: missing (expected a string)"},
    {"input key of the wrong type", function(s) s.inputs.wards.key = 1 end,
      "inputs.wards.key: expected a string, got number"},

    -- unit
    {"unit missing", function(s) s.unit = nil end, "unit: missing (expected a table)"},
    {"unknown unit key with a hint", function(s) s.unit.keys = "x" end,
      "unit.keys: unknown key (did you mean 'key'?)"},
    {"unit.input missing", function(s) s.unit.input = nil end, "unit.input: missing (expected a string)"},
    {"unit.input naming a missing input, with a hint", function(s) s.unit.input = "ward" end,
      "unit.input: no input named 'ward' (did you mean 'wards'?)"},
    {"unit.input with no inputs at all", function(s) s.inputs = {} end, "unit.input: no input named 'wards'"},
    {"unit.key missing", function(s) s.unit.key = nil end, "unit.key: missing (expected a string)"},
    {"unit.population of the wrong type", function(s) s.unit.population = 5 end,
      "unit.population: expected a string, got number"},
    {"unit.label of the wrong type", function(s) s.unit.label = {} end, "unit.label: expected a string, got table"},
    {"unit.attach not a list", function(s) s.unit.attach = {input = "lookup"} end,
      "unit.attach: expected a list, got table"},
    {"unit.attach entry not a table", function(s) s.unit.attach = {"lookup"} end,
      "unit.attach[1]: expected a table, got string"},
    {"unknown attach key with a hint", function(s) s.unit.attach[1].column = "x" end,
      "unit.attach[1].column: unknown key (did you mean 'columns'?)"},
    {"attach input missing", function(s) s.unit.attach[1].input = nil end,
      "unit.attach[1].input: missing (expected a string)"},
    {"attach input naming a missing input", function(s) s.unit.attach[1].input = "lookups" end,
      "unit.attach[1].input: no input named 'lookups' (did you mean 'lookup'?)"},
    {"attach key missing", function(s) s.unit.attach[1].key = nil end,
      "unit.attach[1].key: missing (expected a string)"},
    {"attach columns not a list", function(s) s.unit.attach[1].columns = "region_name" end,
      "unit.attach[1].columns: expected a list, got string"},
    {"second attach entry", function(s) s.unit.attach[2] = {input = "lsoa", key = "k"} end,
      "unit.attach[2].columns: missing (expected a list)"},

    -- geography
    {"geography as a list", function(s) s.geography = {s.geography.imd} end,
      "geography: expected a table of named entries, got a list"},
    {"geography entry not a table", function(s) s.geography.imd = "imd_score" end,
      "geography.imd: expected a table, got string"},
    {"unknown geography key with a hint", function(s) s.geography.imd.measures = "sum" end,
      "geography.imd.measures: unknown key (did you mean 'measure'?)"},
    {"geography from missing", function(s) s.geography.imd.from = nil end,
      "geography.imd.from: missing (expected a string)"},
    {"geography from naming a missing input", function(s) s.geography.imd.from = "lsao" end,
      "geography.imd.from: no input named 'lsao' (did you mean 'lsoa'?)"},
    {"geography key missing", function(s) s.geography.imd.key = nil end,
      "geography.imd.key: missing (expected a string)"},
    {"geography with both column and index", function(s)
      s.geography.imd.index = {name = "x"} end, GEO_ONE},
    {"geography with neither column nor index", function(s) s.geography.imd.column = nil end, GEO_ONE},
    {"geography column of the wrong type", function(s) s.geography.imd.column = 1 end,
      "geography.imd.column: expected a string, got number"},
    {"geography index not a table", function(s)
      s.geography.imd.column = nil; s.geography.imd.index = "imd2019" end,
      "geography.imd.index: expected a table, got string"},
    {"geography index: the nested error is prefixed with the path", function(s)
      s.geography.imd.column = nil; s.geography.imd.index = {} end,
      "geography.imd.index: name: missing (expected a string)"},
    {"geography index: a nested error deeper down", function(s)
      s.geography.imd.column = nil
      s.geography.imd.index = {name = "lsoa index", inputs = {lsoa = {file = "lsoa.csv"}},
        unit = {input = "lsoa", key = "lsoa_code"}, domains = {d = {column = "imd_score", weight = -1}}}
    end, "geography.imd.index: domains.d.weight: weights must be finite and >= 0, got -1"},
    {"geography lookup missing", function(s) s.geography.imd.lookup = nil end,
      "geography.imd.lookup: missing (expected a table)"},
    {"unknown lookup key with a hint", function(s) s.geography.imd.lookup.too = "x" end,
      "geography.imd.lookup.too: unknown key (did you mean 'to'?)"},
    {"lookup.to missing", function(s) s.geography.imd.lookup.to = nil end,
      "geography.imd.lookup.to: missing (expected a string)"},
    {"lookup.input missing", function(s) s.geography.imd.lookup.input = nil end,
      "geography.imd.lookup.input: missing (expected a string)"},
    {"lookup.input naming a missing input", function(s) s.geography.imd.lookup.input = "lookups" end,
      "geography.imd.lookup.input: no input named 'lookups' (did you mean 'lookup'?)"},
    {"geography population not a table", function(s) s.geography.imd.population = "population" end,
      "geography.imd.population: expected a table, got string"},
    {"unknown population key with a hint", function(s) s.geography.imd.population.colum = "x" end,
      "geography.imd.population.colum: unknown key (did you mean 'column'?)"},
    {"population key missing", function(s) s.geography.imd.population.key = nil end,
      "geography.imd.population.key: missing (expected a string)"},
    {"population input naming a missing input, nothing close", function(s)
      s.geography.imd.population.input = "pop" end,
      "geography.imd.population.input: no input named 'pop'"},
    {"measure of the wrong type", function(s) s.geography.imd.measure = 1 end,
      "geography.imd.measure: expected a string, got number"},
    {"unknown measure with a hint", function(s) s.geography.imd.measure = "avg_scor" end,
      "geography.imd.measure: unknown value 'avg_scor' (did you mean 'avg_score'?) " .. ONE_OF_MEASURES},
    {"rank_column of the wrong type", function(s) s.geography.imd.rank_column = 4 end,
      "geography.imd.rank_column: expected a string, got number"},
    {"a rank measure without ranks", function(s) s.geography.imd.measure = "extent" end,
      "geography.imd.measure: 'extent' needs national ranks: give 'rank_column' or build with 'index'"},
    {"prop_d1 without ranks", function(s) s.geography.imd.measure = "prop_d1" end,
      "geography.imd.measure: 'prop_d1' needs national ranks: give 'rank_column' or build with 'index'"},

    -- indicators
    {"indicators as a list", function(s) s.indicators = {{column = "x"}} end,
      "indicators: expected a table of named entries, got a list"},
    {"indicator not a table", function(s) s.indicators.x = "x" end, "indicators.x: expected a table, got string"},
    {"unknown indicator key with a hint", function(s) s.indicators.x.colum = "x" end,
      "indicators.x.colum: unknown key (did you mean 'column'?)"},
    {"indicator with neither column nor numerator", function(s) s.indicators.x = {label = "x"} end,
      "indicators.x: give 'column', or 'numerator' and 'denominator'"},
    {"indicator with both column and numerator", function(s) s.indicators.x.numerator = "unemp" end,
      "indicators.x: give 'column' or 'numerator', not both"},
    {"indicator column of the wrong type", function(s) s.indicators.x.column = 1 end,
      "indicators.x.column: expected a string, got number"},
    {"numerator of the wrong type", function(s) s.indicators.rate.numerator = 1 end,
      "indicators.rate.numerator: expected a string, got number"},
    {"denominator missing", function(s) s.indicators.rate.denominator = nil end,
      "indicators.rate.denominator: missing (expected a string)"},
    {"per of the wrong type", function(s) s.indicators.rate.per = "100" end,
      "indicators.rate.per: expected a number, got string"},
    {"direction unknown, nothing close", function(s) s.indicators.x.direction = "bad" end,
      "indicators.x.direction: unknown value 'bad' (one of: need, good)"},
    {"direction unknown with a hint", function(s) s.indicators.x.direction = "goood" end,
      "indicators.x.direction: unknown value 'goood' (did you mean 'good'?) (one of: need, good)"},
    {"transforms not a list", function(s) s.indicators.x.transforms = "log" end,
      "indicators.x.transforms: expected a list, got string"},
    {"transform of the wrong type", function(s) s.indicators.x.transforms = {5} end,
      "indicators.x.transforms[1]: a transform is a name or {name, options...}, got number"},
    {"transform table without a name", function(s) s.indicators.x.transforms = {{5}} end,
      "indicators.x.transforms[1]: a transform is a name or {name, options...}"},
    {"unknown transform with a hint", function(s) s.indicators.x.transforms = {"log", "lg"} end,
      "indicators.x.transforms[2]: unknown value 'lg' (did you mean 'log'?) " .. ONE_OF_TRANSFORMS},
    {"unknown transform in a table", function(s) s.indicators.x.transforms = {{"zscores"}} end,
      "indicators.x.transforms[1]: unknown value 'zscores' (did you mean 'zscore'?) " .. ONE_OF_TRANSFORMS},
    {"winsorise with neither q nor sd", function(s) s.indicators.x.transforms = {{"winsorise"}} end,
      "indicators.x.transforms[1]: winsorise needs exactly one of q = {low, high} or sd = k"},
    {"winsorise with both q and sd", function(s)
      s.indicators.x.transforms = {{"winsorise", q = {0.1, 0.9}, sd = 3}} end,
      "indicators.x.transforms[1]: winsorise needs exactly one of q = {low, high} or sd = k"},
    {"enabled of the wrong type", function(s) s.indicators.x.enabled = "no" end,
      "indicators.x.enabled: expected a boolean, got string"},

    -- domains
    {"domains missing", function(s) s.domains = nil end, "domains: missing (expected a map)"},
    {"domains empty", function(s) s.domains = {} end, "domains: at least one domain is needed"},
    {"domains as a list", function(s) s.domains = {{column = "a_rank"}} end,
      "domains: expected a table of named entries, got a list"},
    {"domain not a table", function(s) s.domains.a = 1 end, "domains.a: expected a table, got number"},
    {"unknown domain key with a hint", function(s) s.domains.a.wieght = 1 end,
      "domains.a.wieght: unknown key (did you mean 'weight'?)"},
    {"domain with both column and indicators", function(s) s.domains.a.indicators = {"x"} end,
      "domains.a: give exactly one of 'column' (a domain score or rank) or 'indicators'"},
    {"domain with neither column nor indicators", function(s) s.domains.a = {as = "rank"} end,
      "domains.a: give exactly one of 'column' (a domain score or rank) or 'indicators'"},
    {"domain column of the wrong type", function(s) s.domains.a.column = 1 end,
      "domains.a.column: expected a string, got number"},
    {"domain 'as' unknown with a hint", function(s) s.domains.a.as = "ranks" end,
      "domains.a.as: unknown value 'ranks' (did you mean 'rank'?) (one of: score, rank)"},
    {"domain indicators not a list", function(s) s.domains.econ.indicators = "x" end,
      "domains.econ.indicators: expected a list, got string"},
    {"domain indicators empty", function(s) s.domains.econ.indicators = {} end,
      "domains.econ.indicators: empty list"},
    {"domain indicator not a string", function(s) s.domains.econ.indicators = {"x", 2} end,
      "domains.econ.indicators[2]: expected a string, got number"},
    {"domain naming a missing indicator, with a hint", function(s) s.domains.econ.indicators = {"x", "rat"} end,
      "domains.econ.indicators[2]: no indicator named 'rat' (did you mean 'rate'?)"},
    {"domain naming an indicator when there are none", function(s) s.indicators = nil end,
      "domains.econ.indicators[1]: no indicator named 'x'"},
    {"indicator weights as a list", function(s) s.domains.econ.weights = {1, 2} end,
      "domains.econ.weights: expected a table of named entries, got a list"},
    {"indicator weights as an unknown string", function(s) s.domains.econ.weights = "equl" end,
      "domains.econ.weights: expected a table of named entries, got string"},
    {"indicator weights naming a non-member", function(s) s.domains.econ.weights = {zzzz = 1} end,
      "domains.econ.weights.zzzz: not an indicator of this domain"},
    {"indicator weights naming a non-member, with a hint", function(s) s.domains.econ.weights = {rat = 1} end,
      "domains.econ.weights.rat: not an indicator of this domain (did you mean 'rate'?)"},
    {"indicator weight of the wrong type", function(s) s.domains.econ.weights = {x = "1"} end,
      "domains.econ.weights.x: expected a number, got string"},
    {"negative indicator weight", function(s) s.domains.econ.weights = {x = 1, rate = -2} end,
      "domains.econ.weights.rate: weights must be finite and >= 0, got -2"},
    {"infinite indicator weight", function(s) s.domains.econ.weights = {x = math.huge} end,
      "domains.econ.weights.x: weights must be finite and >= 0, got inf"},
    {"domain combine unknown, nothing close", function(s) s.domains.econ.combine = "avg" end,
      "domains.econ.combine: unknown value 'avg' (one of: mean, sum, geomean)"},
    {"domain combine unknown with a hint", function(s) s.domains.econ.combine = "geomen" end,
      "domains.econ.combine: unknown value 'geomen' (did you mean 'geomean'?) (one of: mean, sum, geomean)"},
    {"domain weight of the wrong type (the issue's example)", function(s) s.domains.a.weight = "0.5" end,
      "domains.a.weight: expected a number, got string"},
    {"negative domain weight", function(s) s.domains.a.weight = -0.5 end,
      "domains.a.weight: weights must be finite and >= 0, got -0.5"},
    {"minus infinite domain weight", function(s) s.domains.b.weight = -math.huge end,
      "domains.b.weight: weights must be finite and >= 0, got -inf"},
    {"domain order of the wrong type", function(s) s.domains.a.order = "1" end,
      "domains.a.order: expected a number, got string"},
    {"domain enabled of the wrong type", function(s) s.domains.a.enabled = 0 end,
      "domains.a.enabled: expected a boolean, got number"},
    {"domain transform unknown with a hint", function(s) s.domains.a.transform = "expo" end,
      "domains.a.transform: unknown value 'expo' (did you mean 'exp'?) " .. ONE_OF_DT},
    {"domain transform table with an unknown name", function(s) s.domains.a.transform = {"ranks"} end,
      "domains.a.transform: unknown value 'ranks' (did you mean 'rank'?) " .. ONE_OF_DT},

    -- domain_transform
    {"domain_transform unknown with a hint", function(s) s.domain_transform = "normals" end,
      "domain_transform: unknown value 'normals' (did you mean 'normal'?) " .. ONE_OF_DT},
    {"domain_transform table with an unknown name", function(s) s.domain_transform = {"expo", c = 23} end,
      "domain_transform[1]: unknown value 'expo' (did you mean 'exp'?) " .. ONE_OF_DT},
    {"domain_transform c of the wrong type", function(s) s.domain_transform = {"exp", c = "23"} end,
      "domain_transform.c: expected a number, got string"},
    {"domain_transform upper of the wrong type", function(s) s.domain_transform = {"exp", upper = true} end,
      "domain_transform.upper: expected a number, got boolean"},

    -- index
    {"index not a table", function(s) s.index = "sum" end, "index: expected a table, got string"},
    {"unknown index key with a hint", function(s) s.index.weight = {} end,
      "index.weight: unknown key (did you mean 'weights'?)"},
    {"index combine unknown, nothing close", function(s) s.index.combine = "product" end,
      "index.combine: unknown value 'product' (one of: sum, mean, geomean, borda)"},
    {"index combine unknown with a hint", function(s) s.index.combine = "bord" end,
      "index.combine: unknown value 'bord' (did you mean 'borda'?) (one of: sum, mean, geomean, borda)"},
    {"index weights as a list", function(s) s.index.weights = {1, 2, 3} end,
      "index.weights: expected a table of named entries, got a list"},
    {"index weights naming a missing domain, with a hint", function(s) s.index.weights = {aa = 1} end,
      "index.weights.aa: no domain named 'aa' (did you mean 'a'?)"},
    {"index weight negative", function(s) s.index.weights = {a = -1} end,
      "index.weights.a: weights must be finite and >= 0, got -1"},
    {"index weight infinite", function(s) s.index.weights = {b = math.huge} end,
      "index.weights.b: weights must be finite and >= 0, got inf"},
    {"index weight of the wrong type", function(s) s.index.weights = {a = "1"} end,
      "index.weights.a: expected a number, got string"},
    {"weights_sum of the wrong type", function(s) s.index.weights_sum = "1" end,
      "index.weights_sum: expected a number, got string"},
    -- default weights 1 + 1 + 1 = 3
    {"weights_sum mismatch with default weights", function(s) s.index.weights_sum = 1 end,
      "index.weights_sum: the domain weights sum to 3, not 1 as declared"},
    -- a .5 (domain weight), b .25 (index weight wins over the domain's 9), econ .5: 1.25
    {"weights_sum mismatch with domain and index weights", function(s)
      s.domains.a.weight = 0.5; s.domains.b.weight = 9; s.domains.econ.weight = 0.5
      s.index.weights = {b = 0.25}; s.index.weights_sum = 1 end,
      "index.weights_sum: the domain weights sum to 1.25, not 1 as declared"},
    -- a disabled domain does not count: 1 (b) + 1 (econ) = 2
    {"weights_sum ignores disabled domains", function(s)
      s.domains.a.enabled = false; s.index.weights_sum = 3 end,
      "index.weights_sum: the domain weights sum to 2, not 3 as declared"},
    {"index name of the wrong type", function(s) s.index.name = 1 end,
      "index.name: expected a string, got number"},
    {"index ties unknown, nothing close", function(s) s.index.ties = "last" end,
      "index.ties: unknown value 'last' (one of: first, average, min)"},
    {"index ties unknown with a hint", function(s) s.index.ties = "frist" end,
      "index.ties: unknown value 'frist' (did you mean 'first'?) (one of: first, average, min)"},

    -- deciles
    {"deciles not a table", function(s) s.deciles = "count" end, "deciles: expected a table, got string"},
    {"unknown deciles key with a hint", function(s) s.deciles = {bye = "count"} end,
      "deciles.bye: unknown key (did you mean 'by'?)"},
    {"deciles.by unknown with a hint", function(s) s.deciles = {by = "populaton"} end,
      "deciles.by: unknown value 'populaton' (did you mean 'population'?) (one of: count, population)"},
    {"deciles.by missing", function(s) s.deciles = {} end,
      "deciles.by: unknown value 'nil' (one of: count, population)"},

    -- rules
    {"rules as a list", function(s) s.rules = {{rule = "top", top = 0.1}}; s.flag = nil end,
      "rules: expected a table of named entries, got a list"},
    {"rule not a table", function(s) s.rules.top = "top 10%" end, "rules.top: expected a table, got string"},
    {"unknown rule key with a hint", function(s) s.rules.top.tpo = 0.1 end,
      "rules.top.tpo: unknown key (did you mean 'top'?)"},
    {"rule kind missing", function(s) s.rules.top.rule = nil end, "rules.top.rule: missing (expected a string)"},
    {"rule kind of the wrong type", function(s) s.rules.top.rule = 1 end,
      "rules.top.rule: expected a string, got number"},
    {"rule kind unknown with a hint", function(s) s.rules.top.rule = "topp" end,
      "rules.top.rule: unknown value 'topp' (did you mean 'top'?) (one of: two_index, k_of_n, top, custom)"},
    {"rule 'by' unknown", function(s) s.rules.top.by = "people" end,
      "rules.top.by: unknown value 'people' (one of: count, population)"},
    {"two_index: index_top 0", function(s) s.rules.lb.index_top = 0 end,
      "rules.lb.index_top: must be a share in (0, 1], got 0"},
    {"two_index: index_top 1.5", function(s) s.rules.lb.index_top = 1.5 end,
      "rules.lb.index_top: must be a share in (0, 1], got 1.5"},
    {"two_index: index_top -0.1", function(s) s.rules.lb.index_top = -0.1 end,
      "rules.lb.index_top: must be a share in (0, 1], got -0.1"},
    {"two_index: index_top missing", function(s) s.rules.lb.index_top = nil end,
      "rules.lb.index_top: missing (expected a number)"},
    {"two_index: index_top given as a string", function(s) s.rules.lb.index_top = "10%" end,
      "rules.lb.index_top: expected a number, got string"},
    {"two_index: dep_top above 1", function(s) s.rules.lb.dep_top = 10 end,
      "rules.lb.dep_top: must be a share in (0, 1], got 10"},
    {"two_index: dep missing", function(s) s.rules.lb.dep = nil end, "rules.lb.dep: missing (expected a string)"},
    {"two_index: dep naming a missing index, with a hint", function(s) s.rules.lb.dep = "imdd" end,
      "rules.lb.dep: no deprivation index named 'imdd' (did you mean 'imd'?) (define it under 'geography')"},
    {"two_index: dep without any geography", function(s) s.geography = nil end,
      "rules.lb.dep: no deprivation index named 'imd' (define it under 'geography')"},
    {"top: share 0", function(s) s.rules.top.top = 0 end, "rules.top.top: must be a share in (0, 1], got 0"},
    {"top: share missing", function(s) s.rules.top.top = nil end, "rules.top.top: missing (expected a number)"},
    {"k_of_n: dep of the wrong type", function(s) s.rules.k.dep = 1 end,
      "rules.k.dep: expected a string, got number"},
    {"k_of_n: dep without dep_top", function(s) s.rules.k.dep = "imd" end,
      "rules.k.dep_top: missing (expected a number)"},
    {"k_of_n: dep naming a missing index, with a hint", function(s)
      s.rules.k.dep = "imx"; s.rules.k.dep_top = 0.1 end,
      "rules.k.dep: no deprivation index named 'imx' (did you mean 'imd'?) (define it under 'geography')"},
    {"k_of_n: k not whole", function(s) s.rules.k.k = 1.5 end, "rules.k.k: expected an integer, got 1.5"},
    {"k_of_n: k a float 2.0", function(s) s.rules.k.k = 2.0 end, "rules.k.k: expected an integer, got 2.0"},
    {"k_of_n: k a string", function(s) s.rules.k.k = "2" end, "rules.k.k: expected an integer, got string"},
    {"k_of_n: top 1.5", function(s) s.rules.k.top = 1.5 end, "rules.k.top: must be a share in (0, 1], got 1.5"},
    {"k_of_n: domains not a list", function(s) s.rules.k.domains = "a" end,
      "rules.k.domains: expected a list, got string"},
    {"k_of_n: domains naming a missing domain, with a hint", function(s) s.rules.k.domains = {"a", "bb"} end,
      "rules.k.domains[2]: no domain named 'bb' (did you mean 'b'?)"},
    {"k_of_n: k = 0", function(s) s.rules.k.k = 0 end, "rules.k.k: must be between 1 and 3"},
    {"k_of_n: k above the number of domains", function(s) s.rules.k.k = 4 end,
      "rules.k.k: must be between 1 and 3"},
    {"k_of_n: k above the number of listed domains", function(s)
      s.rules.k.domains = {"a", "b"}; s.rules.k.k = 3 end, "rules.k.k: must be between 1 and 2"},
    {"custom: fn missing", function(s) s.rules.c = {rule = "custom"} end,
      "rules.c.fn: missing (expected a function)"},
    {"custom: fn of the wrong type", function(s) s.rules.c = {rule = "custom", fn = "return true"} end,
      "rules.c.fn: expected a function, got string"},

    -- flag
    {"flag of the wrong type", function(s) s.flag = 1 end, "flag: expected a string, got number"},
    {"flag naming a missing rule, with a hint", function(s) s.flag = "tp" end,
      "flag: no rule named 'tp' (did you mean 'top'?)"},
    {"flag without any rules", function(s) s.rules = nil; s.flag = "lb" end, "flag: no rule named 'lb'"},

    -- reference
    {"reference not a table", function(s) s.reference = "ref_flag" end,
      "reference: expected a table, got string"},
    {"unknown reference key with a hint", function(s) s.reference = {colmn = "ref_flag"} end,
      "reference.colmn: unknown key (did you mean 'column'?)"},
    {"reference column missing", function(s) s.reference = {label = "published"} end,
      "reference.column: missing (expected a string)"},
    {"reference label of the wrong type", function(s) s.reference = {column = "ref_flag", label = 1} end,
      "reference.label: expected a string, got number"},

    -- outputs
    {"outputs not a table", function(s) s.outputs = 1 end, "outputs: expected a table, got number"},
    {"unknown outputs key with a hint", function(s) s.outputs = {digit = 3} end,
      "outputs.digit: unknown key (did you mean 'digits'?)"},
  }

  for _, c in ipairs(cases) do
    it(c[1], function()
      local s = base()
      c[2](s)
      spec_err(c[3], S.validate, s)
    end)
  end

  it("NaN weights and shares are rejected (the text of NaN is the platform's)", function()
    local function nan_case(mut, prefix)
      local s = base()
      mut(s)
      local e = H.cni_err("spec", prefix, S.validate, s)
      assert.truthy(e.msg:sub(#prefix + 1):match("^%-?nan$"), e.msg)
    end
    nan_case(function(s) s.index.weights = {a = 0 / 0} end, "index.weights.a: weights must be finite and >= 0, got ")
    nan_case(function(s) s.domains.a.weight = 0 / 0 end, "domains.a.weight: weights must be finite and >= 0, got ")
    nan_case(function(s) s.rules.top.top = 0 / 0 end, "rules.top.top: must be a share in (0, 1], got ")
  end)

  it("the first problem in sorted key order is reported", function()
    local s = base()
    s.zeta = 1
    s.alpha = 1
    spec_err("alpha: unknown key", S.validate, s)
    -- rules are checked in name order: 'k' before 'top'
    s = base()
    s.rules.k.k = 0
    s.rules.top.top = 2
    spec_err("rules.k.k: must be between 1 and 3", S.validate, s)
  end)

  it("a share of exactly 1 and a rule given as a bare function are accepted", function()
    local s = base()
    s.rules.top.top = 1
    s.rules.lb.dep_top = 1
    s.rules.fn = function() end
    s.domains.a.weight = 0
    assert.is_true(S.validate(s))
  end)

  it("the error object: kind 'spec', tostring is the message", function()
    local s = base()
    s.domains.a.weight = "x"
    local ok, e = pcall(S.validate, s)
    assert.is_false(ok)
    assert.equal("spec", e.kind)
    assert.equal("domains.a.weight: expected a number, got string", tostring(e))
  end)

  -- Bugs: each of these gives a raw Lua error (not a spec error) because
  -- spec.hint/closest are handed a number.
  it("an unknown transform option is a spec error with a hint (not a Lua error from hint)", function()
    local s = base()
    s.indicators.x.transforms = {{"minmax", low = 0}}
    spec_err("indicators.x.transforms[1].low: unknown key (did you mean 'lo'?)", S.validate, s)
  end)

  it("an option of a transform without options is a spec error", function()
    local s = base()
    s.indicators.x.transforms = {{"log", base = 10}}
    spec_err("indicators.x.transforms[1].base: unknown key", S.validate, s)
  end)

  it("an unknown domain_transform option is a spec error with a hint", function()
    local s = base()
    s.domain_transform = {"exp", cc = 23}
    spec_err("domain_transform.cc: unknown key (did you mean 'c'?)", S.validate, s)
  end)

  it("a k_of_n domain given as a number is a spec error", function()
    local s = base()
    s.rules.k.domains = {1, 2}
    spec_err("rules.k.domains[1]: expected a string, got number", S.validate, s)
  end)

  it("index weights with a number key are a spec error", function()
    local s = base()
    s.index.weights = {a = 1, [2] = 1}
    spec_err("index.weights: keys must be domain names, got 2", S.validate, s)
  end)

  it("a missing k says 'expected an integer' (not 'a integer')", function()
    local s = base()
    s.rules.k.k = nil
    spec_err("rules.k.k: missing (expected an integer)", S.validate, s)
  end)

  it("k_of_n with an empty domains list names the list, not 'between 1 and 0'", function()
    local s = base()
    s.rules.k.domains = {}
    local e = H.cni_err("spec", "rules.k.domains", S.validate, s)
    assert.is_nil(e.msg:find("between 1 and 0", 1, true), e.msg)
  end)
end)

describe("spec.merge and cni.drop", function()
  it("maps merge key by key, lists and scalars are replaced, cni.drop removes", function()
    local b = base()
    local m = S.merge(b, {
      name = "changed",
      unit = {population = cni.drop, la = "la"},
      domains = {econ = {indicators = {"x"}, weight = 2}, b = cni.drop},
      rules = {lb = {dep_top = 0.2}},
    })
    assert.equal("changed", m.name)
    assert.is_nil(m.unit.population)
    assert.equal("la", m.unit.la)
    assert.equal("ward_code", m.unit.key)                     -- kept
    assert.same({"x"}, m.domains.econ.indicators)             -- list replaced, not merged
    assert.equal(2, m.domains.econ.weight)
    assert.is_nil(m.domains.b)
    assert.same({column = "a_rank", as = "rank"}, m.domains.a)
    assert.same({rule = "two_index", index_top = 0.1, dep = "imd", dep_top = 0.2}, m.rules.lb)
    assert.same({{input = "lookup", key = "ward_code", columns = {"region_name"}}}, m.unit.attach)
  end)

  it("a shorter list replaces a longer one entirely (no leftover elements)", function()
    local m = S.merge({l = {1, 2, 3}}, {l = {9}})
    assert.same({9}, m.l)
  end)

  it("a map replaces a list and a list replaces a map", function()
    local m = S.merge({a = {1, 2}, b = {x = 1}}, {a = {x = 1}, b = {3}})
    assert.same({x = 1}, m.a)
    assert.same({3}, m.b)
  end)

  it("the base and the changes are left untouched; the result shares no tables with them", function()
    local b, b0 = base(), base()
    local ch = {domains = {econ = {indicators = {"x"}}}, rules = {top = cni.drop}}
    local m = S.merge(b, ch)
    assert.same(b0, b)
    assert.same({domains = {econ = {indicators = {"x"}}}, rules = {top = cni.drop}}, ch)
    m.domains.a.column = "mutated"
    m.domains.econ.indicators[1] = "mutated"
    assert.equal("a_rank", b.domains.a.column)
    assert.equal("x", ch.domains.econ.indicators[1])
  end)

  it("functions are kept as they are", function()
    local f = function() end
    local m = S.merge({rules = {c = {rule = "custom", fn = f}}}, {rules = {d = f}})
    assert.equal(f, m.rules.c.fn)
    assert.equal(f, m.rules.d)
  end)

  it("cni.drop is the spec sentinel and prints as cni.drop", function()
    assert.equal(S.drop, cni.drop)
    assert.equal("cni.drop", tostring(cni.drop))
  end)
end)

describe("cni.variant", function()
  it("records its base in 'extends' and defaults the name to '<base> (variant)'", function()
    local b = base()
    local v = cni.variant(b, {rules = {lb = {dep_top = 0.2}}})
    assert.equal("fixture index (variant)", v.name)
    assert.same(base(), v.extends)
    assert.are_not.equal(b, v.extends)                        -- a copy
    assert.equal(0.2, v.rules.lb.dep_top)
    assert.equal(0.1, b.rules.lb.dep_top)
    assert.is_true(cni.validate(v))                           -- 'extends' is an allowed key
  end)

  it("keeps an explicit name", function()
    local v = cni.variant(base(), {name = "LBN 20/20"})
    assert.equal("LBN 20/20", v.name)
  end)

  it("cni.drop removes a domain, as in scripts/variants/drop_*.lua", function()
    local v = cni.variant(base(), {domains = {econ = cni.drop}})
    assert.same({"a", "b"}, S.sorted_keys(v.domains))
    assert.is_not_nil(v.extends.domains.econ)
  end)

  it("a variant of a variant extends the first variant", function()
    local v1 = cni.variant(base(), {name = "v1", index = {combine = "mean"}})
    local v2 = cni.variant(v1, {rules = {top = cni.drop}})
    assert.equal("v1 (variant)", v2.name)
    assert.equal("v1", v2.extends.name)
    assert.equal("mean", v2.index.combine)
    assert.is_nil(v2.rules.top)
  end)

  it("argument errors", function()
    spec_err("variant: the base must be a spec table, got string", cni.variant, "cni2019", {})
    spec_err("variant: the changes must be a table, got number", cni.variant, base(), 1)
  end)
end)

describe("cni.include", function()
  it("runs a file relative to the calling script's folder", function()
    local dir = H.tmpdir()
    finally(function() H.rmtree(dir) end)
    cni.mkdirs(dir .. "/real")
    cni.mkdirs(dir .. "/variants")
    H.write_file(dir .. "/real/base.lua", 'return {name = "base", domains = {a = {column = "a"}}}\n')
    H.write_file(dir .. "/variants/v.lua", table.concat({
      'local cni = require "cni"',
      'local base = cni.include("../real/base.lua")',
      'return cni.variant(base, {domains = {a = {weight = 2}}})',
    }, "\n"))
    local v = dofile(dir .. "/variants/v.lua")
    assert.equal("base (variant)", v.name)
    assert.same({column = "a", weight = 2}, v.domains.a)
    assert.equal("domains.a.weight: (absent) -> 2", cni.diff(v))
  end)

  it("a missing file is a spec error naming it", function()
    local dir = H.tmpdir()
    finally(function() H.rmtree(dir) end)
    H.write_file(dir .. "/v.lua", 'local cni = require "cni"\nlocal s = cni.include("nope.lua")\nreturn s\n')
    H.cni_err("spec", dir .. "/nope.lua", dofile, dir .. "/v.lua")
  end)

  it("'return cni.include(...)' (a tail call) explains how to write it instead", function()
    -- in a tail call the caller's frame is gone, so cni.include cannot know the
    -- script's folder: rather than read a file relative to the working
    -- directory by surprise, it says how to write the call
    local dir = H.tmpdir()
    finally(function() H.rmtree(dir) end)
    H.write_file(dir .. "/base.lua", 'return {name = "base"}\n')
    H.write_file(dir .. "/v.lua", 'local cni = require "cni"\nreturn cni.include("base.lua")\n')
    H.cni_err("spec", "because 'return cni.include(...)' is a tail call; write 'local base = cni.include(...)'",
      dofile, dir .. "/v.lua")
  end)
end)

describe("diff", function()
  it("lists changed paths in sorted order as 'path: old -> new'", function()
    local v = cni.variant(base(), {
      rules = {lb = {dep_top = 0.2, index_top = 0.15}},
      domains = {b = cni.drop, econ = {indicators = {"x"}}},
      deciles = {by = "population"},
      index = {combine = "borda"},
    })
    local expected = table.concat({
      'deciles: (absent) -> {by="population"}',
      'domains.b: {as="rank",column="b_rank"} -> (absent)',
      'domains.econ.indicators: ["x","rate"] -> ["x"]',      -- a list compares as a whole
      'index.combine: "sum" -> "borda"',
      "rules.lb.dep_top: 0.1 -> 0.2",                       -- shortest exact text of a float
      "rules.lb.index_top: 0.1 -> 0.15",
    }, "\n")
    assert.equal(expected, cni.diff(v))
    assert.equal(expected, cni.diff(v.extends, v))
  end)

  it("ignores name, description and extends; no change gives an empty text", function()
    local v = cni.variant(base(), {name = "other", description = "d"})
    assert.equal("", cni.diff(v))
    assert.same({}, S.diff(base(), base()))
  end)

  it("the structured diff keeps old and new values", function()
    local d = S.diff({a = {x = 1, y = {1, 2}}}, {a = {x = 2, y = {1, 2}, z = true}})
    assert.same({{path = "a.x", old = 1, new = 2}, {path = "a.z", old = nil, new = true}}, d)
  end)

  it("integer and float values differ in text (canonical numbers)", function()
    assert.equal("k: 2 -> 3", cni.diff({k = 2}, {k = 3}))
    assert.equal("w: 0.5 -> 1", cni.diff({w = 0.5}, {w = 1}))
  end)
end)

describe("canonical", function()
  it("is independent of insertion order", function()
    local a, b = {}, {}
    a.name = "n"; a.domains = {}; a.domains.x = {weight = 1, column = "c"}; a.domains.y = {column = "d"}
    a.rules = {r = {rule = "top", top = 0.1}}
    b.rules = {r = {top = 0.1, rule = "top"}}
    b.domains = {}; b.domains.y = {column = "d"}; b.domains.x = {}; b.domains.x.column = "c"; b.domains.x.weight = 1
    b.name = "n"
    local ca = S.canonical(a)
    assert.equal(ca, S.canonical(b))
    assert.equal('{domains={x={column="c",weight=1},y={column="d"}},name="n",rules={r={rule="top",top=0.1}}}', ca)
  end)

  it("also for tables built from many keys in reverse order", function()
    local a, b = {}, {}
    for i = 1, 30 do a["k" .. i] = i end
    for i = 30, 1, -1 do b["k" .. i] = i end
    assert.equal(S.canonical(a), S.canonical(b))
  end)

  it("lists keep their order; extends is left out; scalars", function()
    assert.equal('[3,1,"b"]', S.canonical({3, 1, "b"}))
    assert.equal('{a=1}', S.canonical({a = 1, extends = {a = 2}}))
    assert.equal('"a\\"b"', S.canonical('a"b'))
    assert.equal("true", S.canonical(true))
    assert.equal("<function>", S.canonical(print))
    assert.equal("{}", S.canonical({}))
    assert.equal('{f=<function>}', S.canonical({f = function() end}))
  end)

  it("differs when a value differs", function()
    local a, b = base(), base()
    b.rules.lb.dep_top = 0.2
    assert.are_not.equal(S.canonical(a), S.canonical(b))
  end)
end)

describe("closest and hint", function()
  it("suggests the nearest name (case-insensitive)", function()
    assert.equal("imd_score", S.closest("imd_scor", {"imd_rank", "imd_score", "lsoa_code"}))
    assert.equal("imd_score", S.closest("IMD_SCORE", {"imd_rank", "imd_score"}))
    assert.equal(" (did you mean 'imd_score'?)", S.hint("imd_scor", {"imd_rank", "imd_score"}))
  end)

  it("breaks ties alphabetically", function()
    -- 'ab' is one edit from both 'ac' and 'aa'
    assert.equal("aa", S.closest("ab", {"ac", "aa"}))
    assert.equal("aa", S.closest("ab", {"aa", "ac"}))
  end)

  it("gives nothing beyond max(2, len // 3) edits", function()
    -- 'zzzz': limit 2; 'imd' needs 4 edits
    assert.is_nil(S.closest("zzzz", {"imd"}))
    assert.equal("", S.hint("zzzz", {"imd"}))
    assert.equal("", S.hint("x", {}))
    -- 9 letters: limit 3; 3 substitutions is close enough, 4 is not
    assert.equal("abcxyzghi", S.closest("abcdefghi", {"abcxyzghi"}))
    assert.is_nil(S.closest("abcdefghi", {"abwxyzghi"}))
  end)
end)
