/*
** cni_csv.c: CSV reader (libcsv callbacks -> typed columns) and writer.
** Layer: core. Never includes Lua headers.
**
** Reading is streaming (1 MiB chunks) and takes one pass, plus a second pass
** over the columns that turned out to hold text after numbers had been seen
** (rare: then those columns are re-read as strings). Memory while loading is
** the growing columns (doubling) plus one chunk.
*/
#define _POSIX_C_SOURCE 200809L
#include <csv.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cni_csv.h"
#include "cni_io.h"

#define CHUNK (1u << 20)

static const char *const default_na[] = {"", "NA", "N/A", "..", ":"};

static int cni_ncpu_csv(void) {
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n < 1 ? 1 : (int)n;
}

void cni_csv_opts_init(cni_csv_opts *o) {
  memset(o, 0, sizeof *o);
  o->check_utf8 = 1;
}

void cni_csvw_opts_init(cni_csvw_opts *o) {
  memset(o, 0, sizeof *o);
  o->digits = 15;
  o->decimals = -1;
}

enum { ST_UNKNOWN = -1 };

typedef struct colbuild {
  char *name;            /* final (renamed) name */
  size_t src;            /* field index in the file */
  int forced;            /* type given by the caller */
  int state;             /* ST_UNKNOWN or a cni_coltype */
  int demoted;           /* saw text after numbers/booleans: re-read */
  size_t cap;
  double *num;
  uint8_t *b;
  uint32_t *code;
  cni_strdict *dict;
} colbuild;

typedef struct builder {
  const char *name;
  const cni_csv_opts *o;
  const char *const *na;
  size_t nna;
  size_t na_len[64];     /* lengths of the first 64 tokens */
  size_t na_maxlen;
  int na_numeric;        /* some NA token parses as a number */
  int pass;
  long rec;              /* records completed, header included */
  size_t field;          /* fields seen in the current record */
  char **hdr;
  size_t nhdr, hdrcap;
  long *map;             /* file field -> column index, -1 = skipped */
  colbuild *cols;
  size_t ncols;
  size_t nrows;
  cni_err *err;
  int failed;
  int shared_hdr;        /* hdr and map belong to another builder */
  long rec0;             /* records before this segment (parallel halves) */
  size_t cap_hint;       /* expected rows (line count): first column size */
} builder;

static int fail(builder *b, int code, long row, long col, const char *fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 5, 6)))
#endif
  ;

#include <stdarg.h>
static int fail(builder *b, int code, long row, long col, const char *fmt, ...) {
  char msg[900];
  va_list ap;
  if (b->failed) return code;
  b->failed = 1;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (b->err) {
    b->err->row = row;
    b->err->col = col;
    snprintf(b->err->file, sizeof b->err->file, "%s", b->name);
  }
  return cni_err_set(b->err, code, "%s", msg);
}

/* Printable excerpt of a token for messages. */
static void excerpt(char *out, size_t outsz, const char *s, size_t len) {
  size_t k = 0;
  for (size_t i = 0; i < len && k + 5 < outsz; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c < 0x20 || c == 0x7f || c >= 0x80) k += (size_t)snprintf(out + k, outsz - k, "\\x%02X", c);
    else out[k++] = (char)c;
    if (i == 40 && len > 44) { k += (size_t)snprintf(out + k, outsz - k, "..."); break; }
  }
  out[k] = '\0';
}

static int is_na(const builder *b, const char *s, size_t len) {
  if (len > b->na_maxlen) return 0;
  for (size_t i = 0; i < b->nna; i++) {
    size_t tl = i < 64 ? b->na_len[i] : strlen(b->na[i]);
    if (tl == len && (len == 0 || (b->na[i][0] == s[0] && memcmp(b->na[i], s, len) == 0)))
      return 1;
  }
  return 0;
}

static int parse_bool(const char *s, size_t len, uint8_t *v) {
  if (len == 4 && (strncmp(s, "TRUE", 4) == 0 || strncmp(s, "true", 4) == 0 ||
                   strncmp(s, "True", 4) == 0)) { *v = 1; return 1; }
  if (len == 5 && (strncmp(s, "FALSE", 5) == 0 || strncmp(s, "false", 5) == 0 ||
                   strncmp(s, "False", 5) == 0)) { *v = 0; return 1; }
  return 0;
}

static int grow(builder *b, colbuild *c, size_t need) {
  if (need <= c->cap) return 1;
  size_t nc = c->cap ? c->cap * 2 : 1024;
  while (nc < need) nc *= 2;
  if (c->num) { double *p = realloc(c->num, nc * sizeof *p); if (!p) goto oom; c->num = p; }
  if (c->b) { uint8_t *p = realloc(c->b, nc); if (!p) goto oom; c->b = p; }
  if (c->code) { uint32_t *p = realloc(c->code, nc * sizeof *p); if (!p) goto oom; c->code = p; }
  c->cap = nc;
  return 1;
oom:
  fail(b, CNI_ENOMEM, 0, 0, "out of memory while loading");
  return 0;
}

