/*
** test_stats.c: unit tests of src/cni_stats.c against R reference values
** (tests/r/stats_ref.R -> tests/fixtures/r/stats_*.csv) plus analytic checks.
** Usage: test_stats <fixture dir>
*/
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "cni_stats.h"

#define TOL 1e-12
#define MAXCOL 64

/* ------------------------------------------------------- fixture reader */

typedef struct table {
  size_t ncol, nrow, cap;
  char names[MAXCOL][32];
  double *col[MAXCOL];
} table;

static void table_free(table *t) {
  size_t j;
  for (j = 0; j < t->ncol; j++) free(t->col[j]);
  memset(t, 0, sizeof *t);
}

/* Reads a CSV with a header row; every field is a number or "NA" (NaN).
** Returns 0 on success. */
static int table_read(table *t, const char *dir, const char *file) {
  char path[1024], line[8192];
  FILE *f;
  size_t j;
  memset(t, 0, sizeof *t);
  snprintf(path, sizeof path, "%s/%s", dir, file);
  f = fopen(path, "r");
  if (f == NULL) { fprintf(stderr, "cannot open %s\n", path); return -1; }
  if (fgets(line, sizeof line, f) == NULL) { fclose(f); return -1; }
  {
    char *tok = strtok(line, ",\r\n");
    while (tok && t->ncol < MAXCOL) {
      snprintf(t->names[t->ncol], sizeof t->names[0], "%s", tok);
      t->ncol++;
      tok = strtok(NULL, ",\r\n");
    }
  }
  t->cap = 1024;
  for (j = 0; j < t->ncol; j++) t->col[j] = (double *)malloc(t->cap * sizeof(double));
  while (fgets(line, sizeof line, f) != NULL) {
    char *s = line, *end;
    if (line[0] == '\n' || line[0] == '\0') continue;
    if (t->nrow == t->cap) {
      t->cap *= 2;
      for (j = 0; j < t->ncol; j++)
        t->col[j] = (double *)realloc(t->col[j], t->cap * sizeof(double));
    }
    for (j = 0; j < t->ncol; j++) {
      double v;
      if (strncmp(s, "NA", 2) == 0 && (s[2] == ',' || s[2] == '\n' || s[2] == '\r' || s[2] == '\0')) {
        v = NAN;
        end = s + 2;
      } else {
        v = strtod(s, &end);
        if (end == s) { fprintf(stderr, "%s: bad field '%s'\n", file, s); fclose(f); return -1; }
      }
      t->col[j][t->nrow] = v;
      s = end;
      if (*s == ',') s++;
    }
    t->nrow++;
  }
  fclose(f);
  return 0;
}

static const double *tcol(const table *t, const char *name) {
  size_t j;
  for (j = 0; j < t->ncol; j++)
    if (strcmp(t->names[j], name) == 0) return t->col[j];
  fprintf(stderr, "no column %s\n", name);
  return NULL;
}

/* One CHECK per column: all rows equal (tol == 0: exactly, both-NaN equal)
** or within tol relative (CHECK_NEAR semantics). Prints first mismatch. */
static void cmp_col(const char *what, const double *got, const double *ref,
                    size_t n, double tol) {
  size_t i, bad = 0, first = 0;
  if (ref == NULL) { CHECK(ref != NULL); return; }
  for (i = 0; i < n; i++) {
    double a = got[i], b = ref[i];
    int ok = (isnan(a) && isnan(b)) ||
             (!isnan(a) && !isnan(b) &&
              (a == b || (tol > 0 && fabs(a - b) <= tol * (fabs(b) > 1 ? fabs(b) : 1))));
    if (!ok) { if (!bad) first = i; bad++; }
  }
  if (bad)
    fprintf(stderr, "%s: %zu of %zu rows differ; first row %zu: %.17g vs %.17g\n",
            what, bad, n, first + 1, got[first], ref[first]);
  CHECK(bad == 0);
}

/* ---------------------------------------------------- per-vector checks */

