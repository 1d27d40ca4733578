# exit: 130
# no-valgrind
# stderr: cnilua: interrupted (Ctrl-C): partial results (
# stderr: of 3000000 draws) written to
# Ctrl-C during a long uncertainty run stops cleanly: the draws done are
# written, marked as partial (PARTIAL.txt, summary.json "partial": true).
cat > u.lua <<'LUA'
local base = dofile(os.getenv("ROOT") .. "/scripts/cni2019.lua")
return cni.variant(base, {name = "long run", map = cni.drop, profile = cni.drop,
  uncertainty = {draws = 3000000, seed = 1, weights = {dirichlet = 10}, percentiles = {0.5}}})
LUA
cd "$ROOT" || exit 9
out=$(mktemp -d)
"$CNILUA" uncertainty "$OLDPWD/u.lua" -o "$out/out" --quiet &
pid=$!
sleep 3
kill -INT $pid
wait $pid
code=$?
grep -q "draws" "$out/out/PARTIAL.txt" || exit 8
grep -q '"partial":	true' "$out/out/summary.json" || exit 7
rm -rf "$out"
exit $code
