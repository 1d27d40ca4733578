# exit: 0
# stdout: from stdin 42
printf 'io.write("from stdin ", 6*7, "\\n")\n' | "$CNILUA" -
