# exit: 3
# stderr: cnilua: domains.civic.weight: expected a number, got string
cat > v.lua <<'LUA'
local base = dofile(os.getenv("FX") .. "/cli/spec.lua")
return cni.variant(base, {domains = {civic = {weight = "2"}}})
LUA
"$CNILUA" v.lua --data "$FX/cli" --no-write
