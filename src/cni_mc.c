/*
** cni_mc.c: Monte Carlo uncertainty and Sobol' sensitivity engine.
** Layer: core. Never includes Lua headers; no globals; no printing.
** C11 + POSIX threads. See cni_mc.h and docs/numerics.md.
*/
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cni_mc.h"
#include "cni_stats.h"

#define DEFAULT_MEMORY ((size_t)256 << 20)
#define CHUNK_AREAS 64          /* areas per flush work item */
#define SOBOL_CHUNK 8           /* model runs per Sobol' work item */
#define BUFFER_BYTES ((size_t)24 << 20) /* rank buffers of all threads */

/* {===== small helpers */

const char *cni_mc_factor_name(int f) {
  static const char *const names[CNI_MC_NFACTORS] = {"weights", "transform", "aggregation",
                                                     "cut", "cut_dep"};
  return (f >= 0 && f < CNI_MC_NFACTORS) ? names[f] : "?";
}

static size_t zmin(size_t a, size_t b) { return a < b ? a : b; }

size_t cni_mc_nearest_rank(double p, size_t D) {
  if (D == 0) return 0;
  double x = p * (double)D, r = nearbyint(x);
  size_t k;
  if (fabs(x - r) <= 1e-9 * (r > 1 ? r : 1)) k = (size_t)(r < 0 ? 0 : r);
  else k = (size_t)ceil(x < 0 ? 0 : x);
  if (k < 1) k = 1;
  if (k > D) k = D;
  return k;
}

/* First i with u < cum[i] (cum ascending, last entry 1). */
static uint32_t pick(const double *cum, size_t n, double u) {
  for (size_t i = 0; i + 1 < n; i++)
    if (u < cum[i]) return (uint32_t)i;
  return (uint32_t)(n - 1);
}

static int setup_cum(const double *prob, size_t n, double *cum, const char *what, cni_err *err) {
  double tot = 0;
  for (size_t i = 0; i < n; i++) {
    double p = prob ? prob[i] : 1.0;
    if (!(p >= 0) || !isfinite(p)) return cni_err_set(err, CNI_EARG, "%s probability %d is not a non-negative number", what, (int)i + 1);
    tot += p;
  }
  if (!(tot > 0)) return cni_err_set(err, CNI_EARG, "%s probabilities sum to zero", what);
  double c = 0;
  for (size_t i = 0; i < n; i++) {
    c += (prob ? prob[i] : 1.0) / tot;
    cum[i] = c;
  }
  cum[n - 1] = 1.0;
  return CNI_OK;
}

/* }===== */

/* {===== domain transforms */

int cni_mc_transform_column(const double *x, size_t n, cni_mc_transform kind,
                            double *out_, cni_err *err) {
  size_t nv = 0;
  int st;
  switch (kind) {
    case CNI_MC_TR_IDENTITY:
      if (n) memcpy(out_, x, n * sizeof *x);
      return CNI_OK;
    case CNI_MC_TR_EXP:
      st = cni_rank(x, n, 1, CNI_TIES_AVERAGE, out_, &nv, err);
      if (st != CNI_OK) return st;
      if (nv == 0) return CNI_OK;   /* all missing: ranks are all NaN already */
      return cni_exp_transform(out_, n, (double)nv, 23.0, 100.0, out_, err);
    case CNI_MC_TR_NORMAL:
      return cni_normal_scores(x, n, CNI_NS_RANKIT, out_, err);
    case CNI_MC_TR_RANK:
      st = cni_rank(x, n, 0, CNI_TIES_AVERAGE, out_, &nv, err);
      if (st != CNI_OK) return st;
      for (size_t i = 0; i < n; i++) out_[i] = out_[i] / (double)nv;
      return CNI_OK;
  }
  return cni_err_set(err, CNI_EARG, "unknown transform %d", (int)kind);
}

/* }===== */

/* {===== prepared model */

typedef struct choice {
  double w[CNI_MC_MAXK];
  uint32_t trans, agg, cut, cutdep;
} choice;

typedef struct prep {
  size_t n, k, ntrans, nagg, top, nq;
  cni_mc_agg agg[CNI_MC_MAXALT];
  double aggcum[CNI_MC_MAXALT], trcum[CNI_MC_MAXALT];
  const double **cw;        /* ntrans * k columns for WSUM */
  const double **cl;        /* logs (GEOMEAN), NULL if unused */
  const double **cr;        /* reciprocals (HARMEAN), NULL if unused */
  double *lbuf, *rbuf;
  double scale;
  cni_mc_wprior wprior;
  double alpha[CNI_MC_MAXK], lo[CNI_MC_MAXK], hi[CNI_MC_MAXK], wfix[CNI_MC_MAXK];
  double accept;
  cni_simplex_plan wplan;
  size_t cut_lo, cut_hi, dep_lo, dep_hi;
  uint32_t *dep_rank;       /* NULL without the two-index rule */
  uint8_t *base_flag;
  double *base_rank;
  int32_t *base_irank;      /* base ranks as integers (-1 = missing) when base_int */
  int base_int;
  size_t base_nflag, base_nrank;  /* flagged areas; areas with a base rank */
  int active[CNI_MC_NFACTORS];
  choice base;
} prep;

static void prep_free(prep *P) {
  free(P->cw);
  free(P->cl);
  free(P->cr);
  free(P->lbuf);
  free(P->rbuf);
  free(P->dep_rank);
  free(P->base_flag);
  free(P->base_rank);
  free(P->base_irank);
  memset(P, 0, sizeof *P);
}

/* Samples factor f of the choice from stream (seed, row, f). */
static int sample_factor(const prep *P, int f, uint64_t seed, uint64_t row, choice *c,
                         cni_err *err) {
  cni_rng r;
  switch (f) {
    case CNI_MC_F_WEIGHTS:
      if (P->wprior == CNI_MC_W_FIXED) {
        memcpy(c->w, P->wfix, P->k * sizeof(double));
      } else if (P->wprior == CNI_MC_W_DIRICHLET) {
        cni_rng_seed_stream(&r, seed, row, (uint64_t)f);
        cni_rng_dirichlet(&r, P->alpha, P->k, c->w);
      } else {
        cni_rng_seed_stream(&r, seed, row, (uint64_t)f);
        if (cni_rng_simplex_plan(&r, &P->wplan, P->lo, P->hi, P->k, c->w) == 0)
          return cni_err_set(err, CNI_ELIMIT,
                             "bounded weights: no draw inside the bounds after %lu attempts "
                             "(the bounds leave too small a part of the simplex)",
                             (unsigned long)P->wplan.max_tries);
      }
      return CNI_OK;
    case CNI_MC_F_TRANSFORM:
      if (!P->active[f]) { c->trans = 0; return CNI_OK; }
      cni_rng_seed_stream(&r, seed, row, (uint64_t)f);
      c->trans = pick(P->trcum, P->ntrans, cni_rng_uniform(&r));
      return CNI_OK;
    case CNI_MC_F_AGG:
      if (!P->active[f]) { c->agg = 0; return CNI_OK; }
      cni_rng_seed_stream(&r, seed, row, (uint64_t)f);
      c->agg = pick(P->aggcum, P->nagg, cni_rng_uniform(&r));
      return CNI_OK;
    case CNI_MC_F_CUT:
      if (!P->active[f]) { c->cut = (uint32_t)P->cut_lo; return CNI_OK; }
      cni_rng_seed_stream(&r, seed, row, (uint64_t)f);
      c->cut = (uint32_t)(P->cut_lo + cni_rng_below(&r, P->cut_hi - P->cut_lo + 1));
      return CNI_OK;
    case CNI_MC_F_CUTDEP:
      if (!P->active[f]) { c->cutdep = (uint32_t)P->dep_lo; return CNI_OK; }
      cni_rng_seed_stream(&r, seed, row, (uint64_t)f);
      c->cutdep = (uint32_t)(P->dep_lo + cni_rng_below(&r, P->dep_hi - P->dep_lo + 1));
      return CNI_OK;
  }
  return CNI_OK;
}

static int sample_all(const prep *P, uint64_t seed, uint64_t row, choice *c, cni_err *err) {
  for (int f = 0; f < CNI_MC_NFACTORS; f++) {
    int st = sample_factor(P, f, seed, row, c, err);
    if (st != CNI_OK) return st;
  }
  return CNI_OK;
}

/* }===== */

/* {===== one evaluation: index, ranking */

typedef struct pair { double s; uint32_t i; } pair;

static int pair_cmp(const void *a, const void *b) {
  const pair *x = a, *y = b;
  if (x->s > y->s) return -1;
  if (x->s < y->s) return 1;
  return (x->i > y->i) - (x->i < y->i);
}

typedef struct scratch {
  double *s;
  uint32_t *order, *rank;
  uint64_t *t0, *t1;        /* (key << 32 | area) pairs of the two radix passes */
  uint32_t *c0, *c1;        /* digit counts */
  pair *pairs;
} scratch;

