/*
** fuzz_csv.c: libFuzzer harness for the CSV reader and writer of the C core
** (src/cni_csv.c) and the number/UTF-8 helpers of src/cni_io.c.
**
** Build and run with tests/fuzz/run.sh. Any violated property calls abort()
** (so libFuzzer records a crash artifact), after printing what was wrong.
**
** Input layout: byte 0 selects the reader/writer options, bytes 1.. are the
** CSV text.
**   bits 0-1  delimiter: 0 ',', 1 ';', 2 '\t', 3 ','
**   bit 2     UTF-8 check off (check_utf8 = 0)
**   bit 3     custom missing-value tokens {"-", "NULL", "n/a"} (note: no "",
**             so empty fields become empty strings)
**   bit 4     select = {"a"}
**   bit 5     writer options: set = the writer's defaults (cni_csvw_opts_init:
**             15 significant digits, like R) with missing token "NA";
**             clear = shortest exact numbers (digits 0) and missing ""
**   bits 6-7  forced type for column "a": none, NUM, STR, BOOL
**
** What is checked, for every input:
**   1. cni_parse_double on the whole input (and on the input without its
**      option byte, and on every string value read from the CSV): when it
**      accepts a plain decimal token its value is bit-identical to strtod's
**      (C locale); it accepts nothing but plain decimals and [+-]Inf/inf.
**   2. cni_utf8_valid agrees with a table-driven reference validator
**      (Unicode 3-7 "well-formed UTF-8"), including the offset of the first
**      bad sequence.
**   3. If cni_csv_read_mem succeeds, the table's invariants hold (see
**      check_table), and the table survives a write/re-read round trip
**      (see check_roundtrip) written with ',' and, when a different
**      delimiter was used to read, also written and re-read with that one.
**   4. cni_fmt_double, on every number parsed in 1., against snprintf (see
**      check_format).
**   5. Reading with threads = 2 (two halves on two threads, forced whatever
**      the size) gives the serial reader's table or error (check_parallel).
**   6. Reading with libcsv_only = 1 (every record through libcsv, no fast
**      path for plain records) gives the same table or error, serial and in
**      two halves (check_libcsv_only).
*/
#define _POSIX_C_SOURCE 200809L
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cni_csv.h"
#include "cni_io.h"
#include "cni_table.h"

#define FAIL(...)                                                   \
  do {                                                              \
    fprintf(stderr, "fuzz_csv: property violated (%s:%d): ", __FILE__, \
            __LINE__);                                              \
    fprintf(stderr, __VA_ARGS__);                                   \
    fputc('\n', stderr);                                            \
    abort();                                                        \
  } while (0)

/* {===== numbers */

static int is_blank_lead(char c) { return c == ' ' || c == '\t'; }
static int is_blank_trail(char c) { return c == ' ' || c == '\t' || c == '\r'; }
static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* 1 if s[0..len) is [+-]?(d+(.d*)?|.d+)([eE][+-]?d+)? */
static int plain_decimal(const char *s, size_t len) {
  size_t i = 0, nd = 0;
  if (i < len && (s[i] == '+' || s[i] == '-')) i++;
  while (i < len && is_digit(s[i])) { i++; nd++; }
  if (i < len && s[i] == '.') {
    i++;
    while (i < len && is_digit(s[i])) { i++; nd++; }
  }
  if (nd == 0) return 0;
  if (i < len && (s[i] == 'e' || s[i] == 'E')) {
    size_t ne = 0;
    i++;
    if (i < len && (s[i] == '+' || s[i] == '-')) i++;
    while (i < len && is_digit(s[i])) { i++; ne++; }
    if (ne == 0) return 0;
  }
  return i == len;
}

static int inf_token(const char *s, size_t len, double *v) {
  int neg = 0;
  if (len > 0 && (s[0] == '+' || s[0] == '-')) { neg = s[0] == '-'; s++; len--; }
  if (len == 3 && (memcmp(s, "Inf", 3) == 0 || memcmp(s, "inf", 3) == 0)) {
    *v = neg ? -INFINITY : INFINITY;
    return 1;
  }
  return 0;
}

