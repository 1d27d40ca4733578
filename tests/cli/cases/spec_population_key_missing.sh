# exit: 3
# stderr: cnilua: geography.imd.population: 1 of 20 areas of 'lsoa' have no population (first: L05)
cat > v.lua <<'LUA'
local base = dofile(os.getenv("FX") .. "/cli/spec.lua")
return cni.variant(base, {inputs = {pop = {file = "pop_partial.csv"}}})
LUA
"$CNILUA" v.lua --data "$FX/cli" --no-write
