-- Load a CSV (the issue-2 benchmark): cnilua side. usage: cnilua csv_load.lua FILE
local t = cni.read_csv(arg[1])
print(string.format("rows=%d cols=%d", #t, t:ncol()))
