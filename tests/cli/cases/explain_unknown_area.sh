# exit: 3
# stderr: cnilua: no area 'X99' in compare fixture base
"$CNILUA" explain X99 "$FX/compare/base.lua" --data "$FX/compare"
