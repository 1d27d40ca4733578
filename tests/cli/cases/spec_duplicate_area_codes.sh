# exit: 3
# stderr: key column 'code': duplicate key 'W01' in data rows 1 and 11
cat > v.lua <<'LUA'
local base = dofile(os.getenv("FX") .. "/cli/spec.lua")
return cni.variant(base, {inputs = {wards = {file = "wards_dup.csv"}}})
LUA
"$CNILUA" v.lua --data "$FX/cli" --no-write
