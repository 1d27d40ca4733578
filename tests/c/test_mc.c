/*
** test_mc.c: unit tests of the random generators (src/cni_rng.c) and of the
** Monte Carlo / Sobol' engine (src/cni_mc.c).
** Usage: test_mc [fixture dir] (no fixtures are read).
**
** Moment checks use a fixed seed and a tolerance of 5 standard errors (or a
** small relative tolerance for variances), so they are deterministic.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "cni_mc.h"
#include "cni_rng.h"
#include "cni_stats.h"

#define PI 3.14159265358979323846

/* ------------------------------------------------------------ helpers */

typedef struct moments { double mean, var; } moments;

static moments moments_of(const double *x, size_t n) {
  double m = 0, v = 0;
  for (size_t i = 0; i < n; i++) m += x[i];
  m /= (double)n;
  for (size_t i = 0; i < n; i++) v += (x[i] - m) * (x[i] - m);
  moments r = {m, v / (double)(n - 1)};
  return r;
}

/* |mean - mu| <= 5 sd / sqrt(n) and |var - s2| <= rtol * s2 */
#define CHECK_MOMENTS(M, mu, s2, n, rtol) do { \
    double se_ = sqrt((s2) / (double)(n)); \
    CHECK_NEAR((M).mean, (mu), 5 * se_ / ((fabs(mu) > 1) ? fabs(mu) : 1)); \
    CHECK(fabs((M).var - (s2)) <= (rtol) * (s2)); \
    if (!(fabs((M).var - (s2)) <= (rtol) * (s2))) \
      fprintf(stderr, "  variance %.6g vs %.6g\n", (M).var, (double)(s2)); \
  } while (0)

#define NS 200000

/* ------------------------------------------------------------ generators */

static void test_streams(void) {
  cni_rng a, b, c;
  cni_rng_seed_stream(&a, 42, 7, 0);
  cni_rng_seed_stream(&b, 42, 7, 0);
  cni_rng_seed_stream(&c, 42, 8, 0);
  int same = 1, diff = 0;
  for (int i = 0; i < 100; i++) {
    uint64_t x = cni_rng_next(&a), y = cni_rng_next(&b), z = cni_rng_next(&c);
    same &= x == y;
    diff += x != z;
  }
  CHECK(same);
  CHECK_EQ_INT(diff, 100);
  /* SplitMix64 reference values (seed 1234567, from the reference C code) */
  uint64_t st = 1234567;
  CHECK(cni_splitmix64(&st) == UINT64_C(6457827717110365317));
  CHECK(cni_splitmix64(&st) == UINT64_C(3203168211198807973));
  /* uniform in (0, 1), mean 1/2, var 1/12 */
  double *x = malloc(NS * sizeof *x);
  double lo = 1, hi = 0;
  for (int i = 0; i < NS; i++) {
    x[i] = cni_rng_uniform(&a);
    if (x[i] < lo) lo = x[i];
    if (x[i] > hi) hi = x[i];
  }
  CHECK(lo > 0 && hi < 1);
  moments m = moments_of(x, NS);
  CHECK_MOMENTS(m, 0.5, 1.0 / 12, NS, 0.02);
  /* below(n): uniform integers */
  int cnt[7] = {0};
  for (int i = 0; i < 70000; i++) cnt[cni_rng_below(&a, 7)]++;
  int okb = 1;
  for (int i = 0; i < 7; i++) okb &= abs(cnt[i] - 10000) < 5 * 93;   /* sd = sqrt(70000 p q) */
  CHECK(okb);
  CHECK_EQ_INT(cni_rng_below(&a, 1), 0);
  free(x);
}

static void test_normal_gamma(void) {
  cni_rng r;
  cni_rng_seed(&r, 2024);
  double *x = malloc(NS * sizeof *x);
  for (int i = 0; i < NS; i++) x[i] = cni_rng_normal(&r);
  moments m = moments_of(x, NS);
  CHECK_MOMENTS(m, 0.0, 1.0, NS, 0.02);
  double k4 = 0;
  for (int i = 0; i < NS; i++) k4 += x[i] * x[i] * x[i] * x[i];
  CHECK_NEAR(k4 / NS, 3.0, 0.05);   /* kurtosis 3 */
  const double shapes[] = {0.3, 0.5, 1.0, 2.5, 10.0, 100.0};
  for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++) {
    double a = shapes[s];
    int pos = 1;
    for (int i = 0; i < NS; i++) {
      x[i] = cni_rng_gamma(&r, a);
      pos &= x[i] >= 0;
    }
    CHECK(pos);
    m = moments_of(x, NS);
    CHECK_MOMENTS(m, a, a, NS, a < 1 ? 0.05 : 0.03);   /* Gamma(a, 1): mean = var = a */
  }
  CHECK(isnan(cni_rng_gamma(&r, 0)));
  CHECK(isnan(cni_rng_gamma(&r, -1)));
  free(x);
}

static void test_dirichlet(void) {
  const double alphas[3][4] = {{2, 3, 5, 0}, {10, 10, 10, 0}, {0.3, 0.5, 1.2, 0.05}};
  const size_t ks[3] = {3, 3, 4};
  cni_rng r;
  cni_rng_seed(&r, 77);
  double *x = malloc((size_t)NS * 4 * sizeof *x), *col = malloc(NS * sizeof *col);
  for (int c = 0; c < 3; c++) {
    size_t k = ks[c];
    double a0 = 0;
    for (size_t j = 0; j < k; j++) a0 += alphas[c][j];
    int sums = 1, pos = 1, rc = 0;
    for (int i = 0; i < NS; i++) {
      rc |= cni_rng_dirichlet(&r, alphas[c], k, x + (size_t)i * k);
      double s = 0;
      for (size_t j = 0; j < k; j++) { s += x[(size_t)i * k + j]; pos &= x[(size_t)i * k + j] >= 0; }
      sums &= fabs(s - 1) < 1e-12;
    }
    CHECK(sums);
    CHECK(pos);
    CHECK_EQ_INT(rc, 0);
    for (size_t j = 0; j < k; j++) {
      for (int i = 0; i < NS; i++) col[i] = x[(size_t)i * k + j];
      double aj = alphas[c][j];
      double mu = aj / a0, var = aj * (a0 - aj) / (a0 * a0 * (a0 + 1));
      moments m = moments_of(col, NS);
      CHECK_MOMENTS(m, mu, var, NS, 0.03);
    }
  }
  double bad[2] = {1, 0};
  CHECK_EQ_INT(cni_rng_dirichlet(&r, bad, 2, x), -1);
  free(x);
  free(col);
}