/* Allocates storage for a column's chosen type, filling rows [0, row) as
** missing. */
static int set_state(builder *b, colbuild *c, int st, size_t row) {
  size_t cap = c->cap ? c->cap : (b->cap_hint ? b->cap_hint : 1024);
  while (cap < row + 1) cap *= 2;
  c->state = st;
  c->cap = cap;
  if (st == CNI_NUM) {
    c->num = malloc(cap * sizeof *c->num);
    if (!c->num) goto oom;
    for (size_t i = 0; i < row; i++) c->num[i] = NAN;
  } else if (st == CNI_BOOL) {
    c->b = malloc(cap);
    if (!c->b) goto oom;
    memset(c->b, CNI_BOOL_NA, row);
  } else {
    c->code = malloc(cap * sizeof *c->code);
    if (!c->code) goto oom;
    if (!c->dict) c->dict = cni_strdict_new();
    if (!c->dict) goto oom;
    if (b->cap_hint && !cni_strdict_reserve(c->dict, b->cap_hint)) goto oom;
    for (size_t i = 0; i < row; i++) c->code[i] = CNI_NA_CODE;
  }
  return 1;
oom:
  fail(b, CNI_ENOMEM, 0, 0, "out of memory while loading");
  return 0;
}

static int store_str(builder *b, colbuild *c, size_t row, const char *s,
                     size_t len, int na) {
  if (na) { c->code[row] = CNI_NA_CODE; return 1; }
  if (b->o->check_utf8) {
    size_t bad;
    if (!cni_utf8_valid(s, len, &bad)) {
      char ex[200];
      excerpt(ex, sizeof ex, s, len);
      fail(b, CNI_EPARSE, (long)row + 2, (long)c->src + 1,
           "%s: row %zu, column '%s': invalid UTF-8 (byte %zu of \"%s\"); "
           "convert the file to UTF-8 (for example: iconv -f latin1 -t utf-8)",
           b->name, row + 2, c->name, bad + 1, ex);
      return 0;
    }
  }
  uint32_t k = cni_strdict_intern(c->dict, s, len);
  if (k == CNI_NA_CODE) { fail(b, CNI_ENOMEM, 0, 0, "out of memory while loading"); return 0; }
  c->code[row] = k;
  return 1;
}

static void on_value(builder *b, colbuild *c, const char *s, size_t len) {
  size_t row = b->nrows;
  double v;
  uint8_t bv;
  /* hot path: a numeric column and a number (NA tokens never parse as
  ** numbers unless the caller gave such a token: na_numeric) */
  if (c->state == CNI_NUM && !c->demoted && b->pass == 1 && !b->na_numeric &&
      row < c->cap && cni_parse_double(s, len, &v)) {
    c->num[row] = v;
    return;
  }
  int na = is_na(b, s, len);
  if (b->pass == 2) {  /* re-reading demoted columns as strings */
    if (c->demoted) store_str(b, c, row, s, len, na);
    return;
  }
  if (c->demoted) return;
  if (c->state == ST_UNKNOWN) {
    if (na) return;  /* still unknown; filled as missing when decided */
    if (cni_parse_double(s, len, &v)) { if (!set_state(b, c, CNI_NUM, row)) return; }
    else if (parse_bool(s, len, &bv)) { if (!set_state(b, c, CNI_BOOL, row)) return; }
    else if (!set_state(b, c, CNI_STR, row)) return;
  }
  if (!grow(b, c, row + 1)) return;
  switch (c->state) {
    case CNI_NUM:
      if (na) { c->num[row] = NAN; return; }
      if (cni_parse_double(s, len, &v)) { c->num[row] = v; return; }
      if (c->forced) {
        char ex[200];
        excerpt(ex, sizeof ex, s, len);
        fail(b, CNI_EPARSE, (long)row + 2, (long)c->src + 1,
             "%s: row %zu, column '%s': \"%s\" is not a number (declared "
             "numeric; add the token to the missing-value list if it means "
             "missing)", b->name, row + 2, c->name, ex);
        return;
      }
      c->demoted = 1;
      return;
    case CNI_BOOL:
      if (na) { c->b[row] = CNI_BOOL_NA; return; }
      if (parse_bool(s, len, &bv)) { c->b[row] = bv; return; }
      if (c->forced) {
        char ex[200];
        excerpt(ex, sizeof ex, s, len);
        fail(b, CNI_EPARSE, (long)row + 2, (long)c->src + 1,
             "%s: row %zu, column '%s': \"%s\" is not TRUE or FALSE (declared "
             "boolean)", b->name, row + 2, c->name, ex);
        return;
      }
      c->demoted = 1;
      return;
    default:
      store_str(b, c, row, s, len, na);
      return;
  }
}

