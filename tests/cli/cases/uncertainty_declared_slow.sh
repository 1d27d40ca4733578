# exit: 0
# stdout: fixture index (variant): 20 draws
# The declared slower-path choices: the LSOA-to-ward measure and, on an
# indicator-built index, indicator weights and inclusion.
cat > u.lua <<'LUA'
local base = dofile(os.getenv("FX") .. "/cli/spec.lua")
return cni.variant(base, {uncertainty = {draws = 20, seed = 2, measures = {"avg_score", "wmean", "max"}}})
LUA
"$CNILUA" uncertainty u.lua --data "$FX/cli" -o out || exit 1
test -s out/per_area.csv || exit 9
