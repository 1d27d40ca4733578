# exit: 2
# stderr: cnilua: unknown option '--lst'
"$CNILUA" compare "$FX/compare/base.lua" "$FX/compare/weights.lua" --lst "$FX/compare/list.csv"
