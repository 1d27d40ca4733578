/*
** cni_stats.c: statistical kernels (see cni_stats.h, docs/numerics.md).
** Layer: core. Pure C11, no I/O, no globals.
*/
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cni_par.h"
#include "cni_stats.h"

#define SIGN64 ((uint64_t)1 << 63)
#define RADIX_BITS 11
#define RADIX_SIZE ((size_t)1 << RADIX_BITS)
#define RADIX_MASK ((uint64_t)RADIX_SIZE - 1)
#define RADIX_PASSES 6 /* ceil(64 / 11) */
#define SMALL_SORT 64

/* ------------------------------------------------------------ sort keys */

/* Order-preserving key of a double: ascending key order == numeric order,
** -0.0 canonicalised to +0.0, NaN -> UINT64_MAX (after +Inf). */
static uint64_t key_of(double v) {
  uint64_t u;
  if (v != v) return UINT64_MAX;
  if (v == 0.0) v = 0.0;
  memcpy(&u, &v, sizeof u);
  return (u & SIGN64) ? ~u : (u ^ SIGN64);
}

static double value_of(uint64_t k) {
  uint64_t u = (k & SIGN64) ? (k ^ SIGN64) : ~k;
  double v;
  memcpy(&v, &u, sizeof v);
  return v;
}

/* Stable insertion sort of (k, v) pairs (v may be NULL). */
static void insertion_kv(uint64_t *k, size_t *v, size_t n) {
  size_t i, j;
  for (i = 1; i < n; i++) {
    uint64_t kk = k[i];
    size_t vv = v ? v[i] : 0;
    for (j = i; j > 0 && k[j - 1] > kk; j--) {
      k[j] = k[j - 1];
      if (v) v[j] = v[j - 1];
    }
    k[j] = kk;
    if (v) v[j] = vv;
  }
}

/* LSD radix sort of keys k[0..n-1] with an optional payload v (v == NULL:
** keys only). kt and vt are scratch of the same size. If 'ident' the payload
** is taken to be 0..n-1 (v need not be initialised). On return *kres and
** *vres point to whichever buffer holds the sorted data. hist holds
** RADIX_PASSES * RADIX_SIZE counters. Stable. If rk != NULL (requires v),
** the last pass writes ranks instead of moving data: rk[payload] = position
** + 1 for positions < nv, NaN after (the "ties first" rank); *kres and *vres
** are then undefined. Used (size_t payload) for arrays of more than
** UINT32_MAX values and for cni_sort_values; smaller argsorts take msd_run. */
#define DEFINE_RADIX(NAME, VT)                                               \
  static void NAME(uint64_t *k, uint64_t *kt, VT *v, VT *vt, size_t n,        \
                   size_t *hist, int ident, uint64_t **kres, VT **vres,       \
                   double *rk, size_t nv, int pmin) {                        \
    size_t i;                                                                \
    int p, t, nt = 0, todo[RADIX_PASSES];                                    \
    *kres = k;                                                               \
    *vres = v;                                                               \
    memset(hist, 0, sizeof(size_t) * RADIX_PASSES * RADIX_SIZE);             \
    for (i = 0; i < n; i++) {                                                \
      uint64_t kk = k[i];                                                    \
      hist[0 * RADIX_SIZE + (kk & RADIX_MASK)]++;                            \
      hist[1 * RADIX_SIZE + ((kk >> 11) & RADIX_MASK)]++;                    \
      hist[2 * RADIX_SIZE + ((kk >> 22) & RADIX_MASK)]++;                    \
      hist[3 * RADIX_SIZE + ((kk >> 33) & RADIX_MASK)]++;                    \
      hist[4 * RADIX_SIZE + ((kk >> 44) & RADIX_MASK)]++;                    \
      hist[5 * RADIX_SIZE + (kk >> 55)]++;                                   \
    }                                                                        \
    for (p = pmin; p < RADIX_PASSES; p++) { /* skip constant digits */       \
      unsigned shift = (unsigned)(p * RADIX_BITS);                           \
      if (hist[(size_t)p * RADIX_SIZE + ((k[0] >> shift) & RADIX_MASK)] != n) \
        todo[nt++] = p;                                                      \
    }                                                                        \
    for (t = 0; t < nt; t++) {                                               \
      size_t *h = hist + (size_t)todo[t] * RADIX_SIZE;                       \
      unsigned shift = (unsigned)(todo[t] * RADIX_BITS);                     \
      size_t sum = 0, b;                                                     \
      for (b = 0; b < RADIX_SIZE; b++) {                                     \
        size_t c = h[b];                                                     \
        h[b] = sum;                                                          \
        sum += c;                                                            \
      }                                                                      \
      if (rk != NULL && t == nt - 1) { /* fused final pass: ranks */         \
        for (i = 0; i < n; i++) {                                            \
          size_t d = h[(k[i] >> shift) & RADIX_MASK]++;                      \
          rk[ident ? i : (size_t)v[i]] = d < nv ? (double)(d + 1) : NAN;     \
        }                                                                    \
        return;                                                              \
      }                                                                      \
      if (v == NULL) {                                                       \
        for (i = 0; i < n; i++) {                                            \
          uint64_t kk = k[i];                                                \
          kt[h[(kk >> shift) & RADIX_MASK]++] = kk;                          \
        }                                                                    \
      } else if (ident) {                                                    \
        for (i = 0; i < n; i++) {                                            \
          uint64_t kk = k[i];                                                \
          size_t d = h[(kk >> shift) & RADIX_MASK]++;                        \
          kt[d] = kk;                                                        \
          vt[d] = (VT)i;                                                     \
        }                                                                    \
        ident = 0;                                                           \
      } else {                                                               \
        for (i = 0; i < n; i++) {                                            \
          uint64_t kk = k[i];                                                \
          size_t d = h[(kk >> shift) & RADIX_MASK]++;                        \
          kt[d] = kk;                                                        \
          vt[d] = v[i];                                                      \
        }                                                                    \
      }                                                                      \
      { uint64_t *tk = k; k = kt; kt = tk; }                                 \
      { VT *tv = v; v = vt; vt = tv; }                                       \
    }                                                                        \
    if (ident && v != NULL)                                                  \
      for (i = 0; i < n; i++) v[i] = (VT)i;                                  \
    if (rk != NULL) /* no pass needed: all keys equal, input order */        \
      for (i = 0; i < n; i++) rk[v[i]] = i < nv ? (double)(i + 1) : NAN;     \
    *kres = k;                                                               \
    *vres = v;                                                               \
  }

DEFINE_RADIX(radix_kv, size_t)

/* Arrays of at least PARTIAL_MIN values take the MSD / cache_sort path
** below (32-bit payloads); smaller ones an insertion sort. */
#define PARTIAL_MIN ((size_t)SMALL_SORT)

/* Sorting of large arrays with 32-bit payloads (n <= UINT32_MAX). Keys
** are split on their highest varying bits (from the OR and AND of the
** keys), so no pass is spent on bits that every key shares.
**  - msd_inplace: ranges larger than CACHE_SORT_MAX are scattered stably on
**    the MSD_BITS bits below the highest varying bit; the buckets, which now
**    fit in cache, are sorted by cache_sort (or split again if still large).
**  - cache_sort: two stable LSD passes on the log2(n) + 6 bits (at most 22)
**    below the highest varying bit, then each run of keys equal in those
**    bits is put in order: by insertion if short, by cache_sort again if
**    long (its keys vary only in lower bits, so every round consumes bits).
** Stable throughout (equal keys keep their input order). Data in (ak, av),
** scratch of the same size in (bk, bv), result in (ak, av). */
#define INS_MAX 16
#define CACHE_SORT_MAX ((size_t)1 << 16)
#define MSD_BITS 11

static void ins_kv32(uint64_t *k, uint32_t *v, size_t n) {
  for (size_t i = 1; i < n; i++) {
    uint64_t kk = k[i];
    uint32_t vv = v[i];
    size_t j = i;
    for (; j > 0 && k[j - 1] > kk; j--) { k[j] = k[j - 1]; v[j] = v[j - 1]; }
    k[j] = kk;
    v[j] = vv;
  }
}

/* highest varying bit + 1 of k[0..n) (0: all equal) */
static int key_span(const uint64_t *k, size_t n) {
  uint64_t o = 0, a = ~(uint64_t)0, d;
  int h = 0;
  for (size_t i = 0; i < n; i++) { o |= k[i]; a &= k[i]; }
  for (d = o ^ a; d; d >>= 1) h++;
  return h;
}

