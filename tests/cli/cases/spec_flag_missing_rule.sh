# exit: 3
# stderr: cnilua: flag: no rule named 'left_behnd' (did you mean 'left_behind'?)
cat > v.lua <<'LUA'
local base = dofile(os.getenv("FX") .. "/cli/spec.lua")
return cni.variant(base, {flag = "left_behnd"})
LUA
"$CNILUA" v.lua --data "$FX/cli" --no-write