static void test_simplex_bounded(void) {
  cni_rng r;
  cni_rng_seed(&r, 5);
  double w[3], *col = malloc(NS * sizeof *col);
  /* k = 2: w1 is uniform on [max(lo1, 1 - hi2), min(hi1, 1 - lo2)] = [0.2, 0.6] */
  {
    double lo[2] = {0.2, 0.1}, hi[2] = {0.6, 0.9};
    int inb = 1;
    for (int i = 0; i < NS; i++) {
      inb &= cni_rng_simplex_bounded(&r, lo, hi, 2, 100000, w) > 0;
      inb &= w[0] >= 0.2 - 1e-15 && w[0] <= 0.6 + 1e-15 && w[1] >= 0.1 - 1e-15 && w[1] <= 0.9 + 1e-15;
      col[i] = w[0];
    }
    CHECK(inb);
    moments m = moments_of(col, NS);
    CHECK_MOMENTS(m, 0.4, 0.16 / 12, NS, 0.03);
  }
  /* lower bounds only: w = lo + 0.4 Dirichlet(1,1,1): mean lo + 0.4/3, var 0.16 * 2/36 */
  {
    double lo[3] = {0.1, 0.2, 0.3}, hi[3] = {1, 1, 1};
    for (int j = 0; j < 3; j++) {
      cni_rng_seed(&r, 6 + (uint64_t)j);
      for (int i = 0; i < NS; i++) {
        cni_rng_simplex_bounded(&r, lo, hi, 3, 10, w);
        col[i] = w[j];
      }
      moments m = moments_of(col, NS);
      CHECK_MOMENTS(m, lo[j] + 0.4 / 3, 0.16 * 2.0 / 36.0, NS, 0.03);
    }
  }
  /* symmetric caps: acceptance 1 - 3 (1 - 0.5)^2 = 0.25 (analytic), the
  ** empirical attempts agree, every draw is inside, means 1/3 */
  {
    double lo[3] = {0, 0, 0}, hi[3] = {0.5, 0.5, 0.5}, c[3] = {0.5, 0.5, 0.5};
    CHECK_NEAR(cni_simplex_cap_fraction(c, 3), 0.25, 1e-12);
    double tries = 0, s0 = 0;
    int inb = 1;
    for (int i = 0; i < NS; i++) {
      tries += (double)cni_rng_simplex_bounded(&r, lo, hi, 3, 1000, w);
      inb &= w[0] <= 0.5 && w[1] <= 0.5 && w[2] <= 0.5;
      s0 += w[0];
    }
    CHECK(inb);
    CHECK_NEAR(NS / tries, 0.25, 0.01);
    CHECK_NEAR(s0 / NS, 1.0 / 3, 0.003);
  }
  /* box rejection: the k = 2 case (w_1 uniform on [0.2, 0.6]), a symmetric
  ** box (every mean 1/3, although the last coordinate is treated apart),
  ** and agreement with the simplex rejection on an asymmetric box */
  {
    double lo[2] = {0.2, 0.1}, hi[2] = {0.6, 0.9};
    int inb = 1;
    for (int i = 0; i < NS; i++) {
      inb &= cni_rng_simplex_box(&r, lo, hi, 2, 1, 1000, w) > 0;
      inb &= w[0] >= 0.2 && w[0] <= 0.6 && w[1] >= 0.1 && w[1] <= 0.9;
      col[i] = w[0];
    }
    CHECK(inb);
    moments m = moments_of(col, NS);
    CHECK_MOMENTS(m, 0.4, 0.16 / 12, NS, 0.03);
  }
  {
    double lo[3] = {0.2, 0.2, 0.2}, hi[3] = {0.5, 0.5, 0.5};
    for (size_t last = 0; last < 3; last += 2) {
      double s[3] = {0, 0, 0};
      int inb = 1;
      for (int i = 0; i < NS; i++) {
        inb &= cni_rng_simplex_box(&r, lo, hi, 3, last, 1000, w) > 0;
        for (int j = 0; j < 3; j++) { s[j] += w[j]; inb &= w[j] >= 0.2 - 1e-15 && w[j] <= 0.5 + 1e-15; }
        inb &= fabs(w[0] + w[1] + w[2] - 1) < 1e-15;
      }
      CHECK(inb);
      for (int j = 0; j < 3; j++) CHECK_NEAR(s[j] / NS, 1.0 / 3, 0.002);
    }
  }
  {
    double lo[3] = {0.1, 0.2, 0.05}, hi[3] = {0.5, 0.45, 0.4};
    double *c2 = malloc(NS * sizeof *c2);
    for (int j = 0; j < 3; j++) {
      for (int i = 0; i < NS; i++) {
        cni_rng_simplex_bounded(&r, lo, hi, 3, 100000, w);
        col[i] = w[j];
        cni_rng_simplex_box(&r, lo, hi, 3, 0, 100000, w);
        c2[i] = w[j];
      }
      moments a = moments_of(col, NS), b = moments_of(c2, NS);
      CHECK(fabs(a.mean - b.mean) < 5 * sqrt(2 * a.var / NS));
      CHECK(fabs(a.var - b.var) < 0.03 * a.var);
    }
    free(c2);
  }
  /* the plan picks the box for narrow ranges around base weights */
  {
    double bw[7] = {.225, .225, .135, .135, .093, .093, .093}, lo[7], hi[7];
    for (int j = 0; j < 7; j++) { lo[j] = 0.5 * bw[j]; hi[j] = 1.5 * bw[j]; }
    cni_simplex_plan pl;
    CHECK_EQ_INT(cni_simplex_plan_make(lo, hi, 7, &pl), 0);
    CHECK_EQ_INT(pl.method, 1);
    CHECK(pl.accept > 0.7 && pl.accept < 0.8);
    double c[7], s = 1;
    for (int j = 0; j < 7; j++) s -= lo[j];
    for (int j = 0; j < 7; j++) c[j] = (hi[j] - lo[j]) / s;
    CHECK_NEAR(cni_simplex_cap_fraction(c, 7), 0.111975, 1e-5);
    double wide_lo[3] = {0, 0, 0}, wide_hi[3] = {1, 1, 1};
    CHECK_EQ_INT(cni_simplex_plan_make(wide_lo, wide_hi, 3, &pl), 0);
    CHECK_EQ_INT(pl.method, 0);   /* no caps: the simplex rejection always accepts */
    CHECK_NEAR(pl.accept, 1, 1e-12);
    double bad_hi[3] = {0.3, 0.3, 0.3};
    CHECK_EQ_INT(cni_simplex_plan_make(wide_lo, bad_hi, 3, &pl), -1);
  }
  /* the inclusion-exclusion fraction vs a brute-force count */
  {
    double c[4] = {0.3, 0.45, 0.6, 0.9};
    size_t in = 0, tot = 400000;
    cni_rng_seed(&r, 99);
    double one[4] = {1, 1, 1, 1}, v[4];
    for (size_t i = 0; i < tot; i++) {
      cni_rng_dirichlet(&r, one, 4, v);
      in += v[0] <= c[0] && v[1] <= c[1] && v[2] <= c[2] && v[3] <= c[3];
    }
    double f = cni_simplex_cap_fraction(c, 4), se = sqrt(f * (1 - f) / (double)tot);
    CHECK(fabs((double)in / (double)tot - f) < 5 * se);
  }
  /* hopeless bounds are reported by the engine */
  {
    double d0[20], lo[4] = {0, 0, 0, 0}, hi[4] = {0.2501, 0.2501, 0.2501, 0.2501};
    for (int i = 0; i < 20; i++) d0[i] = i;
    const double *dom[4] = {d0, d0, d0, d0};
    cni_mc_model m;
    memset(&m, 0, sizeof m);
    m.n = 20;
    m.k = 4;
    m.dom = dom;
    m.wprior = CNI_MC_W_BOUNDED;
    m.wlo = lo;
    m.whi = hi;
    m.cut_lo = m.cut_hi = 2;
    cni_mc_result res;
    cni_err e;
    int st = cni_mc_run(&m, 10, 1, 1, NULL, &res, &e);
    CHECK_EQ_INT(st, CNI_EARG);
    CHECK_HAS_STR(e.msg, "hopeless");
    cni_mc_result_free(&res);
    double lo2[4] = {0.3, 0.3, 0.3, 0.3};
    m.wlo = lo2;
    m.whi = NULL;
    st = cni_mc_run(&m, 10, 1, 1, NULL, &res, &e);
    CHECK_EQ_INT(st, CNI_EARG);
    CHECK_HAS_STR(e.msg, "infeasible");
    cni_mc_result_free(&res);
  }
  free(col);
}

