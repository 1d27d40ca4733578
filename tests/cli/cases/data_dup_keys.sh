# exit: 3
# stderr: key column 'code': duplicate key 'A' in data rows 1 and 2
"$CNILUA" -e "cni.read_csv(\"$FX/csv/dup_keys.csv\"):check_key(\"code\")"
