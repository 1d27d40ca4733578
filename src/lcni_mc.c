/*
** lcni_mc.c: Lua front of the Monte Carlo / sensitivity engine (cni_mc)
** and of the random generators (cni_rng).
** Layer: bindings. Reads options, calls the core, pushes columns. No
** arithmetic here beyond index conversion and turning counts into shares.
**
**   cni.mc_weights{domains = {c1, c2, ...}, draws = 10000, seed = 42, ...}
**   cni.mc_sobol{domains = ..., n = 1024, bootstrap = 1000, ...}
**   cni.sobol_indices(fA, fB, {fAB_1, ...}, {bootstrap = 1000, seed = 1, conf = 0.95})
**   cni.runif(n, seed)  cni.rnorm(n, seed)  cni.rgamma(shape, n, seed)
**   cni.rpois(lambda, n, seed)  cni.rdirichlet(alpha, n, seed)
**   cni.rsimplex(lower, upper, n, seed)  cni.sobol_points(n, dim, {skip = 0})
** Options and outputs: docs/numerics.md, "Monte Carlo and sensitivity".
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lcni.h"
#include "cni_mc.h"
#include "cni_rng.h"

#define LCNI_MCRES "cni.mc_result"
#define LCNI_SOBRES "cni.mc_sobol_result"
#define DEFAULT_SEED 20240601

/* {===== helpers */

static double *newnum(lua_State *L, size_t n) {
  return lcni_newcolumn(L, CNI_NUM, n, 1)->num;
}

static uint8_t *newbool(lua_State *L, size_t n) {
  return lcni_newcolumn(L, CNI_BOOL, n, 1)->b;
}

static void *scratch_ud(lua_State *L, size_t bytes) {
  return lua_newuserdatauv(L, bytes ? bytes : 1, 0);
}

/* Numeric column at stack index i, of length n (n == 0: any). */
static cni_column *numcol(lua_State *L, int i, size_t n, const char *what) {
  cni_column *c = lcni_tocolumn(L, i);
  if (c == NULL || c->type != CNI_NUM)
    lcni_raisef(L, "usage", "%s must be a numeric column", what);
  if (n && c->n != n)
    lcni_raisef(L, "runtime", "%s has %d rows, expected %d", what, (int)c->n, (int)n);
  return c;
}

/* Pushes field k of options table i; returns its type. */
static int optfield(lua_State *L, int i, const char *k) {
  if (lua_isnoneornil(L, i)) { lua_pushnil(L); return LUA_TNIL; }
  return lua_getfield(L, i, k);
}

static int has_opt(lua_State *L, int i, const char *k) {
  int t = optfield(L, i, k);
  lua_pop(L, 1);
  return t != LUA_TNIL;
}

/* Reads a list of numbers at stack index i into out[0..max); returns the
** count. A single number gives one element. */
static size_t numlist(lua_State *L, int i, double *out, size_t max, const char *what) {
  if (lua_type(L, i) == LUA_TNUMBER) {
    out[0] = lua_tonumber(L, i);
    return 1;
  }
  if (!lua_istable(L, i)) lcni_raisef(L, "usage", "option '%s': expected a list of numbers", what);
  size_t k = (size_t)luaL_len(L, i);
  if (k > max) lcni_raisef(L, "usage", "option '%s': at most %d numbers", what, (int)max);
  for (size_t j = 0; j < k; j++) {
    lua_rawgeti(L, i, (lua_Integer)j + 1);
    if (lua_type(L, -1) != LUA_TNUMBER)
      lcni_raisef(L, "usage", "option '%s': element %d is not a number", what, (int)j + 1);
    out[j] = lua_tonumber(L, -1);
    lua_pop(L, 1);
  }
  return k;
}

/* Per-domain numbers (k of them; a single number is repeated). */
static void perdomain(lua_State *L, int opts, const char *key, double *out, size_t k) {
  optfield(L, opts, key);
  double tmp[CNI_MC_MAXK];
  size_t m = numlist(L, -1, tmp, CNI_MC_MAXK, key);
  lua_pop(L, 1);
  if (m == 1) for (size_t j = 0; j < k; j++) out[j] = tmp[0];
  else if (m == k) memcpy(out, tmp, k * sizeof *out);
  else lcni_raisef(L, "usage", "option '%s': give one number or %d (one per domain), got %d", key, (int)k, (int)m);
}

/* Integer or {lo, hi} option; returns 1 if present. */
static int optrange(lua_State *L, int opts, const char *key, size_t *lo, size_t *hi) {
  int t = optfield(L, opts, key);
  if (t == LUA_TNIL) { lua_pop(L, 1); return 0; }
  lua_Integer a, b;
  if (t == LUA_TNUMBER && lua_isinteger(L, -1)) {
    a = b = lua_tointeger(L, -1);
  } else if (t == LUA_TTABLE && luaL_len(L, -1) == 2) {
    lua_rawgeti(L, -1, 1);
    lua_rawgeti(L, -2, 2);
    if (!lua_isinteger(L, -2) || !lua_isinteger(L, -1))
      lcni_raisef(L, "usage", "option '%s': expected an integer or {low, high} integers", key);
    a = lua_tointeger(L, -2);
    b = lua_tointeger(L, -1);
    lua_pop(L, 2);
  } else {
    return lcni_raisef(L, "usage", "option '%s': expected an integer or {low, high} integers", key);
  }
  lua_pop(L, 1);
  if (a < 1 || b < a) lcni_raisef(L, "usage", "option '%s': need 1 <= low <= high", key);
  *lo = (size_t)a;
  *hi = (size_t)b;
  return 1;
}

static uint64_t optseed(lua_State *L, int opts, const char *key, uint64_t def) {
  int t = optfield(L, opts, key);
  uint64_t s = def;
  if (t != LUA_TNIL) {
    if (!lua_isinteger(L, -1)) lcni_raisef(L, "usage", "option '%s': expected an integer", key);
    s = (uint64_t)lua_tointeger(L, -1);
  }
  lua_pop(L, 1);
  return s;
}

