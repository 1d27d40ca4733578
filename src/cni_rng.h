/*
** cni_rng.h: deterministic random number generators of the C core.
** Layer: core. Never includes Lua headers.
**
** Streams: every random stream is a xoshiro256** generator whose 256-bit
** state is filled by SplitMix64 from a 64-bit key. Keys are derived from
** (seed, stream, substream) by cni_rng_key, so a Monte Carlo draw's numbers
** depend only on (seed, draw index, choice) and never on thread scheduling.
** Definitions and algorithms: docs/numerics.md, "Monte Carlo and
** sensitivity".
*/
#ifndef CNI_RNG_H
#define CNI_RNG_H

#include <stddef.h>
#include <stdint.h>

/* MINSTD (Park-Miller, a = 48271, m = 2^31 - 1): x_{k+1} = a x_k mod m.
** Fills out_[i] = x_{k+i+1} / m from the state x_k in *state (advanced).
** The benchmarks' W5 generator; exact in integer arithmetic. O(n). */
void cni_minstd_fill(double *out_, size_t n, uint64_t *state);

/* ------------------------------------------------------------ SplitMix64 */

/* SplitMix64 (Steele, Lea, Flood 2014): *state += 0x9e3779b97f4a7c15,
** returns the mixed value. */
uint64_t cni_splitmix64(uint64_t *state);
/* The SplitMix64 output function alone (a bijection of 64-bit words). */
uint64_t cni_mix64(uint64_t x);
/* Stream key of (seed, stream, sub): mix64(mix64(mix64(seed) ^ stream +
** c1) ^ sub + c2) with two odd constants. Used to seed per-draw streams. */
uint64_t cni_rng_key(uint64_t seed, uint64_t stream, uint64_t sub);

/* ---------------------------------------------------------- xoshiro256** */

typedef struct cni_rng {
  uint64_t s[4];
  double spare;      /* second normal of the polar method */
  int has_spare;
} cni_rng;

/* State = four successive SplitMix64 outputs from 'key' (never all zero). */
void cni_rng_seed(cni_rng *r, uint64_t key);
/* Same as cni_rng_seed(r, cni_rng_key(seed, stream, sub)). */
void cni_rng_seed_stream(cni_rng *r, uint64_t seed, uint64_t stream, uint64_t sub);
/* xoshiro256** 1.0 (Blackman & Vigna 2018): next 64-bit output. */
uint64_t cni_rng_next(cni_rng *r);
/* Uniform on the open interval (0, 1): ((x >> 11) + 0.5) * 2^-53. */
double cni_rng_uniform(cni_rng *r);
/* Uniform integer in [0, n) without bias (x mod n after rejecting the
** lowest 2^64 mod n outputs);
** n == 0 returns 0. */
uint64_t cni_rng_below(cni_rng *r, uint64_t n);

/* -------------------------------------------------------- distributions */

/* Standard normal by Marsaglia's polar method (exact; the second value of
** each pair is kept in r->spare and returned by the next call). */
double cni_rng_normal(cni_rng *r);
/* Gamma(shape, scale 1) by Marsaglia & Tsang (2000); shape < 1 uses
** Gamma(shape + 1) * U^(1/shape). shape <= 0 or not finite -> NaN. */
double cni_rng_gamma(cni_rng *r, double shape);
/* Dirichlet(alpha[0..k-1]): g_j ~ Gamma(alpha_j), out_j = g_j / sum(g)
** (sum left to right). When some alpha_j < 1 the gammas are formed in log
** space (log Gamma(a+1) + log(U)/a) and normalised by the largest, so tiny
** shapes never underflow to 0/0. Returns 0, or -1 if an alpha is not
** finite and positive (out_ unspecified). */
int cni_rng_dirichlet(cni_rng *r, const double *alpha, size_t k, double *out_);

/* Fraction of the unit simplex {v >= 0, sum v = 1} (k components) where
** v_j <= c_j for all j, by inclusion-exclusion:
**     sum over subsets S of (-1)^|S| max(0, 1 - sum_{j in S} c_j)^(k-1).
** This is the acceptance rate of rejection sampling. Exact for k <= 24
** (2^k terms); larger k returns NaN (unknown). c_j >= 1 never binds. */
double cni_simplex_cap_fraction(const double *c, size_t k);

