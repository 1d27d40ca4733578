# exit: 3
# stderr: text_in_num.csv: row 3, column 'x': "abc" is not a number
"$CNILUA" -e "cni.read_csv(\"$FX/csv/text_in_num.csv\", {types = {x = \"number\"}})"
