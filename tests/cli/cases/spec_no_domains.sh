# exit: 3
# stderr: cnilua: domains: at least one domain is needed
cat > v.lua <<'LUA'
local base = dofile(os.getenv("FX") .. "/cli/spec.lua")
return cni.variant(base, {domains = {civic = cni.drop, conn = cni.drop, engaged = cni.drop}})
LUA
"$CNILUA" v.lua --data "$FX/cli" --no-write
