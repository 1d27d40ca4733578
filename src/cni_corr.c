/*
** cni_corr.c: correlations, Cronbach's alpha, Jacobi eigendecomposition,
** PCA weights with varimax, empirical-Bayes shrinkage.
** Layer: core. See cni_corr.h for definitions and NaN policy.
**
** Sorting is done by the private stable merge sorts below (records sorted
** by value, ties kept in row order); nothing here depends on qsort or on
** cni_stats.c.
*/
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cni_corr.h"

#define GROUP_NONE ((size_t)-1)

/* {====== private stable merge sorts */

/* Value with its original position (for ranks). */
typedef struct vrec {
  double v;
  size_t i;
} vrec;

/* (x, y) pair (for Kendall). */
typedef struct xyrec {
  double x;
  double y;
} xyrec;

/* Bottom-up stable merge sort of vrec by v. */
static void vrec_sort(vrec *a, vrec *tmp, size_t n) {
  vrec *src = a, *dst = tmp;
  if (n < 2) return;
  for (size_t s = 0; s < n; s += 8) { /* insertion-sorted runs of 8 */
    size_t e = s + 8 < n ? s + 8 : n;
    for (size_t i = s + 1; i < e; i++) {
      vrec t = a[i];
      size_t j = i;
      while (j > s && t.v < a[j - 1].v) { a[j] = a[j - 1]; j--; }
      a[j] = t;
    }
  }
  for (size_t w = 8; w < n; w *= 2) {
    for (size_t lo = 0; lo < n; lo += 2 * w) {
      size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
      size_t i = lo, j = mid, o = lo;
      while (i < mid && j < hi) dst[o++] = (src[j].v < src[i].v) ? src[j++] : src[i++];
      while (i < mid) dst[o++] = src[i++];
      while (j < hi) dst[o++] = src[j++];
    }
    { vrec *t = src; src = dst; dst = t; }
  }
  if (src != a) memcpy(a, src, n * sizeof *a);
}

/* b strictly before a in (x, y) lexicographic order */
static int xy_less(const xyrec *b, const xyrec *a) {
  return b->x < a->x || (b->x == a->x && b->y < a->y);
}

/* Bottom-up stable merge sort of xyrec by (x, y). */
static void xy_sort(xyrec *a, xyrec *tmp, size_t n) {
  xyrec *src = a, *dst = tmp;
  if (n < 2) return;
  for (size_t s = 0; s < n; s += 8) {
    size_t e = s + 8 < n ? s + 8 : n;
    for (size_t i = s + 1; i < e; i++) {
      xyrec t = a[i];
      size_t j = i;
      while (j > s && xy_less(&t, &a[j - 1])) { a[j] = a[j - 1]; j--; }
      a[j] = t;
    }
  }
  for (size_t w = 8; w < n; w *= 2) {
    for (size_t lo = 0; lo < n; lo += 2 * w) {
      size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
      size_t i = lo, j = mid, o = lo;
      while (i < mid && j < hi)
        dst[o++] = xy_less(&src[j], &src[i]) ? src[j++] : src[i++];
      while (i < mid) dst[o++] = src[i++];
      while (j < hi) dst[o++] = src[j++];
    }
    { xyrec *t = src; src = dst; dst = t; }
  }
  if (src != a) memcpy(a, src, n * sizeof *a);
}

/*
** Stable merge sort of doubles returning the number of exchanges
** (pairs i < j with a[i] > a[j] strictly), as in Knight's algorithm.
*/
static uint64_t dbl_sort_count(double *a, double *tmp, size_t n) {
  double *src = a, *dst = tmp;
  uint64_t swaps = 0;
  if (n < 2) return 0;
  for (size_t s = 0; s < n; s += 8) { /* insertion sort counts shifts */
    size_t e = s + 8 < n ? s + 8 : n;
    for (size_t i = s + 1; i < e; i++) {
      double t = a[i];
      size_t j = i;
      while (j > s && t < a[j - 1]) { a[j] = a[j - 1]; j--; swaps++; }
      a[j] = t;
    }
  }
  for (size_t w = 8; w < n; w *= 2) {
    for (size_t lo = 0; lo < n; lo += 2 * w) {
      size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
      size_t i = lo, j = mid, o = lo;
      while (i < mid && j < hi) {
        if (src[j] < src[i]) { swaps += (uint64_t)(mid - i); dst[o++] = src[j++]; }
        else dst[o++] = src[i++];
      }
      while (i < mid) dst[o++] = src[i++];
      while (j < hi) dst[o++] = src[j++];
    }
    { double *t = src; src = dst; dst = t; }
  }
  if (src != a) memcpy(a, src, n * sizeof *a);
  return swaps;
}

