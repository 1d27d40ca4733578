# exit: 3
# stderr: refusing to overwrite a file that was read as input
cp "$FX/csv/quoted.csv" in.csv
"$CNILUA" -e 'cni.read_csv("in.csv"):write_csv("in.csv")'
code=$?
cmp in.csv "$FX/csv/quoted.csv" || exit 9
exit $code
