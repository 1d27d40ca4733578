# exit: 2
# stderr: cnilua: compare: give a base and at least one variant
"$CNILUA" compare
