# exit: 1
# stderr: cnilua: v.lua:2: variant went wrong
printf 'local base = dofile(os.getenv("FX") .. "/cli/spec.lua")\nerror("variant went wrong")\nreturn base\n' > v.lua
"$CNILUA" v.lua --no-write
