# exit: 1
# stderr: cnilua: s.lua:1: unexpected symbol near '?'
printf '? = 1\n' > s.lua
"$CNILUA" s.lua
