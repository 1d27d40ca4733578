# exit: 3
# stderr: cnilua: domains.civic.weight: weights must be finite and >= 0, got -1
cat > v.lua <<'LUA'
local base = dofile(os.getenv("FX") .. "/cli/spec.lua")
return cni.variant(base, {domains = {civic = {weight = -1}}})
LUA
"$CNILUA" v.lua --data "$FX/cli" --no-write
