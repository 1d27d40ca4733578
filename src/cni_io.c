/*
** cni_io.c: atomic file writes, folders, whole-file reads, number
** formatting and parsing independent of the locale, UTF-8 checks.
** Layer: core. Never includes Lua headers.
*/
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "cni_io.h"

int cni_mkdirs(const char *dir, cni_err *err) {
  char buf[4096];
  size_t len = strlen(dir);
  if (len == 0) return CNI_OK;
  if (len >= sizeof buf)
    return cni_err_set(err, CNI_EIO, "%s: path too long", dir);
  memcpy(buf, dir, len + 1);
  for (size_t i = 1; i <= len; i++) {
    if (buf[i] == '/' || buf[i] == '\0') {
      char c = buf[i];
      buf[i] = '\0';
      struct stat st;
      if (stat(buf, &st) != 0) {
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
          return cni_err_set(err, CNI_EIO, "%s: cannot create folder: %s",
                             buf, strerror(errno));
      } else if (!S_ISDIR(st.st_mode)) {
        return cni_err_set(err, CNI_EIO, "%s: exists and is not a folder", buf);
      }
      buf[i] = c;
    }
  }
  return CNI_OK;
}

int cni_atomic_open(cni_atomic *a, const char *path, cni_err *err) {
  char dir[4096];
  const char *slash = strrchr(path, '/');
  a->fp = NULL;
  a->tmp[0] = '\0';
  if (strlen(path) + 16 >= sizeof a->tmp)
    return cni_err_set(err, CNI_EIO, "%s: path too long", path);
  strcpy(a->path, path);
  if (slash != NULL && slash != path) {
    size_t n = (size_t)(slash - path);
    memcpy(dir, path, n);
    dir[n] = '\0';
    int st = cni_mkdirs(dir, err);
    if (st != CNI_OK) return st;
  }
  struct stat stt;
  if (stat(path, &stt) == 0 && S_ISDIR(stt.st_mode))
    return cni_err_set(err, CNI_EIO, "%s: is a folder", path);
  if (stat(path, &stt) == 0 && !S_ISREG(stt.st_mode)) {
    /* a device or pipe (/dev/stdout, /dev/full): written directly, since
    ** renaming over it would replace the device */
    a->fp = fopen(path, "wb");
    if (a->fp == NULL)
      return cni_err_set(err, CNI_EIO, "%s: cannot write: %s", path, strerror(errno));
    return CNI_OK;
  }
  snprintf(a->tmp, sizeof a->tmp, "%s.tmp.XXXXXX", path);
  int fd = mkstemp(a->tmp);
  if (fd < 0) {
    int e = errno;
    a->tmp[0] = '\0';
    return cni_err_set(err, CNI_EIO, "%s: cannot write: %s", path, strerror(e));
  }
  fchmod(fd, 0644);
  a->fp = fdopen(fd, "wb");
  if (a->fp == NULL) {
    int e = errno;
    close(fd);
    unlink(a->tmp);
    a->tmp[0] = '\0';
    return cni_err_set(err, CNI_EIO, "%s: cannot write: %s", path, strerror(e));
  }
  return CNI_OK;
}

void cni_atomic_abort(cni_atomic *a) {
  if (a->fp) fclose(a->fp);
  if (a->tmp[0]) unlink(a->tmp);
  a->fp = NULL;
  a->tmp[0] = '\0';
}

int cni_atomic_commit(cni_atomic *a, cni_err *err) {
  int bad = ferror(a->fp) != 0;
  int e = errno;
  if (!bad && fflush(a->fp) != 0) { bad = 1; e = errno; }
  if (!bad && a->tmp[0] && fsync(fileno(a->fp)) != 0 && errno != EINVAL) { bad = 1; e = errno; }
  if (fclose(a->fp) != 0 && !bad) { bad = 1; e = errno; }
  a->fp = NULL;
  if (!bad && a->tmp[0] && rename(a->tmp, a->path) != 0) { bad = 1; e = errno; }
  if (bad) {
    if (a->tmp[0]) unlink(a->tmp);
    a->tmp[0] = '\0';
    return cni_err_set(err, CNI_EIO, "%s: write failed: %s (earlier contents kept)",
                       a->path, e ? strerror(e) : "I/O error");
  }
  a->tmp[0] = '\0';
  return CNI_OK;
}