/* }====== */

/* {====== correlation kernels on compacted complete data */

/* Mean of v[0..m-1] with one refinement pass (as R's cov.c). */
static double mean_refined(const double *v, size_t m) {
  double s = 0.0, mu, c = 0.0;
  for (size_t i = 0; i < m; i++) s += v[i];
  mu = s / (double)m;
  if (!isfinite(mu)) return mu;
  for (size_t i = 0; i < m; i++) c += v[i] - mu;
  return mu + c / (double)m;
}

/* Pearson r of complete data; NaN when undefined. */
static double pearson_core(const double *x, const double *y, size_t m) {
  double mx, my, ax = 0.0, ay = 0.0, sxx = 0.0, syy = 0.0, sxy = 0.0, r;
  if (m < 2) return NAN;
  for (size_t i = 0; i < m; i++)
    if (!isfinite(x[i]) || !isfinite(y[i])) return NAN;
  mx = mean_refined(x, m);
  my = mean_refined(y, m);
  for (size_t i = 0; i < m; i++) {
    double dx = fabs(x[i] - mx), dy = fabs(y[i] - my);
    if (dx > ax) ax = dx;
    if (dy > ay) ay = dy;
  }
  if (!(ax > 0.0) || !(ay > 0.0) || !isfinite(ax) || !isfinite(ay)) return NAN;
  for (size_t i = 0; i < m; i++) {
    double dx = (x[i] - mx) / ax, dy = (y[i] - my) / ay;
    sxx += dx * dx;
    syy += dy * dy;
    sxy += dx * dy;
  }
  r = sxy / (sqrt(sxx) * sqrt(syy));
  if (r > 1.0) r = 1.0;
  if (r < -1.0) r = -1.0;
  return r;
}

/* Average ranks (1-based; ties get the mean position) of v[0..m-1]. */
static int avg_ranks(const double *v, size_t m, double *rk, cni_err *err) {
  vrec *a, *tmp;
  if (m == 0) return CNI_OK;
  a = malloc(m * sizeof *a);
  tmp = malloc(m * sizeof *tmp);
  if (a == NULL || tmp == NULL) {
    free(a);
    free(tmp);
    return cni_err_set(err, CNI_ENOMEM, "rank: out of memory");
  }
  for (size_t i = 0; i < m; i++) { a[i].v = v[i]; a[i].i = i; }
  vrec_sort(a, tmp, m);
  for (size_t s = 0; s < m;) {
    size_t e = s + 1;
    double r;
    while (e < m && a[e].v == a[s].v) e++;
    r = ((double)(s + 1) + (double)e) / 2.0; /* positions s+1..e */
    for (size_t i = s; i < e; i++) rk[a[i].i] = r;
    s = e;
  }
  free(a);
  free(tmp);
  return CNI_OK;
}

/* Number of pairs inside runs of equal values: sum t(t-1)/2. */
static uint64_t tie_pairs_run(uint64_t t) {
  return t * (t - 1) / 2;
}

