/*
** cni_group.c: group aggregates and IMD higher-geography measures.
** Layer: core. See cni_group.h for definitions and NaN policy.
**
** Grouped work is done in two ways:
** - streaming kinds (count, sum, mean, weighted mean, min, max, shares):
**   one pass over the rows in row order into per-group accumulators;
** - order statistics (median, local concentration): rows are bucketed by
**   group with a stable counting sort, and each bucket is sorted with the
**   private stable merge sort below. No qsort (not stable, and its order of
**   comparisons is unspecified).
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cni_group.h"

/* One sortable record: key k, payload v. */
typedef struct gpair {
  double k;
  double v;
} gpair;

/* {====== private stable merge sort on gpair by k (no NaN keys) */

static void gp_merge(const gpair *a, size_t na, const gpair *b, size_t nb,
                     gpair *out) {
  size_t i = 0, j = 0, o = 0;
  while (i < na && j < nb) {
    if (b[j].k < a[i].k) out[o++] = b[j++]; /* strict: equal keys keep a first */
    else out[o++] = a[i++];
  }
  while (i < na) out[o++] = a[i++];
  while (j < nb) out[o++] = b[j++];
}

/* Bottom-up merge sort of a[0..n-1] using tmp[0..n-1]; stable. */
static void gp_sort(gpair *a, gpair *tmp, size_t n) {
  gpair *src = a, *dst = tmp;
  size_t width;
  if (n < 2) return;
  /* runs of 8 by insertion sort first (stable) */
  for (size_t s = 0; s < n; s += 8) {
    size_t e = s + 8 < n ? s + 8 : n;
    for (size_t i = s + 1; i < e; i++) {
      gpair t = a[i];
      size_t j = i;
      while (j > s && t.k < a[j - 1].k) { a[j] = a[j - 1]; j--; }
      a[j] = t;
    }
  }
  for (width = 8; width < n; width *= 2) {
    for (size_t lo = 0; lo < n; lo += 2 * width) {
      size_t mid = lo + width < n ? lo + width : n;
      size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
      gp_merge(src + lo, mid - lo, src + mid, hi - mid, dst + lo);
    }
    { gpair *t = src; src = dst; dst = t; }
  }
  if (src != a) memcpy(a, src, n * sizeof *a);
}

/* }====== */

/* Group of row i (gid NULL: everything in group 0). */
static size_t row_group(const size_t *gid, size_t i) {
  return gid != NULL ? gid[i] : 0;
}

/* Common argument checks; on success every gid is valid. */
static int check_groups(const size_t *gid, size_t n, size_t ngroups,
                        double *out, cni_err *err) {
  if (ngroups > 0 && out == NULL)
    return cni_err_set(err, CNI_EARG, "group: output array is NULL");
  if (gid == NULL) {
    if (n > 0 && ngroups != 1)
      return cni_err_set(err, CNI_EARG,
                         "group: gid is NULL but ngroups is %zu (must be 1)",
                         ngroups);
    return CNI_OK;
  }
  for (size_t i = 0; i < n; i++) {
    if (gid[i] != CNI_GROUP_NONE && gid[i] >= ngroups) {
      if (err != NULL) err->row = (long)(i + 1);
      return cni_err_set(err, CNI_EARG,
                         "group: row %zu has group id %zu, but ngroups is %zu",
                         i + 1, gid[i], ngroups);
    }
  }
  return CNI_OK;
}

/* A weight is usable when it is finite and >= 0. */
static int weight_ok(double w) {
  return isfinite(w) && w >= 0.0;
}

