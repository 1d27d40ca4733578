# exit: 2
# stderr: cnilua: unrecognized option '--frobnicate'
# stderr: usage: cnilua
"$CNILUA" --frobnicate
