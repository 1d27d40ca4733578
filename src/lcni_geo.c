/*
** lcni_geo.c: Lua front of the boundaries and map core (cni_geo):
** cni.read_geojson, cni.parse_geojson, cni.geo_project and the Shapes
** userdata (codes, names, boxes, coverage of a join, SVG path data).
** Layer: bindings. Checks arguments, calls the core, pushes results.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lcni.h"
#include "cni_geo.h"
#include "cni_io.h"

#define LCNI_SHAPES "cni.Shapes"

typedef struct lcni_sbox { cni_shapes *s; } lcni_sbox;

static cni_shapes *checkshapes(lua_State *L, int i) {
  lcni_sbox *b = luaL_checkudata(L, i, LCNI_SHAPES);
  if (b->s == NULL) luaL_argerror(L, i, "attempt to use closed shapes");
  return b->s;
}

static lcni_sbox *newshapesbox(lua_State *L) {
  lcni_sbox *b = lua_newuserdatauv(L, sizeof *b, 0);
  b->s = NULL;
  luaL_setmetatable(L, LCNI_SHAPES);
  return b;
}

static void read_opts(lua_State *L, int i, const char *fname, cni_geojson_opts *o) {
  static const char *const allowed[] = {"code", "name", "max_bytes", NULL};
  lcni_check_opts(L, i, fname, allowed);
  cni_geojson_opts_init(o);
  o->code_prop = lcni_optstr_field(L, i, "code", "code");
  o->name_prop = lcni_optstr_field(L, i, "name", "name");
  double mb = lcni_optnum_field(L, i, "max_bytes", 0);
  if (!(mb >= 0)) lcni_raisef(L, "usage", "%s: option 'max_bytes' must be >= 0", fname);
  o->max_bytes = (size_t)mb;
  if (o->code_prop[0] == '\0') lcni_raisef(L, "usage", "%s: option 'code' must not be empty", fname);
}

/* cni.read_geojson(path [, {code = "code", name = "name", max_bytes = 0}]) */
static int l_read_geojson(lua_State *L) {
  lua_settop(L, 2);
  const char *path = luaL_checkstring(L, 1);
  cni_geojson_opts o;
  read_opts(L, 2, "read_geojson", &o);
  lcni_sbox *b = newshapesbox(L);
  cni_err e;
  b->s = cni_geojson_read(path, &o, &e);
  if (b->s == NULL) return lcni_raise_status(L, &e);
  lcni_note_input(L, path);
  return 1;
}

/* cni.parse_geojson(text [, opts]) */
static int l_parse_geojson(lua_State *L) {
  lua_settop(L, 2);
  size_t len;
  const char *text = luaL_checklstring(L, 1, &len);
  cni_geojson_opts o;
  read_opts(L, 2, "parse_geojson", &o);
  lcni_sbox *b = newshapesbox(L);
  cni_err e;
  b->s = cni_geojson_parse(text, len, "(string)", &o, &e);
  if (b->s == NULL) return lcni_raise_status(L, &e);
  return 1;
}

/* Projection from a name and an optional lat0. */
static void check_proj(lua_State *L, const char *name, double lat0, cni_proj *p) {
  if (strcmp(name, "bng") == 0) p->kind = CNI_PROJ_BNG;
  else if (strcmp(name, "equirect") == 0) p->kind = CNI_PROJ_EQUIRECT;
  else {
    static const char *const names[] = {"bng", "equirect"};
    const char *near = cni_closest(name, names, 2);
    lcni_raisef(L, "usage", "unknown projection '%s' (expected 'bng' or 'equirect')%s%s%s", name,
                near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "");
  }
  if (!(lat0 >= -89 && lat0 <= 89)) lcni_raisef(L, "usage", "lat0 must be a latitude in -89..89");
  p->lat0 = lat0;
}

/* cni.geo_project(lon, lat [, proj = "bng" [, lat0 = 52.5]]) -> x, y */
static int l_geo_project(lua_State *L) {
  double lon = luaL_checknumber(L, 1), lat = luaL_checknumber(L, 2);
  cni_proj p;
  check_proj(L, luaL_optstring(L, 3, "bng"), luaL_optnumber(L, 4, 52.5), &p);
  double x, y;
  cni_proj_apply(&p, lon, lat, &x, &y);
  lua_pushnumber(L, x);
  lua_pushnumber(L, y);
  return 2;
}

/* {===== Shapes methods */