static void cache_sort(uint64_t *ak, uint32_t *av, uint64_t *bk, uint32_t *bv, size_t n,
                       int hmax) {
  uint32_t c0[1 << 11], c1[1 << 11], s0 = 0, s1 = 0;
  size_t i, r, n0, n1;
  int h, sh, lg = 0, bits, b0, b1;
  uint64_t m0, m1;
  if (n <= INS_MAX) { ins_kv32(ak, av, n); return; }
  /* hmax > 0: the keys are known to agree above bit hmax (a bucket of a
  ** split on the bits above), which saves the pass finding the span */
  h = hmax > 0 ? hmax : key_span(ak, n);
  if (h == 0) return;                              /* all equal */
  while (((size_t)2 << lg) <= n) lg++;
  bits = lg + 6 < 22 ? lg + 6 : 22;                /* few keys share a digit */
  if (bits > h) bits = h;
  b0 = bits / 2;
  b1 = bits - b0;
  sh = h - bits;
  n0 = (size_t)1 << b0;
  n1 = (size_t)1 << b1;
  m0 = (uint64_t)n0 - 1;
  m1 = (uint64_t)n1 - 1;
  memset(c0, 0, n0 * sizeof *c0);
  memset(c1, 0, n1 * sizeof *c1);
  for (i = 0; i < n; i++) {
    uint64_t d = ak[i] >> sh;
    c0[d & m0]++;
    c1[(d >> b0) & m1]++;
  }
  for (i = 0; i < n0; i++) { uint32_t t = c0[i]; c0[i] = s0; s0 += t; }
  for (i = 0; i < n1; i++) { uint32_t t = c1[i]; c1[i] = s1; s1 += t; }
  for (i = 0; i < n; i++) {
    uint64_t kk = ak[i];
    uint32_t d = c0[(kk >> sh) & m0]++;
    bk[d] = kk;
    bv[d] = av[i];
  }
  for (i = 0; i < n; i++) {
    uint64_t kk = bk[i];
    uint32_t d = c1[(kk >> (sh + b0)) & m1]++;
    ak[d] = kk;
    av[d] = bv[i];
  }
  if (sh == 0) return;                             /* the digits were the whole key */
  for (i = 0; i < n; i = r) {                      /* runs equal in the digits */
    uint64_t top = ak[i] >> sh;
    for (r = i + 1; r < n && (ak[r] >> sh) == top; r++) {}
    if (r - i > INS_MAX) cache_sort(ak + i, av + i, bk + i, bv + i, r - i, 0);
    else if (r - i > 1) ins_kv32(ak + i, av + i, r - i);
  }
}

static void msd_inplace(uint64_t *ak, uint32_t *av, uint64_t *bk, uint32_t *bv, size_t n,
                        int hmax) {
  uint32_t cnt[((size_t)1 << MSD_BITS) + 1], pos[(size_t)1 << MSD_BITS], sum = 0;
  size_t nb, b, i;
  uint64_t mask;
  int h, w, shift;
  if (n <= CACHE_SORT_MAX) { cache_sort(ak, av, bk, bv, n, hmax); return; }
  h = key_span(ak, n);
  if (h == 0) return;
  w = h < MSD_BITS ? h : MSD_BITS;
  shift = h - w;
  nb = (size_t)1 << w;
  mask = (uint64_t)nb - 1;
  memset(cnt, 0, (nb + 1) * sizeof *cnt);
  for (i = 0; i < n; i++) cnt[(ak[i] >> shift) & mask]++;
  for (b = 0; b < nb; b++) { uint32_t c = cnt[b]; cnt[b] = sum; pos[b] = sum; sum += c; }
  cnt[nb] = sum;
  for (i = 0; i < n; i++) {
    uint64_t kk = ak[i];
    uint32_t d = pos[(kk >> shift) & mask]++;
    bk[d] = kk;
    bv[d] = av[i];
  }
  memcpy(ak, bk, n * sizeof *ak);
  memcpy(av, bv, n * sizeof *av);
  for (b = 0; b < nb; b++) {
    size_t o = cnt[b], c = cnt[b + 1] - cnt[b];
    if (c > 1 && shift > 0) msd_inplace(ak + o, av + o, bk + o, bv + o, c, shift);
  }
}

/* Keys of x (ascending, or descending if desc; NaN last) into k[0..n), the
** permutation into v[0..n), sorted by msd_inplace; k and v must have room
** for 2n entries (the second halves are scratch). If rk != NULL, also
** rk[v[i]] = i + 1 for non-missing positions, NaN after. Returns the
** number of NaNs. Requires n <= UINT32_MAX. */
static size_t msd_run(const double *x, size_t n, int desc, uint64_t *k, uint32_t *v,
                      double *rk) {
  uint32_t *nanv = v + n;
  uint64_t flip = desc ? ~(uint64_t)0 : 0;
  size_t nv = 0, nn = 0, i;
  for (i = 0; i < n; i++) {      /* non-missing keys in input order, NaNs after */
    double xv = x[i];
    uint64_t u;
    if (xv != xv) { nanv[nn++] = (uint32_t)i; continue; }
    xv += 0.0;                   /* -0.0 -> +0.0 */
    memcpy(&u, &xv, sizeof u);
    u ^= (uint64_t)((int64_t)u >> 63) | SIGN64;
    k[nv] = u ^ flip;
    v[nv] = (uint32_t)i;
    nv++;
  }
  for (i = 0; i < nn; i++) { k[nv + i] = UINT64_MAX; v[nv + i] = nanv[i]; }
  msd_inplace(k, v, k + n, v + n, nv, 0);
  if (rk != NULL)
    for (i = 0; i < n; i++) rk[v[i]] = i < nv ? (double)(i + 1) : NAN;
  return nn;
}

/* Fused ranking of large arrays (n >= PARTIAL_MIN, n <= UINT32_MAX): the
** keys are made from x on the fly in three streaming passes (highest
** varying bit; histogram of the first digit; stable scatter into buckets),
** then each bucket is sorted in cache (msd_inplace) and its ranks or scores
** written out at once: a tie group never spans two buckets (equal keys have
** equal digits), and a bucket's global positions start at its offset. No
** sorted copy of the whole array is kept or re-read. Same results as the
** general path (stable: equal keys in input order). */
static double nscore_p(cni_nscore kind, double r, double dn);

typedef struct rank_emit {
  int nscore;              /* 0: ranks with 'ties'; 1: normal scores */
  cni_ties ties;
  cni_nscore kind;
  const double *tab;       /* scores by position, or NULL */
  size_t ntab;             /* its length: used only if == non-missing count */
  double dn;               /* number of non-missing values */
  double *out;
  size_t groups;           /* tie groups so far (dense ranks) */
  const double *map;       /* if not NULL: out = map[rank - 1] (integer ranks) */
  cni_scratch *ws;         /* reused scratch, or NULL (malloc and free) */
  int nthreads;            /* > 1: buckets sorted on that many threads */
} rank_emit;

/* The results go to rows in random order: the cache line of the row
** EMIT_AHEAD places later is requested early (a hint; no effect on results). */
#define EMIT_AHEAD 16
#if defined(__GNUC__)
#define PREFETCH_W(p) __builtin_prefetch((p), 1, 0)
#else
#define PREFETCH_W(p) ((void)0)
#endif

static void emit_bucket(const uint64_t *k, const uint32_t *v, size_t c, size_t base,
                        rank_emit *em) {
  double *out = em->out;
  size_t s = 0, e, j;
  for (j = 0; j < c && j < EMIT_AHEAD; j++) PREFETCH_W(out + v[j]);
  if (!em->nscore && em->ties == CNI_TIES_FIRST) {
    if (em->map != NULL)
      for (j = 0; j < c; j++) {
        if (j + EMIT_AHEAD < c) PREFETCH_W(out + v[j + EMIT_AHEAD]);
        out[v[j]] = em->map[base + j];
      }
    else
      for (j = 0; j < c; j++) {
        if (j + EMIT_AHEAD < c) PREFETCH_W(out + v[j + EMIT_AHEAD]);
        out[v[j]] = (double)(base + j + 1);
      }
    return;
  }
  while (s < c) {
    double r;
    e = s + 1;
    while (e < c && k[e] == k[s]) e++;
    if (em->nscore) {
      /* a group of odd size has a whole average rank: its score is in the
      ** table (the same double: (s + 1 + e) / 2 is exact) */
      if (em->tab != NULL && ((e - s) & 1)) r = em->tab[base + (s + e - 1) / 2];
      else r = cni_qnorm(nscore_p(em->kind, ((double)(base + s + 1) + (double)(base + e)) / 2.0, em->dn));
    } else {
      em->groups++;
      switch (em->ties) {
        case CNI_TIES_AVERAGE: r = ((double)(base + s + 1) + (double)(base + e)) / 2.0; break;
        case CNI_TIES_MIN: r = (double)(base + s + 1); break;
        case CNI_TIES_MAX: r = (double)(base + e); break;
        default: r = (double)em->groups; break; /* dense */
      }
      if (em->map != NULL) r = em->map[(size_t)r - 1];   /* integer ranks only */
    }
    for (j = s; j < e; j++) {
      if (j + EMIT_AHEAD < c) PREFETCH_W(out + v[j + EMIT_AHEAD]);
      out[v[j]] = r;
    }
    s = e;
  }
}

static inline uint64_t fkey(double xv, uint64_t flip) {
  uint64_t u;
  xv += 0.0;                   /* -0.0 -> +0.0 */
  memcpy(&u, &xv, sizeof u);
  u ^= (uint64_t)((int64_t)u >> 63) | SIGN64;
  return u ^ flip;
}

