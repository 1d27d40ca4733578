# exit: 0
# stdout: base: compare fixture base (12 areas, 2 flagged)
# stdout: wider index threshold                4      2      0      2     0.5  0.571        1       1       0
# stdout: weights 2/1/0.5                      2      1      1      1   0.333    0.4   0.8807  0.7385   1.333
# stdout: flags nothing                        0      0      2      0       0      0        1       1       0
# stdout: rank shift: mean 1.333, median 1, max 3; 25% of areas move 2+ deciles (66.7% change decile)
# stdout:   rules.left_behind.index_top: 0.25 -> 0.5
# stdout:   index.ties: (absent) -> "average"
# stdout:   South                            0 ->     2  (+2)
# stdout:   North                            2 ->     1  (-1)
# stdout: threshold sweep of the base rule (flagged count; rows: ix top share, columns: imd top share)
# stdout:    20%     0     0     1     1     1     2
# stdout: wrote out (summary.csv, by_region.csv, by_la.csv, sweep.csv, movers_1.csv, movers_2.csv, movers_3.csv, compare.json, report.html)
# Hand-checked values: tests/lua/compare_spec.lua.
D=$FX/compare
"$CNILUA" compare "$D/base.lua" "$D/threshold.lua" "$D/weights.lua" "$D/empty.lua" --data "$D" -o out || exit 1
for f in summary.csv by_region.csv by_la.csv sweep.csv movers_1.csv movers_2.csv movers_3.csv compare.json report.html; do
  test -s "out/$f" || { echo "missing out/$f" >&2; exit 9; }
done
# movers of the weights variant: W06 enters, W01 leaves
sed -n 2p out/movers_2.csv | grep -q '^W06,Ford,Cove,South,1,4,FALSE,2.5,6,TRUE,9,0,-3$' || exit 10
sed -n 3p out/movers_2.csv | grep -q '^W01,Abbey,Aton,North,-1,2,TRUE,5,0.5,FALSE,5,0,-4.5$' || exit 11
grep -q '^weights 2/1/0.5,Aton,2,2,1,-1$' out/by_la.csv || exit 12