static int sh_gc(lua_State *L) {
  lcni_sbox *b = luaL_checkudata(L, 1, LCNI_SHAPES);
  cni_shapes_free(b->s);
  b->s = NULL;
  return 0;
}

static int sh_len(lua_State *L) {
  lua_pushinteger(L, (lua_Integer)checkshapes(L, 1)->n);
  return 1;
}

static int sh_tostring(lua_State *L) {
  lcni_sbox *b = luaL_checkudata(L, 1, LCNI_SHAPES);
  if (b->s == NULL) { lua_pushliteral(L, "cni.Shapes (closed)"); return 1; }
  const cni_shapes *s = b->s;
  lua_pushfstring(L, "cni.Shapes: %I areas, %I polygons, %I rings, %I points",
                  (lua_Integer)s->n, (lua_Integer)s->nparts, (lua_Integer)s->nrings,
                  (lua_Integer)s->npts);
  return 1;
}

static size_t check_index(lua_State *L, int arg, const cni_shapes *s) {
  lua_Integer i = luaL_checkinteger(L, arg);
  if (i < 1 || (lua_Unsigned)i > s->n)
    luaL_argerror(L, arg, lua_pushfstring(L, "area %I out of range 1..%I", i, (lua_Integer)s->n));
  return (size_t)(i - 1);
}

static int strcol(lua_State *L, int names) {
  const cni_shapes *s = checkshapes(L, 1);
  cni_column *c = lcni_newcolumn(L, CNI_STR, s->n, 1);
  for (size_t i = 0; i < s->n; i++) {
    const char *v = names ? cni_shape_name(s, i) : cni_shape_code(s, i);
    if (names && v[0] == '\0') continue;   /* no name: missing */
    uint32_t k = cni_strdict_intern(c->dict, v, strlen(v));
    if (k == CNI_NA_CODE) return luaL_error(L, "not enough memory");
    c->code[i] = k;
  }
  return 1;
}
/* s:codes() / s:names(): string Columns in file order */
static int sh_codes(lua_State *L) { return strcol(L, 0); }
static int sh_names(lua_State *L) { return strcol(L, 1); }

/* s:code(i), s:name(i) */
static int sh_code(lua_State *L) {
  const cni_shapes *s = checkshapes(L, 1);
  lua_pushstring(L, cni_shape_code(s, check_index(L, 2, s)));
  return 1;
}
static int sh_name(lua_State *L) {
  const cni_shapes *s = checkshapes(L, 1);
  lua_pushstring(L, cni_shape_name(s, check_index(L, 2, s)));
  return 1;
}

