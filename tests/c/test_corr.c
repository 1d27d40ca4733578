/*
** test_corr.c: unit tests of src/cni_corr.c against R references
** (tests/r/group_corr_ref.R writes tests/fixtures/r/gc_*.csv).
** Usage: test_corr FIXTURE_DIR
** Tolerances: 1e-12 relative everywhere (CHECK_NEAR semantics), counts
** exact. Eigenvalues: 1e-12 relative to the largest |eigenvalue|;
** eigenvectors: 1e-12 absolute, up to sign (observed 2e-14); PCA after
** varimax: 1e-12 (observed < 1e-13, although C and R use different varimax
** iterations, both converged to the same optimum).
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "cni.h"
#include "cni_corr.h"


#include "fixture.h"

typedef int (*corr_fn)(const double *, const double *, size_t, double *, size_t *,
                       cni_err *);

static void test_cases(const char *dir) {
  tbl t, r;
  double *cs, *x, *y;
  if (!tbl_read(&t, dir, "gc_corr_cases.csv") || !tbl_read(&r, dir, "gc_corr_cases_ref.csv")) {
    CHECK(0);
    return;
  }
  cs = tbl_num(&t, "case");
  x = tbl_num(&t, "x");
  y = tbl_num(&t, "y");
  {
    double *rc = tbl_num(&r, "case"), *nu = tbl_num(&r, "n_used");
    double *ref[3];
    static const char *names[3] = {"pearson", "spearman", "kendall"};
    corr_fn fns[3] = {cni_pearson, cni_spearman, cni_kendall_tau_b};
    ref[0] = tbl_num(&r, "pearson");
    ref[1] = tbl_num(&r, "spearman");
    ref[2] = tbl_num(&r, "kendall");
    for (size_t c = 0; c < r.nrow; c++) {
      /* the rows of this case are contiguous in the input */
      size_t lo = 0, m = 0;
      while (lo < t.nrow && cs[lo] != rc[c]) lo++;
      while (lo + m < t.nrow && cs[lo + m] == rc[c]) m++;
      for (int f = 0; f < 3; f++) {
        double v = -7;
        size_t used = 99;
        cni_err err;
        int st = fns[f](m ? x + lo : NULL, m ? y + lo : NULL, m, &v, &used, &err);
        CHECK_EQ_INT(st, CNI_OK);
        CHECK_EQ_INT(used, nu[c]);
        if (!((isnan(v) && isnan(ref[f][c])) ||
              fabs(v - ref[f][c]) <= 1e-12 * (fabs(ref[f][c]) > 1 ? fabs(ref[f][c]) : 1))) {
          fprintf(stderr, "case %g %s: %.17g vs R %.17g\n", rc[c], names[f], v, ref[f][c]);
          CHECK(0);
        } else CHECK(1);
      }
    }
    free(rc); free(nu); free(ref[0]); free(ref[1]); free(ref[2]);
  }
  free(cs); free(x); free(y);
  tbl_done(&t);
  tbl_done(&r);
}

static void test_big(const char *dir) {
  tbl t, r;
  double *col[3], *a, *b, *nu, *ref[3];
  corr_fn fns[3] = {cni_pearson, cni_spearman, cni_kendall_tau_b};
  if (!tbl_read(&t, dir, "gc_corr_big.csv") || !tbl_read(&r, dir, "gc_corr_big_ref.csv")) {
    CHECK(0);
    return;
  }
  col[0] = tbl_num(&t, "x");
  col[1] = tbl_num(&t, "y");
  col[2] = tbl_num(&t, "t");
  a = tbl_num(&r, "a");
  b = tbl_num(&r, "b");
  nu = tbl_num(&r, "n_used");
  ref[0] = tbl_num(&r, "pearson");
  ref[1] = tbl_num(&r, "spearman");
  ref[2] = tbl_num(&r, "kendall");
  for (size_t p = 0; p < r.nrow; p++) {
    for (int f = 0; f < 3; f++) {
      double v;
      size_t used;
      cni_err err;
      CHECK_EQ_INT(fns[f](col[(int)a[p] - 1], col[(int)b[p] - 1], t.nrow, &v, &used, &err),
                   CNI_OK);
      CHECK_EQ_INT(used, nu[p]);
      CHECK_NEAR(v, ref[f][p], 1e-12);
    }
  }
  for (int i = 0; i < 3; i++) { free(col[i]); free(ref[i]); }
  free(a); free(b); free(nu);
  tbl_done(&t);
  tbl_done(&r);
}

