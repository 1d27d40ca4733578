/*
** cni_rng.c: deterministic random number generators (MINSTD, SplitMix64,
** xoshiro256**, normal/gamma/Dirichlet/bounded simplex/Poisson samplers,
** Sobol' sequence).
** Layer: core. Never includes Lua headers. No globals (tables are const).
*/
#include <math.h>

#include "cni_rng.h"

void cni_minstd_fill(double *out_, size_t n, uint64_t *state) {
  const uint64_t m = 2147483647u;
  uint64_t x = *state;
  for (size_t i = 0; i < n; i++) {
    x = x * 48271u % m;
    out_[i] = (double)x / (double)m;
  }
  *state = x;
}

/* {===== SplitMix64 and xoshiro256** */

uint64_t cni_mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
  return z ^ (z >> 31);
}

uint64_t cni_splitmix64(uint64_t *state) {
  *state += 0x9e3779b97f4a7c15u;
  return cni_mix64(*state);
}

uint64_t cni_rng_key(uint64_t seed, uint64_t stream, uint64_t sub) {
  uint64_t h = cni_mix64(seed + 0x9e3779b97f4a7c15u);
  h = cni_mix64((h ^ stream) + 0xd1b54a32d192ed03u);
  return cni_mix64((h ^ sub) + 0x8cb92ba72f3d8dd7u);
}

void cni_rng_seed(cni_rng *r, uint64_t key) {
  uint64_t st = key;
  for (int i = 0; i < 4; i++) r->s[i] = cni_splitmix64(&st);
  if ((r->s[0] | r->s[1] | r->s[2] | r->s[3]) == 0) r->s[0] = 1;  /* cannot happen; kept safe */
  r->spare = 0;
  r->has_spare = 0;
}

