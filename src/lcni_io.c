/*
** lcni_io.c: Lua functions for reading and writing CSV and JSON.
** Layer: bindings.
*/
#define _POSIX_C_SOURCE 200809L
#include <cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lcni.h"
#include "cni_csv.h"
#include "cni_io.h"
#include "cni_rng.h"
#include <pthread.h>
#include <time.h>
#include <unistd.h>

/* {===== CSV */

static const char **list_field(lua_State *L, int opts, const char *k, size_t *n_) {
  *n_ = 0;
  if (lua_isnoneornil(L, opts)) return NULL;
  if (lua_getfield(L, opts, k) == LUA_TNIL) { lua_pop(L, 1); return NULL; }
  if (!lua_istable(L, -1))
    lcni_raisef(L, "usage", "read_csv: option '%s': expected a list of strings", k);
  int li = lua_gettop(L);
  lua_Integer n = luaL_len(L, li);
  const char **v = lua_newuserdatauv(L, (size_t)(n ? n : 1) * sizeof *v, 0);
  for (lua_Integer i = 1; i <= n; i++) {
    lua_rawgeti(L, li, i);
    if (lua_type(L, -1) != LUA_TSTRING)
      lcni_raisef(L, "usage", "read_csv: option '%s': element %d is not a string", k, (int)i);
    v[i - 1] = lua_tostring(L, -1);
    lua_pop(L, 1);
  }
  *n_ = (size_t)n;
  /* leave the list and the userdata on the stack: they keep strings alive */
  return v;
}

/* Map option {name = value} -> sorted parallel arrays (order-free). */
static size_t map_field(lua_State *L, int opts, const char *k, const char ***keys_,
                        const char ***vals_) {
  *keys_ = *vals_ = NULL;
  if (lua_isnoneornil(L, opts)) return 0;
  if (lua_getfield(L, opts, k) == LUA_TNIL) { lua_pop(L, 1); return 0; }
  if (!lua_istable(L, -1))
    lcni_raisef(L, "usage", "read_csv: option '%s': expected a table {column = value}", k);
  int mi = lua_gettop(L);
  size_t n = 0;
  lua_pushnil(L);
  while (lua_next(L, mi)) { n++; lua_pop(L, 1); }
  const char **keys = lua_newuserdatauv(L, (n ? n : 1) * sizeof *keys, 0);
  const char **vals = lua_newuserdatauv(L, (n ? n : 1) * sizeof *vals, 0);
  size_t i = 0;
  lua_pushnil(L);
  while (lua_next(L, mi)) {
    if (lua_type(L, -2) != LUA_TSTRING || lua_type(L, -1) != LUA_TSTRING)
      lcni_raisef(L, "usage", "read_csv: option '%s': expected {column = \"string\"}", k);
    keys[i] = lua_tostring(L, -2);
    vals[i] = lua_tostring(L, -1);
    i++;
    lua_pop(L, 1);
  }
  *keys_ = keys;
  *vals_ = vals;
  return n;
}