static void test_matrix(const char *dir) {
  tbl t, r;
  double *col[6], *meth, *use, *ri, *rj, *val;
  const double *cp[6];
  char nm[24];
  double out[36];
  cni_err err;
  if (!tbl_read(&t, dir, "gc_corr_mat_in.csv") || !tbl_read(&r, dir, "gc_corr_mat_ref.csv")) {
    CHECK(0);
    return;
  }
  for (int i = 0; i < 6; i++) {
    snprintf(nm, sizeof nm, "c%d", i + 1);
    col[i] = tbl_num(&t, nm);
    cp[i] = col[i];
  }
  meth = tbl_num(&r, "method");
  use = tbl_num(&r, "use");
  ri = tbl_num(&r, "i");
  rj = tbl_num(&r, "j");
  val = tbl_num(&r, "value");
  for (int m = 0; m < 3; m++) {
    size_t bad = 0;
    /* pairwise complete, all 6 columns */
    CHECK_EQ_INT(cni_corr_matrix(cp, 6, t.nrow, m, out, &err), CNI_OK);
    for (size_t q = 0; q < r.nrow; q++) {
      double o;
      if ((int)meth[q] != m || use[q] != 0) continue;
      o = out[((size_t)ri[q] - 1) * 6 + (size_t)rj[q] - 1];
      if (!((isnan(o) && isnan(val[q])) || fabs(o - val[q]) <= 1e-12)) {
        fprintf(stderr, "matrix m=%d (%g,%g): %.17g vs R %.17g\n", m, ri[q], rj[q], o, val[q]);
        bad++;
      }
    }
    CHECK(bad == 0);
    /* complete.obs on c1 c2 c3 c5: drop incomplete rows, then compute */
    {
      static const int sel[4] = {0, 1, 2, 4};
      double *sub[4];
      const double *sp[4];
      size_t nn = 0;
      for (int s = 0; s < 4; s++) sub[s] = malloc(t.nrow * sizeof **sub);
      for (size_t i = 0; i < t.nrow; i++) {
        int ok = 1;
        for (int s = 0; s < 4; s++) if (isnan(col[sel[s]][i])) ok = 0;
        if (!ok) continue;
        for (int s = 0; s < 4; s++) sub[s][nn] = col[sel[s]][i];
        nn++;
      }
      for (int s = 0; s < 4; s++) sp[s] = sub[s];
      CHECK_EQ_INT(cni_corr_matrix(sp, 4, nn, m, out, &err), CNI_OK);
      bad = 0;
      for (size_t q = 0; q < r.nrow; q++) {
        double o;
        if ((int)meth[q] != m || use[q] != 1) continue;
        o = out[((size_t)ri[q] - 1) * 4 + (size_t)rj[q] - 1];
        if (!(fabs(o - val[q]) <= 1e-12)) {
          fprintf(stderr, "complete m=%d (%g,%g): %.17g vs R %.17g\n", m, ri[q], rj[q], o, val[q]);
          bad++;
        }
      }
      CHECK(bad == 0);
      for (int s = 0; s < 4; s++) free(sub[s]);
    }
  }
  CHECK_EQ_INT(cni_corr_matrix(cp, 6, t.nrow, 3, out, &err), CNI_EARG);
  CHECK_EQ_INT(cni_corr_matrix(cp, 0, t.nrow, 0, NULL, &err), CNI_OK);
  for (int i = 0; i < 6; i++) free(col[i]);
  free(meth); free(use); free(ri); free(rj); free(val);
  tbl_done(&t);
  tbl_done(&r);
}

static void test_alpha(const char *dir) {
  tbl t, r;
  double *col[10];
  char nm[24];
  cni_err err;
  double *alpha;
  size_t jc;
  if (!tbl_read(&t, dir, "gc_alpha_in.csv") || !tbl_read(&r, dir, "gc_alpha_ref.csv")) {
    CHECK(0);
    return;
  }
  for (int i = 0; i < 10; i++) {
    snprintf(nm, sizeof nm, "a%d", i + 1);
    col[i] = tbl_num(&t, nm);
  }
  alpha = tbl_num(&r, "alpha");
  jc = tbl_col(&r, "cols");
  for (size_t c = 0; c < r.nrow; c++) {
    const double *cp[10];
    size_t k = 0;
    const char *s = r.cell[c * r.ncol + jc];
    char *end;
    double a = -9;
    for (;;) {
      long v = strtol(s, &end, 10);
      if (end == s) break;
      cp[k++] = col[v - 1];
      s = end;
    }
    CHECK_EQ_INT(cni_cronbach_alpha(cp, k, t.nrow, &a, &err), CNI_OK);
    CHECK_NEAR(a, alpha[c], 1e-12);
  }
  {
    const double *one[1] = {col[0]};
    double a;
    CHECK_EQ_INT(cni_cronbach_alpha(one, 1, t.nrow, &a, &err), CNI_EARG);
    CHECK_EQ_INT(cni_cronbach_alpha((const double *const *)col, 2, 0, &a, &err), CNI_OK);
    CHECK(isnan(a));
  }
  for (int i = 0; i < 10; i++) free(col[i]);
  free(alpha);
  tbl_done(&t);
  tbl_done(&r);
}