void cni_rng_seed_stream(cni_rng *r, uint64_t seed, uint64_t stream, uint64_t sub) {
  cni_rng_seed(r, cni_rng_key(seed, stream, sub));
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t cni_rng_next(cni_rng *r) {
  uint64_t *s = r->s;
  const uint64_t result = rotl(s[1] * 5, 7) * 9;
  const uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return result;
}

double cni_rng_uniform(cni_rng *r) {
  return ((double)(cni_rng_next(r) >> 11) + 0.5) * 0x1.0p-53;
}

uint64_t cni_rng_below(cni_rng *r, uint64_t n) {
  if (n == 0) return 0;
  /* reject the lowest 2^64 mod n outputs, then x mod n is exactly uniform */
  const uint64_t threshold = (0 - n) % n;
  for (;;) {
    uint64_t x = cni_rng_next(r);
    if (x >= threshold) return x % n;
  }
}

/* }===== */

/* {===== distributions */

double cni_rng_normal(cni_rng *r) {
  if (r->has_spare) {
    r->has_spare = 0;
    return r->spare;
  }
  double u, v, s;
  do {
    u = 2.0 * cni_rng_uniform(r) - 1.0;
    v = 2.0 * cni_rng_uniform(r) - 1.0;
    s = u * u + v * v;
  } while (s >= 1.0 || s == 0.0);
  double m = sqrt(-2.0 * log(s) / s);
  r->spare = v * m;
  r->has_spare = 1;
  return u * m;
}

/* Marsaglia-Tsang for shape >= 1. */
static double gamma_mt(cni_rng *r, double shape) {
  const double d = shape - 1.0 / 3.0, c = 1.0 / sqrt(9.0 * d);
  for (;;) {
    double x, v;
    do {
      x = cni_rng_normal(r);
      v = 1.0 + c * x;
    } while (v <= 0.0);
    v = v * v * v;
    double u = cni_rng_uniform(r), x2 = x * x;
    if (u < 1.0 - 0.0331 * x2 * x2) return d * v;
    if (log(u) < 0.5 * x2 + d * (1.0 - v + log(v))) return d * v;
  }
}

double cni_rng_gamma(cni_rng *r, double shape) {
  if (!(shape > 0) || !isfinite(shape)) return NAN;
  if (shape >= 1.0) return gamma_mt(r, shape);
  double g = gamma_mt(r, shape + 1.0);
  return g * pow(cni_rng_uniform(r), 1.0 / shape);
}

int cni_rng_dirichlet(cni_rng *r, const double *alpha, size_t k, double *out_) {
  int small = 0;
  for (size_t j = 0; j < k; j++) {
    if (!(alpha[j] > 0) || !isfinite(alpha[j])) return -1;
    if (alpha[j] < 1.0) small = 1;
  }
  if (k == 0) return 0;
  if (!small) {
    double s = 0;
    for (size_t j = 0; j < k; j++) { out_[j] = gamma_mt(r, alpha[j]); s += out_[j]; }
    for (size_t j = 0; j < k; j++) out_[j] = out_[j] / s;
    return 0;
  }
  /* log space: log G = log Gamma(a) for a >= 1, log Gamma(a+1) + log(U)/a otherwise */
  double mx = -INFINITY, s = 0;
  for (size_t j = 0; j < k; j++) {
    double a = alpha[j];
    out_[j] = a >= 1.0 ? log(gamma_mt(r, a))
                       : log(gamma_mt(r, a + 1.0)) + log(cni_rng_uniform(r)) / a;
    if (out_[j] > mx) mx = out_[j];
  }
  for (size_t j = 0; j < k; j++) { out_[j] = exp(out_[j] - mx); s += out_[j]; }
  for (size_t j = 0; j < k; j++) out_[j] = out_[j] / s;
  return 0;
}

double cni_simplex_cap_fraction(const double *c, size_t k) {
  if (k == 0) return NAN;
  if (k == 1) return c[0] >= 1.0 ? 1.0 : 0.0;
  /* only binding caps matter */
  double cb[24];
  size_t m = 0;
  for (size_t j = 0; j < k; j++) {
    if (c[j] < 0) return 0.0;
    if (c[j] < 1.0) {
      if (m == 24) return NAN;
      cb[m++] = c[j];
    }
  }
  double tot = 0;
  for (uint32_t S = 0; S < (1u << m); S++) {
    double sum = 0;
    int bits = 0;
    for (size_t j = 0; j < m; j++)
      if (S >> j & 1u) { sum += cb[j]; bits++; }
    double t = 1.0 - sum;
    if (t <= 0) continue;
    double term = pow(t, (double)(k - 1));
    tot += (bits & 1) ? -term : term;
  }
  if (tot < 0) tot = 0;
  if (tot > 1) tot = 1;
  return tot;
}

size_t cni_rng_simplex_bounded(cni_rng *r, const double *lo, const double *hi,
                               size_t k, size_t max_tries, double *out_) {
  double s = 1.0;
  for (size_t j = 0; j < k; j++) s -= lo[j];
  if (k == 0) return 1;
  if (s <= 0) {
    for (size_t j = 0; j < k; j++) out_[j] = lo[j];
    return 1;
  }
  for (size_t t = 1; t <= max_tries; t++) {
    double tot = 0;
    for (size_t j = 0; j < k; j++) { out_[j] = -log(cni_rng_uniform(r)); tot += out_[j]; }
    int ok = 1;
    for (size_t j = 0; j < k; j++) {
      double w = lo[j] + s * (out_[j] / tot);
      if (w > hi[j]) ok = 0;
      out_[j] = w;
    }
    if (ok) return t;
  }
  return 0;
}

size_t cni_rng_simplex_box(cni_rng *r, const double *lo, const double *hi, size_t k,
                           size_t last, size_t max_tries, double *out_) {
  if (k == 0) return 1;
  for (size_t t = 1; t <= max_tries; t++) {
    double s = 0;
    for (size_t j = 0; j < k; j++) {
      if (j == last) continue;
      out_[j] = lo[j] + (hi[j] - lo[j]) * cni_rng_uniform(r);
      s += out_[j];
    }
    double wl = 1.0 - s;
    if (wl >= lo[last] && wl <= hi[last]) {
      out_[last] = wl;
      return t;
    }
  }
  return 0;
}

int cni_simplex_plan_make(const double *lo, const double *hi, size_t k, cni_simplex_plan *p) {
  p->method = 0;
  p->last = 0;
  p->accept = 1;
  p->max_tries = 1;
  if (k == 0 || k > 64) return -1;
  double slo = 0, shi = 0;
  for (size_t j = 0; j < k; j++) {
    if (!(lo[j] >= 0) || !(hi[j] >= lo[j]) || !isfinite(hi[j])) return -1;
    slo += lo[j];
    shi += hi[j];
    if (hi[j] - lo[j] > hi[p->last] - lo[p->last]) p->last = j;
  }
  if (slo > 1 + 1e-12 || shi < 1 - 1e-12) return -1;
  double s = 1 - slo;
  if (s <= 0) return 0;   /* w = lo */
  double c[64];
  for (size_t j = 0; j < k; j++) c[j] = (hi[j] - lo[j]) / s;
  double as = cni_simplex_cap_fraction(c, k);
  /* box pilot: fixed stream, so the plan is deterministic */
  cni_rng r;
  cni_rng_seed(&r, UINT64_C(0x5eed0b0c5));
  double w[64];
  size_t acc = 0, trials = 20000;
  for (size_t t = 0; t < trials; t++) acc += cni_rng_simplex_box(&r, lo, hi, k, p->last, 1, w) == 1;
  double ab = (double)acc / (double)trials;
  if (as != as) as = 0;   /* more than 24 binding caps: unknown, prefer the box if it works */
  if (acc >= 20 && ab > as) {
    p->method = 1;
    p->accept = ab;
  } else {
    p->method = 0;
    p->accept = as;
  }
  if (!(p->accept >= 1e-6)) return -2;
  double tries = 60.0 / p->accept + 1000;
  p->max_tries = (size_t)(tries > 1e9 ? 1e9 : tries);
  return 0;
}

size_t cni_rng_simplex_plan(cni_rng *r, const cni_simplex_plan *p, const double *lo,
                            const double *hi, size_t k, double *out_) {
  if (p->method == 1) return cni_rng_simplex_box(r, lo, hi, k, p->last, p->max_tries, out_);
  return cni_rng_simplex_bounded(r, lo, hi, k, p->max_tries, out_);
}

double cni_log_factorial(double k) {
  if (k < 30) {
    double s = 0;
    for (int i = 2; i <= (int)k; i++) s += log((double)i);
    return s;
  }
  double x = k + 1.0, x2 = 1.0 / (x * x);
  return (x - 0.5) * log(x) - x + 0.91893853320467274178 /* log(2 pi) / 2 */
         + (1.0 / 12.0 - x2 * (1.0 / 360.0 - x2 * (1.0 / 1260.0 - x2 / 1680.0))) / x;
}

double cni_rng_poisson(cni_rng *r, double lambda) {
  if (lambda == 0) return 0;
  if (!(lambda > 0) || !isfinite(lambda)) return NAN;
  if (lambda < 10.0) {
    double p = exp(-lambda), F = p, u = cni_rng_uniform(r), x = 0;
    while (u > F && x < 1000) {
      x += 1;
      p *= lambda / x;
      F += p;
    }
    return x;
  }
  const double slam = sqrt(lambda), loglam = log(lambda);
  const double b = 0.931 + 2.53 * slam, a = -0.059 + 0.02483 * b;
  const double invalpha = 1.1239 + 1.1328 / (b - 3.4), vr = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    double U = cni_rng_uniform(r) - 0.5, V = cni_rng_uniform(r);
    double us = 0.5 - fabs(U);
    double k = floor((2 * a / us + b) * U + lambda + 0.43);
    if (us >= 0.07 && V <= vr) return k;
    if (k < 0 || (us < 0.013 && V > us)) continue;
    if (log(V) + log(invalpha) - log(a / (us * us) + b) <= -lambda + k * loglam - cni_log_factorial(k))
      return k;
  }
}

