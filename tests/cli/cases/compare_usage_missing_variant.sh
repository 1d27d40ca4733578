# exit: 2
# stderr: cnilua: compare: give a base and at least one variant (spec files, result folders or --list CSV)
"$CNILUA" compare "$FX/compare/base.lua" --data "$FX/compare"
