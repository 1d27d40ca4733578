# exit: 3
# stderr: big.csv: file is 2200000000 bytes, over the limit of 1073741824 bytes for one table
# A 2 GB file (sparse: no disk used) is refused with a clear message instead of exhausting memory.
truncate -s 2200000000 big.csv
"$CNILUA" -e 'cni.read_csv("big.csv")'