int cni_read_file(const char *path, size_t max_bytes, char **buf_,
                  size_t *len_, cni_err *err) {
  FILE *f = fopen(path, "rb");
  struct stat st;
  *buf_ = NULL;
  *len_ = 0;
  if (f == NULL)
    return cni_err_set(err, CNI_EIO, "%s: %s", path, strerror(errno));
  if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
    fclose(f);
    return cni_err_set(err, CNI_EIO, "%s: is a folder, not a file", path);
  }
  if (max_bytes > 0 && st.st_size > 0 && (size_t)st.st_size > max_bytes) {
    fclose(f);
    return cni_err_set(err, CNI_ELIMIT, "%s: file is %lld bytes, over the limit of %zu",
                       path, (long long)st.st_size, max_bytes);
  }
  size_t cap = st.st_size > 0 ? (size_t)st.st_size + 1 : 65536, n = 0;
  char *buf = malloc(cap);
  if (buf == NULL) { fclose(f); return cni_err_set(err, CNI_ENOMEM, "out of memory"); }
  for (;;) {
    if (n + 1 >= cap) {
      char *nb = realloc(buf, cap * 2);
      if (nb == NULL) { free(buf); fclose(f); return cni_err_set(err, CNI_ENOMEM, "out of memory"); }
      buf = nb;
      cap *= 2;
    }
    size_t k = fread(buf + n, 1, cap - n - 1, f);
    n += k;
    if (k == 0) break;
    if (max_bytes > 0 && n > max_bytes) {
      free(buf);
      fclose(f);
      return cni_err_set(err, CNI_ELIMIT, "%s: over the limit of %zu bytes", path, max_bytes);
    }
  }
  if (ferror(f)) {
    int e = errno;
    free(buf);
    fclose(f);
    return cni_err_set(err, CNI_EIO, "%s: %s", path, strerror(e));
  }
  fclose(f);
  buf[n] = '\0';
  *buf_ = buf;
  *len_ = n;
  return CNI_OK;
}

/* {===== numbers */

static void fix_decimal_point(char *buf) {
  const char *dp = localeconv()->decimal_point;
  if (dp[0] == '.' && dp[1] == '\0') return;
  /* A comma-decimal locale: turn its separator back into '.' */
  size_t dl = strlen(dp);
  char *p = strstr(buf, dp);
  if (p != NULL) {
    *p = '.';
    memmove(p + 1, p + dl, strlen(p + dl) + 1);
  }
}

