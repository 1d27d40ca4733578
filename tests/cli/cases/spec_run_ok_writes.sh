# exit: 0
# stdout: left_behind: 2 flagged
# stdout: wrote out (results.csv, flagged.csv, reference_differences.csv, summary.json)
"$CNILUA" run "$FX/cli/spec.lua" --data "$FX/cli" -o out || exit 1
test -s out/results.csv && test -s out/summary.json || exit 9