/* cni.read_csv(path [, {na=, types=, select=, rename=, delim=, max_bytes=,
** utf8=}]) */
/* Reads the options table at index 2 into o; pushes userdata/tables that
** keep the strings alive (callers must not pop them). */
static void csv_read_opts(lua_State *L, const char *fname, cni_csv_opts *o_) {
  static const char *const allowed[] = {"na", "types", "select", "rename", "delim",
                                        "max_bytes", "utf8", "threads", "header_only", NULL};
  lcni_check_opts(L, 2, fname, allowed);
  cni_csv_opts o;
  cni_csv_opts_init(&o);
  o.na = list_field(L, 2, "na", &o.nna);
  o.select = list_field(L, 2, "select", &o.nselect);
  const char **tk, **tv;
  size_t nt = map_field(L, 2, "types", &tk, &tv);
  cni_coltype *types = lua_newuserdatauv(L, (nt ? nt : 1) * sizeof *types, 0);
  for (size_t i = 0; i < nt; i++) {
    if (strcmp(tv[i], "number") == 0) types[i] = CNI_NUM;
    else if (strcmp(tv[i], "string") == 0) types[i] = CNI_STR;
    else if (strcmp(tv[i], "boolean") == 0) types[i] = CNI_BOOL;
    else lcni_raisef(L, "usage", "%s: types.%s: expected 'number', 'string' or 'boolean', got '%s'",
                     fname, tk[i], tv[i]);
  }
  o.type_cols = tk;
  o.types = types;
  o.ntypes = nt;
  const char **rk, **rv;
  o.nrename = map_field(L, 2, "rename", &rk, &rv);
  o.rename_from = rk;
  o.rename_to = rv;
  const char *delim = lcni_optstr_field(L, 2, "delim", ",");
  if (strlen(delim) != 1) lcni_raisef(L, "usage", "%s: option 'delim' must be one character", fname);
  o.delim = (unsigned char)delim[0];
  /* default limit 1 GiB: a larger table would take several GB of memory;
  ** raise it with max_bytes when the machine has room */
  double mb = lcni_optnum_field(L, 2, "max_bytes", 1073741824.0);
  if (!(mb >= 0)) lcni_raisef(L, "usage", "%s: option 'max_bytes' must be >= 0", fname);
  o.max_bytes = (size_t)mb;
  o.check_utf8 = lcni_optbool_field(L, 2, "utf8", 1);
  o.threads = lcni_optint_field(L, 2, "threads", 0);
  o.header_only = lcni_optbool_field(L, 2, "header_only", 0);
  *o_ = o;
}

static int l_read_csv(lua_State *L) {
  lua_settop(L, 2);
  const char *path = luaL_checkstring(L, 1);
  cni_csv_opts o;
  csv_read_opts(L, "read_csv", &o);
  lcni_tbox *b = lua_newuserdatauv(L, sizeof *b, 0);
  b->t = NULL;
  luaL_setmetatable(L, LCNI_TABLE);
  cni_err e;
  b->t = cni_csv_read(path, &o, &e);
  if (!b->t) return lcni_raise_status(L, &e);
  lcni_note_input(L, path);
  return 1;
}

static void read_write_opts(lua_State *L, int i, cni_csvw_opts *o) {
  static const char *const allowed[] = {"na", "digits", "decimals", "delim", NULL};
  lcni_check_opts(L, i, "write_csv", allowed);
  cni_csvw_opts_init(o);
  o->na = lcni_optstr_field(L, i, "na", "");
  o->digits = lcni_optint_field(L, i, "digits", 15);
  o->decimals = lcni_optint_field(L, i, "decimals", -1);
  if (o->decimals >= 0 && lua_istable(L, i)) {
    lua_getfield(L, i, "digits");
    if (lua_isnil(L, -1)) o->digits = -1;
    lua_pop(L, 1);
  }
  if (o->digits > 17) lcni_raisef(L, "usage", "write_csv: option 'digits' must be at most 17");
  const char *d = lcni_optstr_field(L, i, "delim", ",");
  if (strlen(d) != 1) lcni_raisef(L, "usage", "write_csv: option 'delim' must be one character");
  o->delim = (unsigned char)d[0];
}

/* t:write_csv(path [, opts]) / cni.write_csv(t, path [, opts]);
** path "-" writes to standard output. */
static int l_write_csv(lua_State *L) {
  lua_settop(L, 3);
  cni_table *t = lcni_checktable(L, 1);
  const char *path = luaL_checkstring(L, 2);
  cni_csvw_opts o;
  read_write_opts(L, 3, &o);
  cni_err e;
  cni_err_clear(&e);
  if (strcmp(path, "-") == 0) {
    if (cni_csv_write_fp(t, stdout, &o, &e) != CNI_OK) return lcni_raise_status(L, &e);
    fflush(stdout);
  } else {
    lcni_check_not_input(L, path);
    if (cni_csv_write(t, path, &o, &e) != CNI_OK) return lcni_raise_status(L, &e);
  }
  lua_settop(L, 1);
  return 1;
}

