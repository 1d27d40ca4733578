# exit: 0
# stdout: 4
"$CNILUA" -l string -e "print(string.len(\"abcd\"))"
