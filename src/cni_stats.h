/*
** cni_stats.h: statistical kernels of the cnilua C core (ranking, quantiles,
** tiles, normal distribution, normalisation and aggregation).
** Layer: core (src/cni_*). Never includes Lua headers.
**
** Conventions shared by every function here:
**   - indices are 0-based; lengths are size_t; inputs are const;
**     output arrays end in '_' and are caller-allocated (length n or np);
**   - NaN means "missing". Unless stated otherwise a missing input gives a
**     missing output and is not counted in n_valid;
**   - -0.0 and +0.0 compare equal everywhere (they are one tie group);
**   - +-Inf are ordinary (ordered) values;
**   - all ranking goes through one stable LSD radix argsort, so results are
**     deterministic and ties keep input order where order matters;
**   - functions return CNI_OK or an error code and fill 'err' (may be NULL);
**     scratch memory is allocated inside and CNI_ENOMEM returned on failure.
**     On error the contents of out_ are unspecified.
** Full definitions, with the R function each matches: docs/numerics.md.
*/
#ifndef CNI_STATS_H
#define CNI_STATS_H

#include <stddef.h>

#include "cni.h"

/* ---------------------------------------------------------------- sorting */

/* Stable argsort. idx_[0..n-1] receives a permutation of 0..n-1 such that
** x[idx_[0]], x[idx_[1]], ... is ascending (descending != 0: descending).
** Ties (including -0.0 vs +0.0) keep input order in both directions; NaNs
** come last in both directions, in input order.
** Method: LSD radix sort, 11-bit digits, on the order-preserving 64-bit key
** of each double; passes whose digit is constant are skipped; n < 64 uses a
** stable insertion sort. O(n) time, O(n) scratch (about 24n bytes). */
int cni_argsort(const double *x, size_t n, int descending, size_t *idx_,
                cni_err *err);

/* Sorted copy of the non-missing values of x (ascending, -0.0 written as
** +0.0). sorted_ must hold n doubles; *n_valid_ receives the count.
** O(n). */
int cni_sort_values(const double *x, size_t n, double *sorted_,
                    size_t *n_valid_, cni_err *err);

/* ---------------------------------------------------------------- ranking */

typedef enum {
  CNI_TIES_AVERAGE,  /* mean of the tied positions (R "average") */
  CNI_TIES_MIN,      /* lowest tied position (R "min", dplyr min_rank) */
  CNI_TIES_MAX,      /* highest tied position (R "max") */
  CNI_TIES_FIRST,    /* input order breaks ties (R "first", row_number) */
  CNI_TIES_DENSE     /* 1,2,3 over distinct values (dplyr dense_rank) */
} cni_ties;

/* Ranks 1..n_valid of x (descending != 0: rank 1 = largest). NaN -> NaN,
** not counted. Equals R rank(x, na.last = "keep", ties.method = ...), with
** descending equal to rank(-x, ...). *n_valid_ (may be NULL) receives the
** number of non-missing values. O(n). */
int cni_rank(const double *x, size_t n, int descending, cni_ties ties,
             double *out_, size_t *n_valid_, cni_err *err);

/* map[rank - 1] for each value instead of its rank (cni_rank for the rank
** definition; missing stays missing): a transform of ranks, such as the
** exponential transform or scores by position, applied in the same pass as
** the ranking. ties must give integer ranks (not CNI_TIES_AVERAGE); map
** needs at least n_valid entries (CNI_EARG otherwise). O(n). */
int cni_rank_map(const double *x, size_t n, int descending, cni_ties ties,
                 const double *map, size_t nmap, double *out_, size_t *n_valid_,
                 cni_err *err);

/* cni_rank (map == NULL) or cni_rank_map, with scratch memory reused
** across calls (ws may be NULL). */
int cni_rank_ws(const double *x, size_t n, int descending, cni_ties ties,
                const double *map, size_t nmap, double *out_, size_t *n_valid_,
                cni_scratch *ws, cni_err *err);

/* cni_rank / cni_rank_map (map may be NULL) with the buckets of a large
** array (2^18 values or more) sorted on up to nthreads threads (0 = all
** processors): the same result at any number of threads. */
int cni_rank_mt(const double *x, size_t n, int descending, cni_ties ties,
                const double *map, size_t nmap, double *out_, size_t *n_valid_,
                int nthreads, cni_err *err);

/* dplyr::percent_rank: (min_rank - 1) / (n_valid - 1), ascending.
** NaN -> NaN; n_valid == 1 gives NaN (0/0), as dplyr. O(n). */
int cni_percent_rank(const double *x, size_t n, double *out_, cni_err *err);