static void on_header_done(builder *b) {
  const cni_csv_opts *o = b->o;
  if (b->nhdr == 0) { fail(b, CNI_ESHAPE, 1, 0, "%s: empty header row", b->name); return; }
  for (size_t j = 0; j < b->nhdr; j++) {
    if (b->hdr[j][0] == '\0') {
      char nm[32];
      snprintf(nm, sizeof nm, "col%zu", j + 1);
      free(b->hdr[j]);
      b->hdr[j] = malloc(strlen(nm) + 1);
      if (!b->hdr[j]) { fail(b, CNI_ENOMEM, 0, 0, "out of memory"); return; }
      strcpy(b->hdr[j], nm);
    }
    for (size_t k = 0; k < j; k++)
      if (strcmp(b->hdr[j], b->hdr[k]) == 0) {
        fail(b, CNI_EPARSE, 1, (long)j + 1,
             "%s: row 1: duplicate column name '%s' (columns %zu and %zu)",
             b->name, b->hdr[j], k + 1, j + 1);
        return;
      }
  }
  b->map = malloc(b->nhdr * sizeof *b->map);
  size_t ncols = o->nselect ? o->nselect : b->nhdr;
  b->cols = calloc(ncols, sizeof *b->cols);
  if (!b->map || !b->cols) { fail(b, CNI_ENOMEM, 0, 0, "out of memory"); return; }
  for (size_t j = 0; j < b->nhdr; j++) b->map[j] = o->nselect ? -1 : (long)j;
  if (o->nselect) {
    for (size_t i = 0; i < o->nselect; i++) {
      long found = -1;
      for (size_t j = 0; j < b->nhdr; j++)
        if (strcmp(o->select[i], b->hdr[j]) == 0) { found = (long)j; break; }
      if (found < 0) {
        const char *near = cni_closest(o->select[i], (const char *const *)b->hdr, b->nhdr);
        fail(b, CNI_EKEY, 1, 0, "%s: no column '%s'%s%s%s", b->name, o->select[i],
             near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
        return;
      }
      if (b->map[found] >= 0) {
        fail(b, CNI_EKEY, 1, 0, "%s: column '%s' selected twice", b->name, o->select[i]);
        return;
      }
      b->map[found] = (long)i;
    }
  }
  for (size_t j = 0; j < b->nhdr; j++) {
    long ci = b->map[j];
    if (ci < 0) continue;
    colbuild *c = &b->cols[ci];
    const char *nm = b->hdr[j];
    for (size_t r = 0; r < o->nrename; r++)
      if (strcmp(o->rename_from[r], b->hdr[j]) == 0) nm = o->rename_to[r];
    c->name = malloc(strlen(nm) + 1);
    if (!c->name) { fail(b, CNI_ENOMEM, 0, 0, "out of memory"); return; }
    strcpy(c->name, nm);
    c->src = j;
    c->state = ST_UNKNOWN;
    for (size_t t = 0; t < o->ntypes; t++)
      if (strcmp(o->type_cols[t], b->hdr[j]) == 0) {
        c->forced = 1;
        if (!set_state(b, c, (int)o->types[t], 0)) return;
      }
  }
  b->ncols = ncols;
  /* checks after renaming: every override and rename must name a column */
  for (size_t t = 0; t < o->ntypes; t++) {
    int found = 0;
    for (size_t j = 0; j < b->nhdr; j++) found |= strcmp(o->type_cols[t], b->hdr[j]) == 0;
    if (!found) {
      const char *near = cni_closest(o->type_cols[t], (const char *const *)b->hdr, b->nhdr);
      fail(b, CNI_EKEY, 1, 0, "%s: type given for unknown column '%s'%s%s%s", b->name,
           o->type_cols[t], near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
      return;
    }
  }
  for (size_t r = 0; r < o->nrename; r++) {
    int found = 0;
    for (size_t j = 0; j < b->nhdr; j++) found |= strcmp(o->rename_from[r], b->hdr[j]) == 0;
    if (!found) {
      const char *near = cni_closest(o->rename_from[r], (const char *const *)b->hdr, b->nhdr);
      fail(b, CNI_EKEY, 1, 0, "%s: cannot rename unknown column '%s'%s%s%s", b->name,
           o->rename_from[r], near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
      return;
    }
  }
  for (size_t i = 0; i < ncols; i++)
    for (size_t k = 0; k < i; k++)
      if (strcmp(b->cols[i].name, b->cols[k].name) == 0) {
        fail(b, CNI_EKEY, 1, 0, "%s: two columns would be named '%s' after renaming",
             b->name, b->cols[i].name);
        return;
      }
}

static void cb_field(void *s, size_t len, void *data) {
  builder *b = data;
  if (b->failed || (b->o->header_only && b->rec > 0)) return;
  size_t j = b->field++;
  if (b->rec == 0) {
    if (b->pass == 2) return;
    if (b->nhdr == b->hdrcap) {
      size_t nc = b->hdrcap ? b->hdrcap * 2 : 16;
      char **nh = realloc(b->hdr, nc * sizeof *nh);
      if (!nh) { fail(b, CNI_ENOMEM, 0, 0, "out of memory"); return; }
      b->hdr = nh;
      b->hdrcap = nc;
    }
    if (b->o->check_utf8) {
      size_t bad;
      if (!cni_utf8_valid(s, len, &bad)) {
        fail(b, CNI_EPARSE, 1, (long)j + 1,
             "%s: row 1, column %zu: invalid UTF-8 in the header; convert the "
             "file to UTF-8 (for example: iconv -f latin1 -t utf-8)", b->name, j + 1);
        return;
      }
    }
    char *name = malloc(len + 1);
    if (!name) { fail(b, CNI_ENOMEM, 0, 0, "out of memory"); return; }
    memcpy(name, s, len);
    name[len] = '\0';
    b->hdr[b->nhdr++] = name;
    return;
  }
  if (j >= b->nhdr) return;  /* ragged: reported at the end of the record */
  long ci = b->map[j];
  if (ci >= 0) on_value(b, &b->cols[ci], s, len);
}

static void cb_record(int c, void *data) {
  builder *b = data;
  (void)c;
  if (b->failed || (b->o->header_only && b->rec > 0)) return;
  if (b->rec == 0) {
    if (b->pass == 1) on_header_done(b);
  } else {
    if (b->field != b->nhdr) {
      fail(b, CNI_ESHAPE, b->rec + 1, 0,
           "%s: row %ld: expected %zu fields (as in the header), got %zu",
           b->name, b->rec + 1, b->nhdr, b->field);
      return;
    }
    b->nrows++;
  }
  b->rec++;
  b->field = 0;
}

/* Fast path for plain records. Reads whole records from buf while each is
** made of unquoted fields without quotes and without leading or trailing
** blanks, and quoted fields without doubled quotes followed directly by
** the delimiter or the end of the line; the fields are passed to the same
** callbacks as libcsv's, as pointers into buf (no copy). Stops before the
** first record that is not plain, or that is incomplete, and returns the
** bytes consumed: libcsv then reads the rest, from a record boundary, so
** every unusual record (and every error) gets libcsv's exact treatment.
** Blank lines are skipped and CR, LF or CRLF end a record, as in libcsv.
** Not used when the delimiter is a blank (libcsv's trimming differs). */
#define FAST_MAXF 256

static size_t fast_records(builder *b, const char *buf, size_t n, unsigned char delim) {
  const char *fs[FAST_MAXF];
  size_t fl[FAST_MAXF], pos = 0;
  char d = (char)delim;
  unsigned char stop[256];   /* the bytes that end an unquoted run */
  if (d == ' ' || d == '\t' || d == '"' || d == '\n' || d == '\r') return 0;
  memset(stop, 0, sizeof stop);
  stop[delim] = stop['\n'] = stop['\r'] = stop['"'] = 1;
  while (pos < n && !b->failed) {
    size_t p = pos, nf = 0, i;
    if (buf[p] == '\n' || buf[p] == '\r') { pos = p + 1; continue; }  /* blank line */
    for (;;) {
      if (nf == FAST_MAXF) return pos;
      if (p < n && buf[p] == '"') {
        const char *q = memchr(buf + p + 1, '"', n - p - 1);
        size_t e;
        if (q == NULL) return pos;                  /* not closed: libcsv */
        e = (size_t)(q - buf);
        if (e + 1 < n && buf[e + 1] == '"') return pos;   /* doubled quote */
        fs[nf] = buf + p + 1;
        fl[nf] = e - p - 1;
        nf++;
        p = e + 1;
        if (p < n && buf[p] == d) { p++; continue; }
        if (p < n && buf[p] != '\n' && buf[p] != '\r') return pos;
      } else {
        size_t st = p;
        while (p < n && !stop[(unsigned char)buf[p]]) p++;
        if (p < n && buf[p] == '"') return pos;
        if (p > st && (buf[st] == ' ' || buf[st] == '\t' || buf[p - 1] == ' ' ||
                       buf[p - 1] == '\t'))
          return pos;                               /* blanks: libcsv trims */
        fs[nf] = buf + st;
        fl[nf] = p - st;
        nf++;
        if (p < n && buf[p] == d) { p++; continue; }
      }
      break;
    }
    /* the record ends at p: a line end, or the end of the buffer */
    for (i = 0; i < nf && !b->failed; i++) cb_field((void *)(uintptr_t)fs[i], fl[i], b);
    if (b->failed) return pos;
    cb_record('\n', b);
    if (p < n) p += (buf[p] == '\r' && p + 1 < n && buf[p + 1] == '\n') ? 2 : 1;
    pos = p;
    if (b->o->header_only && b->rec > 0) return pos;
  }
  return pos;
}

/* Lines in buf (LF count, plus one for a last line without LF): an upper
** bound on its records, used to size the columns once. */
static size_t count_lines(const char *buf, size_t len) {
  size_t n = 0;
  const char *p = buf, *end = buf + len;
  while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) { n++; p++; }
  return n + 1;
}

/* One pass over a source: a FILE* or a memory buffer. */
static int run_pass(builder *b, FILE *f, const char *mem, size_t memlen) {
  struct csv_parser p;
  unsigned char opts = CSV_STRICT | CSV_STRICT_FINI;
  if (csv_init(&p, opts) != 0) return fail(b, CNI_ENOMEM, 0, 0, "out of memory");
  csv_set_delim(&p, b->o->delim ? b->o->delim : ',');
  b->rec = 0;
  b->field = 0;
  b->nrows = 0;
  char *buf = NULL;
  int first = 1;
  if (f) {
    buf = malloc(CHUNK);
    if (!buf) { csv_free(&p); return fail(b, CNI_ENOMEM, 0, 0, "out of memory"); }
  }
  size_t off = 0;
  if (!f && !b->o->header_only && b->pass == 1) b->cap_hint = count_lines(mem, memlen);
  if (!f && !b->o->libcsv_only && !b->o->header_only) {
    size_t bom = memlen >= 3 && (unsigned char)mem[0] == 0xEF &&
                 (unsigned char)mem[1] == 0xBB && (unsigned char)mem[2] == 0xBF ? 3 : 0;
    off = bom + fast_records(b, mem + bom, memlen - bom, b->o->delim ? b->o->delim : ',');
    first = 0;
  }
  for (;;) {
    const char *chunk;
    size_t n;
    if (f) {
      n = fread(buf, 1, CHUNK, f);
      chunk = buf;
      if (n == 0) {
        if (ferror(f)) { fail(b, CNI_EIO, 0, 0, "%s: %s", b->name, strerror(errno)); }
        break;
      }
    } else {
      if (off >= memlen) break;
      n = memlen - off < CHUNK ? memlen - off : CHUNK;
      chunk = mem + off;
      off += n;
    }
    if (first) {
      first = 0;
      if (n >= 3 && (unsigned char)chunk[0] == 0xEF && (unsigned char)chunk[1] == 0xBB &&
          (unsigned char)chunk[2] == 0xBF) { chunk += 3; n -= 3; }
    }
    if (b->o->header_only) {
      /* only the first record: parse up to the end of the header line */
      size_t k = 0;
      int inq = 0;
      while (k < n && !(chunk[k] == '\n' && !inq)) { if (chunk[k] == '"') inq = !inq; k++; }
      if (k < n) n = k + 1;
    }
    if (csv_parse(&p, chunk, n, cb_field, cb_record, b) != n && !b->failed)
      fail(b, CNI_EPARSE, b->rec + 1, 0, "%s: row %ld: malformed CSV (%s)", b->name,
           b->rec + 1, csv_strerror(csv_error(&p)));
    if (b->failed || (b->o->header_only && b->rec > 0)) break;
  }
  if (!b->failed && csv_fini(&p, cb_field, cb_record, b) != 0)
    fail(b, CNI_EPARSE, b->rec + 1, 0,
         "%s: row %ld: malformed CSV (%s; a quoted field is not closed)", b->name,
         b->rec + 1, csv_strerror(csv_error(&p)));
  csv_free(&p);
  free(buf);
  if (!b->failed && b->rec == 0)
    fail(b, CNI_ESHAPE, 0, 0, "%s: empty file (no header row)", b->name);
  return b->failed ? (b->err ? b->err->code : CNI_EPARSE) : CNI_OK;
}

static void builder_free(builder *b) {
  if (!b->shared_hdr) {
    for (size_t j = 0; j < b->nhdr; j++) free(b->hdr[j]);
    free(b->hdr);
    free(b->map);
  }
  for (size_t i = 0; i < b->ncols; i++) {
    colbuild *c = &b->cols[i];
    if (!b->shared_hdr) free(c->name);
    free(c->num);
    free(c->b);
    free(c->code);
    cni_strdict_unref(c->dict);
  }
  free(b->cols);
}

static cni_table *finish(builder *b) {
  cni_table *t = cni_table_new();
  if (!t) { fail(b, CNI_ENOMEM, 0, 0, "out of memory"); return NULL; }
  size_t n = b->nrows;
  t->nrow = n;
  for (size_t i = 0; i < b->ncols; i++) {
    colbuild *cb = &b->cols[i];
    cni_column *c = calloc(1, sizeof *c);
    if (!c) { fail(b, CNI_ENOMEM, 0, 0, "out of memory"); cni_table_free(t); return NULL; }
    c->refs = 1;
    c->n = n;
    if (cb->state == ST_UNKNOWN) {  /* no values: numeric, all missing */
      c->type = CNI_NUM;
      c->num = malloc((n ? n : 1) * sizeof *c->num);
      if (c->num) for (size_t r = 0; r < n; r++) c->num[r] = NAN;
    } else {
      c->type = (cni_coltype)cb->state;
      size_t sz = n ? n : 1;
      if (c->type == CNI_NUM) {
        c->num = realloc(cb->num, sz * sizeof *c->num);
        if (c->num) cb->num = NULL;
      } else if (c->type == CNI_BOOL) {
        c->b = realloc(cb->b, sz);
        if (c->b) cb->b = NULL;
      } else {
        c->code = realloc(cb->code, sz * sizeof *c->code);
        if (c->code) { cb->code = NULL; c->dict = cb->dict; cb->dict = NULL; }
      }
    }
    if (!c->num && !c->b && !c->code) {
      free(c);
      fail(b, CNI_ENOMEM, 0, 0, "out of memory");
      cni_table_free(t);
      return NULL;
    }
    cni_err e2;
    int st = cni_table_set(t, cb->name, c, &e2);
    cni_col_unref(c);
    if (st != CNI_OK) { fail(b, st, 0, 0, "%s", e2.msg); cni_table_free(t); return NULL; }
  }
  t->nrow = n;
  return t;
}

static void builder_init(builder *b, const char *name, const cni_csv_opts *o, cni_err *err) {
  memset(b, 0, sizeof *b);
  b->name = name;
  b->o = o;
  b->err = err;
  b->na = o->na ? o->na : default_na;
  b->nna = o->na ? o->nna : sizeof default_na / sizeof *default_na;
  for (size_t i = 0; i < b->nna; i++) {
    size_t l = strlen(b->na[i]);
    if (i < 64) b->na_len[i] = l;
    if (l > b->na_maxlen) b->na_maxlen = l;
    double v;
    if (cni_parse_double(b->na[i], l, &v)) b->na_numeric = 1;
  }
  b->pass = 1;
}

/* {===== parallel reading of large files: two halves on two threads
**
** The file (mapped in memory) is split at a record boundary near its middle:
** with CSV_STRICT every quote opens or closes a quoted field or is half of
** an escaped "" pair, so the number of quotes before a position tells
** whether it is inside a quoted field. The header is parsed first; each half
** then has its own builder (shared header and column map) and its own
** parser. The halves are joined when their column types agree; in any other
** case (an error in either half, a type that differs, text after numbers),
** the file is read again serially, which reports errors with exact rows. */

#define PAR_MIN_BYTES (256u * 1024u)

typedef struct segjob {
  builder *b;
  const char *buf;
  size_t len;
  int rc;
} segjob;

/* Parses a segment of whole records (no header) into b. */
static int parse_segment(builder *b, const char *buf, size_t len) {
  struct csv_parser p;
  if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) != 0) return fail(b, CNI_ENOMEM, 0, 0, "out of memory");
  csv_set_delim(&p, b->o->delim ? b->o->delim : ',');
  b->rec = 1;
  b->field = 0;
  b->nrows = 0;
  if (!b->o->libcsv_only) {
    size_t k = fast_records(b, buf, len, b->o->delim ? b->o->delim : ',');
    buf += k;
    len -= k;
  }
  if (csv_parse(&p, buf, len, cb_field, cb_record, b) != len && !b->failed)
    fail(b, CNI_EPARSE, 0, 0, "malformed CSV");
  if (!b->failed && csv_fini(&p, cb_field, cb_record, b) != 0)
    fail(b, CNI_EPARSE, 0, 0, "malformed CSV");
  csv_free(&p);
  return b->failed ? CNI_EPARSE : CNI_OK;
}

