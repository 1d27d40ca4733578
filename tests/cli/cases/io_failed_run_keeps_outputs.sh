# exit: 3
# stderr: results.csv: is a folder
# A run that fails while writing leaves the earlier outputs as they were.
"$CNILUA" run "$FX/cli/spec.lua" --data "$FX/cli" -o out --quiet 2>/dev/null || exit 9
sum1=$(cat out/flagged.csv out/summary.json | cksum)
rm out/results.csv && mkdir out/results.csv
"$CNILUA" run "$FX/cli/spec.lua" --data "$FX/cli" -o out --quiet
code=$?
sum2=$(cat out/flagged.csv out/summary.json | cksum)
[ "$sum1" = "$sum2" ] || exit 8
ls out | grep -q tmp && exit 7
exit $code
