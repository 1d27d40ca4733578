# exit: 0
# no-valgrind
# stdout: rerun: identical
# stdout: comma locale: identical
# stdout: threads 1 and 2: identical
# Outputs are byte-stable: a rerun, a comma-decimal locale set inside the
# process, and 1 or 2 threads give the same files.
cd "$ROOT" || exit 9
o=$(mktemp -d)
"$CNILUA" scripts/cni2019.lua -o "$o/a" --quiet 2>/dev/null || exit 1
"$CNILUA" scripts/cni2019.lua -o "$o/b" --quiet 2>/dev/null || exit 1
diff -r "$o/a" "$o/b" >/dev/null && echo "rerun: identical" || echo "rerun: DIFFERENT"
LC_ALL=de_DE.UTF-8 "$CNILUA" -e 'assert(os.setlocale("de_DE.UTF-8"), "de_DE.UTF-8 not installed")' scripts/cni2019.lua -o "$o/c" --quiet 2>/dev/null || exit 2
diff -r "$o/a" "$o/c" >/dev/null && echo "comma locale: identical" || echo "comma locale: DIFFERENT"
cat > "$o/u.lua" <<'LUA'
local base = dofile("scripts/cni2019.lua")
return cni.variant(base, {name = "threads", map = cni.drop, profile = cni.drop,
  uncertainty = {draws = 3000, seed = 5, weights = {dirichlet = 10}, transforms = {"exp", "normal"},
    sobol = {n = 128, bootstrap = 100}}})
LUA
"$CNILUA" uncertainty "$o/u.lua" --threads 1 -o "$o/t1" --quiet || exit 3
"$CNILUA" uncertainty "$o/u.lua" --threads 2 -o "$o/t2" --quiet || exit 4
diff -r "$o/t1" "$o/t2" >/dev/null && echo "threads 1 and 2: identical" || echo "threads 1 and 2: DIFFERENT"
rm -rf "$o"