/* cni_fmt_double against its documented behaviour (src/cni_io.h):
**   digits > 0: "%.<digits>g" (digits capped at 17);
**   digits == 0: the shortest of "%.15g", "%.16g", "%.17g" that reads back
**     exactly (the CSV writer's exact mode);
**   digits < 0, decimals >= 0: "%.<decimals>f" (decimals capped at 30);
**   integral values below 1e15 in magnitude: the integer, in every mode
**     except fixed; NaN: the na token; +-Inf: "Inf" / "-Inf".
** The reference is snprintf into a large buffer (C locale). The output must
** also fit the documented 40-byte buffer. For fixed mode, where "%.<d>f" of
** a large number does not fit in 40 bytes, the output must still read back
** as a number within the requested rounding (it must never be a truncated,
** wrong number). */
static void check_format(double v) {
  char buf[64], ref[512];
  size_t k;
  if (!isfinite(v)) {
    k = cni_fmt_double(buf, v, 0, -1, "NA");
    if (isnan(v) ? strcmp(buf, "NA") != 0 : strcmp(buf, v > 0 ? "Inf" : "-Inf") != 0)
      FAIL("cni_fmt_double(%a) = \"%s\"", v, buf);
    return;
  }
  int integral = v == floor(v) && fabs(v) < 1e15;
  /* shortest exact (CSV writer, digits = 0) */
  k = cni_fmt_double(buf, v, 0, -1, "");
  if (k == 0 || k >= 40 || k != strlen(buf)) FAIL("cni_fmt_double(%a) gave %zu bytes", v, k);
  double back;
  if (!cni_parse_double(buf, k, &back) || !(back == v))
    FAIL("cni_fmt_double(%a, 0) = \"%s\" does not read back", v, buf);
  if (integral) {
    snprintf(ref, sizeof ref, "%.0f", v == 0 ? 0.0 : v); /* -0 -> "0" */
    if (strcmp(buf, ref) != 0) FAIL("integral %a written as \"%s\", not \"%s\"", v, buf, ref);
  } else {
    int d;
    for (d = 15; d < 17; d++) {
      snprintf(ref, sizeof ref, "%.*g", d, v);
      if (strtod(ref, NULL) == v) break;
    }
    snprintf(ref, sizeof ref, "%.*g", d, v);
    if (strcmp(buf, ref) != 0)
      FAIL("cni_fmt_double(%a, 0) = \"%s\", expected \"%s\"", v, buf, ref);
  }
  /* digits > 0 */
  for (int p = 1; p <= 17; p++) {
    k = cni_fmt_double(buf, v, p, -1, "");
    if (integral) snprintf(ref, sizeof ref, "%.0f", v == 0 ? 0.0 : v);
    else snprintf(ref, sizeof ref, "%.*g", p, v);
    if (k != strlen(buf) || strcmp(buf, ref) != 0)
      FAIL("cni_fmt_double(%a, digits %d) = \"%s\", expected \"%s\"", v, p, buf, ref);
  }
  /* fixed decimals */
  static const int decs[] = {0, 1, 2, 6, 30};
  for (size_t q = 0; q < sizeof decs / sizeof *decs; q++) {
    int dec = decs[q];
    k = cni_fmt_double(buf, v, -1, dec, "");
    int n = snprintf(ref, sizeof ref, "%.*f", dec, v);
    if (k != strlen(buf) || k >= 40) FAIL("cni_fmt_double(%a, decimals %d) gave %zu bytes", v, dec, k);
    if (n < 40) {
      if (strcmp(buf, ref) != 0)
        FAIL("cni_fmt_double(%a, decimals %d) = \"%s\", expected \"%s\"", v, dec, buf, ref);
    } else {
      double w;
      if (!cni_parse_double(buf, k, &w) || !(fabs(w - v) <= fabs(v) * 1e-15 + 0.5 * pow(10, -dec)))
        FAIL("cni_fmt_double(%a, decimals %d) = \"%s\": not the number (\"%.40s...\", %d bytes)",
             v, dec, buf, ref, n);
    }
  }
}