/* Buckets of fused_rank on several threads (cni_par_rows over positions:
** a thread sorts and emits the buckets that start in [lo, hi), with its
** own scratch after the buckets). */
#define PAR_SORT_MIN ((size_t)1 << 18)
typedef struct bucket_job {
  uint64_t *k;
  uint32_t *v;
  const uint32_t *cnt;
  size_t nb, nv, maxc;
  int more;
  int hmax;           /* the buckets' keys agree above this bit (0: unknown) */
  rank_emit *em;
} bucket_job;

static int bucket_rows(void *ctx, size_t lo, size_t hi, int slice, cni_err *err) {
  const bucket_job *j = ctx;
  size_t t = (size_t)slice, b;
  (void)err;
  for (b = 0; b < j->nb; b++) {
    size_t off = j->cnt[b], c = j->cnt[b + 1] - j->cnt[b];
    if (off < lo || off >= hi || c == 0) continue;
    if (c > 1 && j->more)
      msd_inplace(j->k + off, j->v + off, j->k + j->nv + t * (j->maxc + 1),
                  j->v + j->nv + t * (j->maxc + 1), c, j->hmax);
    emit_bucket(j->k + off, j->v + off, c, off, j->em);
  }
  return CNI_OK;
}

/* Row slices of fused_rank's counting and scattering passes. */
typedef struct scatter_job {
  const double *x;
  size_t n;
  uint64_t flip;
  int shift;
  uint64_t mask;
  size_t nb;
  uint32_t *sl;       /* per slice: counts (hist_rows), then positions */
  uint64_t *k;
  uint32_t *v;
  double *out;
} scatter_job;

static int hist_rows(void *ctx, size_t lo, size_t hi, int slice, cni_err *err) {
  const scatter_job *j = ctx;
  uint32_t *c = j->sl + (size_t)slice * j->nb;
  (void)err;
  for (size_t i = lo; i < hi; i++) {
    double xv = j->x[i];
    if (xv != xv) continue;
    c[(fkey(xv, j->flip) >> j->shift) & j->mask]++;
  }
  return CNI_OK;
}

static int scatter_rows(void *ctx, size_t lo, size_t hi, int slice, cni_err *err) {
  const scatter_job *j = ctx;
  uint32_t *pos = j->sl + (size_t)slice * j->nb;
  (void)err;
  for (size_t i = lo; i < hi; i++) {
    double xv = j->x[i];
    if (xv != xv) { j->out[i] = NAN; continue; }
    uint64_t kk = fkey(xv, j->flip);
    uint32_t dd = pos[(kk >> j->shift) & j->mask]++;
    j->k[dd] = kk;
    j->v[dd] = (uint32_t)i;
  }
  return CNI_OK;
}

static int fused_rank(const double *x, size_t n, int desc, rank_emit *em, size_t *nvalid,
                      cni_err *err) {
  uint64_t flip = desc ? ~(uint64_t)0 : 0, o = 0, a = ~(uint64_t)0, d, *k;
  uint32_t cnt[((size_t)1 << MSD_BITS) + 1], *pos, *v;
  size_t i, nv = 0, nb, b, maxc = 0, nthr;
  uint32_t *sl = NULL;
  int h = 0, w, shift, more, pth;
  /* Span hint: columns sorted one after another on a thread are often alike
  ** (same span). If the last one's span is known, the first pass also
  ** counts the first digit at that guess; the guess is checked against the
  ** span found, and the counting pass below is skipped when it was right. */
  int hg = (em->ws != NULL && n > CACHE_SORT_MAX) ? em->ws->hint : 0, hist_ok = 0;
  int sg = hg > MSD_BITS ? hg - MSD_BITS : 0;
  uint64_t mg = ((uint64_t)1 << MSD_BITS) - 1;
  memset(cnt, 0, sizeof cnt);
  {  /* four independent accumulators: no loop-carried chain per element */
    uint64_t o1 = 0, o2 = 0, o3 = 0, a1 = ~(uint64_t)0, a2 = a1, a3 = a1;
    size_t n4 = n & ~(size_t)3, nn = 0;
    for (i = 0; i < n4; i += 4) {
      double x0 = x[i], x1 = x[i + 1], x2 = x[i + 2], x3 = x[i + 3];
      if (x0 != x0 || x1 != x1 || x2 != x2 || x3 != x3) {   /* rare: NaNs */
        for (size_t j = i; j < i + 4; j++)
          if (x[j] == x[j]) {
            uint64_t kk = fkey(x[j], flip);
            o |= kk; a &= kk;
            if (sg) cnt[(kk >> sg) & mg]++;
          } else nn++;
        continue;
      }
      uint64_t k0 = fkey(x0, flip), k1 = fkey(x1, flip), k2 = fkey(x2, flip), k3 = fkey(x3, flip);
      o |= k0; a &= k0; o1 |= k1; a1 &= k1; o2 |= k2; a2 &= k2; o3 |= k3; a3 &= k3;
      if (sg) {
        cnt[(k0 >> sg) & mg]++; cnt[(k1 >> sg) & mg]++;
        cnt[(k2 >> sg) & mg]++; cnt[(k3 >> sg) & mg]++;
      }
    }
    for (; i < n; i++) {
      double xv = x[i];
      if (xv != xv) { nn++; continue; }
      uint64_t kk = fkey(xv, flip);
      o |= kk;
      a &= kk;
      if (sg) cnt[(kk >> sg) & mg]++;
    }
    o |= o1 | o2 | o3;
    a &= a1 & a2 & a3;
    nv = n - nn;
  }
  *nvalid = nv;
  em->dn = (double)nv;
  if (em->tab != NULL && em->ntab != nv) em->tab = NULL;
  for (d = o ^ a; d; d >>= 1) h++;
  w = h < MSD_BITS ? h : MSD_BITS;
  if (nv <= CACHE_SORT_MAX) w = 0;             /* one bucket: sorted in cache */
  shift = w ? h - w : 0;                       /* no shift by 64 when w = 0 */
  more = w ? shift > 0 : h > 0;                /* bits left to sort on */
  nb = (size_t)1 << w;
  if (em->ws != NULL && n > CACHE_SORT_MAX) em->ws->hint = h;
  hist_ok = sg > 0 && w == MSD_BITS && shift == sg;   /* the guess was right */
  /* the counting and scattering passes of a large array on several threads
  ** (row slices; slice t's keys go after slice t-1's within each bucket,
  ** so the scatter stays stable) */
  pth = em->nthreads > 1 && w > 0 && n >= PAR_SORT_MIN ? em->nthreads : 1;
  if (pth > 1) {
    sl = calloc((size_t)pth * nb, sizeof *sl);
    if (sl == NULL) return cni_err_set(err, CNI_ENOMEM, "rank: out of memory");
    scatter_job sj = {x, n, flip, shift, (uint64_t)nb - 1, nb, sl, NULL, NULL, em->out};
    cni_par_rows(hist_rows, &sj, n, pth, 0, err);
    memset(cnt, 0, sizeof cnt);
    for (int t = 0; t < pth; t++)
      for (b = 0; b < nb; b++) cnt[b] += sl[(size_t)t * nb + b];
  } else if (hist_ok) {
    /* cnt holds the counts already */
  } else if (w > 0) {
    uint64_t mask = (uint64_t)nb - 1;
    memset(cnt, 0, sizeof cnt);
    for (i = 0; i < n; i++) {
      double xv = x[i];
      if (xv != xv) continue;
      cnt[(fkey(xv, flip) >> shift) & mask]++;
    }
  } else {
    memset(cnt, 0, sizeof cnt);
    cnt[0] = (uint32_t)nv;
  }
  for (b = 0; b < nb; b++) if (cnt[b] > maxc) maxc = cnt[b];
  /* buckets on several threads: not for dense ranks (a running count of
  ** groups), nor for few buckets */
  nthr = em->nthreads > 1 && nb > 1 && nv >= PAR_SORT_MIN &&
         !(!em->nscore && em->ties == CNI_TIES_DENSE) ? em->nthreads : 1;
  /* buckets (nv) + per thread, scratch for sorting the largest bucket */
  {
    size_t bytes = (nv + nthr * (maxc + 1)) * (sizeof *k + sizeof *v) + nb * sizeof *pos;
    k = em->ws ? cni_scratch_get(em->ws, bytes) : malloc(bytes);
  }
  if (k == NULL) return cni_err_set(err, CNI_ENOMEM, "rank: out of memory");
  v = (uint32_t *)(void *)(k + nv + nthr * (maxc + 1));
  pos = v + nv + nthr * (maxc + 1);
  {
    uint32_t sum = 0;
    for (b = 0; b < nb; b++) { uint32_t c = cnt[b]; cnt[b] = sum; pos[b] = sum; sum += c; }
    cnt[nb] = sum;
  }
  if (pth > 1) {
    /* slice t starts, in bucket b, after the keys of slices 0..t-1 */
    for (b = 0; b < nb; b++) {
      uint32_t at = cnt[b];
      for (int t = 0; t < pth; t++) {
        uint32_t c = sl[(size_t)t * nb + b];
        sl[(size_t)t * nb + b] = at;
        at += c;
      }
    }
    scatter_job sj = {x, n, flip, shift, (uint64_t)nb - 1, nb, sl, k, v, em->out};
    cni_par_rows(scatter_rows, &sj, n, pth, 0, err);
    free(sl);
  } else {
    uint64_t mask = (uint64_t)nb - 1;
    for (i = 0; i < n; i++) {
      double xv = x[i];
      if (xv != xv) { em->out[i] = NAN; continue; }
      uint64_t kk = fkey(xv, flip);
      uint32_t dd = pos[(kk >> shift) & mask]++;
      k[dd] = kk;
      v[dd] = (uint32_t)i;
    }
  }
  if (nthr > 1) {
    /* each thread takes the buckets that start in its slice of positions
    ** 0..nv-1; a bucket's ranks depend only on its offset */
    bucket_job bj = {k, v, cnt, nb, nv, maxc, more, w ? shift : 0, em};
    int rc = cni_par_rows(bucket_rows, &bj, nv, nthr, 0, err);
    if (em->ws == NULL) free(k);
    return rc;
  }
  for (b = 0; b < nb; b++) {
    size_t off = cnt[b], c = cnt[b + 1] - cnt[b];
    if (c == 0) continue;
    if (c > 1 && more) msd_inplace(k + off, v + off, k + nv, v + nv, c, w ? shift : 0);
    emit_bucket(k + off, v + off, c, off, em);
  }
  if (em->ws == NULL) free(k);
  return CNI_OK;
}

