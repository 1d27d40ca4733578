# exit: 0
# stdout: header only: 0 rows, 3 columns
# stdout: all missing: 5 of 5 missing, number
"$CNILUA" -e '
  local h = cni.read_csv(os.getenv("FX") .. "/csv/header_only.csv")
  print(string.format("header only: %d rows, %d columns", #h, h:ncol()))
  local m = cni.read_csv(os.getenv("FX") .. "/csv/all_missing.csv")
  print(string.format("all missing: %d of %d missing, %s", m.x:nmissing(), #m, m.x:type()))'