static void test_poisson(void) {
  cni_rng r;
  cni_rng_seed(&r, 31);
  double *x = malloc(NS * sizeof *x);
  const double lams[] = {0.5, 4, 9.99, 10, 12, 100, 1000, 1e5};
  for (size_t s = 0; s < sizeof lams / sizeof *lams; s++) {
    double l = lams[s];
    int integ = 1;
    size_t zeros = 0;
    for (int i = 0; i < NS; i++) {
      x[i] = cni_rng_poisson(&r, l);
      integ &= x[i] >= 0 && x[i] == floor(x[i]);
      zeros += x[i] == 0;
    }
    CHECK(integ);
    moments m = moments_of(x, NS);
    CHECK_MOMENTS(m, l, l, NS, 0.03);
    if (l == 0.5) CHECK_NEAR((double)zeros / NS, exp(-0.5), 0.005);
  }
  CHECK(cni_rng_poisson(&r, 0) == 0);
  CHECK(isnan(cni_rng_poisson(&r, -1)));
  /* log k! */
  CHECK_NEAR(cni_log_factorial(0), 0, 1e-15);
  CHECK_NEAR(cni_log_factorial(5), log(120.0), 1e-14);
  CHECK_NEAR(cni_log_factorial(29), lgamma(30.0), 1e-14);
  CHECK_NEAR(cni_log_factorial(30), lgamma(31.0), 1e-14);
  CHECK_NEAR(cni_log_factorial(1000), lgamma(1001.0), 1e-14);
  free(x);
}