/* t:to_csv([opts]) -> string (for small tables and tests) */
static int l_to_csv(lua_State *L) {
  lua_settop(L, 2);
  cni_table *t = lcni_checktable(L, 1);
  cni_csvw_opts o;
  read_write_opts(L, 2, &o);
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  if (!f) return luaL_error(L, "not enough memory");
  cni_err e;
  int st = cni_csv_write_fp(t, f, &o, &e);
  fclose(f);
  if (st != CNI_OK) { free(buf); return lcni_raise_status(L, &e); }
  lua_pushlstring(L, buf, len);
  free(buf);
  return 1;
}

/* cni.parse_csv(text [, opts]): like read_csv, from a string. */
static int l_parse_csv(lua_State *L) {
  lua_settop(L, 2);
  size_t len;
  const char *s = luaL_checklstring(L, 1, &len);
  const char *name = "(string)";
  cni_csv_opts o;
  csv_read_opts(L, "parse_csv", &o);
  cni_err e;
  lcni_tbox *b = lua_newuserdatauv(L, sizeof *b, 0);
  b->t = NULL;
  luaL_setmetatable(L, LCNI_TABLE);
  b->t = cni_csv_read_mem(s, len, name, &o, &e);
  if (!b->t) return lcni_raise_status(L, &e);
  return 1;
}

/* }===== */

/* {===== JSON */

/* Line and column of byte offset 'off' in buf (1-based). */
static void position(const char *buf, size_t off, long *line, long *col) {
  *line = 1;
  *col = 1;
  for (size_t i = 0; i < off && buf[i]; i++) {
    if (buf[i] == '\n') { (*line)++; *col = 1; }
    else (*col)++;
  }
}

static void push_json(lua_State *L, const cJSON *j, int depth) {
  if (depth > 200) luaL_error(L, "JSON nested too deeply");
  luaL_checkstack(L, 4, "JSON nested too deeply");
  if (cJSON_IsNull(j)) lua_pushlightuserdata(L, NULL);
  else if (cJSON_IsFalse(j)) lua_pushboolean(L, 0);
  else if (cJSON_IsTrue(j)) lua_pushboolean(L, 1);
  else if (cJSON_IsNumber(j)) {
    double v = j->valuedouble;
    if (v == floor(v) && fabs(v) < 9007199254740992.0) lua_pushinteger(L, (lua_Integer)v);
    else lua_pushnumber(L, v);
  } else if (cJSON_IsString(j)) lua_pushstring(L, j->valuestring);
  else if (cJSON_IsArray(j)) {
    lua_createtable(L, cJSON_GetArraySize(j), 0);
    lua_Integer i = 1;
    for (const cJSON *c = j->child; c; c = c->next) {
      push_json(L, c, depth + 1);
      lua_rawseti(L, -2, i++);
    }
  } else if (cJSON_IsObject(j)) {
    lua_createtable(L, 0, cJSON_GetArraySize(j));
    for (const cJSON *c = j->child; c; c = c->next) {
      push_json(L, c, depth + 1);
      lua_setfield(L, -2, c->string ? c->string : "");
    }
  } else lua_pushnil(L);
}

static int jsonbox_gc(lua_State *L) {
  cJSON **box = lua_touserdata(L, 1);
  if (box && *box) { cJSON_Delete(*box); *box = NULL; }
  return 0;
}

static int decode(lua_State *L, const char *buf, size_t len, const char *name) {
  const char *end = NULL;
  cJSON *j = cJSON_ParseWithLengthOpts(buf, len + 1, &end, 1);  /* buf is a Lua string: NUL at len */
  if (j == NULL) {
    cni_err e;
    cni_err_clear(&e);
    long line, col;
    size_t off = end && end >= buf ? (size_t)(end - buf) : 0;
    position(buf, off, &line, &col);
    snprintf(e.file, sizeof e.file, "%s", name);
    e.row = line;
    e.col = col;
    cni_err_set(&e, CNI_EPARSE, "%s:%ld:%ld: invalid JSON%s", name, line, col,
                off >= len ? " (unexpected end of input)" : "");
    return lcni_raise(L, "data", &e, 1);
  }
  /* the tree must be freed even if pushing raises: box it (__gc frees) */
  cJSON **box = lua_newuserdatauv(L, sizeof *box, 0);
  *box = j;
  if (luaL_newmetatable(L, "cni.jsonbox")) {
    lua_pushcfunction(L, jsonbox_gc);
    lua_setfield(L, -2, "__gc");
  }
  lua_setmetatable(L, -2);                       /* stack: box */
  push_json(L, j, 0);                            /* stack: box, value */
  cJSON_Delete(j);
  *box = NULL;
  return 1;
}