static uint64_t argseed(lua_State *L, int i) {
  if (lua_isnoneornil(L, i)) return DEFAULT_SEED;
  return (uint64_t)luaL_checkinteger(L, i);
}

static size_t argcount(lua_State *L, int i) {
  lua_Integer n = luaL_checkinteger(L, i);
  luaL_argcheck(L, n >= 0 && n <= ((lua_Integer)1 << 40), i, "count out of range");
  return (size_t)n;
}

static void setcol(lua_State *L, int t, const char *name) { lua_setfield(L, t, name); }

/* }===== */

/* {===== progress callback */

typedef struct lprog {
  lua_State *L;
  int fn;        /* stack index of the function, 0 = none */
  int errref;    /* registry ref of an error raised by the function */
} lprog;

static int progress_cb(void *ud, size_t done, size_t total) {
  lprog *p = ud;
  lua_State *L = p->L;
  lua_pushvalue(L, p->fn);
  lua_pushinteger(L, (lua_Integer)done);
  lua_pushinteger(L, (lua_Integer)total);
  if (lua_pcall(L, 2, 1, 0) != LUA_OK) {
    p->errref = luaL_ref(L, LUA_REGISTRYINDEX);
    return 1;
  }
  int stop = lua_isboolean(L, -1) && !lua_toboolean(L, -1);
  lua_pop(L, 1);
  return stop;
}

/* }===== */

/* {===== model options */

static const char *const tr_names[] = {"identity", "exp", "normal", "rank", NULL};
static const char *const agg_names[] = {"wsum", "geomean", "harmean", NULL};

static int name_index(lua_State *L, const char *s, const char *const *names, const char *what) {
  size_t n = 0;
  for (; names[n]; n++) if (strcmp(names[n], s) == 0) return (int)n;
  if (strcmp(s, "sum") == 0 && names == agg_names) return 0;
  const char *near = cni_closest(s, names, n);
  return lcni_raisef(L, "usage", "%s: unknown value '%s'%s%s%s", what, s, near ? " (did you mean '" : "",
                     near ? near : "", near ? "'?)" : "");
}

#define MODEL_KEYS "domains", "transforms", "transform_prob", "weights", "alpha", "lower", \
  "upper", "aggregation", "aggregation_prob", "scale", "top", "dep", "dep_top", "top_decile", \
  "base_flags", "base_ranks", "base_weights", "base_top", "base_dep_top", "base_transform", \
  "base_aggregation", "percentiles", "threads", "seed", "memory", "block", "progress"

typedef struct lmodel {
  cni_mc_model m;
  cni_mc_ctl ctl;
  lprog prog;
  int nthreads;
  uint64_t seed;
  double w[CNI_MC_MAXK], alpha[CNI_MC_MAXK], lo[CNI_MC_MAXK], hi[CNI_MC_MAXK], bw[CNI_MC_MAXK];
  double tprob[CNI_MC_MAXALT], aprob[CNI_MC_MAXALT], q[CNI_MC_MAXQ];
  cni_mc_agg agg[CNI_MC_MAXALT];
} lmodel;