static void check_vector(const char *dir, const char *name) {
  table t;
  char file[128], what[160];
  const double *x, *w;
  double *o;
  size_t n, nv;
  int rc;
  snprintf(file, sizeof file, "stats_vec_%s.csv", name);
  if (table_read(&t, dir, file) != 0) { CHECK(0); return; }
  x = tcol(&t, "x");
  w = tcol(&t, "w");
  n = t.nrow;
  o = (double *)malloc((n ? n : 1) * sizeof *o);

#define CMP(col, tol) do { \
    snprintf(what, sizeof what, "%s/%s", name, col); \
    cmp_col(what, o, tcol(&t, col), n, tol); \
  } while (0)

  {
    static const char *asc[] = {"ravg", "rmin", "rmax", "rfirst", "rdense"};
    static const char *dsc[] = {"dravg", "drmin", "drmax", "drfirst", "drdense"};
    int k;
    for (k = 0; k < 5; k++) {
      rc = cni_rank(x, n, 0, (cni_ties)k, o, &nv, NULL);
      CHECK_EQ_INT(rc, CNI_OK);
      CMP(asc[k], 0);
      rc = cni_rank(x, n, 1, (cni_ties)k, o, &nv, NULL);
      CHECK_EQ_INT(rc, CNI_OK);
      CMP(dsc[k], 0);
    }
  }
  CHECK_EQ_INT(cni_percent_rank(x, n, o, NULL), CNI_OK); CMP("prank", TOL);
  CHECK_EQ_INT(cni_ntile(x, n, 3, 0, o, NULL), CNI_OK); CMP("nt3", 0);
  CHECK_EQ_INT(cni_ntile(x, n, 10, 0, o, NULL), CNI_OK); CMP("nt10", 0);
  CHECK_EQ_INT(cni_ntile(x, n, 3, 1, o, NULL), CNI_OK); CMP("dnt3", 0);
  CHECK_EQ_INT(cni_ntile(x, n, 10, 1, o, NULL), CNI_OK); CMP("dnt10", 0);
  CHECK_EQ_INT(cni_wntile(x, w, n, 3, 0, o, NULL), CNI_OK); CMP("wnt3", 0);
  CHECK_EQ_INT(cni_wntile(x, w, n, 10, 0, o, NULL), CNI_OK); CMP("wnt10", 0);
  CHECK_EQ_INT(cni_wntile(x, w, n, 10, 1, o, NULL), CNI_OK); CMP("dwnt10", 0);
  CHECK_EQ_INT(cni_zscore(x, n, 1, o, NULL), CNI_OK); CMP("zs", TOL);
  CHECK_EQ_INT(cni_zscore(x, n, 0, o, NULL), CNI_OK); CMP("zp", TOL);
  CHECK_EQ_INT(cni_minmax(x, n, 0, 100, o, NULL), CNI_OK); CMP("mm", TOL);
  CHECK_EQ_INT(cni_normal_scores(x, n, CNI_NS_RANKIT, o, NULL), CNI_OK); CMP("nsr", TOL);
  CHECK_EQ_INT(cni_normal_scores(x, n, CNI_NS_BLOM, o, NULL), CNI_OK); CMP("nsb", TOL);
  CHECK_EQ_INT(cni_normal_scores(x, n, CNI_NS_VDW, o, NULL), CNI_OK); CMP("nsv", TOL);
  CHECK_EQ_INT(cni_log(x, n, 0, o, NULL), CNI_OK); CMP("lg", TOL);
  CHECK_EQ_INT(cni_log(x, n, 1, o, NULL), CNI_OK); CMP("lg1", TOL);
  CHECK_EQ_INT(cni_winsorise_q(x, n, 0.05, 0.95, o, NULL), CNI_OK); CMP("wq", TOL);
  CHECK_EQ_INT(cni_winsorise_sd(x, n, 2, o, NULL), CNI_OK); CMP("wsd", TOL);
  CHECK_EQ_INT(cni_distance_to_ref(x, n, 2.5, 0, o, NULL), CNI_OK); CMP("dist", TOL);
  CHECK_EQ_INT(cni_distance_to_ref(x, n, 2.5, 1, o, NULL), CNI_OK); CMP("distrel", TOL);
  {
    double *r = (double *)malloc((n ? n : 1) * sizeof *r);
    CHECK_EQ_INT(cni_rank(x, n, 1, CNI_TIES_FIRST, r, &nv, NULL), CNI_OK);
    if (nv > 0) {
      CHECK_EQ_INT(cni_exp_transform(r, n, (double)nv, 23, 100, o, NULL), CNI_OK);
      CMP("ex", TOL);
    }
    free(r);
  }
#undef CMP
  free(o);
  table_free(&t);
}