/* Result of the core argsort: sorted keys and the permutation, stored as
** 32-bit indices when n <= UINT32_MAX (v32 != NULL) or as size_t (v). */
typedef struct csort {
  void *mem;
  const uint64_t *k;
  const uint32_t *v32;
  const size_t *v;
  size_t nnan; /* NaNs, all at the end */
} csort;

#define CS_IDX(s, i) ((s)->v32 ? (size_t)(s)->v32[i] : (s)->v[i])

static void csort_free(csort *s) {
  free(s->mem);
  s->mem = NULL;
}

/* Core stable argsort (see cni_argsort). Caller calls csort_free. */
static int csort_run2(const double *x, size_t n, int desc, csort *s,
                      double *rk, cni_err *err) {
  uint64_t *k, *kres;
  size_t i, nnan = 0, words;
  memset(s, 0, sizeof *s);
  if (n == 0) return CNI_OK;
  if (n > (SIZE_MAX / 8 - RADIX_PASSES * RADIX_SIZE) / 4)
    return cni_err_set(err, CNI_ENOMEM, "argsort: n too large");
  if (n < SMALL_SORT) words = 2 * n;
  else if (n <= UINT32_MAX) words = 3 * n + RADIX_PASSES * RADIX_SIZE;
  else words = 4 * n + RADIX_PASSES * RADIX_SIZE;
  s->mem = malloc(words * 8);
  if (s->mem == NULL) return cni_err_set(err, CNI_ENOMEM, "argsort: out of memory");
  k = (uint64_t *)s->mem;
  if (n >= PARTIAL_MIN && n <= UINT32_MAX) {  /* keys made by msd_run */
    s->nnan = msd_run(x, n, desc, k, (uint32_t *)(void *)(k + 2 * n), rk);
    s->k = k;
    s->v32 = (uint32_t *)(void *)(k + 2 * n);
    if (rk != NULL) { s->k = NULL; s->v32 = NULL; }
    return CNI_OK;
  }
  for (i = 0; i < n; i++) {
    uint64_t kk = key_of(x[i]);
    if (kk == UINT64_MAX) nnan++;
    else if (desc) kk = ~kk; /* NaN stays last */
    k[i] = kk;
  }
  s->nnan = nnan;
  if (n < SMALL_SORT) {
    size_t *v = (size_t *)(void *)(k + n);
    for (i = 0; i < n; i++) v[i] = i;
    insertion_kv(k, v, n);
    s->k = k;
    s->v = v;
    if (rk != NULL)
      for (i = 0; i < n; i++) rk[v[i]] = i < n - nnan ? (double)(i + 1) : NAN;
  } else {   /* more than UINT32_MAX values (smaller ones: msd_run above) */
    size_t *v = (size_t *)(void *)(k + 2 * n), *vres;
    radix_kv(k, k + n, v, v + n, n, (size_t *)(void *)(k + 4 * n), 1, &kres,
             &vres, rk, n - nnan, 0);
    s->k = kres;
    s->v = vres;
  }
  if (rk != NULL) { /* sorted data not kept */
    s->k = NULL; s->v = NULL; s->v32 = NULL;
  }
  return CNI_OK;
}

/* Core stable argsort (see cni_argsort). Caller calls csort_free. */
static int csort_run(const double *x, size_t n, int desc, csort *s,
                     cni_err *err) {
  return csort_run2(x, n, desc, s, NULL, err);
}

int cni_argsort(const double *x, size_t n, int descending, size_t *idx_,
                cni_err *err) {
  csort s;
  size_t i;
  int rc;
  if (n > 0 && (x == NULL || idx_ == NULL))
    return cni_err_set(err, CNI_EARG, "argsort: NULL array");
  rc = csort_run(x, n, descending, &s, err);
  if (rc != CNI_OK) return rc;
  if (s.v32) for (i = 0; i < n; i++) idx_[i] = s.v32[i];
  else if (n > 0) memcpy(idx_, s.v, n * sizeof *idx_);
  csort_free(&s);
  return CNI_OK;
}

int cni_sort_values(const double *x, size_t n, double *sorted_,
                    size_t *n_valid_, cni_err *err) {
  uint64_t *k, *kres;
  size_t i, nv = 0;
  if (n_valid_) *n_valid_ = 0;
  if (n == 0) return CNI_OK;
  if (x == NULL || sorted_ == NULL)
    return cni_err_set(err, CNI_EARG, "sort_values: NULL array");
  if (n > (SIZE_MAX / 8 - RADIX_PASSES * RADIX_SIZE) / 2)
    return cni_err_set(err, CNI_ENOMEM, "sort_values: n too large");
  k = (uint64_t *)malloc((2 * n + RADIX_PASSES * RADIX_SIZE) * 8);
  if (k == NULL)
    return cni_err_set(err, CNI_ENOMEM, "sort_values: out of memory");
  for (i = 0; i < n; i++) {
    uint64_t kk = key_of(x[i]);
    if (kk != UINT64_MAX) k[nv++] = kk;
  }
  kres = k;
  if (nv < SMALL_SORT) {
    insertion_kv(k, NULL, nv);
  } else if (nv > 0) {
    size_t *dummy = NULL;
    radix_kv(k, k + n, NULL, NULL, nv, (size_t *)(void *)(k + 2 * n), 0,
             &kres, &dummy, NULL, 0, 0);
  }
  for (i = 0; i < nv; i++) sorted_[i] = value_of(kres[i]);
  free(k);
  if (n_valid_) *n_valid_ = nv;
  return CNI_OK;
}

/* ---------------------------------------------------------------- ranking */

/* Assign tie-group ranks for the sorted order in cs (VT index array). */
#define RANK_GROUPS(IDXARR)                                                  \
  while (s < nv) {                                                           \
    size_t e = s + 1, j;                                                     \
    double r;                                                                \
    while (e < nv && keys[e] == keys[s]) e++;                                \
    g++;                                                                     \
    switch (ties) {                                                          \
      case CNI_TIES_AVERAGE: r = ((double)(s + 1) + (double)e) / 2.0; break; \
      case CNI_TIES_MIN: r = (double)(s + 1); break;                         \
      case CNI_TIES_MAX: r = (double)e; break;                               \
      default: r = (double)g; break; /* dense */                             \
    }                                                                        \
    for (j = s; j < e; j++) out_[IDXARR[j]] = r;                             \
    s = e;                                                                   \
  }

int cni_rank(const double *x, size_t n, int descending, cni_ties ties,
             double *out_, size_t *n_valid_, cni_err *err) {
  return cni_rank_ws(x, n, descending, ties, NULL, 0, out_, n_valid_, NULL, err);
}

