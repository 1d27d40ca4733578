# exit: 0
# stdout: 3 a b c
# no-stderr
printf 'io.write(#arg, " ", arg[1], " ", arg[2], " ", arg[3], "\\n")\n' > s.lua
"$CNILUA" s.lua a b c
