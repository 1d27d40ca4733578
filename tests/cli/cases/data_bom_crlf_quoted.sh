# exit: 0
# stdout: rows=3 code=A3 name=two
# stdout: bom=code,x rows=2
# A BOM, CRLF line ends and quoted newlines read without error.
"$CNILUA" -e '
  local t = cni.read_csv(os.getenv("FX") .. "/csv/quoted.csv")
  print(string.format("rows=%d code=%s name=%s", #t, t.code:get(3), t.name:get(3):match("^%w+")))
  local b = cni.read_csv(os.getenv("FX") .. "/csv/bom_crlf.csv")
  print("bom=" .. table.concat(b:names(), ",") .. " rows=" .. #b)'
