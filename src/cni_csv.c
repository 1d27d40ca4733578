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
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cni_csv.h"
#include "cni_io.h"

#define CHUNK (1u << 20)

static const char *const default_na[] = {"", "NA", "N/A", "..", ":"};

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
  size_t cap = c->cap ? c->cap : 1024;
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
  if (b->failed) return;
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
  if (b->failed) return;
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
    if (csv_parse(&p, chunk, n, cb_field, cb_record, b) != n && !b->failed)
      fail(b, CNI_EPARSE, b->rec + 1, 0, "%s: row %ld: malformed CSV (%s)", b->name,
           b->rec + 1, csv_strerror(csv_error(&p)));
    if (b->failed) break;
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
  for (size_t j = 0; j < b->nhdr; j++) free(b->hdr[j]);
  free(b->hdr);
  free(b->map);
  for (size_t i = 0; i < b->ncols; i++) {
    colbuild *c = &b->cols[i];
    free(c->name);
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

static cni_table *read_any(FILE *f, const char *mem, size_t memlen,
                           const char *name, const cni_csv_opts *o,
                           cni_err *err) {
  builder b;
  cni_csv_opts defaults;
  memset(&b, 0, sizeof b);
  if (o == NULL) { cni_csv_opts_init(&defaults); o = &defaults; }
  b.name = name;
  b.o = o;
  b.err = err;
  b.na = o->na ? o->na : default_na;
  b.nna = o->na ? o->nna : sizeof default_na / sizeof *default_na;
  for (size_t i = 0; i < b.nna; i++) {
    size_t l = strlen(b.na[i]);
    if (i < 64) b.na_len[i] = l;
    if (l > b.na_maxlen) b.na_maxlen = l;
    double v;
    if (cni_parse_double(b.na[i], l, &v)) b.na_numeric = 1;
  }
  b.pass = 1;
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
                  "%s: file is %lld bytes, over the limit of %zu bytes "
                  "(raise it with the max_bytes option)",
                  path, (long long)st.st_size, o->max_bytes);
      return NULL;
    }
  }
  cni_table *t = read_any(f, NULL, 0, path, o, err);
  fclose(f);
  return t;
}

/* {===== writing */

static void put_field(FILE *fp, const char *s, size_t len, unsigned char delim) {
  int quote = len > 0 && (s[0] == ' ' || s[len - 1] == ' ');
  for (size_t i = 0; i < len && !quote; i++)
    if (s[i] == (char)delim || s[i] == '"' || s[i] == '\n' || s[i] == '\r') quote = 1;
  if (!quote) { fwrite(s, 1, len, fp); return; }
  putc('"', fp);
  for (size_t i = 0; i < len; i++) {
    if (s[i] == '"') putc('"', fp);
    putc(s[i], fp);
  }
  putc('"', fp);
}

int cni_csv_write_fp(const cni_table *t, FILE *fp, const cni_csvw_opts *o,
                     cni_err *err) {
  cni_csvw_opts d;
  if (o == NULL) { cni_csvw_opts_init(&d); o = &d; }
  unsigned char delim = o->delim ? o->delim : ',';
  const char *na = o->na ? o->na : "";
  char buf[64];
  for (size_t j = 0; j < t->ncol; j++) {
    if (j) putc(delim, fp);
    put_field(fp, t->names[j], strlen(t->names[j]), delim);
  }
  putc('\n', fp);
  for (size_t i = 0; i < t->nrow; i++) {
    for (size_t j = 0; j < t->ncol; j++) {
      const cni_column *c = t->cols[j];
      if (j) putc(delim, fp);
      switch (c->type) {
        case CNI_NUM: {
          size_t n = cni_fmt_double(buf, c->num[i], o->digits, o->decimals, na);
          if (isnan(c->num[i])) put_field(fp, na, strlen(na), delim);
          else fwrite(buf, 1, n, fp);
          break;
        }
        case CNI_STR: {
          uint32_t k = c->code[i];
          if (k == CNI_NA_CODE) put_field(fp, na, strlen(na), delim);
          else put_field(fp, c->dict->str[k], c->dict->len[k], delim);
          break;
        }
        case CNI_BOOL:
          if (c->b[i] == CNI_BOOL_NA) put_field(fp, na, strlen(na), delim);
          else fputs(c->b[i] ? "TRUE" : "FALSE", fp);
          break;
      }
    }
    putc('\n', fp);
  }
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
