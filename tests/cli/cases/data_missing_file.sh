# exit: 3
# stderr: cnilua: (command line):1: nope.csv: No such file or directory
"$CNILUA" -e "cni.read_csv(\"nope.csv\")"
