-- tests/real/profile.lua: the real-data profile (scripts/real/profile2019.lua)
-- runs, and docs/findings.md shows exactly the table it computes.
-- Run: build/cnilua tests/real/profile.lua ROOT   (exit 77 = skipped)
local root = arg[1] or "."
local f = io.open(root .. "/../shared/data/real/README.md")
if not f then
  print("SKIPPED: real data folder not found; the real profile was not run")
  os.exit(77)
end
f:close()
local pass, fail = 0, 0
local function check(c, what) if c then pass = pass + 1 else fail = fail + 1; print("FAIL: " .. what) end end
local p = io.popen(string.format("cd '%s' && '%s' scripts/real/profile2019.lua --markdown", root, arg[-1]))
local out = p:read("a")
p:close()
local doc = io.open(root .. "/docs/findings.md"):read("a")
local n = 0
for line in out:gmatch("[^\n]+") do
  n = n + 1
  check(doc:find(line, 1, true) ~= nil, "docs/findings.md lacks the line: " .. line)
end
check(n >= 8, "the script printed the table (" .. n .. " lines)")
check(out:find("225 published left-behind wards", 1, true) ~= nil, "group counts")
print(string.format("%d passed, %d failed", pass, fail))
os.exit(fail == 0 and 0 or 1)