/* Kendall tau-b of complete data (Knight's algorithm). */
static int kendall_core(const double *x, const double *y, size_t m,
                        double *r_, cni_err *err) {
  xyrec *p, *tmp;
  double *ys;
  uint64_t n0, n1 = 0, n2 = 0, n3 = 0, swaps;
  int64_t s;
  if (m < 2) { *r_ = NAN; return CNI_OK; }
  p = malloc(m * sizeof *p);
  tmp = malloc(m * sizeof *tmp);
  if (p == NULL || tmp == NULL) {
    free(p);
    free(tmp);
    return cni_err_set(err, CNI_ENOMEM, "kendall: out of memory");
  }
  for (size_t i = 0; i < m; i++) { p[i].x = x[i]; p[i].y = y[i]; }
  xy_sort(p, tmp, m);
  /* runs of equal x (n1) and of equal (x, y) (n3) */
  for (size_t a = 0; a < m;) {
    size_t b = a + 1;
    while (b < m && p[b].x == p[a].x) b++;
    n1 += tie_pairs_run((uint64_t)(b - a));
    for (size_t c = a; c < b;) {
      size_t d = c + 1;
      while (d < b && p[d].y == p[c].y) d++;
      n3 += tie_pairs_run((uint64_t)(d - c));
      c = d;
    }
    a = b;
  }
  /* reuse the scratch: y in (x, y) order, then sort counting exchanges */
  ys = (double *)(void *)tmp; /* tmp has room for 2m doubles */
  for (size_t i = 0; i < m; i++) ys[i] = p[i].y;
  swaps = dbl_sort_count(ys, (double *)(void *)p, m);
  for (size_t a = 0; a < m;) {
    size_t b = a + 1;
    while (b < m && ys[b] == ys[a]) b++;
    n2 += tie_pairs_run((uint64_t)(b - a));
    a = b;
  }
  free(p);
  free(tmp);
  n0 = (uint64_t)m * ((uint64_t)m - 1) / 2;
  if (n1 == n0 || n2 == n0) { *r_ = NAN; return CNI_OK; }
  s = (int64_t)n0 - (int64_t)n1 - (int64_t)n2 + (int64_t)n3 - 2 * (int64_t)swaps;
  {
    double r = (double)s / (sqrt((double)(n0 - n1)) * sqrt((double)(n0 - n2)));
    if (r > 1.0) r = 1.0;
    if (r < -1.0) r = -1.0;
    *r_ = r;
  }
  return CNI_OK;
}

/* Copy the pairwise-complete rows of x, y into cx, cy; returns count. */
static size_t compact_pairs(const double *x, const double *y, size_t n,
                            double *cx, double *cy) {
  size_t m = 0;
  for (size_t i = 0; i < n; i++) {
    if (isnan(x[i]) || isnan(y[i])) continue;
    cx[m] = x[i];
    cy[m] = y[i];
    m++;
  }
  return m;
}

/* Shared driver: method 0/1/2 on pairwise-complete rows. */
static int corr_pair(const double *x, const double *y, size_t n, int method,
                     double *r_, size_t *n_used_, cni_err *err) {
  double *buf;
  size_t m;
  int rc = CNI_OK;
  if (r_ == NULL) return cni_err_set(err, CNI_EARG, "corr: r_ is NULL");
  if (n > 0 && (x == NULL || y == NULL))
    return cni_err_set(err, CNI_EARG, "corr: x or y is NULL");
  buf = malloc((n > 0 ? 4 * n : 1) * sizeof *buf);
  if (buf == NULL) return cni_err_set(err, CNI_ENOMEM, "corr: out of memory");
  m = compact_pairs(x, y, n, buf, buf + n);
  if (method == CNI_CORR_PEARSON) {
    *r_ = pearson_core(buf, buf + n, m);
  } else if (method == CNI_CORR_SPEARMAN) {
    if (m < 2) *r_ = NAN;
    else {
      rc = avg_ranks(buf, m, buf + 2 * n, err);
      if (rc == CNI_OK) rc = avg_ranks(buf + n, m, buf + 3 * n, err);
      if (rc == CNI_OK) *r_ = pearson_core(buf + 2 * n, buf + 3 * n, m);
    }
  } else {
    rc = kendall_core(buf, buf + n, m, r_, err);
  }
  free(buf);
  if (rc == CNI_OK && n_used_ != NULL) *n_used_ = m;
  return rc;
}

int cni_pearson(const double *x, const double *y, size_t n, double *r_,
                size_t *n_used_, cni_err *err) {
  return corr_pair(x, y, n, CNI_CORR_PEARSON, r_, n_used_, err);
}

int cni_spearman(const double *x, const double *y, size_t n, double *r_,
                 size_t *n_used_, cni_err *err) {
  return corr_pair(x, y, n, CNI_CORR_SPEARMAN, r_, n_used_, err);
}

int cni_kendall_tau_b(const double *x, const double *y, size_t n, double *r_,
                      size_t *n_used_, cni_err *err) {
  return corr_pair(x, y, n, CNI_CORR_KENDALL, r_, n_used_, err);
}

