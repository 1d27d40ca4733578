# exit: 0
# stdout: base: compare fixture base (12 areas, 2 flagged)
# stdout: weights 2/1/0.5                      2      1      1      1   0.333    0.4   0.8807  0.7385   1.333
# stdout:   index.weights: (absent) -> {a=2,b=1,c=0.5}
# Result folders written by runs, compared (no sweep without a build).
D=$FX/compare
"$CNILUA" run "$D/base.lua" --data "$D" -o base -q || exit 1
"$CNILUA" run "$D/weights.lua" --data "$D" -o weights -q || exit 1
"$CNILUA" compare base weights -o out || exit 2
test ! -e out/sweep.csv || exit 9
sed -n 2p out/movers_1.csv | grep -q '^W06,' || exit 10
