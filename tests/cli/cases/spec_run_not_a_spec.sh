# exit: 3
# stderr: cnilua: x.lua: does not return a spec table
printf 'return 42\n' > x.lua
"$CNILUA" run x.lua
