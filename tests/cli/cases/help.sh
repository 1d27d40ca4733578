# exit: 0
# stdout: usage: cnilua [options] [script [args]]
# stdout: Exit codes: 0 ok, 1 script error, 2 usage, 3 bad data/spec/output
"$CNILUA" --help
