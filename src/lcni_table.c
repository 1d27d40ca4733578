/*
** lcni_table.c: Lua userdata for cni.Table and cni.Column.
** Layer: bindings. Checks arguments, calls the core, pushes results.
*/
#define _XOPEN_SOURCE 700
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "lcni.h"
#include "cni_csv.h"
#include "cni_io.h"

/* {===== common helpers */

int lcni_raise(lua_State *L, const char *kind, const cni_err *e, int where) {
  lua_createtable(L, 0, 5);                         /* stack: err */
  lua_pushstring(L, kind);
  lua_setfield(L, -2, "kind");
  if (where) {
    luaL_where(L, 1);
    lua_pushstring(L, e->msg);
    lua_concat(L, 2);
  } else {
    lua_pushstring(L, e->msg);
  }
  lua_setfield(L, -2, "msg");
  if (e->file[0]) { lua_pushstring(L, e->file); lua_setfield(L, -2, "file"); }
  if (e->row) { lua_pushinteger(L, e->row); lua_setfield(L, -2, "row"); }
  if (e->col) { lua_pushinteger(L, e->col); lua_setfield(L, -2, "col"); }
  luaL_setmetatable(L, LCNI_ERROR);
  return lua_error(L);
}

int lcni_raisef(lua_State *L, const char *kind, const char *fmt, ...) {
  cni_err e;
  va_list ap;
  cni_err_clear(&e);
  va_start(ap, fmt);
  vsnprintf(e.msg, sizeof e.msg, fmt, ap);
  va_end(ap);
  return lcni_raise(L, kind, &e, 1);
}

int lcni_raise_status(lua_State *L, const cni_err *e) {
  switch (e->code) {
    case CNI_EPARSE: case CNI_ESHAPE: case CNI_EKEY: case CNI_ELIMIT:
      return lcni_raise(L, "data", e, 1);
    case CNI_EIO:
      return lcni_raise(L, "io", e, 1);
    case CNI_ENOMEM:
      return luaL_error(L, "not enough memory");
    default:
      return lcni_raise(L, "runtime", e, 1);
  }
}

static int err_tostring(lua_State *L) {
  lua_getfield(L, 1, "msg");
  if (!lua_isstring(L, -1)) lua_pushliteral(L, "(error object)");
  return 1;
}

cni_table *lcni_checktable(lua_State *L, int i) {
  lcni_tbox *b = luaL_checkudata(L, i, LCNI_TABLE);
  if (b->t == NULL) luaL_argerror(L, i, "attempt to use a closed table");
  return b->t;
}

cni_column *lcni_tocolumn(lua_State *L, int i) {
  lcni_cbox *b = luaL_testudata(L, i, LCNI_COLUMN);
  if (b == NULL) return NULL;
  if (b->c == NULL) luaL_argerror(L, i, "attempt to use a closed column");
  return b->c;
}

cni_column *lcni_checkcolumn(lua_State *L, int i) {
  cni_column *c = lcni_tocolumn(L, i);
  if (c == NULL) luaL_typeerror(L, i, LCNI_COLUMN);
  return c;
}

void lcni_pushtable(lua_State *L, cni_table *t) {
  if (t == NULL) luaL_error(L, "not enough memory");
  lcni_tbox *b = lua_newuserdatauv(L, sizeof *b, 0);
  b->t = t;
  luaL_setmetatable(L, LCNI_TABLE);
}

#define GC_TRACK_STEP ((lua_Integer)32 << 20)

cni_column *lcni_track(lua_State *L, cni_column *c) {
  lua_Integer bytes, pending;
  if (c == NULL) return NULL;
  bytes = (lua_Integer)c->n * (c->type == CNI_NUM ? 8 : c->type == CNI_STR ? 4 : 1);
  lua_getfield(L, LUA_REGISTRYINDEX, "cnilua.gc_pending");
  pending = lua_tointeger(L, -1) + bytes;
  lua_pop(L, 1);
  if (pending >= GC_TRACK_STEP) {
    /* as if the Lua heap had grown by this much: a step in proportion */
    lua_gc(L, LUA_GCSTEP, (int)(pending >> 10 < INT_MAX ? pending >> 10 : INT_MAX));
    pending = 0;
  }
  lua_pushinteger(L, pending);
  lua_setfield(L, LUA_REGISTRYINDEX, "cnilua.gc_pending");
  return c;
}

void lcni_pushcolumn(lua_State *L, cni_column *c) {
  if (c == NULL) luaL_error(L, "not enough memory");
  lcni_cbox *b = lua_newuserdatauv(L, sizeof *b, 0);
  b->c = c;
  luaL_setmetatable(L, LCNI_COLUMN);
}

/* New, empty userdata boxes, pushed before allocating (so that memory is
** owned by Lua if an error is raised later). */
static lcni_cbox *newcolbox(lua_State *L) {
  lcni_cbox *b = lua_newuserdatauv(L, sizeof *b, 0);
  b->c = NULL;
  luaL_setmetatable(L, LCNI_COLUMN);
  return b;
}

cni_column *lcni_newcolumn(lua_State *L, cni_coltype type, size_t n, int fill) {
  lcni_cbox *b = newcolbox(L);
  b->c = lcni_track(L, type == CNI_NUM && !fill ? cni_col_new_num_raw(n)
                                                : cni_col_new(type, n, NULL));
  if (!b->c) luaL_error(L, "not enough memory");
  return b->c;
}

static lcni_tbox *newtablebox(lua_State *L) {
  lcni_tbox *b = lua_newuserdatauv(L, sizeof *b, 0);
  b->t = NULL;
  luaL_setmetatable(L, LCNI_TABLE);
  return b;
}

void lcni_note_input(lua_State *L, const char *path) {
  char *rp = realpath(path, NULL);
  if (rp == NULL) return;
  lua_getfield(L, LUA_REGISTRYINDEX, LCNI_INPUTS);
  if (!lua_istable(L, -1)) {
    lua_pop(L, 1);
    lua_newtable(L);
    lua_pushvalue(L, -1);
    lua_setfield(L, LUA_REGISTRYINDEX, LCNI_INPUTS);
  }
  lua_pushboolean(L, 1);
  lua_setfield(L, -2, rp);
  lua_pop(L, 1);
  free(rp);
}

