# exit: 0
# stdout: coverage of imd: 0 wards have no lsoa areas (missing value, never flagged); 1 lookup targets are not wards
# A lookup whose codes reach areas outside the unit table is reported, not dropped silently.
"$CNILUA" "$FX/cli/spec.lua" --data "$FX/cli" --no-write
