# exit: 0
# stdout: base: compare fixture base (12 areas, 2 flagged)
# stdout: list.csv                             3      1      1      2    0.25   0.25       NA      NA      NA
# stdout:   East                             0 ->     1  (+1)
# stdout: 1 codes of the variant are not areas of the base (first: X99)
# stdout: wrote out (summary.csv, by_region.csv, by_la.csv, sweep.csv, movers_1.csv, compare.json, report.html)
# An external list (code column named): flags only, no rank figures.
D=$FX/compare
"$CNILUA" compare "$D/base.lua" --list "$D/list.csv:code" --data "$D" -o out || exit 1
grep -q '^list.csv,list,3,1,1,2,0.25,0.25,,,,,,,$' out/summary.csv || exit 9
head -1 out/movers_1.csv | grep -q '^code,name,la,region,change,base_rank,base_flag,variant_flag$' || exit 10
