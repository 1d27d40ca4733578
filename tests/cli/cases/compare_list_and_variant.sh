# exit: 0
# stdout: weights 2/1/0.5                      2      1      1      1   0.333    0.4   0.8807  0.7385   1.333
# stdout: list.csv                             3      1      1      2    0.25   0.25       NA      NA      NA
# A spec variant and a list (first text column) together, nothing written.
D=$FX/compare
"$CNILUA" compare "$D/base.lua" "$D/weights.lua" --list "$D/list.csv" --data "$D" --no-write || exit 1
test ! -e out || exit 9