#define KEY_BITS 22
#define DIGIT_BITS 11
#define DIGIT_SIZE (1u << DIGIT_BITS)
#define KEY_MAX ((1u << KEY_BITS) - 1)
#define KEY_NAN (1u << KEY_BITS)            /* missing: after every score */

static void scratch_free(scratch *S) {
  free(S->s);
  free(S->order);
  free(S->rank);
  free(S->t0);
  free(S->t1);
  free(S->c0);
  free(S->c1);
  free(S->pairs);
  memset(S, 0, sizeof *S);
}

static int scratch_init(scratch *S, size_t n) {
  memset(S, 0, sizeof *S);
  S->s = malloc(n * sizeof *S->s);
  S->order = malloc(n * sizeof *S->order);
  S->rank = malloc(n * sizeof *S->rank);
  S->t0 = malloc(n * sizeof *S->t0);
  S->t1 = malloc(n * sizeof *S->t1);
  S->c0 = malloc((DIGIT_SIZE + 1) * sizeof *S->c0);
  S->c1 = malloc((DIGIT_SIZE + 2) * sizeof *S->c1);
  S->pairs = malloc(n * sizeof *S->pairs);
  if (!S->s || !S->order || !S->rank || !S->t0 || !S->t1 || !S->c0 || !S->c1 || !S->pairs) {
    scratch_free(S);
    return CNI_ENOMEM;
  }
  return CNI_OK;
}

/* Range of the scores (NaN ignored) and number of NaNs. */
typedef struct sstat { double mn, mx; size_t nnan; } sstat;

/* s = index of choice c for every area, plus its range (computed in the
** last pass over the areas). WSUM: scale * (w_1 x_1 + ... + w_k x_k) with
** the sum taken left to right. */
/* Range (NaN ignored) and number of NaNs; two accumulators per bound so
** that the loop is not one long dependency chain. */
static void range_of(const double *s, size_t n, sstat *st) {
  double mn0 = INFINITY, mn1 = INFINITY, mx0 = -INFINITY, mx1 = -INFINITY;
  size_t nn = 0, i = 0;
  for (; i + 1 < n; i += 2) {
    double a = s[i], b = s[i + 1];
    mn0 = a < mn0 ? a : mn0;
    mx0 = a > mx0 ? a : mx0;
    mn1 = b < mn1 ? b : mn1;
    mx1 = b > mx1 ? b : mx1;
    nn += (size_t)(a != a) + (size_t)(b != b);
  }
  if (i < n) {
    double a = s[i];
    mn0 = a < mn0 ? a : mn0;
    mx0 = a > mx0 ? a : mx0;
    nn += a != a;
  }
  st->mn = mn0 < mn1 ? mn0 : mn1;
  st->mx = mx0 > mx1 ? mx0 : mx1;
  st->nnan = nn;
}

/* s = index of choice c for every area, and its range. WSUM:
** scale * (w_1 x_1 + ... + w_k x_k), the sum taken left to right. Simple
** loops, one per case, so that the compiler keeps them tight. */
static void compute_index(const prep *P, const choice *c, double *s, sstat *st) {
  const size_t n = P->n, k = P->k;
  const cni_mc_agg a = P->agg[c->agg];
  const double *const *X = (a == CNI_MC_AGG_WSUM ? P->cw : a == CNI_MC_AGG_GEOMEAN ? P->cl : P->cr)
                           + (size_t)c->trans * k;
  const double *w = c->w;
  if (k == 3) {
    const double *x0 = X[0], *x1 = X[1], *x2 = X[2], w0 = w[0], w1 = w[1], w2 = w[2];
    for (size_t i = 0; i < n; i++) s[i] = w0 * x0[i] + w1 * x1[i] + w2 * x2[i];
  } else if (k == 2) {
    const double *x0 = X[0], *x1 = X[1], w0 = w[0], w1 = w[1];
    for (size_t i = 0; i < n; i++) s[i] = w0 * x0[i] + w1 * x1[i];
  } else if (k == 4) {
    const double *x0 = X[0], *x1 = X[1], *x2 = X[2], *x3 = X[3];
    const double w0 = w[0], w1 = w[1], w2 = w[2], w3 = w[3];
    for (size_t i = 0; i < n; i++) s[i] = w0 * x0[i] + w1 * x1[i] + w2 * x2[i] + w3 * x3[i];
  } else {
    const double w0 = w[0], *x0 = X[0];
    for (size_t i = 0; i < n; i++) s[i] = w0 * x0[i];
    for (size_t j = 1; j < k; j++) {
      const double wj = w[j], *xj = X[j];
      for (size_t i = 0; i < n; i++) s[i] = s[i] + wj * xj[i];
    }
  }
  if (a == CNI_MC_AGG_WSUM && P->scale != 1.0) {
    const double sc = P->scale;
    for (size_t i = 0; i < n; i++) s[i] = sc * s[i];
  } else if (a == CNI_MC_AGG_HARMEAN) {
    for (size_t i = 0; i < n; i++) s[i] = -s[i];
  }
  range_of(s, n, st);
}

static void stats_of(const double *s, size_t n, sstat *st) {
  st->mn = INFINITY;
  st->mx = -INFINITY;
  st->nnan = 0;
  for (size_t i = 0; i < n; i++) {
    double x = s[i];
    if (x != x) { st->nnan++; continue; }
    if (x < st->mn) st->mn = x;
    if (x > st->mx) st->mx = x;
  }
}

/* Comparison sort of everything (infinite scores, absurd ranges, or a
** quantisation that left too much to the fix-up). */
static void rank_fallback(const double *s, size_t n, scratch *S) {
  uint32_t *ord = S->order;
  size_t p = 0;
  for (size_t i = 0; i < n; i++)
    if (s[i] == s[i]) { S->pairs[p].s = s[i]; S->pairs[p].i = (uint32_t)i; p++; }
  qsort(S->pairs, p, sizeof *S->pairs, pair_cmp);
  for (size_t i = 0; i < p; i++) ord[i] = S->pairs[i].i;
  for (size_t i = 0; i < n; i++) if (s[i] != s[i]) ord[p++] = (uint32_t)i;
}

/* S->order = areas by descending score, ties in area order, missing last
** (in area order); st is the range of s. Returns the number of non-missing
** scores.
** Method (exact): q = floor((max - s) * (2^22 - 1) / (max - min)) is a
** monotone quantisation (a higher score never gets a larger q); a stable
** two-pass LSD radix sort on q (11-bit digits) orders the areas by q, then
** an insertion pass sorts each run of equal q exactly by (score
** descending, area ascending). Runs are tiny for any realistic data; if
** the insertion work exceeds 8n moves the draw falls back to qsort. */
static size_t rank_desc(const double *s, size_t n, const sstat *st, scratch *S) {
  uint32_t *ord = S->order;
  const double mn = st->mn, mx = st->mx;
  const size_t nv = n - st->nnan;
  const double span = mx - mn, sc = (double)KEY_MAX / span;
  if (nv == 0 || span == 0) {   /* nothing to sort: valid in order, then missing */
    size_t p = 0;
    for (size_t i = 0; i < n; i++) if (s[i] == s[i]) ord[p++] = (uint32_t)i;
    for (size_t i = 0; i < n; i++) if (s[i] != s[i]) ord[p++] = (uint32_t)i;
    return nv;
  }
  if (!isfinite(span) || !isfinite(sc)) {
    rank_fallback(s, n, S);
    return nv;
  }
  uint32_t *c0 = S->c0, *c1 = S->c1;
  uint64_t *t0 = S->t0, *t1 = S->t1;
  memset(c0, 0, (DIGIT_SIZE + 1) * sizeof *c0);
  memset(c1, 0, (DIGIT_SIZE + 2) * sizeof *c1);
  if (st->nnan == 0) {
    for (size_t i = 0; i < n; i++) {
      uint32_t q = (uint32_t)((mx - s[i]) * sc);
      q = q > KEY_MAX ? KEY_MAX : q;
      t0[i] = (uint64_t)q << 32 | i;
      c0[(q & (DIGIT_SIZE - 1)) + 1]++;
      c1[(q >> DIGIT_BITS) + 1]++;
    }
  } else {
    for (size_t i = 0; i < n; i++) {
      double x = s[i];
      uint32_t q = KEY_NAN;
      if (x == x) {
        q = (uint32_t)((mx - x) * sc);
        q = q > KEY_MAX ? KEY_MAX : q;
      }
      t0[i] = (uint64_t)q << 32 | i;
      c0[(q & (DIGIT_SIZE - 1)) + 1]++;
      c1[(q >> DIGIT_BITS) + 1]++;
    }
  }
  for (size_t b = 0; b < DIGIT_SIZE - 1; b++) c0[b + 1] += c0[b];
  for (size_t b = 0; b < DIGIT_SIZE; b++) c1[b + 1] += c1[b];
  for (size_t i = 0; i < n; i++) {
    uint64_t v = t0[i];
    t1[c0[(v >> 32) & (DIGIT_SIZE - 1)]++] = v;
  }
  for (size_t i = 0; i < n; i++) {
    uint64_t v = t1[i];
    ord[c1[v >> (32 + DIGIT_BITS)]++] = (uint32_t)v;
  }
  /* exact order inside runs of equal q (stable: equal scores never move) */
  size_t moves = 0, limit = 8 * n + 1024;
  double prev = s[ord[0]];
  for (size_t i = 1; i < nv; i++) {
    uint32_t v = ord[i];
    double sv = s[v];
    if (!(prev < sv)) { prev = sv; continue; }
    size_t j = i;
    do {
      ord[j] = ord[j - 1];
      j--;
      moves++;
    } while (j > 0 && s[ord[j - 1]] < sv);
    ord[j] = v;
    if (moves > limit) {
      rank_fallback(s, n, S);
      return nv;
    }
    /* prev stays: the element now at i is the old ord[i - 1] */
  }
  return nv;
}

