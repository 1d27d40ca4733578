# exit: 3
# stderr: cnilua: unit.population: column 'pop' has 1 areas with a missing, zero or negative population
cat > v.lua <<'LUA'
local base = dofile(os.getenv("FX") .. "/cli/spec.lua")
return cni.variant(base, {inputs = {wards = {file = "wards_badpop.csv"}}})
LUA
"$CNILUA" v.lua --data "$FX/cli" --no-write