static void test_sobol_seq(void) {
  /* scipy.stats.qmc.Sobol(8, scramble=False).random(8) */
  const double ref[8][8] = {
    {0, 0, 0, 0, 0, 0, 0, 0},
    {0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5},
    {0.75, 0.25, 0.25, 0.25, 0.75, 0.75, 0.25, 0.75},
    {0.25, 0.75, 0.75, 0.75, 0.25, 0.25, 0.75, 0.25},
    {0.375, 0.375, 0.625, 0.875, 0.375, 0.125, 0.375, 0.875},
    {0.875, 0.875, 0.125, 0.375, 0.875, 0.625, 0.875, 0.375},
    {0.625, 0.125, 0.875, 0.625, 0.625, 0.875, 0.125, 0.125},
    {0.125, 0.625, 0.375, 0.125, 0.125, 0.375, 0.625, 0.625}};
  cni_sobol s;
  CHECK_EQ_INT(cni_sobol_init(&s, 8), 0);
  int ok = 1;
  double x[CNI_SOBOL_MAXDIM];
  for (int i = 0; i < 8; i++) {
    cni_sobol_next(&s, x);
    for (int d = 0; d < 8; d++) ok &= x[d] == ref[i][d];
  }
  CHECK(ok);
  CHECK_EQ_INT(cni_sobol_init(&s, 0), -1);
  CHECK_EQ_INT(cni_sobol_init(&s, CNI_SOBOL_MAXDIM + 1), -1);
  /* balance: the first 2^m points put exactly 2^(m-1) in each half, in every dimension */
  CHECK_EQ_INT(cni_sobol_init(&s, CNI_SOBOL_MAXDIM), 0);
  int half[CNI_SOBOL_MAXDIM] = {0};
  for (int i = 0; i < 1024; i++) {
    cni_sobol_next(&s, x);
    for (int d = 0; d < CNI_SOBOL_MAXDIM; d++) half[d] += x[d] < 0.5;
  }
  int bal = 1;
  for (int d = 0; d < CNI_SOBOL_MAXDIM; d++) bal &= half[d] == 512;
  CHECK(bal);
}

/* ------------------------------------------------------------ Sobol' indices */

static double ishigami(const double *x) {
  return sin(x[0]) + 7 * sin(x[1]) * sin(x[1]) + 0.1 * pow(x[2], 4) * sin(x[0]);
}

static void test_ishigami(void) {
  const size_t N = (size_t)1 << 14, k = 3;
  const double S1ref[3] = {0.3139, 0.4424, 0}, STref[3] = {0.5576, 0.4424, 0.2437};
  double *fA = malloc(N * sizeof *fA), *fB = malloc(N * sizeof *fB);
  double *fAB = malloc(k * N * sizeof *fAB);
  /* quasi-random base sample: 6-dimensional Sobol' points (first point
  ** skipped), A = dims 1-3, B = dims 4-6, mapped to [-pi, pi] */
  cni_sobol s;
  cni_sobol_init(&s, 6);
  double u[6];
  cni_sobol_next(&s, u);
  for (size_t j = 0; j < N; j++) {
    double a[3], b[3], ab[3];
    cni_sobol_next(&s, u);
    for (int d = 0; d < 3; d++) {
      a[d] = -PI + 2 * PI * u[d];
      b[d] = -PI + 2 * PI * u[3 + d];
    }
    fA[j] = ishigami(a);
    fB[j] = ishigami(b);
    for (size_t i = 0; i < k; i++) {
      memcpy(ab, a, sizeof ab);
      ab[i] = b[i];
      fAB[i * N + j] = ishigami(ab);
    }
  }
  double S1[3], ST[3], l1[3], h1[3], lt[3], ht[3];
  cni_err e;
  CHECK_EQ_INT(cni_sobol_indices(fA, fB, fAB, N, k, 200, 0.95, 11, S1, ST, l1, h1, lt, ht, &e), CNI_OK);
  for (size_t i = 0; i < k; i++) {
    CHECK(fabs(S1[i] - S1ref[i]) <= 0.02);
    CHECK(fabs(ST[i] - STref[i]) <= 0.02);
    if (fabs(S1[i] - S1ref[i]) > 0.02 || fabs(ST[i] - STref[i]) > 0.02)
      fprintf(stderr, "  ishigami %d: S1 %.4f ST %.4f\n", (int)i + 1, S1[i], ST[i]);
    CHECK(l1[i] <= S1[i] && S1[i] <= h1[i]);
    CHECK(lt[i] <= ST[i] && ST[i] <= ht[i]);
    CHECK(h1[i] - l1[i] < 0.1 && ht[i] - lt[i] < 0.1);
  }
  /* pseudo-random base sample at the same N: looser (Monte Carlo error) */
  cni_rng r;
  cni_rng_seed(&r, 314);
  for (size_t j = 0; j < N; j++) {
    double a[3], b[3], ab[3];
    for (int d = 0; d < 3; d++) {
      a[d] = -PI + 2 * PI * cni_rng_uniform(&r);
      b[d] = -PI + 2 * PI * cni_rng_uniform(&r);
    }
    fA[j] = ishigami(a);
    fB[j] = ishigami(b);
    for (size_t i = 0; i < k; i++) {
      memcpy(ab, a, sizeof ab);
      ab[i] = b[i];
      fAB[i * N + j] = ishigami(ab);
    }
  }
  CHECK_EQ_INT(cni_sobol_indices(fA, fB, fAB, N, k, 0, 0.95, 1, S1, ST, NULL, NULL, NULL, NULL, &e), CNI_OK);
  for (size_t i = 0; i < k; i++) {
    CHECK(fabs(S1[i] - S1ref[i]) <= 0.04);
    CHECK(fabs(ST[i] - STref[i]) <= 0.04);
  }
  /* same seed, same bootstrap bounds */
  double l1b[3], h1b[3];
  CHECK_EQ_INT(cni_sobol_indices(fA, fB, fAB, N, k, 50, 0.9, 3, S1, ST, l1, h1, NULL, NULL, &e), CNI_OK);
  CHECK_EQ_INT(cni_sobol_indices(fA, fB, fAB, N, k, 50, 0.9, 3, S1, ST, l1b, h1b, NULL, NULL, &e), CNI_OK);
  CHECK(memcmp(l1, l1b, sizeof l1) == 0 && memcmp(h1, h1b, sizeof h1) == 0);
  /* errors */
  CHECK_EQ_INT(cni_sobol_indices(fA, fB, fAB, 1, k, 0, 0.95, 1, S1, ST, NULL, NULL, NULL, NULL, &e), CNI_EARG);
  fA[5] = NAN;
  CHECK_EQ_INT(cni_sobol_indices(fA, fB, fAB, N, k, 0, 0.95, 1, S1, ST, NULL, NULL, NULL, NULL, &e), CNI_EARG);
  /* constant output: NaN indices */
  for (size_t j = 0; j < N; j++) fA[j] = fB[j] = 1;
  for (size_t j = 0; j < k * N; j++) fAB[j] = 1;
  CHECK_EQ_INT(cni_sobol_indices(fA, fB, fAB, N, k, 0, 0.95, 1, S1, ST, NULL, NULL, NULL, NULL, &e), CNI_OK);
  CHECK(isnan(S1[0]) && isnan(ST[2]));
  free(fA);
  free(fB);
  free(fAB);
}