/*
** Stable bucket of the rows of each group: on return start[g]..start[g+1]-1
** index into recs, which holds (key, payload) of the rows of group g in row
** order, and each bucket is then sorted by key. Rows with keep[i] == 0 are
** left out. Returns CNI_OK or CNI_ENOMEM.
*/
static int bucket_sort(const size_t *gid, size_t n, size_t ngroups,
                       const double *key, const double *payload,
                       const unsigned char *keep, gpair **recs_,
                       size_t **start_, cni_err *err) {
  size_t *start = calloc(ngroups + 1, sizeof *start);
  size_t *fill = NULL;
  gpair *recs = NULL, *tmp = NULL;
  size_t total = 0;
  if (start == NULL) goto nomem;
  for (size_t i = 0; i < n; i++) {
    size_t g = row_group(gid, i);
    if (g == CNI_GROUP_NONE || !keep[i]) continue;
    start[g + 1]++;
  }
  for (size_t g = 0; g < ngroups; g++) start[g + 1] += start[g];
  total = start[ngroups];
  recs = malloc((total > 0 ? total : 1) * sizeof *recs);
  tmp = malloc((total > 0 ? total : 1) * sizeof *tmp);
  fill = malloc((ngroups > 0 ? ngroups : 1) * sizeof *fill);
  if (recs == NULL || tmp == NULL || fill == NULL) goto nomem;
  if (ngroups > 0) memcpy(fill, start, ngroups * sizeof *fill);
  for (size_t i = 0; i < n; i++) {
    size_t g = row_group(gid, i);
    if (g == CNI_GROUP_NONE || !keep[i]) continue;
    recs[fill[g]].k = key[i];
    recs[fill[g]].v = payload != NULL ? payload[i] : 1.0;
    fill[g]++;
  }
  for (size_t g = 0; g < ngroups; g++)
    gp_sort(recs + start[g], tmp + start[g], start[g + 1] - start[g]);
  free(tmp);
  free(fill);
  *recs_ = recs;
  *start_ = start;
  return CNI_OK;
nomem:
  free(start);
  free(fill);
  free(recs);
  free(tmp);
  return cni_err_set(err, CNI_ENOMEM, "group: out of memory");
}

static int group_median(const double *x, const size_t *gid, size_t n,
                        size_t ngroups, double *out_, cni_err *err) {
  unsigned char *keep = malloc(n > 0 ? n : 1);
  gpair *recs = NULL;
  size_t *start = NULL;
  int rc;
  if (keep == NULL) return cni_err_set(err, CNI_ENOMEM, "group: out of memory");
  for (size_t i = 0; i < n; i++) keep[i] = !isnan(x[i]);
  rc = bucket_sort(gid, n, ngroups, x, NULL, keep, &recs, &start, err);
  free(keep);
  if (rc != CNI_OK) return rc;
  for (size_t g = 0; g < ngroups; g++) {
    size_t m = start[g + 1] - start[g];
    const gpair *v = recs + start[g];
    if (m == 0) out_[g] = NAN;
    else if (m % 2 == 1) out_[g] = v[(m - 1) / 2].k;
    else {
      double a = v[m / 2 - 1].k, b = v[m / 2].k;
      out_[g] = (a == b) ? a : 0.5 * a + 0.5 * b;
    }
  }
  free(recs);
  free(start);
  return CNI_OK;
}

