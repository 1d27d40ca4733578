# exit: 2
# stderr: cnilua: option '--list' needs a CSV file
"$CNILUA" compare "$FX/compare/base.lua" --list
