/*
** cni_mc.h: Monte Carlo uncertainty and Sobol' sensitivity engine of the
** cnilua C core.
** Layer: core (src/cni_*). Never includes Lua headers; no globals; no
** printing. C11 + pthreads.
**
** A model is a set of per-area domain columns (one matrix per transform
** alternative) and a list of uncertain "choices": domain weights
** (Dirichlet or uniform on a bounded simplex), the transform alternative,
** the aggregation rule, the flagging cut on the index rank and, for the
** two-index rule, the cut on a second ("deprivation") rank. A draw samples
** every choice, computes the index of every area, ranks it (descending,
** ties by input order, missing last), flags the areas and accumulates
** per-area counts and an exact rank distribution.
**
** Determinism: choice f of draw i is sampled from its own xoshiro256**
** stream keyed by (seed, i, f) (cni_rng_key), so results do not depend on
** the number of threads or on scheduling; every accumulator is an integer
** count and per-draw outputs are written by draw index. Same seed, same
** bytes.
**
** Memory: no draws x areas matrix. Rank percentiles come from per-area
** rank histograms (n x n counts, 16-bit when draws <= 65535) filled from
** small per-block rank buffers; when the histogram does not fit the memory
** budget a two-pass method (coarse buckets, then the exact ranks inside
** the selected buckets, re-running the same draws) gives the same exact
** answer. Details and measurements: docs/numerics.md, "Monte Carlo and
** sensitivity".
*/
#ifndef CNI_MC_H
#define CNI_MC_H

#include <stddef.h>
#include <stdint.h>

#include "cni.h"
#include "cni_rng.h"

/* --------------------------------------------------------------- choices */

/* Stream number of each choice (fixed: turning one choice on or off
** leaves the other choices' draws unchanged). */
typedef enum {
  CNI_MC_F_WEIGHTS = 0,
  CNI_MC_F_TRANSFORM = 1,
  CNI_MC_F_AGG = 2,
  CNI_MC_F_CUT = 3,
  CNI_MC_F_CUTDEP = 4,
  CNI_MC_NFACTORS = 5
} cni_mc_factor;

/* Name of a factor ("weights", "transform", "aggregation", "cut",
** "cut_dep"). */
const char *cni_mc_factor_name(int f);

typedef enum {
  CNI_MC_W_FIXED = 0,    /* weights w[0..k) (not a choice) */
  CNI_MC_W_DIRICHLET,    /* Dirichlet(alpha) */
  CNI_MC_W_BOUNDED       /* uniform on {sum w = 1, lo <= w <= hi} */
} cni_mc_wprior;

typedef enum {
  CNI_MC_AGG_WSUM = 0,   /* scale * (w_1 x_1 + ... + w_k x_k), left to right */
  CNI_MC_AGG_GEOMEAN,    /* prod x_j^w_j (ranked by sum w_j ln x_j); x <= 0 -> missing */
  CNI_MC_AGG_HARMEAN     /* 1 / sum(w_j / x_j) (ranked by -sum w_j / x_j); x <= 0 -> missing */
} cni_mc_agg;

typedef enum {
  CNI_MC_TR_IDENTITY = 0, /* the values as given */
  CNI_MC_TR_EXP,          /* E(rank descending, ties averaged; N = valid count), c = 23, upper = 100 */
  CNI_MC_TR_NORMAL,       /* rank-based normal scores qnorm((r - 0.5) / n) */
  CNI_MC_TR_RANK          /* ascending average rank / n, in (0, 1] */
} cni_mc_transform;

/* Transforms one domain score column (higher = more deprived) into a
** column of the same orientation. NaN -> NaN. O(n). */
int cni_mc_transform_column(const double *x, size_t n, cni_mc_transform kind,
                            double *out_, cni_err *err);

#define CNI_MC_MAXK 64     /* domains */
#define CNI_MC_MAXALT 32   /* transform / aggregation alternatives */
#define CNI_MC_MAXQ 16     /* rank percentiles */

