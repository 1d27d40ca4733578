# exit: 2
# stderr: read_csv: unknown option 'tpyes' (did you mean 'types'?)
"$CNILUA" -e "cni.read_csv(\"$FX/csv/quoted.csv\", {tpyes = {}})"
