# exit: 3
# stderr: ragged.csv: row 3: expected 3 fields (as in the header), got 2
"$CNILUA" -e "cni.read_csv(\"$FX/csv/ragged.csv\")"
