# exit: 0
# stdout: fixture index (variant): 500 draws
# stdout: Jaccard with the base list
# A small uncertainty run writes its files.
cat > u.lua <<'LUA'
local base = dofile(os.getenv("FX") .. "/cli/spec.lua")
return cni.variant(base, {uncertainty = {draws = 500, seed = 3, weights = {bounds = 0.5},
  transforms = {"exp", "rank"}, sobol = {n = 64, bootstrap = 50}}})
LUA
"$CNILUA" uncertainty u.lua --data "$FX/cli" -o out || exit 1
for f in per_area.csv draws.csv sobol.csv summary.json report.html; do test -s out/$f || exit 9; done