/* dplyr::ntile(x, k) (dplyr >= 1.1.0): row_number order (ties by input
** order; descending != 0 sorts by decreasing x, like ntile(desc(x), k)),
** k groups whose sizes differ by at most one with the larger groups first.
** Output 1..k as double; NaN -> NaN. k < 1 -> CNI_EARG. O(n). */
int cni_ntile(const double *x, size_t n, int k, int descending, double *out_,
              cni_err *err);

/* Population-weighted tiles. Areas with non-missing x and w are sorted by
** x (stable; descending != 0: largest first); with C_i the cumulative weight
** up to and including area i and W the total,
**     group_i = ceil(k * C_i / W), clamped to 1..k.
** An area whose cumulative share ends exactly on a boundary j/k is in group
** j (the lower one); an area whose weight straddles a boundary is in the
** group where its cumulative share ends (the upper one). With equal weights
** this is ceil(k * rank / N). NaN x or w -> NaN; w < 0 or infinite ->
** CNI_EARG; W == 0 -> all NaN. O(n). */
int cni_wntile(const double *x, const double *w, size_t n, int k,
               int descending, double *out_, cni_err *err);

/* -------------------------------------------------------------- quantiles */

/* Sample quantiles of the non-missing x at probabilities p[0..np-1], using
** Hyndman & Fan type 1..9 exactly as R 4.2 quantile(x, p, type, na.rm=TRUE)
** (including its 4*eps fuzz for types 4..9 and no fuzz for types 1..3).
** p outside [0,1] (beyond 100*eps) -> CNI_EARG; NaN p -> NaN; no valid x ->
** NaN. Type outside 1..9 -> CNI_EARG. O(n + np). */
int cni_quantile(const double *x, size_t n, const double *p, size_t np,
                 int type, double *out_, cni_err *err);

/* Weighted quantile (inverse of the weighted empirical CDF): over pairs with
** non-missing x and w and w > 0, sorted by x, with cumulative weights S_k and
** total W, Q(p) is x_(k) for the smallest k with
**     S_k >= p * W - 4 * DBL_EPSILON * W.
** Q(0) = smallest x with positive weight. With equal weights this is R
** quantile type 1. w < 0 or infinite -> CNI_EARG; p outside [0,1] ->
** CNI_EARG; NaN p or W == 0 -> NaN. O(n + np). */
int cni_wquantile(const double *x, const double *w, size_t n, const double *p,
                  size_t np, double *out_, cni_err *err);

/* -------------------------------------------------------------- normal */

/* Standard normal quantile: Wichura's AS 241, transcribed from R's
** qnorm(p) (lower tail, not log). p = 0 -> -Inf, p = 1 -> Inf, p outside
** [0,1] or NaN -> NaN. O(1). */
double cni_qnorm(double p);

/* Standard normal CDF: W. J. Cody's rational approximations, transcribed
** from R's pnorm(x) (lower tail, not log). NaN -> NaN. O(1). */
double cni_pnorm(double x);

/* --------------------------------------------------------- normalisation */

/* z-score (x - mean) / sd over non-missing values (two-pass mean with a
** correction step). sample_sd != 0: sd with n-1 (R sd), else with n.
** Constant column (sd == 0) -> 0 for every non-missing value (like
** scikit-learn StandardScaler); no valid values, or sample sd with one
** value -> NaN. NaN -> NaN. O(n). */
int cni_zscore(const double *x, size_t n, int sample_sd, double *out_,
               cni_err *err);

/* Min-max rescaling lo + (hi - lo) * (x - min) / (max - min) over the
** non-missing values. Constant column -> lo. NaN -> NaN. O(n). */
int cni_minmax(const double *x, size_t n, double lo, double hi, double *out_,
               cni_err *err);

/* Distance to a reference: x / ref (relative == 0) or (x - ref) / ref
** (relative != 0). ref == 0 or not finite -> CNI_EARG. NaN -> NaN. O(n). */
int cni_distance_to_ref(const double *x, size_t n, double ref, int relative,
                        double *out_, cni_err *err);

typedef enum {
  CNI_NS_RANKIT,  /* (r - 0.5) / n */
  CNI_NS_BLOM,    /* (r - 3/8) / (n + 1/4) */
  CNI_NS_VDW      /* r / (n + 1)  (van der Waerden) */
} cni_nscore;

/* Rank-based normal scores qnorm(p(r)), r = ascending average rank among the
** n non-missing values, p by 'kind'. NaN -> NaN. O(n). */
int cni_normal_scores(const double *x, size_t n, cni_nscore kind,
                      double *out_, cni_err *err);