static int rank_plain(const double *x, size_t n, int descending, cni_ties ties,
                      double *out_, size_t *n_valid_, cni_scratch *ws, int nthreads,
                      cni_err *err) {
  csort cs;
  size_t nv, i;
  int rc;
  if (n_valid_) *n_valid_ = 0;
  if ((int)ties < (int)CNI_TIES_AVERAGE || (int)ties > (int)CNI_TIES_DENSE)
    return cni_err_set(err, CNI_EARG, "rank: unknown ties method %d", (int)ties);
  if (n == 0) return CNI_OK;
  if (x == NULL || out_ == NULL)
    return cni_err_set(err, CNI_EARG, "rank: NULL array");
  if (n >= PARTIAL_MIN && n <= UINT32_MAX) {
    rank_emit em = {0, ties, CNI_NS_RANKIT, NULL, 0, 0.0, out_, 0, NULL, ws, nthreads};
    return fused_rank(x, n, descending, &em, n_valid_ ? n_valid_ : &nv, err);
  }
  if (ties == CNI_TIES_FIRST) { /* fast path: ranks written by the sort */
    rc = csort_run2(x, n, descending, &cs, out_, err);
    if (rc != CNI_OK) return rc;
    csort_free(&cs);
    if (n_valid_) *n_valid_ = n - cs.nnan;
    return CNI_OK;
  } else {
    const uint64_t *keys;
    size_t s = 0, g = 0;
    rc = csort_run(x, n, descending, &cs, err);
    if (rc != CNI_OK) return rc;
    nv = n - cs.nnan;
    keys = cs.k;
    if (cs.v32) { RANK_GROUPS(cs.v32) } else { RANK_GROUPS(cs.v) }
  }
  for (i = nv; i < n; i++) out_[CS_IDX(&cs, i)] = NAN;
  csort_free(&cs);
  if (n_valid_) *n_valid_ = nv;
  return CNI_OK;
}

int cni_rank_map(const double *x, size_t n, int descending, cni_ties ties,
                 const double *map, size_t nmap, double *out_, size_t *n_valid_,
                 cni_err *err) {
  if (map == NULL && n > 0) return cni_err_set(err, CNI_EARG, "rank: NULL array");
  return cni_rank_ws(x, n, descending, ties, map, nmap, out_, n_valid_, NULL, err);
}

static int rank_impl(const double *x, size_t n, int descending, cni_ties ties,
                     const double *map, size_t nmap, double *out_, size_t *n_valid_,
                     cni_scratch *ws, int nthreads, cni_err *err);

int cni_rank_ws(const double *x, size_t n, int descending, cni_ties ties,
                const double *map, size_t nmap, double *out_, size_t *n_valid_,
                cni_scratch *ws, cni_err *err) {
  return rank_impl(x, n, descending, ties, map, nmap, out_, n_valid_, ws, 1, err);
}

int cni_rank_mt(const double *x, size_t n, int descending, cni_ties ties,
                const double *map, size_t nmap, double *out_, size_t *n_valid_,
                int nthreads, cni_err *err) {
  if (nthreads <= 0) nthreads = cni_ncpu();
  return rank_impl(x, n, descending, ties, map, nmap, out_, n_valid_, NULL, nthreads, err);
}

static int rank_impl(const double *x, size_t n, int descending, cni_ties ties,
                     const double *map, size_t nmap, double *out_, size_t *n_valid_,
                     cni_scratch *ws, int nthreads, cni_err *err) {
  size_t nv = 0, i;
  int rc;
  if (map == NULL) return rank_plain(x, n, descending, ties, out_, n_valid_, ws, nthreads, err);
  if (n_valid_) *n_valid_ = 0;
  if ((int)ties < (int)CNI_TIES_MIN || (int)ties > (int)CNI_TIES_DENSE)
    return cni_err_set(err, CNI_EARG, "rank: map needs integer ranks (ties first, min, max or dense)");
  if (n == 0) return CNI_OK;
  if (x == NULL || out_ == NULL || map == NULL)
    return cni_err_set(err, CNI_EARG, "rank: NULL array");
  for (i = 0; i < n; i++) nv += x[i] == x[i];
  if (nmap < nv)
    return cni_err_set(err, CNI_EARG, "rank: map has %zu values, fewer than the %zu ranks", nmap, nv);
  if (n >= PARTIAL_MIN && n <= UINT32_MAX) {
    rank_emit em = {0, ties, CNI_NS_RANKIT, NULL, 0, 0.0, out_, 0, map, ws, nthreads};
    return fused_rank(x, n, descending, &em, n_valid_ ? n_valid_ : &nv, err);
  }
  rc = rank_plain(x, n, descending, ties, out_, n_valid_, ws, nthreads, err);
  if (rc != CNI_OK) return rc;
  for (i = 0; i < n; i++)
    if (out_[i] == out_[i]) out_[i] = map[(size_t)out_[i] - 1];
  return CNI_OK;
}

int cni_percent_rank(const double *x, size_t n, double *out_, cni_err *err) {
  size_t nv, i;
  int rc = cni_rank(x, n, 0, CNI_TIES_MIN, out_, &nv, err);
  if (rc != CNI_OK) return rc;
  for (i = 0; i < n; i++)
    if (!isnan(out_[i])) out_[i] = (out_[i] - 1.0) / ((double)nv - 1.0);
  return CNI_OK;
}

int cni_ntile(const double *x, size_t n, int k, int descending, double *out_,
              cni_err *err) {
  csort cs;
  size_t len, i, nk, n_larger, larger_size, smaller_size, thr;
  int rc;
  if (k < 1) return cni_err_set(err, CNI_EARG, "ntile: k must be >= 1 (got %d)", k);
  if (n == 0) return CNI_OK;
  if (x == NULL || out_ == NULL)
    return cni_err_set(err, CNI_EARG, "ntile: NULL array");
  rc = csort_run(x, n, descending, &cs, err);
  if (rc != CNI_OK) return rc;
  len = n - cs.nnan;
  nk = (size_t)k;
  n_larger = len % nk;
  smaller_size = len / nk;
  larger_size = smaller_size + (n_larger > 0 ? 1 : 0);
  thr = larger_size * n_larger;
  for (i = 0; i < len; i++) {
    size_t r = i + 1, bin; /* row_number */
    if (r <= thr) bin = (r + larger_size - 1) / larger_size;
    else bin = (r - thr + smaller_size - 1) / smaller_size + n_larger;
    out_[CS_IDX(&cs, i)] = (double)bin;
  }
  for (i = len; i < n; i++) out_[CS_IDX(&cs, i)] = NAN;
  csort_free(&cs);
  return CNI_OK;
}

int cni_wntile(const double *x, const double *w, size_t n, int k,
               int descending, double *out_, cni_err *err) {
  csort cs;
  size_t nv, i;
  double cum = 0.0, dk = (double)k;
  int rc;
  if (k < 1) return cni_err_set(err, CNI_EARG, "wntile: k must be >= 1 (got %d)", k);
  if (n == 0) return CNI_OK;
  if (x == NULL || w == NULL || out_ == NULL)
    return cni_err_set(err, CNI_EARG, "wntile: NULL array");
  for (i = 0; i < n; i++) {
    if (!isnan(w[i]) && (w[i] < 0 || isinf(w[i]))) {
      cni_err_set(err, CNI_EARG, "wntile: weight %zu is negative or infinite", i + 1);
      if (err) err->row = (long)(i + 1);
      return CNI_EARG;
    }
  }
  rc = csort_run(x, n, descending, &cs, err);
  if (rc != CNI_OK) return rc;
  nv = n - cs.nnan;
  for (i = 0; i < nv; i++) {
    double wi = w[CS_IDX(&cs, i)];
    if (!isnan(wi)) cum += wi;
  }
  /* cum is now the total W, summed in sorted order; recompute C_i. */
  {
    double W = cum, c = 0.0;
    for (i = 0; i < n; i++) {
      size_t r = CS_IDX(&cs, i);
      double g;
      if (i >= nv || isnan(w[r]) || !(W > 0)) { out_[r] = NAN; continue; }
      c += w[r];
      g = ceil(dk * c / W);
      if (g < 1) g = 1;
      if (g > dk) g = dk;
      out_[r] = g;
    }
  }
  csort_free(&cs);
  return CNI_OK;
}

/* -------------------------------------------------------------- quantiles */

/* Hyndman-Fan quantile of sorted s[0..n-1] (n >= 1) at probability p
** (already clamped to [0,1], or NaN), transcribed from R 4.2
** quantile.default. */
static double quantile_sorted(const double *s, size_t n, double p, int type) {
  double dn = (double)n, nppm, j, h, a = 0, b = 0, x2, x3, qs;
  long long jj;
  if (isnan(p)) return NAN;
  if (type == 7) {
    double index = 1.0 + (dn - 1.0) * p, lo = floor(index), hi = ceil(index);
    qs = s[(size_t)lo - 1];
    if (index > lo && s[(size_t)hi - 1] != qs) {
      h = index - lo;
      qs = (1 - h) * qs + h * s[(size_t)hi - 1];
    }
    return qs;
  }
  if (type <= 3) {
    nppm = (type == 3) ? dn * p - 0.5 : dn * p;
    j = floor(nppm);
    if (type == 1) h = (nppm > j) ? 1.0 : 0.0;
    else if (type == 2) h = ((nppm > j) ? 2.0 : 1.0) / 2.0;
    else {
      double m = fmod(j, 2.0);
      if (m < 0) m += 2.0;
      h = (nppm != j || m == 1.0) ? 1.0 : 0.0;
    }
  } else {
    const double fuzz = 4 * DBL_EPSILON;
    switch (type) {
      case 4: a = 0; b = 1; break;
      case 5: a = b = 0.5; break;
      case 6: a = b = 0; break;
      case 8: a = b = 1.0 / 3; break;
      default: a = b = 3.0 / 8; break;
    }
    nppm = a + p * (dn + 1 - a - b);
    j = floor(nppm + fuzz);
    h = nppm - j;
    if (fabs(h) < fuzz) h = 0;
  }
  /* extended 1-based array xe = (x1, x1, x1..xn, xn, xn); xe[i] for i in
  ** 1..n+4; qs = xe[j+2], next = xe[j+3] */
  jj = (long long)j;
  {
    long long i2 = jj + 2, i3 = jj + 3, nn = (long long)n;
    x2 = i2 <= 2 ? s[0] : (i2 >= nn + 3 ? s[n - 1] : s[i2 - 3]);
    x3 = i3 <= 2 ? s[0] : (i3 >= nn + 3 ? s[n - 1] : s[i3 - 3]);
  }
  qs = x2;
  if (h == 1) qs = x3;
  if (0 < h && h < 1 && x2 != x3) qs = (1 - h) * x2 + h * x3;
  return qs;
}

