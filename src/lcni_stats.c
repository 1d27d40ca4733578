/*
** lcni_stats.c: Lua front of the statistical kernels (Column methods,
** cni.* functions and the Groups userdata).
** Layer: bindings. Checks arguments, calls cni_stats/cni_group/cni_corr,
** pushes new columns. No arithmetic here beyond index conversion.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lcni.h"
#include "cni_corr.h"
#include "cni_group.h"
#include "cni_stats.h"
#include "cni_par.h"

/* {===== helpers */

/* Numeric column at index i (boolean columns are refused here). */
static cni_column *checknum(lua_State *L, int i) {
  cni_column *c = lcni_checkcolumn(L, i);
  if (c->type != CNI_NUM)
    lcni_raisef(L, "runtime", "expected a numeric column, got a %s column", cni_coltype_name(c->type));
  return c;
}

/* Pushes a new numeric column of n rows and returns its data. */
static double *newnum(lua_State *L, size_t n) {
  return lcni_newcolumn(L, CNI_NUM, n, 1)->num;
}

/* newnum for a kernel that writes every value (not filled here, so that
** the first touch of its pages happens on the kernel's thread) */
static double *newnum_raw(lua_State *L, size_t n) {
  return lcni_newcolumn(L, CNI_NUM, n, 0)->num;
}

/* Row-wise kernels run on all cores from this many rows up. */
#define PAR_ROWS ((size_t)1 << 17)

static int check_status(lua_State *L, int st, cni_err *e) {
  if (st == CNI_OK) return 0;
  if (st == CNI_ENOMEM) return luaL_error(L, "not enough memory");
  return lcni_raise(L, st == CNI_EPARSE ? "data" : "runtime", e, 1);
}

static void check_same_len(lua_State *L, const cni_column *a, const cni_column *b) {
  if (a->n != b->n)
    lcni_raisef(L, "runtime", "columns differ in length (%d and %d)", (int)a->n, (int)b->n);
}

static const char *const ties_names[] = {"average", "min", "max", "first", "dense", NULL};

