# exit: 2
# stderr: cnilua: unexpected argument 'extra'
"$CNILUA" explain W06 "$FX/compare/base.lua" "$FX/compare/weights.lua" extra