/* s:code_list() / s:name_list(): plain Lua lists (for the map renderer) */
static int list(lua_State *L, int names) {
  const cni_shapes *s = checkshapes(L, 1);
  lua_createtable(L, (int)s->n, 0);
  for (size_t i = 0; i < s->n; i++) {
    lua_pushstring(L, names ? cni_shape_name(s, i) : cni_shape_code(s, i));
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  return 1;
}
static int sh_code_list(lua_State *L) { return list(L, 0); }
static int sh_name_list(lua_State *L) { return list(L, 1); }

/* s:find(code) -> index or nil */
static int sh_find(lua_State *L) {
  const cni_shapes *s = checkshapes(L, 1);
  size_t len;
  const char *c = luaL_checklstring(L, 2, &len);
  size_t i = cni_shapes_find(s, c, len);
  if (i == (size_t)-1) lua_pushnil(L);
  else lua_pushinteger(L, (lua_Integer)i + 1);
  return 1;
}

static void push_box(lua_State *L, const double *bb) {
  lua_createtable(L, 4, 0);
  for (int k = 0; k < 4; k++) {
    lua_pushnumber(L, bb[k]);
    lua_rawseti(L, -2, k + 1);
  }
}

/* s:bbox([i | code]) -> {lon0, lat0, lon1, lat1} */
static int sh_bbox(lua_State *L) {
  const cni_shapes *s = checkshapes(L, 1);
  if (lua_isnoneornil(L, 2)) { push_box(L, s->all_bbox); return 1; }
  size_t i;
  if (lua_type(L, 2) == LUA_TSTRING) {
    size_t len;
    const char *c = lua_tolstring(L, 2, &len);
    i = cni_shapes_find(s, c, len);
    if (i == (size_t)-1) lcni_raisef(L, "data", "bbox: no area with code '%s'", c);
  } else {
    i = check_index(L, 2, s);
  }
  push_box(L, s->bbox + 4 * i);
  return 1;
}

/* s:info() -> {areas, polygons, rings, points, skipped} */
static int sh_info(lua_State *L) {
  const cni_shapes *s = checkshapes(L, 1);
  lua_createtable(L, 0, 5);
  lua_pushinteger(L, (lua_Integer)s->n); lua_setfield(L, -2, "areas");
  lua_pushinteger(L, (lua_Integer)s->nparts); lua_setfield(L, -2, "polygons");
  lua_pushinteger(L, (lua_Integer)s->nrings); lua_setfield(L, -2, "rings");
  lua_pushinteger(L, (lua_Integer)s->npts); lua_setfield(L, -2, "points");
  lua_pushinteger(L, (lua_Integer)s->nskipped); lua_setfield(L, -2, "skipped");
  return 1;
}

/* Projection options {proj = "bng", lat0 = 52.5} at index i (a table). */
static void project_opt(lua_State *L, int i, cni_shapes *s) {
  cni_proj p;
  check_proj(L, lcni_optstr_field(L, i, "proj", "bng"), lcni_optnum_field(L, i, "lat0", 52.5), &p);
  cni_err e;
  cni_err_clear(&e);
  if (cni_shapes_project(s, &p, &e) != CNI_OK) lcni_raise_status(L, &e);
}

/* Reads area selectors at index i (a list of codes or 1-based indices)
** into a userdata array of 0-based indices; unknown codes are skipped and
** counted. */
static size_t *selection(lua_State *L, int i, const cni_shapes *s, size_t *k_, size_t *unknown_) {
  luaL_checktype(L, i, LUA_TTABLE);
  size_t n = (size_t)luaL_len(L, i), k = 0, unknown = 0;
  size_t *idx = lua_newuserdatauv(L, (n ? n : 1) * sizeof *idx, 0);
  for (size_t j = 1; j <= n; j++) {
    int t = lua_rawgeti(L, i, (lua_Integer)j);
    size_t at = (size_t)-1;
    if (t == LUA_TSTRING) {
      size_t len;
      const char *c = lua_tolstring(L, -1, &len);
      at = cni_shapes_find(s, c, len);
    } else if (lua_isinteger(L, -1)) {
      lua_Integer v = lua_tointeger(L, -1);
      if (v >= 1 && (lua_Unsigned)v <= s->n) at = (size_t)(v - 1);
    } else {
      lcni_raisef(L, "usage", "area %d of the selection is a %s, not a code or an index",
                  (int)j, luaL_typename(L, -1));
    }
    lua_pop(L, 1);
    if (at == (size_t)-1) unknown++;
    else idx[k++] = at;
  }
  *k_ = k;
  *unknown_ = unknown;
  return idx;
}

/* s:extent({proj =, lat0 =} [, selection]) -> x0, y0, x1, y1 (projected
** metres) or nil when the selection matches no area; second result: the
** number of selectors that matched nothing. */
static int sh_extent(lua_State *L) {
  lua_settop(L, 3);
  static const char *const allowed[] = {"proj", "lat0", NULL};
  cni_shapes *s = checkshapes(L, 1);
  lcni_check_opts(L, 2, "extent", allowed);
  project_opt(L, 2, s);
  double box[4];
  size_t k = 0, unknown = 0;
  int any;
  if (lua_isnoneornil(L, 3)) any = cni_shapes_extent(s, NULL, 0, box);
  else {
    size_t *idx = selection(L, 3, s, &k, &unknown);
    any = cni_shapes_extent(s, idx, k, box);
  }
  if (!any) { lua_pushnil(L); lua_pushinteger(L, (lua_Integer)unknown); return 2; }
  push_box(L, box);
  lua_pushinteger(L, (lua_Integer)unknown);
  return 2;
}

/* s:count_in({proj =, lat0 =}, {x0, y0, x1, y1}) -> number of areas whose
** projected box meets the given box */
static int sh_count_in(lua_State *L) {
  lua_settop(L, 3);
  static const char *const allowed[] = {"proj", "lat0", NULL};
  cni_shapes *s = checkshapes(L, 1);
  lcni_check_opts(L, 2, "count_in", allowed);
  project_opt(L, 2, s);
  luaL_checktype(L, 3, LUA_TTABLE);
  double box[4];
  for (int k = 0; k < 4; k++) {
    lua_rawgeti(L, 3, k + 1);
    if (!lua_isnumber(L, -1)) lcni_raisef(L, "usage", "count_in: the box must be {x0, y0, x1, y1}");
    box[k] = lua_tonumber(L, -1);
    lua_pop(L, 1);
  }
  lua_pushinteger(L, (lua_Integer)cni_shapes_count_in(s, box));
  return 1;
}

/* s:paths{proj =, lat0 =, x0 =, y1 =, scale =, tol = 0, w = 0, h = 0}
** -> list of path data strings in area order (false for areas outside the
** view), then the number of points written and the number of areas drawn. */
static int sh_paths(lua_State *L) {
  lua_settop(L, 2);
  static const char *const allowed[] = {"proj", "lat0", "x0", "y1", "scale", "tol", "w", "h", NULL};
  cni_shapes *s = checkshapes(L, 1);
  luaL_checktype(L, 2, LUA_TTABLE);
  lcni_check_opts(L, 2, "paths", allowed);
  project_opt(L, 2, s);
  cni_svgview v;
  v.x0 = lcni_optnum_field(L, 2, "x0", NAN);
  v.y1 = lcni_optnum_field(L, 2, "y1", NAN);
  v.scale = lcni_optnum_field(L, 2, "scale", NAN);
  v.tol = lcni_optnum_field(L, 2, "tol", 0);
  v.w = lcni_optnum_field(L, 2, "w", 0);
  v.h = lcni_optnum_field(L, 2, "h", 0);
  if (!isfinite(v.x0) || !isfinite(v.y1))
    lcni_raisef(L, "usage", "paths: options 'x0' and 'y1' (the projected left and top of the view) are required");
  if (!(v.scale > 0) || !isfinite(v.scale))
    lcni_raisef(L, "usage", "paths: option 'scale' (SVG units per projected metre) must be > 0");
  if (!(v.tol >= 0) || !(v.w >= 0) || !(v.h >= 0))
    lcni_raisef(L, "usage", "paths: options 'tol', 'w' and 'h' must be >= 0");
  cni_pathbuf *pb = lua_newuserdatauv(L, sizeof *pb, 0);   /* freed below or by __gc */
  cni_pathbuf_init(pb);
  luaL_setmetatable(L, "cni.pathbuf");
  lua_createtable(L, (int)s->n, 0);
  size_t total = 0, drawn = 0;
  for (size_t i = 0; i < s->n; i++) {
    size_t np;
    pb->len = 0;
    int r = cni_geo_path(s, i, &v, pb, &np);
    if (r < 0) return luaL_error(L, "not enough memory");
    if (r == 0) lua_pushboolean(L, 0);
    else { lua_pushlstring(L, pb->s, pb->len); drawn++; }
    total += np;
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  cni_pathbuf_free(pb);
  lua_pushinteger(L, (lua_Integer)total);
  lua_pushinteger(L, (lua_Integer)drawn);
  return 3;
}

/* s:coverage(keys [, column]) -> {matched, no_shape = {codes},
** no_area = {codes}, n_keys, n_shapes}. keys: a Column, a Table with the
** key column named by 'column', or a list of strings. */
static int sh_coverage(lua_State *L) {
  lua_settop(L, 3);
  const cni_shapes *s = checkshapes(L, 1);
  const cni_column *c = NULL;
  if (luaL_testudata(L, 2, LCNI_TABLE)) {
    cni_table *t = lcni_checktable(L, 2);
    const char *name = luaL_checkstring(L, 3);
    long j = cni_table_find(t, name);
    if (j < 0) lcni_raisef(L, "usage", "coverage: the table has no column '%s'", name);
    c = t->cols[j];
  } else if (lcni_tocolumn(L, 2)) {
    c = lcni_tocolumn(L, 2);
  } else if (!lua_istable(L, 2)) {
    return lcni_raisef(L, "usage", "coverage: expected a Column, a Table and a column name, or a list of codes");
  }
  size_t n = c ? c->n : (size_t)luaL_len(L, 2);
  const char **keys = lua_newuserdatauv(L, (n ? n : 1) * sizeof *keys, 0);
  size_t *lens = lua_newuserdatauv(L, (n ? n : 1) * sizeof *lens, 0);
  char numbuf[48];
  /* numeric key columns: format each value (kept alive in a Lua table) */
  lua_newtable(L);
  int holder = lua_gettop(L);
  for (size_t i = 0; i < n; i++) {
    keys[i] = NULL;
    lens[i] = 0;
    if (c && c->type == CNI_STR) {
      const char *v = cni_col_str(c, i);
      if (v) { keys[i] = v; lens[i] = c->dict->len[c->code[i]]; }
    } else if (c && c->type == CNI_NUM) {
      if (!isnan(c->num[i])) {
        size_t l = cni_fmt_double(numbuf, c->num[i], 0, -1, "");
        lua_pushlstring(L, numbuf, l);
        keys[i] = lua_tolstring(L, -1, &lens[i]);
        lua_rawseti(L, holder, (lua_Integer)i + 1);
      }
    } else if (c) {
      lcni_raisef(L, "usage", "coverage: key column must hold strings or numbers, not booleans");
    } else {
      int t = lua_rawgeti(L, 2, (lua_Integer)i + 1);
      if (t == LUA_TSTRING || t == LUA_TNUMBER) {
        keys[i] = lua_tolstring(L, -1, &lens[i]);
        lua_rawseti(L, holder, (lua_Integer)i + 1);
      } else {
        lua_pop(L, 1);
      }
    }
  }
  cni_geo_coverage cov;
  cni_err e;
  cni_err_clear(&e);
  if (cni_geo_coverage_compute(s, keys, lens, n, &cov, &e) != CNI_OK) return lcni_raise_status(L, &e);
  lua_createtable(L, 0, 5);
  lua_pushinteger(L, (lua_Integer)cov.matched); lua_setfield(L, -2, "matched");
  lua_pushinteger(L, (lua_Integer)cov.n_keys); lua_setfield(L, -2, "n_keys");
  lua_pushinteger(L, (lua_Integer)cov.n_shapes); lua_setfield(L, -2, "n_shapes");
  lua_createtable(L, (int)cov.n_no_shape, 0);
  for (size_t k = 0; k < cov.n_no_shape; k++) {
    size_t i = cov.no_shape[k];
    if (keys[i]) lua_pushlstring(L, keys[i], lens[i]);
    else lua_pushliteral(L, "");
    lua_rawseti(L, -2, (lua_Integer)k + 1);
  }
  lua_setfield(L, -2, "no_shape");
  lua_createtable(L, (int)cov.n_no_area, 0);
  for (size_t k = 0; k < cov.n_no_area; k++) {
    lua_pushstring(L, cni_shape_code(s, cov.no_area[k]));
    lua_rawseti(L, -2, (lua_Integer)k + 1);
  }
  lua_setfield(L, -2, "no_area");
  cni_geo_coverage_free(&cov);
  return 1;
}

static int sh_index(lua_State *L) {
  luaL_getmetafield(L, 1, "__methods");
  lua_pushvalue(L, 2);
  lua_rawget(L, -2);
  return 1;
}

static const luaL_Reg sh_meths[] = {
  {"codes", sh_codes}, {"names", sh_names}, {"code", sh_code}, {"name", sh_name},
  {"code_list", sh_code_list}, {"name_list", sh_name_list},
  {"find", sh_find}, {"bbox", sh_bbox}, {"info", sh_info}, {"extent", sh_extent}, {"count_in", sh_count_in},
  {"paths", sh_paths}, {"coverage", sh_coverage}, {"close", sh_gc},
  {NULL, NULL}
};

static const luaL_Reg sh_metameths[] = {
  {"__index", sh_index}, {"__len", sh_len}, {"__tostring", sh_tostring},
  {"__gc", sh_gc}, {"__close", sh_gc},
  {NULL, NULL}
};

/* }===== */

static int pathbuf_gc(lua_State *L) {
  cni_pathbuf *pb = luaL_checkudata(L, 1, "cni.pathbuf");
  cni_pathbuf_free(pb);
  return 0;
}

void lcni_open_geo(lua_State *L) {
  if (luaL_newmetatable(L, "cni.pathbuf")) {
    lua_pushcfunction(L, pathbuf_gc);
    lua_setfield(L, -2, "__gc");
  }
  lua_pop(L, 1);
  if (luaL_newmetatable(L, LCNI_SHAPES)) {
    luaL_setfuncs(L, sh_metameths, 0);
    lua_newtable(L);
    luaL_setfuncs(L, sh_meths, 0);
    lua_setfield(L, -2, "__methods");
  }
  lua_pop(L, 1);
}

const luaL_Reg lcni_geo_funcs[] = {
  {"read_geojson", l_read_geojson},
  {"parse_geojson", l_parse_geojson},
  {"geo_project", l_geo_project},
  {NULL, NULL}
};