/* Reads the model options of table 'opts' into *M. Leaves helper
** userdata on the stack (they keep the transformed columns alive). */
static void read_model(lua_State *L, int opts, lmodel *M, const char *fname) {
  cni_mc_model *m = &M->m;
  memset(M, 0, sizeof *M);
  luaL_checkstack(L, 2 * CNI_MC_MAXALT + 40, "model options");
  /* domains */
  if (optfield(L, opts, "domains") != LUA_TTABLE)
    lcni_raisef(L, "usage", "%s: 'domains' must be a list of numeric columns", fname);
  int dom = lua_gettop(L);
  size_t k = (size_t)luaL_len(L, dom);
  if (k == 0 || k > CNI_MC_MAXK) lcni_raisef(L, "usage", "%s: need 1..%d domain columns", fname, CNI_MC_MAXK);
  size_t n = 0;
  const double *raw[CNI_MC_MAXK];
  for (size_t j = 0; j < k; j++) {
    lua_rawgeti(L, dom, (lua_Integer)j + 1);
    cni_column *c = numcol(L, -1, n, "each domain");
    n = c->n;
    raw[j] = c->num;
    lua_pop(L, 1);
  }
  if (n == 0) lcni_raisef(L, "usage", "%s: the domain columns are empty", fname);
  m->n = n;
  m->k = k;
  /* transform alternatives */
  size_t nt = 1;
  int tt = optfield(L, opts, "transforms");
  int trs = lua_gettop(L);
  if (tt != LUA_TNIL) {
    if (tt == LUA_TSTRING) {
      lua_createtable(L, 1, 0);
      lua_pushvalue(L, trs);
      lua_rawseti(L, -2, 1);
      lua_replace(L, trs);
    } else if (tt != LUA_TTABLE) {
      lcni_raisef(L, "usage", "%s: 'transforms' must be a list of names or of column lists", fname);
    }
    nt = (size_t)luaL_len(L, trs);
    if (nt == 0 || nt > CNI_MC_MAXALT) lcni_raisef(L, "usage", "%s: need 1..%d transform alternatives", fname, CNI_MC_MAXALT);
  }
  const double **dp = scratch_ud(L, nt * k * sizeof *dp);
  for (size_t t = 0; t < nt; t++) {
    int kind = CNI_MC_TR_IDENTITY;
    if (tt != LUA_TNIL) {
      lua_rawgeti(L, trs, (lua_Integer)t + 1);
      if (lua_type(L, -1) == LUA_TSTRING) {
        kind = name_index(L, lua_tostring(L, -1), tr_names, "transforms");
        lua_pop(L, 1);
      } else if (lua_istable(L, -1)) {
        if ((size_t)luaL_len(L, -1) != k)
          lcni_raisef(L, "usage", "%s: transform alternative %d must list %d columns", fname, (int)t + 1, (int)k);
        for (size_t j = 0; j < k; j++) {
          lua_rawgeti(L, -1, (lua_Integer)j + 1);
          dp[t * k + j] = numcol(L, -1, n, "each transformed domain")->num;
          lua_pop(L, 1);
        }
        lua_pop(L, 1);
        continue;
      } else {
        lcni_raisef(L, "usage", "%s: transform alternative %d must be a name or a list of columns", fname, (int)t + 1);
      }
    }
    if (kind == CNI_MC_TR_IDENTITY) {
      for (size_t j = 0; j < k; j++) dp[t * k + j] = raw[j];
      continue;
    }
    double *buf = scratch_ud(L, k * n * sizeof *buf);
    for (size_t j = 0; j < k; j++) {
      cni_err e;
      if (cni_mc_transform_column(raw[j], n, (cni_mc_transform)kind, buf + j * n, &e) != CNI_OK)
        lcni_raise(L, "runtime", &e, 1);
      dp[t * k + j] = buf + j * n;
    }
  }
  m->ntrans = nt;
  m->dom = dp;
  if (optfield(L, opts, "transform_prob") != LUA_TNIL) {
    if (numlist(L, -1, M->tprob, CNI_MC_MAXALT, "transform_prob") != nt)
      lcni_raisef(L, "usage", "%s: 'transform_prob' must list %d numbers", fname, (int)nt);
    m->trans_prob = M->tprob;
  }
  lua_pop(L, 1);

  /* weights */
  int hasw = has_opt(L, opts, "weights"), hasa = has_opt(L, opts, "alpha");
  int hasb = has_opt(L, opts, "lower") || has_opt(L, opts, "upper");
  if (hasw + hasa + hasb > 1)
    lcni_raisef(L, "usage", "%s: give only one of 'weights' (fixed), 'alpha' (Dirichlet) or 'lower'/'upper' (bounded simplex)", fname);
  if (hasw) {
    m->wprior = CNI_MC_W_FIXED;
    perdomain(L, opts, "weights", M->w, k);
    m->w = M->w;
  } else if (hasb) {
    m->wprior = CNI_MC_W_BOUNDED;
    for (size_t j = 0; j < k; j++) { M->lo[j] = 0; M->hi[j] = 1; }
    if (has_opt(L, opts, "lower")) perdomain(L, opts, "lower", M->lo, k);
    if (has_opt(L, opts, "upper")) perdomain(L, opts, "upper", M->hi, k);
    m->wlo = M->lo;
    m->whi = M->hi;
  } else {
    m->wprior = CNI_MC_W_DIRICHLET;
    for (size_t j = 0; j < k; j++) M->alpha[j] = 1;
    if (hasa) perdomain(L, opts, "alpha", M->alpha, k);
    m->alpha = M->alpha;
  }
  if (has_opt(L, opts, "base_weights")) {
    perdomain(L, opts, "base_weights", M->bw, k);
    m->base_w = M->bw;
  }

  /* aggregation */
  int at = optfield(L, opts, "aggregation");
  if (at == LUA_TSTRING) {
    m->nagg = 1;
    M->agg[0] = (cni_mc_agg)name_index(L, lua_tostring(L, -1), agg_names, "aggregation");
  } else if (at == LUA_TTABLE) {
    m->nagg = (size_t)luaL_len(L, -1);
    if (m->nagg == 0 || m->nagg > CNI_MC_MAXALT) lcni_raisef(L, "usage", "%s: need 1..%d aggregation rules", fname, CNI_MC_MAXALT);
    for (size_t i = 0; i < m->nagg; i++) {
      lua_rawgeti(L, -1, (lua_Integer)i + 1);
      if (lua_type(L, -1) != LUA_TSTRING) lcni_raisef(L, "usage", "%s: aggregation rules are names", fname);
      M->agg[i] = (cni_mc_agg)name_index(L, lua_tostring(L, -1), agg_names, "aggregation");
      lua_pop(L, 1);
    }
  } else if (at != LUA_TNIL) {
    lcni_raisef(L, "usage", "%s: 'aggregation' must be a name or a list of names", fname);
  }
  lua_pop(L, 1);
  m->agg = M->agg;
  if (optfield(L, opts, "aggregation_prob") != LUA_TNIL) {
    if (numlist(L, -1, M->aprob, CNI_MC_MAXALT, "aggregation_prob") != (m->nagg ? m->nagg : 1))
      lcni_raisef(L, "usage", "%s: 'aggregation_prob' must list one number per rule", fname);
    m->agg_prob = M->aprob;
  }
  lua_pop(L, 1);
  m->scale = lcni_optnum_field(L, opts, "scale", 1.0);
  if (!(m->scale > 0) || !isfinite(m->scale)) lcni_raisef(L, "usage", "%s: 'scale' must be a positive number", fname);

  /* cuts */
  size_t top10 = n / 10;
  if (!optrange(L, opts, "top", &m->cut_lo, &m->cut_hi)) m->cut_lo = m->cut_hi = top10;
  if (m->cut_hi > n) lcni_raisef(L, "usage", "%s: 'top' exceeds the number of areas (%d)", fname, (int)n);
  int td = lcni_optint_field(L, opts, "top_decile", (int)top10);
  if (td < 0 || (size_t)td > n) lcni_raisef(L, "usage", "%s: 'top_decile' must be 0..%d", fname, (int)n);
  m->top = (size_t)td;
  if (optfield(L, opts, "dep") != LUA_TNIL) {
    m->dep = numcol(L, -1, n, "'dep'")->num;
    if (!optrange(L, opts, "dep_top", &m->dep_lo, &m->dep_hi))
      lcni_raisef(L, "usage", "%s: 'dep' needs 'dep_top' (an integer or {low, high})", fname);
    if (m->dep_hi > n) lcni_raisef(L, "usage", "%s: 'dep_top' exceeds the number of areas", fname);
  }
  lua_pop(L, 1);   /* the dep column stays referenced by opts */

  /* base analysis */
  if (optfield(L, opts, "base_flags") != LUA_TNIL) {
    cni_column *c = lcni_tocolumn(L, -1);
    if (!c || c->type != CNI_BOOL || c->n != n)
      lcni_raisef(L, "usage", "%s: 'base_flags' must be a boolean column of %d rows", fname, (int)n);
    m->base_flag = c->b;   /* missing (2) counts as not flagged */
  }
  lua_pop(L, 1);
  if (optfield(L, opts, "base_ranks") != LUA_TNIL) m->base_rank = numcol(L, -1, n, "'base_ranks'")->num;
  lua_pop(L, 1);
  size_t blo, bhi;
  if (optrange(L, opts, "base_top", &blo, &bhi)) m->base_cut = blo;
  if (optrange(L, opts, "base_dep_top", &blo, &bhi)) m->base_cutdep = blo;
  int bt = lcni_optint_field(L, opts, "base_transform", 1);
  int ba = lcni_optint_field(L, opts, "base_aggregation", 1);
  if (bt < 1 || (size_t)bt > nt) lcni_raisef(L, "usage", "%s: 'base_transform' must be 1..%d", fname, (int)nt);
  if (ba < 1 || (size_t)ba > (m->nagg ? m->nagg : 1)) lcni_raisef(L, "usage", "%s: 'base_aggregation' out of range", fname);
  m->base_trans = (size_t)bt - 1;
  m->base_agg = (size_t)ba - 1;

  /* percentiles */
  int pt = optfield(L, opts, "percentiles");
  if (pt == LUA_TBOOLEAN && !lua_toboolean(L, -1)) {
    m->no_quantiles = 1;
  } else if (pt != LUA_TNIL) {
    m->nq = numlist(L, -1, M->q, CNI_MC_MAXQ, "percentiles");
    if (m->nq == 0) m->no_quantiles = 1;
    for (size_t j = 0; j < m->nq; j++)
      if (!(M->q[j] > 0 && M->q[j] <= 1)) lcni_raisef(L, "usage", "%s: percentiles must be in (0, 1]", fname);
    m->q = M->q;
  }
  lua_pop(L, 1);

  /* run control */
  M->nthreads = lcni_optint_field(L, opts, "threads", 0);
  if (M->nthreads < 0) lcni_raisef(L, "usage", "%s: 'threads' must be >= 0 (0 = all cores)", fname);
  M->seed = optseed(L, opts, "seed", DEFAULT_SEED);
  double mb = lcni_optnum_field(L, opts, "memory", 256);
  if (!(mb > 0)) lcni_raisef(L, "usage", "%s: 'memory' (MB) must be positive", fname);
  M->ctl.memory = (size_t)(mb * 1048576.0);
  int blk = lcni_optint_field(L, opts, "block", 0);
  if (blk < 0) lcni_raisef(L, "usage", "%s: 'block' must be >= 0", fname);
  M->ctl.block = (size_t)blk;
  if (optfield(L, opts, "progress") != LUA_TNIL) {
    if (!lua_isfunction(L, -1)) lcni_raisef(L, "usage", "%s: 'progress' must be a function", fname);
    M->prog.L = L;
    M->prog.fn = lua_gettop(L);    /* stays on the stack */
    M->prog.errref = LUA_NOREF;
    M->ctl.progress = progress_cb;
    M->ctl.progress_ud = &M->prog;
    luaL_checkstack(L, 8, "progress callback");
  } else {
    lua_pop(L, 1);
  }
}