/* ------------------------------------------------------------ the engine */

/* A synthetic model: n areas, 3 domains (with ties and, optionally, a
** missing value), Dirichlet weights. */
typedef struct synth {
  size_t n;
  double *d[6];
  const double *dom[6];
  double dep[4096];
} synth;

static void synth_init(synth *s, size_t n, uint64_t seed, int with_nan, int ties) {
  cni_rng r;
  cni_rng_seed(&r, seed);
  s->n = n;
  for (int j = 0; j < 6; j++) {
    s->d[j] = malloc(n * sizeof(double));
    for (size_t i = 0; i < n; i++) {
      double v = 1 + 50 * cni_rng_uniform(&r);
      if (ties) v = floor(v / 5);   /* many ties */
      s->d[j][i] = j < 3 ? v : exp(v / 20);   /* alternative 2: a different transform */
    }
    s->dom[j] = s->d[j];
  }
  if (with_nan) s->d[1][n / 3] = s->d[4][n / 3] = NAN;   /* missing in both alternatives */
  for (size_t i = 0; i < n && i < 4096; i++) s->dep[i] = cni_rng_uniform(&r);
}

static void synth_free(synth *s) {
  for (int j = 0; j < 6; j++) free(s->d[j]);
}

static int result_equal(const cni_mc_result *a, const cni_mc_result *b) {
  size_t n = a->n, D = a->ndraws;
  if (a->n != b->n || a->ndraws != b->ndraws || a->nq != b->nq) return 0;
  int eq = 1;
  eq &= memcmp(a->nflag, b->nflag, n * 4) == 0;
  eq &= memcmp(a->ntop, b->ntop, n * 4) == 0;
  eq &= memcmp(a->rank_mean, b->rank_mean, n * 8) == 0;
  eq &= memcmp(a->rank_min, b->rank_min, n * 4) == 0;
  eq &= memcmp(a->rank_max, b->rank_max, n * 4) == 0;
  eq &= memcmp(a->rank_q, b->rank_q, a->nq * n * 4) == 0;
  eq &= memcmp(a->d_nflag, b->d_nflag, D * 8) == 0;
  eq &= memcmp(a->d_jaccard, b->d_jaccard, D * 8) == 0;
  eq &= memcmp(a->d_shift, b->d_shift, D * 8) == 0;
  eq &= memcmp(a->d_w, b->d_w, D * a->k * 8) == 0;
  eq &= memcmp(a->d_trans, b->d_trans, D * 4) == 0;
  eq &= memcmp(a->d_agg, b->d_agg, D * 4) == 0;
  eq &= memcmp(a->d_cut, b->d_cut, D * 4) == 0;
  eq &= memcmp(a->d_cutdep, b->d_cutdep, D * 4) == 0;
  eq &= memcmp(a->base_flag, b->base_flag, n) == 0;
  eq &= memcmp(a->base_rank, b->base_rank, n * 4) == 0;
  return eq;
}

static void full_model(cni_mc_model *m, synth *s, const double *alpha, const cni_mc_agg *agg) {
  memset(m, 0, sizeof *m);
  m->n = s->n;
  m->k = 3;
  m->ntrans = 2;
  m->dom = s->dom;
  m->wprior = CNI_MC_W_DIRICHLET;
  m->alpha = alpha;
  m->nagg = 2;
  m->agg = agg;
  m->cut_lo = s->n / 10;
  m->cut_hi = s->n / 5;
  m->dep = s->dep;
  m->dep_lo = s->n / 4;
  m->dep_hi = s->n / 2;
}

static int cancel_after(void *ud, size_t done, size_t total) {
  (void)total;
  size_t *limit = ud;
  return done >= *limit;
}

