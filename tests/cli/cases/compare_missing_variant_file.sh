# exit: 2
# stderr: cnilua: cannot open
# stderr: nosuch.lua
"$CNILUA" compare "$FX/compare/base.lua" "$FX/compare/nosuch.lua" --data "$FX/compare"