static void *segment_thread(void *arg) {
  segjob *j = arg;
  j->rc = parse_segment(j->b, j->buf, j->len);
  return NULL;
}

/* End of the record that contains position 'from' (index after its '\n'),
** given that 'from' is outside quotes when 'inq' is 0. len if none. */
static size_t record_end(const char *buf, size_t len, size_t from, int inq) {
  for (size_t i = from; i < len; i++) {
    if (buf[i] == '"') inq = !inq;
    else if (buf[i] == '\n' && !inq) return i + 1;
  }
  return len;
}

/* A builder for one half: shares the header of h; columns of the forced
** types get fresh buffers. */
static int clone_builder(builder *c, const builder *h) {
  *c = *h;
  c->shared_hdr = 1;
  c->failed = 0;
  c->cols = calloc(h->ncols ? h->ncols : 1, sizeof *c->cols);
  if (!c->cols) return 0;
  for (size_t i = 0; i < h->ncols; i++) {
    colbuild *d = &c->cols[i];
    const colbuild *s = &h->cols[i];
    d->name = s->name;
    d->src = s->src;
    d->forced = s->forced;
    d->state = ST_UNKNOWN;
    if (s->forced && !set_state(c, d, s->state, 0)) return 0;
  }
  return 1;
}

/* Appends half 2 to half 1, column by column; 0 if the types differ (the
** caller then reads serially). */
static int join_halves(builder *a, builder *b2) {
  size_t n1 = a->nrows, n2 = b2->nrows, n = n1 + n2;
  for (size_t i = 0; i < a->ncols; i++) {
    colbuild *x = &a->cols[i], *y = &b2->cols[i];
    if (x->demoted || y->demoted) return 0;
    if (x->state != ST_UNKNOWN && y->state != ST_UNKNOWN && x->state != y->state) return 0;
  }
  for (size_t i = 0; i < a->ncols; i++) {
    colbuild *x = &a->cols[i], *y = &b2->cols[i];
    int st = x->state != ST_UNKNOWN ? x->state : y->state;
    if (st == ST_UNKNOWN) continue;                 /* missing in both halves */
    if (x->state == ST_UNKNOWN && !set_state(a, x, st, n1)) return -1;
    if (!grow(a, x, n ? n : 1)) return -1;
    if (st == CNI_NUM) {
      if (y->state == ST_UNKNOWN) for (size_t r = 0; r < n2; r++) x->num[n1 + r] = NAN;
      else memcpy(x->num + n1, y->num, n2 * sizeof *x->num);
    } else if (st == CNI_BOOL) {
      if (y->state == ST_UNKNOWN) memset(x->b + n1, CNI_BOOL_NA, n2);
      else memcpy(x->b + n1, y->b, n2);
    } else {
      for (size_t r = 0; r < n2; r++) {
        uint32_t k = y->state == ST_UNKNOWN ? CNI_NA_CODE : y->code[r];
        if (k != CNI_NA_CODE) {
          k = cni_strdict_intern(x->dict, y->dict->str[k], y->dict->len[k]);
          if (k == CNI_NA_CODE) return -1;
        }
        x->code[n1 + r] = k;
      }
    }
  }
  a->nrows = n;
  return 1;
}