/* After a run: rethrows an error raised by the progress function. */
static void progress_rethrow(lua_State *L, lmodel *M) {
  if (M->ctl.progress && M->prog.errref != LUA_NOREF) {
    lua_rawgeti(L, LUA_REGISTRYINDEX, M->prog.errref);
    luaL_unref(L, LUA_REGISTRYINDEX, M->prog.errref);
    lua_error(L);
  }
}

static int raise_core(lua_State *L, int st, const cni_err *e, const char *fname) {
  if (st == CNI_ENOMEM) return luaL_error(L, "not enough memory");
  cni_err e2 = *e;
  snprintf(e2.msg, sizeof e2.msg, "%s: %.900s", fname, e->msg);
  return lcni_raise(L, st == CNI_EARG ? "usage" : "runtime", &e2, 1);
}

/* }===== */

/* {===== cni.mc_weights */

static int mcres_gc(lua_State *L) {
  cni_mc_result *r = luaL_checkudata(L, 1, LCNI_MCRES);
  cni_mc_result_free(r);
  return 0;
}

static int sobres_gc(lua_State *L) {
  cni_mc_sobol_result *r = luaL_checkudata(L, 1, LCNI_SOBRES);
  cni_mc_sobol_result_free(r);
  return 0;
}

/* "rank_p05", "rank_p50", "rank_p2.5" */
static void qname(char *buf, size_t sz, double q) {
  double pc = q * 100;
  if (fabs(pc - nearbyint(pc)) < 1e-9) snprintf(buf, sz, "rank_p%02d", (int)nearbyint(pc));
  else snprintf(buf, sz, "rank_p%g", pc);
}

