# exit: 3
# stderr: cnilua: domains.civic.column: column 'civic' has no values: every area is missing
cat > v.lua <<'LUA'
local base = dofile(os.getenv("FX") .. "/cli/spec.lua")
return cni.variant(base, {inputs = {wards = {file = "wards_nocivic.csv"}}})
LUA
"$CNILUA" v.lua --data "$FX/cli" --no-write