/* Tries the two-thread read of a mapped file. Returns the table, or NULL
** with *fallback set when the serial reader must run instead (also on any
** error: it reports errors with exact rows). */
static cni_table *read_parallel(const char *buf, size_t len, const char *name,
                                const cni_csv_opts *o, cni_err *err, int *fallback) {
  builder h, b1, b2;
  cni_table *t = NULL;
  *fallback = 1;
  if (len >= 3 && (unsigned char)buf[0] == 0xEF && (unsigned char)buf[1] == 0xBB &&
      (unsigned char)buf[2] == 0xBF) { buf += 3; len -= 3; }
  size_t hend = record_end(buf, len, 0, 0);
  if (hend >= len) return NULL;
  /* quote parity up to the middle, then the next record boundary */
  size_t mid = hend + (len - hend) / 2, q = 0;
  for (const char *p = buf + hend; (p = memchr(p, '"', (size_t)(buf + mid - p))) != NULL; p++) q++;
  size_t split = record_end(buf, len, mid, (int)(q & 1));
  if (split >= len || split <= hend) return NULL;
  /* header */
  builder_init(&h, name, o, NULL);
  struct csv_parser p;
  if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) != 0) return NULL;
  csv_set_delim(&p, o->delim ? o->delim : ',');
  /* a malformed header goes to the serial reader, which reports it */
  int hbad = csv_parse(&p, buf, hend, cb_field, cb_record, &h) != hend ||
             csv_fini(&p, cb_field, cb_record, &h) != 0;
  csv_free(&p);
  if (hbad || h.failed || h.rec != 1) { builder_free(&h); return NULL; }
  int ok1 = clone_builder(&b1, &h), ok2 = ok1 && clone_builder(&b2, &h);
  if (!ok1 || !ok2) {
    if (ok1) builder_free(&b1);
    builder_free(&h);
    return NULL;
  }
  /* columns sized once: the first half's for the whole file (the second
  ** half is appended to it), the second half's for its own lines */
  b2.cap_hint = count_lines(buf + split, len - split);
  b1.cap_hint = count_lines(buf + hend, split - hend) + b2.cap_hint;
  segjob j1 = {&b1, buf + hend, split - hend, 0}, j2 = {&b2, buf + split, len - split, 0};
  pthread_t th;
  int threaded = pthread_create(&th, NULL, segment_thread, &j2) == 0;
  segment_thread(&j1);
  if (threaded) pthread_join(th, NULL);
  else segment_thread(&j2);
  if (j1.rc == CNI_OK && j2.rc == CNI_OK) {
    int jr = join_halves(&b1, &b2);
    if (jr > 0) {
      b1.err = err;
      t = finish(&b1);
      if (t) *fallback = 0;
    }
  }
  builder_free(&b1);
  builder_free(&b2);
  builder_free(&h);
  return t;
}

