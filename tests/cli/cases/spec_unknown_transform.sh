# exit: 3
# stderr: cnilua: domain_transform: unknown value 'expo' (did you mean 'exp'?) (one of: exp, normal, rank, none)
cat > v.lua <<'LUA'
local base = dofile(os.getenv("FX") .. "/cli/spec.lua")
return cni.variant(base, {domain_transform = "expo"})
LUA
"$CNILUA" v.lua --data "$FX/cli" --no-write
