# exit: 0
# stdout: cnilua 0.1.0 (Lua 5.4
# no-stderr
"$CNILUA" --version