static void test_engine_determinism(void) {
  synth s;
  synth_init(&s, 1500, 9, 1, 0);
  const double alpha[3] = {4, 2, 3};
  const cni_mc_agg agg[2] = {CNI_MC_AGG_WSUM, CNI_MC_AGG_GEOMEAN};
  cni_mc_model m;
  full_model(&m, &s, alpha, agg);
  cni_mc_ctl ctl;
  memset(&ctl, 0, sizeof ctl);
  ctl.block = 13;   /* many small blocks: exercises the dynamic hand-out and the chunk locks */
  cni_mc_result r1, r2, r3, r4, r5;
  cni_err e;
  CHECK_EQ_INT(cni_mc_run(&m, 777, 123, 1, &ctl, &r1, &e), CNI_OK);
  CHECK_EQ_INT(cni_mc_run(&m, 777, 123, 2, &ctl, &r2, &e), CNI_OK);
  CHECK_EQ_INT(cni_mc_run(&m, 777, 123, 3, NULL, &r3, &e), CNI_OK);
  CHECK_EQ_INT(cni_mc_run(&m, 777, 124, 2, NULL, &r4, &e), CNI_OK);
  CHECK_EQ_INT(r2.nthreads, 2);
  CHECK(result_equal(&r1, &r2));    /* 1 vs 2 threads: same bytes */
  CHECK(result_equal(&r1, &r3));    /* other block size, 3 threads */
  CHECK(!result_equal(&r1, &r4));   /* other seed */
  CHECK(memcmp(r1.d_w, r4.d_w, 8 * 3) != 0);
  /* two-pass percentiles (tiny memory budget) give the same answer */
  ctl.memory = 1000000;
  CHECK_EQ_INT(cni_mc_run(&m, 777, 123, 2, &ctl, &r5, &e), CNI_OK);
  CHECK_EQ_INT(r5.passes, 2);
  CHECK(memcmp(r1.rank_q, r5.rank_q, r1.nq * r1.n * 4) == 0);
  CHECK(memcmp(r1.nflag, r5.nflag, r1.n * 4) == 0);
  CHECK(memcmp(r1.rank_mean, r5.rank_mean, r1.n * 8) == 0);
  /* without percentiles: no histogram, same counts and per-draw outputs */
  {
    cni_mc_result r6;
    m.no_quantiles = 1;
    CHECK_EQ_INT(cni_mc_run(&m, 777, 123, 2, NULL, &r6, &e), CNI_OK);
    m.no_quantiles = 0;
    CHECK_EQ_INT(r6.nq, 0);
    CHECK_EQ_INT(r6.hist_bytes, 0);
    CHECK(memcmp(r1.nflag, r6.nflag, r1.n * 4) == 0 && memcmp(r1.ntop, r6.ntop, r1.n * 4) == 0);
    CHECK(memcmp(r1.rank_mean, r6.rank_mean, r1.n * 8) == 0);
    CHECK(memcmp(r1.d_shift, r6.d_shift, 777 * 8) == 0 && memcmp(r1.d_jaccard, r6.d_jaccard, 777 * 8) == 0);
    cni_mc_result_free(&r6);
  }
  /* sanity: the choices vary, flags follow the two-index rule */
  int tv = 0, av = 0, cv = 0;
  for (size_t d = 1; d < 777; d++) {
    tv |= r1.d_trans[d] != r1.d_trans[0];
    av |= r1.d_agg[d] != r1.d_agg[0];
    cv |= r1.d_cut[d] != r1.d_cut[0];
  }
  CHECK(tv && av && cv);
  int cutok = 1, jok = 1;
  for (size_t d = 0; d < 777; d++) {
    cutok &= r1.d_cut[d] >= 150 && r1.d_cut[d] <= 300 && r1.d_cutdep[d] >= 375 && r1.d_cutdep[d] <= 750;
    cutok &= r1.d_nflag[d] <= r1.d_cut[d];
    jok &= r1.d_jaccard[d] >= 0 && r1.d_jaccard[d] <= 1;
  }
  CHECK(cutok);
  CHECK(jok);
  /* the missing area ranks last in every draw */
  CHECK_EQ_INT(r1.rank_min[s.n / 3], (long long)s.n);
  CHECK_EQ_INT(r1.nflag[s.n / 3], 0);
  /* cancellation through the progress callback */
  size_t limit = 100;
  ctl.memory = 0;
  ctl.progress = cancel_after;
  ctl.progress_ud = &limit;
  cni_mc_result rc;
  CHECK_EQ_INT(cni_mc_run(&m, 777, 123, 2, &ctl, &rc, &e), CNI_MC_CANCELLED);
  cni_mc_result_free(&rc);
  volatile int flag = 1;
  ctl.progress = NULL;
  ctl.cancel = &flag;
  CHECK_EQ_INT(cni_mc_run(&m, 777, 123, 2, &ctl, &rc, &e), CNI_MC_CANCELLED);
  cni_mc_result_free(&rc);
  cni_mc_result_free(&r1);
  cni_mc_result_free(&r2);
  cni_mc_result_free(&r3);
  cni_mc_result_free(&r4);
  cni_mc_result_free(&r5);
  synth_free(&s);
}

static int cmp_u32(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return (x > y) - (x < y);
}

