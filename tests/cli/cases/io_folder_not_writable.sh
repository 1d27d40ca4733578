# exit: 3
# stderr: /proc/cnilua-test: cannot create folder
# An output folder that cannot be created (even by root): clear error, exit 3.
"$CNILUA" -e 'cni.read_csv("'"$FX"'/csv/quoted.csv"):write_csv("/proc/cnilua-test/out.csv")'