/* }===== */

/* {===== Sobol' sequence */

/* Joe & Kuo new-joe-kuo-6.21201: primitive polynomials (with the leading
** and trailing 1 bits) and initial direction numbers m_1..m_s of the first
** 64 dimensions (dimension 1 is van der Corput and uses no table entry). */
static const uint16_t sobol_poly[CNI_SOBOL_MAXDIM] = {
  1, 3, 7, 11, 13, 19, 25, 37, 41, 47, 55, 59, 61, 67, 91, 97,
  103, 109, 115, 131, 137, 143, 145, 157, 167, 171, 185, 191, 193, 203, 211, 213,
  229, 239, 241, 247, 253, 285, 299, 301, 333, 351, 355, 357, 361, 369, 391, 397,
  425, 451, 463, 487, 501, 529, 539, 545, 557, 563, 601, 607, 617, 623, 631, 637,
};
static const uint16_t sobol_minit[CNI_SOBOL_MAXDIM][10] = {
  {1, 0, 0, 0, 0, 0, 0, 0, 0, 0},
  {1, 0, 0, 0, 0, 0, 0, 0, 0, 0},
  {1, 3, 0, 0, 0, 0, 0, 0, 0, 0},
  {1, 3, 1, 0, 0, 0, 0, 0, 0, 0},
  {1, 1, 1, 0, 0, 0, 0, 0, 0, 0},
  {1, 1, 3, 3, 0, 0, 0, 0, 0, 0},
  {1, 3, 5, 13, 0, 0, 0, 0, 0, 0},
  {1, 1, 5, 5, 17, 0, 0, 0, 0, 0},
  {1, 1, 5, 5, 5, 0, 0, 0, 0, 0},
  {1, 1, 7, 11, 19, 0, 0, 0, 0, 0},
  {1, 1, 5, 1, 1, 0, 0, 0, 0, 0},
  {1, 1, 1, 3, 11, 0, 0, 0, 0, 0},
  {1, 3, 5, 5, 31, 0, 0, 0, 0, 0},
  {1, 3, 3, 9, 7, 49, 0, 0, 0, 0},
  {1, 1, 1, 15, 21, 21, 0, 0, 0, 0},
  {1, 3, 1, 13, 27, 49, 0, 0, 0, 0},
  {1, 1, 1, 15, 7, 5, 0, 0, 0, 0},
  {1, 3, 1, 15, 13, 25, 0, 0, 0, 0},
  {1, 1, 5, 5, 19, 61, 0, 0, 0, 0},
  {1, 3, 7, 11, 23, 15, 103, 0, 0, 0},
  {1, 3, 7, 13, 13, 15, 69, 0, 0, 0},
  {1, 1, 3, 13, 7, 35, 63, 0, 0, 0},
  {1, 3, 5, 9, 1, 25, 53, 0, 0, 0},
  {1, 3, 1, 13, 9, 35, 107, 0, 0, 0},
  {1, 3, 1, 5, 27, 61, 31, 0, 0, 0},
  {1, 1, 5, 11, 19, 41, 61, 0, 0, 0},
  {1, 3, 5, 3, 3, 13, 69, 0, 0, 0},
  {1, 1, 7, 13, 1, 19, 1, 0, 0, 0},
  {1, 3, 7, 5, 13, 19, 59, 0, 0, 0},
  {1, 1, 3, 9, 25, 29, 41, 0, 0, 0},
  {1, 3, 5, 13, 23, 1, 55, 0, 0, 0},
  {1, 3, 7, 3, 13, 59, 17, 0, 0, 0},
  {1, 3, 1, 3, 5, 53, 69, 0, 0, 0},
  {1, 1, 5, 5, 23, 33, 13, 0, 0, 0},
  {1, 1, 7, 7, 1, 61, 123, 0, 0, 0},
  {1, 1, 7, 9, 13, 61, 49, 0, 0, 0},
  {1, 3, 3, 5, 3, 55, 33, 0, 0, 0},
  {1, 3, 1, 15, 31, 13, 49, 245, 0, 0},
  {1, 3, 5, 15, 31, 59, 63, 97, 0, 0},
  {1, 3, 1, 11, 11, 11, 77, 249, 0, 0},
  {1, 3, 1, 11, 27, 43, 71, 9, 0, 0},
  {1, 1, 7, 15, 21, 11, 81, 45, 0, 0},
  {1, 3, 7, 3, 25, 31, 65, 79, 0, 0},
  {1, 3, 1, 1, 19, 11, 3, 205, 0, 0},
  {1, 1, 5, 9, 19, 21, 29, 157, 0, 0},
  {1, 3, 7, 11, 1, 33, 89, 185, 0, 0},
  {1, 3, 3, 3, 15, 9, 79, 71, 0, 0},
  {1, 3, 7, 11, 15, 39, 119, 27, 0, 0},
  {1, 1, 3, 1, 11, 31, 97, 225, 0, 0},
  {1, 1, 1, 3, 23, 43, 57, 177, 0, 0},
  {1, 3, 7, 7, 17, 17, 37, 71, 0, 0},
  {1, 3, 1, 5, 27, 63, 123, 213, 0, 0},
  {1, 1, 3, 5, 11, 43, 53, 133, 0, 0},
  {1, 3, 5, 5, 29, 17, 47, 173, 479, 0},
  {1, 3, 3, 11, 3, 1, 109, 9, 69, 0},
  {1, 1, 1, 5, 17, 39, 23, 5, 343, 0},
  {1, 3, 1, 5, 25, 15, 31, 103, 499, 0},
  {1, 1, 1, 11, 11, 17, 63, 105, 183, 0},
  {1, 1, 5, 11, 9, 29, 97, 231, 363, 0},
  {1, 1, 5, 15, 19, 45, 41, 7, 383, 0},
  {1, 3, 7, 7, 31, 19, 83, 137, 221, 0},
  {1, 1, 1, 3, 23, 15, 111, 223, 83, 0},
  {1, 1, 5, 13, 31, 15, 55, 25, 161, 0},
  {1, 1, 3, 13, 25, 47, 39, 87, 257, 0},
};