/* cni.json_decode(text) */
static int l_json_decode(lua_State *L) {
  size_t len;
  const char *s = luaL_checklstring(L, 1, &len);
  return decode(L, s, len, "(string)");
}

/* cni.read_json(path) */
static int l_read_json(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  char *buf;
  size_t len;
  cni_err e;
  cni_err_clear(&e);
  if (cni_read_file(path, (size_t)1 << 30, &buf, &len, &e) != CNI_OK)
    return lcni_raise_status(L, &e);
  lua_pushlstring(L, buf, len);   /* copy owned by Lua, so no leak on error */
  free(buf);
  lcni_note_input(L, path);
  const char *s = lua_tolstring(L, -1, &len);
  return decode(L, s, len, path);
}

/* A JSON number written exactly (the shortest form that reads back to the
** same double; cJSON's own printing keeps only 15 digits when they read
** back "close enough"); NaN and infinities are null. */
static cJSON *json_number(double x) {
  if (!isfinite(x)) return cJSON_CreateNull();
  char buf[64];
  cni_fmt_double(buf, x, 0, -1, "null");
  return cJSON_CreateRaw(buf);
}

/* Lua value at index i -> cJSON (NULL on error, with message pushed). */
static cJSON *to_json(lua_State *L, int i, int depth, const char **why) {
  i = lua_absindex(L, i);
  if (depth > 100) { *why = "nested too deeply (a cycle?)"; return NULL; }
  switch (lua_type(L, i)) {
    case LUA_TNIL: return cJSON_CreateNull();
    case LUA_TBOOLEAN: return cJSON_CreateBool(lua_toboolean(L, i));
    case LUA_TNUMBER: return json_number(lua_tonumber(L, i));
    case LUA_TSTRING: return cJSON_CreateString(lua_tostring(L, i));
    case LUA_TLIGHTUSERDATA:
      if (lua_touserdata(L, i) == NULL) return cJSON_CreateNull();
      break;
    case LUA_TUSERDATA: {
      cni_column *c = lcni_tocolumn(L, i);
      if (c) {
        cJSON *a = cJSON_CreateArray();
        for (size_t r = 0; r < c->n && a; r++) {
          cJSON *v;
          if (cni_col_is_missing(c, r)) v = cJSON_CreateNull();
          else if (c->type == CNI_NUM) v = json_number(c->num[r]);
          else if (c->type == CNI_BOOL) v = cJSON_CreateBool(c->b[r]);
          else v = cJSON_CreateString(cni_col_str(c, r));
          cJSON_AddItemToArray(a, v);
        }
        return a;
      }
      if (luaL_testudata(L, i, LCNI_TABLE)) {
        cni_table *t = lcni_checktable(L, i);
        cJSON *o = cJSON_CreateObject();
        for (size_t j = 0; j < t->ncol; j++) {
          cni_col_ref(t->cols[j]);
          lcni_pushcolumn(L, t->cols[j]);
          cJSON *a = to_json(L, -1, depth + 1, why);
          lua_pop(L, 1);
          if (!a) { cJSON_Delete(o); return NULL; }
          cJSON_AddItemToObject(o, t->names[j], a);
        }
        return o;
      }
      break;
    }
    case LUA_TTABLE: {
      lua_Integer n = (lua_Integer)lua_rawlen(L, i);
      size_t nkeys = 0;
      lua_pushnil(L);
      while (lua_next(L, i)) { nkeys++; lua_pop(L, 1); }
      int is_array = n > 0 && (size_t)n == nkeys;
      if (nkeys == 0) {  /* empty: array if marked so */
        int arr = 0;
        if (lua_getmetatable(L, i)) {
          lua_getfield(L, -1, "__jsontype");
          arr = lua_isstring(L, -1) && strcmp(lua_tostring(L, -1), "array") == 0;
          lua_pop(L, 2);
        }
        return arr ? cJSON_CreateArray() : cJSON_CreateObject();
      }
      if (is_array) {
        cJSON *a = cJSON_CreateArray();
        for (lua_Integer k = 1; k <= n; k++) {
          lua_rawgeti(L, i, k);
          cJSON *v = to_json(L, -1, depth + 1, why);
          lua_pop(L, 1);
          if (!v) { cJSON_Delete(a); return NULL; }
          cJSON_AddItemToArray(a, v);
        }
        return a;
      }
      /* object: keys sorted so output never depends on pairs() order;
      ** holder[2k-1] = key text, holder[2k] = the key itself */
      typedef struct okey { const char *s; int idx; } okey;
      okey *keys = malloc(nkeys * sizeof *keys);
      if (!keys) { *why = "out of memory"; return NULL; }
      lua_newtable(L);
      int holder = lua_gettop(L);
      size_t k = 0;
      lua_pushnil(L);
      while (lua_next(L, i)) {
        lua_pop(L, 1);
        int kt = lua_type(L, -1);
        if (kt != LUA_TNUMBER && kt != LUA_TSTRING) {
          free(keys);
          lua_pop(L, 2);
          *why = "table keys must be strings or numbers";
          return NULL;
        }
        lua_pushvalue(L, -1);
        lua_rawseti(L, holder, 2 * (lua_Integer)k + 2);      /* the key */
        lua_pushvalue(L, -1);
        keys[k].s = lua_tostring(L, -1);                    /* converts the copy */
        keys[k].idx = (int)k;
        lua_rawseti(L, holder, 2 * (lua_Integer)k + 1);      /* its text */
        k++;
      }
      for (size_t a = 1; a < k; a++) {  /* insertion sort by text (stable) */
        okey v = keys[a];
        size_t b = a;
        while (b > 0 && strcmp(keys[b - 1].s, v.s) > 0) { keys[b] = keys[b - 1]; b--; }
        keys[b] = v;
      }
      cJSON *o = cJSON_CreateObject();
      for (size_t q = 0; q < k; q++) {
        lua_rawgeti(L, holder, 2 * (lua_Integer)keys[q].idx + 2);
        lua_rawget(L, i);
        cJSON *v = to_json(L, -1, depth + 1, why);
        lua_pop(L, 1);
        if (!v) { cJSON_Delete(o); free(keys); lua_pop(L, 1); return NULL; }
        cJSON_AddItemToObject(o, keys[q].s, v);
      }
      free(keys);
      lua_pop(L, 1);
      return o;
    }
    default: break;
  }
  *why = lua_pushfstring(L, "cannot encode a %s value", luaL_typename(L, i));
  lua_pop(L, 1);
  return NULL;
}

