# exit: 3
# stderr: list.csv: no code column 'cdoe' (did you mean 'code'?)
"$CNILUA" compare "$FX/compare/base.lua" --list "$FX/compare/list.csv:cdoe" --data "$FX/compare"