int cni_group_agg(const double *x, const double *w, const size_t *gid,
                  size_t n, size_t ngroups, cni_agg_kind kind,
                  double *out_, cni_err *err) {
  double *acc = NULL, *den = NULL;
  int rc;
  int weighted = (kind == CNI_AGG_WMEAN || kind == CNI_AGG_WSHARE);
  if (n > 0 && x == NULL)
    return cni_err_set(err, CNI_EARG, "group_agg: x is NULL");
  if (weighted && n > 0 && w == NULL)
    return cni_err_set(err, CNI_EARG, "group_agg: weighted kind needs weights");
  if ((int)kind < (int)CNI_AGG_COUNT || (int)kind > (int)CNI_AGG_WSHARE)
    return cni_err_set(err, CNI_EARG, "group_agg: unknown kind %d", (int)kind);
  rc = check_groups(gid, n, ngroups, out_, err);
  if (rc != CNI_OK) return rc;
  if (kind == CNI_AGG_MEDIAN) return group_median(x, gid, n, ngroups, out_, err);

  acc = malloc((ngroups > 0 ? ngroups : 1) * sizeof *acc);
  den = malloc((ngroups > 0 ? ngroups : 1) * sizeof *den);
  if (acc == NULL || den == NULL) {
    free(acc);
    free(den);
    return cni_err_set(err, CNI_ENOMEM, "group_agg: out of memory");
  }
  for (size_t g = 0; g < ngroups; g++) { acc[g] = 0.0; den[g] = 0.0; }

  /* den = count (or total weight); acc = running statistic */
  for (size_t i = 0; i < n; i++) {
    size_t g = row_group(gid, i);
    double xi = x[i];
    if (g == CNI_GROUP_NONE || isnan(xi)) continue;
    if (weighted) {
      double wi = w[i];
      if (!weight_ok(wi)) continue;
      if (kind == CNI_AGG_WMEAN) acc[g] += wi * xi;
      else if (xi != 0.0) acc[g] += wi;
      den[g] += wi;
      continue;
    }
    switch (kind) {
      case CNI_AGG_MIN:
        if (den[g] == 0.0 || xi < acc[g]) acc[g] = xi;
        break;
      case CNI_AGG_MAX:
        if (den[g] == 0.0 || xi > acc[g]) acc[g] = xi;
        break;
      case CNI_AGG_SHARE:
        if (xi != 0.0) acc[g] += 1.0;
        break;
      default: /* COUNT, SUM, MEAN */
        acc[g] += xi;
        break;
    }
    den[g] += 1.0;
  }

  for (size_t g = 0; g < ngroups; g++) {
    switch (kind) {
      case CNI_AGG_COUNT: out_[g] = den[g]; break;
      case CNI_AGG_SUM:
      case CNI_AGG_MIN:
      case CNI_AGG_MAX: out_[g] = den[g] > 0.0 ? acc[g] : NAN; break;
      default: /* MEAN, WMEAN, SHARE, WSHARE: ratio, 0/0 -> NaN */
        out_[g] = den[g] > 0.0 ? acc[g] / den[g] : NAN;
        break;
    }
  }
  free(acc);
  free(den);
  return CNI_OK;
}

/* {====== IMD measures */

long cni_imd_percentile(double rank, double n_national, long parts) {
  double t, q;
  if (!(rank >= 0.0) || !(n_national > 0.0)) return 0;
  t = (double)parts * rank;
  q = ceil(t / n_national);
  if (q < 1.0) q = 1.0;
  /* correct a possible one-off from the rounded division */
  while (q > 1.0 && (q - 1.0) * n_national >= t) q -= 1.0;
  while (q * n_national < t) q += 1.0;
  return (long)q;
}

double cni_imd_extent_weight(long q) {
  if (q <= 10) return 1.0;
  if (q <= 30) return 0.95 - (0.90 / 19.0) * (double)(q - 11);
  return 0.0;
}

static int imd_local_conc(const double *rank, const double *pop,
                          const size_t *gid, size_t n, size_t ngroups,
                          double N, double *out_, cni_err *err) {
  unsigned char *keep = malloc(n > 0 ? n : 1);
  gpair *recs = NULL;
  size_t *start = NULL;
  int rc;
  if (keep == NULL) return cni_err_set(err, CNI_ENOMEM, "group_imd: out of memory");
  for (size_t i = 0; i < n; i++)
    keep[i] = !isnan(rank[i]) && (pop == NULL || weight_ok(pop[i]));
  rc = bucket_sort(gid, n, ngroups, rank, pop, keep, &recs, &start, err);
  free(keep);
  if (rc != CNI_OK) return rc;
  for (size_t g = 0; g < ngroups; g++) {
    const gpair *v = recs + start[g];
    size_t m = start[g + 1] - start[g];
    double total = 0.0, target, rem, acc = 0.0;
    for (size_t i = 0; i < m; i++) total += v[i].v;
    if (!(total > 0.0)) { out_[g] = NAN; continue; }
    target = 0.1 * total;
    rem = target;
    for (size_t i = 0; i < m && rem > 0.0; i++) {
      double rinv = N - v[i].k + 1.0;
      if (v[i].v >= rem) { acc += rem * rinv; rem = 0.0; }
      else { acc += v[i].v * rinv; rem -= v[i].v; }
    }
    out_[g] = acc / target;
  }
  free(recs);
  free(start);
  return CNI_OK;
}