static char *encode(lua_State *L, int i, int pretty) {
  const char *why = "out of memory";
  cJSON *j = to_json(L, i, 0, &why);
  if (!j) { lcni_raisef(L, "runtime", "JSON: %s", why); return NULL; }
  char *s = pretty ? cJSON_Print(j) : cJSON_PrintUnformatted(j);
  cJSON_Delete(j);
  if (!s) luaL_error(L, "not enough memory");
  return s;
}

/* cni.json_encode(value [, {pretty = true}]) */
static int l_json_encode(lua_State *L) {
  lua_settop(L, 2);
  luaL_checkany(L, 1);
  int pretty = lcni_optbool_field(L, 2, "pretty", 0);
  char *s = encode(L, 1, pretty);
  lua_pushstring(L, s);
  cJSON_free(s);
  return 1;
}

/* cni.write_json(path, value): pretty JSON with sorted keys, atomic. */
static int l_write_json(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  luaL_checkany(L, 2);
  lcni_check_not_input(L, path);
  char *s = encode(L, 2, 1);
  cni_atomic a;
  cni_err e;
  cni_err_clear(&e);
  if (cni_atomic_open(&a, path, &e) != CNI_OK) { cJSON_free(s); return lcni_raise_status(L, &e); }
  fputs(s, a.fp);
  fputc('\n', a.fp);
  cJSON_free(s);
  if (cni_atomic_commit(&a, &e) != CNI_OK) return lcni_raise_status(L, &e);
  return 0;
}

