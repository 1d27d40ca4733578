# exit: 0
# stdout: comma locale active: 0,5
# stdout: 0.5,2.25
# stdout: 2.25
# stdout: "b"
# A comma-decimal locale must not leak into files: CSV and JSON keep '.'.
LC_ALL=de_DE.UTF-8 "$CNILUA" -e '
  assert(os.setlocale("de_DE.UTF-8"), "locale de_DE.UTF-8 is not installed (scripts/test.sh installs it)")
  print("comma locale active: " .. string.format("%.1f", 0.5))
  local t = cni.table{{"a", {0.5}}, {"b", {2.25}}}
  io.write(t:to_csv())
  print(cni.json_encode({b = 2.25}, {pretty = true}))
  local u = cni.parse_csv("x\n1.5\n")
  assert(u.x:get(1) == 1.5, "parse_csv under a comma locale")'