/* Reads a k x k matrix file (columns V1..Vk) into row-major m. */
static int read_matrix(const char *dir, const char *file, size_t k, double *m) {
  tbl t;
  char nm[24];
  if (!tbl_read(&t, dir, file) || t.nrow != k || t.ncol != k) { tbl_done(&t); return 0; }
  for (size_t j = 0; j < k; j++) {
    double *c;
    snprintf(nm, sizeof nm, "V%zu", j + 1);
    c = tbl_num(&t, nm);
    for (size_t i = 0; i < k; i++) m[i * k + j] = c[i];
    free(c);
  }
  tbl_done(&t);
  return 1;
}

/* max |column j of a - s * column j of b| for the better sign s */
static double col_diff_upto_sign(const double *a, const double *b, size_t k, size_t j,
                                 size_t ld) {
  double dp = 0, dm = 0;
  for (size_t i = 0; i < k; i++) {
    double p = fabs(a[i * ld + j] - b[i * ld + j]), q = fabs(a[i * ld + j] + b[i * ld + j]);
    if (p > dp) dp = p;
    if (q > dm) dm = q;
  }
  return dp < dm ? dp : dm;
}

static void test_eigen(const char *dir) {
  tbl cs;
  size_t jn, jk, jv;
  if (!tbl_read(&cs, dir, "gc_eig_cases.csv")) { CHECK(0); return; }
  jn = tbl_col(&cs, "name");
  jk = tbl_col(&cs, "k");
  jv = tbl_col(&cs, "vectors");
  for (size_t c = 0; c < cs.nrow; c++) {
    const char *name = cs.cell[c * cs.ncol + jn];
    size_t k = (size_t)atol(cs.cell[c * cs.ncol + jk]);
    int vec = atoi(cs.cell[c * cs.ncol + jv]);
    char f[256];
    double *A = malloc(k * k * sizeof *A), *V = malloc(k * k * sizeof *V);
    double *RV = malloc(k * k * sizeof *RV), *val = malloc(k * sizeof *val);
    double *rval, scale = 0, worst = 0, resid = 0, orth = 0;
    tbl tv;
    cni_err err;
    int signs_ok = 1;
    snprintf(f, sizeof f, "gc_eig_%s_A.csv", name);
    CHECK(read_matrix(dir, f, k, A));
    snprintf(f, sizeof f, "gc_eig_%s_vec.csv", name);
    CHECK(read_matrix(dir, f, k, RV));
    snprintf(f, sizeof f, "gc_eig_%s_val.csv", name);
    CHECK(tbl_read(&tv, dir, f));
    rval = tbl_num(&tv, "value");
    CHECK_EQ_INT(cni_eigen_sym(A, k, val, V, &err), CNI_OK);
    for (size_t j = 0; j < k; j++) if (fabs(rval[j]) > scale) scale = fabs(rval[j]);
    for (size_t j = 0; j < k; j++) {
      /* eigenvalues: 1e-12 relative to the largest |eigenvalue| */
      if (fabs(val[j] - rval[j]) > 1e-12 * (scale > 1 ? scale : 1)) {
        fprintf(stderr, "eigen %s value %zu: %.17g vs R %.17g\n", name, j, val[j], rval[j]);
        CHECK(0);
      } else CHECK(1);
      if (vec) {
        double d = col_diff_upto_sign(V, RV, k, j, k);
        if (d > worst) worst = d;
      }
      /* own checks: sign convention, residual, orthonormality */
      {
        size_t imax = 0;
        for (size_t i = 0; i < k; i++) if (fabs(V[i * k + j]) > fabs(V[imax * k + j])) imax = i;
        if (V[imax * k + j] < 0) signs_ok = 0;
        for (size_t i = 0; i < k; i++) {
          double s = 0;
          for (size_t q = 0; q < k; q++) s += A[i * k + q] * V[q * k + j];
          s -= val[j] * V[i * k + j];
          if (fabs(s) > resid) resid = fabs(s);
        }
        for (size_t l = 0; l < k; l++) {
          double s = 0;
          for (size_t i = 0; i < k; i++) s += V[i * k + j] * V[i * k + l];
          s -= (l == j);
          if (fabs(s) > orth) orth = fabs(s);
        }
      }
    }
    if (worst > 1e-12) fprintf(stderr, "eigen %s: vectors differ by %g\n", name, worst);
    CHECK(worst <= 1e-12);
    CHECK(signs_ok);
    CHECK(resid <= 1e-13 * (scale > 1 ? scale : 1));
    CHECK(orth <= 1e-14);
    free(A); free(V); free(RV); free(val); free(rval);
    tbl_done(&tv);
  }
  tbl_done(&cs);
  {
    double a[4] = {1, NAN, NAN, 1}, v[2], e[4];
    cni_err err;
    a[1] = 7; /* upper triangle is not read */
    a[2] = 0;
    CHECK_EQ_INT(cni_eigen_sym(a, 2, v, e, &err), CNI_OK);
    CHECK_NEAR(v[0], 1, 0);
    a[2] = INFINITY;
    CHECK_EQ_INT(cni_eigen_sym(a, 2, v, e, &err), CNI_EARG);
    CHECK_EQ_INT(cni_eigen_sym(NULL, 0, NULL, NULL, &err), CNI_OK);
  }
}