/* }===== */

static cni_table *read_any(FILE *f, const char *mem, size_t memlen,
                           const char *name, const cni_csv_opts *o,
                           cni_err *err) {
  builder b;
  cni_csv_opts defaults;
  if (o == NULL) { cni_csv_opts_init(&defaults); o = &defaults; }
  builder_init(&b, name, o, err);
  cni_table *t = NULL;
  if (run_pass(&b, f, mem, memlen) == CNI_OK) {
    int need2 = 0;
    for (size_t i = 0; i < b.ncols; i++) {
      colbuild *c = &b.cols[i];
      if (!c->demoted) continue;
      need2 = 1;
      free(c->num); c->num = NULL;
      free(c->b); c->b = NULL;
      c->cap = 0;
      if (!set_state(&b, c, CNI_STR, b.nrows)) break;
    }
    if (need2 && !b.failed) {
      if (f) rewind(f);
      b.pass = 2;
      run_pass(&b, f, mem, memlen);
    }
    if (!b.failed) t = finish(&b);
  }
  builder_free(&b);
  return t;
}

cni_table *cni_csv_read_mem(const char *buf, size_t len, const char *name,
                            const cni_csv_opts *o, cni_err *err) {
  cni_err_clear(err);
  cni_csv_opts defaults;
  if (o == NULL) { cni_csv_opts_init(&defaults); o = &defaults; }
  if (o->threads == 2 || (o->threads == 0 && len >= PAR_MIN_BYTES && cni_ncpu_csv() > 1)) {
    int fallback = 1;
    cni_table *t = read_parallel(buf, len, name, o, err, &fallback);
    if (!fallback) return t;
    cni_err_clear(err);
  }
  return read_any(NULL, buf, len, name, o, err);
}