/* As cni_normal_scores, with tab[j] = the score of ascending position j
** (0-based) for 'nvalid_tab' non-missing values, precomputed by
** cni_normal_scores_table: used for the tie groups of size one when the
** column has exactly nvalid_tab non-missing values (many columns of one
** length then share one set of qnorm evaluations). Same results. */
int cni_normal_scores_tab(const double *x, size_t n, cni_nscore kind,
                          const double *tab, size_t nvalid_tab, double *out_,
                          cni_err *err);
/* tab_[j] = qnorm(p(j + 1)) for positions j < nvalid, p by kind. O(nvalid). */
/* cni_normal_scores_tab with scratch memory reused across calls (ws may
** be NULL). */
int cni_normal_scores_ws(const double *x, size_t n, cni_nscore kind,
                         const double *tab, size_t nvalid_tab, double *out_,
                         cni_scratch *ws, cni_err *err);
void cni_normal_scores_table(size_t nvalid, cni_nscore kind, double *tab_);

/* Exponential transformation of ranks (SID/IMD), rank 1 = most deprived:
**     R = (N - rank + 1) / N,
**     X = -c * log1p(-R * a),  a = -expm1(-upper / c)
** (= -c ln(1 - R (1 - e^{-upper/c})) evaluated without cancellation).
** rank == 1 gives exactly 'upper'. Defaults in the IMD: c = 23, upper =
** 100. NaN rank, or rank outside [1, N] -> NaN. N, c, upper must be
** positive and finite (else CNI_EARG). O(n). */
int cni_exp_transform(const double *rank, size_t n, double N, double c,
                      double upper, double *out_, cni_err *err);

/* Natural log (plus1 == 0) or log1p (plus1 != 0). Values outside the domain
** (x <= 0, or x <= -1 with plus1) give NaN; cni_log_ex reports how many
** (n_invalid_ may be NULL). NaN -> NaN. O(n). */
int cni_log(const double *x, size_t n, int plus1, double *out_, cni_err *err);
int cni_log_ex(const double *x, size_t n, int plus1, double *out_,
               size_t *n_invalid_, cni_err *err);

/* Winsorise at quantiles: clamp x to [Q7(plo), Q7(phi)], Q7 = R quantile
** type 7 over non-missing values. 0 <= plo <= phi <= 1 else CNI_EARG.
** NaN -> NaN. O(n). */
int cni_winsorise_q(const double *x, size_t n, double plo, double phi,
                    double *out_, cni_err *err);

/* Winsorise at mean +- k * sd (sample sd, n-1, non-missing values).
** Fewer than 2 valid values: copy. k < 0 or NaN -> CNI_EARG. NaN -> NaN.
** O(n). */
int cni_winsorise_sd(const double *x, size_t n, double k, double *out_,
                     cni_err *err);

/* ------------------------------------------------------------ aggregation */

typedef enum { CNI_NA_PROPAGATE, CNI_NA_SKIP, CNI_NA_ERROR } cni_na_policy;

typedef enum {
  CNI_COMB_WSUM,        /* sum_j w_j x_j */
  CNI_COMB_WMEAN,       /* sum_j w_j x_j / sum_j w_j */
  CNI_COMB_GEOMEAN,     /* exp(sum_j w_j ln x_j / sum_j w_j), x > 0 */
  CNI_COMB_HARMEAN,     /* sum_j w_j / sum_j (w_j / x_j), x > 0 */
  CNI_COMB_MIN,         /* min_j x_j (weights ignored) */
  CNI_COMB_MAX,         /* max_j x_j (weights ignored) */
  CNI_COMB_COUNT_ABOVE  /* sum_j w_j [x_j > threshold] (a count if w NULL) */
} cni_combine_kind;

/* Row-wise combination of ncol columns of length n: cols[j][i] is column j,
** row i. w = NULL means weight 1 for every column; weights must be finite
** (else CNI_EARG). Sums run left to right in column order with plain
** double summation.
** Missing values (NaN):
**   PROPAGATE: any NaN term in a row -> NaN.
**   SKIP: NaN terms are dropped; WMEAN/GEOMEAN/HARMEAN divide by the sum
**     of the present weights; WSUM is rescaled by (total weight / present
**     weight); MIN/MAX over present terms; COUNT_ABOVE counts present terms
**     only (no rescaling). All terms missing -> NaN (COUNT_ABOVE: NaN too).
**   ERROR: the first NaN (row-major) returns CNI_EPARSE with err->row
**     (1-based row) and err->col (1-based column) set.
** GEOMEAN/HARMEAN: a present x <= 0 makes the row NaN (any policy).
** Zero sum of (present) weights for WMEAN/GEOMEAN/HARMEAN -> NaN.
** ncol == 0 -> CNI_EARG. O(n * ncol). */
int cni_combine(const double *const *cols, size_t ncol, size_t n,
                const double *w, cni_combine_kind kind, double threshold,
                cni_na_policy na, double *out_, cni_err *err);

#endif