int cni_corr_matrix(const double *const *cols, size_t k, size_t n, int method,
                    double *out_, cni_err *err) {
  double **rk = NULL; /* full-column ranks of complete columns (Spearman) */
  int rc = CNI_OK;
  if (method != CNI_CORR_PEARSON && method != CNI_CORR_SPEARMAN &&
      method != CNI_CORR_KENDALL)
    return cni_err_set(err, CNI_EARG, "corr_matrix: unknown method %d", method);
  if (k == 0) return CNI_OK;
  if (cols == NULL || out_ == NULL)
    return cni_err_set(err, CNI_EARG, "corr_matrix: NULL argument");
  for (size_t i = 0; i < k; i++)
    if (n > 0 && cols[i] == NULL)
      return cni_err_set(err, CNI_EARG, "corr_matrix: column %zu is NULL", i + 1);
  if (method == CNI_CORR_SPEARMAN && n >= 2) {
    rk = calloc(k, sizeof *rk);
    if (rk == NULL) return cni_err_set(err, CNI_ENOMEM, "corr_matrix: out of memory");
    for (size_t i = 0; i < k && rc == CNI_OK; i++) {
      int complete = 1;
      for (size_t r = 0; r < n; r++) if (isnan(cols[i][r])) { complete = 0; break; }
      if (!complete) continue;
      rk[i] = malloc(n * sizeof **rk);
      if (rk[i] == NULL) rc = cni_err_set(err, CNI_ENOMEM, "corr_matrix: out of memory");
      else rc = avg_ranks(cols[i], n, rk[i], err);
    }
  }
  for (size_t i = 0; i < k && rc == CNI_OK; i++) {
    for (size_t j = i; j < k && rc == CNI_OK; j++) {
      double r;
      if (rk != NULL && rk[i] != NULL && rk[j] != NULL)
        r = pearson_core(rk[i], rk[j], n);
      else
        rc = corr_pair(cols[i], cols[j], n, method, &r, NULL, err);
      if (rc != CNI_OK) break;
      if (i == j && !isnan(r)) r = 1.0;
      out_[i * k + j] = r;
      out_[j * k + i] = r;
    }
  }
  if (rk != NULL) {
    for (size_t i = 0; i < k; i++) free(rk[i]);
    free(rk);
  }
  return rc;
}

/* }====== */

/* {====== Cronbach's alpha */

/* Sample variance (m-1) of v[0..m-1], two-pass with refined mean. */
static double var_two_pass(const double *v, size_t m) {
  double mu = mean_refined(v, m), s = 0.0;
  for (size_t i = 0; i < m; i++) s += (v[i] - mu) * (v[i] - mu);
  return s / (double)(m - 1);
}

int cni_cronbach_alpha(const double *const *cols, size_t k, size_t n,
                       double *alpha_, cni_err *err) {
  size_t *rows, m = 0;
  double *buf, *tot, sumvar = 0.0, vt;
  if (alpha_ == NULL) return cni_err_set(err, CNI_EARG, "cronbach: alpha_ is NULL");
  if (k < 2) return cni_err_set(err, CNI_EARG, "cronbach: need at least 2 columns (got %zu)", k);
  if (cols == NULL) return cni_err_set(err, CNI_EARG, "cronbach: cols is NULL");
  for (size_t q = 0; q < k; q++)
    if (n > 0 && cols[q] == NULL)
      return cni_err_set(err, CNI_EARG, "cronbach: column %zu is NULL", q + 1);
  rows = malloc((n > 0 ? n : 1) * sizeof *rows);
  buf = malloc((n > 0 ? 2 * n : 1) * sizeof *buf);
  if (rows == NULL || buf == NULL) {
    free(rows);
    free(buf);
    return cni_err_set(err, CNI_ENOMEM, "cronbach: out of memory");
  }
  for (size_t i = 0; i < n; i++) {
    int ok = 1;
    for (size_t q = 0; q < k; q++) if (isnan(cols[q][i])) { ok = 0; break; }
    if (ok) rows[m++] = i;
  }
  tot = buf + n;
  if (m < 2) { *alpha_ = NAN; goto done; }
  for (size_t i = 0; i < m; i++) tot[i] = 0.0;
  for (size_t q = 0; q < k; q++) {
    for (size_t i = 0; i < m; i++) {
      buf[i] = cols[q][rows[i]];
      tot[i] += buf[i];
    }
    sumvar += var_two_pass(buf, m);
  }
  vt = var_two_pass(tot, m);
  if (!isfinite(sumvar) || !isfinite(vt) || !(vt > 0.0)) *alpha_ = NAN;
  else *alpha_ = ((double)k / (double)(k - 1)) * (1.0 - sumvar / vt);
done:
  free(rows);
  free(buf);
  return CNI_OK;
}

