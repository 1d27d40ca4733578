# exit: 0
# stdout:   imd rank                                                           NA
# stdout:   imd (avg_score of lsoa)                                            NA
# Missing values show as NA (W12 has no LSOA, so no IMD): not as an empty
# cell, which would read as "no such entry in this spec" side by side.
"$CNILUA" explain W12 "$FX/compare/base.lua" --data "$FX/compare"
