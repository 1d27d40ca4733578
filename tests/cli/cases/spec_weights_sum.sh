# exit: 3
# stderr: cnilua: index.weights_sum: the domain weights sum to 3, not 1 as declared
cat > v.lua <<'LUA'
local base = dofile(os.getenv("FX") .. "/cli/spec.lua")
return cni.variant(base, {index = {weights_sum = 1}})
LUA
"$CNILUA" v.lua --data "$FX/cli" --no-write