/* }====== */

/* {====== symmetric eigenproblem (cyclic Jacobi) */

#define JACOBI_MAX_SWEEPS 100

int cni_eigen_sym(const double *a, size_t k, double *values_, double *vectors_,
                  cni_err *err) {
  double *A, *V, *d;
  size_t *ord;
  int converged = 0;
  if (k == 0) return CNI_OK;
  if (a == NULL || values_ == NULL || vectors_ == NULL)
    return cni_err_set(err, CNI_EARG, "eigen_sym: NULL argument");
  for (size_t i = 0; i < k; i++)
    for (size_t j = 0; j <= i; j++)
      if (!isfinite(a[i * k + j]))
        return cni_err_set(err, CNI_EARG, "eigen_sym: entry (%zu,%zu) is not finite",
                           i + 1, j + 1);
  A = malloc(k * k * sizeof *A);
  V = malloc(k * k * sizeof *V);
  d = malloc(k * sizeof *d);
  ord = malloc(k * sizeof *ord);
  if (A == NULL || V == NULL || d == NULL || ord == NULL) {
    free(A); free(V); free(d); free(ord);
    return cni_err_set(err, CNI_ENOMEM, "eigen_sym: out of memory");
  }
  for (size_t i = 0; i < k; i++)
    for (size_t j = 0; j <= i; j++) {
      A[i * k + j] = A[j * k + i] = a[i * k + j]; /* lower triangle */
      V[i * k + j] = V[j * k + i] = (i == j) ? 1.0 : 0.0;
    }

  for (int sweep = 0; sweep < JACOBI_MAX_SWEEPS; sweep++) {
    int nonzero = 0;
    for (size_t p = 0; p + 1 < k; p++) {
      for (size_t q = p + 1; q < k; q++) {
        double apq = A[p * k + q], app = A[p * k + p], aqq = A[q * k + q];
        double g, h, t, c, s, tau;
        if (apq == 0.0) continue;
        g = 100.0 * fabs(apq);
        /* negligible against both diagonal entries: set to zero */
        if (sweep > 3 && fabs(app) + g == fabs(app) && fabs(aqq) + g == fabs(aqq)) {
          A[p * k + q] = A[q * k + p] = 0.0;
          continue;
        }
        nonzero = 1;
        h = aqq - app;
        if (fabs(h) + g == fabs(h)) {
          t = apq / h; /* theta huge: t ~ 1/(2 theta) */
        } else {
          double theta = 0.5 * h / apq;
          t = 1.0 / (fabs(theta) + sqrt(1.0 + theta * theta));
          if (theta < 0.0) t = -t;
        }
        c = 1.0 / sqrt(1.0 + t * t);
        s = t * c;
        tau = s / (1.0 + c);
        A[p * k + p] = app - t * apq;
        A[q * k + q] = aqq + t * apq;
        A[p * k + q] = A[q * k + p] = 0.0;
        for (size_t r = 0; r < k; r++) {
          double arp, arq, vrp, vrq;
          if (r != p && r != q) {
            arp = A[r * k + p];
            arq = A[r * k + q];
            A[r * k + p] = A[p * k + r] = arp - s * (arq + tau * arp);
            A[r * k + q] = A[q * k + r] = arq + s * (arp - tau * arq);
          }
          vrp = V[r * k + p];
          vrq = V[r * k + q];
          V[r * k + p] = vrp - s * (vrq + tau * vrp);
          V[r * k + q] = vrq + s * (vrp - tau * vrq);
        }
      }
    }
    if (!nonzero) { converged = 1; break; }
  }
  if (!converged) {
    free(A); free(V); free(d); free(ord);
    return cni_err_set(err, CNI_ELIMIT, "eigen_sym: Jacobi did not converge in %d sweeps",
                       JACOBI_MAX_SWEEPS);
  }
  /* order by eigenvalue descending (stable insertion sort on indices) */
  for (size_t i = 0; i < k; i++) { d[i] = A[i * k + i]; ord[i] = i; }
  for (size_t i = 1; i < k; i++) {
    size_t t = ord[i], j = i;
    while (j > 0 && d[t] > d[ord[j - 1]]) { ord[j] = ord[j - 1]; j--; }
    ord[j] = t;
  }
  for (size_t j = 0; j < k; j++) {
    size_t c = ord[j], imax = 0;
    double big = -1.0, sg;
    values_[j] = d[c];
    for (size_t i = 0; i < k; i++)
      if (fabs(V[i * k + c]) > big) { big = fabs(V[i * k + c]); imax = i; }
    sg = V[imax * k + c] < 0.0 ? -1.0 : 1.0;
    for (size_t i = 0; i < k; i++) vectors_[i * k + j] = sg * V[i * k + c];
  }
  free(A); free(V); free(d); free(ord);
  return CNI_OK;
}

