# exit: 3
# stderr: cnilua: rules.two.k: must be between 1 and 3
cat > v.lua <<'LUA'
local base = dofile(os.getenv("FX") .. "/cli/spec.lua")
return cni.variant(base, {rules = {two = {rule = "k_of_n", k = 4, top = 0.3}}, flag = "left_behind"})
LUA
"$CNILUA" v.lua --data "$FX/cli" --no-write
