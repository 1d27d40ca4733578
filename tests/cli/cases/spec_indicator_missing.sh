# exit: 3
# stderr: cnilua: domains.civic.indicators[1]: no indicator named 'pubs'
cat > v.lua <<'LUA'
local base = dofile(os.getenv("FX") .. "/cli/spec.lua")
return cni.variant(base, {domains = {civic = {column = cni.drop, indicators = {"pubs"}}}})
LUA
"$CNILUA" v.lua --data "$FX/cli" --no-write
