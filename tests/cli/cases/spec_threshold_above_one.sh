# exit: 3
# stderr: cnilua: rules.left_behind.dep_top: must be a share in (0, 1], got 1.5
cat > v.lua <<'LUA'
local base = dofile(os.getenv("FX") .. "/cli/spec.lua")
return cni.variant(base, {rules = {left_behind = {dep_top = 1.5}}})
LUA
"$CNILUA" v.lua --data "$FX/cli" --no-write