static int check_probs(const double *p, size_t np, const char *who, cni_err *err) {
  const double eps = 100 * DBL_EPSILON;
  size_t i;
  for (i = 0; i < np; i++)
    if (!isnan(p[i]) && (p[i] < -eps || p[i] > 1 + eps))
      return cni_err_set(err, CNI_EARG, "%s: probability %g outside [0,1]",
                         who, p[i]);
  return CNI_OK;
}

static double clamp01(double p) {
  if (isnan(p)) return p;
  return p < 0 ? 0 : (p > 1 ? 1 : p);
}

int cni_quantile(const double *x, size_t n, const double *p, size_t np,
                 int type, double *out_, cni_err *err) {
  double *s;
  size_t nv, i;
  int rc;
  if (type < 1 || type > 9)
    return cni_err_set(err, CNI_EARG, "quantile: type must be 1..9 (got %d)", type);
  if (np == 0) return CNI_OK;
  if (p == NULL || out_ == NULL || (n > 0 && x == NULL))
    return cni_err_set(err, CNI_EARG, "quantile: NULL array");
  rc = check_probs(p, np, "quantile", err);
  if (rc != CNI_OK) return rc;
  s = (double *)malloc((n ? n : 1) * sizeof *s);
  if (s == NULL) return cni_err_set(err, CNI_ENOMEM, "quantile: out of memory");
  rc = cni_sort_values(x, n, s, &nv, err);
  if (rc != CNI_OK) { free(s); return rc; }
  for (i = 0; i < np; i++)
    out_[i] = nv == 0 ? NAN : quantile_sorted(s, nv, clamp01(p[i]), type);
  free(s);
  return CNI_OK;
}

int cni_wquantile(const double *x, const double *w, size_t n, const double *p,
                  size_t np, double *out_, cni_err *err) {
  csort so;
  size_t i, m = 0;
  double *xs, *cs, W;
  int rc;
  if (np == 0) return CNI_OK;
  if (p == NULL || out_ == NULL || (n > 0 && (x == NULL || w == NULL)))
    return cni_err_set(err, CNI_EARG, "wquantile: NULL array");
  rc = check_probs(p, np, "wquantile", err);
  if (rc != CNI_OK) return rc;
  for (i = 0; i < n; i++)
    if (!isnan(w[i]) && (w[i] < 0 || isinf(w[i]))) {
      cni_err_set(err, CNI_EARG, "wquantile: weight %zu is negative or infinite", i + 1);
      if (err) err->row = (long)(i + 1);
      return CNI_EARG;
    }
  if (n == 0) {
    for (i = 0; i < np; i++) out_[i] = NAN;
    return CNI_OK;
  }
  xs = (double *)malloc(2 * n * sizeof *xs);
  if (xs == NULL) return cni_err_set(err, CNI_ENOMEM, "wquantile: out of memory");
  cs = xs + n;
  rc = csort_run(x, n, 0, &so, err);
  if (rc != CNI_OK) { free(xs); return rc; }
  W = 0.0;
  for (i = 0; i < n - so.nnan; i++) {
    size_t r = CS_IDX(&so, i);
    double wi = w[r];
    if (isnan(wi) || !(wi > 0)) continue;
    W += wi;
    xs[m] = x[r];
    cs[m] = W;
    m++;
  }
  for (i = 0; i < np; i++) {
    double pi = clamp01(p[i]), t;
    size_t lo = 0, hi;
    if (m == 0 || isnan(pi) || !(W > 0)) { out_[i] = NAN; continue; }
    t = pi * W - 4 * DBL_EPSILON * W;
    hi = m - 1; /* cs[m-1] == W >= t always */
    while (lo < hi) { /* smallest k with cs[k] >= t */
      size_t mid = lo + (hi - lo) / 2;
      if (cs[mid] >= t) hi = mid; else lo = mid + 1;
    }
    out_[i] = xs[lo] == 0.0 ? 0.0 : xs[lo];
  }
  csort_free(&so);
  free(xs);
  return CNI_OK;
}

/* -------------------------------------------------------------- normal */

double cni_qnorm(double p) {
  double q, r, val;
  if (isnan(p)) return p;
  if (p < 0 || p > 1) return NAN;
  if (p == 0) return -INFINITY;
  if (p == 1) return INFINITY;
  q = p - 0.5;
  if (fabs(q) <= .425) {
    r = .180625 - q * q;
    val = q * (((((((r * 2509.0809287301226727 + 33430.575583588128105) * r +
                    67265.770927008700853) * r + 45921.953931549871457) * r +
                  13731.693765509461125) * r + 1971.5909503065514427) * r +
                133.14166789178437745) * r + 3.387132872796366608) /
          (((((((r * 5226.495278852854561 + 28729.085735721942674) * r +
                39307.89580009271061) * r + 21213.794301586595867) * r +
              5394.1960214247511077) * r + 687.1870074920579083) * r +
            42.313330701600911252) * r + 1.);
    return val;
  }
  r = log((q > 0) ? (0.5 - p + 0.5) : p);
  r = sqrt(-r);
  if (r <= 5.) {
    r += -1.6;
    val = (((((((r * 7.7454501427834140764e-4 + .0227238449892691845833) * r +
                .24178072517745061177) * r + 1.27045825245236838258) * r +
              3.64784832476320460504) * r + 5.7694972214606914055) * r +
            4.6303378461565452959) * r + 1.42343711074968357734) /
          (((((((r * 1.05075007164441684324e-9 + 5.475938084995344946e-4) * r +
                .0151986665636164571966) * r + .14810397642748007459) * r +
              .68976733498510000455) * r + 1.6763848301838038494) * r +
            2.05319162663775882187) * r + 1.);
  } else {
    r += -5.;
    val = (((((((r * 2.01033439929228813265e-7 + 2.71155556874348757815e-5) * r +
                .0012426609473880784386) * r + .026532189526576123093) * r +
              .29656057182850489123) * r + 1.7848265399172913358) * r +
            5.4637849111641143699) * r + 6.6579046435011037772) /
          (((((((r * 2.04426310338993978564e-15 + 1.4215117583164458887e-7) * r +
                1.8463183175100546818e-5) * r + 7.868691311456132591e-4) * r +
              .0148753612908506148525) * r + .13692988092273580531) * r +
            .59983220655588793769) * r + 1.);
  }
  if (q < 0.0) val = -val;
  return val;
}