/* cni.write_text(path, string): atomic write of a text file. */
static int l_write_text(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  size_t len;
  const char *s = luaL_checklstring(L, 2, &len);
  lcni_check_not_input(L, path);
  cni_atomic a;
  cni_err e;
  cni_err_clear(&e);
  if (cni_atomic_open(&a, path, &e) != CNI_OK) return lcni_raise_status(L, &e);
  fwrite(s, 1, len, a.fp);
  if (cni_atomic_commit(&a, &e) != CNI_OK) return lcni_raise_status(L, &e);
  return 0;
}

/* cni.mkdirs(path) */
static int l_mkdirs(lua_State *L) {
  cni_err e;
  cni_err_clear(&e);
  if (cni_mkdirs(luaL_checkstring(L, 1), &e) != CNI_OK) return lcni_raise_status(L, &e);
  return 0;
}

/* cni.format_number(x [, digits [, decimals]]): locale-independent. */
static int l_format_number(lua_State *L) {
  double x = luaL_checknumber(L, 1);
  int digits = (int)luaL_optinteger(L, 2, 0);
  int decimals = (int)luaL_optinteger(L, 3, -1);
  if (decimals >= 0 && lua_isnoneornil(L, 2)) digits = -1;
  char buf[64];
  cni_fmt_double(buf, x, digits, decimals, "NA");
  lua_pushstring(L, buf);
  return 1;
}

/* cni.sha256(string) / cni.sha256_file(path) -> 64 hex digits */
static int l_sha256(lua_State *L) {
  size_t len;
  const char *s = luaL_checklstring(L, 1, &len);
  char hex[65];
  cni_sha256_hex(s, len, hex);
  lua_pushstring(L, hex);
  return 1;
}

static int l_sha256_file(lua_State *L) {
  char hex[65];
  cni_err e;
  cni_err_clear(&e);
  if (cni_sha256_file(luaL_checkstring(L, 1), hex, &e) != CNI_OK) return lcni_raise_status(L, &e);
  lua_pushstring(L, hex);
  return 1;
}

/* {===== background hashing: cni.sha256_start({paths}) -> job; job:wait() */

#define LCNI_HASHJOB "cni.HashJob"

typedef struct hashjob {
  pthread_t th;
  int started, joined;
  size_t n;
  char **paths;
  char (*hex)[65];
  int *status;
  cni_err *errs;
} hashjob;

static void *hash_thread(void *arg) {
  hashjob *j = arg;
  for (size_t i = 0; i < j->n; i++) j->status[i] = cni_sha256_file(j->paths[i], j->hex[i], &j->errs[i]);
  return NULL;
}

static void hashjob_join(hashjob *j) {
  if (j->started && !j->joined) { pthread_join(j->th, NULL); j->joined = 1; }
}

static void hashjob_free(hashjob *j) {
  hashjob_join(j);
  for (size_t i = 0; i < j->n && j->paths; i++) free(j->paths[i]);
  free(j->paths); free(j->hex); free(j->status); free(j->errs);
  j->paths = NULL; j->hex = NULL; j->status = NULL; j->errs = NULL; j->n = 0;
}

static int hashjob_gc(lua_State *L) {
  hashjob_free(luaL_checkudata(L, 1, LCNI_HASHJOB));
  return 0;
}

