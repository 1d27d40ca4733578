/*
** cni_group.h: group summaries (aggregates by group id) and the IMD
** higher-geography summary measures (methodology.md section 3.4).
** Layer: core (src/cni_*). Never includes Lua headers. No globals, no I/O.
**
** Conventions shared by every function here:
** - gid[i] is the group of row i, in 0..ngroups-1, or CNI_GROUP_NONE
**   ((size_t)-1) for a row that belongs to no group (it is ignored).
**   Any other value is CNI_EARG (err->row = 1-based row).
** - gid may be NULL: then every row belongs to group 0 and ngroups must be 1
**   (unless n == 0).
** - NaN is "missing". Results that are undefined (empty group, zero total
**   weight) are NaN, except counts, which are 0.
** - Outputs have a trailing underscore and are written only on CNI_OK
**   (on error their contents are unspecified).
** - Sums are plain left-to-right double sums in row order, so results are
**   deterministic and independent of thread count; R's sum() accumulates in
**   long double, which agrees to about 1e-15 relative on ordinary data.
*/
#ifndef CNI_GROUP_H
#define CNI_GROUP_H

#include <stddef.h>

#include "cni.h"

#define CNI_GROUP_NONE ((size_t)-1)

typedef enum cni_agg_kind {
  CNI_AGG_COUNT,  /* number of rows with non-missing x                       */
  CNI_AGG_SUM,    /* sum of non-missing x                                    */
  CNI_AGG_MEAN,   /* sum / count                                             */
  CNI_AGG_WMEAN,  /* sum(w x) / sum(w)                                       */
  CNI_AGG_MEDIAN, /* R median(): quantile type 7 at p = 0.5                  */
  CNI_AGG_MIN,
  CNI_AGG_MAX,
  CNI_AGG_SHARE,  /* share of members with x != 0 (x is a flag)              */
  CNI_AGG_WSHARE  /* weighted share flagged: sum(w [x != 0]) / sum(w)        */
} cni_agg_kind;

/*
** cni_group_agg: out_[g] = aggregate of x over the rows i with gid[i] == g.
**
** Definition: see cni_agg_kind. MEDIAN of m sorted values v[0..m-1] is
**   v[(m-1)/2] for odd m and v[m/2-1]/2 + v[m/2]/2 for even m (halving each
**   value first cannot overflow and gives the correctly rounded midpoint),
**   which is R's median() and quantile(type = 7, 0.5).
** NaN policy: rows with NaN x are skipped by every kind; COUNT counts the
**   rows that remain. For WMEAN and WSHARE, rows whose weight is NaN,
**   negative or infinite are skipped too (their x does not count); zero
**   weights are kept. Empty group (after skipping) -> NaN (COUNT -> 0);
**   zero total weight -> NaN. Infinite x is a value (so SUM can be +-Inf
**   or NaN for Inf - Inf, exactly as in IEEE arithmetic).
** Weights: w must be non-NULL for WMEAN/WSHARE (else CNI_EARG) and is
**   ignored for the other kinds.
** Ties: irrelevant (no ordering is reported).
** Complexity: O(n + ngroups) time and O(ngroups) scratch; MEDIAN is
**   O(n log n) time and O(n) scratch (stable merge sort within groups).
** Errors: CNI_EARG (NULL input with n > 0, gid out of range, missing w,
**   ngroups == 0 with NULL gid ...), CNI_ENOMEM.
*/
int cni_group_agg(const double *x, const double *w, const size_t *gid,
                  size_t n, size_t ngroups, cni_agg_kind kind,
                  double *out_, cni_err *err);

typedef enum cni_imd_measure {
  CNI_IMD_AVG_SCORE,  /* sum p S / sum p                                     */
  CNI_IMD_AVG_RANK,   /* sum p r' / sum p, r' = N - rank + 1                 */
  CNI_IMD_EXTENT,     /* sum p e(q) / sum p, q = ceil(100 rank / N)          */
  CNI_IMD_LOCAL_CONC, /* pop-weighted mean r' of the most deprived 10% of pop */
  CNI_IMD_PROP_D1     /* #{ceil(10 rank / N) == 1} / #{rows}, unweighted     */
} cni_imd_measure;

/*
** cni_group_imd: IMD summary measure m of each group (higher geography),
** from the small-area score, national rank (1 = most deprived) and
** population, exactly as methodology.md section 3.4:
**
**   AVG_SCORE   sum_i p_i S_i / sum_i p_i.
**   AVG_RANK    sum_i p_i r'_i / sum_i p_i with the inverted rank
**               r' = N - rank + 1 (N = n_national), so high = deprived.
**   EXTENT      sum_i p_i e(q_i) / sum_i p_i, q = national percentile,
**               1 = most deprived, taken as the smallest integer q with
**               q * N >= 100 * rank (i.e. ceil(100 rank / N), computed
**               without rounding error for integer ranks);
**               e = 1 for q <= 10, e = 0.95 - (0.90/19)(q - 11) for
**               11 <= q <= 30, e = 0 for q > 30.  (humaniverse/IMD uses
**               dplyr::ntile(rank, 100) over the rows it is given; the
**               two agree on percentile sizes only when N is a multiple
**               of 100: see docs/numerics.md.)
**   LOCAL_CONC  the group's rows are ordered by rank ascending (most
**               deprived first; equal ranks in row order, which cannot
**               change the result). Walking that order, each row
**               contributes min(p_i, remaining) of population until
**               exactly T = 0.1 * sum_i p_i is covered (the straddling row
**               counts for the remainder only); the result is
**               sum(taken_i * r'_i) / T with the inverted rank r', as for
**               AVG_RANK, so high = deprived.
**   PROP_D1     #{i : 10 * rank_i <= N} / #{i}, i.e. national decile
**               ceil(10 rank / N) == 1; not population weighted.
**
** Inputs: score is needed only for AVG_SCORE, rank for the others, pop
**   for all but PROP_D1; unneeded arrays may be NULL. pop == NULL means
**   every row has population 1. n_national = N >= 1, finite.
** NaN policy: a row is skipped (counts neither in numerator nor in the
**   group's population) when the value it needs is NaN (score for
**   AVG_SCORE, rank for the others) or its population is NaN, negative or
**   infinite. Empty group or zero population -> NaN.
** Errors: CNI_EARG for a non-NaN rank outside [1, N], bad N, bad gid,
**   missing array, unknown measure; CNI_ENOMEM.
** Ties: equal ranks share percentile/decile; order among tied rows in
**   LOCAL_CONC does not affect the value (same r').
** Complexity: O(n + ngroups); LOCAL_CONC O(n log n) time, O(n) scratch.
*/
int cni_group_imd(const double *score, const double *rank, const double *pop,
                  const size_t *gid, size_t n, size_t ngroups,
                  double n_national, cni_imd_measure m, double *out_,
                  cni_err *err);

/*
** cni_imd_extent_weight: e(q) of EXTENT for a percentile q (1 = most
** deprived): 1 for q <= 10, 0.95 - (0.90/19)(q - 11) for 11..30, 0 above.
** Pure function, O(1).
*/
double cni_imd_extent_weight(long q);

/*
** cni_imd_percentile: smallest integer q >= 1 with q * N >= parts * rank,
** i.e. ceil(parts * rank / N) (parts = 100 gives percentiles, 10 deciles),
** computed so that integer rank and N give the exact result. Requires
** 1 <= rank <= N (not checked; NaN gives 0). O(1).
*/
long cni_imd_percentile(double rank, double n_national, long parts);

#endif