/* Recomputes every draw by brute force (the documented streams, the
** documented sums, cni_argsort for the ranks, a full sort per area for the
** percentiles) and compares with the engine. */
static void brute_check(size_t n, size_t D, int ties, int with_nan, size_t memory) {
  synth s;
  synth_init(&s, n, 1000 + n, with_nan, ties);
  const double alpha[3] = {1.5, 0.7, 3};
  cni_mc_model m;
  memset(&m, 0, sizeof m);
  m.n = n;
  m.k = 3;
  m.ntrans = 1;
  m.dom = s.dom;
  m.wprior = CNI_MC_W_DIRICHLET;
  m.alpha = alpha;
  m.scale = 3;
  m.cut_lo = 3;
  m.cut_hi = n / 2;
  m.top = n / 10;
  const double q[5] = {0.05, 0.5, 0.95, 0.001, 1.0};
  m.nq = 5;
  m.q = q;
  cni_mc_ctl ctl;
  memset(&ctl, 0, sizeof ctl);
  ctl.memory = memory;
  ctl.block = 7;
  cni_mc_result res;
  cni_err e;
  uint64_t seed = 555;
  CHECK_EQ_INT(cni_mc_run(&m, D, seed, 2, &ctl, &res, &e), CNI_OK);
  uint32_t *ranks = malloc(D * n * sizeof *ranks);
  uint32_t *nflag = calloc(n, 4), *ntop = calloc(n, 4);
  double *score = malloc(n * sizeof *score);
  size_t *idx = malloc(n * sizeof *idx);
  int draws_ok = 1;
  for (size_t d = 0; d < D; d++) {
    cni_rng r;
    double w[3];
    cni_rng_seed_stream(&r, seed, d, CNI_MC_F_WEIGHTS);
    cni_rng_dirichlet(&r, alpha, 3, w);
    cni_rng_seed_stream(&r, seed, d, CNI_MC_F_CUT);
    size_t cut = m.cut_lo + cni_rng_below(&r, m.cut_hi - m.cut_lo + 1);
    draws_ok &= memcmp(w, res.d_w + d * 3, sizeof w) == 0 && res.d_cut[d] == cut;
    for (size_t i = 0; i < n; i++) score[i] = 3 * (w[0] * s.d[0][i] + w[1] * s.d[1][i] + w[2] * s.d[2][i]);
    cni_argsort(score, n, 1, idx, NULL);
    size_t nv = 0;
    for (size_t i = 0; i < n; i++) nv += !isnan(score[i]);
    for (size_t p = 0; p < n; p++) {
      ranks[idx[p] * D + d] = (uint32_t)(p + 1);
      if (p < cut && p < nv) nflag[idx[p]]++;
      if (p < m.top && p < nv) ntop[idx[p]]++;
    }
  }
  CHECK(draws_ok);
  int fl = 1, tp = 1, qq = 1, mm = 1;
  for (size_t a = 0; a < n; a++) {
    fl &= nflag[a] == res.nflag[a];
    tp &= ntop[a] == res.ntop[a];
    uint32_t *ra = ranks + a * D;
    double sum = 0;
    for (size_t d = 0; d < D; d++) sum += ra[d];
    mm &= fabs(sum / (double)D - res.rank_mean[a]) < 1e-9;
    qsort(ra, D, sizeof *ra, cmp_u32);
    mm &= ra[0] == res.rank_min[a] && ra[D - 1] == res.rank_max[a];
    for (size_t j = 0; j < 5; j++) {
      size_t k = (size_t)ceil(q[j] * (double)D - 1e-9);
      if (k < 1) k = 1;
      qq &= ra[k - 1] == res.rank_q[j * n + a];
    }
  }
  CHECK(fl);
  CHECK(tp);
  CHECK(qq);
  CHECK(mm);
  if (!qq) fprintf(stderr, "  brute force: n=%d D=%d ties=%d nan=%d passes=%d\n", (int)n, (int)D, ties, with_nan, res.passes);
  /* sum of p_top10 over areas = top exactly */
  uint64_t tot = 0;
  for (size_t a = 0; a < n; a++) tot += res.ntop[a];
  CHECK_EQ_INT(tot, (long long)(m.top * D));
  free(ranks);
  free(nflag);
  free(ntop);
  free(score);
  free(idx);
  cni_mc_result_free(&res);
  synth_free(&s);
}

static void test_engine_exact(void) {
  brute_check(40, 301, 0, 0, 0);          /* full 16-bit histogram */
  brute_check(57, 1000, 1, 0, 0);         /* many ties (input order breaks them) */
  brute_check(90, 500, 0, 1, 0);          /* a missing value */
  brute_check(120, 400, 1, 1, 25000);     /* two-pass percentiles */
  brute_check(25, 70000, 0, 0, 0);        /* 32-bit histogram (draws > 65535) */
  CHECK_EQ_INT(cni_mc_nearest_rank(0.05, 10000), 500);
  CHECK_EQ_INT(cni_mc_nearest_rank(0.5, 10000), 5000);
  CHECK_EQ_INT(cni_mc_nearest_rank(0.95, 10000), 9500);
  CHECK_EQ_INT(cni_mc_nearest_rank(0.05, 301), 16);
  CHECK_EQ_INT(cni_mc_nearest_rank(1.0, 301), 301);
  CHECK_EQ_INT(cni_mc_nearest_rank(0.0001, 301), 1);
  CHECK_EQ_INT(cni_mc_nearest_rank(0.07, 100), 7);    /* 0.07 * 100 = 7.000000000000001 */
}

static void test_engine_misc(void) {
  synth s;
  synth_init(&s, 300, 3, 0, 0);
  cni_mc_model m;
  memset(&m, 0, sizeof m);
  m.n = 300;
  m.k = 3;
  m.dom = s.dom;
  const double w[3] = {0.2, 0.3, 0.5};
  m.wprior = CNI_MC_W_FIXED;
  m.w = w;
  m.cut_lo = m.cut_hi = 30;
  cni_mc_result r;
  cni_err e;
  /* fixed weights, fixed cut: every draw equals the base analysis */
  CHECK_EQ_INT(cni_mc_run(&m, 50, 1, 2, NULL, &r, &e), CNI_OK);
  int same = 1;
  for (size_t d = 0; d < 50; d++) same &= r.d_jaccard[d] == 1 && r.d_shift[d] == 0 && r.d_nflag[d] == 30;
  CHECK(same);
  int p01 = 1;
  for (size_t a = 0; a < 300; a++) p01 &= (r.nflag[a] == 0 || r.nflag[a] == 50) && (r.nflag[a] == 50) == r.base_flag[a];
  CHECK(p01);
  CHECK_EQ_INT(r.base_nflag, 30);
  cni_mc_result_free(&r);
  /* bounded weights stay in their bounds */
  const double lo[3] = {0.1, 0.2, 0.1}, hi[3] = {0.5, 0.5, 0.4};
  m.wprior = CNI_MC_W_BOUNDED;
  m.wlo = lo;
  m.whi = hi;
  CHECK_EQ_INT(cni_mc_run(&m, 2000, 1, 2, NULL, &r, &e), CNI_OK);
  int inb = 1;
  for (size_t d = 0; d < 2000; d++)
    for (int j = 0; j < 3; j++) inb &= r.d_w[d * 3 + j] >= lo[j] - 1e-12 && r.d_w[d * 3 + j] <= hi[j] + 1e-12;
  CHECK(inb);
  CHECK(r.accept > 0 && r.accept < 1);
  cni_mc_result_free(&r);
  /* bad models */
  m.wprior = CNI_MC_W_DIRICHLET;
  m.alpha = NULL;
  CHECK_EQ_INT(cni_mc_run(&m, 10, 1, 1, NULL, &r, &e), CNI_EARG);
  cni_mc_result_free(&r);
  const double al[3] = {1, -1, 1};
  m.alpha = al;
  CHECK_EQ_INT(cni_mc_run(&m, 10, 1, 1, NULL, &r, &e), CNI_EARG);
  cni_mc_result_free(&r);
  m.alpha = w;
  m.cut_hi = 301;
  CHECK_EQ_INT(cni_mc_run(&m, 10, 1, 1, NULL, &r, &e), CNI_EARG);
  cni_mc_result_free(&r);
  m.cut_hi = 30;
  CHECK_EQ_INT(cni_mc_run(&m, 0, 1, 1, NULL, &r, &e), CNI_EARG);
  cni_mc_result_free(&r);
  /* transforms */
  double x[6] = {3, 1, NAN, 2, 2, 10}, o[6];
  CHECK_EQ_INT(cni_mc_transform_column(x, 6, CNI_MC_TR_RANK, o, &e), CNI_OK);
  CHECK_NEAR(o[0], 4.0 / 5, 1e-15);
  CHECK_NEAR(o[3], 2.5 / 5, 1e-15);
  CHECK(isnan(o[2]));
  CHECK_EQ_INT(cni_mc_transform_column(x, 6, CNI_MC_TR_EXP, o, &e), CNI_OK);
  CHECK_NEAR(o[5], 100, 1e-12);   /* the largest value: rank 1 */
  CHECK(o[1] < o[3] && o[3] == o[4]);
  CHECK_EQ_INT(cni_mc_transform_column(x, 6, CNI_MC_TR_NORMAL, o, &e), CNI_OK);
  CHECK_NEAR(o[5], cni_qnorm(4.5 / 5), 1e-15);
  synth_free(&s);
}