typedef struct cni_mc_model {
  size_t n;                       /* areas (>= 1, < 2^32 - 1) */
  size_t k;                       /* domains, 1..CNI_MC_MAXK */
  size_t ntrans;                  /* transform alternatives (>= 1) */
  const double *const *dom;       /* dom[t * k + j] = domain j under alternative t (n values) */
  const double *trans_prob;       /* ntrans probabilities (NULL = equal) */
  cni_mc_wprior wprior;
  const double *w;                /* FIXED: k weights */
  const double *alpha;            /* DIRICHLET: k concentrations (> 0) */
  const double *wlo, *whi;        /* BOUNDED: k bounds (NULL = 0 / 1) */
  size_t nagg;                    /* aggregation alternatives (0 = WSUM only) */
  const cni_mc_agg *agg;
  const double *agg_prob;         /* NULL = equal */
  double scale;                   /* WSUM multiplier (0 = 1) */
  size_t cut_lo, cut_hi;          /* flag: index rank <= cut, cut uniform integer in [lo, hi] */
  const double *dep;              /* optional second score (n values, higher = more deprived) */
  size_t dep_lo, dep_hi;          /* two-index rule: also dep rank <= cut_dep */
  size_t top;                     /* top decile: rank <= top (0 = n / 10) */
  /* base analysis (for the Jaccard and the rank shift) */
  const uint8_t *base_flag;       /* n flags 0/1 (NULL = the base choices' flags) */
  const double *base_rank;        /* n ranks (NULL = the base choices' ranks) */
  const double *base_w;           /* NULL: alpha / sum(alpha), w, or the bounded default */
  size_t base_trans, base_agg;    /* alternative numbers (0-based) */
  size_t base_cut, base_cutdep;   /* 0 = lower end of the range */
  /* rank percentiles, probabilities in (0, 1]; nq == 0 -> 0.05, 0.5, 0.95 */
  size_t nq;
  const double *q;
  int no_quantiles;               /* != 0: skip the rank distribution */
} cni_mc_model;

/* Called by the calling thread between blocks of draws with the number of
** draws (or model runs) done; a nonzero return cancels the run. */
typedef int (*cni_mc_progress_fn)(void *ud, size_t done, size_t total);

typedef struct cni_mc_ctl {
  cni_mc_progress_fn progress;    /* may be NULL */
  void *progress_ud;
  const volatile int *cancel;     /* may be NULL; nonzero cancels (checked between blocks) */
  size_t memory;                  /* histogram budget in bytes (0 = 256 MiB) */
  size_t block;                   /* draws per block (0 = automatic) */
} cni_mc_ctl;

/* Status returned when the progress callback or the cancel flag stopped
** a run (err->msg says after how many draws). */
#define CNI_MC_CANCELLED CNI_ELIMIT

/* ---------------------------------------------------------------- Monte Carlo */

typedef struct cni_mc_result {
  size_t n, k, ndraws, nq;
  size_t nrequested;              /* draws asked for (per-draw arrays have this length) */
  int partial;                    /* 1: cancelled, the results cover the ndraws draws done
                                     (per-draw values of the others are NaN) */
  int partial_no_q;               /* 1: partial, and the rank percentiles are not available */
  double q[CNI_MC_MAXQ];
  size_t qk[CNI_MC_MAXQ];         /* nearest-rank positions ceil(q * D) */
  /* per area */
  uint32_t *nflag;                /* draws in which the area is flagged */
  uint32_t *ntop;                 /* draws in which its rank <= top */
  double *rank_mean;
  uint32_t *rank_min, *rank_max;
  uint32_t *rank_q;               /* rank_q[j * n + a]: the qk[j]-th smallest rank of area a */
  /* per draw */
  double *d_nflag, *d_jaccard, *d_shift;
  double *d_w;                    /* ndraws * k */
  uint32_t *d_trans, *d_agg, *d_cut, *d_cutdep;
  /* base analysis */
  uint8_t *base_flag;
  uint32_t *base_rank;
  size_t base_nflag;
  size_t top;
  /* diagnostics */
  int nthreads;                   /* threads used */
  int passes;                     /* 1, or 2 for the two-pass percentile method */
  size_t hist_bytes;              /* histogram memory */
  double accept;                  /* bounded simplex acceptance rate (1 otherwise) */
  int weights_method;             /* bounded: 0 simplex rejection, 1 box rejection; else -1 */
} cni_mc_result;