/* Outputs of one evaluation and per-thread accumulators. */
typedef struct tacc {
  uint32_t *nflag, *ntop;
  uint64_t *rsum;
} tacc;

/* Evaluates choice c: ranks into rank16/rank32 (one of them non-NULL),
** y[3] = flagged count, Jaccard with the base, mean |rank shift|; adds to
** acc when non-NULL. */
static void evaluate(const prep *P, scratch *S, const choice *c, uint16_t *rank16,
                     uint32_t *rank32, double *y, tacc *acc) {
  const size_t n = P->n;
  sstat st;
  compute_index(P, c, S->s, &st);
  size_t nv = rank_desc(S->s, n, &st, S);
  const uint32_t *ord = S->order;
  if (rank16) for (size_t p = 0; p < n; p++) rank16[ord[p]] = (uint16_t)(p + 1);
  else for (size_t p = 0; p < n; p++) rank32[ord[p]] = (uint32_t)(p + 1);
  if (y == NULL && acc == NULL) return;
  size_t cut = zmin(c->cut, nv), nf = 0, inter = 0;
  const uint32_t *dr = P->dep_rank;
  const uint8_t *bf = P->base_flag;
  for (size_t p = 0; p < cut; p++) {
    uint32_t a = ord[p];
    if (dr && dr[a] > c->cutdep) continue;
    nf++;
    inter += bf[a];
    if (acc) acc->nflag[a]++;
  }
  if (acc) {
    size_t top = zmin(P->top, nv);
    for (size_t p = 0; p < top; p++) acc->ntop[ord[p]]++;
  }
  double shift = 0;
  if (P->base_int) {   /* integer base ranks (-1 = none): exact integer sum */
    const int32_t *bi = P->base_irank;
    int64_t sh = 0;
    if (rank16 && P->base_nrank == n) {        /* the common case: branch-free */
      for (size_t a = 0; a < n; a++) sh += abs((int32_t)rank16[a] - bi[a]);
    } else if (rank16) {
      for (size_t a = 0; a < n; a++) sh += bi[a] >= 0 ? abs((int32_t)rank16[a] - bi[a]) : 0;
    } else {
      for (size_t a = 0; a < n; a++) sh += bi[a] >= 0 ? llabs((int64_t)rank32[a] - bi[a]) : 0;
    }
    shift = (double)sh;
  } else {
    const double *br = P->base_rank;
    for (size_t a = 0; a < n; a++) {
      double d = (rank16 ? (double)rank16[a] : (double)rank32[a]) - br[a];
      if (d == d) shift += fabs(d);
    }
  }
  if (acc && acc->rsum) {
    if (rank16) for (size_t a = 0; a < n; a++) acc->rsum[a] += rank16[a];
    else for (size_t a = 0; a < n; a++) acc->rsum[a] += rank32[a];
  }
  if (y) {
    size_t uni = nf + P->base_nflag - inter;
    y[0] = (double)nf;
    y[1] = uni ? (double)inter / (double)uni : 1.0;
    y[2] = P->base_nrank ? shift / (double)P->base_nrank : NAN;
  }
}

/* }===== */

/* {===== model preparation */