static void test_engine_sobol(void) {
  synth s;
  synth_init(&s, 800, 21, 0, 0);
  cni_mc_model m;
  memset(&m, 0, sizeof m);
  m.n = 800;
  m.k = 3;
  m.dom = s.dom;
  const double w[3] = {0.2, 0.3, 0.5};
  m.wprior = CNI_MC_W_FIXED;
  m.w = w;
  m.cut_lo = 50;
  m.cut_hi = 150;
  /* only the cut is uncertain: it explains everything */
  cni_mc_sobol_result r1, r2;
  cni_err e;
  CHECK_EQ_INT(cni_mc_sobol(&m, 512, 5, 1, 100, 0.95, NULL, &r1, &e), CNI_OK);
  CHECK_EQ_INT(r1.nf, 1);
  CHECK_EQ_INT(r1.factor[0], CNI_MC_F_CUT);
  CHECK_NEAR(r1.S1[CNI_MC_Y_NFLAG], 1, 0.1);
  CHECK_NEAR(r1.ST[CNI_MC_Y_NFLAG], 1, 0.1);
  CHECK_NEAR(r1.ST[CNI_MC_Y_JACCARD], 1, 0.1);
  CHECK(r1.S1[CNI_MC_Y_SHIFT] == 0 || isnan(r1.S1[CNI_MC_Y_SHIFT]));   /* ranks never move */
  cni_mc_sobol_result_free(&r1);
  /* three uncertain choices; 1 vs 2 threads identical */
  const double alpha[3] = {5, 5, 5};
  const cni_mc_agg agg[2] = {CNI_MC_AGG_WSUM, CNI_MC_AGG_HARMEAN};
  full_model(&m, &s, alpha, agg);
  m.dep = NULL;
  CHECK_EQ_INT(cni_mc_sobol(&m, 256, 5, 1, 50, 0.95, NULL, &r1, &e), CNI_OK);
  CHECK_EQ_INT(cni_mc_sobol(&m, 256, 5, 2, 50, 0.95, NULL, &r2, &e), CNI_OK);
  CHECK_EQ_INT(r1.nf, 4);
  size_t ny = (size_t)CNI_MC_NY * (r1.nf + 2) * 256;
  CHECK(memcmp(r1.y, r2.y, ny * sizeof(double)) == 0);
  CHECK(memcmp(r1.S1, r2.S1, sizeof r1.S1) == 0 && memcmp(r1.SThi, r2.SThi, sizeof r1.SThi) == 0);
  int sane = 1;
  for (size_t i = 0; i < CNI_MC_NY * r1.nf; i++) sane &= r1.ST[i] >= 0 && r1.ST[i] < 1.5;
  CHECK(sane);
  /* flagged count: only the cut matters (no two-index rule) */
  size_t ic = 0;
  for (size_t i = 0; i < r1.nf; i++) if (r1.factor[i] == CNI_MC_F_CUT) ic = i;
  CHECK_NEAR(r1.ST[CNI_MC_Y_NFLAG * r1.nf + ic], 1, 0.1);
  CHECK_NEAR(r1.ST[CNI_MC_Y_NFLAG * r1.nf + (ic + 1) % r1.nf], 0, 1e-12);
  cni_mc_sobol_result_free(&r1);
  cni_mc_sobol_result_free(&r2);
  /* nothing uncertain */
  m.wprior = CNI_MC_W_FIXED;
  m.w = w;
  m.ntrans = 1;
  m.nagg = 0;
  m.cut_hi = m.cut_lo;
  CHECK_EQ_INT(cni_mc_sobol(&m, 64, 5, 1, 0, 0.95, NULL, &r1, &e), CNI_EARG);
  cni_mc_sobol_result_free(&r1);
  synth_free(&s);
}

int main(int argc, char **argv) {
  (void)argc;
  (void)argv;
  test_streams();
  test_normal_gamma();
  test_dirichlet();
  test_simplex_bounded();
  test_poisson();
  test_sobol_seq();
  test_ishigami();
  test_engine_determinism();
  test_engine_exact();
  test_engine_misc();
  test_engine_sobol();
  return CHECK_DONE();
}
