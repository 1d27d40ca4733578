# exit: 3
# stderr: cnilua: rules.left_behind.dep: no deprivation index named 'imdd' (did you mean 'imd'?) (define it under 'geography')
cat > v.lua <<'LUA'
local base = dofile(os.getenv("FX") .. "/cli/spec.lua")
return cni.variant(base, {rules = {left_behind = {dep = "imdd"}}})
LUA
"$CNILUA" v.lua --data "$FX/cli" --no-write