static int prepare(prep *P, const cni_mc_model *m, cni_err *err) {
  memset(P, 0, sizeof *P);
  size_t n = m->n, k = m->k;
  if (n == 0 || n >= UINT32_MAX) return cni_err_set(err, CNI_EARG, "number of areas must be 1..2^32-2 (got %lu)", (unsigned long)n);
  if (k == 0 || k > CNI_MC_MAXK) return cni_err_set(err, CNI_EARG, "number of domains must be 1..%d (got %lu)", CNI_MC_MAXK, (unsigned long)k);
  size_t nt = m->ntrans ? m->ntrans : 1;
  if (nt > CNI_MC_MAXALT) return cni_err_set(err, CNI_EARG, "at most %d transform alternatives", CNI_MC_MAXALT);
  if (m->dom == NULL) return cni_err_set(err, CNI_EARG, "no domain columns");
  for (size_t j = 0; j < nt * k; j++)
    if (m->dom[j] == NULL) return cni_err_set(err, CNI_EARG, "domain column %lu is missing", (unsigned long)j + 1);
  P->n = n;
  P->k = k;
  P->ntrans = nt;
  int st = setup_cum(m->trans_prob, nt, P->trcum, "transform", err);
  if (st) return st;
  P->nagg = m->nagg ? m->nagg : 1;
  if (P->nagg > CNI_MC_MAXALT) return cni_err_set(err, CNI_EARG, "at most %d aggregation alternatives", CNI_MC_MAXALT);
  int need_log = 0, need_rec = 0;
  for (size_t i = 0; i < P->nagg; i++) {
    cni_mc_agg a = m->nagg ? m->agg[i] : CNI_MC_AGG_WSUM;
    if (a != CNI_MC_AGG_WSUM && a != CNI_MC_AGG_GEOMEAN && a != CNI_MC_AGG_HARMEAN)
      return cni_err_set(err, CNI_EARG, "unknown aggregation rule %d", (int)a);
    P->agg[i] = a;
    need_log |= a == CNI_MC_AGG_GEOMEAN;
    need_rec |= a == CNI_MC_AGG_HARMEAN;
  }
  st = setup_cum(m->nagg ? m->agg_prob : NULL, P->nagg, P->aggcum, "aggregation", err);
  if (st) return st;
  P->cw = malloc(nt * k * sizeof *P->cw);
  if (!P->cw) return CNI_ENOMEM;
  for (size_t j = 0; j < nt * k; j++) P->cw[j] = m->dom[j];
  if (need_log || need_rec) {
    const double ***dst[2] = {need_log ? &P->cl : NULL, need_rec ? &P->cr : NULL};
    double **buf[2] = {&P->lbuf, &P->rbuf};
    for (int v = 0; v < 2; v++) {
      if (!dst[v]) continue;
      *dst[v] = malloc(nt * k * sizeof **dst[v]);
      *buf[v] = malloc(nt * k * n * sizeof **buf[v]);
      if (!*dst[v] || !*buf[v]) return CNI_ENOMEM;
      for (size_t j = 0; j < nt * k; j++) {
        double *o = *buf[v] + j * n;
        const double *x = m->dom[j];
        for (size_t i = 0; i < n; i++)
          o[i] = x[i] > 0 ? (v == 0 ? log(x[i]) : 1.0 / x[i]) : NAN;
        (*dst[v])[j] = o;
      }
    }
  }
  P->scale = m->scale == 0 ? 1.0 : m->scale;
  if (!isfinite(P->scale) || P->scale < 0) return cni_err_set(err, CNI_EARG, "scale must be a positive number");

  /* weights */
  P->wprior = m->wprior;
  P->accept = 1.0;
  switch (m->wprior) {
    case CNI_MC_W_FIXED:
      if (!m->w) return cni_err_set(err, CNI_EARG, "fixed weights: no weights given");
      for (size_t j = 0; j < k; j++) {
        if (!isfinite(m->w[j])) return cni_err_set(err, CNI_EARG, "weight %lu is not a finite number", (unsigned long)j + 1);
        P->wfix[j] = m->w[j];
      }
      break;
    case CNI_MC_W_DIRICHLET: {
      if (!m->alpha) return cni_err_set(err, CNI_EARG, "Dirichlet weights: no concentrations (alpha) given");
      double s = 0;
      for (size_t j = 0; j < k; j++) {
        if (!(m->alpha[j] > 0) || !isfinite(m->alpha[j]))
          return cni_err_set(err, CNI_EARG, "alpha[%lu] must be a positive number", (unsigned long)j + 1);
        P->alpha[j] = m->alpha[j];
        s += m->alpha[j];
      }
      for (size_t j = 0; j < k; j++) P->wfix[j] = P->alpha[j] / s;
      break;
    }
    case CNI_MC_W_BOUNDED: {
      double slo = 0, shi = 0;
      for (size_t j = 0; j < k; j++) {
        P->lo[j] = m->wlo ? m->wlo[j] : 0.0;
        P->hi[j] = m->whi ? m->whi[j] : 1.0;
        if (!(P->lo[j] >= 0) || !(P->hi[j] >= P->lo[j]) || !isfinite(P->hi[j]))
          return cni_err_set(err, CNI_EARG, "weight bounds %lu: need 0 <= lower <= upper (got %g, %g)",
                             (unsigned long)j + 1, P->lo[j], P->hi[j]);
        slo += P->lo[j];
        shi += P->hi[j];
      }
      int pr = cni_simplex_plan_make(P->lo, P->hi, k, &P->wplan);
      if (pr == -1)
        return cni_err_set(err, CNI_EARG, "weight bounds are infeasible: lower bounds sum to %g, upper bounds to %g (need sum(lower) <= 1 <= sum(upper))", slo, shi);
      if (pr == -2)
        return cni_err_set(err, CNI_EARG, "weight bounds are so tight that rejection sampling is "
                           "hopeless (best acceptance rate %.3g < 1e-6); widen the bounds", P->wplan.accept);
      P->accept = P->wplan.accept;
      double s = 1 - slo;
      /* base: equal weights when inside the bounds, else lo + t (hi - lo) */
      int inside = 1;
      for (size_t j = 0; j < k; j++)
        if (1.0 / (double)k < P->lo[j] || 1.0 / (double)k > P->hi[j]) inside = 0;
      double t = shi > slo ? s / (shi - slo) : 0;
      for (size_t j = 0; j < k; j++)
        P->wfix[j] = inside ? 1.0 / (double)k : P->lo[j] + t * (P->hi[j] - P->lo[j]);
      break;
    }
    default:
      return cni_err_set(err, CNI_EARG, "unknown weight prior %d", (int)m->wprior);
  }

  /* cuts */
  P->cut_lo = m->cut_lo;
  P->cut_hi = m->cut_hi < m->cut_lo ? m->cut_lo : m->cut_hi;
  if (P->cut_hi > n) return cni_err_set(err, CNI_EARG, "flag cut %lu exceeds the number of areas %lu", (unsigned long)P->cut_hi, (unsigned long)n);
  P->top = m->top ? m->top : n / 10;
  if (P->top > n) return cni_err_set(err, CNI_EARG, "top-decile size %lu exceeds the number of areas", (unsigned long)P->top);
  scratch S;
  if (scratch_init(&S, n) != CNI_OK) return CNI_ENOMEM;
  if (m->dep) {
    P->dep_lo = m->dep_lo;
    P->dep_hi = m->dep_hi < m->dep_lo ? m->dep_lo : m->dep_hi;
    P->dep_rank = malloc(n * sizeof *P->dep_rank);
    if (!P->dep_rank) { scratch_free(&S); return CNI_ENOMEM; }
    sstat ds;
    stats_of(m->dep, n, &ds);
    rank_desc(m->dep, n, &ds, &S);
    for (size_t p = 0; p < n; p++) P->dep_rank[S.order[p]] = (uint32_t)(p + 1);
  }
  P->active[CNI_MC_F_WEIGHTS] = P->wprior != CNI_MC_W_FIXED;
  P->active[CNI_MC_F_TRANSFORM] = nt > 1;
  P->active[CNI_MC_F_AGG] = P->nagg > 1;
  P->active[CNI_MC_F_CUT] = P->cut_hi > P->cut_lo;
  P->active[CNI_MC_F_CUTDEP] = m->dep && P->dep_hi > P->dep_lo;

  /* base choices and base analysis */
  choice *b = &P->base;
  if (m->base_w) {
    for (size_t j = 0; j < k; j++) b->w[j] = m->base_w[j];
  } else {
    for (size_t j = 0; j < k; j++) b->w[j] = P->wfix[j];
  }
  if (m->base_trans >= nt || m->base_agg >= P->nagg) {
    scratch_free(&S);
    return cni_err_set(err, CNI_EARG, "base transform/aggregation alternative out of range");
  }
  b->trans = (uint32_t)m->base_trans;
  b->agg = (uint32_t)m->base_agg;
  b->cut = (uint32_t)(m->base_cut ? m->base_cut : P->cut_lo);
  b->cutdep = (uint32_t)(m->base_cutdep ? m->base_cutdep : P->dep_lo);
  P->base_flag = calloc(n, 1);
  P->base_rank = malloc(n * sizeof *P->base_rank);
  if (!P->base_flag || !P->base_rank) { scratch_free(&S); return CNI_ENOMEM; }
  sstat bs;
  compute_index(P, b, S.s, &bs);
  size_t nv = rank_desc(S.s, n, &bs, &S);
  if (m->base_rank) {
    for (size_t a = 0; a < n; a++) P->base_rank[a] = m->base_rank[a];
  } else {
    for (size_t p = 0; p < n; p++) P->base_rank[S.order[p]] = (double)(p + 1);
  }
  P->base_int = 1;
  for (size_t a = 0; a < n; a++) {
    double r = P->base_rank[a];
    P->base_nrank += r == r;
    if (r == r && !(r == floor(r) && fabs(r) < 2147483647.0 && r >= 0)) P->base_int = 0;
  }
  P->base_irank = malloc(n * sizeof *P->base_irank);
  if (!P->base_irank) { scratch_free(&S); return CNI_ENOMEM; }
  for (size_t a = 0; a < n; a++)
    P->base_irank[a] = P->base_rank[a] == P->base_rank[a] && P->base_int ? (int32_t)P->base_rank[a] : -1;
  if (m->base_flag) {
    for (size_t a = 0; a < n; a++) P->base_flag[a] = m->base_flag[a] == 1;
  } else {
    size_t cut = zmin(b->cut, nv);
    for (size_t p = 0; p < cut; p++) {
      uint32_t a = S.order[p];
      if (P->dep_rank && P->dep_rank[a] > b->cutdep) continue;
      P->base_flag[a] = 1;
    }
  }
  for (size_t a = 0; a < n; a++) P->base_nflag += P->base_flag[a];
  scratch_free(&S);

  /* percentiles */
  P->nq = m->no_quantiles ? 0 : (m->nq ? m->nq : 3);
  if (P->nq > CNI_MC_MAXQ) return cni_err_set(err, CNI_EARG, "at most %d rank percentiles", CNI_MC_MAXQ);
  for (size_t j = 0; m->nq && j < m->nq && !m->no_quantiles; j++)
    if (!(m->q[j] > 0 && m->q[j] <= 1))
      return cni_err_set(err, CNI_EARG, "percentile %g is not in (0, 1]", m->q[j]);
  return CNI_OK;
}

/* }===== */

/* {===== histograms */

enum { H_NONE = 0, H_FULL, H_COARSE, H_FINE };

typedef struct hist {
  int mode, h16;
  size_t n, nq, W, nbk;
  void *h;               /* FULL: n * n counts (u16 or u32); COARSE: n * nbk u32 */
  uint32_t *tb;          /* nq * n target bucket of each (percentile, area) */
  uint32_t *resid;       /* nq * n position inside the target bucket (1-based) */
  uint32_t *fine;        /* n * nq * W */
  uint32_t *rmin, *rmax;
  uint64_t *rsum;
} hist;

static void hist_free(hist *H) {
  free(H->h);
  free(H->tb);
  free(H->resid);
  free(H->fine);
  free(H->rmin);
  free(H->rmax);
  free(H->rsum);
  memset(H, 0, sizeof *H);
}

/* }===== */

/* {===== the thread pool */

typedef struct job job;

typedef struct worker {
  job *J;
  int id;
  scratch S;
  tacc acc;
  void *buf;                  /* MC: B rows of n ranks (this worker's block) */
  uint32_t *pending;          /* MC: chunks whose lock was busy */
  pthread_t th;
} worker;

struct job {
  const prep *P;
  int sobol;                  /* 0: Monte Carlo, 1: Saltelli design */
  uint64_t seed;
  size_t ndraws;
  int pass;                   /* MC: 1, or 2 (second pass of the two-pass percentiles) */
  int T;
  /* MC */
  size_t B, nblocks, nchunks;
  int r16;
  hist *H;
  pthread_mutex_t *locks;     /* one per chunk of CHUNK_AREAS histogram rows */
  cni_mc_result *out;
  /* Sobol' */
  size_t N, nf;
  int factor[CNI_MC_NFACTORS];
  uint64_t seedA, seedB;
  double *y;
  /* synchronisation */
  atomic_size_t next_block, done;
  atomic_int failed;          /* set on error or cancel: take no more work */
  int cancelled;              /* written by worker 0 only */
  const cni_mc_ctl *ctl;
  pthread_mutex_t elock;      /* also guards the start gate */
  pthread_cond_t gate;
  int gate_open;
  int ecode;
  cni_err err;
};

/* Workers wait here until the pool is complete (J->T is final). */
static void gate_wait(job *J) {
  pthread_mutex_lock(&J->elock);
  while (!J->gate_open) pthread_cond_wait(&J->gate, &J->elock);
  pthread_mutex_unlock(&J->elock);
}