/* }====== */

/* {====== PCA weights with varimax */

#define VARIMAX_MAX_SWEEPS 1000

/*
** Varimax with Kaiser normalisation of the k x m block L (row-major with
** row stride ld), rotated in place by planar rotations of column pairs
** (j, l), j < l, in fixed order, each by the angle that maximises the
** varimax criterion of that pair (Kaiser 1958):
**   u = x^2 - y^2, v = 2xy, A = sum u, B = sum v, C = sum(u^2 - v^2),
**   D = 2 sum(u v), 4 phi = atan2(D - 2AB/k, C - (A^2 - B^2)/k).
** Sweeps stop when every |phi| <= 1e-15.
*/
static int varimax(double *L, size_t k, size_t m, size_t ld, cni_err *err) {
  double *h = malloc(k * sizeof *h);
  int sweep;
  if (h == NULL) return cni_err_set(err, CNI_ENOMEM, "varimax: out of memory");
  for (size_t i = 0; i < k; i++) {
    double s = 0.0;
    for (size_t j = 0; j < m; j++) s += L[i * ld + j] * L[i * ld + j];
    h[i] = sqrt(s);
    if (h[i] > 0.0)
      for (size_t j = 0; j < m; j++) L[i * ld + j] /= h[i];
  }
  for (sweep = 0; sweep < VARIMAX_MAX_SWEEPS; sweep++) {
    double maxphi = 0.0;
    for (size_t j = 0; j + 1 < m; j++) {
      for (size_t l = j + 1; l < m; l++) {
        double A = 0.0, B = 0.0, C = 0.0, D = 0.0, num, den, phi, c, s;
        for (size_t i = 0; i < k; i++) {
          double x = L[i * ld + j], y = L[i * ld + l];
          double u = x * x - y * y, v = 2.0 * x * y;
          A += u;
          B += v;
          C += u * u - v * v;
          D += 2.0 * u * v;
        }
        num = D - 2.0 * A * B / (double)k;
        den = C - (A * A - B * B) / (double)k;
        phi = 0.25 * atan2(num, den);
        if (fabs(phi) > maxphi) maxphi = fabs(phi);
        if (fabs(phi) <= 1e-15) continue;
        c = cos(phi);
        s = sin(phi);
        for (size_t i = 0; i < k; i++) {
          double x = L[i * ld + j], y = L[i * ld + l];
          L[i * ld + j] = x * c + y * s;
          L[i * ld + l] = -x * s + y * c;
        }
      }
    }
    if (maxphi <= 1e-15) break;
  }
  for (size_t i = 0; i < k; i++)
    if (h[i] > 0.0)
      for (size_t j = 0; j < m; j++) L[i * ld + j] *= h[i];
  free(h);
  if (sweep == VARIMAX_MAX_SWEEPS)
    return cni_err_set(err, CNI_ELIMIT, "varimax: no convergence in %d sweeps",
                       VARIMAX_MAX_SWEEPS);
  return CNI_OK;
}

