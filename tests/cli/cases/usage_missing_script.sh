# exit: 2
# stderr: cnilua: cannot open nosuch.lua
"$CNILUA" nosuch.lua