static void check_number(const char *s, size_t len) {
  double v;
  if (!cni_parse_double(s, len, &v)) return;
  /* the token without the blanks cni_parse_double allows around it */
  size_t i = 0, end = len;
  while (i < end && is_blank_lead(s[i])) i++;
  while (end > i && is_blank_trail(s[end - 1])) end--;
  const char *tok = s + i;
  size_t n = end - i;
  double want;
  if (inf_token(tok, n, &want)) {
    if (memcmp(&v, &want, sizeof v) != 0) FAIL("Inf token parsed as %.17g", v);
  } else if (plain_decimal(tok, n)) {
    char *copy = malloc(n + 1);
    if (!copy) return;
    memcpy(copy, tok, n);
    copy[n] = '\0';
    char *ep;
    want = strtod(copy, &ep);
    if (*ep != '\0') FAIL("strtod did not consume the plain decimal \"%s\"", copy);
    if (memcmp(&v, &want, sizeof v) != 0)
      FAIL("cni_parse_double(\"%s\") = %a, strtod = %a", copy, v, want);
    free(copy);
  } else {
    FAIL("cni_parse_double accepted a token that is neither a plain decimal "
         "nor Inf (%zu bytes)", n);
  }
  check_format(v);
}

/* }===== */

/* {===== UTF-8 reference (Unicode Table 3-7) */

static int ref_utf8_valid(const unsigned char *u, size_t len, size_t *bad) {
  size_t i = 0;
  while (i < len) {
    unsigned char c = u[i];
    unsigned char lo = 0x80, hi = 0xBF;
    size_t k;
    if (c < 0x80) { i++; continue; }
    if (c >= 0xC2 && c <= 0xDF) k = 1;
    else if (c == 0xE0) { k = 2; lo = 0xA0; }
    else if (c >= 0xE1 && c <= 0xEC) k = 2;
    else if (c == 0xED) { k = 2; hi = 0x9F; }
    else if (c >= 0xEE && c <= 0xEF) k = 2;
    else if (c == 0xF0) { k = 3; lo = 0x90; }
    else if (c >= 0xF1 && c <= 0xF3) k = 3;
    else if (c == 0xF4) { k = 3; hi = 0x8F; }
    else { *bad = i; return 0; }
    if (i + k >= len) { *bad = i; return 0; }
    if (u[i + 1] < lo || u[i + 1] > hi) { *bad = i; return 0; }
    for (size_t j = 2; j <= k; j++)
      if (u[i + j] < 0x80 || u[i + j] > 0xBF) { *bad = i; return 0; }
    i += k + 1;
  }
  return 1;
}

static void check_utf8(const char *s, size_t len) {
  size_t bad1 = (size_t)-1, bad2 = (size_t)-1;
  int a = cni_utf8_valid(s, len, &bad1);
  int b = ref_utf8_valid((const unsigned char *)s, len, &bad2);
  if (a != b) FAIL("cni_utf8_valid = %d, reference = %d", a, b);
  if (!a && bad1 != bad2) FAIL("cni_utf8_valid bad offset %zu, reference %zu", bad1, bad2);
}

/* }===== */

/* {===== table invariants */

static int parse_bool(const char *s, size_t len, uint8_t *v) {
  /* same rule as the reader (src/cni_csv.c) */
  if (len == 4 && (memcmp(s, "TRUE", 4) == 0 || memcmp(s, "true", 4) == 0 ||
                   memcmp(s, "True", 4) == 0)) { *v = 1; return 1; }
  if (len == 5 && (memcmp(s, "FALSE", 5) == 0 || memcmp(s, "false", 5) == 0 ||
                   memcmp(s, "False", 5) == 0)) { *v = 0; return 1; }
  return 0;
}