/* The decimal digits of v, exactly 'width' of them (leading zeros kept),
** into out[0..width), two at a time. */
static void put_digits(char *out, uint64_t v, int width) {
  static const char d2[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";
  int i = width;
  while (i >= 2) {
    uint64_t q = v / 100;
    unsigned r = (unsigned)(v - q * 100);
    out[--i] = d2[2 * r + 1];
    out[--i] = d2[2 * r];
    v = q;
  }
  if (i == 1) out[0] = (char)('0' + v % 10);
}

static size_t fmt_int(char *buf, double x) {
  size_t k = 0;
  int neg = x < 0, nd = 1;
  unsigned long long v = (unsigned long long)(neg ? -x : x), t = v;
  while (t >= 10) { t /= 10; nd++; }
  if (neg) buf[k++] = '-';
  put_digits(buf + k, v, nd);
  k += (size_t)nd;
  buf[k] = '\0';
  return k;
}

/* Exact "%.<P>g" for the common range, without printf: x = m 2^e exactly,
** D = round-half-even(|x| 10^s) with s = P - 1 - X computed in 128-bit
** integers, then laid out as %g does (fixed for -4 <= X < P, else
** exponent; trailing zeros removed). Returns 0 when x is outside the range
** handled (then the caller uses snprintf, which gives the same digits). */
__extension__ typedef unsigned __int128 u128;

static size_t fmt_g_fast(char *buf, double x, int P) {
  static const uint64_t p10[20] = {1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL,
    1000000ULL, 10000000ULL, 100000000ULL, 1000000000ULL, 10000000000ULL,
    100000000000ULL, 1000000000000ULL, 10000000000000ULL, 100000000000000ULL,
    1000000000000000ULL, 10000000000000000ULL, 100000000000000000ULL,
    1000000000000000000ULL, 10000000000000000000ULL};
  static const uint64_t p5[28] = {1ULL, 5ULL, 25ULL, 125ULL, 625ULL, 3125ULL, 15625ULL,
    78125ULL, 390625ULL, 1953125ULL, 9765625ULL, 48828125ULL, 244140625ULL,
    1220703125ULL, 6103515625ULL, 30517578125ULL, 152587890625ULL, 762939453125ULL,
    3814697265625ULL, 19073486328125ULL, 95367431640625ULL, 476837158203125ULL,
    2384185791015625ULL, 11920928955078125ULL, 59604644775390625ULL,
    298023223876953125ULL, 1490116119384765625ULL, 7450580596923828125ULL};
  int E, neg = x < 0;
  double f = frexp(neg ? -x : x, &E);      /* |x| = f 2^E, f in [0.5, 1) */
  uint64_t m = (uint64_t)ldexp(f, 53);      /* exact */
  int e = E - 53;
  int X = (int)floor(log10(neg ? -x : x)); /* may be off by one: fixed below */
  uint64_t D = 0;
  for (int attempt = 0; attempt < 3; attempt++) {
    int s = P - 1 - X;
    if (s < 0 || s > 27) return 0;
    u128 v = (u128)m * p5[s];              /* m 5^s < 2^53 5^27 < 2^116 */
    int sh = s + e;
    if (sh >= 0) {
      if (sh > 10) return 0;
      v <<= sh;
    } else {
      int r = -sh;
      if (r >= 127) return 0;
      u128 q = v >> r, rem = v - (q << r), half = (u128)1 << (r - 1);
      /* check X before rounding: an estimate one too high gives a value
      ** just under 10^(P-1) that may round up to it (only P-1 digits) */
      if (q < (u128)p10[P - 1]) { X--; continue; }
      if (q >= (u128)p10[P]) { X++; continue; }
      if (rem > half || (rem == half && (q & 1))) q++;
      if (q == (u128)p10[P]) { q = p10[P - 1]; X++; }  /* 9.99.. -> 10.0.. */
      v = q;
    }
    if (v >= (u128)p10[P]) { X++; continue; }
    if (v < (u128)p10[P - 1]) { X--; continue; }
    D = (uint64_t)v;
    break;
  }
  if (D == 0) return 0;
  char dig[20];
  put_digits(dig, D, P);
  int nd = P;
  while (nd > 1 && dig[nd - 1] == '0') nd--;  /* significant digits kept */
  size_t k = 0;
  if (neg) buf[k++] = '-';
  if (X < -4 || X >= P) {                     /* d.ddde+XX */
    buf[k++] = dig[0];
    if (nd > 1) { buf[k++] = '.'; for (int i = 1; i < nd; i++) buf[k++] = dig[i]; }
    buf[k++] = 'e';
    int ax = X < 0 ? -X : X;
    buf[k++] = X < 0 ? '-' : '+';
    if (ax >= 100) buf[k++] = (char)('0' + ax / 100);
    buf[k++] = (char)('0' + (ax / 10) % 10);
    buf[k++] = (char)('0' + ax % 10);
  } else if (X >= 0) {                        /* ddd.ddd */
    for (int i = 0; i <= X; i++) buf[k++] = i < nd ? dig[i] : '0';
    if (nd > X + 1) { buf[k++] = '.'; for (int i = X + 1; i < nd; i++) buf[k++] = dig[i]; }
  } else {                                    /* 0.000ddd */
    buf[k++] = '0';
    buf[k++] = '.';
    for (int i = 0; i < -X - 1; i++) buf[k++] = '0';
    for (int i = 0; i < nd; i++) buf[k++] = dig[i];
  }
  buf[k] = '\0';
  return k;
}

size_t cni_fmt_double(char *buf, double x, int digits, int decimals,
                      const char *na) {
  if (isnan(x)) {
    size_t n = strlen(na);
    memcpy(buf, na, n + 1);
    return n;
  }
  if (isinf(x)) {
    strcpy(buf, x > 0 ? "Inf" : "-Inf");
    return strlen(buf);
  }
  if (digits < 0 && decimals >= 0) {
    int n = snprintf(buf, 40, "%.*f", decimals > 30 ? 30 : decimals, x);
    if (n >= 0 && n < 40) {
      fix_decimal_point(buf);
      return strlen(buf);
    }
    /* does not fit in 40 bytes (|x| >= about 1e38, or many decimals): the
    ** truncated text would be another number; write the shortest exact
    ** form instead */
    digits = 0;
  }
  if (x == floor(x) && fabs(x) < 1e15) {
    if (x == 0) { strcpy(buf, "0"); return 1; }
    return fmt_int(buf, x);
  }
  if (digits > 0) {
    int P = digits > 17 ? 17 : digits;
    size_t k = fmt_g_fast(buf, x, P);
    if (k) return k;
    snprintf(buf, 40, "%.*g", P, x);
  } else {
    for (int d = 15; d <= 17; d++) {
      if (!fmt_g_fast(buf, x, d)) snprintf(buf, 40, "%.*g", d, x);
      fix_decimal_point(buf);
      double back;
      if (d == 17 || (cni_parse_double(buf, strlen(buf), &back) && back == x))
        break;
    }
  }
  fix_decimal_point(buf);
  return strlen(buf);
}

static const double pow10_tab[] = {
  1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
  1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
};

int cni_parse_double(const char *s, size_t len, double *out) {
  /* fast path: [-]ddd[.ddd] with at most 15 digits (counts, ranks, rates):
  ** the digits are exact in a double, and so is the one division by a
  ** power of ten below (the same arithmetic as the general path) */
  if (len > 0 && len <= 17) {
    uint64_t v = 0;
    size_t k = 0, d0, nd, frac = 0;
    int neg = s[0] == '-';
    k = (size_t)neg;
    d0 = k;
    while (k < len && (unsigned)(s[k] - '0') < 10u) v = v * 10 + (uint64_t)(s[k++] - '0');
    nd = k - d0;
    if (k < len && s[k] == '.') {
      size_t f0 = ++k;
      while (k < len && (unsigned)(s[k] - '0') < 10u) v = v * 10 + (uint64_t)(s[k++] - '0');
      frac = k - f0;
    }
    if (k == len && nd + frac > 0 && nd + frac <= 15) {
      double x = (double)v;
      if (frac) x /= pow10_tab[frac];
      *out = neg ? -x : x;
      return 1;
    }
  }
  size_t i = 0, end = len;
  while (i < end && (s[i] == ' ' || s[i] == '\t')) i++;
  while (end > i && (s[end - 1] == ' ' || s[end - 1] == '\t' ||
                     s[end - 1] == '\r')) end--;
  if (i == end) return 0;
  size_t start = i;
  int neg = 0;
  if (s[i] == '+' || s[i] == '-') { neg = s[i] == '-'; i++; }
  if (end - i == 3 && (strncmp(s + i, "Inf", 3) == 0 || strncmp(s + i, "inf", 3) == 0)) {
    *out = neg ? -INFINITY : INFINITY;
    return 1;
  }
  uint64_t m = 0;
  int ndig = 0, sig = 0, frac = 0, ok = 1;
  long e10 = 0;
  while (i < end && s[i] >= '0' && s[i] <= '9') {
    if (sig < 19) { m = m * 10 + (uint64_t)(s[i] - '0'); if (m) sig++; } else e10++;
    ndig++; i++;
  }
  if (i < end && s[i] == '.') {
    i++;
    while (i < end && s[i] >= '0' && s[i] <= '9') {
      if (sig < 19) { m = m * 10 + (uint64_t)(s[i] - '0'); if (m) sig++; frac++; }
      ndig++; i++;
    }
  }
  if (ndig == 0) return 0;
  if (i < end && (s[i] == 'e' || s[i] == 'E')) {
    i++;
    int eneg = 0;
    long ev = 0;
    if (i < end && (s[i] == '+' || s[i] == '-')) { eneg = s[i] == '-'; i++; }
    if (i == end || s[i] < '0' || s[i] > '9') return 0;
    while (i < end && s[i] >= '0' && s[i] <= '9') {
      if (ev < 100000) ev = ev * 10 + (s[i] - '0');
      i++;
    }
    e10 += eneg ? -ev : ev;
  }
  if (i != end) return 0;
  e10 -= frac;
  if (m <= (1ULL << 53) && e10 >= -22 && e10 <= 22) {  /* exact (Clinger) */
    double v = (double)m;
    v = e10 < 0 ? v / pow10_tab[-e10] : v * pow10_tab[e10];
    *out = neg ? -v : v;
    return ok;
  }
  /* Slow path: strtod on a copy, with the locale's decimal point. */
  char tmp[512];
  size_t n = end - start;
  if (n >= sizeof tmp) return 0;
  memcpy(tmp, s + start, n);
  tmp[n] = '\0';
  const char *dp = localeconv()->decimal_point;
  if (dp[0] != '.' && dp[1] == '\0') {
    char *p = strchr(tmp, '.');
    if (p) *p = dp[0];
  }
  char *ep;
  *out = strtod(tmp, &ep);
  return *ep == '\0';
}

/* }===== */

int cni_utf8_valid(const char *s, size_t len, size_t *bad_) {
  const unsigned char *u = (const unsigned char *)s;
  size_t i = 0;
  while (i < len) {
    unsigned char c = u[i];
    size_t k;
    uint32_t cp;
    if (c < 0x80) { i++; continue; }
    if ((c & 0xE0) == 0xC0) { k = 1; cp = c & 0x1F; }
    else if ((c & 0xF0) == 0xE0) { k = 2; cp = c & 0x0F; }
    else if ((c & 0xF8) == 0xF0) { k = 3; cp = c & 0x07; }
    else goto bad;
    for (size_t j = 1; j <= k; j++) {
      if (i + j >= len || (u[i + j] & 0xC0) != 0x80) goto bad;
      cp = (cp << 6) | (u[i + j] & 0x3F);
    }
    if ((k == 1 && cp < 0x80) || (k == 2 && cp < 0x800) ||
        (k == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      goto bad;
    i += k + 1;
  }
  return 1;
bad:
  if (bad_) *bad_ = i;
  return 0;
}

/* {===== SHA-256 (FIPS 180-4), for the provenance of inputs and specs */

typedef struct sha256 {
  uint32_t h[8];
  uint64_t len;
  unsigned char buf[64];
  size_t nbuf;
} sha256;

static const uint32_t sha_k[64] = {
  0x428a2f98u, 0x71374491u, 0xb5c0fbcfu, 0xe9b5dba5u, 0x3956c25bu, 0x59f111f1u, 0x923f82a4u,
  0xab1c5ed5u, 0xd807aa98u, 0x12835b01u, 0x243185beu, 0x550c7dc3u, 0x72be5d74u, 0x80deb1feu,
  0x9bdc06a7u, 0xc19bf174u, 0xe49b69c1u, 0xefbe4786u, 0x0fc19dc6u, 0x240ca1ccu, 0x2de92c6fu,
  0x4a7484aau, 0x5cb0a9dcu, 0x76f988dau, 0x983e5152u, 0xa831c66du, 0xb00327c8u, 0xbf597fc7u,
  0xc6e00bf3u, 0xd5a79147u, 0x06ca6351u, 0x14292967u, 0x27b70a85u, 0x2e1b2138u, 0x4d2c6dfcu,
  0x53380d13u, 0x650a7354u, 0x766a0abbu, 0x81c2c92eu, 0x92722c85u, 0xa2bfe8a1u, 0xa81a664bu,
  0xc24b8b70u, 0xc76c51a3u, 0xd192e819u, 0xd6990624u, 0xf40e3585u, 0x106aa070u, 0x19a4c116u,
  0x1e376c08u, 0x2748774cu, 0x34b0bcb5u, 0x391c0cb3u, 0x4ed8aa4au, 0x5b9cca4fu, 0x682e6ff3u,
  0x748f82eeu, 0x78a5636fu, 0x84c87814u, 0x8cc70208u, 0x90befffau, 0xa4506cebu, 0xbef9a3f7u,
  0xc67178f2u};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void sha_block(sha256 *c, const unsigned char *p) {
  uint32_t w[64], a, b, d, e, f, g, h, cc;
  for (int i = 0; i < 16; i++)
    w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
  for (int i = 16; i < 64; i++) {
    uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
    uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
    w[i] = w[i - 16] + s0 + w[i - 7] + s1;
  }
  a = c->h[0]; b = c->h[1]; cc = c->h[2]; d = c->h[3];
  e = c->h[4]; f = c->h[5]; g = c->h[6]; h = c->h[7];
  for (int i = 0; i < 64; i++) {
    uint32_t t1 = h + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) + ((e & f) ^ (~e & g)) + sha_k[i] + w[i];
    uint32_t t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) + ((a & b) ^ (a & cc) ^ (b & cc));
    h = g; g = f; f = e; e = d + t1; d = cc; cc = b; b = a; a = t1 + t2;
  }
  c->h[0] += a; c->h[1] += b; c->h[2] += cc; c->h[3] += d;
  c->h[4] += e; c->h[5] += f; c->h[6] += g; c->h[7] += h;
}

static void sha_init(sha256 *c) {
  static const uint32_t h0[8] = {0x6a09e667u, 0xbb67ae85u, 0x3c6ef372u, 0xa54ff53au,
                                 0x510e527fu, 0x9b05688cu, 0x1f83d9abu, 0x5be0cd19u};
  memcpy(c->h, h0, sizeof h0);
  c->len = 0;
  c->nbuf = 0;
}

static void sha_update(sha256 *c, const unsigned char *p, size_t n) {
  c->len += n;
  while (n > 0) {
    if (c->nbuf == 0 && n >= 64) { sha_block(c, p); p += 64; n -= 64; continue; }
    size_t k = 64 - c->nbuf < n ? 64 - c->nbuf : n;
    memcpy(c->buf + c->nbuf, p, k);
    c->nbuf += k; p += k; n -= k;
    if (c->nbuf == 64) { sha_block(c, c->buf); c->nbuf = 0; }
  }
}

static void sha_final(sha256 *c, char *hex) {
  uint64_t bits = c->len * 8;
  unsigned char pad = 0x80, zero = 0, lenb[8];
  sha_update(c, &pad, 1);
  while (c->nbuf != 56) sha_update(c, &zero, 1);
  for (int i = 0; i < 8; i++) lenb[i] = (unsigned char)(bits >> (56 - 8 * i));
  sha_update(c, lenb, 8);
  for (int i = 0; i < 8; i++) snprintf(hex + 8 * i, 9, "%08x", c->h[i]);
}

void cni_sha256_hex(const void *data, size_t len, char *hex_) {
  sha256 c;
  sha_init(&c);
  sha_update(&c, data, len);
  sha_final(&c, hex_);
}

int cni_sha256_file(const char *path, char *hex_, cni_err *err) {
  FILE *f = fopen(path, "rb");
  unsigned char buf[65536];
  size_t n;
  sha256 c;
  if (f == NULL) return cni_err_set(err, CNI_EIO, "%s: %s", path, strerror(errno));
  sha_init(&c);
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) sha_update(&c, buf, n);
  int bad = ferror(f);
  fclose(f);
  if (bad) return cni_err_set(err, CNI_EIO, "%s: read error", path);
  sha_final(&c, hex_);
  return CNI_OK;
}

/* }===== */