static void check_big(const char *dir) {
  table t, f;
  const double *x, *w, *rows;
  double *o;
  size_t n, i, nv;
  if (table_read(&t, dir, "stats_big.csv") != 0) { CHECK(0); return; }
  if (table_read(&f, dir, "stats_big_float.csv") != 0) { CHECK(0); table_free(&t); return; }
  x = tcol(&t, "x");
  w = tcol(&t, "w");
  n = t.nrow;
  CHECK_EQ_INT(n, 100000);
  o = (double *)malloc(n * sizeof *o);
  cni_rank(x, n, 0, CNI_TIES_AVERAGE, o, &nv, NULL); cmp_col("big/ravg", o, tcol(&t, "ravg"), n, 0);
  CHECK_EQ_INT(nv, 99000);
  cni_rank(x, n, 0, CNI_TIES_MIN, o, NULL, NULL); cmp_col("big/rmin", o, tcol(&t, "rmin"), n, 0);
  cni_rank(x, n, 0, CNI_TIES_MAX, o, NULL, NULL); cmp_col("big/rmax", o, tcol(&t, "rmax"), n, 0);
  cni_rank(x, n, 0, CNI_TIES_FIRST, o, NULL, NULL); cmp_col("big/rfirst", o, tcol(&t, "rfirst"), n, 0);
  cni_rank(x, n, 0, CNI_TIES_DENSE, o, NULL, NULL); cmp_col("big/rdense", o, tcol(&t, "rdense"), n, 0);
  cni_rank(x, n, 1, CNI_TIES_AVERAGE, o, NULL, NULL); cmp_col("big/dravg", o, tcol(&t, "dravg"), n, 0);
  cni_rank(x, n, 1, CNI_TIES_FIRST, o, NULL, NULL); cmp_col("big/drfirst", o, tcol(&t, "drfirst"), n, 0);
  cni_ntile(x, n, 10, 0, o, NULL); cmp_col("big/nt10", o, tcol(&t, "nt10"), n, 0);
  cni_ntile(x, n, 10, 1, o, NULL); cmp_col("big/dnt10", o, tcol(&t, "dnt10"), n, 0);
  cni_wntile(x, w, n, 10, 0, o, NULL); cmp_col("big/wnt10", o, tcol(&t, "wnt10"), n, 0);

  rows = tcol(&f, "row");
  {
    double *g = (double *)malloc(f.nrow * sizeof *g), *r = (double *)malloc(n * sizeof *r);
#define FL(call, col) do { \
      CHECK_EQ_INT(call, CNI_OK); \
      for (i = 0; i < f.nrow; i++) g[i] = o[(size_t)rows[i] - 1]; \
      cmp_col("big/" col, g, tcol(&f, col), f.nrow, TOL); \
    } while (0)
    FL(cni_percent_rank(x, n, o, NULL), "prank");
    FL(cni_zscore(x, n, 1, o, NULL), "zs");
    FL(cni_zscore(x, n, 0, o, NULL), "zp");
    FL(cni_minmax(x, n, 0, 100, o, NULL), "mm");
    FL(cni_normal_scores(x, n, CNI_NS_RANKIT, o, NULL), "nsr");
    FL(cni_normal_scores(x, n, CNI_NS_BLOM, o, NULL), "nsb");
    FL(cni_normal_scores(x, n, CNI_NS_VDW, o, NULL), "nsv");
    FL(cni_log(x, n, 1, o, NULL), "lg1");
    FL(cni_winsorise_q(x, n, 0.05, 0.95, o, NULL), "wq");
    FL(cni_winsorise_sd(x, n, 2, o, NULL), "wsd");
    FL(cni_distance_to_ref(x, n, 2.5, 1, o, NULL), "distrel");
    cni_rank(x, n, 1, CNI_TIES_FIRST, r, &nv, NULL);
    FL(cni_exp_transform(r, n, (double)nv, 23, 100, o, NULL), "ex");
#undef FL
    free(g);
    free(r);
  }
  free(o);
  table_free(&t);
  table_free(&f);
}

/* Quantiles: vectors numbered as in stats_ref.R (1..9 small, 10 = big). */
static const char *const VEC_NAMES[] = {"ties", "nan", "n0", "n1", "n2", "const",
                                        "neglarge", "inf", "rnd"};

static int load_vec(const char *dir, int vi, table *t) {
  char file[128];
  if (vi == 10) return table_read(t, dir, "stats_big.csv");
  snprintf(file, sizeof file, "stats_vec_%s.csv", VEC_NAMES[vi - 1]);
  return table_read(t, dir, file);
}

static void check_quantiles(const char *dir) {
  table q, wq, v[11];
  size_t i, bad = 0, wbad = 0;
  int vi;
  if (table_read(&q, dir, "stats_quantile.csv") != 0) { CHECK(0); return; }
  if (table_read(&wq, dir, "stats_wquantile.csv") != 0) { CHECK(0); table_free(&q); return; }
  for (vi = 1; vi <= 10; vi++)
    if (load_vec(dir, vi, &v[vi]) != 0) { CHECK(0); return; }
  {
    const double *cv = tcol(&q, "vec"), *ct = tcol(&q, "type"), *cp = tcol(&q, "p"),
                 *cq = tcol(&q, "q");
    for (i = 0; i < q.nrow; i++) {
      table *tv = &v[(int)cv[i]];
      double out, ref = cq[i];
      int rc = cni_quantile(tcol(tv, "x"), tv->nrow, &cp[i], 1, (int)ct[i], &out, NULL);
      int ok = rc == CNI_OK &&
               ((isnan(out) && isnan(ref)) ||
                (out == ref || fabs(out - ref) <= TOL * (fabs(ref) > 1 ? fabs(ref) : 1)));
      if (!ok) {
        if (bad < 5)
          fprintf(stderr, "quantile vec %g type %g p %g: %.17g vs %.17g\n", cv[i], ct[i],
                  cp[i], out, ref);
        bad++;
      }
    }
    CHECK_EQ_INT(bad, 0);
    CHECK(q.nrow == 10 * 9 * 14);
  }
  {
    const double *cv = tcol(&wq, "vec"), *cp = tcol(&wq, "p"), *cq = tcol(&wq, "q");
    for (i = 0; i < wq.nrow; i++) {
      int k = (int)fabs(cv[i]);
      table *tv = &v[k];
      const double *x = tcol(tv, "x");
      double *ww = (double *)malloc((tv->nrow ? tv->nrow : 1) * sizeof *ww), out;
      size_t r;
      int rc;
      for (r = 0; r < tv->nrow; r++) ww[r] = cv[i] < 0 ? 1.0 : tcol(tv, "w")[r];
      rc = cni_wquantile(x, ww, tv->nrow, &cp[i], 1, &out, NULL);
      if (!(rc == CNI_OK && ((isnan(out) && isnan(cq[i])) || out == cq[i]))) {
        if (wbad < 5)
          fprintf(stderr, "wquantile vec %g p %g: %.17g vs %.17g\n", cv[i], cp[i], out, cq[i]);
        wbad++;
      }
      /* equal weights: identical to type 1 */
      if (cv[i] < 0 && !isnan(cp[i])) {
        double q1;
        cni_quantile(x, tv->nrow, &cp[i], 1, 1, &q1, NULL);
        if (!((isnan(q1) && isnan(out)) || q1 == out)) wbad++;
      }
      free(ww);
    }
    CHECK_EQ_INT(wbad, 0);
  }
  for (vi = 1; vi <= 10; vi++) table_free(&v[vi]);
  table_free(&q);
  table_free(&wq);
}