static void job_fail(job *J, int code, const cni_err *e) {
  pthread_mutex_lock(&J->elock);
  if (J->ecode == CNI_OK) {
    J->ecode = code;
    if (e) J->err = *e;
    else cni_err_set(&J->err, code, "%s", cni_strerror(code));
  }
  pthread_mutex_unlock(&J->elock);
  atomic_store(&J->failed, 1);
}

static int ctl_says_stop(job *J, size_t done, size_t total) {
  const cni_mc_ctl *c = J->ctl;
  if (!c) return 0;
  if (c->cancel && *c->cancel) return 1;
  if (c->progress && c->progress(c->progress_ud, done, total)) return 1;
  return 0;
}

/* Adds the ranks of the filled slots to the histogram rows of areas
** [a0, a1) (and to their rank minimum, maximum and sum). One tight loop
** per histogram kind; rows are read in order, the counts of the chunk's
** areas stay in the L2 cache. */
#define FLUSH_ROWS(RT, ...) do { \
    for (size_t j_ = 0; j_ < m; j_++) { \
      const RT *row = (const RT *)buf + j_ * n; \
      __VA_ARGS__ \
    } \
  } while (0)

static void flush_chunk_t16(job *J, const void *buf, size_t m, size_t a0, size_t a1) {
  hist *H = J->H;
  const size_t n = J->P->n;
  if (H->mode == H_FINE) {
    const uint32_t W = (uint32_t)H->W;
    const size_t nq = H->nq;
    FLUSH_ROWS(uint16_t, {
      for (size_t a = a0; a < a1; a++) {
        uint32_t r = (uint32_t)row[a] - 1, b = r / W;
        for (size_t q = 0; q < nq; q++)
          if (H->tb[q * n + a] == b) H->fine[(a * nq + q) * W + r % W]++;
      }
    });
    return;
  }
  if (H->mode == H_FULL && H->h16) {
    uint16_t *h = (uint16_t *)H->h + a0 * n - 1;
    FLUSH_ROWS(uint16_t, {
      uint16_t *hr = h;
      for (size_t a = a0; a < a1; a++, hr += n) hr[row[a]]++;
    });
  } else if (H->mode == H_FULL) {
    uint32_t *h = (uint32_t *)H->h + a0 * n - 1;
    FLUSH_ROWS(uint16_t, {
      uint32_t *hr = h;
      for (size_t a = a0; a < a1; a++, hr += n) hr[row[a]]++;
    });
  } else {
    uint32_t *h = (uint32_t *)H->h;
    const size_t nbk = H->nbk;
    const uint32_t W = (uint32_t)H->W;
    FLUSH_ROWS(uint16_t, {
      for (size_t a = a0; a < a1; a++) h[a * nbk + ((uint32_t)row[a] - 1) / W]++;
    });
  }
  uint32_t *mn = H->rmin, *mx = H->rmax;
  uint64_t *sum = H->rsum;
  FLUSH_ROWS(uint16_t, {
    for (size_t a = a0; a < a1; a++) {
      uint32_t r = row[a];
      mn[a] = r < mn[a] ? r : mn[a];
      mx[a] = r > mx[a] ? r : mx[a];
      sum[a] += r;
    }
  });
}

static void flush_chunk_t32(job *J, const void *buf, size_t m, size_t a0, size_t a1) {
  hist *H = J->H;
  const size_t n = J->P->n;
  if (H->mode == H_FINE) {
    const uint32_t W = (uint32_t)H->W;
    const size_t nq = H->nq;
    FLUSH_ROWS(uint32_t, {
      for (size_t a = a0; a < a1; a++) {
        uint32_t r = row[a] - 1, b = r / W;
        for (size_t q = 0; q < nq; q++)
          if (H->tb[q * n + a] == b) H->fine[(a * nq + q) * W + r % W]++;
      }
    });
    return;
  }
  if (H->mode == H_FULL) {
    FLUSH_ROWS(uint32_t, {
      for (size_t a = a0; a < a1; a++) {
        if (H->h16) ((uint16_t *)H->h)[a * n + row[a] - 1]++;
        else ((uint32_t *)H->h)[a * n + row[a] - 1]++;
      }
    });
  } else {
    uint32_t *h = (uint32_t *)H->h;
    const size_t nbk = H->nbk;
    const uint32_t W = (uint32_t)H->W;
    FLUSH_ROWS(uint32_t, {
      for (size_t a = a0; a < a1; a++) h[a * nbk + (row[a] - 1) / W]++;
    });
  }
  uint32_t *mn = H->rmin, *mx = H->rmax;
  uint64_t *sum = H->rsum;
  FLUSH_ROWS(uint32_t, {
    for (size_t a = a0; a < a1; a++) {
      uint32_t r = row[a];
      mn[a] = r < mn[a] ? r : mn[a];
      mx[a] = r > mx[a] ? r : mx[a];
      sum[a] += r;
    }
  });
}

static void flush_chunk(job *J, const void *buf, size_t m, size_t c) {
  size_t a0 = c * CHUNK_AREAS, a1 = zmin(a0 + CHUNK_AREAS, J->P->n);
  if (J->r16) flush_chunk_t16(J, buf, m, a0, a1);
  else flush_chunk_t32(J, buf, m, a0, a1);
}

/* Adds the m buffered draws of worker Wk to every chunk of histogram rows.
** Workers start at different chunks and defer a chunk whose lock is busy,
** so they rarely wait for each other. */
static void flush_block(worker *Wk, size_t m) {
  job *J = Wk->J;
  const size_t nch = J->nchunks, start = (size_t)Wk->id * nch / (size_t)J->T;
  size_t np = 0;
  for (size_t i = 0; i < nch; i++) {
    size_t c = (start + i) % nch;
    if (pthread_mutex_trylock(&J->locks[c]) == 0) {
      flush_chunk(J, Wk->buf, m, c);
      pthread_mutex_unlock(&J->locks[c]);
    } else {
      Wk->pending[np++] = (uint32_t)c;
    }
  }
  for (size_t i = 0; i < np; i++) {
    pthread_mutex_lock(&J->locks[Wk->pending[i]]);
    flush_chunk(J, Wk->buf, m, Wk->pending[i]);
    pthread_mutex_unlock(&J->locks[Wk->pending[i]]);
  }
}

/* Draws [d0, d1) into the worker's buffer (and, in pass 1, the per-draw
** outputs and the worker's counts). Returns the number of draws done. */
static size_t mc_draw_block(worker *Wk, size_t d0, size_t d1) {
  job *J = Wk->J;
  const prep *P = J->P;
  const size_t n = P->n;
  cni_mc_result *o = J->out;
  for (size_t d = d0; d < d1; d++) {
    choice c;
    cni_err e;
    int st = sample_all(P, J->seed, d, &c, &e);
    if (st != CNI_OK) {
      job_fail(J, st, &e);
      return d - d0;
    }
    size_t row = J->H->mode == H_NONE ? 0 : d - d0;   /* no histogram: one scratch row */
    uint16_t *r16 = J->r16 ? (uint16_t *)Wk->buf + row * n : NULL;
    uint32_t *r32 = J->r16 ? NULL : (uint32_t *)Wk->buf + row * n;
    if (J->pass == 1) {
      double y[3];
      evaluate(P, &Wk->S, &c, r16, r32, y, &Wk->acc);
      o->d_nflag[d] = y[0];
      o->d_jaccard[d] = y[1];
      o->d_shift[d] = y[2];
      memcpy(o->d_w + d * P->k, c.w, P->k * sizeof(double));
      o->d_trans[d] = c.trans;
      o->d_agg[d] = c.agg;
      o->d_cut[d] = c.cut;
      o->d_cutdep[d] = c.cutdep;
    } else {
      evaluate(P, &Wk->S, &c, r16, r32, NULL, NULL);
    }
  }
  return d1 - d0;
}

/* Monte Carlo worker: takes blocks of B draws from an atomic counter,
** computes them into its own buffer, then adds them to the shared
** histogram chunk by chunk. No barriers: a descheduled thread never holds
** up the others. Worker 0 (the calling thread) reports progress. */
static void *mc_worker(void *arg) {
  worker *Wk = arg;
  job *J = Wk->J;
  gate_wait(J);
  const size_t D = J->ndraws, total = J->out->passes * D, base = (size_t)(J->pass - 1) * D;
  while (!atomic_load(&J->failed)) {
    if (J->ctl && J->ctl->cancel && *J->ctl->cancel) {   /* every worker watches the flag */
      cni_err e;
      cni_err_set(&e, CNI_MC_CANCELLED, "cancelled after %lu of %lu draws",
                  (unsigned long)(base + atomic_load(&J->done)), (unsigned long)total);
      job_fail(J, CNI_MC_CANCELLED, &e);
      break;
    }
    size_t b = atomic_fetch_add(&J->next_block, 1);
    if (b >= J->nblocks) break;
    size_t d0 = b * J->B, d1 = zmin(d0 + J->B, D);
    size_t m = mc_draw_block(Wk, d0, d1);
    if (J->H->mode != H_NONE && m) flush_block(Wk, m);
    size_t done = atomic_fetch_add(&J->done, m) + m;
    if (Wk->id == 0 && !atomic_load(&J->failed) && ctl_says_stop(J, base + done, total)) {
      J->cancelled = 1;
      cni_err e;
      cni_err_set(&e, CNI_MC_CANCELLED, "cancelled after %lu of %lu draws",
                  (unsigned long)(base + done), (unsigned long)total);
      job_fail(J, CNI_MC_CANCELLED, &e);
    }
  }
  return NULL;
}