void lcni_check_not_input(lua_State *L, const char *path) {
  char *rp = realpath(path, NULL);
  if (rp == NULL) return;
  lua_getfield(L, LUA_REGISTRYINDEX, LCNI_INPUTS);
  int is_input = 0;
  if (lua_istable(L, -1)) {
    lua_getfield(L, -1, rp);
    is_input = lua_toboolean(L, -1);
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  free(rp);
  if (is_input)
    lcni_raisef(L, "io", "%s: refusing to overwrite a file that was read as input", path);
}

static int getfield_opt(lua_State *L, int i, const char *k) {
  if (lua_isnoneornil(L, i)) { lua_pushnil(L); return LUA_TNIL; }
  return lua_getfield(L, i, k);
}

int lcni_optint_field(lua_State *L, int i, const char *k, int def) {
  int t = getfield_opt(L, i, k);
  int r = def;
  if (t != LUA_TNIL) {
    if (!lua_isinteger(L, -1))
      lcni_raisef(L, "usage", "option '%s': expected an integer, got %s", k, luaL_typename(L, -1));
    r = (int)lua_tointeger(L, -1);
  }
  lua_pop(L, 1);
  return r;
}

double lcni_optnum_field(lua_State *L, int i, const char *k, double def) {
  int t = getfield_opt(L, i, k);
  double r = def;
  if (t != LUA_TNIL) {
    if (t != LUA_TNUMBER)
      lcni_raisef(L, "usage", "option '%s': expected a number, got %s", k, luaL_typename(L, -1));
    r = lua_tonumber(L, -1);
  }
  lua_pop(L, 1);
  return r;
}

const char *lcni_optstr_field(lua_State *L, int i, const char *k, const char *def) {
  int t = getfield_opt(L, i, k);
  const char *r = def;
  if (t != LUA_TNIL) {
    if (t != LUA_TSTRING)
      lcni_raisef(L, "usage", "option '%s': expected a string, got %s", k, luaL_typename(L, -1));
    r = lua_tostring(L, -1);  /* stays alive: options table holds it */
  }
  lua_pop(L, 1);
  return r;
}

int lcni_optbool_field(lua_State *L, int i, const char *k, int def) {
  int t = getfield_opt(L, i, k);
  int r = def;
  if (t != LUA_TNIL) {
    if (t != LUA_TBOOLEAN)
      lcni_raisef(L, "usage", "option '%s': expected a boolean, got %s", k, luaL_typename(L, -1));
    r = lua_toboolean(L, -1);
  }
  lua_pop(L, 1);
  return r;
}

void lcni_check_opts(lua_State *L, int i, const char *fname, const char *const *allowed) {
  if (lua_isnoneornil(L, i)) return;
  luaL_checktype(L, i, LUA_TTABLE);
  lua_pushnil(L);
  while (lua_next(L, i) != 0) {
    lua_pop(L, 1);
    if (lua_type(L, -1) != LUA_TSTRING) {
      lua_pop(L, 1);
      lcni_raisef(L, "usage", "%s: option keys must be strings", fname);
    }
    const char *k = lua_tostring(L, -1);
    int ok = 0;
    size_t n = 0;
    for (; allowed[n]; n++) ok |= strcmp(allowed[n], k) == 0;
    if (!ok) {
      const char *near = cni_closest(k, allowed, n);
      lcni_raisef(L, "usage", "%s: unknown option '%s'%s%s%s", fname, k,
                  near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
    }
  }
}

/* }===== */

/* {===== Column */

static int col_gc(lua_State *L) {
  lcni_cbox *b = luaL_checkudata(L, 1, LCNI_COLUMN);
  cni_col_unref(b->c);
  b->c = NULL;
  return 0;
}

static int col_len(lua_State *L) {
  lua_pushinteger(L, (lua_Integer)lcni_checkcolumn(L, 1)->n);
  return 1;
}

/* Pushes value of row i (0-based) of c: number, string, boolean or nil. */
static void push_cell(lua_State *L, const cni_column *c, size_t i) {
  switch (c->type) {
    case CNI_NUM:
      if (isnan(c->num[i])) lua_pushnil(L);
      else lua_pushnumber(L, c->num[i]);
      break;
    case CNI_STR: {
      uint32_t k = c->code[i];
      if (k == CNI_NA_CODE) lua_pushnil(L);
      else lua_pushlstring(L, c->dict->str[k], c->dict->len[k]);
      break;
    }
    case CNI_BOOL:
      if (c->b[i] == CNI_BOOL_NA) lua_pushnil(L);
      else lua_pushboolean(L, c->b[i]);
      break;
  }
}

/* Formats cell i for display into buf. */
static void show_cell(const cni_column *c, size_t i, char *buf, size_t sz) {
  char num[64];
  switch (c->type) {
    case CNI_NUM:
      if (isnan(c->num[i])) snprintf(buf, sz, "NA");
      else { cni_fmt_double(num, c->num[i], 6, -1, "NA"); snprintf(buf, sz, "%s", num); }
      break;
    case CNI_STR: {
      const char *s = cni_col_str(c, i);
      snprintf(buf, sz, "%s", s ? s : "NA");
      break;
    }
    case CNI_BOOL:
      snprintf(buf, sz, "%s", c->b[i] == CNI_BOOL_NA ? "NA" : c->b[i] ? "true" : "false");
      break;
  }
}

static int col_tostring(lua_State *L) {
  cni_column *c = lcni_checkcolumn(L, 1);
  luaL_Buffer B;
  char cell[64];
  luaL_buffinit(L, &B);
  lua_pushfstring(L, "cni.Column<%s>[%d]", cni_coltype_name(c->type), (int)c->n);
  luaL_addvalue(&B);
  size_t show = c->n < 8 ? c->n : 6;
  luaL_addstring(&B, " {");
  for (size_t i = 0; i < show; i++) {
    show_cell(c, i, cell, sizeof cell);
    if (i) luaL_addstring(&B, ", ");
    luaL_addstring(&B, cell);
  }
  if (show < c->n) luaL_addstring(&B, ", ...");
  luaL_addstring(&B, "}");
  luaL_pushresult(&B);
  return 1;
}

static int col_type(lua_State *L) {
  lua_pushstring(L, cni_coltype_name(lcni_checkcolumn(L, 1)->type));
  return 1;
}

static size_t check_row(lua_State *L, int arg, size_t n) {
  lua_Integer i = luaL_checkinteger(L, arg);
  if (i < 1 || (lua_Unsigned)i > n)
    luaL_argerror(L, arg, lua_pushfstring(L, "row %I out of range 1..%I", i, (lua_Integer)n));
  return (size_t)(i - 1);
}

static int col_get(lua_State *L) {
  cni_column *c = lcni_checkcolumn(L, 1);
  push_cell(L, c, check_row(L, 2, c->n));
  return 1;
}

static int col_totable(lua_State *L) {
  cni_column *c = lcni_checkcolumn(L, 1);
  if (c->n > 10000000) return luaL_error(L, "column too long for totable()");
  lua_createtable(L, (int)c->n, 0);
  for (size_t i = 0; i < c->n; i++) {
    push_cell(L, c, i);
    if (lua_isnil(L, -1)) {  /* missing: NaN for numbers, cni.null otherwise */
      lua_pop(L, 1);
      if (c->type == CNI_NUM) lua_pushnumber(L, NAN);
      else lua_pushlightuserdata(L, NULL);
    }
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  return 1;
}

static int col_isna(lua_State *L) {
  cni_column *c = lcni_checkcolumn(L, 1);
  lcni_cbox *b = newcolbox(L);
  b->c = lcni_track(L, cni_col_new(CNI_BOOL, c->n, NULL));
  if (!b->c) return luaL_error(L, "not enough memory");
  for (size_t i = 0; i < c->n; i++) b->c->b[i] = (uint8_t)cni_col_is_missing(c, i);
  return 1;
}

static int col_nmissing(lua_State *L) {
  lua_pushinteger(L, (lua_Integer)cni_col_nmissing(lcni_checkcolumn(L, 1)));
  return 1;
}

static int col_copy(lua_State *L) {
  cni_column *c = lcni_checkcolumn(L, 1);
  lcni_cbox *b = newcolbox(L);
  size_t *idx = malloc((c->n ? c->n : 1) * sizeof *idx);
  if (!idx) return luaL_error(L, "not enough memory");
  for (size_t i = 0; i < c->n; i++) idx[i] = i;
  b->c = lcni_track(L, cni_col_take(c, idx, c->n));
  free(idx);
  if (!b->c) return luaL_error(L, "not enough memory");
  return 1;
}

/* fill(value): missing values replaced by value (same type). */
static int col_fill(lua_State *L) {
  cni_column *c = lcni_checkcolumn(L, 1);
  lcni_cbox *b;
  if (c->type == CNI_NUM) {
    double v = luaL_checknumber(L, 2);
    b = newcolbox(L);
    b->c = lcni_track(L, cni_col_new(CNI_NUM, c->n, NULL));
    if (!b->c) return luaL_error(L, "not enough memory");
    for (size_t i = 0; i < c->n; i++) b->c->num[i] = isnan(c->num[i]) ? v : c->num[i];
  } else if (c->type == CNI_BOOL) {
    luaL_checktype(L, 2, LUA_TBOOLEAN);
    uint8_t v = (uint8_t)lua_toboolean(L, 2);
    b = newcolbox(L);
    b->c = lcni_track(L, cni_col_new(CNI_BOOL, c->n, NULL));
    if (!b->c) return luaL_error(L, "not enough memory");
    for (size_t i = 0; i < c->n; i++) b->c->b[i] = c->b[i] == CNI_BOOL_NA ? v : c->b[i];
  } else {
    size_t len;
    const char *s = luaL_checklstring(L, 2, &len);
    b = newcolbox(L);
    b->c = lcni_track(L, cni_col_new(CNI_STR, c->n, c->dict));
    if (!b->c) return luaL_error(L, "not enough memory");
    uint32_t k = cni_strdict_intern(c->dict, s, len);
    if (k == CNI_NA_CODE) return luaL_error(L, "not enough memory");
    for (size_t i = 0; i < c->n; i++) b->c->code[i] = c->code[i] == CNI_NA_CODE ? k : c->code[i];
  }
  return 1;
}

/* Arithmetic: column op column, column op number, number op column. */
typedef enum { OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_POW, OP_UNM } arith_op;

static double apply(arith_op op, double a, double b) {
  switch (op) {
    case OP_ADD: return a + b;
    case OP_SUB: return a - b;
    case OP_MUL: return a * b;
    case OP_DIV: return a / b;
    case OP_POW: return pow(a, b);
    case OP_UNM: return -a;
  }
  return NAN;
}

static const cni_column *num_operand(lua_State *L, int i, double *scalar) {
  cni_column *c = lcni_tocolumn(L, i);
  if (c != NULL) {
    if (c->type == CNI_BOOL) return c;  /* booleans count as 0/1 */
    if (c->type != CNI_NUM)
      lcni_raisef(L, "runtime", "arithmetic on a %s column", cni_coltype_name(c->type));
    return c;
  }
  if (lua_type(L, i) != LUA_TNUMBER)
    lcni_raisef(L, "runtime", "arithmetic on a column and a %s value", luaL_typename(L, i));
  *scalar = lua_tonumber(L, i);
  return NULL;
}

static double num_at(const cni_column *c, size_t i) {
  if (c->type == CNI_NUM) return c->num[i];
  return c->b[i] == CNI_BOOL_NA ? NAN : (double)c->b[i];
}

static int arith(lua_State *L, arith_op op) {
  double sa = 0, sb = 0;
  const cni_column *a = num_operand(L, 1, &sa);
  const cni_column *b = op == OP_UNM ? a : num_operand(L, 2, &sb);
  size_t n = a ? a->n : b->n;
  if (a && b && a->n != b->n)
    lcni_raisef(L, "runtime", "columns differ in length (%d and %d)", (int)a->n, (int)b->n);
  lcni_cbox *box = newcolbox(L);
  box->c = lcni_track(L, cni_col_new(CNI_NUM, n, NULL));
  if (!box->c) return luaL_error(L, "not enough memory");
  double *o = box->c->num;
  if (a && b && a->type == CNI_NUM && b->type == CNI_NUM && op != OP_UNM) {
    const double *x = a->num, *y = b->num;
    switch (op) {  /* tight loops for the common cases */
      case OP_ADD: for (size_t i = 0; i < n; i++) o[i] = x[i] + y[i]; break;
      case OP_SUB: for (size_t i = 0; i < n; i++) o[i] = x[i] - y[i]; break;
      case OP_MUL: for (size_t i = 0; i < n; i++) o[i] = x[i] * y[i]; break;
      case OP_DIV: for (size_t i = 0; i < n; i++) o[i] = x[i] / y[i]; break;
      default: for (size_t i = 0; i < n; i++) o[i] = apply(op, x[i], y[i]);
    }
  } else if (a && !b) {
    for (size_t i = 0; i < n; i++) o[i] = apply(op, num_at(a, i), sb);
  } else if (!a && b) {
    for (size_t i = 0; i < n; i++) o[i] = apply(op, sa, num_at(b, i));
  } else {
    for (size_t i = 0; i < n; i++) o[i] = apply(op, num_at(a, i), op == OP_UNM ? 0 : num_at(b, i));
  }
  return 1;
}

static int col_add(lua_State *L) { return arith(L, OP_ADD); }
static int col_sub(lua_State *L) { return arith(L, OP_SUB); }
static int col_mul(lua_State *L) { return arith(L, OP_MUL); }
static int col_div(lua_State *L) { return arith(L, OP_DIV); }
static int col_pow(lua_State *L) { return arith(L, OP_POW); }
static int col_unm(lua_State *L) { return arith(L, OP_UNM); }

/* Comparisons -> boolean column. Missing on either side -> missing. */
typedef enum { CMP_LT, CMP_LE, CMP_GT, CMP_GE, CMP_EQ, CMP_NE } cmp_op;

static int cmp_result(cmp_op op, int c) {
  switch (op) {
    case CMP_LT: return c < 0;
    case CMP_LE: return c <= 0;
    case CMP_GT: return c > 0;
    case CMP_GE: return c >= 0;
    case CMP_EQ: return c == 0;
    case CMP_NE: return c != 0;
  }
  return 0;
}

static int compare(lua_State *L, cmp_op op) {
  cni_column *a = lcni_checkcolumn(L, 1);
  cni_column *b = lcni_tocolumn(L, 2);
  size_t n = a->n;
  if (b && b->n != n)
    lcni_raisef(L, "runtime", "columns differ in length (%d and %d)", (int)n, (int)b->n);
  if (b && (a->type == CNI_STR) != (b->type == CNI_STR))
    lcni_raisef(L, "runtime", "cannot compare a %s column with a %s column",
                cni_coltype_name(a->type), cni_coltype_name(b->type));
  if (!b && a->type == CNI_STR && lua_type(L, 2) != LUA_TSTRING)
    lcni_raisef(L, "runtime", "cannot compare a string column with a %s", luaL_typename(L, 2));
  if (!b && a->type != CNI_STR && lua_type(L, 2) != LUA_TNUMBER && lua_type(L, 2) != LUA_TBOOLEAN)
    lcni_raisef(L, "runtime", "cannot compare a %s column with a %s",
                cni_coltype_name(a->type), luaL_typename(L, 2));
  size_t slen = 0;
  const char *s = (!b && a->type == CNI_STR) ? lua_tolstring(L, 2, &slen) : NULL;
  double sv = (!b && a->type != CNI_STR)
                ? (lua_type(L, 2) == LUA_TBOOLEAN ? lua_toboolean(L, 2) : lua_tonumber(L, 2))
                : 0;
  lcni_cbox *box = newcolbox(L);
  box->c = lcni_track(L, cni_col_new(CNI_BOOL, n, NULL));
  if (!box->c) return luaL_error(L, "not enough memory");
  uint8_t *o = box->c->b;
  for (size_t i = 0; i < n; i++) {
    if (cni_col_is_missing(a, i) || (b && cni_col_is_missing(b, i))) { o[i] = CNI_BOOL_NA; continue; }
    int c;
    if (a->type == CNI_STR) {
      const char *x = cni_col_str(a, i);
      const char *y = b ? cni_col_str(b, i) : NULL;
      if (y) c = strcmp(x, y);
      else {
        size_t xl = a->dict->len[a->code[i]];
        int r = memcmp(x, s, xl < slen ? xl : slen);
        c = r ? r : (xl > slen) - (xl < slen);
      }
    } else {
      double x = num_at(a, i), y = b ? num_at(b, i) : sv;
      c = (x > y) - (x < y);
    }
    o[i] = (uint8_t)cmp_result(op, c);
  }
  return 1;
}

static int col_lt(lua_State *L) { return compare(L, CMP_LT); }
static int col_le(lua_State *L) { return compare(L, CMP_LE); }
static int col_gt(lua_State *L) { return compare(L, CMP_GT); }
static int col_ge(lua_State *L) { return compare(L, CMP_GE); }
static int col_eq(lua_State *L) { return compare(L, CMP_EQ); }
static int col_ne(lua_State *L) { return compare(L, CMP_NE); }

/* Masks: & | ~ (xor) and unary ~ (not), three-valued (Kleene) logic. */
static int boolop(lua_State *L, int op) {
  cni_column *a = lcni_checkcolumn(L, 1);
  cni_column *b = op == 3 ? a : lcni_checkcolumn(L, 2);
  if (a->type != CNI_BOOL || b->type != CNI_BOOL)
    lcni_raisef(L, "runtime", "logical operators need boolean columns (masks)");
  if (a->n != b->n)
    lcni_raisef(L, "runtime", "columns differ in length (%d and %d)", (int)a->n, (int)b->n);
  lcni_cbox *box = newcolbox(L);
  box->c = lcni_track(L, cni_col_new(CNI_BOOL, a->n, NULL));
  if (!box->c) return luaL_error(L, "not enough memory");
  for (size_t i = 0; i < a->n; i++) {
    uint8_t x = a->b[i], y = b->b[i], r;
    switch (op) {
      case 0: r = (x == 0 || y == 0) ? 0 : (x == CNI_BOOL_NA || y == CNI_BOOL_NA) ? CNI_BOOL_NA : 1; break;
      case 1: r = (x == 1 || y == 1) ? 1 : (x == CNI_BOOL_NA || y == CNI_BOOL_NA) ? CNI_BOOL_NA : 0; break;
      case 2: r = (x == CNI_BOOL_NA || y == CNI_BOOL_NA) ? CNI_BOOL_NA : (uint8_t)(x != y); break;
      default: r = x == CNI_BOOL_NA ? CNI_BOOL_NA : (uint8_t)!x; break;
    }
    box->c->b[i] = r;
  }
  return 1;
}

static int col_band(lua_State *L) { return boolop(L, 0); }
static int col_bor(lua_State *L) { return boolop(L, 1); }
static int col_bxor(lua_State *L) { return boolop(L, 2); }
static int col_bnot(lua_State *L) { return boolop(L, 3); }

/* Simple summaries (NaN skipped). */
static int col_summary(lua_State *L, int what) {
  cni_column *c = lcni_checkcolumn(L, 1);
  if (c->type == CNI_STR) lcni_raisef(L, "runtime", "summary of a string column");
  double s = 0, mn = INFINITY, mx = -INFINITY;
  size_t k = 0;
  for (size_t i = 0; i < c->n; i++) {
    double v = num_at(c, i);
    if (isnan(v)) continue;
    s += v;
    k++;
    if (v < mn) mn = v;
    if (v > mx) mx = v;
  }
  switch (what) {
    case 0: lua_pushnumber(L, s); break;
    case 1: if (k) lua_pushnumber(L, s / (double)k); else lua_pushnil(L); break;
    case 2: if (k) lua_pushnumber(L, mn); else lua_pushnil(L); break;
    case 3: if (k) lua_pushnumber(L, mx); else lua_pushnil(L); break;
    default: lua_pushinteger(L, (lua_Integer)k); break;
  }
  return 1;
}

static int col_sum(lua_State *L) { return col_summary(L, 0); }
static int col_mean(lua_State *L) { return col_summary(L, 1); }
static int col_min(lua_State *L) { return col_summary(L, 2); }
static int col_max(lua_State *L) { return col_summary(L, 3); }
static int col_count(lua_State *L) {
  cni_column *c = lcni_checkcolumn(L, 1);
  if (c->type == CNI_BOOL && lua_toboolean(L, 2)) {  /* count(true): trues */
    lua_Integer k = 0;
    for (size_t i = 0; i < c->n; i++) k += c->b[i] == 1;
    lua_pushinteger(L, k);
    return 1;
  }
  lua_pushinteger(L, (lua_Integer)(c->n - cni_col_nmissing(c)));
  return 1;
}

/* Numbers from a boolean column (1/0) or strings parsed as numbers. */
static int col_tonumber(lua_State *L) {
  cni_column *c = lcni_checkcolumn(L, 1);
  lcni_cbox *box = newcolbox(L);
  box->c = lcni_track(L, cni_col_new(CNI_NUM, c->n, NULL));
  if (!box->c) return luaL_error(L, "not enough memory");
  for (size_t i = 0; i < c->n; i++) {
    if (c->type == CNI_STR) {
      uint32_t k = c->code[i];
      double v = NAN;
      if (k != CNI_NA_CODE && !cni_parse_double(c->dict->str[k], c->dict->len[k], &v)) v = NAN;
      box->c->num[i] = v;
    } else {
      box->c->num[i] = num_at(c, i);
    }
  }
  return 1;
}

/* c:cumsum(): running sum in row order; missing values count as 0 but
** stay missing in the output. */
static int col_cumsum(lua_State *L) {
  cni_column *c = lcni_checkcolumn(L, 1);
  if (c->type == CNI_STR) lcni_raisef(L, "runtime", "cumsum of a string column");
  lcni_cbox *box = newcolbox(L);
  box->c = lcni_track(L, cni_col_new(CNI_NUM, c->n, NULL));
  if (!box->c) return luaL_error(L, "not enough memory");
  double s = 0;
  for (size_t i = 0; i < c->n; i++) {
    double v = num_at(c, i);
    if (isnan(v)) continue;
    s += v;
    box->c->num[i] = s;
  }
  return 1;
}

/* c:take(idx): values at the 1-based positions in numeric column idx
** (missing position -> missing value). */
static int col_take(lua_State *L) {
  cni_column *c = lcni_checkcolumn(L, 1);
  cni_column *ix = lcni_checkcolumn(L, 2);
  if (ix->type != CNI_NUM) return luaL_argerror(L, 2, "expected a numeric column of positions");
  if (c->type == CNI_NUM) {   /* one pass: check and gather */
    cni_column *r = cni_col_new(CNI_NUM, ix->n, NULL);
    if (!r) return luaL_error(L, "not enough memory");
    lcni_pushcolumn(L, r);   /* owned by Lua from here */
    lcni_track(L, r);
    for (size_t i = 0; i < ix->n; i++) {
      double v = ix->num[i];
      if (v >= 1 && v <= (double)c->n && v == (double)(size_t)v) r->num[i] = c->num[(size_t)v - 1];
      else if (!isnan(v))
        return lcni_raisef(L, "runtime", "take: position %g out of range 1..%d", v, (int)c->n);
    }
    return 1;
  }
  size_t *idx = malloc((ix->n ? ix->n : 1) * sizeof *idx);
  if (!idx) return luaL_error(L, "not enough memory");
  for (size_t i = 0; i < ix->n; i++) {
    double v = ix->num[i];
    if (isnan(v)) { idx[i] = (size_t)-1; continue; }
    if (v < 1 || v > (double)c->n || v != floor(v)) {
      free(idx);
      return lcni_raisef(L, "runtime", "take: position %g out of range 1..%d", v, (int)c->n);
    }
    idx[i] = (size_t)v - 1;
  }
  cni_column *r = cni_col_take(c, idx, ix->n);
  free(idx);
  lcni_pushcolumn(L, r);
  return 1;
}

static int col_index(lua_State *L) {
  if (lua_type(L, 2) == LUA_TNUMBER) return col_get(L);
  luaL_getmetafield(L, 1, "__methods");
  lua_pushvalue(L, 2);
  lua_rawget(L, -2);
  return 1;
}

static const luaL_Reg col_meths[] = {
  {"type", col_type}, {"get", col_get}, {"totable", col_totable},
  {"isna", col_isna}, {"nmissing", col_nmissing}, {"fill", col_fill},
  {"copy", col_copy}, {"tonumber", col_tonumber},
  {"lt", col_lt}, {"le", col_le}, {"gt", col_gt}, {"ge", col_ge},
  {"eq", col_eq}, {"ne", col_ne},
  {"sum", col_sum}, {"mean", col_mean}, {"min", col_min}, {"max", col_max},
  {"count", col_count}, {"cumsum", col_cumsum}, {"take", col_take}, {"close", col_gc},
  {NULL, NULL}
};

static const luaL_Reg col_metameths[] = {
  {"__index", col_index}, {"__len", col_len}, {"__tostring", col_tostring},
  {"__gc", col_gc}, {"__close", col_gc},
  {"__add", col_add}, {"__sub", col_sub}, {"__mul", col_mul},
  {"__div", col_div}, {"__pow", col_pow}, {"__unm", col_unm},
  {"__band", col_band}, {"__bor", col_bor}, {"__bxor", col_bxor},
  {"__bnot", col_bnot},
  {NULL, NULL}
};

/* cni.column(values [, type]): from a Lua array (nil holes not allowed;
** use cni.NA or 0/0 for missing numbers). */
static int l_column(lua_State *L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  const char *tname = luaL_optstring(L, 2, NULL);
  lua_Integer n = luaL_len(L, 1);
  int type = -1;
  if (tname) {
    if (strcmp(tname, "number") == 0) type = CNI_NUM;
    else if (strcmp(tname, "string") == 0) type = CNI_STR;
    else if (strcmp(tname, "boolean") == 0) type = CNI_BOOL;
    else return luaL_argerror(L, 2, "expected 'number', 'string' or 'boolean'");
  }
  for (lua_Integer i = 1; i <= n && type < 0; i++) {
    int t = lua_rawgeti(L, 1, i);
    lua_pop(L, 1);
    if (t == LUA_TNUMBER) type = CNI_NUM;
    else if (t == LUA_TSTRING) type = CNI_STR;
    else if (t == LUA_TBOOLEAN) type = CNI_BOOL;
  }
  if (type < 0) type = CNI_NUM;
  lcni_cbox *box = newcolbox(L);                    /* stack: values, [type], box */
  box->c = lcni_track(L, cni_col_new((cni_coltype)type, (size_t)n, NULL));
  if (!box->c) return luaL_error(L, "not enough memory");
  for (lua_Integer i = 1; i <= n; i++) {
    int t = lua_rawgeti(L, 1, i);
    size_t r = (size_t)(i - 1);
    if (t == LUA_TLIGHTUSERDATA && lua_touserdata(L, -1) == NULL) t = LUA_TNIL;  /* cni.null */
    if (t == LUA_TNIL) { lua_pop(L, 1); continue; }
    switch (type) {
      case CNI_NUM:
        if (t != LUA_TNUMBER) goto bad;
        box->c->num[r] = lua_tonumber(L, -1);
        break;
      case CNI_STR: {
        size_t len;
        if (t != LUA_TSTRING && t != LUA_TNUMBER) goto bad;
        const char *s = lua_tolstring(L, -1, &len);
        uint32_t k = cni_strdict_intern(box->c->dict, s, len);
        if (k == CNI_NA_CODE) return luaL_error(L, "not enough memory");
        box->c->code[r] = k;
        break;
      }
      default:
        if (t != LUA_TBOOLEAN) goto bad;
        box->c->b[r] = (uint8_t)lua_toboolean(L, -1);
    }
    lua_pop(L, 1);
    continue;
  bad:
    return lcni_raisef(L, "runtime", "cni.column: element %d is a %s in a %s column",
                       (int)i, luaL_typename(L, -1), cni_coltype_name((cni_coltype)type));
  }
  return 1;
}

/* cni.fill(n, value): constant column. */
static int l_fill(lua_State *L) {
  lua_settop(L, 2);
  lua_Integer n = luaL_checkinteger(L, 1);
  luaL_argcheck(L, n >= 0, 1, "length must be >= 0");
  int t = lua_type(L, 2);
  lcni_cbox *box = newcolbox(L);
  if (t == LUA_TBOOLEAN) {
    box->c = lcni_track(L, cni_col_new(CNI_BOOL, (size_t)n, NULL));
    if (!box->c) return luaL_error(L, "not enough memory");
    memset(box->c->b, lua_toboolean(L, 2), (size_t)n);
  } else if (t == LUA_TSTRING) {
    size_t len;
    const char *s = lua_tolstring(L, 2, &len);
    box->c = lcni_track(L, cni_col_new(CNI_STR, (size_t)n, NULL));
    if (!box->c) return luaL_error(L, "not enough memory");
    uint32_t k = cni_strdict_intern(box->c->dict, s, len);
    for (lua_Integer i = 0; i < n; i++) box->c->code[i] = k;
  } else {
    double v = luaL_optnumber(L, 2, NAN);
    box->c = lcni_track(L, cni_col_new(CNI_NUM, (size_t)n, NULL));
    if (!box->c) return luaL_error(L, "not enough memory");
    for (lua_Integer i = 0; i < n; i++) box->c->num[i] = v;
  }
  return 1;
}

/* cni.seq(n): 1..n */
static int l_seq(lua_State *L) {
  lua_Integer n = luaL_checkinteger(L, 1);
  luaL_argcheck(L, n >= 0, 1, "length must be >= 0");
  lcni_cbox *box = newcolbox(L);
  box->c = lcni_track(L, cni_col_new(CNI_NUM, (size_t)n, NULL));
  if (!box->c) return luaL_error(L, "not enough memory");
  for (lua_Integer i = 0; i < n; i++) box->c->num[i] = (double)(i + 1);
  return 1;
}

/* cni.where(mask, a, b): a where mask is true, b where false; a/b are
** columns or scalars of one type; missing mask -> missing. */
static int l_where(lua_State *L) {
  cni_column *m = lcni_checkcolumn(L, 1);
  if (m->type != CNI_BOOL) return luaL_argerror(L, 1, "expected a boolean column");
  double sa = 0, sb = 0;
  const cni_column *a = num_operand(L, 2, &sa);
  const cni_column *b = num_operand(L, 3, &sb);
  if ((a && a->n != m->n) || (b && b->n != m->n))
    lcni_raisef(L, "runtime", "cni.where: columns differ in length");
  lcni_cbox *box = newcolbox(L);
  box->c = lcni_track(L, cni_col_new(CNI_NUM, m->n, NULL));
  if (!box->c) return luaL_error(L, "not enough memory");
  for (size_t i = 0; i < m->n; i++) {
    if (m->b[i] == CNI_BOOL_NA) continue;
    box->c->num[i] = m->b[i] ? (a ? num_at(a, i) : sa) : (b ? num_at(b, i) : sb);
  }
  return 1;
}

/* }===== */

/* {===== Table */

static int tbl_gc(lua_State *L) {
  lcni_tbox *b = luaL_checkudata(L, 1, LCNI_TABLE);
  cni_table_free(b->t);
  b->t = NULL;
  return 0;
}

static int tbl_len(lua_State *L) {
  lua_pushinteger(L, (lua_Integer)lcni_checktable(L, 1)->nrow);
  return 1;
}

static int tbl_ncol(lua_State *L) {
  lua_pushinteger(L, (lua_Integer)lcni_checktable(L, 1)->ncol);
  return 1;
}

static int tbl_names(lua_State *L) {
  cni_table *t = lcni_checktable(L, 1);
  lua_createtable(L, (int)t->ncol, 0);
  for (size_t j = 0; j < t->ncol; j++) {
    lua_pushstring(L, t->names[j]);
    lua_rawseti(L, -2, (lua_Integer)j + 1);
  }
  return 1;
}

static int tbl_types(lua_State *L) {
  cni_table *t = lcni_checktable(L, 1);
  lua_createtable(L, 0, (int)t->ncol);
  for (size_t j = 0; j < t->ncol; j++) {
    lua_pushstring(L, cni_coltype_name(t->cols[j]->type));
    lua_setfield(L, -2, t->names[j]);
  }
  return 1;
}

static int tbl_has(lua_State *L) {
  cni_table *t = lcni_checktable(L, 1);
  lua_pushboolean(L, cni_table_find(t, luaL_checkstring(L, 2)) >= 0);
  return 1;
}

/* Raises "no column 'x' (did you mean 'y'?)" */
static long find_or_raise(lua_State *L, cni_table *t, const char *name) {
  long j = cni_table_find(t, name);
  if (j < 0) {
    const char *near = cni_closest(name, (const char *const *)t->names, t->ncol);
    lcni_raisef(L, "data", "no column '%s'%s%s%s", name, near ? " (did you mean '" : "",
                near ? near : "", near ? "'?)" : "");
  }
  return j;
}

static int tbl_col(lua_State *L) {
  cni_table *t = lcni_checktable(L, 1);
  long j = find_or_raise(L, t, luaL_checkstring(L, 2));
  cni_col_ref(t->cols[j]);
  lcni_pushcolumn(L, t->cols[j]);
  return 1;
}

/* Reads a list of strings at index i into a userdata-owned array. */
static const char **string_list(lua_State *L, int i, size_t *n_) {
  luaL_checktype(L, i, LUA_TTABLE);
  lua_Integer n = luaL_len(L, i);
  const char **v = lua_newuserdatauv(L, (size_t)(n ? n : 1) * sizeof *v, 0);
  for (lua_Integer k = 1; k <= n; k++) {
    lua_rawgeti(L, i, k);
    if (lua_type(L, -1) != LUA_TSTRING)
      lcni_raisef(L, "usage", "expected a list of column names (element %d is a %s)",
                  (int)k, luaL_typename(L, -1));
    v[k - 1] = lua_tostring(L, -1);  /* kept alive by the list table */
    lua_pop(L, 1);
  }
  *n_ = (size_t)n;
  return v;
}

static int tbl_select(lua_State *L) {
  cni_table *t = lcni_checktable(L, 1);
  size_t k;
  const char **names = string_list(L, 2, &k);
  for (size_t i = 0; i < k; i++) find_or_raise(L, t, names[i]);
  lcni_tbox *b = newtablebox(L);
  cni_err e;
  b->t = cni_table_select(t, names, k, &e);
  if (!b->t) return lcni_raise_status(L, &e);
  return 1;
}

static int tbl_drop(lua_State *L) {
  cni_table *t = lcni_checktable(L, 1);
  size_t k;
  const char **names = string_list(L, 2, &k);
  for (size_t i = 0; i < k; i++) find_or_raise(L, t, names[i]);
  lcni_tbox *b = newtablebox(L);
  cni_err e;
  b->t = cni_table_select(t, (const char *const *)t->names, t->ncol, &e);
  if (!b->t) return lcni_raise_status(L, &e);
  for (size_t i = 0; i < k; i++) cni_table_drop(b->t, names[i]);
  return 1;
}

static int tbl_filter(lua_State *L) {
  cni_table *t = lcni_checktable(L, 1);
  cni_column *m = lcni_checkcolumn(L, 2);
  lcni_tbox *b = newtablebox(L);
  cni_err e;
  b->t = cni_table_filter(t, m, &e);
  if (!b->t) return lcni_raise_status(L, &e);
  return 1;
}

/* t:sort("a") / t:sort{"a", {"b", desc = true}} / t:sort("a", {desc=true}) */
static int tbl_sort(lua_State *L) {
  lua_settop(L, 3);
  cni_table *t = lcni_checktable(L, 1);
  size_t k = 0;
  const char **keys;
  int *desc;
  if (lua_type(L, 2) == LUA_TSTRING) {
    keys = lua_newuserdatauv(L, sizeof *keys, 0);
    desc = lua_newuserdatauv(L, sizeof *desc, 0);
    keys[0] = lua_tostring(L, 2);
    desc[0] = lcni_optbool_field(L, 3, "desc", 0);
    k = 1;
  } else {
    luaL_checktype(L, 2, LUA_TTABLE);
    lua_Integer n = luaL_len(L, 2);
    keys = lua_newuserdatauv(L, (size_t)(n ? n : 1) * sizeof *keys, 0);
    desc = lua_newuserdatauv(L, (size_t)(n ? n : 1) * sizeof *desc, 0);
    for (lua_Integer i = 1; i <= n; i++) {
      int ty = lua_rawgeti(L, 2, i);
      if (ty == LUA_TSTRING) { keys[k] = lua_tostring(L, -1); desc[k] = 0; }
      else if (ty == LUA_TTABLE) {
        lua_rawgeti(L, -1, 1);
        if (lua_type(L, -1) != LUA_TSTRING)
          lcni_raisef(L, "usage", "sort key %d: expected {name, desc = bool}", (int)i);
        keys[k] = lua_tostring(L, -1);
        lua_pop(L, 1);
        desc[k] = lcni_optbool_field(L, lua_gettop(L), "desc", 0);
      } else {
        lcni_raisef(L, "usage", "sort key %d: expected a name or {name, desc = bool}", (int)i);
      }
      lua_pop(L, 1);
      k++;
    }
  }
  for (size_t i = 0; i < k; i++) find_or_raise(L, t, keys[i]);
  lcni_tbox *b = newtablebox(L);
  cni_err e;
  b->t = cni_table_sort(t, keys, desc, k, NULL, &e);
  if (!b->t) return lcni_raise_status(L, &e);
  return 1;
}

static int tbl_take_range(lua_State *L, cni_table *t, size_t from, size_t to) {
  lcni_tbox *b = newtablebox(L);
  size_t m = to > from ? to - from : 0;
  size_t *idx = malloc((m ? m : 1) * sizeof *idx);
  if (!idx) return luaL_error(L, "not enough memory");
  for (size_t i = 0; i < m; i++) idx[i] = from + i;
  cni_err e;
  b->t = cni_table_take(t, idx, m, &e);
  free(idx);
  if (!b->t) return lcni_raise_status(L, &e);
  return 1;
}

/* t:slice(i, j): rows i..j inclusive (1-based, clamped). */
static int tbl_slice(lua_State *L) {
  cni_table *t = lcni_checktable(L, 1);
  lua_Integer i = luaL_checkinteger(L, 2), j = luaL_optinteger(L, 3, (lua_Integer)t->nrow);
  if (i < 1) i = 1;
  if (j > (lua_Integer)t->nrow) j = (lua_Integer)t->nrow;
  return tbl_take_range(L, t, (size_t)(i - 1), j >= i ? (size_t)j : (size_t)(i - 1));
}

static int tbl_head(lua_State *L) {
  cni_table *t = lcni_checktable(L, 1);
  lua_Integer n = luaL_optinteger(L, 2, 10);
  if (n < 0) n = 0;
  return tbl_take_range(L, t, 0, (size_t)n < t->nrow ? (size_t)n : t->nrow);
}

/* t:take(idxcol): rows by a column of 1-based row numbers (NaN -> missing). */
static int tbl_take(lua_State *L) {
  cni_table *t = lcni_checktable(L, 1);
  cni_column *ix = lcni_checkcolumn(L, 2);
  if (ix->type != CNI_NUM) return luaL_argerror(L, 2, "expected a numeric column of row numbers");
  lcni_tbox *b = newtablebox(L);
  size_t *idx = malloc((ix->n ? ix->n : 1) * sizeof *idx);
  if (!idx) return luaL_error(L, "not enough memory");
  for (size_t i = 0; i < ix->n; i++) {
    double v = ix->num[i];
    if (isnan(v)) { idx[i] = (size_t)-1; continue; }
    if (v < 1 || v > (double)t->nrow || v != floor(v)) {
      free(idx);
      return lcni_raisef(L, "runtime", "take: row number %g out of range 1..%d", v, (int)t->nrow);
    }
    idx[i] = (size_t)v - 1;
  }
  cni_err e;
  b->t = cni_table_take(t, idx, ix->n, &e);
  free(idx);
  if (!b->t) return lcni_raise_status(L, &e);
  return 1;
}

/* Column from a Lua value for setting: Column, array, or scalar broadcast. */
static cni_column *value_to_column(lua_State *L, int i, size_t n) {
  cni_column *c = lcni_tocolumn(L, i);
  if (c) { cni_col_ref(c); return c; }
  if (lua_istable(L, i)) {
    lua_pushcfunction(L, l_column);
    lua_pushvalue(L, i);
    lua_call(L, 1, 1);
  } else {
    lua_pushcfunction(L, l_fill);
    lua_pushinteger(L, (lua_Integer)n);
    lua_pushvalue(L, i);
    lua_call(L, 2, 1);
  }
  c = lcni_checkcolumn(L, -1);
  cni_col_ref(c);
  lua_pop(L, 1);
  return c;
}

/* t:set(name, col): adds or replaces a column in place; returns t. */
static int tbl_set(lua_State *L) {
  cni_table *t = lcni_checktable(L, 1);
  const char *name = luaL_checkstring(L, 2);
  luaL_checkany(L, 3);
  cni_column *c = value_to_column(L, 3, t->nrow);
  cni_err e;
  int st = cni_table_set(t, name, c, &e);
  cni_col_unref(c);
  if (st != CNI_OK) return lcni_raise(L, "data", &e, 1);
  lua_settop(L, 1);
  return 1;
}

/* t:with(name, col): a new table with the column added or replaced. */
static int tbl_with(lua_State *L) {
  cni_table *t = lcni_checktable(L, 1);
  const char *name = luaL_checkstring(L, 2);
  luaL_checkany(L, 3);
  lcni_tbox *b = newtablebox(L);
  cni_err e;
  b->t = cni_table_select(t, (const char *const *)t->names, t->ncol, &e);
  if (!b->t) return lcni_raise_status(L, &e);
  cni_column *c = value_to_column(L, 3, t->nrow);
  int st = cni_table_set(b->t, name, c, &e);
  cni_col_unref(c);
  if (st != CNI_OK) return lcni_raise(L, "data", &e, 1);
  return 1;
}

/* t:rename{old = "new", ...} -> new table (names sorted: order-free). */
static int tbl_rename(lua_State *L) {
  cni_table *t = lcni_checktable(L, 1);
  luaL_checktype(L, 2, LUA_TTABLE);
  lua_pushnil(L);
  while (lua_next(L, 2)) {
    if (lua_type(L, -2) != LUA_TSTRING || lua_type(L, -1) != LUA_TSTRING)
      lcni_raisef(L, "usage", "rename: expected {old_name = \"new_name\"}");
    find_or_raise(L, t, lua_tostring(L, -2));
    lua_pop(L, 1);
  }
  lcni_tbox *b = newtablebox(L);
  cni_err e;
  b->t = cni_table_select(t, (const char *const *)t->names, t->ncol, &e);
  if (!b->t) return lcni_raise_status(L, &e);
  for (size_t j = 0; j < b->t->ncol; j++) {
    lua_getfield(L, 2, t->names[j]);
    if (lua_isstring(L, -1)) {
      const char *nn = lua_tostring(L, -1);
      char *copy = malloc(strlen(nn) + 1);
      if (!copy) return luaL_error(L, "not enough memory");
      strcpy(copy, nn);
      free(b->t->names[j]);
      b->t->names[j] = copy;
    }
    lua_pop(L, 1);
  }
  for (size_t j = 0; j < b->t->ncol; j++)
    for (size_t k = 0; k < j; k++)
      if (strcmp(b->t->names[j], b->t->names[k]) == 0)
        lcni_raisef(L, "data", "rename: two columns would be named '%s'", b->t->names[j]);
  return 1;
}

/* t:row(i) -> {name = value, ...} */
static int tbl_row(lua_State *L) {
  cni_table *t = lcni_checktable(L, 1);
  size_t i = check_row(L, 2, t->nrow);
  lua_createtable(L, 0, (int)t->ncol);
  for (size_t j = 0; j < t->ncol; j++) {
    push_cell(L, t->cols[j], i);
    lua_setfield(L, -2, t->names[j]);
  }
  return 1;
}

/* t:lookup(keycol, value) -> row number or nil (builds an index each call;
** for many look-ups join instead). */
static int tbl_lookup(lua_State *L) {
  cni_table *t = lcni_checktable(L, 1);
  long j = find_or_raise(L, t, luaL_checkstring(L, 2));
  cni_column *k = t->cols[j];
  for (size_t i = 0; i < k->n; i++) {
    if (cni_col_is_missing(k, i)) continue;
    int hit = 0;
    if (k->type == CNI_STR && lua_type(L, 3) == LUA_TSTRING)
      hit = strcmp(cni_col_str(k, i), lua_tostring(L, 3)) == 0;
    else if (k->type == CNI_NUM && lua_type(L, 3) == LUA_TNUMBER)
      hit = k->num[i] == lua_tonumber(L, 3);
    if (hit) { lua_pushinteger(L, (lua_Integer)i + 1); return 1; }
  }
  lua_pushnil(L);
  return 1;
}

/* t:check_key(col): raises on missing or duplicate keys; returns t. */
static int tbl_check_key(lua_State *L) {
  cni_table *t = lcni_checktable(L, 1);
  const char *name = luaL_checkstring(L, 2);
  long j = find_or_raise(L, t, name);
  cni_keyindex ki;
  cni_err e;
  cni_err_clear(&e);
  if (cni_keyindex_build(&ki, t->cols[j], &e) != CNI_OK) {
    char m[sizeof e.msg];
    snprintf(m, sizeof m, "key column '%.200s': %.800s", name, e.msg);
    memcpy(e.msg, m, sizeof m);
    return lcni_raise(L, "data", &e, 1);
  }
  cni_keyindex_free(&ki);
  lua_settop(L, 1);
  return 1;
}

static void push_keys(lua_State *L, const cni_column *k, const size_t *rows, size_t n) {
  lua_createtable(L, (int)n, 0);
  for (size_t i = 0; i < n; i++) {
    push_cell(L, k, rows[i]);
    if (lua_isnil(L, -1)) { lua_pop(L, 1); lua_pushlightuserdata(L, NULL); }  /* cni.null */
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
}

/* t:join(other, {on = "code", right_on = "code2", suffix = "_right",
** require = "all" | "none"}) -> joined table, report */
static int tbl_join(lua_State *L) {
  lua_settop(L, 3);
  static const char *const allowed[] = {"on", "right_on", "suffix", "require", NULL};
  cni_table *a = lcni_checktable(L, 1);
  cni_table *b = lcni_checktable(L, 2);
  lcni_check_opts(L, 3, "join", allowed);
  const char *on = lcni_optstr_field(L, 3, "on", NULL);
  if (on == NULL) return lcni_raisef(L, "usage", "join: option 'on' (the key column) is required");
  const char *ron = lcni_optstr_field(L, 3, "right_on", on);
  const char *suffix = lcni_optstr_field(L, 3, "suffix", "_right");
  const char *req = lcni_optstr_field(L, 3, "require", "none");
  if (strcmp(req, "none") && strcmp(req, "all") && strcmp(req, "both")) {
    static const char *const reqs[] = {"none", "all", "both"};
    const char *near = cni_closest(req, reqs, 3);
    return lcni_raisef(L, "usage", "join: option 'require': unknown value '%s'%s%s%s (one of: none, all, both)",
                       req, near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
  }
  find_or_raise(L, a, on);
  find_or_raise(L, b, ron);
  lcni_tbox *box = newtablebox(L);
  cni_join_report rep;
  cni_err e;
  cni_err_clear(&e);
  box->t = cni_table_left_join(a, on, b, ron, suffix, &rep, &e);
  if (!box->t) return lcni_raise_status(L, &e);
  const cni_column *lk = a->cols[cni_table_find(a, on)];
  const cni_column *rk = b->cols[cni_table_find(b, ron)];
  lua_createtable(L, 0, 6);                               /* stack: tbl, rep */
  lua_pushinteger(L, (lua_Integer)rep.n_left); lua_setfield(L, -2, "n_left");
  lua_pushinteger(L, (lua_Integer)rep.n_right); lua_setfield(L, -2, "n_right");
  lua_pushinteger(L, (lua_Integer)rep.n_matched); lua_setfield(L, -2, "n_matched");
  push_keys(L, lk, rep.unmatched_left, rep.n_unmatched_left);
  lua_setfield(L, -2, "unmatched_left");
  push_keys(L, rk, rep.unmatched_right, rep.n_unmatched_right);
  lua_setfield(L, -2, "unmatched_right");
  size_t nul = rep.n_unmatched_left, nur = rep.n_unmatched_right;
  char first[200] = "";
  if (nul) {
    size_t r0 = rep.unmatched_left[0];
    if (cni_col_is_missing(lk, r0)) snprintf(first, sizeof first, "(missing key in row %zu)", r0 + 1);
    else if (lk->type == CNI_STR) snprintf(first, sizeof first, "%s", cni_col_str(lk, r0));
    else cni_fmt_double(first, lk->num[r0], 15, -1, "");
  }
  cni_join_report_free(&rep);
  if (strcmp(req, "all") == 0 && nul > 0)
    return lcni_raisef(L, "data", "join on '%s': %d of %d rows have no match on the right "
                       "(first: '%s')", on, (int)nul, (int)a->nrow, first);
  if (strcmp(req, "both") == 0 && (nul > 0 || nur > 0))
    return lcni_raisef(L, "data", "join on '%s': %d left rows without a match, %d right rows "
                       "without a match", on, (int)nul, (int)nur);
  (void)nur;
  return 2;
}

/* Pretty preview: header with types, first rows, aligned. */
static int tbl_tostring(lua_State *L) {
  cni_table *t = lcni_checktable(L, 1);
  int maxrows = (int)luaL_optinteger(L, 2, 8);
  size_t show = t->nrow <= (size_t)maxrows + 2 ? t->nrow : (size_t)maxrows;
  size_t ncol = t->ncol < 12 ? t->ncol : 12;
  size_t width[12];
  char cell[64];
  luaL_Buffer B;
  for (size_t j = 0; j < ncol; j++) {
    size_t w = strlen(t->names[j]);
    size_t tw = strlen(cni_coltype_name(t->cols[j]->type)) + 2;  /* "<type>" */
    if (w < tw) w = tw;
    for (size_t i = 0; i < show; i++) {
      show_cell(t->cols[j], i, cell, 24);
      if (strlen(cell) > w) w = strlen(cell);
    }
    width[j] = w > 24 ? 24 : w;
  }
  luaL_buffinit(L, &B);
  lua_pushfstring(L, "cni.Table (%d rows x %d cols)\n", (int)t->nrow, (int)t->ncol);
  luaL_addvalue(&B);
  for (int pass = 0; pass < 2; pass++) {
    for (size_t j = 0; j < ncol; j++) {
      const char *s = pass == 0 ? t->names[j] : cni_coltype_name(t->cols[j]->type);
      if (pass == 1) { snprintf(cell, sizeof cell, "<%s>", s); s = cell; }
      lua_pushfstring(L, "%s%s", j ? "  " : "", s);
      luaL_addvalue(&B);
      for (size_t p = strlen(s); p < width[j]; p++) luaL_addchar(&B, ' ');
    }
    if (ncol < t->ncol) { lua_pushfstring(L, "  ... %d more", (int)(t->ncol - ncol)); luaL_addvalue(&B); }
    luaL_addchar(&B, '\n');
  }
  for (size_t i = 0; i < show; i++) {
    for (size_t j = 0; j < ncol; j++) {
      show_cell(t->cols[j], i, cell, width[j] + 1);
      if (j) luaL_addstring(&B, "  ");
      luaL_addstring(&B, cell);
      for (size_t p = strlen(cell); p < width[j]; p++) luaL_addchar(&B, ' ');
    }
    luaL_addchar(&B, '\n');
  }
  if (show < t->nrow) {
    lua_pushfstring(L, "... %d more rows\n", (int)(t->nrow - show));
    luaL_addvalue(&B);
  }
  luaL_pushresult(&B);
  return 1;
}

static int tbl_index(lua_State *L) {
  luaL_getmetafield(L, 1, "__methods");
  lua_pushvalue(L, 2);
  if (lua_rawget(L, -2) != LUA_TNIL) return 1;
  if (lua_type(L, 2) == LUA_TSTRING) {
    cni_table *t = lcni_checktable(L, 1);
    long j = cni_table_find(t, lua_tostring(L, 2));
    if (j >= 0) {
      cni_col_ref(t->cols[j]);
      lcni_pushcolumn(L, t->cols[j]);
      return 1;
    }
  }
  lua_pushnil(L);
  return 1;
}

/* t.name = col is t:set(name, col) */
static int tbl_newindex(lua_State *L) {
  lua_settop(L, 3);
  return tbl_set(L);
}

/* cni.table{ {"name", values}, ... } (ordered) or cni.table{name = values}
** (columns in sorted name order). */
static int l_table(lua_State *L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  lcni_tbox *b = newtablebox(L);
  int top = lua_gettop(L);
  b->t = cni_table_new();
  if (!b->t) return luaL_error(L, "not enough memory");
  cni_err e;
  lua_Integer n = luaL_len(L, 1);
  if (n > 0) {
    for (lua_Integer i = 1; i <= n; i++) {
      lua_rawgeti(L, 1, i);
      if (!lua_istable(L, -1)) lcni_raisef(L, "usage", "cni.table: element %d: expected {name, values}", (int)i);
      lua_rawgeti(L, -1, 1);
      lua_rawgeti(L, -2, 2);
      if (lua_type(L, -2) != LUA_TSTRING) lcni_raisef(L, "usage", "cni.table: element %d: expected {name, values}", (int)i);
      cni_column *c = value_to_column(L, lua_gettop(L), b->t->nrow);
      int st = cni_table_set(b->t, lua_tostring(L, -2), c, &e);
      cni_col_unref(c);
      if (st != CNI_OK) return lcni_raise(L, "data", &e, 1);
      lua_settop(L, top);
    }
    return 1;
  }
  /* map form: collect and sort names */
  lua_newtable(L);
  int names = lua_gettop(L);
  int k = 0;
  lua_pushnil(L);
  while (lua_next(L, 1)) {
    lua_pop(L, 1);
    if (lua_type(L, -1) != LUA_TSTRING) lcni_raisef(L, "usage", "cni.table: column names must be strings");
    lua_pushvalue(L, -1);
    lua_rawseti(L, names, ++k);
  }
  /* sort the names in byte order (strcmp: never the locale's collation) */
  for (int i = 2; i <= k; i++) {
    for (int j = i; j > 1; j--) {
      lua_rawgeti(L, names, j - 1);
      lua_rawgeti(L, names, j);
      int swap = strcmp(lua_tostring(L, -2), lua_tostring(L, -1)) > 0;
      if (swap) {
        lua_rawseti(L, names, j - 1);   /* names[j-1] = names[j] */
        lua_rawseti(L, names, j);       /* names[j] = old names[j-1] */
      } else {
        lua_pop(L, 2);
        break;
      }
    }
  }
  for (int i = 1; i <= k; i++) {
    lua_rawgeti(L, names, i);
    lua_pushvalue(L, -1);
    lua_gettable(L, 1);
    cni_column *c = value_to_column(L, lua_gettop(L), b->t->nrow);
    int st = cni_table_set(b->t, lua_tostring(L, -2), c, &e);
    cni_col_unref(c);
    if (st != CNI_OK) return lcni_raise(L, "data", &e, 1);
    lua_pop(L, 2);
  }
  lua_settop(L, top);
  return 1;
}

static const luaL_Reg tbl_meths[] = {
  {"nrow", tbl_len}, {"ncol", tbl_ncol}, {"names", tbl_names}, {"types", tbl_types},
  {"has", tbl_has}, {"col", tbl_col}, {"select", tbl_select}, {"drop", tbl_drop},
  {"filter", tbl_filter}, {"sort", tbl_sort}, {"slice", tbl_slice},
  {"head", tbl_head}, {"take", tbl_take}, {"set", tbl_set}, {"with", tbl_with},
  {"rename", tbl_rename}, {"row", tbl_row}, {"lookup", tbl_lookup},
  {"check_key", tbl_check_key}, {"join", tbl_join}, {"show", tbl_tostring},
  {"close", tbl_gc},
  {NULL, NULL}
};

static const luaL_Reg tbl_metameths[] = {
  {"__index", tbl_index}, {"__newindex", tbl_newindex}, {"__len", tbl_len},
  {"__tostring", tbl_tostring}, {"__gc", tbl_gc}, {"__close", tbl_gc},
  {NULL, NULL}
};

const luaL_Reg lcni_table_funcs[] = {
  {"column", l_column}, {"fill", l_fill}, {"seq", l_seq}, {"where", l_where},
  {"table", l_table},
  {NULL, NULL}
};

static void createmeta(lua_State *L, const char *name, const luaL_Reg *meta,
                       const luaL_Reg *meths, const luaL_Reg *extra) {
  luaL_newmetatable(L, name);                           /* stack: mt */
  luaL_setfuncs(L, meta, 0);
  lua_newtable(L);                                      /* stack: mt, methods */
  luaL_setfuncs(L, meths, 0);
  if (extra) luaL_setfuncs(L, extra, 0);
  lua_setfield(L, -2, "__methods");
  lua_pop(L, 1);
}

void lcni_open_table(lua_State *L) {
  createmeta(L, LCNI_COLUMN, col_metameths, col_meths, lcni_stats_colmeths);
  createmeta(L, LCNI_TABLE, tbl_metameths, tbl_meths, lcni_stats_tablemeths);
  luaL_newmetatable(L, LCNI_ERROR);
  lua_pushcfunction(L, err_tostring);
  lua_setfield(L, -2, "__tostring");
  lua_pop(L, 1);
}

/* }===== */