static void check_norm(const char *dir) {
  table t;
  size_t i, nq = 0, np = 0, exq = 0, exp_ = 0, bad = 0;
  double maxrel = 0;
  const double *k, *a, *v;
  if (table_read(&t, dir, "stats_norm.csv") != 0) { CHECK(0); return; }
  k = tcol(&t, "kind"); a = tcol(&t, "arg"); v = tcol(&t, "val");
  for (i = 0; i < t.nrow; i++) {
    double got = k[i] == 1 ? cni_qnorm(a[i]) : cni_pnorm(a[i]), ref = v[i], rel;
    if (k[i] == 1) { nq++; if (got == ref) exq++; } else { np++; if (got == ref) exp_++; }
    if (got == ref) continue;
    rel = fabs(got - ref) / fabs(ref);
    if (rel > maxrel) maxrel = rel;
    if (!(rel <= 1e-15)) {
      if (bad < 5) fprintf(stderr, "%s(%.17g): %.17g vs %.17g\n", k[i] == 1 ? "qnorm" : "pnorm", a[i], got, ref);
      bad++;
    }
  }
  printf("qnorm: %zu/%zu identical to R; pnorm: %zu/%zu identical; max rel diff %.3g\n",
         exq, nq, exp_, np, maxrel);
  CHECK_EQ_INT(bad, 0);
  table_free(&t);
}

static void check_combine(const char *dir) {
  table t;
  const double *cols[3];
  const double w[3] = {0.5, 0.3, 0.2};
  double *o;
  int kind, skip, usew;
  cni_err e;
  if (table_read(&t, dir, "stats_combine.csv") != 0) { CHECK(0); return; }
  cols[0] = tcol(&t, "a"); cols[1] = tcol(&t, "b"); cols[2] = tcol(&t, "c");
  o = (double *)malloc(t.nrow * sizeof *o);
  for (kind = 0; kind <= 6; kind++)
    for (skip = 0; skip <= 1; skip++)
      for (usew = 1; usew >= 0; usew--) {
        char name[64];
        int rc;
        snprintf(name, sizeof name, "k%d_%s_%s", kind, skip ? "skip" : "prop", usew ? "w" : "eq");
        rc = cni_combine(cols, 3, t.nrow, usew ? w : NULL, (cni_combine_kind)kind, 0.5,
                         skip ? CNI_NA_SKIP : CNI_NA_PROPAGATE, o, NULL);
        CHECK_EQ_INT(rc, CNI_OK);
        cmp_col(name, o, tcol(&t, name), t.nrow, TOL);
      }
  cni_err_clear(&e);
  CHECK_EQ_INT(cni_combine(cols, 3, t.nrow, w, CNI_COMB_WSUM, 0, CNI_NA_ERROR, o, &e), CNI_EPARSE);
  CHECK_EQ_INT(e.row, 3);
  CHECK_EQ_INT(e.col, 1);
  CHECK_HAS_STR(e.msg, "row 3");
  free(o);
  table_free(&t);
}

/* ------------------------------------------------------- analytic checks */

static unsigned long long rng_state = 0x9E3779B97F4A7C15ULL;
static double urand(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return (double)(rng_state >> 11) / 9007199254740992.0;
}

/* argsort: order, stability, NaN last, -0 == +0, in both directions */
/* Ranks and normal scores against an independent reference: qsort of
** (value, row) pairs (NaN last, ties by row), ranks assigned by tie group.
** Distributions chosen to stress the sorting paths (insertion below 64
** values, cache_sort up to 2^16, MSD split above): heavy ties, all equal,
** NaN, +-0, +-Inf, subnormals, a far outlier, values spread over many
** binary orders of magnitude, runs. */
static const double *ref_x;
static int ref_desc;
static int ref_cmp(const void *pa, const void *pb) {
  size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
  double xa = ref_x[a], xb = ref_x[b];
  int na = isnan(xa), nb = isnan(xb);
  if (na != nb) return na - nb;
  if (!na && xa != xb) return (ref_desc ? xa > xb : xa < xb) ? -1 : 1;
  return a < b ? -1 : (a > b);
}

static double ref_dist(int dist, size_t i, size_t n) {
  double u = urand();
  switch (dist) {
    case 0: return u;                                          /* uniform */
    case 1: return floor(u * 50);                              /* 50 tie groups */
    case 2: return 3.25;                                       /* all equal */
    case 3:                                                    /* specials */
      if (u < 0.1) return NAN;
      if (u < 0.15) return 0.0;
      if (u < 0.2) return -0.0;
      if (u < 0.22) return INFINITY;
      if (u < 0.24) return -INFINITY;
      if (u < 0.3) return 4.9e-324 * floor(urand() * 8);       /* subnormals */
      return (urand() - 0.5) * pow(10, urand() * 600 - 300);
    case 4: return i == n / 2 ? 1e300 : u;                     /* far outlier */
    case 5: return (double)(n - i) * 1e-9 + (i % 7 == 0 ? 0.5 : 0.0); /* runs */
    default: return i % 3 == 0 ? NAN : floor(u * 3e4);          /* NaN + ties */
  }
}