int cni_sobol_init(cni_sobol *s, unsigned dim) {
  if (dim < 1 || dim > CNI_SOBOL_MAXDIM) return -1;
  s->dim = dim;
  s->index = 0;
  for (unsigned d = 0; d < dim; d++) {
    uint32_t *v = s->v[d];
    s->x[d] = 0;
    if (d == 0) {
      for (int i = 0; i < 32; i++) v[i] = (uint32_t)1 << (31 - i);
      continue;
    }
    unsigned p = sobol_poly[d], deg = 0;
    while ((p >> (deg + 1)) != 0) deg++;
    for (unsigned i = 0; i < deg && i < 32; i++) v[i] = (uint32_t)sobol_minit[d][i] << (31 - i);
    for (unsigned i = deg; i < 32; i++) {
      uint32_t w = v[i - deg] ^ (v[i - deg] >> deg);
      for (unsigned k = 1; k < deg; k++)
        if ((p >> (deg - k)) & 1u) w ^= v[i - k];
      v[i] = w;
    }
  }
  return 0;
}

int cni_sobol_next(cni_sobol *s, double *out_) {
  if (s->index == UINT32_MAX) return -1;
  for (unsigned d = 0; d < s->dim; d++) out_[d] = (double)s->x[d] * 0x1.0p-32;
  uint32_t i = s->index, c = 0;
  while (i & 1u) { i >>= 1; c++; }   /* trailing ones of index */
  for (unsigned d = 0; d < s->dim; d++) s->x[d] ^= s->v[d][c];
  s->index++;
  return 0;
}

/* }===== */