int cni_pca_weights_ex(const double *corr, size_t k, double *weights_,
                       double *loadings_, double *explained_, size_t *nkept_,
                       cni_err *err) {
  double *val = NULL, *vec = NULL, *L = NULL, *ev = NULL, *tmp = NULL;
  size_t m = 0, *ord = NULL;
  double total = 0.0, wsum = 0.0;
  int rc;
  if (k == 0) return cni_err_set(err, CNI_EARG, "pca_weights: k is 0");
  if (corr == NULL || weights_ == NULL)
    return cni_err_set(err, CNI_EARG, "pca_weights: NULL argument");
  val = malloc(k * sizeof *val);
  vec = malloc(k * k * sizeof *vec);
  L = malloc(k * k * sizeof *L);
  ev = malloc(k * sizeof *ev);
  tmp = malloc(k * k * sizeof *tmp);
  ord = malloc(k * sizeof *ord);
  if (!val || !vec || !L || !ev || !tmp || !ord) {
    rc = cni_err_set(err, CNI_ENOMEM, "pca_weights: out of memory");
    goto done;
  }
  rc = cni_eigen_sym(corr, k, val, vec, err);
  if (rc != CNI_OK) goto done;
  for (size_t j = 0; j < k; j++) if (val[j] > 1.0) m++;
  if (m == 0) m = 1;
  if (!(val[0] > 0.0)) {
    rc = cni_err_set(err, CNI_EARG, "pca_weights: largest eigenvalue %g is not positive",
                     val[0]);
    goto done;
  }
  for (size_t i = 0; i < k; i++)
    for (size_t j = 0; j < k; j++)
      L[i * k + j] = val[j] > 0.0 ? sqrt(val[j]) * vec[i * k + j] : 0.0;
  if (m > 1) {
    rc = varimax(L, k, m, k, err);
    if (rc != CNI_OK) goto done;
  }
  for (size_t j = 0; j < k; j++) {
    double s = 0.0;
    for (size_t i = 0; i < k; i++) s += L[i * k + j] * L[i * k + j];
    ev[j] = j < m ? s : val[j];
  }
  if (m > 1) {
    /* order the kept components by EV descending (stable), then sign */
    for (size_t j = 0; j < m; j++) ord[j] = j;
    for (size_t j = 1; j < m; j++) {
      size_t t = ord[j], q = j;
      while (q > 0 && ev[t] > ev[ord[q - 1]]) { ord[q] = ord[q - 1]; q--; }
      ord[q] = t;
    }
    memcpy(tmp, L, k * k * sizeof *L);
    for (size_t j = 0; j < m; j++) {
      size_t c = ord[j], imax = 0;
      double big = -1.0, sg;
      for (size_t i = 0; i < k; i++)
        if (fabs(tmp[i * k + c]) > big) { big = fabs(tmp[i * k + c]); imax = i; }
      sg = tmp[imax * k + c] < 0.0 ? -1.0 : 1.0;
      for (size_t i = 0; i < k; i++) L[i * k + j] = sg * tmp[i * k + c];
    }
    for (size_t j = 0; j < m; j++) {
      double s = 0.0;
      for (size_t i = 0; i < k; i++) s += L[i * k + j] * L[i * k + j];
      ev[j] = s;
    }
  }
  for (size_t j = 0; j < m; j++) total += ev[j];
  for (size_t i = 0; i < k; i++) {
    size_t jb = 0;
    double best = -1.0;
    for (size_t j = 0; j < m; j++) {
      double l2 = L[i * k + j] * L[i * k + j];
      if (l2 > best) { best = l2; jb = j; }
    }
    weights_[i] = ev[jb] > 0.0 ? (best / ev[jb]) * (ev[jb] / total) : 0.0;
    wsum += weights_[i];
  }
  if (!(wsum > 0.0) || !isfinite(wsum)) {
    rc = cni_err_set(err, CNI_EARG, "pca_weights: degenerate loadings");
    goto done;
  }
  for (size_t i = 0; i < k; i++) weights_[i] /= wsum;
  if (loadings_ != NULL) memcpy(loadings_, L, k * k * sizeof *L);
  if (explained_ != NULL) memcpy(explained_, ev, k * sizeof *ev);
  if (nkept_ != NULL) *nkept_ = m;
  rc = CNI_OK;
done:
  free(val); free(vec); free(L); free(ev); free(tmp); free(ord);
  return rc;
}

int cni_pca_weights(const double *corr, size_t k, double *weights_,
                    double *loadings_, double *explained_, cni_err *err) {
  return cni_pca_weights_ex(corr, k, weights_, loadings_, explained_, NULL, err);
}

/* }====== */

/* {====== empirical-Bayes shrinkage */

