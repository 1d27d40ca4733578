# exit: 3
# stderr: cnilua: rules.left_behind.index_top: must be a share in (0, 1], got 0
cat > v.lua <<'LUA'
local base = dofile(os.getenv("FX") .. "/cli/spec.lua")
return cni.variant(base, {rules = {left_behind = {index_top = 0}}})
LUA
"$CNILUA" v.lua --data "$FX/cli" --no-write
