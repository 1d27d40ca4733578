/*
** lcni_core.c: luaopen_cni_core, the C module "cni.core" (Table and Column
** userdata, I/O and statistics functions).
** Layer: bindings.
*/
#include "lcni.h"

int luaopen_cni_core(lua_State *L) {
  lcni_open_table(L);
  lcni_open_stats(L);
  lcni_open_mc(L);
  lcni_open_geo(L);
  lua_newtable(L);                                   /* stack: module */
  luaL_setfuncs(L, lcni_table_funcs, 0);
  luaL_setfuncs(L, lcni_io_funcs, 0);
  luaL_setfuncs(L, lcni_stats_funcs, 0);
  luaL_setfuncs(L, lcni_mc_funcs, 0);
  luaL_setfuncs(L, lcni_geo_funcs, 0);
  lua_pushlightuserdata(L, NULL);
  lua_setfield(L, -2, "null");
  lua_pushliteral(L, CNI_VERSION);
  lua_setfield(L, -2, "version");
  /* table methods that live in the io file */
  luaL_getmetatable(L, LCNI_TABLE);                  /* stack: module, mt */
  lua_getfield(L, -1, "__methods");                  /* stack: module, mt, meths */
  lua_getfield(L, -3, "write_csv");
  lua_setfield(L, -2, "write_csv");
  lua_getfield(L, -3, "to_csv");
  lua_setfield(L, -2, "to_csv");
  lua_pop(L, 2);
  return 1;
}