cni_table *cni_csv_read(const char *path, const cni_csv_opts *o, cni_err *err) {
  cni_err_clear(err);
  if (err) snprintf(err->file, sizeof err->file, "%s", path);
  FILE *f = fopen(path, "rb");
  if (f == NULL) {
    cni_err_set(err, CNI_EIO, "%s: %s", path, strerror(errno));
    return NULL;
  }
  struct stat st;
  if (fstat(fileno(f), &st) == 0) {
    if (S_ISDIR(st.st_mode)) {
      fclose(f);
      cni_err_set(err, CNI_EIO, "%s: is a folder, not a file", path);
      return NULL;
    }
    if (o && o->max_bytes && (size_t)st.st_size > o->max_bytes) {
      fclose(f);
      cni_err_set(err, CNI_ELIMIT,
                  "%s: file is %lld bytes, over the limit of %zu bytes for one "
                  "table (it would need several times that in memory); raise "
                  "the limit with the max_bytes option of read_csv if the "
                  "machine has the memory",
                  path, (long long)st.st_size, o->max_bytes);
      return NULL;
    }
  }
  cni_table *t = NULL;
  if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
      !(o && o->header_only) && ((o && o->threads == 2) ||
       ((o == NULL || o->threads == 0) && (size_t)st.st_size >= PAR_MIN_BYTES && cni_ncpu_csv() > 1))) {
    size_t len = (size_t)st.st_size;
    void *m = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fileno(f), 0);
    if (m != MAP_FAILED) {
      int fallback = 1;
      cni_csv_opts defaults;
      if (o == NULL) { cni_csv_opts_init(&defaults); o = &defaults; }
      t = read_parallel(m, len, path, o, err, &fallback);
      munmap(m, len);
      if (!fallback) { fclose(f); return t; }
      cni_err_clear(err);
      if (err) snprintf(err->file, sizeof err->file, "%s", path);
    }
  }
  t = read_any(f, NULL, 0, path, o, err);
  fclose(f);
  return t;
}