static void check_table(const cni_table *t, const char *what) {
  if (t->ncol == 0) FAIL("%s: table without columns", what);
  if (t->ncol > t->cap) FAIL("%s: ncol %zu > cap %zu", what, t->ncol, t->cap);
  for (size_t j = 0; j < t->ncol; j++) {
    const cni_column *c = t->cols[j];
    if (!t->names[j] || !c) FAIL("%s: column %zu is NULL", what, j);
    if (t->names[j][0] == '\0') FAIL("%s: column %zu has an empty name", what, j);
    for (size_t k = 0; k < j; k++)
      if (strcmp(t->names[j], t->names[k]) == 0)
        FAIL("%s: duplicate column name '%s'", what, t->names[j]);
    if (c->n != t->nrow)
      FAIL("%s: column '%s' has %zu rows, table %zu", what, t->names[j], c->n, t->nrow);
    if (c->refs < 1) FAIL("%s: column '%s' refs %zu", what, t->names[j], c->refs);
    switch (c->type) {
      case CNI_NUM:
        if (!c->num) FAIL("%s: NUM column without data", what);
        for (size_t i = 0; i < c->n; i++) {
          volatile double x = c->num[i]; /* ASan: every row is addressable */
          (void)x;
        }
        break;
      case CNI_STR: {
        const cni_strdict *d = c->dict;
        if (!c->code || !d) FAIL("%s: STR column without codes/dictionary", what);
        for (size_t i = 0; i < c->n; i++)
          if (c->code[i] != CNI_NA_CODE && c->code[i] >= d->n)
            FAIL("%s: column '%s' row %zu: code %u >= dictionary size %zu", what,
                 t->names[j], i, (unsigned)c->code[i], d->n);
        for (size_t k = 0; k < d->n; k++) {
          if (!d->str[k] || d->str[k][d->len[k]] != '\0')
            FAIL("%s: dictionary entry %zu not NUL-terminated", what, k);
          if (cni_strdict_find(d, d->str[k], d->len[k]) != k)
            FAIL("%s: dictionary entry %zu not found at its own code", what, k);
        }
        break;
      }
      case CNI_BOOL:
        if (!c->b) FAIL("%s: BOOL column without data", what);
        for (size_t i = 0; i < c->n; i++)
          if (c->b[i] > CNI_BOOL_NA)
            FAIL("%s: column '%s' row %zu: boolean value %u", what, t->names[j], i,
                 (unsigned)c->b[i]);
        break;
      default:
        FAIL("%s: column '%s' has type %d", what, t->names[j], (int)c->type);
    }
  }
}

/* }===== */

/* {===== write / re-read round trip
**
** What must hold after writing table t1 with cni_csv_write_fp (delimiter
** 'wdelim', missing-value token 'wna', 'digits' significant digits, 0 =
** shortest exact) and reading the output back with the default options
** (same delimiter; UTF-8 check as in the first read, see below):
**
**  - the re-read succeeds, with the same number of rows and columns and the
**    same column names in the same order;
**  - every cell of the re-read table is what the default reading rules make
**    of the text the writer wrote for that cell ("cell text" below):
**      * text that is a default missing token ("", NA, N/A, .., :) reads as
**        missing;
**      * each column gets the type the documented inference gives for its
**        cell texts: no non-missing text -> NUM; all numbers -> NUM; all
**        TRUE/FALSE -> BOOL; otherwise STR;
**      * a NUM cell equals cni_parse_double(text), a BOOL cell
**        parse_bool(text), a STR cell the exact bytes of the text.
**
** Legitimate differences from t1, which the check therefore allows:
**  - types may change: a STR column whose values all look numeric (it was
**    STR in t1 because of a value that is a missing token under a custom NA
**    list, e.g. "NA" with na = {"-"}, or because of a forced STR type) comes
**    back NUM; a column of "true"/"True" strings comes back BOOL; an
**    all-missing STR or BOOL column comes back NUM (no values -> NUM);
**  - values that are missing tokens under the default list ("NA", "", "..",
**    ...) but were real strings in t1 (custom NA list) come back missing;
**  - -0 is written as 0 (it compares equal);
**  - with digits > 0 (the writer's default is 15, as R) numbers are rounded
**    to that many significant digits: the re-read value is the parse of the
**    written text, within the rounding of t1's value (a value within that
**    rounding of DBL_MAX rounds up to Inf, as in R); only digits = 0
**    promises the exact same double;
**  - with the UTF-8 check off, t1 may hold invalid UTF-8 (in names or
**    values); a checking re-read would legitimately refuse it, so the
**    re-read uses the same check_utf8 setting as the first read.
**
** Things that are NOT legitimate differences (the writer must prevent them):
**  - a row or column disappearing: e.g. a one-column table with a missing
**    value writes an empty line, which the reader skips as blank;
**  - a name or value changing because the reader trims blanks (libcsv trims
**    unquoted spaces and tabs) or strips a UTF-8 byte-order mark at the
**    start of the file;
**  - a name colliding with another after such a change.
** Names are never empty in t1 (the reader names empty header fields colN),
** so an empty header name is not a legitimate difference either.
*/

static const char *const default_na[] = {"", "NA", "N/A", "..", ":"};

static int default_is_na(const char *s, size_t len) {
  for (size_t i = 0; i < sizeof default_na / sizeof *default_na; i++)
    if (strlen(default_na[i]) == len && memcmp(default_na[i], s, len) == 0) return 1;
  return 0;
}

