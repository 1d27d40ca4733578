/*
** cni_corr.h: correlation (Pearson, Spearman, Kendall tau-b), correlation
** matrices, Cronbach's alpha, symmetric eigendecomposition (cyclic Jacobi),
** PCA weights (OECD/JRC Handbook) and empirical-Bayes shrinkage of rates
** (methodology.md 3.3, 4.2, 4.4).
** Layer: core (src/cni_*). Never includes Lua headers. No globals, no I/O.
**
** Conventions:
** - NaN is "missing". Correlations use pairwise-complete rows (both values
**   non-NaN), as R's cor(use = "pairwise.complete.obs").
** - Infinite values are values: Pearson involving +-Inf is NaN (as in R);
**   Spearman and Kendall rank them (equal infinities tie), as R does.
** - An undefined result (fewer than 2 usable rows, zero variance) is NaN
**   with status CNI_OK; R returns NA (with a warning) in the same cases.
** - Outputs have a trailing underscore; they are written only on CNI_OK.
** - Everything is deterministic: fixed summation order, own stable sorts.
*/
#ifndef CNI_CORR_H
#define CNI_CORR_H

#include <stddef.h>

#include "cni.h"

/*
** cni_pearson: Pearson correlation of x and y over pairwise-complete rows.
** Definition: r = sum(dx dy) / sqrt(sum dx^2 sum dy^2), dx = x - mean(x)
**   (means over the complete rows, refined once by adding the mean of the
**   residuals, as R does); deviations are scaled by their largest absolute
**   value before squaring so that 1e-200 or 1e200 data neither underflow
**   nor overflow. Result clamped to [-1, 1].
** NaN policy: rows with NaN in x or y are skipped; *n_used_ = number of
**   complete rows. r = NaN if n_used < 2 or either column is constant over
**   the complete rows, or if any used value is infinite.
** Ties: irrelevant. Complexity: O(n) time, O(n) scratch (compacted pairs).
** n_used_ may be NULL. Errors: CNI_EARG (NULL x/y with n > 0, NULL r_),
**   CNI_ENOMEM.
*/
int cni_pearson(const double *x, const double *y, size_t n, double *r_,
                size_t *n_used_, cni_err *err);

/*
** cni_spearman: Spearman's rho = Pearson correlation of the average ranks
** (ties get the mean of their positions, R's rank(ties = "average"))
** computed over the pairwise-complete rows only (so a missing y changes
** the ranks of x), as R's cor(method = "spearman", use = "pairwise...").
** NaN policy, n_used_, undefined cases: as cni_pearson (constant ranks ->
** NaN). Ties: averaged; ordering is a stable merge sort, so equal values
** keep row order (irrelevant for average ranks).
** Complexity: O(m log m) time, O(m) scratch, m = complete rows.
*/
int cni_spearman(const double *x, const double *y, size_t n, double *r_,
                 size_t *n_used_, cni_err *err);

/*
** cni_kendall_tau_b: Kendall's tau-b over pairwise-complete rows,
**   tau_b = (n0 - n1 - n2 + n3 - 2 D) / (sqrt(n0 - n1) sqrt(n0 - n2)),
** n0 = m(m-1)/2, n1 = pairs tied in x, n2 = pairs tied in y, n3 = pairs tied
** in both, D = discordant pairs. Knight's (1966) algorithm: stable merge
** sort by (x, y), count tie runs, then merge sort of y counting
** exchanges. Counts are exact 64-bit integers; the final expression is
** evaluated as R's C code does, so the result equals
** cor(method = "kendall") to within a few ulps (tested at 1e-12).
** NaN policy, n_used_, undefined cases: as cni_pearson (all x tied or all
** y tied -> NaN). Ties: exact equality of doubles (-0 == +0).
** Complexity: O(m log m) time, O(m) scratch.
*/
int cni_kendall_tau_b(const double *x, const double *y, size_t n, double *r_,
                      size_t *n_used_, cni_err *err);

/* Methods for cni_corr_matrix. */
#define CNI_CORR_PEARSON 0
#define CNI_CORR_SPEARMAN 1
#define CNI_CORR_KENDALL 2

/*
** cni_corr_matrix: out_[i*k + j] = correlation of cols[i] and cols[j]
** (each of length n) with pairwise-complete rows, method 0 Pearson,
** 1 Spearman, 2 Kendall tau-b. Symmetric by construction (the upper
** triangle is computed, then mirrored). The diagonal is 1 when the column
** has >= 2 non-missing values and is not constant, else NaN (as R).
** Complexity: k(k+1)/2 pair computations; Spearman reuses the ranks of
** columns without missing values. Errors: CNI_EARG (bad method, NULL
** column), CNI_ENOMEM.
*/
int cni_corr_matrix(const double *const *cols, size_t k, size_t n, int method,
                    double *out_, cni_err *err);

/*
** cni_cronbach_alpha: alpha = (k/(k-1)) (1 - sum_q var(x_q) / var(sum_q x_q))
** over complete rows only (rows where all k columns are non-NaN);
** variances with denominator m-1 (two-pass). Requires k >= 2 (else
** CNI_EARG). alpha = NaN when fewer than 2 complete rows, when the total
** variance is 0, or when a used value is infinite. O(n k) time, O(n)
** scratch.
*/
int cni_cronbach_alpha(const double *const *cols, size_t k, size_t n,
                       double *alpha_, cni_err *err);

