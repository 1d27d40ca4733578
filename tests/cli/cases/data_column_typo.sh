# exit: 3
# stderr: no column 'scor' (did you mean 'score'?)
"$CNILUA" -e "cni.read_csv(\"$FX/csv/quoted.csv\"):col(\"scor\")"
