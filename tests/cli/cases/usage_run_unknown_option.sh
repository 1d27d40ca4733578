# exit: 2
# stderr: cnilua: unknown option '--dat' (did you mean '--data'?)
"$CNILUA" run "$FX/cli/spec.lua" --dat x