/*
** cni_eigen_sym: eigenvalues and eigenvectors of the symmetric k x k
** matrix a (row-major; only the lower triangle a[i*k+j], j <= i, is read,
** as LAPACK/R with uplo = "L"), by the cyclic Jacobi method (rotations in
** fixed row order p < q until every off-diagonal element is negligible
** against its diagonal elements; at most 100 sweeps, then CNI_ELIMIT).
** values_[0..k-1] descending (equal values keep Jacobi's order, which is
** deterministic); vectors_ k x k row-major with column j = unit
** eigenvector of values_[j], sign fixed so that its largest-|.| component
** (the first one on exact ties) is positive.
** NaN policy: any non-finite entry -> CNI_EARG. k = 0 is a no-op.
** Accuracy: agrees with R eigen(symmetric = TRUE) to ~1e-14 relative on
** values; vectors agree up to sign when eigenvalues are well separated
** (repeated eigenvalues have no unique vectors).
** Complexity: O(k^3) per sweep, usually 6-10 sweeps; O(k^2) scratch.
*/
int cni_eigen_sym(const double *a, size_t k, double *values_, double *vectors_,
                  cni_err *err);

/*
** cni_pca_weights: indicator weights from a k x k correlation matrix by the
** OECD/JRC Handbook PCA method (methodology.md 4.4):
**  1. eigen-decompose corr (cni_eigen_sym); keep the m components with
**     eigenvalue > 1 (at least 1). The Handbook's further rules (each
**     > 10% of variance, together > 60%) are NOT applied: the caller can
**     check them on explained_.
**  2. unrotated loadings L[i][j] = sqrt(lambda_j) v[i][j];
**  3. if m > 1, varimax-rotate the m kept columns (Kaiser normalisation,
**     as R's stats::varimax(normalize = TRUE); pairwise planar rotations
**     iterated to convergence, ~1e-15), then order the rotated components
**     by explained variance (descending) and make the largest-|.| loading
**     of each positive;
**  4. EV_j = sum_i L[i][j]^2 (explained variance of kept component j);
**     indicator i is assigned to the component j(i) with its largest
**     squared loading (the first on exact ties); its weight is
**     (L[i][j(i)]^2 / EV_j(i)) * (EV_j(i) / sum_kept EV), then weights are
**     normalised to sum 1. EV cancels, so the weight of i is proportional
**     to L[i][j(i)]^2. For m = 1 this is "proportional to squared
**     loadings".
** Outputs: weights_[k] (sum 1); loadings_[k*k] row-major, row = indicator,
**   column = component: columns 0..m-1 hold the (rotated if m > 1) kept
**   loadings, columns m..k-1 the unrotated loadings of dropped components;
**   explained_[k] = EV_j for kept columns, lambda_j for the others
**   (divide by k for a share of total variance). loadings_ and explained_
**   may be NULL.
** NaN policy: non-finite entry -> CNI_EARG. Errors: k == 0, degenerate
**   matrix (no positive loading) -> CNI_EARG; CNI_ENOMEM; CNI_ELIMIT if an
**   iteration fails to converge. Complexity: O(k^3) plus varimax
**   O(sweeps m^2 k).
*/
int cni_pca_weights(const double *corr, size_t k, double *weights_,
                    double *loadings_, double *explained_, cni_err *err);

/* As cni_pca_weights, also reporting the number of kept components. */
int cni_pca_weights_ex(const double *corr, size_t k, double *weights_,
                       double *loadings_, double *explained_, size_t *nkept_,
                       cni_err *err);

/* Between-area variance estimators for cni_eb_shrink_ex. */
typedef enum cni_eb_tau {
  CNI_EB_TAU_MOM = 0, /* max(0, var(z) - mean(s^2)): method of moments    */
  CNI_EB_TAU_VAR = 1  /* var(z): plain sample variance of the z_j         */
} cni_eb_tau;

/*
** cni_eb_shrink: empirical-Bayes shrinkage of rates towards the parent
** (methodology.md 3.3; SID 2003 Appendix 1). For area j with r events out
** of d (events[j], denom[j]) in parent P = parent_gid[j]:
**   z_j   = ln((r + 0.5) / (d - r + 0.5))          empirical logit
**   s_j^2 = 1/(r + 0.5) + 1/(d - r + 0.5)
**   zbar  = logit(R/D), R = sum r, D = sum d over the parent's usable
**           areas; if R == 0 or R == D (logit infinite) the empirical
**           logit ln((R + 0.5)/(D - R + 0.5)) is used instead
**   t^2   = max(0, var(z) - mean(s^2)) over the parent's usable areas,
**           var with denominator k-1 (method of moments; see
**           cni_eb_shrink_ex for the plain variance); t^2 = 0 when k < 2
**   w_j   = (1/s^2) / (1/s^2 + 1/t^2), computed as t^2 / (t^2 + s^2) so
**           t^2 = 0 gives w = 0 (full shrinkage to zbar)
**   z*_j  = w_j z_j + (1 - w_j) zbar;  out_[j] = 1 / (1 + exp(-z*_j)).
** So a parent with a single area returns that area's pooled rate r/d.
** NaN policy: an area with NaN events or denom, or parent CNI_GROUP_NONE,
**   is not used and gets out_ = weight_ = NaN. Non-NaN values must satisfy
**   0 <= r <= d < Inf, else CNI_EARG (err->row set). parent_gid must be
**   < nparent or CNI_GROUP_NONE.
** weight_ (w_j) may be NULL. Ties: n/a. Deterministic row-order sums.
** Complexity: O(n + nparent) time, O(nparent) scratch.
*/
int cni_eb_shrink(const double *events, const double *denom,
                  const size_t *parent_gid, size_t n, size_t nparent,
                  double *out_, double *weight_, cni_err *err);

/* As cni_eb_shrink with a choice of t^2 estimator. */
int cni_eb_shrink_ex(const double *events, const double *denom,
                     const size_t *parent_gid, size_t n, size_t nparent,
                     cni_eb_tau tau, double *out_, double *weight_,
                     cni_err *err);

#endif
