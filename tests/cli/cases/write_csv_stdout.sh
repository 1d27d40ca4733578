# exit: 0
# stdout: code,name,score,flag
# stdout: A2,"say ""hi""",,FALSE
"$CNILUA" -e "cni.read_csv(\"$FX/csv/quoted.csv\"):write_csv(\"-\")"