/* {===== writing */

/* Output is built in a local buffer and handed to stdio in 64 KiB blocks:
** one locked stdio call per block instead of several per field. */
#define WBUF_SIZE ((size_t)1 << 16)
typedef struct wbuf { FILE *fp; size_t n; char b[WBUF_SIZE]; } wbuf;

static void wb_flush(wbuf *w) {
  if (w->n) fwrite(w->b, 1, w->n, w->fp);
  w->n = 0;
}

static void wb_put(wbuf *w, const char *s, size_t len) {
  if (len > WBUF_SIZE - w->n) {
    wb_flush(w);
    if (len > WBUF_SIZE) { fwrite(s, 1, len, w->fp); return; }
  }
  memcpy(w->b + w->n, s, len);
  w->n += len;
}

static void wb_ch(wbuf *w, char c) {
  if (w->n == WBUF_SIZE) wb_flush(w);
  w->b[w->n++] = c;
}

/* Quoted when the reader would not give the text back unquoted: it holds
** the delimiter, a quote, CR or LF; it starts or ends with a space or a tab
** (libcsv trims both); or 'force' (see cni_csv_write_fp). */
static void put_field(wbuf *w, const char *s, size_t len, unsigned char delim,
                      int force) {
  int quote = force || (len > 0 && (s[0] == ' ' || s[0] == '\t' ||
                                    s[len - 1] == ' ' || s[len - 1] == '\t'));
  for (size_t i = 0; i < len && !quote; i++)
    if (s[i] == (char)delim || s[i] == '"' || s[i] == '\n' || s[i] == '\r') quote = 1;
  if (!quote) { wb_put(w, s, len); return; }
  wb_ch(w, '"');
  for (size_t i = 0; i < len; i++) {
    if (s[i] == '"') wb_ch(w, '"');
    wb_ch(w, s[i]);
  }
  wb_ch(w, '"');
}

int cni_csv_write_fp(const cni_table *t, FILE *fp, const cni_csvw_opts *o,
                     cni_err *err) {
  cni_csvw_opts d;
  if (o == NULL) { cni_csvw_opts_init(&d); o = &d; }
  unsigned char delim = o->delim ? o->delim : ',';
  const char *na = o->na ? o->na : "";
  size_t nalen = strlen(na);
  char buf[64];
  wbuf *w = malloc(sizeof *w);
  if (w == NULL) return cni_err_set(err, CNI_ENOMEM, "write: out of memory");
  w->fp = fp;
  w->n = 0;
  /* With one column an empty field would make a blank line, which the
  ** reader skips (the row would be lost): it is written as "". */
  int lone = t->ncol == 1;
  for (size_t j = 0; j < t->ncol; j++) {
    if (j) wb_ch(w, (char)delim);
    size_t nl = strlen(t->names[j]);
    /* a first name starting with a UTF-8 byte-order mark is quoted, else
    ** the reader strips the mark from the file */
    int bom = j == 0 && nl >= 3 && memcmp(t->names[j], "\xEF\xBB\xBF", 3) == 0;
    put_field(w, t->names[j], nl, delim, bom || (lone && nl == 0));
  }
  wb_ch(w, '\n');
  for (size_t i = 0; i < t->nrow; i++) {
    for (size_t j = 0; j < t->ncol; j++) {
      const cni_column *c = t->cols[j];
      if (j) wb_ch(w, (char)delim);
      switch (c->type) {
        case CNI_NUM: {
          if (isnan(c->num[i])) { put_field(w, na, nalen, delim, lone && !na[0]); break; }
          size_t n = cni_fmt_double(buf, c->num[i], o->digits, o->decimals, na);
          wb_put(w, buf, n);
          break;
        }
        case CNI_STR: {
          uint32_t k = c->code[i];
          if (k == CNI_NA_CODE) put_field(w, na, nalen, delim, lone && !na[0]);
          else put_field(w, c->dict->str[k], c->dict->len[k], delim,
                         lone && c->dict->len[k] == 0);
          break;
        }
        case CNI_BOOL:
          if (c->b[i] == CNI_BOOL_NA) put_field(w, na, nalen, delim, lone && !na[0]);
          else if (c->b[i]) wb_put(w, "TRUE", 4);
          else wb_put(w, "FALSE", 5);
          break;
      }
    }
    wb_ch(w, '\n');
  }
  wb_flush(w);
  free(w);
  if (ferror(fp)) return cni_err_set(err, CNI_EIO, "write failed: %s", strerror(errno));
  return CNI_OK;
}

int cni_csv_write(const cni_table *t, const char *path, const cni_csvw_opts *o,
                  cni_err *err) {
  cni_atomic a;
  int st = cni_atomic_open(&a, path, err);
  if (st != CNI_OK) return st;
  st = cni_csv_write_fp(t, a.fp, o, err);
  if (st != CNI_OK) {
    cni_atomic_abort(&a);
    if (err) {
      char m[sizeof err->msg];
      snprintf(m, sizeof m, "%.900s", err->msg);
      cni_err_set(err, st, "%.2000s: %s (earlier contents kept)", path, m);
    }
    return st;
  }
  return cni_atomic_commit(&a, err);
}

/* }===== */
