-- CSV and JSON input/output (src/lcni_io.c).
local cni = require "cni"
local H = require "helper"
local NA = 0 / 0
local vals = H.vals
local fx = H.fixture

describe("read_csv", function()
  it("reads the wards fixture with inferred types", function()
    local t = cni.read_csv(fx("wards.csv"))
    assert.equal(12, #t)
    assert.same({"code", "name", "la", "region", "pop", "income", "employment", "health"}, t:names())
    assert.same({code = "string", name = "string", la = "string", region = "string", pop = "number",
                 income = "number", employment = "number", health = "number"}, t:types())
    assert.equal("Ferry, Upper", t.name[6])
    assert.is_nil(t.employment[3])       -- NA
    assert.equal(12000, t.pop:sum())     -- 1200+800+1000+600+1500+900+1100+700+1300+500+950+1450
  end)

  it("infers booleans (any case), numbers and strings", function()
    local t = cni.read_csv(fx("types.csv"))
    -- count holds "-", which is not a missing token by default: a string column
    assert.same({code = "string", flag = "boolean", count = "string", label = "string"}, t:types())
    assert.same({true, false, "NA", true}, vals(t.flag))
  end)

  it("type overrides", function()
    local t = cni.read_csv(fx("types.csv"), {types = {flag = "string"}, na = {"", "-"}})
    assert.same({"TRUE", "false", "NA", "True"}, vals(t.flag))
    local u = cni.read_csv(fx("types.csv"), {types = {count = "number"}, na = {"", "-"}})
    assert.same({1, 2, "NA", 4}, vals(u.count))
    assert.equal("number", u:types().count)
  end)

  it("default missing tokens: empty, NA, N/A, .., :", function()
    local t = cni.parse_csv("a,b\n1,NA\n2,..\n3,:\n4,N/A\n5,\n6,7\n")
    assert.equal("number", t:types().b)
    assert.same({"NA", "NA", "NA", "NA", "NA", 7}, vals(t.b))
  end)

  it("custom missing tokens replace the defaults", function()
    local t = cni.read_csv(fx("bad_number.csv"), {na = {"n.a."}})
    assert.same({1, 2, "NA", 4}, vals(t.value))
    local d = H.tmpdir()
    finally(function() H.rmtree(d) end)
    H.write_file(d .. "/x.csv", "a,b\n1,NA\n2,-\n")
    local u = cni.read_csv(d .. "/x.csv", {na = {"-"}})
    -- "NA" is now an ordinary string and "-" is missing
    assert.equal("string", u:types().b)
    assert.equal("NA", u.b[1])
    assert.is_nil(u.b[2])
  end)

  it("quoted fields hold commas, doubled quotes and newlines", function()
    local t = cni.read_csv(fx("quoted.csv"))
    assert.same({"Smith, J", "two\nlines", "NA"}, vals(t.name))
    assert.equal('said "hi"', t.note[1])
    assert.equal("spaced", t.note[3])     -- unquoted blanks are trimmed
    assert.same({1.5, "NA", 3}, vals(t.value))
  end)

  it("skips a UTF-8 byte-order mark and reads CRLF line ends", function()
    local t = cni.read_csv(fx("bom_crlf.csv"))
    assert.same({"code", "value"}, t:names())
    assert.same({"B1", "B2"}, vals(t.code))
    assert.same({10, 20}, vals(t.value))
  end)

  it("header-only file: no rows, numeric columns", function()
    local t = cni.parse_csv("a,b\n")
    assert.equal(0, #t)
    assert.same({a = "number", b = "number"}, t:types())
  end)

  it("blank lines are skipped; an empty header name becomes colN", function()
    assert.same({1, 3}, vals(cni.parse_csv("a,b\n\n1,2\n\n3,4\n").a))
    assert.same({"a", "col2", "c"}, cni.parse_csv("a,,c\n1,2,3\n"):names())
  end)

  it("select loads columns in the given order; rename renames on load", function()
    local t = cni.read_csv(fx("wards.csv"), {select = {"pop", "code"}, rename = {code = "ward"}})
    assert.same({"pop", "ward"}, t:names())
    assert.equal("W01", t.ward[1])
  end)

  it("delim reads other separators", function()
    local t = cni.parse_csv("a,b\n1,2\n")
    assert.same({"a", "b"}, t:names())
    local d = H.tmpdir()
    finally(function() H.rmtree(d) end)
    H.write_file(d .. "/semi.csv", "a;b\n1;2,5\n")
    local s = cni.read_csv(d .. "/semi.csv", {delim = ";"})
    assert.same({"a", "b"}, s:names())
    assert.same({"2,5"}, vals(s.b))
  end)

  it("max_bytes refuses larger files", function()
    H.cni_err("data", {"wards.csv", "over the limit of 10 bytes", "max_bytes"}, function()
      return cni.read_csv(fx("wards.csv"), {max_bytes = 10})
    end)
  end)

  describe("errors", function()
    it("select of an unknown column suggests the closest", function()
      local e = H.cni_err("data", {"wards.csv", "no column 'cdoe' (did you mean 'code'?)"}, function()
        return cni.read_csv(fx("wards.csv"), {select = {"cdoe"}})
      end)
      assert.truthy(e.file:find("wards.csv", 1, true))
    end)

    it("rename of an unknown column suggests the closest", function()
      H.cni_err("data", "cannot rename unknown column 'naem' (did you mean 'name'?)", function()
        return cni.read_csv(fx("wards.csv"), {rename = {naem = "x"}})
      end)
    end)

    it("rename into an existing name", function()
      H.cni_err("data", "two columns would be named 'name' after renaming", function()
        return cni.read_csv(fx("wards.csv"), {rename = {code = "name"}})
      end)
    end)

    it("type override for an unknown column", function()
      H.cni_err("data", "type given for unknown column 'popp' (did you mean 'pop'?)", function()
        return cni.read_csv(fx("wards.csv"), {types = {popp = "number"}})
      end)
    end)

    it("ragged row names file and row", function()
      local e = H.cni_err("data", {"ragged.csv", "row 3", "expected 2 fields (as in the header), got 3"}, function()
        return cni.read_csv(fx("ragged.csv"))
      end)
      assert.equal(3, e.row)
    end)

    it("duplicate header names both columns", function()
      local e = H.cni_err("data", {"dup_header.csv", "row 1", "duplicate column name 'code' (columns 1 and 3)"},
        function() return cni.read_csv(fx("dup_header.csv")) end)
      assert.equal(1, e.row)
    end)

    it("non-numeric token in a declared numeric column names row, column and token", function()
      local e = H.cni_err("data", {"bad_number.csv", "row 4, column 'value'", '"n.a." is not a number',
                                   "missing-value list"},
        function() return cni.read_csv(fx("bad_number.csv"), {types = {value = "number"}}) end)
      assert.equal(4, e.row)
      assert.equal(2, e.col)
      assert.truthy(e.file:find("bad_number.csv", 1, true))
    end)

    it("an undeclared column with a non-numeric token becomes a string column", function()
      assert.equal("string", cni.read_csv(fx("bad_number.csv")):types().value)
    end)

    it("empty file", function()
      H.cni_err("data", {"empty.csv", "empty file (no header row)"}, function() return cni.read_csv(fx("empty.csv")) end)
    end)

    it("missing file is an io error naming the file", function()
      H.cni_err("io", {"no_such_file.csv", "No such file or directory"}, function()
        return cni.read_csv(fx("no_such_file.csv"))
      end)
    end)

    it("invalid UTF-8 names file, row, column and byte, with a hint", function()
      local e = H.cni_err("data", {"bad_utf8.csv", "row 3, column 'name'", "invalid UTF-8", "iconv"},
        function() return cni.read_csv(fx("bad_utf8.csv")) end)
      assert.equal(3, e.row)
      assert.equal(2, e.col)
    end)

    it("utf8 = false accepts the bytes as they are", function()
      local t = cni.read_csv(fx("bad_utf8.csv"), {utf8 = false})
      assert.equal("caf\xe9", t.name[2])
    end)

    it("malformed quoting", function()
      H.cni_err("data", {"(string)", "row 2", "malformed CSV", "quoted field is not closed"},
        function() return cni.parse_csv('a,b\n"x,2\n') end)
    end)

    it("option errors are usage errors with suggestions", function()
      H.cni_err("usage", "read_csv: unknown option 'nna' (did you mean 'na'?)", function()
        return cni.read_csv(fx("wards.csv"), {nna = {}})
      end)
      H.cni_err("usage", "read_csv: types.pop: expected 'number', 'string' or 'boolean', got 'numbr'", function()
        return cni.read_csv(fx("wards.csv"), {types = {pop = "numbr"}})
      end)
      H.cni_err("usage", "read_csv: option 'delim' must be one character", function()
        return cni.read_csv(fx("wards.csv"), {delim = ";;"})
      end)
      H.cni_err("usage", "read_csv: option 'na': expected a list of strings", function()
        return cni.read_csv(fx("wards.csv"), {na = "-"})
      end)
      H.cni_err("usage", "read_csv: option 'select': element 1 is not a string", function()
        return cni.read_csv(fx("wards.csv"), {select = {1}})
      end)
      H.cni_err("usage", "option 'utf8': expected a boolean, got string", function()
        return cni.read_csv(fx("wards.csv"), {utf8 = "no"})
      end)
    end)
  end)
end)

describe("parse_csv", function()
  it("reads CSV text", function()
    local t = cni.parse_csv("a,b\n1,x\n2,y\n")
    assert.same({1, 2}, vals(t.a))
    assert.same({"x", "y"}, vals(t.b))
  end)

  it("honours the read_csv options", function()
    -- BUG: l_parse_csv ignores its second argument (passes NULL options to
    -- cni_csv_read_mem), so na/types/select/rename/delim are silently dropped.
    local t = cni.parse_csv("a,b\n1,x\n2,y\n", {na = {"x"}, types = {a = "string"}})
    assert.same({"NA", "y"}, vals(t.b))
    assert.equal("string", t:types().a)
  end)
end)

describe("write_csv and to_csv", function()
  local t = cni.table{
    {"a", {1 / 3, 2, NA, 1e20, -0.5, 123456.789}},
    {"s", {" lead", "x,y", 'q"', "", cni.null, "trail "}},
  }

  it("quotes delimiters, quotes and leading/trailing blanks; missing is empty", function()
    -- numbers: 15 significant digits by default (as R's write.csv)
    assert.equal(table.concat({
      "a,s",
      '0.333333333333333," lead"',
      '2,"x,y"',
      ',"q"""',
      "1e+20,",
      "-0.5,",
      '123456.789,"trail "',
      "",
    }, "\n"), t:to_csv())
  end)

  it("na token and digits", function()
    local s = t:to_csv{na = "NA", digits = 3}
    assert.truthy(s:find("\n0.333,", 1, true))
    assert.truthy(s:find("\nNA,", 1, true))
    assert.truthy(s:find("\n-0.5,NA\n", 1, true))
    assert.truthy(s:find("\n1.23e+05,", 1, true))
  end)

  it("digits = 0 writes the shortest exact form", function()
    local s = t:to_csv{digits = 0}
    assert.truthy(s:find("\n0.3333333333333333,", 1, true))
    assert.truthy(s:find("\n123456.789,", 1, true))
  end)

  it("decimals gives fixed notation", function()
    local s = t:to_csv{decimals = 2}
    assert.truthy(s:find("\n0.33,", 1, true))
    assert.truthy(s:find("\n2.00,", 1, true))
    assert.truthy(s:find("\n123456.79,", 1, true))
  end)

  it("booleans are written TRUE/FALSE; strings with newlines are quoted", function()
    local b = cni.table{{"f", {true, false, cni.null}}, {"s", {"a\nb", "c", "d"}}}
    assert.equal('f,s\nTRUE,"a\nb"\nFALSE,c\n,d\n', b:to_csv())
  end)

  it("delim changes the separator and what needs quoting", function()
    assert.equal('a;b\n1;x,y\n', cni.table{{"a", {1}}, {"b", {"x,y"}}}:to_csv{delim = ";"})
  end)

  it("option errors", function()
    H.cni_err("usage", "write_csv: option 'digits' must be at most 17", function() return t:to_csv{digits = 18} end)
    H.cni_err("usage", "write_csv: unknown option 'dgits' (did you mean 'digits'?)", function()
      return t:to_csv{dgits = 1}
    end)
    H.cni_err("usage", "option 'digits': expected an integer, got string", function() return t:to_csv{digits = "3"} end)
  end)

  it("round-trips through a file exactly with digits = 0", function()
    local d = H.tmpdir()
    finally(function() H.rmtree(d) end)
    local path = d .. "/round.csv"
    local src = cni.table{{"x", {0.1, 1 / 3, -2.5e-10, 12345678901234, NA}}, {"s", {"a", " b", 'c"', "d,e", cni.null}}}
    assert.is_true(rawequal(src, src:write_csv(path, {digits = 0})))
    local back = cni.read_csv(path)
    assert.equal(0.1, back.x[1])
    assert.equal(1 / 3, back.x[2])
    assert.equal(-2.5e-10, back.x[3])
    assert.equal(12345678901234, back.x[4])
    assert.is_nil(back.x[5])
    assert.same({"a", " b", 'c"', "d,e", "NA"}, vals(back.s))
  end)

  it("cni.write_csv(t, path) is the same as t:write_csv(path)", function()
    local d = H.tmpdir()
    finally(function() H.rmtree(d) end)
    cni.write_csv(t, d .. "/f.csv")
    assert.equal(t:to_csv(), H.read_file(d .. "/f.csv"))
  end)

  it("creates parent folders and leaves no temporary file", function()
    local d = H.tmpdir()
    finally(function() H.rmtree(d) end)
    t:write_csv(d .. "/sub/deeper/out.csv")
    assert.same({"sub"}, H.ls(d))
    assert.same({"out.csv"}, H.ls(d .. "/sub/deeper"))
  end)

  it("a failed write leaves the folder as it was", function()
    local d = H.tmpdir()
    finally(function() H.rmtree(d) end)
    cni.mkdirs(d .. "/target")
    H.cni_err("io", "is a folder", function() t:write_csv(d .. "/target") end)
    assert.same({"target"}, H.ls(d))
    H.write_file(d .. "/plain", "x")
    H.cni_err("io", "exists and is not a folder", function() t:write_csv(d .. "/plain/x.csv") end)
    assert.same({"plain", "target"}, H.ls(d))
  end)

  it("refuses to overwrite a file that was read as input, by any path", function()
    local d = H.tmpdir()
    finally(function() H.rmtree(d) end)
    local path = d .. "/in.csv"
    H.write_file(path, "a\n1\n")
    local r = cni.read_csv(path)
    H.cni_err("io", "refusing to overwrite a file that was read as input", function() r:write_csv(path) end)
    H.cni_err("io", "refusing to overwrite", function() r:write_csv(d .. "/../" .. d:match("[^/]+$") .. "/in.csv") end)
    H.cni_err("io", "refusing to overwrite", function() cni.write_text(path, "x") end)
    assert.equal("a\n1\n", H.read_file(path))
  end)

  it("overwriting a file this run wrote (but never read) is allowed", function()
    local d = H.tmpdir()
    finally(function() H.rmtree(d) end)
    t:write_csv(d .. "/o.csv")
    t:write_csv(d .. "/o.csv")  -- overwrite own output: fine
  end)
end)

describe("format_number", function()
  it("shortest exact by default; digits; decimals; NA", function()
    assert.equal("0.3333333333333333", cni.format_number(1 / 3))
    assert.equal("0.333", cni.format_number(1 / 3, 3))
    assert.equal("0.33", cni.format_number(1 / 3, nil, 2))
    assert.equal("NA", cni.format_number(NA))
    assert.equal("2", cni.format_number(2))
    assert.equal("0.1", cni.format_number(0.1))
    assert.equal("-1250000", cni.format_number(-1.25e6))
  end)
end)

describe("JSON", function()
  it("decodes objects, arrays, numbers, strings, booleans and null", function()
    local v = cni.json_decode('{"a": [1, 2.5, null, "s"], "b": {"c": true}, "d": false}')
    assert.equal(1, v.a[1])
    assert.equal("integer", math.type(v.a[1]))
    assert.equal(2.5, v.a[2])
    assert.equal(cni.null, v.a[3])
    assert.equal("s", v.a[4])
    assert.is_true(v.b.c)
    assert.is_false(v.d)
    assert.equal("x", cni.json_decode('"x"'))
    assert.equal(cni.null, cni.json_decode("null"))
  end)

  it("reads a JSON file", function()
    local c = cni.read_json(fx("config.json"))
    assert.equal("test index", c.name)
    assert.same({"income", "employment", "health"}, c.domains)
    assert.equal(0.5, c.weights.income)
    assert.equal(2024, c.year)
    assert.equal(cni.null, c.note)
  end)

  it("encodes with sorted keys; NaN and cni.null become null", function()
    assert.equal('{"a":[1,2,3],"b":1,"c":"x","d":null,"e":null,"f":true,"g":{}}',
      cni.json_encode({b = 1, a = {1, 2, 3}, c = "x", d = NA, e = cni.null, f = true, g = {}}))
    assert.equal('[1.5,"a\\n",false]', cni.json_encode({1.5, "a\n", false}))
    assert.equal("null", cni.json_encode(1 / 0))
  end)

  it("encodes columns as arrays and tables as objects of arrays", function()
    local t = cni.table{{"a", {1, NA}}, {"s", {"x", cni.null}}}
    assert.equal('{"a":[1,null],"s":["x",null]}', cni.json_encode(t))
    assert.equal('[1,null]', cni.json_encode(t.a))
  end)

  it("empty tables are objects unless marked as arrays; mixed tables are objects", function()
    assert.equal("{}", cni.json_encode({}))
    assert.equal("[]", cni.json_encode(setmetatable({}, {__jsontype = "array"})))
    assert.equal('{"1":1,"2":2,"x":3}', cni.json_encode({1, 2, x = 3}))
  end)

  it("pretty output", function()
    assert.equal('{\n\t"x":\t1\n}', cni.json_encode({x = 1}, {pretty = true}))
  end)

  it("round-trips through write_json/read_json", function()
    local d = H.tmpdir()
    finally(function() H.rmtree(d) end)
    local value = {z = 1, a = {1, 2.5, "three", false}, m = {k = "v"}, n = cni.null}
    cni.write_json(d .. "/v.json", value)
    assert.same({"v.json"}, H.ls(d))
    local text = H.read_file(d .. "/v.json")
    assert.truthy(text:find('"a"', 1, true) < text:find('"m"', 1, true))  -- sorted keys
    assert.truthy(text:find('"m"', 1, true) < text:find('"z"', 1, true))
    assert.same(value, cni.read_json(d .. "/v.json"))
    H.cni_err("io", "refusing to overwrite a file that was read as input", function()
      cni.write_json(d .. "/v.json", {})
    end)
  end)

  it("encode errors", function()
    H.cni_err("runtime", "JSON: cannot encode a function value", function() return cni.json_encode({f = print}) end)
    H.cni_err("runtime", "JSON: table keys must be strings or numbers", function()
      return cni.json_encode({[true] = 1})
    end)
  end)

  it("keeps the values of non-integer numeric keys", function()
    -- BUG: to_json looks a numeric key up again with strtoll(key), so the
    -- key 1.5 fetches t[1] (nil here) and the value is lost: {"1.5":null}.
    assert.equal('{"1.5":"x","a":1}', cni.json_encode({[1.5] = "x", a = 1}))
  end)

  it("decode errors give line and column", function()
    local e = H.cni_err("data", "(string):2:3: invalid JSON", function() return cni.json_decode('{"a": [1, 2,\n  }') end)
    assert.equal(2, e.row)
    assert.equal(3, e.col)
    H.cni_err("data", "(string):1:1: invalid JSON (unexpected end of input)", function() return cni.json_decode("") end)
    H.cni_err("data", "invalid JSON", function() return cni.json_decode("[1, 2") end)
  end)

  it("file decode errors name the file", function()
    local e = H.cni_err("data", {"bad.json:3:6: invalid JSON"}, function() return cni.read_json(fx("bad.json")) end)
    assert.truthy(e.file:find("bad.json", 1, true))
    H.cni_err("io", {"nope.json", "No such file or directory"}, function() return cni.read_json(fx("nope.json")) end)
  end)

  it("rejects trailing content after the value", function()
    -- BUG: cJSON_ParseWithLengthOpts is called with require_null_terminated
    -- = 0, so "[1] x" decodes as {1} and the rest is silently ignored.
    H.cni_err("data", "invalid JSON", function() return cni.json_decode("[1] x") end)
  end)
end)

describe("write_text and mkdirs", function()
  it("write_text writes atomically, creating folders", function()
    local d = H.tmpdir()
    finally(function() H.rmtree(d) end)
    cni.write_text(d .. "/a/b.txt", "hello\n")
    assert.equal("hello\n", H.read_file(d .. "/a/b.txt"))
    assert.same({"b.txt"}, H.ls(d .. "/a"))
  end)

  it("mkdirs creates nested folders and fails on a file in the way", function()
    local d = H.tmpdir()
    finally(function() H.rmtree(d) end)
    cni.mkdirs(d .. "/x/y/z")
    assert.same({"y"}, H.ls(d .. "/x"))
    cni.mkdirs(d .. "/x/y/z")  -- again: fine
    H.write_file(d .. "/f", "")
    H.cni_err("io", "exists and is not a folder", function() cni.mkdirs(d .. "/f/g") end)
  end)
end)
