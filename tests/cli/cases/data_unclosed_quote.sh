# exit: 3
# stderr: unclosed_quote.csv: row
# stderr: malformed CSV
"$CNILUA" -e "cni.read_csv(\"$FX/csv/unclosed_quote.csv\")"
