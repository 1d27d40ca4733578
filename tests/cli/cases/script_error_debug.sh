# exit: 1
# stderr: cnilua: s.lua:1: boom
# stderr: stack traceback:
printf 'error("boom")\n' > s.lua
"$CNILUA" --debug s.lua