static void *sobol_worker(void *arg) {
  worker *Wk = arg;
  job *J = Wk->J;
  const prep *P = J->P;
  const size_t N = J->N, nm = J->nf + 2, total = N * nm;
  size_t c;
  gate_wait(J);
  while (!atomic_load(&J->failed) && (c = atomic_fetch_add(&J->next_block, 1)) * SOBOL_CHUNK < total) {
    size_t r1 = zmin((c + 1) * SOBOL_CHUNK, total);
    for (size_t r = c * SOBOL_CHUNK; r < r1; r++) {
      size_t mtx = r / N, j = r % N;
      choice ch;
      for (int f = 0; f < CNI_MC_NFACTORS; f++) {
        uint64_t sd = J->seedA;
        if (mtx == 1 || (mtx >= 2 && J->factor[mtx - 2] == f)) sd = J->seedB;
        cni_err e;
        int st = sample_factor(P, f, sd, j, &ch, &e);
        if (st != CNI_OK) { job_fail(J, st, &e); return NULL; }
      }
      double y[3];
      evaluate(P, &Wk->S, &ch, NULL, Wk->S.rank, y, NULL);
      for (int o = 0; o < CNI_MC_NY; o++) J->y[((size_t)o * nm + mtx) * N + j] = y[o];
    }
    size_t done = atomic_fetch_add(&J->done, r1 - c * SOBOL_CHUNK) + (r1 - c * SOBOL_CHUNK);
    if (Wk->id == 0 && ctl_says_stop(J, done, total)) {
      J->cancelled = 1;
      cni_err e;
      cni_err_set(&e, CNI_MC_CANCELLED, "cancelled after %lu of %lu model runs", (unsigned long)done, (unsigned long)total);
      job_fail(J, CNI_MC_CANCELLED, &e);
    }
  }
  return NULL;
}

static int resolve_threads(int nthreads) {
  long t = nthreads;
  if (t <= 0) {
    t = sysconf(_SC_NPROCESSORS_ONLN);
    if (t < 1) t = 1;
  }
  if (t > 256) t = 256;
  return (int)t;
}

/* Runs fn on T workers (the calling thread is worker 0). Threads that
** cannot be created are left out; all work is handed out dynamically, so
** the results are the same. Returns the number of workers that ran. */
static int run_pool(job *J, worker *Wk, int T, void *(*fn)(void *)) {
  int started = 1;
  J->gate_open = 0;
  for (int t = 1; t < T; t++) {
    if (pthread_create(&Wk[t].th, NULL, fn, &Wk[t]) != 0) break;
    started++;
  }
  J->T = started;
  pthread_mutex_lock(&J->elock);
  J->gate_open = 1;
  pthread_cond_broadcast(&J->gate);
  pthread_mutex_unlock(&J->elock);
  fn(&Wk[0]);
  for (int t = 1; t < started; t++) pthread_join(Wk[t].th, NULL);
  return started;
}

/* }===== */

/* {===== Monte Carlo driver */

void cni_mc_result_free(cni_mc_result *r) {
  if (!r) return;
  free(r->nflag);
  free(r->ntop);
  free(r->rank_mean);
  free(r->rank_min);
  free(r->rank_max);
  free(r->rank_q);
  free(r->d_nflag);
  free(r->d_jaccard);
  free(r->d_shift);
  free(r->d_w);
  free(r->d_trans);
  free(r->d_agg);
  free(r->d_cut);
  free(r->d_cutdep);
  free(r->base_flag);
  free(r->base_rank);
  memset(r, 0, sizeof *r);
}

static int hist_setup(hist *H, const prep *P, size_t D, size_t budget, cni_mc_result *out,
                      cni_err *err) {
  const size_t n = P->n, nq = P->nq;
  memset(H, 0, sizeof *H);
  H->n = n;
  H->nq = nq;
  if (nq == 0) return CNI_OK;
  H->rmin = malloc(n * sizeof *H->rmin);
  H->rmax = calloc(n, sizeof *H->rmax);
  H->rsum = calloc(n, sizeof *H->rsum);
  if (!H->rmin || !H->rmax || !H->rsum) return CNI_ENOMEM;
  for (size_t a = 0; a < n; a++) H->rmin[a] = UINT32_MAX;
  double nn = (double)n * (double)n;
  if (D <= 65535 && nn * 2 <= (double)budget) {
    H->mode = H_FULL;
    H->h16 = 1;
    H->h = calloc(n * n, sizeof(uint16_t));
    out->hist_bytes = n * n * sizeof(uint16_t);
  } else if (nn * 4 <= (double)budget) {
    H->mode = H_FULL;
    H->h = calloc(n * n, sizeof(uint32_t));
    out->hist_bytes = n * n * sizeof(uint32_t);
  } else {
    size_t W = (size_t)ceil(sqrt((double)n / (double)nq));
    if (W < 1) W = 1;
    size_t nbk = (n + W - 1) / W;
    double bytes = ((double)n * (double)nbk + (double)n * (double)nq * (double)W) * 4;
    if (bytes > (double)budget)
      return cni_err_set(err, CNI_ELIMIT, "rank percentiles of %lu areas need %.0f MB for the "
                         "histograms, over the memory budget of %.0f MB (raise it, or skip the "
                         "percentiles)", (unsigned long)n, bytes / 1048576.0, (double)budget / 1048576.0);
    H->mode = H_COARSE;
    H->W = W;
    H->nbk = nbk;
    H->h = calloc(n * nbk, sizeof(uint32_t));
    out->hist_bytes = (size_t)bytes;
    out->passes = 2;
  }
  if (!H->h) return CNI_ENOMEM;
  return CNI_OK;
}

/* Turns the histograms into the percentile ranks (full histogram), or
** selects the target buckets for the second pass (coarse). */
static int hist_finish_pass1(hist *H, cni_mc_result *out) {
  const size_t n = H->n, nq = H->nq;
  for (size_t a = 0; a < n; a++) {
    for (size_t q = 0; q < nq; q++) {
      size_t k = out->qk[q], cum = 0;
      if (H->mode == H_FULL) {
        uint32_t r;
        for (r = H->rmin[a]; r <= H->rmax[a]; r++) {
          cum += H->h16 ? ((uint16_t *)H->h)[a * n + r - 1] : ((uint32_t *)H->h)[a * n + r - 1];
          if (cum >= k) break;
        }
        out->rank_q[q * n + a] = r;
      } else {
        const uint32_t *row = (uint32_t *)H->h + a * H->nbk;
        size_t b;
        for (b = 0; b < H->nbk; b++) {
          if (cum + row[b] >= k) break;
          cum += row[b];
        }
        H->tb[q * n + a] = (uint32_t)b;
        H->resid[q * n + a] = (uint32_t)(k - cum);
      }
    }
  }
  return CNI_OK;
}

static void hist_finish_pass2(hist *H, cni_mc_result *out) {
  const size_t n = H->n, nq = H->nq;
  for (size_t a = 0; a < n; a++)
    for (size_t q = 0; q < nq; q++) {
      const uint32_t *f = H->fine + (a * nq + q) * H->W;
      size_t cum = 0, i;
      for (i = 0; i < H->W; i++) {
        cum += f[i];
        if (cum >= H->resid[q * n + a]) break;
      }
      out->rank_q[q * n + a] = (uint32_t)(H->tb[q * n + a] * H->W + i + 1);
    }
}

