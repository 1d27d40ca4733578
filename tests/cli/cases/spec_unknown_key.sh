# exit: 3
# stderr: cnilua: domains.civic.colum: unknown key (did you mean 'column'?)
cat > v.lua <<'LUA'
local base = dofile(os.getenv("FX") .. "/cli/spec.lua")
return cni.variant(base, {domains = {civic = {colum = "civic"}}})
LUA
"$CNILUA" v.lua --data "$FX/cli" --no-write