double cni_pnorm(double x) {
  static const double a[5] = {2.2352520354606839287, 161.02823106855587881,
                              1067.6894854603709582, 18154.981253343561249,
                              0.065682337918207449113};
  static const double b[4] = {47.20258190468824187, 976.09855173777669322,
                              10260.932208618978205, 45507.789335026729956};
  static const double c[9] = {0.39894151208813466764, 8.8831497943883759412,
                              93.506656132177855979, 597.27027639480026226,
                              2494.5375852903726711, 6848.1904505362823326,
                              11602.651437647350124, 9842.7148383839780218,
                              1.0765576773720192317e-8};
  static const double d[8] = {22.266688044328115691, 235.38790178262499861,
                              1519.377599407554805, 6485.558298266760755,
                              18615.571640885098091, 34900.952721145977266,
                              38912.003286093271411, 19685.429676859990727};
  static const double pp[6] = {0.21589853405795699, 0.1274011611602473639,
                               0.022235277870649807, 0.001421619193227893466,
                               2.9112874951168792e-5, 0.02307344176494017303};
  static const double qq[5] = {1.28426009614491121, 0.468238212480865118,
                               0.0659881378689285515, 0.00378239633202758244,
                               7.29751555083966205e-5};
  const double M_SQRT_32_ = 5.656854249492380195206754896838;
  const double M_1_SQRT_2PI_ = 0.398942280401432677939946059934;
  double xden, xnum, temp, del, xsq, y, X, cum;
  int i;
  if (isnan(x)) return x;
  if (isinf(x)) return x < 0 ? 0.0 : 1.0;
  y = fabs(x);
  if (y <= 0.67448975) {
    if (y > DBL_EPSILON * 0.5) {
      xsq = x * x;
      xnum = a[4] * xsq;
      xden = xsq;
      for (i = 0; i < 3; ++i) {
        xnum = (xnum + a[i]) * xsq;
        xden = (xden + b[i]) * xsq;
      }
    } else {
      xnum = xden = 0.0;
    }
    temp = x * (xnum + a[3]) / (xden + b[3]);
    return 0.5 + temp;
  } else if (y <= M_SQRT_32_) {
    xnum = c[8] * y;
    xden = y;
    for (i = 0; i < 7; ++i) {
      xnum = (xnum + c[i]) * y;
      xden = (xden + d[i]) * y;
    }
    temp = (xnum + c[7]) / (xden + d[7]);
    X = y;
  } else if (-37.5193 < x && x < 8.2924) {
    xsq = 1.0 / (x * x);
    xnum = pp[5] * xsq;
    xden = xsq;
    for (i = 0; i < 4; ++i) {
      xnum = (xnum + pp[i]) * xsq;
      xden = (xden + qq[i]) * xsq;
    }
    temp = xsq * (xnum + pp[4]) / (xden + qq[4]);
    temp = (M_1_SQRT_2PI_ - temp) / y;
    X = x;
  } else {
    return x > 0 ? 1.0 : 0.0;
  }
  /* do_del(X) and swap_tail of R's pnorm_both */
  xsq = ldexp(trunc(ldexp(X, 4)), -4);
  del = (X - xsq) * (X + xsq);
  cum = exp(-xsq * ldexp(xsq, -1)) * exp(-ldexp(del, -1)) * temp;
  return x > 0. ? 1.0 - cum : cum;
}

/* --------------------------------------------------------- normalisation */

/* Mean of the non-missing values, two-pass (sum/n, then add the mean
** residual). *nv_ receives the count. NaN if none. */
static double mean_nv(const double *x, size_t n, size_t *nv_) {
  size_t i, nv = 0;
  double s = 0.0, m, r = 0.0;
  for (i = 0; i < n; i++)
    if (!isnan(x[i])) { s += x[i]; nv++; }
  *nv_ = nv;
  if (nv == 0) return NAN;
  m = s / (double)nv;
  if (!isfinite(m)) return m;
  for (i = 0; i < n; i++)
    if (!isnan(x[i])) r += x[i] - m;
  return m + r / (double)nv;
}

static double ssq_about(const double *x, size_t n, double m) {
  size_t i;
  double s = 0.0;
  for (i = 0; i < n; i++)
    if (!isnan(x[i])) { double d = x[i] - m; s += d * d; }
  return s;
}

/* 1 if all non-missing values are equal (or there are none). */
static int is_constant(const double *x, size_t n) {
  size_t i;
  int have = 0;
  double v0 = 0;
  for (i = 0; i < n; i++) {
    if (isnan(x[i])) continue;
    if (!have) { v0 = x[i]; have = 1; }
    else if (x[i] != v0) return 0;
  }
  return 1;
}

int cni_zscore(const double *x, size_t n, int sample_sd, double *out_,
               cni_err *err) {
  size_t nv, i;
  double m, sd;
  if (n == 0) return CNI_OK;
  if (x == NULL || out_ == NULL) return cni_err_set(err, CNI_EARG, "zscore: NULL array");
  m = mean_nv(x, n, &nv);
  if (nv == 0 || (sample_sd && nv < 2)) {
    for (i = 0; i < n; i++) out_[i] = NAN;
    return CNI_OK;
  }
  if (is_constant(x, n)) {
    for (i = 0; i < n; i++) out_[i] = isnan(x[i]) ? NAN : 0.0;
    return CNI_OK;
  }
  sd = sqrt(ssq_about(x, n, m) / (double)(sample_sd ? nv - 1 : nv));
  for (i = 0; i < n; i++) out_[i] = (x[i] - m) / sd;
  return CNI_OK;
}

int cni_minmax(const double *x, size_t n, double lo, double hi, double *out_,
               cni_err *err) {
  size_t i;
  double mn = INFINITY, mx = -INFINITY, range;
  int have = 0;
  if (n == 0) return CNI_OK;
  if (x == NULL || out_ == NULL) return cni_err_set(err, CNI_EARG, "minmax: NULL array");
  if (!isfinite(lo) || !isfinite(hi))
    return cni_err_set(err, CNI_EARG, "minmax: bounds must be finite");
  for (i = 0; i < n; i++) {
    if (isnan(x[i])) continue;
    have = 1;
    if (x[i] < mn) mn = x[i];
    if (x[i] > mx) mx = x[i];
  }
  range = mx - mn;
  for (i = 0; i < n; i++) {
    if (isnan(x[i])) out_[i] = NAN;
    else if (have && mx == mn) out_[i] = lo;
    else out_[i] = lo + (hi - lo) * ((x[i] - mn) / range);
  }
  return CNI_OK;
}

int cni_distance_to_ref(const double *x, size_t n, double ref, int relative,
                        double *out_, cni_err *err) {
  size_t i;
  if (!isfinite(ref) || ref == 0)
    return cni_err_set(err, CNI_EARG, "distance_to_ref: reference must be finite and non-zero");
  if (n == 0) return CNI_OK;
  if (x == NULL || out_ == NULL) return cni_err_set(err, CNI_EARG, "distance_to_ref: NULL array");
  for (i = 0; i < n; i++)
    out_[i] = relative ? (x[i] - ref) / ref : x[i] / ref;
  return CNI_OK;
}

static double nscore_p(cni_nscore kind, double r, double dn) {
  switch (kind) {
    case CNI_NS_RANKIT: return (r - 0.5) / dn;
    case CNI_NS_BLOM: return (r - 3.0 / 8.0) / (dn + 0.25);
    default: return r / (dn + 1.0);
  }
}

void cni_normal_scores_table(size_t nvalid, cni_nscore kind, double *tab_) {
  double dn = (double)nvalid;
  for (size_t j = 0; j < nvalid; j++) tab_[j] = cni_qnorm(nscore_p(kind, (double)(j + 1), dn));
}

int cni_normal_scores(const double *x, size_t n, cni_nscore kind,
                      double *out_, cni_err *err) {
  return cni_normal_scores_tab(x, n, kind, NULL, 0, out_, err);
}

int cni_normal_scores_tab(const double *x, size_t n, cni_nscore kind,
                          const double *tab, size_t nvalid_tab, double *out_,
                          cni_err *err) {
  return cni_normal_scores_ws(x, n, kind, tab, nvalid_tab, out_, NULL, err);
}

int cni_normal_scores_ws(const double *x, size_t n, cni_nscore kind,
                         const double *tab, size_t nvalid_tab, double *out_,
                         cni_scratch *ws, cni_err *err) {
  csort cs;
  size_t nv, s = 0, i;
  double dn;
  int rc;
  if ((int)kind < (int)CNI_NS_RANKIT || (int)kind > (int)CNI_NS_VDW)
    return cni_err_set(err, CNI_EARG, "normal_scores: unknown kind %d", (int)kind);
  if (n == 0) return CNI_OK;
  if (x == NULL || out_ == NULL)
    return cni_err_set(err, CNI_EARG, "normal_scores: NULL array");
  if (n >= PARTIAL_MIN && n <= UINT32_MAX) {
    rank_emit em = {1, CNI_TIES_AVERAGE, kind, tab, nvalid_tab, 0.0, out_, 0, NULL, ws, 1};
    size_t nvv;
    return fused_rank(x, n, 0, &em, &nvv, err);
  }
  /* one sort; qnorm once per tie group (the average rank is shared) */
  rc = csort_run(x, n, 0, &cs, err);
  if (rc != CNI_OK) return rc;
  nv = n - cs.nnan;
  dn = (double)nv;
  if (tab != NULL && nvalid_tab != nv) tab = NULL;   /* another length: no table */
  while (s < nv) {
    size_t e = s + 1, j;
    double r, q;
    while (e < nv && cs.k[e] == cs.k[s]) e++;
    r = ((double)(s + 1) + (double)e) / 2.0;
    /* a single value at position s has rank s + 1: its score is tab[s] */
    q = (tab != NULL && e == s + 1) ? tab[s] : cni_qnorm(nscore_p(kind, r, dn));
    for (j = s; j < e; j++) out_[CS_IDX(&cs, j)] = q;
    s = e;
  }
  for (i = nv; i < n; i++) out_[CS_IDX(&cs, i)] = NAN;
  csort_free(&cs);
  return CNI_OK;
}

int cni_exp_transform(const double *rank, size_t n, double N, double c,
                      double upper, double *out_, cni_err *err) {
  size_t i;
  double a;
  if (!(isfinite(N) && N > 0 && isfinite(c) && c > 0 && isfinite(upper) && upper > 0))
    return cni_err_set(err, CNI_EARG, "exp_transform: N, c and upper must be positive and finite");
  if (n == 0) return CNI_OK;
  if (rank == NULL || out_ == NULL) return cni_err_set(err, CNI_EARG, "exp_transform: NULL array");
  a = -expm1(-upper / c);
  for (i = 0; i < n; i++) {
    double r = rank[i];
    if (isnan(r) || r < 1 || r > N) out_[i] = NAN;
    else if (r == 1) out_[i] = upper;
    else out_[i] = -c * log1p(-((N - r + 1) / N) * a);
  }
  return CNI_OK;
}