/* Text the writer writes for a cell (before quoting). */
static const char *cell_text(const cni_column *c, size_t i, const char *wna,
                             int digits, char *buf, size_t *len) {
  switch (c->type) {
    case CNI_NUM:
      if (isnan(c->num[i])) break;
      *len = cni_fmt_double(buf, c->num[i], digits, -1, wna);
      return buf;
    case CNI_STR:
      if (c->code[i] == CNI_NA_CODE) break;
      *len = c->dict->len[c->code[i]];
      return c->dict->str[c->code[i]];
    case CNI_BOOL:
      if (c->b[i] == CNI_BOOL_NA) break;
      *len = c->b[i] ? 4 : 5;
      return c->b[i] ? "TRUE" : "FALSE";
  }
  *len = strlen(wna);
  return wna;
}

static char *write_mem(const cni_table *t, unsigned char delim, const char *wna,
                       int digits, size_t *len) {
  char *out = NULL;
  size_t n = 0;
  FILE *fp = open_memstream(&out, &n);
  if (!fp) return NULL;
  cni_csvw_opts w;
  cni_csvw_opts_init(&w);
  w.delim = delim;
  w.na = wna;
  w.digits = digits;
  cni_err e;
  cni_err_clear(&e);
  int st = cni_csv_write_fp(t, fp, &w, &e);
  if (fclose(fp) != 0) { free(out); return NULL; }
  if (st != CNI_OK) FAIL("cni_csv_write_fp failed: %s", e.msg);
  *len = n;
  return out;
}

static void check_roundtrip(const cni_table *t1, unsigned char delim,
                            const char *wna, int digits, int check_utf8) {
  size_t len;
  char *out = write_mem(t1, delim, wna, digits, &len);
  if (!out) return; /* out of memory in open_memstream */
  cni_csv_opts o;
  cni_csv_opts_init(&o);
  o.delim = delim;
  o.check_utf8 = check_utf8;
  cni_err e;
  cni_table *t2 = cni_csv_read_mem(out, len, "roundtrip", &o, &e);
  if (!t2)
    FAIL("re-read of the written CSV failed (delim 0x%02X, na \"%s\"): %s",
         delim, wna, e.msg);
  check_table(t2, "re-read");
  if (t2->nrow != t1->nrow || t2->ncol != t1->ncol)
    FAIL("round trip changed the shape: %zu x %zu -> %zu x %zu (delim 0x%02X, na \"%s\")",
         t1->nrow, t1->ncol, t2->nrow, t2->ncol, delim, wna);
  char buf[64];
  for (size_t j = 0; j < t1->ncol; j++) {
    if (strcmp(t1->names[j], t2->names[j]) != 0)
      FAIL("round trip changed column name %zu: '%s' -> '%s'", j + 1, t1->names[j],
           t2->names[j]);
    const cni_column *c1 = t1->cols[j], *c2 = t2->cols[j];
    /* expected type from the cell texts */
    int any = 0, allnum = 1, allbool = 1;
    for (size_t i = 0; i < t1->nrow; i++) {
      size_t n;
      const char *s = cell_text(c1, i, wna, digits, buf, &n);
      double v;
      uint8_t b;
      if (default_is_na(s, n)) continue;
      any = 1;
      if (!cni_parse_double(s, n, &v)) allnum = 0;
      if (!parse_bool(s, n, &b)) allbool = 0;
    }
    cni_coltype want = !any || allnum ? CNI_NUM : allbool ? CNI_BOOL : CNI_STR;
    if (c2->type != want)
      FAIL("round trip: column '%s' read back as %s, expected %s (was %s)", t1->names[j],
           cni_coltype_name(c2->type), cni_coltype_name(want), cni_coltype_name(c1->type));
    for (size_t i = 0; i < t1->nrow; i++) {
      size_t n;
      const char *s = cell_text(c1, i, wna, digits, buf, &n);
      int miss = cni_col_is_missing(c2, i);
      if (default_is_na(s, n)) {
        if (!miss) FAIL("round trip: column '%s' row %zu: missing token not missing",
                        t1->names[j], i + 1);
        continue;
      }
      if (miss) FAIL("round trip: column '%s' row %zu: value became missing", t1->names[j], i + 1);
      switch (c2->type) {
        case CNI_NUM: {
          double v = NAN;
          cni_parse_double(s, n, &v);
          if (!(c2->num[i] == v))
            FAIL("round trip: column '%s' row %zu: %a -> %a", t1->names[j], i + 1, v,
                 c2->num[i]);
          /* relative rounding error of 'digits' significant digits is at
          ** most 0.5e-(digits-1); allow twice that */
          if (c1->type == CNI_NUM &&
              !(c1->num[i] == c2->num[i] ||
                (digits > 0 && isfinite(c1->num[i]) &&
                 (fabs(c1->num[i] - c2->num[i]) <= fabs(c1->num[i]) * pow(10, 1 - digits) ||
                  /* near DBL_MAX, rounding up overflows to Inf (as in R) */
                  (isinf(c2->num[i]) && fabs(c1->num[i]) >= DBL_MAX * (1 - pow(10, 1 - digits)))))))
            FAIL("round trip: column '%s' row %zu: number %a -> %a", t1->names[j], i + 1,
                 c1->num[i], c2->num[i]);
          break;
        }
        case CNI_BOOL: {
          uint8_t b = 2;
          parse_bool(s, n, &b);
          if (c2->b[i] != b)
            FAIL("round trip: column '%s' row %zu: boolean %u -> %u", t1->names[j], i + 1,
                 (unsigned)b, (unsigned)c2->b[i]);
          break;
        }
        case CNI_STR: {
          uint32_t k = c2->code[i];
          if (c2->dict->len[k] != n || memcmp(c2->dict->str[k], s, n) != 0)
            FAIL("round trip: column '%s' row %zu: string of %zu bytes changed "
                 "(now %zu bytes)", t1->names[j], i + 1, n, c2->dict->len[k]);
          break;
        }
      }
    }
  }
  cni_table_free(t2);
  free(out);
}