int cni_eb_shrink_ex(const double *events, const double *denom,
                     const size_t *parent_gid, size_t n, size_t nparent,
                     cni_eb_tau tau, double *out_, double *weight_,
                     cni_err *err) {
  double *acc;
  double *R, *D, *K, *Z, *S2, *V;
  if (tau != CNI_EB_TAU_MOM && tau != CNI_EB_TAU_VAR)
    return cni_err_set(err, CNI_EARG, "eb_shrink: unknown t^2 method %d", (int)tau);
  if (n > 0 && (events == NULL || denom == NULL || parent_gid == NULL || out_ == NULL))
    return cni_err_set(err, CNI_EARG, "eb_shrink: NULL argument");
  for (size_t i = 0; i < n; i++) {
    double r = events[i], d = denom[i];
    size_t g = parent_gid[i];
    if (g != GROUP_NONE && g >= nparent) {
      if (err != NULL) err->row = (long)(i + 1);
      return cni_err_set(err, CNI_EARG, "eb_shrink: row %zu has parent %zu, nparent is %zu",
                         i + 1, g, nparent);
    }
    if (isnan(r) || isnan(d)) continue;
    if (!(r >= 0.0 && r <= d && isfinite(d))) {
      if (err != NULL) err->row = (long)(i + 1);
      return cni_err_set(err, CNI_EARG,
                         "eb_shrink: row %zu needs 0 <= events <= denom < Inf (got %g, %g)",
                         i + 1, r, d);
    }
  }
  acc = calloc(6 * (nparent > 0 ? nparent : 1), sizeof *acc);
  if (acc == NULL) return cni_err_set(err, CNI_ENOMEM, "eb_shrink: out of memory");
  R = acc; D = R + nparent; K = D + nparent; Z = K + nparent;
  S2 = Z + nparent; V = S2 + nparent;
  /* pass 1: pooled counts, k, sum z, sum s^2; z kept in out_ */
  for (size_t i = 0; i < n; i++) {
    double r = events[i], d = denom[i];
    size_t g = parent_gid[i];
    if (g == GROUP_NONE || isnan(r) || isnan(d)) { out_[i] = NAN; continue; }
    out_[i] = log((r + 0.5) / (d - r + 0.5));
    R[g] += r;
    D[g] += d;
    K[g] += 1.0;
    Z[g] += out_[i];
    S2[g] += 1.0 / (r + 0.5) + 1.0 / (d - r + 0.5);
  }
  /* pass 2: sum of squared deviations of z from its parent mean */
  for (size_t i = 0; i < n; i++) {
    size_t g = parent_gid[i];
    double dz;
    if (isnan(out_[i])) continue;
    dz = out_[i] - Z[g] / K[g];
    V[g] += dz * dz;
  }
  /* per parent: Z <- zbar (target), V <- t^2 */
  for (size_t g = 0; g < nparent; g++) {
    double t2 = 0.0;
    if (K[g] == 0.0) continue;
    if (R[g] > 0.0 && R[g] < D[g]) Z[g] = log(R[g] / (D[g] - R[g]));
    else Z[g] = log((R[g] + 0.5) / (D[g] - R[g] + 0.5));
    if (K[g] >= 2.0) {
      t2 = V[g] / (K[g] - 1.0);
      if (tau == CNI_EB_TAU_MOM) {
        t2 -= S2[g] / K[g];
        if (!(t2 > 0.0)) t2 = 0.0;
      }
    }
    V[g] = t2;
  }
  /* pass 3: shrink */
  for (size_t i = 0; i < n; i++) {
    size_t g = parent_gid[i];
    double r = events[i], d = denom[i], s2, w, zs;
    if (isnan(out_[i])) { if (weight_ != NULL) weight_[i] = NAN; continue; }
    s2 = 1.0 / (r + 0.5) + 1.0 / (d - r + 0.5);
    w = V[g] / (V[g] + s2);
    zs = w * out_[i] + (1.0 - w) * Z[g];
    out_[i] = 1.0 / (1.0 + exp(-zs));
    if (weight_ != NULL) weight_[i] = w;
  }
  free(acc);
  return CNI_OK;
}

int cni_eb_shrink(const double *events, const double *denom,
                  const size_t *parent_gid, size_t n, size_t nparent,
                  double *out_, double *weight_, cni_err *err) {
  return cni_eb_shrink_ex(events, denom, parent_gid, n, nparent, CNI_EB_TAU_MOM,
                          out_, weight_, err);
}

/* }====== */