int cni_log_ex(const double *x, size_t n, int plus1, double *out_,
               size_t *n_invalid_, cni_err *err) {
  size_t i, bad = 0;
  if (n_invalid_) *n_invalid_ = 0;
  if (n == 0) return CNI_OK;
  if (x == NULL || out_ == NULL) return cni_err_set(err, CNI_EARG, "log: NULL array");
  for (i = 0; i < n; i++) {
    double v = x[i];
    if (isnan(v)) out_[i] = NAN;
    else if (plus1 ? !(v > -1) : !(v > 0)) { out_[i] = NAN; bad++; }
    else out_[i] = plus1 ? log1p(v) : log(v);
  }
  if (n_invalid_) *n_invalid_ = bad;
  return CNI_OK;
}

int cni_log(const double *x, size_t n, int plus1, double *out_, cni_err *err) {
  return cni_log_ex(x, n, plus1, out_, NULL, err);
}

static void clamp_copy(const double *x, size_t n, double lo, double hi,
                       double *out_) {
  size_t i;
  for (i = 0; i < n; i++) {
    double v = x[i];
    if (isnan(v)) out_[i] = v;
    else out_[i] = v < lo ? lo : (v > hi ? hi : v);
  }
}

int cni_winsorise_q(const double *x, size_t n, double plo, double phi,
                    double *out_, cni_err *err) {
  double p[2], q[2];
  int rc;
  if (!(plo >= 0 && phi <= 1 && plo <= phi))
    return cni_err_set(err, CNI_EARG, "winsorise_q: need 0 <= plo <= phi <= 1");
  if (n == 0) return CNI_OK;
  if (x == NULL || out_ == NULL) return cni_err_set(err, CNI_EARG, "winsorise_q: NULL array");
  p[0] = plo;
  p[1] = phi;
  rc = cni_quantile(x, n, p, 2, 7, q, err);
  if (rc != CNI_OK) return rc;
  clamp_copy(x, n, q[0], q[1], out_);
  return CNI_OK;
}

int cni_winsorise_sd(const double *x, size_t n, double k, double *out_,
                     cni_err *err) {
  size_t nv, i;
  double m, sd;
  if (!(k >= 0)) return cni_err_set(err, CNI_EARG, "winsorise_sd: k must be >= 0");
  if (n == 0) return CNI_OK;
  if (x == NULL || out_ == NULL) return cni_err_set(err, CNI_EARG, "winsorise_sd: NULL array");
  m = mean_nv(x, n, &nv);
  if (nv < 2) {
    for (i = 0; i < n; i++) out_[i] = x[i];
    return CNI_OK;
  }
  sd = sqrt(ssq_about(x, n, m) / (double)(nv - 1));
  clamp_copy(x, n, m - k * sd, m + k * sd, out_);
  return CNI_OK;
}

/* ------------------------------------------------------------ aggregation */

int cni_combine(const double *const *cols, size_t ncol, size_t n,
                const double *w, cni_combine_kind kind, double threshold,
                cni_na_policy na, double *out_, cni_err *err) {
  double *wp, *cnt, wtot = 0.0;
  unsigned char *bad;
  size_t i, j, err_row = SIZE_MAX, err_col = 0;
  if ((int)kind < (int)CNI_COMB_WSUM || (int)kind > (int)CNI_COMB_COUNT_ABOVE)
    return cni_err_set(err, CNI_EARG, "combine: unknown kind %d", (int)kind);
  if ((int)na < (int)CNI_NA_PROPAGATE || (int)na > (int)CNI_NA_ERROR)
    return cni_err_set(err, CNI_EARG, "combine: unknown NA policy %d", (int)na);
  if (ncol == 0) return cni_err_set(err, CNI_EARG, "combine: no columns");
  if (cols == NULL) return cni_err_set(err, CNI_EARG, "combine: NULL columns");
  for (j = 0; j < ncol; j++) {
    double wj = w ? w[j] : 1.0;
    if (!isfinite(wj)) {
      cni_err_set(err, CNI_EARG, "combine: weight of column %zu is not finite", j + 1);
      if (err) err->col = (long)(j + 1);
      return CNI_EARG;
    }
    if (n > 0 && cols[j] == NULL)
      return cni_err_set(err, CNI_EARG, "combine: column %zu is NULL", j + 1);
    wtot += wj;
  }
  if (n == 0) return CNI_OK;
  if (out_ == NULL) return cni_err_set(err, CNI_EARG, "combine: NULL output");
  if ((kind == CNI_COMB_WSUM || kind == CNI_COMB_WMEAN) && na == CNI_NA_PROPAGATE) {
    /* Fast path, same arithmetic as below: each row sums w_j * x_j in
    ** column order starting from 0.0; a missing term makes the sum NaN by
    ** IEEE arithmetic (NaN + anything is NaN), which is the propagate rule.
    ** Rows are done in blocks so that the partial sums stay in cache.
    ** The sums of a block are kept in acc and written at the end, so out_
    ** may be one of the columns (in place). */
    double wsum = 0.0, acc[1024];
    for (j = 0; j < ncol; j++) wsum += w ? w[j] : 1.0;
    for (size_t b0 = 0; b0 < n; b0 += 1024) {
      size_t m = n - b0 < 1024 ? n - b0 : 1024;
      for (i = 0; i < m; i++) acc[i] = 0.0;
      for (j = 0; j < ncol; j++) {
        const double *c = cols[j] + b0;
        double wj = w ? w[j] : 1.0;
        for (i = 0; i < m; i++) acc[i] += wj * c[i];
      }
      if (kind == CNI_COMB_WMEAN)
        for (i = 0; i < m; i++) out_[b0 + i] = wsum != 0 ? acc[i] / wsum : NAN;
      else
        memcpy(out_ + b0, acc, m * sizeof *acc);
    }
    return CNI_OK;
  }
  wp = (double *)malloc(2 * n * sizeof *wp);
  bad = (unsigned char *)malloc(n);
  if (wp == NULL || bad == NULL) {
    free(wp); free(bad);
    return cni_err_set(err, CNI_ENOMEM, "combine: out of memory");
  }
  cnt = wp + n;
  for (i = 0; i < n; i++) { out_[i] = 0.0; wp[i] = 0.0; cnt[i] = 0.0; bad[i] = 0; }
  /* Column-major accumulation: each row still sums in column order. */
  for (j = 0; j < ncol; j++) {
    const double *c = cols[j];
    double wj = w ? w[j] : 1.0;
    for (i = 0; i < n; i++) {
      double v = c[i];
      if (isnan(v)) {
        if (na == CNI_NA_PROPAGATE) bad[i] = 1;
        else if (na == CNI_NA_ERROR && i < err_row) { err_row = i; err_col = j; }
        continue;
      }
      switch (kind) {
        case CNI_COMB_WSUM:
        case CNI_COMB_WMEAN: out_[i] += wj * v; break;
        case CNI_COMB_GEOMEAN:
          if (v <= 0) bad[i] = 1; else out_[i] += wj * log(v);
          break;
        case CNI_COMB_HARMEAN:
          if (v <= 0) bad[i] = 1; else out_[i] += wj / v;
          break;
        case CNI_COMB_MIN:
          if (cnt[i] == 0 || v < out_[i]) out_[i] = v;
          break;
        case CNI_COMB_MAX:
          if (cnt[i] == 0 || v > out_[i]) out_[i] = v;
          break;
        default: if (v > threshold) out_[i] += wj; break;
      }
      wp[i] += wj;
      cnt[i] += 1;
    }
  }
  if (err_row != SIZE_MAX) {
    free(wp); free(bad);
    cni_err_set(err, CNI_EPARSE, "combine: missing value at row %zu, column %zu",
                err_row + 1, err_col + 1);
    if (err) { err->row = (long)(err_row + 1); err->col = (long)(err_col + 1); }
    return CNI_EPARSE;
  }
  for (i = 0; i < n; i++) {
    double s = out_[i];
    if (bad[i] || cnt[i] == 0) { out_[i] = NAN; continue; }
    switch (kind) {
      case CNI_COMB_WSUM:
        out_[i] = (wp[i] == wtot) ? s : (wp[i] != 0 ? s * (wtot / wp[i]) : NAN);
        break;
      case CNI_COMB_WMEAN: out_[i] = wp[i] != 0 ? s / wp[i] : NAN; break;
      case CNI_COMB_GEOMEAN: out_[i] = wp[i] != 0 ? exp(s / wp[i]) : NAN; break;
      case CNI_COMB_HARMEAN: out_[i] = wp[i] != 0 ? wp[i] / s : NAN; break;
      default: break;
    }
  }
  free(wp);
  free(bad);
  return CNI_OK;
}