int cni_mc_run(const cni_mc_model *m, size_t ndraws, uint64_t seed, int nthreads,
               const cni_mc_ctl *ctl, cni_mc_result *out, cni_err *err) {
  memset(out, 0, sizeof *out);
  cni_err_clear(err);
  if (ndraws == 0) return cni_err_set(err, CNI_EARG, "number of draws must be at least 1");
  if (ndraws >= UINT32_MAX) return cni_err_set(err, CNI_EARG, "too many draws");
  prep P;
  int st = prepare(&P, m, err);
  if (st != CNI_OK) {
    prep_free(&P);
    if (st == CNI_ENOMEM) cni_err_set(err, st, "out of memory");
    return st;
  }
  const size_t n = P.n, k = P.k;
  out->n = n;
  out->k = k;
  out->ndraws = ndraws;
  out->nq = P.nq;
  out->top = P.top;
  out->passes = 1;
  out->accept = P.accept;
  out->weights_method = P.wprior == CNI_MC_W_BOUNDED ? P.wplan.method : -1;
  static const double defq[3] = {0.05, 0.5, 0.95};
  for (size_t q = 0; q < P.nq; q++) {
    out->q[q] = m->nq ? m->q[q] : defq[q];
    out->qk[q] = cni_mc_nearest_rank(out->q[q], ndraws);
  }
  out->nflag = calloc(n, sizeof *out->nflag);
  out->ntop = calloc(n, sizeof *out->ntop);
  out->rank_mean = malloc(n * sizeof *out->rank_mean);
  out->rank_min = malloc(n * sizeof *out->rank_min);
  out->rank_max = malloc(n * sizeof *out->rank_max);
  out->rank_q = malloc((P.nq ? P.nq : 1) * n * sizeof *out->rank_q);
  out->nrequested = ndraws;
  out->d_nflag = malloc(ndraws * sizeof(double));
  out->d_jaccard = malloc(ndraws * sizeof(double));
  out->d_shift = malloc(ndraws * sizeof(double));
  out->d_w = malloc(ndraws * k * sizeof(double));
  if (out->d_nflag && out->d_jaccard && out->d_shift && out->d_w) {
    /* draws not done (a cancelled run) stay NaN */
    for (size_t d = 0; d < ndraws; d++) out->d_nflag[d] = out->d_jaccard[d] = out->d_shift[d] = NAN;
    for (size_t d = 0; d < ndraws * k; d++) out->d_w[d] = NAN;
  }
  out->d_trans = malloc(ndraws * sizeof(uint32_t));
  out->d_agg = malloc(ndraws * sizeof(uint32_t));
  out->d_cut = malloc(ndraws * sizeof(uint32_t));
  out->d_cutdep = malloc(ndraws * sizeof(uint32_t));
  out->base_flag = malloc(n);
  out->base_rank = malloc(n * sizeof *out->base_rank);
  if (!out->nflag || !out->ntop || !out->rank_mean || !out->rank_min || !out->rank_max ||
      !out->rank_q || !out->d_nflag || !out->d_jaccard || !out->d_shift || !out->d_w ||
      !out->d_trans || !out->d_agg || !out->d_cut || !out->d_cutdep || !out->base_flag ||
      !out->base_rank) {
    prep_free(&P);
    return cni_err_set(err, CNI_ENOMEM, "out of memory");
  }
  memcpy(out->base_flag, P.base_flag, n);
  for (size_t a = 0; a < n; a++)
    out->base_rank[a] = P.base_rank[a] == P.base_rank[a] ? (uint32_t)P.base_rank[a] : 0;
  out->base_nflag = P.base_nflag;

  hist H;
  size_t budget = ctl && ctl->memory ? ctl->memory : DEFAULT_MEMORY;
  st = hist_setup(&H, &P, ndraws, budget, out, err);
  if (st != CNI_OK) {
    if (st == CNI_ENOMEM) cni_err_set(err, st, "out of memory (rank histograms)");
    hist_free(&H);
    prep_free(&P);
    return st;
  }

  int T = resolve_threads(nthreads);
  job J;
  memset(&J, 0, sizeof J);
  J.P = &P;
  J.seed = seed;
  J.ndraws = ndraws;
  J.H = &H;
  J.out = out;
  J.ctl = ctl;
  J.r16 = n <= 65535;
  size_t esz = J.r16 ? 2 : 4;
  /* Each thread buffers a block of B draws (about BUFFER_BYTES of ranks in
  ** all): the histogram rows are then updated in large batches. */
  size_t B = ctl && ctl->block ? ctl->block : BUFFER_BYTES / ((size_t)T * n * esz);
  size_t fair = (ndraws + (size_t)T * 2 - 1) / ((size_t)T * 2);   /* every thread gets blocks */
  if (!(ctl && ctl->block) && B > fair) B = fair;
  if (B < 8) B = 8;
  if (B > 8192) B = 8192;
  /* no more threads than blocks */
  size_t nblocks = (ndraws + B - 1) / B;
  if ((size_t)T > nblocks) T = (int)nblocks;
  J.B = B;
  J.nblocks = nblocks;
  J.nchunks = (n + CHUNK_AREAS - 1) / CHUNK_AREAS;
  J.locks = malloc(J.nchunks * sizeof *J.locks);
  size_t nlocks = 0;
  while (J.locks && nlocks < J.nchunks && pthread_mutex_init(&J.locks[nlocks], NULL) == 0) nlocks++;
  worker *Wk = calloc((size_t)T, sizeof *Wk);
  int ok = J.locks && nlocks == J.nchunks && Wk;
  for (int t = 0; ok && t < T; t++) {
    Wk[t].J = &J;
    Wk[t].id = t;
    if (scratch_init(&Wk[t].S, n) != CNI_OK) { ok = 0; break; }
    Wk[t].buf = malloc((H.mode == H_NONE ? 1 : B) * n * esz);
    Wk[t].pending = malloc(J.nchunks * sizeof *Wk[t].pending);
    Wk[t].acc.nflag = calloc(n, sizeof(uint32_t));
    Wk[t].acc.ntop = calloc(n, sizeof(uint32_t));
    if (H.mode == H_NONE) {   /* else the flush sums the ranks */
      Wk[t].acc.rsum = calloc(n, sizeof(uint64_t));
      if (!Wk[t].acc.rsum) ok = 0;
    }
    if (!Wk[t].buf || !Wk[t].pending || !Wk[t].acc.nflag || !Wk[t].acc.ntop) ok = 0;
  }
  st = CNI_OK;
  if (!ok) st = cni_err_set(err, CNI_ENOMEM, "out of memory (thread buffers)");
  int sync_ok = 0;
  if (st == CNI_OK) {
    sync_ok = pthread_mutex_init(&J.elock, NULL) == 0;
    if (sync_ok && pthread_cond_init(&J.gate, NULL) != 0) {
      pthread_mutex_destroy(&J.elock);
      sync_ok = 0;
    }
    if (!sync_ok) st = cni_err_set(err, CNI_ENOMEM, "cannot create thread synchronisation");
  }
  int used = T;
  for (int pass = 1; st == CNI_OK && pass <= out->passes; pass++) {
    J.pass = pass;
    atomic_store(&J.next_block, 0);
    atomic_store(&J.done, 0);
    int u = run_pool(&J, Wk, T, mc_worker);
    if (u < used) used = u;
    if (J.ecode != CNI_OK) {   /* an error, or cancelled */
      st = J.ecode;
      if (err) *err = J.err;
      /* cancelled in the first pass: keep what the finished draws give */
      size_t ndone = atomic_load(&J.done);
      if (st == CNI_MC_CANCELLED && pass == 1 && ndone > 0 && ndone < ndraws) {
        out->partial = 1;
        out->ndraws = ndone;
        for (size_t q = 0; q < out->nq; q++) out->qk[q] = cni_mc_nearest_rank(out->q[q], ndone);
        if (H.mode == H_FULL) hist_finish_pass1(&H, out);
        else out->partial_no_q = 1;
      }
      break;
    }
    if (pass == 1) {
      if (H.mode == H_COARSE) {
        H.tb = malloc(P.nq * n * sizeof *H.tb);
        H.resid = malloc(P.nq * n * sizeof *H.resid);
        if (!H.tb || !H.resid) { st = cni_err_set(err, CNI_ENOMEM, "out of memory"); break; }
      }
      if (H.mode != H_NONE) hist_finish_pass1(&H, out);
      if (H.mode == H_COARSE) {
        free(H.h);
        H.h = NULL;
        H.fine = calloc(n * P.nq * H.W, sizeof *H.fine);
        if (!H.fine) { st = cni_err_set(err, CNI_ENOMEM, "out of memory"); break; }
        H.mode = H_FINE;
      }
    } else {
      hist_finish_pass2(&H, out);
    }
  }
  if (st == CNI_OK || out->partial) {
    /* merge the per-thread counts in thread order (integers: exact) */
    for (size_t a = 0; a < n; a++) {
      uint64_t f = 0, t = 0, rs = 0;
      for (int w = 0; w < T; w++) {
        f += Wk[w].acc.nflag[a];
        t += Wk[w].acc.ntop[a];
        if (Wk[w].acc.rsum) rs += Wk[w].acc.rsum[a];
      }
      out->nflag[a] = (uint32_t)f;
      out->ntop[a] = (uint32_t)t;
      if (H.rsum) rs = H.rsum[a];
      out->rank_mean[a] = (double)rs / (double)out->ndraws;
      out->rank_min[a] = H.rmin ? H.rmin[a] : 0;
      out->rank_max[a] = H.rmax ? H.rmax[a] : 0;
    }
  }
  out->nthreads = used;
  if (sync_ok) {
    pthread_cond_destroy(&J.gate);
    pthread_mutex_destroy(&J.elock);
  }
  for (int t = 0; Wk && t < T; t++) {
    scratch_free(&Wk[t].S);
    free(Wk[t].buf);
    free(Wk[t].pending);
    free(Wk[t].acc.nflag);
    free(Wk[t].acc.ntop);
    free(Wk[t].acc.rsum);
  }
  free(Wk);
  for (size_t c = 0; c < nlocks; c++) pthread_mutex_destroy(&J.locks[c]);
  free(J.locks);
  hist_free(&H);
  prep_free(&P);
  return st;
}

