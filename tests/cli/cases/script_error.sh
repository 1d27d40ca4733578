# exit: 1
# stderr: cnilua: s.lua:2: boom
printf 'local x = 1\nerror("boom")\n' > s.lua
"$CNILUA" s.lua
