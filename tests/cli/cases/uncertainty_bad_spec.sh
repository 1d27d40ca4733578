# exit: 3
# stderr: cnilua: uncertainty.thresholds.index_top[2]: must be a share in (0, 1], got 1.2
cat > u.lua <<'LUA'
local base = dofile(os.getenv("FX") .. "/cli/spec.lua")
return cni.variant(base, {uncertainty = {thresholds = {index_top = {0.1, 1.2}}}})
LUA
"$CNILUA" uncertainty u.lua --data "$FX/cli" --no-write
