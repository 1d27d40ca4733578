-- tests/real/robustness.lua: the worked example of docs/robustness-2019.md
-- shows exactly what scripts/real/robustness2019.lua computes (seeded, so
-- the same at any thread count).
-- Run: build/cnilua tests/real/robustness.lua ROOT   (exit 77 = skipped)
local root = arg[1] or "."
local f = io.open(root .. "/../shared/data/real/README.md")
if not f then
  print("SKIPPED: real data folder not found; the robustness example was not run")
  os.exit(77)
end
f:close()
local pass, fail = 0, 0
local function check(c, what) if c then pass = pass + 1 else fail = fail + 1; print("FAIL: " .. what) end end
local p = io.popen(string.format("cd '%s' && '%s' scripts/real/robustness2019.lua --markdown", root, arg[-1]))
local out = p:read("a")
p:close()
local doc = io.open(root .. "/docs/robustness-2019.md"):read("a")
local n = 0
for line in out:gmatch("[^\n]+") do
  n = n + 1
  check(doc:find(line, 1, true) ~= nil, "docs/robustness-2019.md lacks the line: " .. line)
end
check(n >= 225 + 10, "the script printed every ward (" .. n .. " lines)")
print(string.format("%d passed, %d failed", pass, fail))
os.exit(fail == 0 and 0 or 1)