/* }===== */

/* {===== Sobol' indices */

/* Indices of k inputs on rows idx[0..N) (idx NULL: 0..N-1). */
static void sobol_once(const double *fA, const double *fB, const double *fAB, size_t N,
                       size_t k, const uint32_t *idx, double *S1, double *ST) {
  double m = 0, v = 0;
  for (size_t r = 0; r < N; r++) {
    size_t j = idx ? idx[r] : r;
    m += fA[j] + fB[j];
  }
  m /= (double)(2 * N);
  for (size_t r = 0; r < N; r++) {
    size_t j = idx ? idx[r] : r;
    v += (fA[j] - m) * (fA[j] - m) + (fB[j] - m) * (fB[j] - m);
  }
  v /= (double)(2 * N);
  for (size_t i = 0; i < k; i++) {
    const double *g = fAB + i * N;
    double s1 = 0, st = 0;
    for (size_t r = 0; r < N; r++) {
      size_t j = idx ? idx[r] : r;
      double d = g[j] - fA[j];
      s1 += (fB[j] - m) * d;
      st += d * d;
    }
    if (v > 0) {
      S1[i] = s1 / (double)N / v;
      ST[i] = st / (double)(2 * N) / v;
    } else {
      S1[i] = ST[i] = NAN;
    }
  }
}

int cni_sobol_indices(const double *fA, const double *fB, const double *fAB,
                      size_t N, size_t k, size_t nboot, double conf, uint64_t seed,
                      double *S1_, double *ST_, double *S1lo_, double *S1hi_,
                      double *STlo_, double *SThi_, cni_err *err) {
  cni_err_clear(err);
  if (N < 2) return cni_err_set(err, CNI_EARG, "Sobol' indices need at least 2 base samples");
  if (k == 0) return cni_err_set(err, CNI_EARG, "Sobol' indices need at least one input");
  if (N >= UINT32_MAX) return cni_err_set(err, CNI_EARG, "too many base samples");
  for (size_t j = 0; j < N; j++)
    if (!isfinite(fA[j]) || !isfinite(fB[j]))
      return cni_err_set(err, CNI_EARG, "model output %lu is not a finite number", (unsigned long)j + 1);
  for (size_t j = 0; j < N * k; j++)
    if (!isfinite(fAB[j]))
      return cni_err_set(err, CNI_EARG, "model output of A_B row %lu is not a finite number", (unsigned long)j + 1);
  sobol_once(fA, fB, fAB, N, k, NULL, S1_, ST_);
  if (nboot == 0) return CNI_OK;
  if (!(conf > 0 && conf < 1)) return cni_err_set(err, CNI_EARG, "confidence level must be in (0, 1)");
  uint32_t *idx = malloc(N * sizeof *idx);
  double *b1 = malloc(nboot * k * sizeof *b1), *bt = malloc(nboot * k * sizeof *bt);
  double *t1 = malloc(k * sizeof *t1), *tt = malloc(k * sizeof *tt);
  double *col = malloc(nboot * sizeof *col);
  int st = CNI_OK;
  if (!idx || !b1 || !bt || !t1 || !tt || !col) {
    st = cni_err_set(err, CNI_ENOMEM, "out of memory");
    goto done;
  }
  for (size_t b = 0; b < nboot; b++) {
    cni_rng r;
    cni_rng_seed_stream(&r, seed, b, 0xb0075u);
    for (size_t j = 0; j < N; j++) idx[j] = (uint32_t)cni_rng_below(&r, N);
    sobol_once(fA, fB, fAB, N, k, idx, t1, tt);
    for (size_t i = 0; i < k; i++) {
      b1[i * nboot + b] = t1[i];
      bt[i * nboot + b] = tt[i];
    }
  }
  double p[2] = {(1 - conf) / 2, (1 + conf) / 2}, qv[2];
  for (size_t i = 0; i < k; i++) {
    st = cni_quantile(b1 + i * nboot, nboot, p, 2, 7, qv, err);
    if (st) goto done;
    if (S1lo_) S1lo_[i] = qv[0];
    if (S1hi_) S1hi_[i] = qv[1];
    st = cni_quantile(bt + i * nboot, nboot, p, 2, 7, qv, err);
    if (st) goto done;
    if (STlo_) STlo_[i] = qv[0];
    if (SThi_) SThi_[i] = qv[1];
  }
done:
  free(idx);
  free(b1);
  free(bt);
  free(t1);
  free(tt);
  free(col);
  return st;
}

void cni_mc_sobol_result_free(cni_mc_sobol_result *r) {
  if (!r) return;
  free(r->y);
  r->y = NULL;
}

int cni_mc_sobol(const cni_mc_model *m, size_t N, uint64_t seed, int nthreads,
                 size_t nboot, double conf, const cni_mc_ctl *ctl,
                 cni_mc_sobol_result *out, cni_err *err) {
  memset(out, 0, sizeof *out);
  cni_err_clear(err);
  if (N < 2) return cni_err_set(err, CNI_EARG, "Sobol' design needs N >= 2 base samples");
  prep P;
  int st = prepare(&P, m, err);
  if (st != CNI_OK) {
    prep_free(&P);
    if (st == CNI_ENOMEM) cni_err_set(err, st, "out of memory");
    return st;
  }
  size_t nf = 0;
  for (int f = 0; f < CNI_MC_NFACTORS; f++)
    if (P.active[f]) out->factor[nf++] = f;
  if (nf == 0) {
    prep_free(&P);
    return cni_err_set(err, CNI_EARG, "no uncertain choice: give weight priors, transform or "
                       "aggregation alternatives, or cut ranges");
  }
  out->N = N;
  out->nf = nf;
  const size_t nm = nf + 2;
  out->y = malloc((size_t)CNI_MC_NY * nm * N * sizeof *out->y);
  int T = resolve_threads(nthreads);
  size_t nchunks = (N * nm + SOBOL_CHUNK - 1) / SOBOL_CHUNK;
  if ((size_t)T > nchunks) T = (int)nchunks;
  worker *Wk = calloc((size_t)T, sizeof *Wk);
  job J;
  memset(&J, 0, sizeof J);
  J.P = &P;
  J.sobol = 1;
  J.N = N;
  J.nf = nf;
  memcpy(J.factor, out->factor, sizeof J.factor);
  J.seedA = cni_rng_key(seed, 0x5a17e111u, 1);
  J.seedB = cni_rng_key(seed, 0x5a17e111u, 2);
  J.y = out->y;
  J.ctl = ctl;
  int ok = out->y && Wk && pthread_mutex_init(&J.elock, NULL) == 0;
  int mutex_ok = ok;
  if (ok && pthread_cond_init(&J.gate, NULL) != 0) {
    pthread_mutex_destroy(&J.elock);
    ok = mutex_ok = 0;
  }
  for (int t = 0; ok && t < T; t++) {
    Wk[t].J = &J;
    Wk[t].id = t;
    if (scratch_init(&Wk[t].S, P.n) != CNI_OK) ok = 0;
  }
  if (!ok) {
    st = cni_err_set(err, CNI_ENOMEM, "out of memory");
  } else {
    out->nthreads = run_pool(&J, Wk, T, sobol_worker);
    if (J.ecode != CNI_OK) {
      st = J.ecode;
      if (err) *err = J.err;
    }
  }
  for (int o = 0; st == CNI_OK && o < CNI_MC_NY; o++) {
    const double *y = out->y + (size_t)o * nm * N;
    cni_err e;
    int s2 = cni_sobol_indices(y, y + N, y + 2 * N, N, nf, nboot, conf, cni_rng_key(seed, 0xb007u, (uint64_t)o),
                               out->S1 + o * nf, out->ST + o * nf, out->S1lo + o * nf,
                               out->S1hi + o * nf, out->STlo + o * nf, out->SThi + o * nf, &e);
    if (s2 != CNI_OK) {
      /* a non-finite output (e.g. mean rank shift without base ranks): NaN indices */
      for (size_t i = 0; i < nf; i++)
        out->S1[o * nf + i] = out->ST[o * nf + i] = out->S1lo[o * nf + i] = out->S1hi[o * nf + i] =
            out->STlo[o * nf + i] = out->SThi[o * nf + i] = NAN;
      if (s2 == CNI_ENOMEM) st = cni_err_set(err, s2, "out of memory");
    }
  }
  for (int t = 0; Wk && t < T; t++) scratch_free(&Wk[t].S);
  free(Wk);
  if (mutex_ok) {
    pthread_cond_destroy(&J.gate);
    pthread_mutex_destroy(&J.elock);
  }
  prep_free(&P);
  return st;
}

/* }===== */
