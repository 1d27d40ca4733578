# exit: 3
# stderr: empty.csv: empty file (no header row)
"$CNILUA" -e "cni.read_csv(\"$FX/csv/empty.csv\")"
