# exit: 3
# stderr: cnilua: inputs.wards.file:
cat > v.lua <<'LUA'
local base = dofile(os.getenv("FX") .. "/cli/spec.lua")
return cni.variant(base, {inputs = {wards = {file = "nope.csv"}}})
LUA
"$CNILUA" v.lua --data "$FX/cli" --no-write