/* }===== */

/* {===== parallel reading
**
** cni_csv_read_mem reads inputs of 256 KiB or more as two halves on two
** threads (joined when their column types agree, else read again serially);
** threads = 2 forces that whatever the size. Whatever path it takes, the
** result must be the one of the serial reader: the same table (names,
** types, every value; strings by their bytes, since the dictionaries may
** number them differently), or the same error (code and message). */

static void same_table(const cni_table *a, const cni_table *b) {
  if (a->nrow != b->nrow || a->ncol != b->ncol)
    FAIL("parallel read: %zu x %zu, serial %zu x %zu", b->nrow, b->ncol, a->nrow, a->ncol);
  for (size_t j = 0; j < a->ncol; j++) {
    const cni_column *x = a->cols[j], *y = b->cols[j];
    if (strcmp(a->names[j], b->names[j]) != 0)
      FAIL("parallel read: column %zu named '%s', serial '%s'", j + 1, b->names[j], a->names[j]);
    if (x->type != y->type)
      FAIL("parallel read: column '%s' is %s, serial %s", a->names[j],
           cni_coltype_name(y->type), cni_coltype_name(x->type));
    for (size_t i = 0; i < a->nrow; i++) {
      int same = 1;
      switch (x->type) {
        case CNI_NUM:
          same = memcmp(&x->num[i], &y->num[i], sizeof(double)) == 0 ||
                 (isnan(x->num[i]) && isnan(y->num[i]));
          break;
        case CNI_BOOL: same = x->b[i] == y->b[i]; break;
        case CNI_STR: {
          uint32_t p = x->code[i], q = y->code[i];
          if (p == CNI_NA_CODE || q == CNI_NA_CODE) same = p == q;
          else same = x->dict->len[p] == y->dict->len[q] &&
                      memcmp(x->dict->str[p], y->dict->str[q], x->dict->len[p]) == 0;
          break;
        }
      }
      if (!same) FAIL("parallel read: column '%s' row %zu differs from the serial read",
                      a->names[j], i + 1);
    }
  }
}

static void check_libcsv_only(const char *csv, size_t len, const cni_csv_opts *o,
                              const cni_table *fast, const cni_err *ferr) {
  for (int th = 1; th <= 2; th++) {
    cni_csv_opts o2 = *o;
    o2.libcsv_only = 1;
    o2.threads = th;
    cni_err e;
    cni_table *t = cni_csv_read_mem(csv, len, "fuzz.csv", &o2, &e);
    if (!fast != !t)
      FAIL("libcsv-only read (threads %d) %s, fast-path read %s (%s)", th,
           t ? "succeeded" : "failed", fast ? "succeeded" : "failed", t ? ferr->msg : e.msg);
    if (!t) {
      if (e.code != ferr->code || strcmp(e.msg, ferr->msg) != 0)
        FAIL("libcsv-only read error (%d) \"%s\", fast path (%d) \"%s\"", e.code, e.msg,
             ferr->code, ferr->msg);
      continue;
    }
    same_table(fast, t);
    cni_table_free(t);
  }
}

