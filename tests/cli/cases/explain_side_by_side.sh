# exit: 0
# stdout: compare fixture ba    weights 2/1/0.5
# stdout:   name                                                             Ford               Ford
# stdout:   imd (avg_score of lsoa)                                            30                 30
# stdout:   a weight                                                            1                  2
# stdout:   c contribution (weight x transformed)                               6                  3
# stdout:   ix_score                                                           21                 27
# stdout:   ix_rank (1 = most need, of 12)                                      4                2.5
# stdout:   ix_decile                                                           4                  3
# stdout:   left_behind: top 25% on ix AND top 50% on imd (by                  no                yes
"$CNILUA" explain W06 "$FX/compare/base.lua" "$FX/compare/weights.lua" --data "$FX/compare"