static void test_pca(const char *dir) {
  tbl cs;
  size_t jn, jk, jm;
  if (!tbl_read(&cs, dir, "gc_pca_cases.csv")) { CHECK(0); return; }
  jn = tbl_col(&cs, "name");
  jk = tbl_col(&cs, "k");
  jm = tbl_col(&cs, "m");
  for (size_t c = 0; c < cs.nrow; c++) {
    const char *name = cs.cell[c * cs.ncol + jn];
    size_t k = (size_t)atol(cs.cell[c * cs.ncol + jk]);
    size_t mref = (size_t)atol(cs.cell[c * cs.ncol + jm]), m = 0;
    char f[256];
    double *C = malloc(k * k * sizeof *C), *L = malloc(k * k * sizeof *L);
    double *w = malloc(k * sizeof *w), *ex = malloc(k * sizeof *ex);
    double *rw, *rex, wsum = 0, dl = 0;
    tbl tr;
    cni_err err;
    snprintf(f, sizeof f, "gc_pca_%s_R.csv", name);
    CHECK(read_matrix(dir, f, k, C));
    snprintf(f, sizeof f, "gc_pca_%s_ref.csv", name);
    CHECK(tbl_read(&tr, dir, f));
    rw = tbl_num(&tr, "weight");
    rex = tbl_num(&tr, "explained");
    CHECK_EQ_INT(cni_pca_weights_ex(C, k, w, L, ex, &m, &err), CNI_OK);
    CHECK_EQ_INT(m, mref);
    for (size_t i = 0; i < k; i++) {
      CHECK_NEAR(w[i], rw[i], 1e-12);
      CHECK_NEAR(ex[i], rex[i], 1e-12);
      wsum += w[i];
    }
    CHECK_NEAR(wsum, 1.0, 1e-15);
    for (size_t j = 0; j < k; j++) {
      char nm[24];
      double *lc, d = 0;
      snprintf(nm, sizeof nm, "L%zu", j + 1);
      lc = tbl_num(&tr, nm);
      for (size_t i = 0; i < k; i++) {
        double e = fabs(L[i * k + j] - lc[i]);
        if (e > d) d = e;
      }
      if (d > dl) dl = d;
      free(lc);
    }
    if (dl > 1e-12) fprintf(stderr, "pca %s: loadings differ by %g\n", name, dl);
    CHECK(dl <= 1e-12);
    free(C); free(L); free(w); free(ex); free(rw); free(rex);
    tbl_done(&tr);
  }
  tbl_done(&cs);
  {
    cni_err err;
    double w[3];
    const double bad[4] = {1, 0, NAN, 1};
    CHECK_EQ_INT(cni_pca_weights(bad, 2, w, NULL, NULL, &err), CNI_EARG);
    CHECK_EQ_INT(cni_pca_weights(bad, 0, w, NULL, NULL, &err), CNI_EARG);
  }
}

