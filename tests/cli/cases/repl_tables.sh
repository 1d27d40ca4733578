# exit: 0
# stdout: cni.Table (2 rows x 2 cols)
# stdout: <string>  <number>
# stdout: cni.Column<number>[2] {1, 2}
# The interactive prompt (forced with -i, reading standard input) prints
# tables with their column types and first rows, and columns readably.
printf 'cni.table{{"code", {"A", "B"}}, {"x", {1, 2}}}\ncni.column{1, 2}\n' | "$CNILUA" -i