static void check_parallel(const char *csv, size_t len, const cni_csv_opts *o,
                           const cni_table *serial, const cni_err *serr) {
  cni_csv_opts o2 = *o;
  o2.threads = 2;
  cni_err e;
  cni_table *t = cni_csv_read_mem(csv, len, "fuzz.csv", &o2, &e);
  if (!serial != !t)
    FAIL("parallel read %s, serial read %s (%s)", t ? "succeeded" : "failed",
         serial ? "succeeded" : "failed", t ? serr->msg : e.msg);
  if (!t) {
    if (e.code != serr->code || strcmp(e.msg, serr->msg) != 0)
      FAIL("parallel read error (%d) \"%s\", serial (%d) \"%s\"", e.code, e.msg,
           serr->code, serr->msg);
    return;
  }
  check_table(t, "parallel read");
  same_table(serial, t);
  cni_table_free(t);
}

/* }===== */

static const char *const custom_na[] = {"-", "NULL", "n/a"};
static const char *const select_a[] = {"a"};
static const char *const type_col_a[] = {"a"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0) return 0;

  /* numbers and UTF-8 on the raw input, as NUL-terminated strings */
  char *z = malloc(size + 1);
  if (!z) return 0;
  memcpy(z, data, size);
  z[size] = '\0';
  check_number(z, strlen(z));
  check_number(z + 1, strlen(z + 1));
  check_utf8((const char *)data, size);
  free(z);

  unsigned opt = data[0];
  const char *csv = (const char *)data + 1;
  size_t len = size - 1;
  static const unsigned char delims[4] = {',', ';', '\t', ','};
  cni_coltype forced;
  cni_csv_opts o;
  cni_csv_opts_init(&o);
  o.delim = delims[opt & 3];
  o.check_utf8 = !(opt & 4);
  if (opt & 8) { o.na = custom_na; o.nna = sizeof custom_na / sizeof *custom_na; }
  if (opt & 16) { o.select = select_a; o.nselect = 1; }
  cni_csvw_opts wdef;
  cni_csvw_opts_init(&wdef);
  const char *wna = (opt & 32) ? "NA" : "";
  int wdigits = (opt & 32) ? wdef.digits : 0;
  if (opt >> 6) {
    forced = (opt >> 6) == 1 ? CNI_NUM : (opt >> 6) == 2 ? CNI_STR : CNI_BOOL;
    o.type_cols = type_col_a;
    o.types = &forced;
    o.ntypes = 1;
  }

  cni_err e;
  o.threads = 1; /* serial */
  cni_table *t = cni_csv_read_mem(csv, len, "fuzz.csv", &o, &e);
  check_parallel(csv, len, &o, t, &e);
  check_libcsv_only(csv, len, &o, t, &e);
  if (!t) {
    if (e.code == CNI_OK) FAIL("read failed without an error code");
    if (e.msg[0] == '\0') FAIL("read failed (code %d) without a message", e.code);
    return 0;
  }
  if (e.code != CNI_OK) FAIL("read succeeded with error code %d", e.code);
  check_table(t, "read");
  if (o.nselect && (t->ncol != 1 || strcmp(t->names[0], "a") != 0))
    FAIL("select {\"a\"} gave %zu columns", t->ncol);
  if (o.ntypes) {
    long a = cni_table_find(t, "a");
    if (a < 0) FAIL("type override for 'a' accepted without a column 'a'");
    if (t->cols[a]->type != forced)
      FAIL("column 'a' forced to %s, read as %s", cni_coltype_name(forced),
           cni_coltype_name(t->cols[a]->type));
  }
  /* the number parser on every distinct string read */
  for (size_t j = 0; j < t->ncol; j++) {
    const cni_column *c = t->cols[j];
    if (c->type != CNI_STR) continue;
    for (size_t k = 0; k < c->dict->n && k < 256; k++)
      check_number(c->dict->str[k], c->dict->len[k]);
  }

  check_roundtrip(t, ',', wna, wdigits, o.check_utf8);
  if (o.delim != ',') check_roundtrip(t, o.delim, wna, wdigits, o.check_utf8);
  cni_table_free(t);
  return 0;
}