static int l_mc_weights(lua_State *L) {
  static const char *const allowed[] = {MODEL_KEYS, "draws", "borderline", NULL};
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_settop(L, 1);
  lcni_check_opts(L, 1, "mc_weights", allowed);
  lmodel *M = scratch_ud(L, sizeof *M);
  read_model(L, 1, M, "mc_weights");
  int draws = lcni_optint_field(L, 1, "draws", 1000);
  if (draws < 1) lcni_raisef(L, "usage", "mc_weights: 'draws' must be >= 1");
  double blo = 0.1, bhi = 0.9;
  if (optfield(L, 1, "borderline") != LUA_TNIL) {
    double b[2];
    if (numlist(L, -1, b, 2, "borderline") != 2 || !(b[0] <= b[1]))
      lcni_raisef(L, "usage", "mc_weights: 'borderline' must be {low, high}");
    blo = b[0];
    bhi = b[1];
  }
  lua_pop(L, 1);
  cni_mc_result *R = lua_newuserdatauv(L, sizeof *R, 0);
  memset(R, 0, sizeof *R);
  luaL_setmetatable(L, LCNI_MCRES);
  cni_err e;
  int st = cni_mc_run(&M->m, (size_t)draws, M->seed, M->nthreads, &M->ctl, R, &e);
  int partial = st == CNI_MC_CANCELLED && R->partial;
  const char *stop_msg = NULL;
  if (partial) {
    /* keep the finished draws; the reason (e.g. an interrupt raised in the
    ** progress function) goes into the result instead of an error */
    if (M->ctl.progress && M->prog.errref != LUA_NOREF) {
      lua_rawgeti(L, LUA_REGISTRYINDEX, M->prog.errref);
      luaL_unref(L, LUA_REGISTRYINDEX, M->prog.errref);
      M->prog.errref = LUA_NOREF;
      if (lua_istable(L, -1)) lua_getfield(L, -1, "msg");
      stop_msg = lua_tostring(L, -1);
      if (stop_msg == NULL) stop_msg = "stopped";
    } else {
      stop_msg = e.msg;
    }
  } else {
    progress_rethrow(L, M);
    if (st != CNI_OK) return raise_core(L, st, &e, "mc_weights");
  }

  const size_t n = R->n, D = R->ndraws, DR = R->nrequested ? R->nrequested : R->ndraws;
  lua_createtable(L, 0, 32);
  int res = lua_gettop(L);
  double *o = newnum(L, n);
  for (size_t a = 0; a < n; a++) o[a] = (double)R->nflag[a] / (double)D;
  uint8_t *bl = newbool(L, n);
  for (size_t a = 0; a < n; a++) bl[a] = o[a] >= blo && o[a] <= bhi;
  setcol(L, res, "borderline");
  setcol(L, res, "p_flag");
  o = newnum(L, n);
  for (size_t a = 0; a < n; a++) o[a] = (double)R->ntop[a] / (double)D;
  setcol(L, res, "p_top10");
  o = newnum(L, n);
  memcpy(o, R->rank_mean, n * sizeof *o);
  setcol(L, res, "rank_mean");
  if (R->nq) {
    o = newnum(L, n);
    for (size_t a = 0; a < n; a++) o[a] = R->rank_min[a];
    setcol(L, res, "rank_min");
    o = newnum(L, n);
    for (size_t a = 0; a < n; a++) o[a] = R->rank_max[a];
    setcol(L, res, "rank_max");
  }
  lua_createtable(L, (int)R->nq, 0);
  for (size_t q = 0; q < R->nq; q++) {
    char name[48];
    qname(name, sizeof name, R->q[q]);
    o = newnum(L, n);
    for (size_t a = 0; a < n; a++) o[a] = R->partial_no_q ? NAN : R->rank_q[q * n + a];
    lua_pushvalue(L, -1);
    setcol(L, res, name);
    lua_pop(L, 1);
    lua_pushnumber(L, R->q[q]);
    lua_rawseti(L, -2, (lua_Integer)q + 1);
  }
  lua_setfield(L, res, "percentiles");
  uint8_t *bf = newbool(L, n);
  memcpy(bf, R->base_flag, n);
  setcol(L, res, "base_flag");
  o = newnum(L, n);
  for (size_t a = 0; a < n; a++) o[a] = R->base_rank[a] ? (double)R->base_rank[a] : NAN;
  setcol(L, res, "base_rank");

  /* per draw (draws not done in a partial run: NaN) */
  lua_createtable(L, 0, 8);
  int dt = lua_gettop(L);
  o = newnum(L, DR);
  memcpy(o, R->d_nflag, DR * sizeof *o);
  setcol(L, dt, "nflag");
  o = newnum(L, DR);
  memcpy(o, R->d_jaccard, DR * sizeof *o);
  setcol(L, dt, "jaccard");
  o = newnum(L, DR);
  memcpy(o, R->d_shift, DR * sizeof *o);
  setcol(L, dt, "rank_shift");
  lua_createtable(L, (int)R->k, 0);
  for (size_t j = 0; j < R->k; j++) {
    o = newnum(L, DR);
    for (size_t d = 0; d < DR; d++) o[d] = R->d_w[d * R->k + j];
    lua_rawseti(L, -2, (lua_Integer)j + 1);
  }
  setcol(L, dt, "weights");
  const uint32_t *src[4] = {R->d_trans, R->d_agg, R->d_cut, R->d_cutdep};
  const char *names[4] = {"transform", "aggregation", "top", "dep_top"};
  for (int v = 0; v < 4; v++) {
    if (v == 3 && M->m.dep == NULL) continue;
    o = newnum(L, DR);
    for (size_t d = 0; d < DR; d++)
      o[d] = R->d_nflag[d] != R->d_nflag[d] ? NAN : (double)src[v][d] + (v < 2 ? 1 : 0);
    setcol(L, dt, names[v]);
  }
  lua_setfield(L, res, "draws");
  if (partial) {
    lua_pushboolean(L, 1);
    lua_setfield(L, res, "partial");
    lua_pushstring(L, stop_msg);
    lua_setfield(L, res, "stopped");
    lua_pushinteger(L, (lua_Integer)DR);
    lua_setfield(L, res, "requested");
  }

  lua_pushinteger(L, (lua_Integer)D);
  lua_setfield(L, res, "ndraws");
  lua_pushinteger(L, (lua_Integer)M->seed);
  lua_setfield(L, res, "seed");
  lua_pushinteger(L, R->nthreads);
  lua_setfield(L, res, "threads");
  lua_pushinteger(L, R->passes);
  lua_setfield(L, res, "passes");
  lua_pushnumber(L, (double)R->hist_bytes / 1048576.0);
  lua_setfield(L, res, "histogram_mb");
  lua_pushinteger(L, (lua_Integer)R->base_nflag);
  lua_setfield(L, res, "base_nflag");
  lua_pushinteger(L, (lua_Integer)R->top);
  lua_setfield(L, res, "top_decile");
  lua_pushnumber(L, R->accept);
  lua_setfield(L, res, "acceptance");
  if (R->weights_method >= 0) {
    lua_pushstring(L, R->weights_method ? "box" : "simplex");
    lua_setfield(L, res, "weights_method");
  }
  cni_mc_result_free(R);
  return 1;
}