static void check_rank_ref(size_t n, int dist) {
  double *x = (double *)malloc(n * sizeof *x), *o = (double *)malloc(n * sizeof *o);
  double *rf = (double *)malloc(5 * n * sizeof *rf);
  size_t *idx = (size_t *)malloc(n * sizeof *idx), i, nv = 0, nvo;
  int desc, t, ok;
  for (i = 0; i < n; i++) { x[i] = ref_dist(dist, i, n); nv += !isnan(x[i]); }
  for (desc = 0; desc <= 1; desc++) {
    size_t s = 0, g = 0;
    for (i = 0; i < n; i++) idx[i] = i;
    ref_x = x;
    ref_desc = desc;
    qsort(idx, n, sizeof *idx, ref_cmp);
    while (s < nv) {
      size_t e = s + 1, j;
      while (e < nv && x[idx[e]] == x[idx[s]]) e++;
      g++;
      for (j = s; j < e; j++) {
        rf[0 * n + idx[j]] = ((double)(s + 1) + (double)e) / 2.0;
        rf[1 * n + idx[j]] = (double)(s + 1);
        rf[2 * n + idx[j]] = (double)e;
        rf[3 * n + idx[j]] = (double)(j + 1);
        rf[4 * n + idx[j]] = (double)g;
      }
      s = e;
    }
    for (i = nv; i < n; i++) for (t = 0; t < 5; t++) rf[(size_t)t * n + idx[i]] = NAN;
    for (t = 0; t <= (int)CNI_TIES_DENSE; t++) {
      CHECK_EQ_INT(cni_rank(x, n, desc, (cni_ties)t, o, &nvo, NULL), CNI_OK);
      CHECK_EQ_INT(nvo, nv);
      ok = 1;
      for (i = 0; i < n; i++) {
        double a = o[i], b = rf[(size_t)t * n + i];
        if (!(a == b || (isnan(a) && isnan(b)))) { ok = 0; break; }
      }
      if (!ok) fprintf(stderr, "rank ref: n=%zu dist=%d desc=%d ties=%d row %zu: %g vs %g\n",
                       n, dist, desc, t, i + 1, o[i], rf[(size_t)t * n + i]);
      CHECK(ok);
    }
    { /* argsort: the reference order itself */
      size_t *ix = (size_t *)malloc(n * sizeof *ix);
      CHECK_EQ_INT(cni_argsort(x, n, desc, ix, NULL), CNI_OK);
      ok = memcmp(ix, idx, n * sizeof *ix) == 0;
      if (!ok) fprintf(stderr, "argsort ref: n=%zu dist=%d desc=%d\n", n, dist, desc);
      CHECK(ok);
      free(ix);
    }
    if (!desc) { /* normal scores: qnorm((average rank - 0.5) / nv), with and without the table */
      double *tab = (double *)malloc((nv ? nv : 1) * sizeof *tab);
      int k;
      cni_normal_scores_table(nv, CNI_NS_RANKIT, tab);
      for (k = 0; k < 2; k++) {
        CHECK_EQ_INT(cni_normal_scores_tab(x, n, CNI_NS_RANKIT, k ? tab : NULL, nv, o, NULL), CNI_OK);
        ok = 1;
        for (i = 0; i < n; i++) {
          double b = isnan(rf[i]) ? NAN : cni_qnorm((rf[i] - 0.5) / (double)nv);
          if (!(o[i] == b || (isnan(o[i]) && isnan(b)))) { ok = 0; break; }
        }
        if (!ok) fprintf(stderr, "nscore ref: n=%zu dist=%d table=%d row %zu\n", n, dist, k, i + 1);
        CHECK(ok);
      }
      free(tab);
    }
  }
  free(x); free(o); free(rf); free(idx);
}

static void check_argsort_props(size_t n) {
  double *x = (double *)malloc(n * sizeof *x);
  size_t *idx = (size_t *)malloc(n * sizeof *idx), i;
  int desc, ok;
  for (i = 0; i < n; i++) {
    double u = urand();
    if (u < 0.05) x[i] = NAN;
    else if (u < 0.10) x[i] = 0.0;
    else if (u < 0.15) x[i] = -0.0;
    else if (u < 0.40) x[i] = floor(urand() * 20) - 10;  /* heavy ties */
    else if (u < 0.42) x[i] = (u < 0.41) ? INFINITY : -INFINITY;
    else x[i] = (urand() - 0.5) * pow(10, urand() * 40 - 20);
  }
  for (desc = 0; desc <= 1; desc++) {
    CHECK_EQ_INT(cni_argsort(x, n, desc, idx, NULL), CNI_OK);
    ok = 1;
    for (i = 1; i < n; i++) {
      double a = x[idx[i - 1]], b = x[idx[i]];
      if (isnan(a)) { if (!isnan(b) || idx[i] < idx[i - 1]) ok = 0; continue; }
      if (isnan(b)) continue;
      if (desc ? a < b : a > b) ok = 0;
      if (a == b && idx[i] < idx[i - 1]) ok = 0;  /* stable */
    }
    { /* permutation */
      unsigned char *seen = (unsigned char *)calloc(n, 1);
      for (i = 0; i < n; i++) { if (idx[i] >= n || seen[idx[i]]) ok = 0; else seen[idx[i]] = 1; }
      free(seen);
    }
    if (!ok) fprintf(stderr, "argsort n=%zu desc=%d failed\n", n, desc);
    CHECK(ok);
  }
  { /* sort_values agrees with the argsort */
    double *s = (double *)malloc(n * sizeof *s);
    size_t nv;
    CHECK_EQ_INT(cni_sort_values(x, n, s, &nv, NULL), CNI_OK);
    cni_argsort(x, n, 0, idx, NULL);
    ok = 1;
    for (i = 0; i < nv; i++) if (s[i] != x[idx[i]] || isnan(s[i])) ok = 0;
    for (i = nv; i < n; i++) if (!isnan(x[idx[i]])) ok = 0;
    CHECK(ok);
    free(s);
  }
  free(x);
  free(idx);
}

