/*
** lcni.h: internals shared by the Lua bindings (src/lcni_*.c).
** Layer: bindings. Argument checks, userdata, errors; no arithmetic here.
*/
#ifndef LCNI_H
#define LCNI_H

#include <lua.h>
#include <lauxlib.h>

#include "cni.h"
#include "cni_table.h"

#define LCNI_TABLE "cni.Table"
#define LCNI_COLUMN "cni.Column"
#define LCNI_GROUPS "cni.Groups"
#define LCNI_ERROR "cni.Error"
#define LCNI_INPUTS "cni.inputs"   /* registry: realpath -> true */

typedef struct lcni_tbox { cni_table *t; } lcni_tbox;
typedef struct lcni_cbox { cni_column *c; } lcni_cbox;

cni_table *lcni_checktable(lua_State *L, int i);
cni_column *lcni_checkcolumn(lua_State *L, int i);
cni_column *lcni_tocolumn(lua_State *L, int i);   /* NULL if not a Column */
/* Push new userdata owning the pointer (NULL -> raises out of memory). */
void lcni_pushtable(lua_State *L, cni_table *t);
void lcni_pushcolumn(lua_State *L, cni_column *c);
/* Tells the Lua collector about a new column's memory (which it does not
** see otherwise), so that columns a script no longer uses are collected
** as the script allocates more: one collector step per 32 MiB of new
** column data. Returns c. */
cni_column *lcni_track(lua_State *L, cni_column *c);
/* Pushes a new column of n rows (its box first, so that Lua owns the
** memory if an error follows) and returns it; raises "not enough memory".
** Values start missing, except for a numeric column with fill = 0: left
** uninitialised, for a kernel that writes every value. */
cni_column *lcni_newcolumn(lua_State *L, cni_coltype type, size_t n, int fill);
/* Raise a structured error {kind=, msg=, file=, row=, col=}. kind is "data",
** "spec", "usage", "io" or "runtime". The message is prefixed with the
** caller's script position (luaL_where level 1) when 'where' is set. */
int lcni_raise(lua_State *L, const char *kind, const cni_err *e, int where);
int lcni_raisef(lua_State *L, const char *kind, const char *fmt, ...);
/* Raise the error matching a core status (data for parse/shape/key,
** io for EIO, runtime otherwise). */
int lcni_raise_status(lua_State *L, const cni_err *e);
/* Record a file as an input of this state (never overwritten). */
void lcni_note_input(lua_State *L, const char *path);
/* Raise if 'path' is a recorded input. */
void lcni_check_not_input(lua_State *L, const char *path);
/* Get optional fields of an options table at index i. */
int lcni_optint_field(lua_State *L, int i, const char *k, int def);
double lcni_optnum_field(lua_State *L, int i, const char *k, double def);
const char *lcni_optstr_field(lua_State *L, int i, const char *k, const char *def);
int lcni_optbool_field(lua_State *L, int i, const char *k, int def);
/* Checks that every key of options table i is one of 'allowed' (NULL-ended);
** raises naming the unknown key and suggesting the closest. */
void lcni_check_opts(lua_State *L, int i, const char *fname, const char *const *allowed);

void lcni_open_table(lua_State *L);   /* metatables of Table and Column */
void lcni_open_io(lua_State *L);      /* adds io functions to table at -1 */
void lcni_open_stats(lua_State *L);   /* adds stats functions/methods */
void lcni_open_mc(lua_State *L);
void lcni_open_geo(lua_State *L);
extern const luaL_Reg lcni_table_funcs[];
extern const luaL_Reg lcni_io_funcs[];
extern const luaL_Reg lcni_stats_funcs[];
extern const luaL_Reg lcni_mc_funcs[];
extern const luaL_Reg lcni_geo_funcs[];
extern const luaL_Reg lcni_stats_colmeths[];
extern const luaL_Reg lcni_stats_tablemeths[];

int luaopen_cni_core(lua_State *L);

#endif