/* }===== */

/* {===== Sobol' */

static void push_numbers(lua_State *L, const double *v, size_t k) {
  lua_createtable(L, (int)k, 0);
  for (size_t i = 0; i < k; i++) {
    lua_pushnumber(L, v[i]);
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
}

static void push_indices(lua_State *L, const double *S1, const double *ST, const double *S1lo,
                         const double *S1hi, const double *STlo, const double *SThi, size_t k,
                         int boot) {
  lua_createtable(L, 0, 6);
  push_numbers(L, S1, k);
  lua_setfield(L, -2, "S1");
  push_numbers(L, ST, k);
  lua_setfield(L, -2, "ST");
  if (boot) {
    push_numbers(L, S1lo, k);
    lua_setfield(L, -2, "S1_lo");
    push_numbers(L, S1hi, k);
    lua_setfield(L, -2, "S1_hi");
    push_numbers(L, STlo, k);
    lua_setfield(L, -2, "ST_lo");
    push_numbers(L, SThi, k);
    lua_setfield(L, -2, "ST_hi");
  }
}

/* cni.sobol_indices(fA, fB, {fAB_1, ..., fAB_k}, {bootstrap = 1000, seed =, conf = 0.95}) */
static int l_sobol_indices(lua_State *L) {
  static const char *const allowed[] = {"bootstrap", "seed", "conf", NULL};
  lua_settop(L, 4);
  if (!lua_isnil(L, 4)) luaL_checktype(L, 4, LUA_TTABLE);
  lcni_check_opts(L, 4, "sobol_indices", allowed);
  luaL_checktype(L, 3, LUA_TTABLE);
  size_t N = 0;
  /* copy every input into one contiguous buffer: fA, fB, fAB_1..k */
  size_t k = (size_t)luaL_len(L, 3);
  if (k == 0) lcni_raisef(L, "usage", "sobol_indices: need at least one A_B output");
  const double *srcs[2 + 256];
  if (k > 256) lcni_raisef(L, "usage", "sobol_indices: at most 256 inputs");
  luaL_checkstack(L, 2 * (int)k + 20, "sobol_indices");
  for (int i = 1; i <= 2; i++) {
    cni_column *c = lcni_tocolumn(L, i);
    if (!c && !lua_istable(L, i)) lcni_raisef(L, "usage", "sobol_indices: argument %d must be a numeric column or a list", i);
  }
  /* lengths and pointers */
  for (size_t s = 0; s < 2 + k; s++) {
    int idx;
    if (s < 2) idx = (int)s + 1;
    else { lua_rawgeti(L, 3, (lua_Integer)s - 1); idx = lua_gettop(L); }
    cni_column *c = lcni_tocolumn(L, idx);
    size_t m;
    if (c) {
      if (c->type != CNI_NUM) lcni_raisef(L, "usage", "sobol_indices: outputs must be numeric");
      m = c->n;
      srcs[s] = c->num;
    } else if (lua_istable(L, idx)) {
      m = (size_t)luaL_len(L, idx);
      double *v = scratch_ud(L, m * sizeof *v);
      for (size_t j = 0; j < m; j++) {
        lua_rawgeti(L, idx, (lua_Integer)j + 1);
        if (lua_type(L, -1) != LUA_TNUMBER) lcni_raisef(L, "usage", "sobol_indices: outputs must be numbers");
        v[j] = lua_tonumber(L, -1);
        lua_pop(L, 1);
      }
      srcs[s] = v;
      /* keep v alive: leave it on the stack */
    } else {
      return lcni_raisef(L, "usage", "sobol_indices: each output must be a numeric column or a list of numbers");
    }
    if (s == 0) N = m;
    else if (m != N) lcni_raisef(L, "runtime", "sobol_indices: outputs differ in length (%d and %d)", (int)N, (int)m);
  }
  double *fab = scratch_ud(L, k * N * sizeof *fab);
  for (size_t i = 0; i < k; i++) memcpy(fab + i * N, srcs[2 + i], N * sizeof *fab);
  int nboot = lcni_optint_field(L, 4, "bootstrap", 1000);
  if (nboot < 0) lcni_raisef(L, "usage", "sobol_indices: 'bootstrap' must be >= 0");
  double conf = lcni_optnum_field(L, 4, "conf", 0.95);
  uint64_t seed = optseed(L, 4, "seed", DEFAULT_SEED);
  double *v = scratch_ud(L, 6 * k * sizeof *v);
  cni_err e;
  int st = cni_sobol_indices(srcs[0], srcs[1], fab, N, k, (size_t)nboot, conf, seed, v, v + k,
                             v + 2 * k, v + 3 * k, v + 4 * k, v + 5 * k, &e);
  if (st != CNI_OK) return raise_core(L, st, &e, "sobol_indices");
  push_indices(L, v, v + k, v + 2 * k, v + 3 * k, v + 4 * k, v + 5 * k, k, nboot > 0);
  return 1;
}

/* cni.mc_sobol{model options..., n = 1024, bootstrap = 1000, conf = 0.95} */
static int l_mc_sobol(lua_State *L) {
  static const char *const allowed[] = {MODEL_KEYS, "n", "bootstrap", "conf", NULL};
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_settop(L, 1);
  lcni_check_opts(L, 1, "mc_sobol", allowed);
  lmodel *M = scratch_ud(L, sizeof *M);
  read_model(L, 1, M, "mc_sobol");
  M->m.no_quantiles = 1;
  int N = lcni_optint_field(L, 1, "n", 1024);
  if (N < 2) lcni_raisef(L, "usage", "mc_sobol: 'n' must be >= 2");
  int nboot = lcni_optint_field(L, 1, "bootstrap", 1000);
  if (nboot < 0) lcni_raisef(L, "usage", "mc_sobol: 'bootstrap' must be >= 0");
  double conf = lcni_optnum_field(L, 1, "conf", 0.95);
  cni_mc_sobol_result *R = lua_newuserdatauv(L, sizeof *R, 0);
  memset(R, 0, sizeof *R);
  luaL_setmetatable(L, LCNI_SOBRES);
  cni_err e;
  int st = cni_mc_sobol(&M->m, (size_t)N, M->seed, M->nthreads, (size_t)nboot, conf, &M->ctl, R, &e);
  progress_rethrow(L, M);
  if (st != CNI_OK) return raise_core(L, st, &e, "mc_sobol");
  const size_t nf = R->nf;
  lua_createtable(L, 0, 8);
  lua_createtable(L, (int)nf, 0);
  for (size_t i = 0; i < nf; i++) {
    lua_pushstring(L, cni_mc_factor_name(R->factor[i]));
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  lua_setfield(L, -2, "factors");
  static const char *const outs[CNI_MC_NY] = {"nflag", "jaccard", "rank_shift"};
  for (int o = 0; o < CNI_MC_NY; o++) {
    push_indices(L, R->S1 + o * nf, R->ST + o * nf, R->S1lo + o * nf, R->S1hi + o * nf,
                 R->STlo + o * nf, R->SThi + o * nf, nf, nboot > 0);
    /* the raw outputs: A, B, AB (list) */
    const double *y = R->y + (size_t)o * (nf + 2) * R->N;
    double *c = newnum(L, R->N);
    memcpy(c, y, R->N * sizeof *c);
    lua_setfield(L, -2, "fA");
    c = newnum(L, R->N);
    memcpy(c, y + R->N, R->N * sizeof *c);
    lua_setfield(L, -2, "fB");
    lua_createtable(L, (int)nf, 0);
    for (size_t i = 0; i < nf; i++) {
      c = newnum(L, R->N);
      memcpy(c, y + (2 + i) * R->N, R->N * sizeof *c);
      lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    lua_setfield(L, -2, "fAB");
    lua_setfield(L, -2, outs[o]);
  }
  lua_pushinteger(L, N);
  lua_setfield(L, -2, "n");
  lua_pushinteger(L, (lua_Integer)((size_t)N * (nf + 2)));
  lua_setfield(L, -2, "runs");
  lua_pushinteger(L, R->nthreads);
  lua_setfield(L, -2, "threads");
  cni_mc_sobol_result_free(R);
  return 1;
}

/* }===== */

/* {===== random generators */

static void seed_rng(cni_rng *r, uint64_t seed) { cni_rng_seed(r, cni_rng_key(seed, 0, 0)); }

/* cni.runif(n, seed): uniform on (0, 1) */
static int l_runif(lua_State *L) {
  size_t n = argcount(L, 1);
  cni_rng r;
  seed_rng(&r, argseed(L, 2));
  double *o = newnum(L, n);
  for (size_t i = 0; i < n; i++) o[i] = cni_rng_uniform(&r);
  return 1;
}

/* cni.rnorm(n, seed): standard normal (polar method) */
static int l_rnorm(lua_State *L) {
  size_t n = argcount(L, 1);
  cni_rng r;
  seed_rng(&r, argseed(L, 2));
  double *o = newnum(L, n);
  for (size_t i = 0; i < n; i++) o[i] = cni_rng_normal(&r);
  return 1;
}

/* cni.rgamma(shape, n, seed): Gamma(shape, scale 1) */
static int l_rgamma(lua_State *L) {
  double a = luaL_checknumber(L, 1);
  luaL_argcheck(L, a > 0 && isfinite(a), 1, "shape must be a positive number");
  size_t n = argcount(L, 2);
  cni_rng r;
  seed_rng(&r, argseed(L, 3));
  double *o = newnum(L, n);
  for (size_t i = 0; i < n; i++) o[i] = cni_rng_gamma(&r, a);
  return 1;
}

/* cni.rpois(lambda, n, seed): lambda a number, or a column (one draw per
** row, n ignored; missing stays missing): Poisson resampling of counts. */
static int l_rpois(lua_State *L) {
  cni_column *c = lcni_tocolumn(L, 1);
  double lam = 0;
  size_t n;
  if (c) {
    if (c->type != CNI_NUM) lcni_raisef(L, "usage", "rpois: lambda column must be numeric");
    n = c->n;
  } else {
    lam = luaL_checknumber(L, 1);
    luaL_argcheck(L, lam >= 0 && isfinite(lam), 1, "lambda must be a non-negative number");
    n = argcount(L, 2);
  }
  cni_rng r;
  seed_rng(&r, argseed(L, 3));
  double *o = newnum(L, n);
  for (size_t i = 0; i < n; i++) {
    double l = c ? c->num[i] : lam;
    if (l != l) { o[i] = NAN; continue; }
    if (l < 0 || !isfinite(l)) lcni_raisef(L, "data", "rpois: lambda in row %d is not a non-negative number", (int)i + 1);
    o[i] = cni_rng_poisson(&r, l);
  }
  return 1;
}

/* cni.rdirichlet(alpha, n, seed) -> list of k columns (row i = draw i) */
static int l_rdirichlet(lua_State *L) {
  double alpha[CNI_MC_MAXK], w[CNI_MC_MAXK];
  lua_settop(L, 3);
  size_t k = numlist(L, 1, alpha, CNI_MC_MAXK, "alpha");
  if (k == 0) lcni_raisef(L, "usage", "rdirichlet: alpha must list at least one number");
  for (size_t j = 0; j < k; j++)
    if (!(alpha[j] > 0) || !isfinite(alpha[j])) lcni_raisef(L, "usage", "rdirichlet: alpha[%d] must be positive", (int)j + 1);
  size_t n = argcount(L, 2);
  cni_rng r;
  seed_rng(&r, argseed(L, 3));
  double *cols[CNI_MC_MAXK];
  lua_createtable(L, (int)k, 0);
  for (size_t j = 0; j < k; j++) {
    cols[j] = newnum(L, n);
    lua_rawseti(L, -2, (lua_Integer)j + 1);
  }
  for (size_t i = 0; i < n; i++) {
    cni_rng_dirichlet(&r, alpha, k, w);
    for (size_t j = 0; j < k; j++) cols[j][i] = w[j];
  }
  return 1;
}

/* cni.rsimplex(lower, upper, n, seed) -> list of k columns, uniform on the
** simplex within the bounds (exact rejection; see docs). */
static int l_rsimplex(lua_State *L) {
  double lo[CNI_MC_MAXK], hi[CNI_MC_MAXK], w[CNI_MC_MAXK];
  lua_settop(L, 4);
  size_t k = numlist(L, 1, lo, CNI_MC_MAXK, "lower");
  if (numlist(L, 2, hi, CNI_MC_MAXK, "upper") != k || k == 0)
    lcni_raisef(L, "usage", "rsimplex: 'lower' and 'upper' must list the same number of bounds");
  cni_simplex_plan plan;
  int pr = cni_simplex_plan_make(lo, hi, k, &plan);
  if (pr == -1) lcni_raisef(L, "usage", "rsimplex: the bounds are invalid or infeasible (need 0 <= lower <= upper, sum(lower) <= 1 <= sum(upper))");
  if (pr == -2) lcni_raisef(L, "usage", "rsimplex: the bounds are so tight that rejection sampling is hopeless (best acceptance rate %.3g)", plan.accept);
  size_t n = argcount(L, 3);
  cni_rng r;
  seed_rng(&r, argseed(L, 4));
  double *cols[CNI_MC_MAXK];
  lua_createtable(L, (int)k, 0);
  for (size_t j = 0; j < k; j++) {
    cols[j] = newnum(L, n);
    lua_rawseti(L, -2, (lua_Integer)j + 1);
  }
  for (size_t i = 0; i < n; i++) {
    if (cni_rng_simplex_plan(&r, &plan, lo, hi, k, w) == 0)
      lcni_raisef(L, "runtime", "rsimplex: no draw inside the bounds after %d attempts", (int)plan.max_tries);
    for (size_t j = 0; j < k; j++) cols[j][i] = w[j];
  }
  lua_pushnumber(L, plan.accept);
  lua_pushstring(L, plan.method ? "box" : "simplex");
  return 3;
}

/* cni.sobol_points(n, dim, {skip = 0}) -> list of dim columns */
static int l_sobol_points(lua_State *L) {
  static const char *const allowed[] = {"skip", NULL};
  lua_settop(L, 3);
  size_t n = argcount(L, 1);
  lua_Integer dim = luaL_checkinteger(L, 2);
  luaL_argcheck(L, dim >= 1 && dim <= CNI_SOBOL_MAXDIM, 2, "dimension must be 1..64");
  lcni_check_opts(L, 3, "sobol_points", allowed);
  int skip = lcni_optint_field(L, 3, "skip", 0);
  if (skip < 0) lcni_raisef(L, "usage", "sobol_points: 'skip' must be >= 0");
  if (n + (size_t)skip >= UINT32_MAX) lcni_raisef(L, "usage", "sobol_points: too many points");
  cni_sobol *s = scratch_ud(L, sizeof *s);
  cni_sobol_init(s, (unsigned)dim);
  double x[CNI_SOBOL_MAXDIM], *cols[CNI_SOBOL_MAXDIM];
  for (int i = 0; i < skip; i++) cni_sobol_next(s, x);
  lua_createtable(L, (int)dim, 0);
  for (lua_Integer d = 0; d < dim; d++) {
    cols[d] = newnum(L, n);
    lua_rawseti(L, -2, d + 1);
  }
  for (size_t i = 0; i < n; i++) {
    cni_sobol_next(s, x);
    for (lua_Integer d = 0; d < dim; d++) cols[d][i] = x[d];
  }
  return 1;
}

/* }===== */

const luaL_Reg lcni_mc_funcs[] = {
  {"mc_weights", l_mc_weights},
  {"mc_sobol", l_mc_sobol},
  {"sobol_indices", l_sobol_indices},
  {"runif", l_runif},
  {"rnorm", l_rnorm},
  {"rgamma", l_rgamma},
  {"rpois", l_rpois},
  {"rdirichlet", l_rdirichlet},
  {"rsimplex", l_rsimplex},
  {"sobol_points", l_sobol_points},
  {NULL, NULL}
};

void lcni_open_mc(lua_State *L) {
  luaL_newmetatable(L, LCNI_MCRES);
  lua_pushcfunction(L, mcres_gc);
  lua_setfield(L, -2, "__gc");
  lua_pop(L, 1);
  luaL_newmetatable(L, LCNI_SOBRES);
  lua_pushcfunction(L, sobres_gc);
  lua_setfield(L, -2, "__gc");
  lua_pop(L, 1);
}
