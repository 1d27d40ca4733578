# exit: 2
# stderr: cnilua: '-e' needs an argument
"$CNILUA" -e