int cni_group_imd(const double *score, const double *rank, const double *pop,
                  const size_t *gid, size_t n, size_t ngroups,
                  double n_national, cni_imd_measure m, double *out_,
                  cni_err *err) {
  double *num = NULL, *den = NULL;
  int rc;
  if ((int)m < (int)CNI_IMD_AVG_SCORE || (int)m > (int)CNI_IMD_PROP_D1)
    return cni_err_set(err, CNI_EARG, "group_imd: unknown measure %d", (int)m);
  if (n > 0 && m == CNI_IMD_AVG_SCORE && score == NULL)
    return cni_err_set(err, CNI_EARG, "group_imd: score is NULL");
  if (m != CNI_IMD_AVG_SCORE) {
    if (n > 0 && rank == NULL)
      return cni_err_set(err, CNI_EARG, "group_imd: rank is NULL");
    if (!(isfinite(n_national) && n_national >= 1.0))
      return cni_err_set(err, CNI_EARG,
                         "group_imd: n_national must be finite and >= 1 (got %g)",
                         n_national);
    for (size_t i = 0; i < n; i++) {
      double r = rank[i];
      if (!isnan(r) && !(r >= 1.0 && r <= n_national)) {
        if (err != NULL) err->row = (long)(i + 1);
        return cni_err_set(err, CNI_EARG,
                           "group_imd: row %zu has rank %g outside [1, %g]",
                           i + 1, r, n_national);
      }
    }
  }
  rc = check_groups(gid, n, ngroups, out_, err);
  if (rc != CNI_OK) return rc;
  if (m == CNI_IMD_LOCAL_CONC)
    return imd_local_conc(rank, pop, gid, n, ngroups, n_national, out_, err);

  num = malloc((ngroups > 0 ? ngroups : 1) * sizeof *num);
  den = malloc((ngroups > 0 ? ngroups : 1) * sizeof *den);
  if (num == NULL || den == NULL) {
    free(num);
    free(den);
    return cni_err_set(err, CNI_ENOMEM, "group_imd: out of memory");
  }
  for (size_t g = 0; g < ngroups; g++) { num[g] = 0.0; den[g] = 0.0; }
  for (size_t i = 0; i < n; i++) {
    size_t g = row_group(gid, i);
    double p, v;
    if (g == CNI_GROUP_NONE) continue;
    if (m == CNI_IMD_PROP_D1) {
      if (isnan(rank[i])) continue;
      num[g] += (10.0 * rank[i] <= n_national) ? 1.0 : 0.0;
      den[g] += 1.0;
      continue;
    }
    p = pop != NULL ? pop[i] : 1.0;
    if (!weight_ok(p)) continue;
    switch (m) {
      case CNI_IMD_AVG_SCORE:
        v = score[i];
        break;
      case CNI_IMD_AVG_RANK:
        v = isnan(rank[i]) ? NAN : n_national - rank[i] + 1.0;
        break;
      default: /* EXTENT */
        v = isnan(rank[i]) ? NAN
          : cni_imd_extent_weight(cni_imd_percentile(rank[i], n_national, 100));
        break;
    }
    if (isnan(v)) continue;
    num[g] += p * v;
    den[g] += p;
  }
  for (size_t g = 0; g < ngroups; g++)
    out_[g] = den[g] > 0.0 ? num[g] / den[g] : NAN;
  free(num);
  free(den);
  return CNI_OK;
}

/* }====== */