static void check_analytic(void) {
  size_t i, n;
  double o[8], r[8];
  cni_err e;
  /* known normal quantiles */
  CHECK_NEAR(cni_qnorm(0.975), 1.959963984540054, 1e-15);
  CHECK_NEAR(cni_qnorm(0.025), -1.959963984540054, 1e-15);
  CHECK_NEAR(cni_qnorm(0.95), 1.6448536269514722, 1e-15);
  CHECK_NEAR(cni_qnorm(0.84134474606854293), 1.0, 1e-14);
  CHECK(cni_qnorm(0.5) == 0.0);
  CHECK(isinf(cni_qnorm(0.0)) && cni_qnorm(0.0) < 0);
  CHECK(isinf(cni_qnorm(1.0)) && cni_qnorm(1.0) > 0);
  CHECK(isnan(cni_qnorm(-0.1)) && isnan(cni_qnorm(1.1)) && isnan(cni_qnorm(NAN)));
  CHECK(cni_pnorm(0.0) == 0.5);
  CHECK_NEAR(cni_pnorm(1.959963984540054), 0.975, 1e-15);
  CHECK(cni_pnorm(-INFINITY) == 0.0 && cni_pnorm(INFINITY) == 1.0 && isnan(cni_pnorm(NAN)));
  /* round trips pnorm(qnorm(p)) = p */
  {
    int ok = 1;
    for (i = 1; i < 2000; i++) {
      double p = (double)i / 2000.0, z = cni_qnorm(p);
      if (fabs(cni_pnorm(z) - p) > 1e-14 * p) ok = 0;
      if (fabs(cni_qnorm(cni_pnorm(z)) - z) > 1e-13 * (fabs(z) > 1 ? fabs(z) : 1)) ok = 0;
    }
    for (i = 1; i <= 300; i++) { /* tails */
      double p = pow(10, -(double)i), z = cni_qnorm(p);
      if (fabs(cni_pnorm(z) - p) > 2e-12 * p) ok = 0; /* cond. ~ z^2 */
    }
    CHECK(ok);
  }
  /* exponential transform */
  {
    double rk1 = 1, X, Pgt50, frac;
    size_t N = 100000, cnt = 0;
    double *rr = (double *)malloc(N * sizeof *rr), *xx = (double *)malloc(N * sizeof *xx);
    double mean = 0;
    CHECK_EQ_INT(cni_exp_transform(&rk1, 1, 32844, 23, 100, &X, NULL), CNI_OK);
    CHECK(X == 100.0);
    for (i = 0; i < N; i++) rr[i] = (double)(i + 1);
    cni_exp_transform(rr, N, (double)N, 23, 100, xx, NULL);
    CHECK(xx[0] == 100.0);
    CHECK_NEAR(xx[N - 1], -23 * log(1 - (1 - exp(-100.0 / 23)) / (double)N), 1e-12);
    CHECK_NEAR(xx[N - 1] * (double)N, 22.7, 0.01);
    for (i = 0; i < N; i++) { if (xx[i] > 50) cnt++; mean += xx[i]; }
    mean /= (double)N;
    Pgt50 = 1 - (1 - exp(-50.0 / 23)) / (1 - exp(-100.0 / 23));
    frac = (double)cnt / (double)N;
    CHECK(fabs(frac - Pgt50) <= 1.0 / (double)N);
    CHECK_NEAR(Pgt50, 0.1021, 1e-3);
    CHECK_NEAR(mean, 21.69, 1e-3);
    CHECK_NEAR(xx[N / 2 - 1], 15.65, 1e-3);   /* median */
    for (i = 1; i < N; i++) if (!(xx[i] < xx[i - 1])) break;
    CHECK(i == N);                             /* strictly decreasing in rank */
    rk1 = 0.5; CHECK_EQ_INT(cni_exp_transform(&rk1, 1, 10, 23, 100, &X, NULL), CNI_OK); CHECK(isnan(X));
    CHECK_EQ_INT(cni_exp_transform(rr, 1, 10, 0, 100, &X, NULL), CNI_EARG);
    free(rr); free(xx);
  }
  /* -0.0 ties with +0.0 */
  {
    double z[3] = {0.0, -0.0, 0.0};
    CHECK_EQ_INT(cni_rank(z, 3, 0, CNI_TIES_AVERAGE, o, NULL, NULL), CNI_OK);
    CHECK(o[0] == 2 && o[1] == 2 && o[2] == 2);
    CHECK_EQ_INT(cni_rank(z, 3, 1, CNI_TIES_FIRST, o, NULL, NULL), CNI_OK);
    CHECK(o[0] == 1 && o[1] == 2 && o[2] == 3);
  }
  /* all missing */
  {
    double m[4] = {NAN, NAN, NAN, NAN};
    size_t nv = 99;
    CHECK_EQ_INT(cni_rank(m, 4, 0, CNI_TIES_AVERAGE, o, &nv, NULL), CNI_OK);
    CHECK_EQ_INT(nv, 0);
    CHECK(isnan(o[0]) && isnan(o[3]));
    CHECK_EQ_INT(cni_quantile(m, 4, (const double[]){0.5}, 1, 7, o, NULL), CNI_OK);
    CHECK(isnan(o[0]));
    CHECK_EQ_INT(cni_zscore(m, 4, 1, o, NULL), CNI_OK);
    CHECK(isnan(o[0]));
  }
  /* constant long column through the radix path (no pass executed) */
  {
    size_t nc = 1000;
    double *c = (double *)malloc(nc * sizeof *c), *rc_ = (double *)malloc(nc * sizeof *rc_);
    int ok = 1;
    for (i = 0; i < nc; i++) c[i] = 3.0;
    cni_rank(c, nc, 1, CNI_TIES_FIRST, rc_, NULL, NULL);
    for (i = 0; i < nc; i++) if (rc_[i] != (double)(i + 1)) ok = 0;
    cni_rank(c, nc, 0, CNI_TIES_AVERAGE, rc_, NULL, NULL);
    for (i = 0; i < nc; i++) if (rc_[i] != 500.5) ok = 0;
    c[10] = NAN;
    cni_rank(c, nc, 0, CNI_TIES_FIRST, rc_, NULL, NULL);
    if (!isnan(rc_[10]) || rc_[11] != 11 || rc_[nc - 1] != (double)(nc - 1)) ok = 0;
    CHECK(ok);
    free(c); free(rc_);
  }
  /* wntile with equal weights = benchmark decile ceil(10 rank / N) */
  {
    size_t nn = 7433;
    double *x = (double *)malloc(nn * sizeof *x), *w = (double *)malloc(nn * sizeof *w);
    double *g = (double *)malloc(nn * sizeof *g), *rk = (double *)malloc(nn * sizeof *rk);
    int ok = 1;
    for (i = 0; i < nn; i++) { x[i] = floor(urand() * 500); w[i] = 1; }
    cni_wntile(x, w, nn, 10, 1, g, NULL);
    cni_rank(x, nn, 1, CNI_TIES_FIRST, rk, NULL, NULL);
    for (i = 0; i < nn; i++) if (g[i] != ceil(10 * rk[i] / (double)nn)) ok = 0;
    CHECK(ok);
    free(x); free(w); free(g); free(rk);
  }
  /* ntile with k > n; k < 1 */
  {
    double x3[3] = {3, 1, 2};
    CHECK_EQ_INT(cni_ntile(x3, 3, 5, 0, o, NULL), CNI_OK);
    CHECK(o[0] == 3 && o[1] == 1 && o[2] == 2);
    CHECK_EQ_INT(cni_ntile(x3, 3, 0, 0, o, NULL), CNI_EARG);
  }
  /* log_ex invalid count */
  {
    double lx[5] = {1, 0, -1, NAN, 2};
    size_t bad = 0;
    CHECK_EQ_INT(cni_log_ex(lx, 5, 0, o, &bad, NULL), CNI_OK);
    CHECK_EQ_INT(bad, 2);
    CHECK_EQ_INT(cni_log_ex(lx, 5, 1, o, &bad, NULL), CNI_OK);
    CHECK_EQ_INT(bad, 1);
    CHECK(o[1] == 0.0 && isnan(o[2]) && isnan(o[3]));
  }
  /* argument errors */
  {
    double xx[4] = {1, 2, 3, 4}, p = 1.5, w[4] = {1, -1, 1, 1};
    cni_err_clear(&e);
    CHECK_EQ_INT(cni_quantile(xx, 4, &p, 1, 7, o, &e), CNI_EARG);
    CHECK_HAS_STR(e.msg, "outside");
    p = 0.5;
    CHECK_EQ_INT(cni_quantile(xx, 4, &p, 1, 10, o, NULL), CNI_EARG);
    CHECK_EQ_INT(cni_quantile(xx, 4, &p, 1, 0, o, NULL), CNI_EARG);
    CHECK_EQ_INT(cni_wquantile(xx, w, 4, &p, 1, o, NULL), CNI_EARG);
    CHECK_EQ_INT(cni_wntile(xx, w, 4, 4, 0, o, NULL), CNI_EARG);
    CHECK_EQ_INT(cni_distance_to_ref(xx, 4, 0, 0, o, NULL), CNI_EARG);
    CHECK_EQ_INT(cni_winsorise_q(xx, 4, 0.9, 0.1, o, NULL), CNI_EARG);
    CHECK_EQ_INT(cni_winsorise_sd(xx, 4, -1, o, NULL), CNI_EARG);
    CHECK_EQ_INT(cni_rank(xx, 4, 0, (cni_ties)9, o, NULL, NULL), CNI_EARG);
    CHECK_EQ_INT(cni_combine(NULL, 0, 4, NULL, CNI_COMB_WSUM, 0, CNI_NA_SKIP, o, NULL), CNI_EARG);
    CHECK_EQ_INT(cni_normal_scores(xx, 4, (cni_nscore)7, o, NULL), CNI_EARG);
  }
  /* n = 0 everywhere is a no-op */
  {
    CHECK_EQ_INT(cni_argsort(NULL, 0, 0, NULL, NULL), CNI_OK);
    CHECK_EQ_INT(cni_rank(NULL, 0, 0, CNI_TIES_AVERAGE, NULL, NULL, NULL), CNI_OK);
    CHECK_EQ_INT(cni_zscore(NULL, 0, 1, NULL, NULL), CNI_OK);
  }
  /* combine: x <= 0 in geometric mean gives NaN even when skipping */
  {
    double a[2] = {1, 4}, b[2] = {0, 4}, c[2] = {NAN, 4};
    const double *cc[3] = {a, b, c};
    CHECK_EQ_INT(cni_combine(cc, 3, 2, NULL, CNI_COMB_GEOMEAN, 0, CNI_NA_SKIP, r, NULL), CNI_OK);
    CHECK(isnan(r[0]));
    CHECK_NEAR(r[1], 4.0, 1e-15);
  }
  /* argsort properties on both paths (insertion < 64 <= radix) */
  for (n = 1; n < 70; n += 7) check_argsort_props(n);
  check_argsort_props(1000);
  check_argsort_props(100003);
  { /* reused scratch (as in rank_many): the span hint right, wrong, and
    ** right again; results equal the plain calls, which are checked
    ** against the reference above */
    size_t N = 150000, j;
    static const int seq[] = {0, 0, 3, 3, 1, 0, 4, 4, 6, 0};
    double *x = (double *)malloc(N * sizeof *x), *o1 = (double *)malloc(N * sizeof *o1);
    double *o2 = (double *)malloc(N * sizeof *o2);
    cni_scratch ws = {NULL, 0, 0};
    int ok = 1;
    for (j = 0; j < sizeof seq / sizeof seq[0]; j++) {
      int desc = (int)(j & 1), t;
      for (i = 0; i < N; i++) x[i] = ref_dist(seq[j], i, N);
      for (t = 0; t <= (int)CNI_TIES_DENSE; t++) {
        cni_rank(x, N, desc, (cni_ties)t, o1, NULL, NULL);
        cni_rank_ws(x, N, desc, (cni_ties)t, NULL, 0, o2, NULL, &ws, NULL);
        for (i = 0; i < N; i++) if (!(o1[i] == o2[i] || (isnan(o1[i]) && isnan(o2[i])))) ok = 0;
      }
      cni_normal_scores_tab(x, N, CNI_NS_RANKIT, NULL, 0, o1, NULL);
      cni_normal_scores_ws(x, N, CNI_NS_RANKIT, NULL, 0, o2, &ws, NULL);
      for (i = 0; i < N; i++) if (!(o1[i] == o2[i] || (isnan(o1[i]) && isnan(o2[i])))) ok = 0;
      if (!ok) { fprintf(stderr, "scratch reuse: step %zu (dist %d) differs\n", j, seq[j]); break; }
    }
    CHECK(ok);
    cni_scratch_free(&ws);
    free(x); free(o1); free(o2);
  }
  { /* buckets sorted on 2 and 3 threads: the same ranks as on one */
    size_t N = 300000, j;
    double *x = (double *)malloc(N * sizeof *x), *o1 = (double *)malloc(N * sizeof *o1);
    double *o2 = (double *)malloc(N * sizeof *o2);
    int ok = 1, dist, t, th;
    for (dist = 0; dist <= 6; dist++) {
      for (i = 0; i < N; i++) x[i] = ref_dist(dist, i, N);
      for (t = 0; t <= (int)CNI_TIES_DENSE; t++)
        for (th = 2; th <= 3; th++) {
          cni_rank(x, N, dist & 1, (cni_ties)t, o1, NULL, NULL);
          CHECK_EQ_INT(cni_rank_mt(x, N, dist & 1, (cni_ties)t, NULL, 0, o2, &j, th, NULL), CNI_OK);
          for (i = 0; i < N; i++) if (!(o1[i] == o2[i] || (isnan(o1[i]) && isnan(o2[i])))) ok = 0;
          if (!ok) { fprintf(stderr, "rank_mt: dist %d ties %d threads %d differ\n", dist, t, th); break; }
        }
    }
    CHECK(ok);
    free(x); free(o1); free(o2);
  }
  { /* every sorting path (see check_rank_ref), all distributions */
    static const size_t sizes[] = {63, 64, 65, 100, 1000, 5000, 65536, 65537, 250000};
    int dist;
    for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
      for (dist = 0; dist <= 6; dist++) check_rank_ref(sizes[i], dist);
  }
}

int main(int argc, char **argv) {
  static const char *const vecs[] = {"ties", "nan", "n0", "n1", "n2", "const",
                                     "neglarge", "inf", "rnd"};
  size_t i;
  const char *dir = argc > 1 ? argv[1] : "tests/fixtures/r";
  for (i = 0; i < sizeof vecs / sizeof vecs[0]; i++) check_vector(dir, vecs[i]);
  check_big(dir);
  check_quantiles(dir);
  check_norm(dir);
  check_combine(dir);
  check_analytic();
  return CHECK_DONE();
}