/* Runs ndraws draws of the model on nthreads threads (0 = all online
** cores). 'out' is filled (free with cni_mc_result_free, also after an
** error). When the run is cancelled (progress callback or flag) after some
** draws, the result of the draws done is kept: CNI_MC_CANCELLED is returned
** with out->partial = 1 and out->ndraws = the draws done (which draws those
** are depends on the timing of the threads). ctl may be NULL. Errors: CNI_EARG (bad model), CNI_ENOMEM,
** CNI_ELIMIT (histogram over the memory budget, or cancelled). */
int cni_mc_run(const cni_mc_model *m, size_t ndraws, uint64_t seed, int nthreads,
               const cni_mc_ctl *ctl, cni_mc_result *out, cni_err *err);
void cni_mc_result_free(cni_mc_result *r);

/* Nearest-rank position of probability p among D sorted values:
** k = ceil(p * D) in [1, D], where p * D within 1e-9 of an integer counts
** as that integer (so 0.05 * 10000 -> 500). */
size_t cni_mc_nearest_rank(double p, size_t D);

/* ---------------------------------------------------------------- Sobol' */

/* Model outputs of the sensitivity analysis. */
enum { CNI_MC_Y_NFLAG = 0, CNI_MC_Y_JACCARD = 1, CNI_MC_Y_SHIFT = 2, CNI_MC_NY = 3 };

/* Sobol' first-order and total-effect indices of k inputs from a Saltelli
** design: fA[j], fB[j] (j < N) and fAB[i * N + j] = f(A with column i
** from B). With V the variance (divisor 2N) of the 2N values of fA and fB
** and m their mean:
**     S1_i = mean_j (fB_j - m) (fAB_ij - fA_j) / V        (Saltelli 2010)
**     ST_i = mean_j (fA_j - fAB_ij)^2 / (2 V)              (Jansen 1999)
** nboot > 0: percentile bootstrap intervals at level conf (rows j
** resampled with replacement, stream (seed, b)); the bounds are type-7
** quantiles of the bootstrap replicates. lo/hi arrays may be NULL when
** nboot == 0. V == 0 gives NaN indices. O(k N (1 + nboot)). */
int cni_sobol_indices(const double *fA, const double *fB, const double *fAB,
                      size_t N, size_t k, size_t nboot, double conf, uint64_t seed,
                      double *S1_, double *ST_, double *S1lo_, double *S1hi_,
                      double *STlo_, double *SThi_, cni_err *err);

typedef struct cni_mc_sobol_result {
  size_t N, nf;
  int factor[CNI_MC_NFACTORS];    /* active factors (cni_mc_factor ids) */
  /* y[(o * (nf + 2) + m) * N + j]: output o for row j of matrix m
  ** (m = 0: A, 1: B, 2 + i: A_B^(i)) */
  double *y;
  /* indices [o * nf + i] */
  double S1[CNI_MC_NY * CNI_MC_NFACTORS], ST[CNI_MC_NY * CNI_MC_NFACTORS];
  double S1lo[CNI_MC_NY * CNI_MC_NFACTORS], S1hi[CNI_MC_NY * CNI_MC_NFACTORS];
  double STlo[CNI_MC_NY * CNI_MC_NFACTORS], SThi[CNI_MC_NY * CNI_MC_NFACTORS];
  int nthreads;
} cni_mc_sobol_result;

/* Saltelli design on the model's active choices (factors with more than
** one possible value): rows of A and B are independent draws (A: streams
** (seed_A, j, f), B: (seed_B, j, f)), A_B^(i) takes factor i from B; N (nf
** + 2) model runs, then cni_sobol_indices on each output. At least one
** factor must be uncertain (else CNI_EARG). */
int cni_mc_sobol(const cni_mc_model *m, size_t N, uint64_t seed, int nthreads,
                 size_t nboot, double conf, const cni_mc_ctl *ctl,
                 cni_mc_sobol_result *out, cni_err *err);
void cni_mc_sobol_result_free(cni_mc_sobol_result *r);

#endif
