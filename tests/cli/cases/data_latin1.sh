# exit: 3
# stderr: latin1.csv: row 2, column 'name': invalid UTF-8
# stderr: iconv
"$CNILUA" -e "cni.read_csv(\"$FX/csv/latin1.csv\")"