static int opt_enum(lua_State *L, int opts, const char *key, const char *def,
                    const char *const *names) {
  const char *s = lcni_optstr_field(L, opts, key, def);
  for (int i = 0; names[i]; i++) if (strcmp(names[i], s) == 0) return i;
  const char *near = cni_closest(s, names, 0);
  size_t n = 0;
  while (names[n]) n++;
  near = cni_closest(s, names, n);
  return lcni_raisef(L, "usage", "option '%s': unknown value '%s'%s%s%s", key, s,
                     near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
}

/* Options argument at index i: a table or nothing. */
static int optstable(lua_State *L, int i) {
  if (!lua_isnoneornil(L, i)) luaL_checktype(L, i, LUA_TTABLE);
  return i;
}

/* }===== */

/* {===== ranking and tiles */

/* The 'map' option of rank / rank_many: a numeric column (or nil). */
static const cni_column *opt_map(lua_State *L, int opts, const char *fname, int ties) {
  const cni_column *m;
  if (lua_isnoneornil(L, opts)) return NULL;
  lua_getfield(L, opts, "map");
  if (lua_isnil(L, -1)) { lua_pop(L, 1); return NULL; }
  m = lcni_tocolumn(L, -1);
  lua_pop(L, 1);                 /* still referenced by the options table */
  if (m == NULL || m->type != CNI_NUM)
    lcni_raisef(L, "usage", "%s: option 'map' must be a numeric column", fname);
  if (ties == CNI_TIES_AVERAGE)
    lcni_raisef(L, "usage", "%s: option 'map' needs integer ranks: ties = \"first\", \"min\", \"max\" or \"dense\"", fname);
  return m;
}

/* c:rank{desc = false, ties = "average", map = nil} */
static int m_rank(lua_State *L) {
  lua_settop(L, 2);
  static const char *const allowed[] = {"desc", "ties", "map", NULL};
  cni_column *c = checknum(L, 1);
  lcni_check_opts(L, optstable(L, 2), "rank", allowed);
  int desc = lcni_optbool_field(L, 2, "desc", 0);
  int ties = opt_enum(L, 2, "ties", "average", ties_names);
  const cni_column *map = opt_map(L, 2, "rank", ties);
  double *o = newnum(L, c->n);
  cni_err e;
  /* one column: its buckets are sorted on all cores (same result) */
  check_status(L, cni_rank_mt(c->num, c->n, desc, (cni_ties)ties, map ? map->num : NULL,
                              map ? map->n : 0, o, NULL, 0, &e), &e);
  return 1;
}

/* c:order{desc = false} -> 1-based row numbers in sorted order (stable,
** missing last) */
static int m_order(lua_State *L) {
  lua_settop(L, 2);
  static const char *const allowed[] = {"desc", NULL};
  cni_column *c = checknum(L, 1);
  lcni_check_opts(L, optstable(L, 2), "order", allowed);
  int desc = lcni_optbool_field(L, 2, "desc", 0);
  size_t *idx = lua_newuserdatauv(L, (c->n ? c->n : 1) * sizeof *idx, 0);
  cni_err e;
  check_status(L, cni_argsort(c->num, c->n, desc, idx, &e), &e);
  double *o = newnum(L, c->n);
  for (size_t i = 0; i < c->n; i++) o[i] = (double)idx[i] + 1;
  return 1;
}

static int m_percent_rank(lua_State *L) {
  cni_column *c = checknum(L, 1);
  double *o = newnum(L, c->n);
  cni_err e;
  check_status(L, cni_percent_rank(c->num, c->n, o, &e), &e);
  return 1;
}

/* c:ntile(k, {desc = false, weights = col}) */
static int m_ntile(lua_State *L) {
  lua_settop(L, 3);
  static const char *const allowed[] = {"desc", "weights", NULL};
  cni_column *c = checknum(L, 1);
  lua_Integer k = luaL_checkinteger(L, 2);
  luaL_argcheck(L, k >= 1 && k <= 1000000, 2, "number of groups must be >= 1");
  lcni_check_opts(L, optstable(L, 3), "ntile", allowed);
  int desc = lcni_optbool_field(L, 3, "desc", 0);
  cni_column *w = NULL;
  if (lua_istable(L, 3)) {
    lua_getfield(L, 3, "weights");
    if (!lua_isnil(L, -1)) { w = checknum(L, -1); check_same_len(L, c, w); }
  }
  double *o = newnum(L, c->n);
  cni_err e;
  if (w) check_status(L, cni_wntile(c->num, w->num, c->n, (int)k, desc, o, &e), &e);
  else check_status(L, cni_ntile(c->num, c->n, (int)k, desc, o, &e), &e);
  return 1;
}

/* c:quantile(p | {p...}, {type = 7, weights = col}) */
static int m_quantile(lua_State *L) {
  lua_settop(L, 3);
  static const char *const allowed[] = {"type", "weights", NULL};
  cni_column *c = checknum(L, 1);
  int many = lua_istable(L, 2);
  lcni_check_opts(L, optstable(L, 3), "quantile", allowed);
  int type = lcni_optint_field(L, 3, "type", 7);
  cni_column *w = NULL;
  if (lua_istable(L, 3)) {
    lua_getfield(L, 3, "weights");
    if (!lua_isnil(L, -1)) { w = checknum(L, -1); check_same_len(L, c, w); }
    lua_pop(L, 1);
  }
  size_t np = many ? (size_t)luaL_len(L, 2) : 1;
  double *p = lua_newuserdatauv(L, (np ? np : 1) * sizeof *p, 0);
  double *q = lua_newuserdatauv(L, (np ? np : 1) * sizeof *q, 0);
  if (many) {
    for (size_t i = 0; i < np; i++) {
      lua_rawgeti(L, 2, (lua_Integer)i + 1);
      if (!lua_isnumber(L, -1)) lcni_raisef(L, "usage", "quantile: probabilities must be numbers");
      p[i] = lua_tonumber(L, -1);
      lua_pop(L, 1);
    }
  } else {
    p[0] = luaL_checknumber(L, 2);
  }
  cni_err e;
  if (w) check_status(L, cni_wquantile(c->num, w->num, c->n, p, np, q, &e), &e);
  else check_status(L, cni_quantile(c->num, c->n, p, np, type, q, &e), &e);
  if (!many) { lua_pushnumber(L, q[0]); return 1; }
  lua_createtable(L, (int)np, 0);
  for (size_t i = 0; i < np; i++) {
    lua_pushnumber(L, q[i]);
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  return 1;
}

static int m_median(lua_State *L) {
  cni_column *c = checknum(L, 1);
  double p = 0.5, q;
  cni_err e;
  check_status(L, cni_quantile(c->num, c->n, &p, 1, 7, &q, &e), &e);
  lua_pushnumber(L, q);
  return 1;
}

/* c:sd{sample = true} */
static int m_sd(lua_State *L) {
  lua_settop(L, 2);
  cni_column *c = checknum(L, 1);
  int sample = lcni_optbool_field(L, optstable(L, 2), "sample", 1);
  double s = 0, m, ss = 0;
  size_t k = 0;
  for (size_t i = 0; i < c->n; i++) if (!isnan(c->num[i])) { s += c->num[i]; k++; }
  if (k < (size_t)(sample ? 2 : 1)) { lua_pushnil(L); return 1; }
  m = s / (double)k;
  for (size_t i = 0; i < c->n; i++) if (!isnan(c->num[i])) ss += (c->num[i] - m) * (c->num[i] - m);
  lua_pushnumber(L, sqrt(ss / (double)(sample ? k - 1 : k)));
  return 1;
}

/* Kernels for cni.rank_many / cni.normal_scores_many (parallel over columns) */
typedef struct rank_params { int desc; cni_ties ties; const cni_column *map; } rank_params;
static int rank_fn(const double *x, size_t n, double *out, const void *p, cni_scratch *ws,
                   cni_err *e) {
  const rank_params *rp = p;
  return cni_rank_ws(x, n, rp->desc, rp->ties, rp->map ? rp->map->num : NULL,
                     rp->map ? rp->map->n : 0, out, NULL, ws, e);
}
typedef struct nscore_params { cni_nscore kind; const double *tab; size_t ntab; } nscore_params;
static int nscore_fn(const double *x, size_t n, double *out, const void *p, cni_scratch *ws,
                     cni_err *e) {
  const nscore_params *np = p;
  return cni_normal_scores_ws(x, n, np->kind, np->tab, np->ntab, out, ws, e);
}

/* Reads a list of numeric columns into arrays; pushes one new column per
** input into a result list (left on the stack). */
static void many_prepare(lua_State *L, const char *fname, int inplace, const double ***x_,
                         double ***out_, size_t *k_, size_t *n_) {
  luaL_checktype(L, 1, LUA_TTABLE);
  size_t k = (size_t)luaL_len(L, 1), n = 0;
  const double **x = lua_newuserdatauv(L, (k ? k : 1) * sizeof *x, 0);
  double **out = lua_newuserdatauv(L, (k ? k : 1) * sizeof *out, 0);
  lua_createtable(L, (int)k, 0);                        /* stack: ..., x, out, list */
  for (size_t j = 0; j < k; j++) {
    lua_rawgeti(L, 1, (lua_Integer)j + 1);
    cni_column *c = lcni_tocolumn(L, -1);
    if (c == NULL || c->type != CNI_NUM)
      lcni_raisef(L, "usage", "%s: element %d is not a numeric column", fname, (int)j + 1);
    if (j == 0) n = c->n;
    else if (c->n != n) lcni_raisef(L, "runtime", "%s: columns differ in length", fname);
    x[j] = c->num;
    if (inplace) {   /* the results overwrite the column: it must be its own */
      if (c->refs > 1)
        lcni_raisef(L, "usage", "%s: inplace: column %d is shared (part of a table, or "
                    "taken from one); pass a copy, or leave inplace off", fname, (int)j + 1);
      for (size_t i = 0; i < j; i++)
        if (x[i] == c->num)
          lcni_raisef(L, "usage", "%s: inplace: column %d is also column %d", fname,
                      (int)j + 1, (int)i + 1);
      out[j] = c->num;                /* the box on the stack goes to the list */
    } else {
      lua_pop(L, 1);
      out[j] = newnum_raw(L, c->n);   /* every value written by the kernel */
    }
    lua_rawseti(L, -2, (lua_Integer)j + 1);
  }
  *x_ = x; *out_ = out; *k_ = k; *n_ = n;
}

/* cni.rank_many({cols}, {desc =, ties =, threads = 0, map =, inplace =}) -> {ranks} */
static int l_rank_many(lua_State *L) {
  lua_settop(L, 2);
  static const char *const allowed[] = {"desc", "ties", "threads", "map", "inplace", NULL};
  lcni_check_opts(L, optstable(L, 2), "rank_many", allowed);
  rank_params rp;
  rp.desc = lcni_optbool_field(L, 2, "desc", 0);
  rp.ties = (cni_ties)opt_enum(L, 2, "ties", "average", ties_names);
  rp.map = opt_map(L, 2, "rank_many", (int)rp.ties);
  int threads = lcni_optint_field(L, 2, "threads", 0);
  int inplace = lcni_optbool_field(L, 2, "inplace", 0);
  const double **x; double **out; size_t k, n;
  many_prepare(L, "rank_many", inplace, &x, &out, &k, &n);
  if (inplace && rp.map != NULL)
    for (size_t j = 0; j < k; j++)
      if (x[j] == rp.map->num)
        lcni_raisef(L, "usage", "rank_many: inplace: column %d is also the map", (int)j + 1);
  cni_err e;
  if (k == 1)   /* one column: its buckets are sorted on all the threads instead */
    check_status(L, cni_rank_mt(x[0], n, rp.desc, rp.ties, rp.map ? rp.map->num : NULL,
                                rp.map ? rp.map->n : 0, out[0], NULL, threads, &e), &e);
  else
    check_status(L, cni_par_map(rank_fn, &rp, x, out, k, n, threads, &e), &e);
  return 1;
}

/* cni.normal_scores_many({cols}, {offset =, threads = 0, inplace =}) -> {scores} */
static int l_nscores_many(lua_State *L) {
  lua_settop(L, 2);
  static const char *const allowed[] = {"offset", "threads", "inplace", NULL};
  static const char *const kinds[] = {"rankit", "blom", "vdw", NULL};
  lcni_check_opts(L, optstable(L, 2), "normal_scores_many", allowed);
  cni_nscore kind = (cni_nscore)opt_enum(L, 2, "offset", "rankit", kinds);
  int threads = lcni_optint_field(L, 2, "threads", 0);
  int inplace = lcni_optbool_field(L, 2, "inplace", 0);
  const double **x; double **out; size_t k, n;
  many_prepare(L, "normal_scores_many", inplace, &x, &out, &k, &n);
  int list = lua_gettop(L);
  /* one table of scores by position for the common count of non-missing
  ** values (the first column's), shared by every column with that count */
  nscore_params np = {kind, NULL, 0};
  if (k > 1 && n > 0) {
    size_t nv = 0;
    for (size_t i = 0; i < n; i++) nv += !isnan(x[0][i]);
    double *tab = lua_newuserdatauv(L, (nv ? nv : 1) * sizeof *tab, 0);
    cni_normal_scores_table(nv, kind, tab);
    np.tab = tab;
    np.ntab = nv;
  }
  cni_err e;
  check_status(L, cni_par_map(nscore_fn, &np, x, out, k, n, threads, &e), &e);
  lua_pushvalue(L, list);
  return 1;
}

/* }===== */

/* {===== normalisation and transforms */

static int m_zscore(lua_State *L) {
  lua_settop(L, 2);
  static const char *const allowed[] = {"sample", NULL};
  cni_column *c = checknum(L, 1);
  lcni_check_opts(L, optstable(L, 2), "zscore", allowed);
  int sample = lcni_optbool_field(L, 2, "sample", 1);
  double *o = newnum(L, c->n);
  cni_err e;
  check_status(L, cni_zscore(c->num, c->n, sample, o, &e), &e);
  return 1;
}

static int m_minmax(lua_State *L) {
  lua_settop(L, 2);
  static const char *const allowed[] = {"lo", "hi", NULL};
  cni_column *c = checknum(L, 1);
  lcni_check_opts(L, optstable(L, 2), "minmax", allowed);
  double lo = lcni_optnum_field(L, 2, "lo", 0), hi = lcni_optnum_field(L, 2, "hi", 1);
  double *o = newnum(L, c->n);
  cni_err e;
  check_status(L, cni_minmax(c->num, c->n, lo, hi, o, &e), &e);
  return 1;
}

/* c:distance(ref, {relative = false}) */
static int m_distance(lua_State *L) {
  lua_settop(L, 3);
  static const char *const allowed[] = {"relative", NULL};
  cni_column *c = checknum(L, 1);
  double ref = luaL_checknumber(L, 2);
  lcni_check_opts(L, optstable(L, 3), "distance", allowed);
  int rel = lcni_optbool_field(L, 3, "relative", 0);
  double *o = newnum(L, c->n);
  cni_err e;
  check_status(L, cni_distance_to_ref(c->num, c->n, ref, rel, o, &e), &e);
  return 1;
}

/* c:normal_scores{offset = "rankit" | "blom" | "vdw"} */
static int m_normal_scores(lua_State *L) {
  lua_settop(L, 2);
  static const char *const allowed[] = {"offset", NULL};
  static const char *const kinds[] = {"rankit", "blom", "vdw", NULL};
  cni_column *c = checknum(L, 1);
  lcni_check_opts(L, optstable(L, 2), "normal_scores", allowed);
  int kind = opt_enum(L, 2, "offset", "rankit", kinds);
  double *o = newnum(L, c->n);
  cni_err e;
  check_status(L, cni_normal_scores(c->num, c->n, (cni_nscore)kind, o, &e), &e);
  return 1;
}

/* Row slices of exp_transform (cni_par_rows). */
typedef struct exp_ctx { const double *x; double N, c, up; double *out; } exp_ctx;
static int exp_rows(void *ctx, size_t lo, size_t hi, int slice, cni_err *err) {
  (void)slice;
  const exp_ctx *cx = ctx;
  return cni_exp_transform(cx->x + lo, hi - lo, cx->N, cx->c, cx->up, cx->out + lo, err);
}

/* rank:exp_transform{n = N, c = 23, upper = 100}; N defaults to the number
** of non-missing ranks. */
static int m_exp_transform(lua_State *L) {
  lua_settop(L, 2);
  static const char *const allowed[] = {"n", "c", "upper", NULL};
  cni_column *c = checknum(L, 1);
  lcni_check_opts(L, optstable(L, 2), "exp_transform", allowed);
  double N = lcni_optnum_field(L, 2, "n", (double)(c->n - cni_col_nmissing(c)));
  double k = lcni_optnum_field(L, 2, "c", 23), up = lcni_optnum_field(L, 2, "upper", 100);
  exp_ctx cx = {c->num, N, k, up, newnum_raw(L, c->n)};
  cni_err e;
  check_status(L, cni_par_rows(exp_rows, &cx, c->n, 0, PAR_ROWS, &e), &e);
  return 1;
}

static int logx(lua_State *L, int plus1) {
  cni_column *c = checknum(L, 1);
  double *o = newnum(L, c->n);
  cni_err e;
  size_t bad = 0;
  check_status(L, cni_log_ex(c->num, c->n, plus1, o, &bad, &e), &e);
  lua_pushinteger(L, (lua_Integer)bad);
  return 2;
}
static int m_log(lua_State *L) { return logx(L, 0); }
static int m_log1p(lua_State *L) { return logx(L, 1); }

/* c:winsorise{q = {0.05, 0.95}} or c:winsorise{sd = 3} */
static int m_winsorise(lua_State *L) {
  lua_settop(L, 2);
  static const char *const allowed[] = {"q", "sd", NULL};
  cni_column *c = checknum(L, 1);
  luaL_checktype(L, 2, LUA_TTABLE);
  lcni_check_opts(L, 2, "winsorise", allowed);
  lua_getfield(L, 2, "q");
  lua_getfield(L, 2, "sd");
  int hasq = !lua_isnil(L, -2), hassd = !lua_isnil(L, -1);
  if (hasq == hassd) lcni_raisef(L, "usage", "winsorise: give exactly one of 'q' or 'sd'");
  double *o = newnum(L, c->n);
  cni_err e;
  if (hasq) {
    if (!lua_istable(L, -3)) lcni_raisef(L, "usage", "winsorise: 'q' must be {low, high}");
    lua_rawgeti(L, -3, 1);
    lua_rawgeti(L, -4, 2);
    if (!lua_isnumber(L, -1) || !lua_isnumber(L, -2))
      lcni_raisef(L, "usage", "winsorise: 'q' must be {low, high}");
    check_status(L, cni_winsorise_q(c->num, c->n, lua_tonumber(L, -2), lua_tonumber(L, -1), o, &e), &e);
    lua_pop(L, 2);
  } else {
    if (!lua_isnumber(L, -2)) lcni_raisef(L, "usage", "winsorise: 'sd' must be a number");
    check_status(L, cni_winsorise_sd(c->num, c->n, lua_tonumber(L, -2), o, &e), &e);
  }
  return 1;
}

/* cni.qnorm(p) / cni.pnorm(x): numbers or numeric columns */
static int normal_fn(lua_State *L, double (*f)(double)) {
  cni_column *c = lcni_tocolumn(L, 1);
  if (c == NULL) { lua_pushnumber(L, f(luaL_checknumber(L, 1))); return 1; }
  c = checknum(L, 1);
  double *o = newnum(L, c->n);
  for (size_t i = 0; i < c->n; i++) o[i] = f(c->num[i]);
  return 1;
}
static int l_qnorm(lua_State *L) { return normal_fn(L, cni_qnorm); }
static int l_pnorm(lua_State *L) { return normal_fn(L, cni_pnorm); }
static double fabs_(double x) { return fabs(x); }
static double sqrt_(double x) { return sqrt(x); }
static double exp_(double x) { return exp(x); }
static double floor_(double x) { return floor(x); }
static double ceil_(double x) { return ceil(x); }
static int m_floor(lua_State *L) { return normal_fn(L, floor_); }
static int m_ceil(lua_State *L) { return normal_fn(L, ceil_); }
static int m_abs(lua_State *L) { return normal_fn(L, fabs_); }
static int m_sqrt(lua_State *L) { return normal_fn(L, sqrt_); }
static int m_exp(lua_State *L) { return normal_fn(L, exp_); }

/* }===== */

/* {===== combining columns */

/* Reads a list of numeric columns at index i into a userdata array. */
static const double **col_list(lua_State *L, int i, size_t *k_, size_t *n_) {
  luaL_checktype(L, i, LUA_TTABLE);
  size_t k = (size_t)luaL_len(L, i);
  if (k == 0) lcni_raisef(L, "usage", "expected a non-empty list of columns");
  const double **cols = lua_newuserdatauv(L, k * sizeof *cols, 0);
  size_t n = 0;
  for (size_t j = 0; j < k; j++) {
    lua_rawgeti(L, i, (lua_Integer)j + 1);
    cni_column *c = lcni_tocolumn(L, -1);
    if (c == NULL || c->type != CNI_NUM)
      lcni_raisef(L, "usage", "element %d of the column list is not a numeric column", (int)j + 1);
    if (j == 0) n = c->n;
    else if (c->n != n) lcni_raisef(L, "runtime", "columns differ in length (%d and %d)", (int)n, (int)c->n);
    cols[j] = c->num;   /* kept alive by the list table */
    lua_pop(L, 1);
  }
  *k_ = k;
  *n_ = n;
  return cols;
}

/* Row slices of cni.combine (cni_par_rows): same arithmetic per row as one
** call over all rows. */
typedef struct combine_ctx {
  const double *const *cols;
  size_t k;
  const double *w;
  cni_combine_kind how;
  double thr;
  cni_na_policy na;
  double *out;
} combine_ctx;

static int combine_rows(void *ctx, size_t lo, size_t hi, int slice, cni_err *err) {
  (void)slice;
  const combine_ctx *cx = ctx;
  const double **p = malloc((cx->k ? cx->k : 1) * sizeof *p);
  int st;
  if (p == NULL) return cni_err_set(err, CNI_ENOMEM, "combine: out of memory");
  for (size_t j = 0; j < cx->k; j++) p[j] = cx->cols[j] + lo;
  st = cni_combine(p, cx->k, hi - lo, cx->w, cx->how, cx->thr, cx->na, cx->out + lo, err);
  free(p);
  return st;
}

/* cni.combine({cols}, {how = "wsum", weights = {...}, na = "propagate",
** threshold = 0}) */
static int l_combine(lua_State *L) {
  lua_settop(L, 2);
  static const char *const allowed[] = {"how", "weights", "na", "threshold", "inplace", NULL};
  static const char *const hows[] = {"wsum", "wmean", "geomean", "harmean", "min", "max",
                                     "count_above", NULL};
  static const char *const nas[] = {"propagate", "skip", "error", NULL};
  size_t k, n;
  const double **cols = col_list(L, 1, &k, &n);
  lcni_check_opts(L, optstable(L, 2), "combine", allowed);
  int how = opt_enum(L, 2, "how", "wsum", hows);
  int na = opt_enum(L, 2, "na", "propagate", nas);
  double thr = lcni_optnum_field(L, 2, "threshold", 0);
  int inplace = lcni_optbool_field(L, 2, "inplace", 0);
  cni_column *first = NULL;
  double *w = NULL;
  if (inplace) {   /* the result overwrites the first column: its own */
    lua_rawgeti(L, 1, 1);
    first = lcni_tocolumn(L, -1);
    lua_pop(L, 1);   /* still referenced by the list */
    if (first->refs > 1)
      lcni_raisef(L, "usage", "combine: inplace: column 1 is shared (part of a table, or "
                  "taken from one); pass a copy, or leave inplace off");
  }
  if (lua_istable(L, 2)) {
    lua_getfield(L, 2, "weights");
    if (!lua_isnil(L, -1)) {
      if (!lua_istable(L, -1) || (size_t)luaL_len(L, -1) != k)
        lcni_raisef(L, "usage", "combine: 'weights' must list %d numbers, one per column", (int)k);
      w = lua_newuserdatauv(L, k * sizeof *w, 0);
      for (size_t j = 0; j < k; j++) {
        lua_rawgeti(L, -2, (lua_Integer)j + 1);
        if (!lua_isnumber(L, -1)) lcni_raisef(L, "usage", "combine: weight %d is not a number", (int)j + 1);
        w[j] = lua_tonumber(L, -1);
        lua_pop(L, 1);
      }
    }
  }
  cni_err e;
  cni_err_clear(&e);
  int st;
  if ((how == CNI_COMB_WSUM || how == CNI_COMB_WMEAN) && na == CNI_NA_PROPAGATE && n >= PAR_ROWS) {
    /* row-wise and error-free: rows split over the cores, each slice
    ** writing (and first touching) its own part of the result */
    combine_ctx cx = {cols, k, w, (cni_combine_kind)how, thr, (cni_na_policy)na, NULL};
    if (inplace) { lua_rawgeti(L, 1, 1); cx.out = first->num; }   /* row blocks: safe */
    else cx.out = newnum_raw(L, n);
    st = cni_par_rows(combine_rows, &cx, n, 0, PAR_ROWS, &e);
  } else {
    double *o = newnum(L, n);
    st = cni_combine(cols, k, n, w, (cni_combine_kind)how, thr, (cni_na_policy)na, o, &e);
    if (inplace && st == CNI_OK) {   /* copied over the first column */
      memcpy(first->num, o, n * sizeof *o);
      lua_pop(L, 1);
      lua_rawgeti(L, 1, 1);
    }
  }
  if (st == CNI_EPARSE)
    return lcni_raisef(L, "data", "combine: missing value in row %d of column %d (na = \"error\")",
                       (int)e.row, (int)e.col);
  check_status(L, st, &e);
  return 1;
}

/* }===== */

/* {===== correlation */

static int corr2(lua_State *L, int (*f)(const double *, const double *, size_t, double *,
                                        size_t *, cni_err *)) {
  cni_column *x = checknum(L, 1), *y = checknum(L, 2);
  check_same_len(L, x, y);
  double r;
  size_t used;
  cni_err e;
  check_status(L, f(x->num, y->num, x->n, &r, &used, &e), &e);
  lua_pushnumber(L, r);
  lua_pushinteger(L, (lua_Integer)used);
  return 2;
}
static int l_pearson(lua_State *L) { return corr2(L, cni_pearson); }
static int l_spearman(lua_State *L) { return corr2(L, cni_spearman); }
static int l_kendall(lua_State *L) { return corr2(L, cni_kendall_tau_b); }

static void push_matrix(lua_State *L, const double *m, size_t rows, size_t cols) {
  lua_createtable(L, (int)rows, 0);
  for (size_t i = 0; i < rows; i++) {
    lua_createtable(L, (int)cols, 0);
    for (size_t j = 0; j < cols; j++) {
      lua_pushnumber(L, m[i * cols + j]);
      lua_rawseti(L, -2, (lua_Integer)j + 1);
    }
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
}

static void push_vector(lua_State *L, const double *v, size_t k) {
  lua_createtable(L, (int)k, 0);
  for (size_t i = 0; i < k; i++) {
    lua_pushnumber(L, v[i]);
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
}

/* cni.cor_matrix({cols}, {method = "pearson"}) -> k x k nested table */
static int l_cor_matrix(lua_State *L) {
  lua_settop(L, 2);
  static const char *const allowed[] = {"method", NULL};
  static const char *const methods[] = {"pearson", "spearman", "kendall", NULL};
  size_t k, n;
  const double **cols = col_list(L, 1, &k, &n);
  lcni_check_opts(L, optstable(L, 2), "cor_matrix", allowed);
  int method = opt_enum(L, 2, "method", "pearson", methods);
  double *m = lua_newuserdatauv(L, k * k * sizeof *m, 0);
  cni_err e;
  check_status(L, cni_corr_matrix(cols, k, n, method, m, &e), &e);
  push_matrix(L, m, k, k);
  return 1;
}

static int l_cronbach(lua_State *L) {
  size_t k, n;
  const double **cols = col_list(L, 1, &k, &n);
  double a;
  cni_err e;
  check_status(L, cni_cronbach_alpha(cols, k, n, &a, &e), &e);
  lua_pushnumber(L, a);
  return 1;
}

/* Reads a square matrix (nested table) into a userdata array. */
static double *read_matrix(lua_State *L, int i, size_t *k_) {
  luaL_checktype(L, i, LUA_TTABLE);
  size_t k = (size_t)luaL_len(L, i);
  if (k == 0 || k > 4096) lcni_raisef(L, "usage", "expected a square matrix (list of rows)");
  double *m = lua_newuserdatauv(L, k * k * sizeof *m, 0);
  for (size_t r = 0; r < k; r++) {
    lua_rawgeti(L, i, (lua_Integer)r + 1);
    if (!lua_istable(L, -1) || (size_t)luaL_len(L, -1) != k)
      lcni_raisef(L, "usage", "matrix row %d: expected %d numbers", (int)r + 1, (int)k);
    for (size_t c = 0; c < k; c++) {
      lua_rawgeti(L, -1, (lua_Integer)c + 1);
      if (!lua_isnumber(L, -1)) lcni_raisef(L, "usage", "matrix[%d][%d] is not a number", (int)r + 1, (int)c + 1);
      m[r * k + c] = lua_tonumber(L, -1);
      lua_pop(L, 1);
    }
    lua_pop(L, 1);
  }
  *k_ = k;
  return m;
}

/* cni.eigen(matrix) -> values (descending), vectors (vectors[i][j] =
** component i of eigenvector j) */
static int l_eigen(lua_State *L) {
  size_t k;
  double *a = read_matrix(L, 1, &k);
  double *vals = lua_newuserdatauv(L, k * sizeof *vals, 0);
  double *vecs = lua_newuserdatauv(L, k * k * sizeof *vecs, 0);
  cni_err e;
  check_status(L, cni_eigen_sym(a, k, vals, vecs, &e), &e);
  push_vector(L, vals, k);
  push_matrix(L, vecs, k, k);
  return 2;
}

/* cni.pca_weights(corr) -> weights, loadings, explained, nkept */
static int l_pca_weights(lua_State *L) {
  size_t k, nkept = 0;
  double *a = read_matrix(L, 1, &k);
  double *w = lua_newuserdatauv(L, k * sizeof *w, 0);
  double *ld = lua_newuserdatauv(L, k * k * sizeof *ld, 0);
  double *ex = lua_newuserdatauv(L, k * sizeof *ex, 0);
  cni_err e;
  check_status(L, cni_pca_weights_ex(a, k, w, ld, ex, &nkept, &e), &e);
  push_vector(L, w, k);
  push_matrix(L, ld, k, k);
  push_vector(L, ex, k);
  lua_pushinteger(L, (lua_Integer)nkept);
  return 4;
}

/* }===== */

/* {===== groups */

typedef struct lcni_groups {
  cni_groups g;
  cni_column *key;   /* reference held */
} lcni_groups;

static lcni_groups *checkgroups(lua_State *L, int i) {
  lcni_groups *g = luaL_checkudata(L, i, LCNI_GROUPS);
  if (g->key == NULL) luaL_argerror(L, i, "attempt to use closed groups");
  return g;
}

static int groups_gc(lua_State *L) {
  lcni_groups *g = luaL_checkudata(L, 1, LCNI_GROUPS);
  cni_groups_free(&g->g);
  cni_col_unref(g->key);
  g->key = NULL;
  return 0;
}

/* t:group_by(name) or cni.group_by(column) -> Groups */
static int make_groups(lua_State *L, cni_column *key) {
  lcni_groups *g = lua_newuserdatauv(L, sizeof *g, 0);
  memset(g, 0, sizeof *g);
  luaL_setmetatable(L, LCNI_GROUPS);
  cni_err e;
  if (cni_groups_build(&g->g, key, &e) != CNI_OK) return check_status(L, e.code, &e);
  cni_col_ref(key);
  g->key = key;
  return 1;
}

static int t_group_by(lua_State *L) {
  cni_table *t = lcni_checktable(L, 1);
  const char *name = luaL_checkstring(L, 2);
  long j = cni_table_find(t, name);
  if (j < 0) {
    const char *near = cni_closest(name, (const char *const *)t->names, t->ncol);
    return lcni_raisef(L, "data", "no column '%s'%s%s%s", name, near ? " (did you mean '" : "",
                       near ? near : "", near ? "'?)" : "");
  }
  return make_groups(L, t->cols[j]);
}

static int l_group_by(lua_State *L) { return make_groups(L, lcni_checkcolumn(L, 1)); }

static int g_len(lua_State *L) {
  lua_pushinteger(L, (lua_Integer)checkgroups(L, 1)->g.ngroups);
  return 1;
}

/* g:keys() -> column of the group keys (order of first appearance) */
static int g_keys(lua_State *L) {
  lcni_groups *g = checkgroups(L, 1);
  lcni_pushcolumn(L, cni_col_take(g->key, g->g.first, g->g.ngroups));
  return 1;
}

/* g:ids() -> per-row 1-based group number (NaN for a missing key) */
static int g_ids(lua_State *L) {
  lcni_groups *g = checkgroups(L, 1);
  double *o = newnum(L, g->g.n);
  for (size_t i = 0; i < g->g.n; i++)
    o[i] = g->g.gid[i] == CNI_GROUP_NONE ? NAN : (double)g->g.gid[i] + 1;
  return 1;
}

/* g:first(col) -> the value of col in the first row of each group */
static int g_first(lua_State *L) {
  lcni_groups *g = checkgroups(L, 1);
  cni_column *c = lcni_checkcolumn(L, 2);
  if (c->n != g->g.n) lcni_raisef(L, "runtime", "column has %d rows, the groups %d", (int)c->n, (int)g->g.n);
  lcni_pushcolumn(L, cni_col_take(c, g->g.first, g->g.ngroups));
  return 1;
}

/* g:sizes() -> rows per group */
static int g_sizes(lua_State *L) {
  lcni_groups *g = checkgroups(L, 1);
  double *o = newnum(L, g->g.ngroups);
  for (size_t i = 0; i < g->g.ngroups; i++) o[i] = (double)g->g.count[i];
  return 1;
}

/* g:agg(kind, col [, weights]) -> column of ngroups values */
static int g_agg(lua_State *L) {
  lua_settop(L, 4);
  static const char *const kinds[] = {"count", "sum", "mean", "wmean", "median", "min", "max",
                                      "share", "wshare", NULL};
  lcni_groups *g = checkgroups(L, 1);
  int kind = luaL_checkoption(L, 2, NULL, kinds);
  cni_column *x = lcni_checkcolumn(L, 3);
  if (x->type == CNI_STR) lcni_raisef(L, "runtime", "cannot aggregate a string column");
  if (x->n != g->g.n) lcni_raisef(L, "runtime", "column has %d rows, the groups %d", (int)x->n, (int)g->g.n);
  const double *xv = x->num;
  if (x->type == CNI_BOOL) {
    double *tmp = lua_newuserdatauv(L, (x->n ? x->n : 1) * sizeof *tmp, 0);
    for (size_t i = 0; i < x->n; i++) tmp[i] = x->b[i] == CNI_BOOL_NA ? NAN : x->b[i];
    xv = tmp;
  }
  const double *w = NULL;
  if (kind == CNI_AGG_WMEAN || kind == CNI_AGG_WSHARE) {
    cni_column *wc = checknum(L, 4);
    if (wc->n != g->g.n) lcni_raisef(L, "runtime", "weights have %d rows, the groups %d", (int)wc->n, (int)g->g.n);
    w = wc->num;
  }
  double *o = newnum(L, g->g.ngroups);
  cni_err e;
  check_status(L, cni_group_agg(xv, w, g->g.gid, g->g.n, g->g.ngroups, (cni_agg_kind)kind, o, &e), &e);
  return 1;
}

/* g:imd(measure, {score =, rank =, pop =, n = N}) */
static int g_imd(lua_State *L) {
  lua_settop(L, 3);
  static const char *const measures[] = {"avg_score", "avg_rank", "extent", "local_conc",
                                         "prop_d1", NULL};
  static const char *const allowed[] = {"score", "rank", "pop", "n", NULL};
  lcni_groups *g = checkgroups(L, 1);
  int m = luaL_checkoption(L, 2, NULL, measures);
  luaL_checktype(L, 3, LUA_TTABLE);
  lcni_check_opts(L, 3, "imd", allowed);
  const double *arr[3] = {NULL, NULL, NULL};
  const char *keys[3] = {"score", "rank", "pop"};
  for (int i = 0; i < 3; i++) {
    lua_getfield(L, 3, keys[i]);
    if (!lua_isnil(L, -1)) {
      cni_column *c = checknum(L, -1);
      if (c->n != g->g.n) lcni_raisef(L, "runtime", "'%s' has %d rows, the groups %d", keys[i], (int)c->n, (int)g->g.n);
      arr[i] = c->num;
    }
    lua_pop(L, 1);
  }
  double N = lcni_optnum_field(L, 3, "n", (double)g->g.n);
  double *o = newnum(L, g->g.ngroups);
  cni_err e;
  check_status(L, cni_group_imd(arr[0], arr[1], arr[2], g->g.gid, g->g.n, g->g.ngroups, N,
                                (cni_imd_measure)m, o, &e), &e);
  return 1;
}

/* g:expand(values) -> per-row value of its group (values has ngroups rows) */
static int g_expand(lua_State *L) {
  lcni_groups *g = checkgroups(L, 1);
  cni_column *v = lcni_checkcolumn(L, 2);
  if (v->n != g->g.ngroups) lcni_raisef(L, "runtime", "expand: expected %d values, got %d", (int)g->g.ngroups, (int)v->n);
  lcni_pushcolumn(L, cni_col_take(v, g->g.gid, g->g.n));
  return 1;
}

static int g_tostring(lua_State *L) {
  lcni_groups *g = checkgroups(L, 1);
  lua_pushfstring(L, "cni.Groups (%d groups over %d rows)", (int)g->g.ngroups, (int)g->g.n);
  return 1;
}

static const luaL_Reg groups_meths[] = {
  {"keys", g_keys}, {"ids", g_ids}, {"sizes", g_sizes}, {"first", g_first}, {"agg", g_agg}, {"imd", g_imd},
  {"expand", g_expand}, {"close", groups_gc}, {NULL, NULL}
};

/* }===== */

/* cni.eb_shrink(events, denom, parent_column, {tau = "mom"|"var"}) ->
** rate, weight */
static int l_eb_shrink(lua_State *L) {
  lua_settop(L, 4);
  static const char *const allowed[] = {"tau", NULL};
  static const char *const taus[] = {"mom", "var", NULL};
  cni_column *ev = checknum(L, 1), *den = checknum(L, 2), *par = lcni_checkcolumn(L, 3);
  check_same_len(L, ev, den);
  check_same_len(L, ev, par);
  lcni_check_opts(L, optstable(L, 4), "eb_shrink", allowed);
  int tau = opt_enum(L, 4, "tau", "mom", taus);
  make_groups(L, par);
  lcni_groups *g = checkgroups(L, -1);
  double *rate = newnum(L, ev->n);
  double *w = newnum(L, ev->n);
  cni_err e;
  check_status(L, cni_eb_shrink_ex(ev->num, den->num, g->g.gid, ev->n, g->g.ngroups,
                                   (cni_eb_tau)tau, rate, w, &e), &e);
  return 2;
}

const luaL_Reg lcni_stats_funcs[] = {
  {"qnorm", l_qnorm}, {"pnorm", l_pnorm}, {"combine", l_combine},
  {"pearson", l_pearson}, {"spearman", l_spearman}, {"kendall", l_kendall},
  {"cor_matrix", l_cor_matrix}, {"cronbach_alpha", l_cronbach}, {"eigen", l_eigen},
  {"pca_weights", l_pca_weights}, {"group_by", l_group_by}, {"eb_shrink", l_eb_shrink},
  {"rank_many", l_rank_many}, {"normal_scores_many", l_nscores_many},
  {NULL, NULL}
};

const luaL_Reg lcni_stats_colmeths[] = {
  {"rank", m_rank}, {"order", m_order}, {"percent_rank", m_percent_rank},
  {"ntile", m_ntile}, {"quantile", m_quantile}, {"median", m_median}, {"sd", m_sd},
  {"zscore", m_zscore}, {"minmax", m_minmax}, {"distance", m_distance},
  {"normal_scores", m_normal_scores}, {"exp_transform", m_exp_transform},
  {"log", m_log}, {"log1p", m_log1p}, {"winsorise", m_winsorise},
  {"abs", m_abs}, {"sqrt", m_sqrt}, {"exp", m_exp}, {"floor", m_floor}, {"ceil", m_ceil},
  {NULL, NULL}
};

const luaL_Reg lcni_stats_tablemeths[] = {
  {"group_by", t_group_by},
  {NULL, NULL}
};

void lcni_open_stats(lua_State *L) {
  luaL_newmetatable(L, LCNI_GROUPS);
  lua_pushcfunction(L, groups_gc);
  lua_setfield(L, -2, "__gc");
  lua_pushcfunction(L, groups_gc);
  lua_setfield(L, -2, "__close");
  lua_pushcfunction(L, g_len);
  lua_setfield(L, -2, "__len");
  lua_pushcfunction(L, g_tostring);
  lua_setfield(L, -2, "__tostring");
  luaL_newlib(L, groups_meths);
  lua_setfield(L, -2, "__index");
  lua_pop(L, 1);
}