/* cni.sha256_start({path, ...}): hashes the files on a background thread
** (provenance while the data loads); :wait() returns {path = hex}. */
static int l_sha256_start(lua_State *L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  size_t n = (size_t)luaL_len(L, 1);
  hashjob *j = lua_newuserdatauv(L, sizeof *j, 0);
  memset(j, 0, sizeof *j);
  if (luaL_newmetatable(L, LCNI_HASHJOB)) {
    lua_pushcfunction(L, hashjob_gc);
    lua_setfield(L, -2, "__gc");
  }
  lua_setmetatable(L, -2);
  j->paths = calloc(n ? n : 1, sizeof *j->paths);
  j->hex = calloc(n ? n : 1, sizeof *j->hex);
  j->status = calloc(n ? n : 1, sizeof *j->status);
  j->errs = calloc(n ? n : 1, sizeof *j->errs);
  if (!j->paths || !j->hex || !j->status || !j->errs) return luaL_error(L, "not enough memory");
  for (size_t i = 0; i < n; i++) {
    lua_rawgeti(L, 1, (lua_Integer)i + 1);
    const char *p = luaL_checkstring(L, -1);
    j->paths[i] = malloc(strlen(p) + 1);
    if (!j->paths[i]) return luaL_error(L, "not enough memory");
    strcpy(j->paths[i], p);
    j->n = i + 1;
    lua_pop(L, 1);
  }
  j->started = pthread_create(&j->th, NULL, hash_thread, j) == 0;
  if (!j->started) hash_thread(j);   /* no thread: hash now */
  return 1;
}

static int l_sha256_wait(lua_State *L) {
  hashjob *j = luaL_checkudata(L, 1, LCNI_HASHJOB);
  hashjob_join(j);
  lua_createtable(L, 0, (int)j->n);
  for (size_t i = 0; i < j->n; i++) {
    if (j->status[i] != CNI_OK) return lcni_raise_status(L, &j->errs[i]);
    lua_pushstring(L, j->hex[i]);
    lua_setfield(L, -2, j->paths[i]);
  }
  return 1;
}

/* }===== */

/* cni.isatty(fd): is the file descriptor a terminal (0 stdin, 1, 2)? */
static int l_isatty(lua_State *L) {
  lua_pushboolean(L, isatty((int)luaL_checkinteger(L, 1)));
  return 1;
}

/* cni.clock(): monotonic wall-clock seconds (for timings). */
static int l_clock(lua_State *L) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  lua_pushnumber(L, (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9);
  return 1;
}

/* cni.minstd(n [, state = 1]) -> column of n uniforms, new state */
static int l_minstd(lua_State *L) {
  lua_Integer n = luaL_checkinteger(L, 1);
  lua_Integer st = luaL_optinteger(L, 2, 1);
  luaL_argcheck(L, n >= 0, 1, "length must be >= 0");
  luaL_argcheck(L, st >= 1 && st < 2147483647, 2, "state must be in 1..2^31-2");
  cni_column *c = cni_col_new(CNI_NUM, (size_t)n, NULL);
  if (!c) return luaL_error(L, "not enough memory");
  lcni_pushcolumn(L, c);
  uint64_t s = (uint64_t)st;
  cni_minstd_fill(c->num, (size_t)n, &s);
  lua_pushinteger(L, (lua_Integer)s);
  return 2;
}

/* }===== */

const luaL_Reg lcni_io_funcs[] = {
  {"clock", l_clock}, {"isatty", l_isatty}, {"sha256_start", l_sha256_start},
  {"sha256_wait", l_sha256_wait}, {"minstd", l_minstd}, {"sha256", l_sha256}, {"sha256_file", l_sha256_file},
  {"read_csv", l_read_csv}, {"write_csv", l_write_csv}, {"to_csv", l_to_csv},
  {"parse_csv", l_parse_csv},
  {"read_json", l_read_json}, {"write_json", l_write_json},
  {"json_decode", l_json_decode}, {"json_encode", l_json_encode},
  {"write_text", l_write_text}, {"mkdirs", l_mkdirs},
  {"format_number", l_format_number},
  {NULL, NULL}
};