/* Uniform on the bounded simplex {w : sum w = 1, lo_j <= w_j <= hi_j}.
** Method (exact): w = lo + s v with s = 1 - sum(lo) and v uniform on the
** unit simplex (normalised exponentials), rejected until v_j <= (hi_j -
** lo_j) / s for every j. Returns the number of attempts used (>= 1), or 0
** when max_tries attempts were all rejected (out_ unspecified). The caller
** checks feasibility and acceptance (cni_simplex_cap_fraction) first.
** s == 0 (sum lo == 1) returns w = lo. */
size_t cni_rng_simplex_bounded(cni_rng *r, const double *lo, const double *hi,
                               size_t k, size_t max_tries, double *out_);

/* Uniform on the same bounded simplex by rejection from the box: w_j
** uniform on [lo_j, hi_j] for j != last, w_last = 1 - (sum of the others,
** left to right), accepted when lo_last <= w_last <= hi_last. Exact: on the
** hyperplane sum w = 1 the surface measure is a constant multiple of the
** Lebesgue measure of the other k - 1 coordinates. Much better than the
** simplex rejection when every weight has a narrow range (e.g. +-50 %
** around base weights: acceptance 0.74 against 0.11 for 7 domains).
** Returns the attempts used, or 0 after max_tries rejections. */
size_t cni_rng_simplex_box(cni_rng *r, const double *lo, const double *hi, size_t k,
                           size_t last, size_t max_tries, double *out_);

/* A sampling plan for the bounded simplex: the exact sampler with the
** better acceptance rate. */
typedef struct cni_simplex_plan {
  int method;          /* 0: simplex rejection, 1: box rejection */
  size_t last;         /* box: the coordinate that closes the sum (widest range) */
  double accept;       /* acceptance rate (simplex: analytic; box: pilot estimate) */
  size_t max_tries;    /* 60 / accept + 1000: giving up has probability ~e^-60 */
} cni_simplex_plan;

/* Checks 0 <= lo <= hi, sum(lo) <= 1 <= sum(hi) and picks the method: the
** simplex acceptance by inclusion-exclusion, the box acceptance from a
** fixed-seed pilot of 20,000 attempts. Returns 0; -1 if the bounds are
** invalid or infeasible; -2 if both acceptance rates are below 1e-6
** (hopeless; p->accept holds the better one). */
int cni_simplex_plan_make(const double *lo, const double *hi, size_t k, cni_simplex_plan *p);

/* One draw with a plan: returns attempts, or 0 after p->max_tries. */
size_t cni_rng_simplex_plan(cni_rng *r, const cni_simplex_plan *p, const double *lo,
                            const double *hi, size_t k, double *out_);

/* Poisson(lambda): inversion by sequential search for lambda < 10,
** Hormann's PTRS transformed rejection (1993) for lambda >= 10.
** lambda == 0 -> 0; lambda < 0 or not finite -> NaN. */
double cni_rng_poisson(cni_rng *r, double lambda);

/* log(k!) for integer k >= 0 (exact sum of logs below 30, Stirling series
** with four correction terms above; relative error < 1e-15). */
double cni_log_factorial(double k);

/* --------------------------------------------------- Sobol' sequence */

#define CNI_SOBOL_MAXDIM 64

/* Sobol' low-discrepancy sequence, Joe & Kuo (2008) direction numbers
** (new-joe-kuo-6.21201, first 64 dimensions, dimension 1 = van der
** Corput), 32-bit Gray-code construction, unscrambled: point 0 is all
** zeros, then (0.5, ...), equal to scipy.stats.qmc.Sobol(scramble=False). */
typedef struct cni_sobol {
  unsigned dim;
  uint32_t index;                   /* next point number */
  uint32_t x[CNI_SOBOL_MAXDIM];
  uint32_t v[CNI_SOBOL_MAXDIM][32];
} cni_sobol;

/* dim in 1..CNI_SOBOL_MAXDIM; returns 0, or -1 for a bad dim. */
int cni_sobol_init(cni_sobol *s, unsigned dim);
/* Writes the next point (dim values in [0, 1)); returns 0, or -1 after
** 2^32 - 1 points. */
int cni_sobol_next(cni_sobol *s, double *out_);

#endif
