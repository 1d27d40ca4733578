# exit: 2
# stderr: cnilua: explain: cnilua explain AREA SPEC.lua [OTHER.lua]
"$CNILUA" explain W06
