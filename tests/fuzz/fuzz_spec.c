/*
** fuzz_spec.c: libFuzzer harness for spec loading and validation.
** FUZZ_EXTRA: src/lcni_*.c -I/usr/include/lua5.4 -llua5.4
**
** The input is read as JSON (cni.json_decode) into a Lua table of changes,
** merged into a small valid spec (tests/fixtures/cli/spec.lua) with
** cni.variant, validated, and built on the fixture data when valid; the
** input is also validated as a spec on its own. Spec, data and usage errors
** are the expected outcome of bad input; anything else (a raw Lua error from
** inside the library, a crash, a sanitizer report) is a finding: the
** harness aborts.
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>

#ifndef CNI_ROOT
#define CNI_ROOT "."
#endif

int luaopen_cni_core(lua_State *L);

static const char *DRIVER =
  "local input, root = ...\n"
  "local cni = require 'cni'\n"
  "local ok, changes = pcall(cni.json_decode, input)\n"
  "if not ok or type(changes) ~= 'table' then return true end\n"
  "local function expected(e)\n"
  "  return type(e) == 'table' and (e.kind == 'spec' or e.kind == 'data' or e.kind == 'usage'\n"
  "    or e.kind == 'io' or e.kind == 'runtime')\n"
  "end\n"
  "local base = dofile(root .. '/tests/fixtures/cli/spec.lua')\n"
  "local ok2, v = pcall(cni.variant, base, changes)\n"
  "if not ok2 then return expected(v) and true or ('variant: ' .. tostring(v)) end\n"
  "local ok3, e3 = pcall(cni.validate, v)\n"
  "if not ok3 and not expected(e3) then return 'validate: ' .. tostring(e3) end\n"
  "if ok3 then\n"
  "  local ok4, e4 = pcall(cni.build, v, {data = root .. '/tests/fixtures/cli'})\n"
  "  if not ok4 and not expected(e4) then return 'build: ' .. tostring(e4) end\n"
  "end\n"
  "local ok5, e5 = pcall(cni.validate, changes)\n"
  "if not ok5 and not expected(e5) then return 'validate(changes): ' .. tostring(e5) end\n"
  "return true\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  lua_State *L = luaL_newstate();
  if (L == NULL) return 0;
  luaL_openlibs(L);
  lua_getglobal(L, "package");
  lua_pushstring(L, CNI_ROOT "/lua/?.lua;" CNI_ROOT "/lua/?/init.lua");
  lua_setfield(L, -2, "path");
  lua_getfield(L, -1, "preload");
  lua_pushcfunction(L, luaopen_cni_core);
  lua_setfield(L, -2, "cni.core");
  lua_pop(L, 2);
  /* a bounded amount of work per input */
  if (luaL_loadstring(L, DRIVER) != LUA_OK) abort();
  lua_pushlstring(L, (const char *)data, size);
  lua_pushstring(L, CNI_ROOT);
  if (lua_pcall(L, 2, 1, 0) != LUA_OK) {
    fprintf(stderr, "fuzz_spec: driver error: %s\n", lua_tostring(L, -1));
    abort();
  }
  if (lua_type(L, -1) == LUA_TSTRING) {
    fprintf(stderr, "fuzz_spec: unexpected error kind: %s\n", lua_tostring(L, -1));
    abort();
  }
  lua_close(L);
  return 0;
}
