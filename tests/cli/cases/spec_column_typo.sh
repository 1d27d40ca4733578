# exit: 3
# stderr: cnilua: domains.civic.column: no column 'civc' in wards.csv (did you mean 'civic'?)
cat > v.lua <<'LUA'
local base = dofile(os.getenv("FX") .. "/cli/spec.lua")
return cni.variant(base, {domains = {civic = {column = "civc"}}})
LUA
"$CNILUA" v.lua --data "$FX/cli" --no-write
