-- cni.cli: the subcommands of the cnilua command and what happens to a
-- value returned by a script. main.c calls M.main(subcommand, args...) and
-- M.after_script(value, script_path); both return an exit code.
local M = {}

local commands = {}   -- name -> {summary = ..., run = function(args) -> code}
local order = {}      -- names in the order they are listed by 'help'

--- Registers a subcommand (used by the modules that implement them).
function M.register(name, summary, run)
  if not commands[name] then order[#order + 1] = name end
  commands[name] = {summary = summary, run = run}
end

local function usage_error(msg)
  error(setmetatable({kind = "usage", msg = msg}, {__tostring = function(e) return e.msg end}), 0)
end
M.usage_error = usage_error

M.register("help", "list the subcommands", function()
  io.write("usage: cnilua [options] [script [args]]\n       cnilua SUBCOMMAND [args]\n\nsubcommands:\n")
  for _, name in ipairs(order) do
    io.write(string.format("  %-12s %s\n", name, commands[name].summary))
  end
  io.write("\nRun 'cnilua --help' for the interpreter options.\n")
  return 0
end)

-- Subcommands implemented in other modules register themselves when loaded.
local providers = {"cni.run", "cni.compare", "cni.explain", "cni.maps", "cni.uncertainty"}

function M.main(name, ...)
  for _, p in ipairs(providers) do pcall(require, p) end
  local c = commands[name]
  if not c then
    usage_error(string.format("'%s' is not available in this version (run 'cnilua help')", name))
  end
  return c.run({...}) or 0
end

--- A script returned a value: an index spec is run (when cni.run is there);
-- anything else is ignored, as lua does.
function M.after_script(value, script)
  if type(value) == "table" and getmetatable(value) == nil and value.domains ~= nil then
    local ok, run = pcall(require, "cni.run")
    if not ok then
      usage_error(script .. " returned an index spec, but this version cannot run specs yet")
    end
    return run.run_spec(value, {script = script, args = arg}) or 0
  end
  return 0
end

return M
