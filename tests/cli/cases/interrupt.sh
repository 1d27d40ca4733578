# exit: 130
# no-valgrind
# stderr: cnilua: interrupted (Ctrl-C)
# Ctrl-C (SIGINT) during a long run stops cleanly with exit 130.
printf 'local x = 0\nwhile true do x = x + 1 end\n' > loop.lua
"$CNILUA" loop.lua &
pid=$!
sleep 1
kill -INT $pid
wait $pid