static void test_eb(const char *dir) {
  tbl t, r;
  double *ev, *dn, *om, *wm, *ov, *wv, *np, *out, *w;
  size_t *par, nparent;
  cni_err err;
  if (!tbl_read(&t, dir, "gc_eb_in.csv") || !tbl_read(&r, dir, "gc_eb_ref.csv")) {
    CHECK(0);
    return;
  }
  ev = tbl_num(&t, "events");
  dn = tbl_num(&t, "denom");
  par = tbl_gid(&t, "parent");
  om = tbl_num(&r, "out_mom");
  wm = tbl_num(&r, "w_mom");
  ov = tbl_num(&r, "out_var");
  wv = tbl_num(&r, "w_var");
  np = tbl_num(&r, "nparent");
  nparent = (size_t)np[0];
  out = malloc(t.nrow * sizeof *out);
  w = malloc(t.nrow * sizeof *w);
  CHECK_EQ_INT(cni_eb_shrink(ev, dn, par, t.nrow, nparent, out, w, &err), CNI_OK);
  CHECK(mismatches("eb out (mom)", out, om, t.nrow, 1e-12) == 0);
  CHECK(mismatches("eb w (mom)", w, wm, t.nrow, 1e-12) == 0);
  CHECK_EQ_INT(cni_eb_shrink_ex(ev, dn, par, t.nrow, nparent, CNI_EB_TAU_VAR, out, NULL, &err),
               CNI_OK);
  CHECK(mismatches("eb out (var)", out, ov, t.nrow, 1e-12) == 0);
  CHECK_EQ_INT(cni_eb_shrink_ex(ev, dn, par, t.nrow, nparent, CNI_EB_TAU_VAR, out, w, &err),
               CNI_OK);
  CHECK(mismatches("eb w (var)", w, wv, t.nrow, 1e-12) == 0);
  {
    const double e1[] = {3, 5}, d1[] = {10, 4};
    const size_t p1[] = {0, 0};
    const double e2[] = {3}, d2[] = {10};
    double o[2];
    cni_err_clear(&err);
    CHECK_EQ_INT(cni_eb_shrink(e1, d1, p1, 2, 1, o, NULL, &err), CNI_EARG);
    CHECK_EQ_INT(err.row, 2);
    CHECK_EQ_INT(cni_eb_shrink(e1, d1, p1, 2, 0, o, NULL, &err), CNI_EARG);
    CHECK_EQ_INT(cni_eb_shrink(e2, d2, p1, 1, 1, o, o + 1, &err), CNI_OK);
    CHECK_NEAR(o[0], 0.3, 1e-15);    /* single area: its own pooled rate */
    CHECK_NEAR(o[1], 0.0, 0);        /* ... with weight 0 */
    CHECK_EQ_INT(cni_eb_shrink(NULL, NULL, NULL, 0, 0, NULL, NULL, &err), CNI_OK);
    CHECK_EQ_INT(cni_eb_shrink_ex(e2, d2, p1, 1, 1, (cni_eb_tau)5, o, NULL, &err), CNI_EARG);
  }
  free(ev); free(dn); free(par); free(om); free(wm); free(ov); free(wv); free(np);
  free(out); free(w);
  tbl_done(&t);
  tbl_done(&r);
}

static void test_hand(void) {
  cni_err err;
  double r;
  size_t m;
  const double x[] = {1, 2, 3, 4, 5}, y[] = {1, 3, 2, 5, 4};
  CHECK_EQ_INT(cni_kendall_tau_b(x, y, 5, &r, &m, &err), CNI_OK);
  CHECK_NEAR(r, 0.6, 1e-15);
  CHECK_EQ_INT(m, 5);
  CHECK_EQ_INT(cni_spearman(x, y, 5, &r, &m, &err), CNI_OK);
  CHECK_NEAR(r, 0.8, 1e-15);
  CHECK_EQ_INT(cni_pearson(x, y, 0, &r, NULL, &err), CNI_OK);
  CHECK(isnan(r));
  CHECK_EQ_INT(cni_pearson(NULL, y, 5, &r, &m, &err), CNI_EARG);
  CHECK_EQ_INT(cni_pearson(x, y, 5, NULL, &m, &err), CNI_EARG);
}

int main(int argc, char **argv) {
  const char *dir = argc > 1 ? argv[1] : "tests/fixtures/r";
  test_hand();
  test_cases(dir);
  test_big(dir);
  test_matrix(dir);
  test_alpha(dir);
  test_eigen(dir);
  test_pca(dir);
  test_eb(dir);
  return CHECK_DONE();
}
