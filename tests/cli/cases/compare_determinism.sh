# exit: 0
# Two runs of the same comparison write byte-identical files.
D=$FX/compare
"$CNILUA" compare "$D/base.lua" "$D/threshold.lua" "$D/weights.lua" --list "$D/list.csv" --data "$D" -o a -q || exit 1
"$CNILUA" compare "$D/base.lua" "$D/threshold.lua" "$D/weights.lua" --list "$D/list.csv" --data "$D" -o b -q || exit 1
test -s a/report.html || exit 8
diff -r a b >&2 || exit 9
