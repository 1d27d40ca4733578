# exit: 3
# stderr: dup_header.csv: row 1: duplicate column name 'x' (columns 2 and 3)
"$CNILUA" -e "cni.read_csv(\"$FX/csv/dup_header.csv\")"
