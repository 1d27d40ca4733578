# exit: 0
# no-stderr
# stdout: compare fixture base
# stdout: [geography]
# stdout:   name                                                              Lea
# stdout:   ix_score                                                           12
# stdout:   ix_rank (1 = most need, of 12)                                     11
# stdout:   left_behind: top 25% on ix AND top 50% on imd (by                  no
# W12 has no LSOA (IMD missing): explained with one spec.
"$CNILUA" explain W12 "$FX/compare/base.lua" --data "$FX/compare"
