/*
** cni_table.c: columnar area tables, string interning, key index, joins,
** group index.
** Layer: core. Never includes Lua headers.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cni_table.h"

#define NOROW ((size_t)-1)

static uint64_t hash_bytes(const char *s, size_t len) {
  /* FNV-1a, 64 bit: simple and good enough for area codes. */
  uint64_t h = 1469598103934665603ULL;
  for (size_t i = 0; i < len; i++) {
    h ^= (unsigned char)s[i];
    h *= 1099511628211ULL;
  }
  /* final mix (murmur3 fmix64): FNV's low bits are weak for codes that
  ** differ only in their last characters */
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  return h;
}

static uint64_t hash_double(double v) {
  uint64_t u;
  if (v == 0) v = 0;  /* -0.0 and +0.0 are one key */
  memcpy(&u, &v, sizeof u);
  u ^= u >> 33;
  u *= 0xff51afd7ed558ccdULL;
  u ^= u >> 33;
  return u;
}

/* {===== strings */

cni_strdict *cni_strdict_new(void) {
  cni_strdict *d = calloc(1, sizeof *d);
  if (d == NULL) return NULL;
  d->refs = 1;
  d->nslots = 64;
  d->slots = calloc(d->nslots, sizeof *d->slots);
  if (d->slots == NULL) { free(d); return NULL; }
  return d;
}

void cni_strdict_ref(cni_strdict *d) { if (d) d->refs++; }

/* The strings are copied into blocks (1 KiB, doubling up to 64 KiB; a long
** string gets a block of its own): one allocation per block instead of
** one per string. */
typedef struct cni_strblock {
  struct cni_strblock *prev;
  char data[];
} cni_strblock;

#define STRBLOCK_MIN ((size_t)1 << 10)
#define STRBLOCK_MAX ((size_t)1 << 16)

static char *dict_store(cni_strdict *d, const char *s, size_t len) {
  size_t need = len + 1;
  char *p;
  if (need > STRBLOCK_MAX / 4) {              /* long: a block of its own */
    cni_strblock *b = malloc(sizeof *b + need);
    if (b == NULL) return NULL;
    if (d->blk != NULL) { b->prev = d->blk->prev; d->blk->prev = b; }
    else { b->prev = NULL; d->blk = b; d->blk_used = d->blk_cap = need; }
    p = b->data;
  } else {
    if (d->blk == NULL || d->blk_cap - d->blk_used < need) {
      size_t cap = d->blk_cap ? d->blk_cap * 2 : STRBLOCK_MIN;
      cni_strblock *b;
      if (cap > STRBLOCK_MAX) cap = STRBLOCK_MAX;
      while (cap < need) cap *= 2;               /* need <= STRBLOCK_MAX / 4 */
      b = malloc(sizeof *b + cap);
      if (b == NULL) return NULL;
      b->prev = d->blk;
      d->blk = b;
      d->blk_used = 0;
      d->blk_cap = cap;
    }
    p = d->blk->data + d->blk_used;
    d->blk_used += need;
  }
  memcpy(p, s, len);
  p[len] = '\0';
  return p;
}

void cni_strdict_unref(cni_strdict *d) {
  if (d == NULL || --d->refs > 0) return;
  while (d->blk != NULL) {
    cni_strblock *prev = d->blk->prev;
    free(d->blk);
    d->blk = prev;
  }
  free(d->str);
  free(d->len);
  free(d->hash);
  free(d->slots);
  free(d);
}

static size_t dict_probe(const cni_strdict *d, const char *s, size_t len,
                         uint64_t h, int *found) {
  size_t mask = d->nslots - 1;
  size_t i = (size_t)h & mask;
  uint32_t h32 = (uint32_t)h;
  for (;;) {
    uint32_t v = d->slots[i];
    if (v == 0) { *found = 0; return i; }
    if (d->hash[v - 1] == h32 && d->len[v - 1] == len &&
        memcmp(d->str[v - 1], s, len) == 0) {
      *found = 1;
      return i;
    }
    i = (i + 1) & mask;
  }
}

/* Rehash into ns slots (a power of two). The slot of a string depends on
** the low bits of its hash only, which the stored 32-bit hash keeps (for
** tables of up to 2^32 slots). */
static int dict_rehash(cni_strdict *d, size_t ns) {
  uint32_t *slots = calloc(ns, sizeof *slots);
  if (slots == NULL) return 0;
  for (size_t c = 0; c < d->n; c++) {
    size_t i = (size_t)d->hash[c] & (ns - 1);
    while (slots[i] != 0) i = (i + 1) & (ns - 1);
    slots[i] = (uint32_t)(c + 1);
  }
  free(d->slots);
  d->slots = slots;
  d->nslots = ns;
  return 1;
}

static int dict_grow(cni_strdict *d) { return dict_rehash(d, d->nslots * 2); }

int cni_strdict_reserve(cni_strdict *d, size_t n) {
  size_t ns = d->nslots;
  if (n > (size_t)UINT32_MAX - 1) return 0;
  while (ns < 2 * n) ns *= 2;
  if (ns != d->nslots && !dict_rehash(d, ns)) return 0;
  if (n > d->cap) {
    char **nstr = realloc(d->str, n * sizeof *nstr);
    if (nstr == NULL) return 0;
    d->str = nstr;
    size_t *nl = realloc(d->len, n * sizeof *nl);
    if (nl == NULL) return 0;
    d->len = nl;
    uint32_t *nh = realloc(d->hash, n * sizeof *nh);
    if (nh == NULL) return 0;
    d->hash = nh;
    d->cap = n;
  }
  return 1;
}

uint32_t cni_strdict_find(const cni_strdict *d, const char *s, size_t len) {
  int found;
  size_t i = dict_probe(d, s, len, hash_bytes(s, len), &found);
  return found ? d->slots[i] - 1 : CNI_NA_CODE;
}

uint32_t cni_strdict_intern(cni_strdict *d, const char *s, size_t len) {
  int found;
  uint64_t h = hash_bytes(s, len);
  size_t i = dict_probe(d, s, len, h, &found);
  if (found) return d->slots[i] - 1;
  if (d->n >= (size_t)UINT32_MAX - 1) return CNI_NA_CODE;
  if ((d->n + 1) * 2 > d->nslots) {  /* keep load factor under 1/2 */
    if (!dict_grow(d)) return CNI_NA_CODE;
    i = dict_probe(d, s, len, h, &found);
  }
  if (d->n == d->cap) {
    size_t nc = d->cap ? d->cap * 2 : 64;
    char **ns = realloc(d->str, nc * sizeof *ns);
    if (ns == NULL) return CNI_NA_CODE;
    d->str = ns;
    size_t *nl = realloc(d->len, nc * sizeof *nl);
    if (nl == NULL) return CNI_NA_CODE;
    d->len = nl;
    uint32_t *nh = realloc(d->hash, nc * sizeof *nh);
    if (nh == NULL) return CNI_NA_CODE;
    d->hash = nh;
    d->cap = nc;
  }
  char *copy = dict_store(d, s, len);
  if (copy == NULL) return CNI_NA_CODE;
  d->str[d->n] = copy;
  d->len[d->n] = len;
  d->hash[d->n] = (uint32_t)h;
  d->slots[i] = (uint32_t)(d->n + 1);
  return (uint32_t)d->n++;
}

const char *cni_col_str(const cni_column *c, size_t i) {
  uint32_t k = c->code[i];
  return k == CNI_NA_CODE ? NULL : c->dict->str[k];
}

/* }===== */

/* {===== columns */

const char *cni_coltype_name(cni_coltype t) {
  switch (t) {
    case CNI_NUM: return "number";
    case CNI_STR: return "string";
    case CNI_BOOL: return "boolean";
  }
  return "?";
}

cni_column *cni_col_new_num_raw(size_t n) {
  cni_column *c = calloc(1, sizeof *c);
  if (c == NULL) return NULL;
  c->refs = 1;
  c->type = CNI_NUM;
  c->n = n;
  c->num = malloc((n ? n : 1) * sizeof *c->num);
  if (c->num == NULL) { free(c); return NULL; }
  return c;
}

cni_column *cni_col_new(cni_coltype type, size_t n, cni_strdict *dict) {
  cni_column *c = calloc(1, sizeof *c);
  size_t alloc_n = n ? n : 1;
  if (c == NULL) return NULL;
  c->refs = 1;
  c->type = type;
  c->n = n;
  switch (type) {
    case CNI_NUM:
      c->num = malloc(alloc_n * sizeof *c->num);
      if (c->num == NULL) break;
      for (size_t i = 0; i < n; i++) c->num[i] = NAN;
      return c;
    case CNI_STR:
      c->code = malloc(alloc_n * sizeof *c->code);
      if (c->code == NULL) break;
      for (size_t i = 0; i < n; i++) c->code[i] = CNI_NA_CODE;
      if (dict) { cni_strdict_ref(dict); c->dict = dict; }
      else c->dict = cni_strdict_new();
      if (c->dict == NULL) break;
      return c;
    case CNI_BOOL:
      c->b = malloc(alloc_n);
      if (c->b == NULL) break;
      memset(c->b, CNI_BOOL_NA, n);
      return c;
  }
  cni_col_unref(c);
  return NULL;
}

void cni_col_ref(cni_column *c) { if (c) c->refs++; }

void cni_col_unref(cni_column *c) {
  if (c == NULL || --c->refs > 0) return;
  free(c->num);
  free(c->code);
  free(c->b);
  cni_strdict_unref(c->dict);
  free(c);
}

cni_column *cni_col_take(const cni_column *c, const size_t *idx, size_t m) {
  cni_column *r = cni_col_new(c->type, m, c->dict);
  if (r == NULL) return NULL;
  for (size_t i = 0; i < m; i++) {
    size_t j = idx[i];
    if (j == NOROW) continue;  /* stays missing */
    switch (c->type) {
      case CNI_NUM: r->num[i] = c->num[j]; break;
      case CNI_STR: r->code[i] = c->code[j]; break;
      case CNI_BOOL: r->b[i] = c->b[j]; break;
    }
  }
  return r;
}

int cni_col_is_missing(const cni_column *c, size_t i) {
  switch (c->type) {
    case CNI_NUM: return isnan(c->num[i]);
    case CNI_STR: return c->code[i] == CNI_NA_CODE;
    case CNI_BOOL: return c->b[i] == CNI_BOOL_NA;
  }
  return 0;
}

size_t cni_col_nmissing(const cni_column *c) {
  size_t k = 0;
  for (size_t i = 0; i < c->n; i++) k += (size_t)cni_col_is_missing(c, i);
  return k;
}

/* }===== */

/* {===== tables */

cni_table *cni_table_new(void) {
  return calloc(1, sizeof(cni_table));
}

void cni_table_free(cni_table *t) {
  if (t == NULL) return;
  for (size_t j = 0; j < t->ncol; j++) {
    free(t->names[j]);
    cni_col_unref(t->cols[j]);
  }
  free(t->names);
  free(t->cols);
  free(t);
}

long cni_table_find(const cni_table *t, const char *name) {
  for (size_t j = 0; j < t->ncol; j++)
    if (strcmp(t->names[j], name) == 0) return (long)j;
  return -1;
}

int cni_table_set(cni_table *t, const char *name, cni_column *c,
                  cni_err *err) {
  long j = cni_table_find(t, name);
  if (t->ncol > 0 && c->n != t->nrow && !(j == 0 && t->ncol == 1))
    return cni_err_set(err, CNI_ESHAPE,
                       "column '%s' has %zu rows, the table has %zu", name,
                       c->n, t->nrow);
  if (j >= 0) {
    cni_col_ref(c);
    cni_col_unref(t->cols[j]);
    t->cols[j] = c;
    t->nrow = c->n;
    return CNI_OK;
  }
  if (t->ncol == t->cap) {
    size_t nc = t->cap ? t->cap * 2 : 8;
    char **nn = realloc(t->names, nc * sizeof *nn);
    if (nn == NULL) return cni_err_set(err, CNI_ENOMEM, "out of memory");
    t->names = nn;
    cni_column **ncs = realloc(t->cols, nc * sizeof *ncs);
    if (ncs == NULL) return cni_err_set(err, CNI_ENOMEM, "out of memory");
    t->cols = ncs;
    t->cap = nc;
  }
  char *copy = malloc(strlen(name) + 1);
  if (copy == NULL) return cni_err_set(err, CNI_ENOMEM, "out of memory");
  strcpy(copy, name);
  cni_col_ref(c);
  t->names[t->ncol] = copy;
  t->cols[t->ncol] = c;
  t->ncol++;
  t->nrow = c->n;
  return CNI_OK;
}

int cni_table_drop(cni_table *t, const char *name) {
  long j = cni_table_find(t, name);
  if (j < 0) return 0;
  free(t->names[j]);
  cni_col_unref(t->cols[j]);
  for (size_t k = (size_t)j + 1; k < t->ncol; k++) {
    t->names[k - 1] = t->names[k];
    t->cols[k - 1] = t->cols[k];
  }
  t->ncol--;
  return 1;
}

cni_table *cni_table_select(const cni_table *t, const char *const *names,
                            size_t k, cni_err *err) {
  cni_table *r = cni_table_new();
  if (r == NULL) { cni_err_set(err, CNI_ENOMEM, "out of memory"); return NULL; }
  r->nrow = t->nrow;
  for (size_t i = 0; i < k; i++) {
    long j = cni_table_find(t, names[i]);
    if (j < 0) {
      cni_err_set(err, CNI_EKEY, "no column '%s'", names[i]);
      cni_table_free(r);
      return NULL;
    }
    if (cni_table_find(r, names[i]) >= 0) {
      cni_err_set(err, CNI_EKEY, "column '%s' selected twice", names[i]);
      cni_table_free(r);
      return NULL;
    }
    if (cni_table_set(r, names[i], t->cols[j], err) != CNI_OK) {
      cni_table_free(r);
      return NULL;
    }
  }
  return r;
}

cni_table *cni_table_take(const cni_table *t, const size_t *idx, size_t m,
                          cni_err *err) {
  cni_table *r = cni_table_new();
  if (r == NULL) { cni_err_set(err, CNI_ENOMEM, "out of memory"); return NULL; }
  r->nrow = m;
  for (size_t j = 0; j < t->ncol; j++) {
    cni_column *c = cni_col_take(t->cols[j], idx, m);
    int st = c ? cni_table_set(r, t->names[j], c, err)
               : cni_err_set(err, CNI_ENOMEM, "out of memory");
    cni_col_unref(c);
    if (st != CNI_OK) { cni_table_free(r); return NULL; }
  }
  return r;
}

cni_table *cni_table_filter(const cni_table *t, const cni_column *mask,
                            cni_err *err) {
  if (mask->type != CNI_BOOL) {
    cni_err_set(err, CNI_ETYPE, "filter mask must be a boolean column, got %s",
                cni_coltype_name(mask->type));
    return NULL;
  }
  if (mask->n != t->nrow) {
    cni_err_set(err, CNI_ESHAPE, "filter mask has %zu rows, the table has %zu",
                mask->n, t->nrow);
    return NULL;
  }
  size_t m = 0;
  size_t *idx = malloc((t->nrow ? t->nrow : 1) * sizeof *idx);
  if (idx == NULL) { cni_err_set(err, CNI_ENOMEM, "out of memory"); return NULL; }
  for (size_t i = 0; i < t->nrow; i++)
    if (mask->b[i] == 1) idx[m++] = i;
  cni_table *r = cni_table_take(t, idx, m, err);
  free(idx);
  return r;
}

/* Multi-key stable sort: merge sort of a row permutation. */
typedef struct sortkey { const cni_column *c; int desc; } sortkey;

static int cmp_rows(const sortkey *keys, size_t k, size_t a, size_t b) {
  for (size_t j = 0; j < k; j++) {
    const cni_column *c = keys[j].c;
    int ma = cni_col_is_missing(c, a), mb = cni_col_is_missing(c, b), r = 0;
    if (ma || mb) {
      if (ma != mb) return ma ? 1 : -1;  /* missing last, both directions */
      continue;
    }
    switch (c->type) {
      case CNI_NUM: r = (c->num[a] > c->num[b]) - (c->num[a] < c->num[b]); break;
      case CNI_BOOL: r = (int)c->b[a] - (int)c->b[b]; break;
      case CNI_STR:
        if (c->code[a] != c->code[b])
          r = strcmp(c->dict->str[c->code[a]], c->dict->str[c->code[b]]);
        break;
    }
    if (r != 0) return keys[j].desc ? -r : r;
  }
  return 0;
}

static void merge_sort(size_t *p, size_t *tmp, size_t n, const sortkey *keys,
                       size_t k) {
  if (n < 16) {  /* insertion sort: stable */
    for (size_t i = 1; i < n; i++) {
      size_t v = p[i], j = i;
      while (j > 0 && cmp_rows(keys, k, p[j - 1], v) > 0) { p[j] = p[j - 1]; j--; }
      p[j] = v;
    }
    return;
  }
  size_t h = n / 2;
  merge_sort(p, tmp, h, keys, k);
  merge_sort(p + h, tmp, n - h, keys, k);
  if (cmp_rows(keys, k, p[h - 1], p[h]) <= 0) return;
  memcpy(tmp, p, h * sizeof *p);
  size_t i = 0, j = h, o = 0;
  while (i < h && j < n) p[o++] = cmp_rows(keys, k, p[j], tmp[i]) < 0 ? p[j++] : tmp[i++];
  while (i < h) p[o++] = tmp[i++];
}

cni_table *cni_table_sort(const cni_table *t, const char *const *keys,
                          const int *desc, size_t k, size_t *perm_,
                          cni_err *err) {
  sortkey *sk = malloc((k ? k : 1) * sizeof *sk);
  size_t n = t->nrow;
  size_t *p = malloc((n ? n : 1) * sizeof *p);
  size_t *tmp = malloc((n ? n : 1) * sizeof *tmp);
  cni_table *r = NULL;
  if (sk == NULL || p == NULL || tmp == NULL) {
    cni_err_set(err, CNI_ENOMEM, "out of memory");
    goto done;
  }
  for (size_t j = 0; j < k; j++) {
    long c = cni_table_find(t, keys[j]);
    if (c < 0) { cni_err_set(err, CNI_EKEY, "no column '%s'", keys[j]); goto done; }
    sk[j].c = t->cols[c];
    sk[j].desc = desc ? desc[j] : 0;
  }
  for (size_t i = 0; i < n; i++) p[i] = i;
  merge_sort(p, tmp, n, sk, k);
  if (perm_) memcpy(perm_, p, n * sizeof *p);
  r = cni_table_take(t, p, n, err);
done:
  free(sk);
  free(p);
  free(tmp);
  return r;
}

/* }===== */

/* {===== key index */

static int key_equal(const cni_column *c, size_t a, size_t b) {
  if (c->type == CNI_STR) return c->code[a] == c->code[b];
  if (c->type == CNI_NUM) return c->num[a] == c->num[b];
  return c->b[a] == c->b[b];
}

static uint64_t key_hash(const cni_column *c, size_t i) {
  if (c->type == CNI_STR) {
    uint32_t k = c->code[i];
    return hash_bytes(c->dict->str[k], c->dict->len[k]);
  }
  if (c->type == CNI_NUM) return hash_double(c->num[i]);
  return c->b[i];
}

static void key_describe(const cni_column *c, size_t i, char *buf, size_t sz) {
  if (c->type == CNI_STR) snprintf(buf, sz, "%s", c->dict->str[c->code[i]]);
  else if (c->type == CNI_NUM) snprintf(buf, sz, "%.17g", c->num[i]);
  else snprintf(buf, sz, "%s", c->b[i] ? "true" : "false");
}

int cni_keyindex_build(cni_keyindex *ki, const cni_column *key, cni_err *err) {
  memset(ki, 0, sizeof *ki);
  if (key->type == CNI_BOOL)
    return cni_err_set(err, CNI_ETYPE, "a key column must hold strings or numbers");
  size_t ns = 16;
  while (ns < key->n * 2) ns *= 2;
  ki->slots = calloc(ns, sizeof *ki->slots);
  if (ki->slots == NULL) return cni_err_set(err, CNI_ENOMEM, "out of memory");
  ki->col = key;
  ki->n = key->n;
  ki->nslots = ns;
  for (size_t i = 0; i < key->n; i++) {
    if (cni_col_is_missing(key, i)) {
      cni_keyindex_free(ki);
      if (err) err->row = (long)i + 1;
      return cni_err_set(err, CNI_EKEY, "missing key in data row %zu", i + 1);
    }
    size_t s = (size_t)key_hash(key, i) & (ns - 1);
    while (ki->slots[s] != 0) {
      size_t r = ki->slots[s] - 1;
      if (key_equal(key, r, i)) {
        char buf[256];
        key_describe(key, i, buf, sizeof buf);
        cni_keyindex_free(ki);
        if (err) err->row = (long)i + 1;
        return cni_err_set(err, CNI_EKEY,
                           "duplicate key '%s' in data rows %zu and %zu", buf,
                           r + 1, i + 1);
      }
      s = (s + 1) & (ns - 1);
    }
    ki->slots[s] = i + 1;
  }
  return CNI_OK;
}

void cni_keyindex_free(cni_keyindex *ki) {
  free(ki->slots);
  ki->slots = NULL;
  ki->nslots = 0;
}

size_t cni_keyindex_find(const cni_keyindex *ki, const char *s, size_t len) {
  const cni_column *c = ki->col;
  if (c->type != CNI_STR) return NOROW;
  size_t mask = ki->nslots - 1, i = (size_t)hash_bytes(s, len) & mask;
  while (ki->slots[i] != 0) {
    size_t r = ki->slots[i] - 1;
    uint32_t k = c->code[r];
    if (c->dict->len[k] == len && memcmp(c->dict->str[k], s, len) == 0) return r;
    i = (i + 1) & mask;
  }
  return NOROW;
}

size_t cni_keyindex_find_num(const cni_keyindex *ki, double v) {
  const cni_column *c = ki->col;
  if (c->type != CNI_NUM || isnan(v)) return NOROW;
  size_t mask = ki->nslots - 1, i = (size_t)hash_double(v) & mask;
  while (ki->slots[i] != 0) {
    size_t r = ki->slots[i] - 1;
    if (c->num[r] == v) return r;
    i = (i + 1) & mask;
  }
  return NOROW;
}

/* }===== */

/* {===== joins */

void cni_join_report_free(cni_join_report *rep) {
  if (rep == NULL) return;
  free(rep->unmatched_left);
  free(rep->unmatched_right);
  memset(rep, 0, sizeof *rep);
}

cni_table *cni_table_left_join(const cni_table *left, const char *lkey,
                               const cni_table *right, const char *rkey,
                               const char *suffix, cni_join_report *rep,
                               cni_err *err) {
  cni_keyindex ki;
  cni_table *r = NULL;
  size_t *idx = NULL;
  uint8_t *used = NULL;
  long lj = cni_table_find(left, lkey), rj = cni_table_find(right, rkey);
  memset(rep, 0, sizeof *rep);
  memset(&ki, 0, sizeof ki);
  if (lj < 0) { cni_err_set(err, CNI_EKEY, "no column '%s' in the left table", lkey); return NULL; }
  if (rj < 0) { cni_err_set(err, CNI_EKEY, "no column '%s' in the right table", rkey); return NULL; }
  const cni_column *lc = left->cols[lj], *rc = right->cols[rj];
  if (lc->type != rc->type || lc->type == CNI_BOOL) {
    cni_err_set(err, CNI_ETYPE, "join keys '%s' (%s) and '%s' (%s) differ in type",
                lkey, cni_coltype_name(lc->type), rkey, cni_coltype_name(rc->type));
    return NULL;
  }
  if (cni_keyindex_build(&ki, rc, err) != CNI_OK) {
    if (err) {
      char m[sizeof err->msg];
      snprintf(m, sizeof m, "right table key '%.100s': %.900s", rkey, err->msg);
      memcpy(err->msg, m, sizeof m);
    }
    return NULL;
  }
  size_t nl = left->nrow, nr = right->nrow;
  idx = malloc((nl ? nl : 1) * sizeof *idx);
  used = calloc(nr ? nr : 1, 1);
  rep->unmatched_left = malloc((nl ? nl : 1) * sizeof(size_t));
  rep->unmatched_right = malloc((nr ? nr : 1) * sizeof(size_t));
  if (!idx || !used || !rep->unmatched_left || !rep->unmatched_right) {
    cni_err_set(err, CNI_ENOMEM, "out of memory");
    goto fail;
  }
  rep->n_left = nl;
  rep->n_right = nr;
  for (size_t i = 0; i < nl; i++) {
    size_t m = NOROW;
    if (!cni_col_is_missing(lc, i)) {
      if (lc->type == CNI_STR) {
        uint32_t k = lc->code[i];
        m = cni_keyindex_find(&ki, lc->dict->str[k], lc->dict->len[k]);
      } else {
        m = cni_keyindex_find_num(&ki, lc->num[i]);
      }
    }
    idx[i] = m;
    if (m == NOROW) rep->unmatched_left[rep->n_unmatched_left++] = i;
    else { rep->n_matched++; used[m] = 1; }
  }
  for (size_t i = 0; i < nr; i++)
    if (!used[i]) rep->unmatched_right[rep->n_unmatched_right++] = i;
  r = cni_table_select(left, (const char *const *)left->names, left->ncol, err);
  if (r == NULL) goto fail;
  for (size_t j = 0; j < right->ncol; j++) {
    if ((long)j == rj) continue;
    char name[1024];
    const char *nm = right->names[j];
    if (cni_table_find(r, nm) >= 0) {
      snprintf(name, sizeof name, "%.900s%.100s", nm, suffix ? suffix : "_right");
      nm = name;
      if (cni_table_find(r, nm) >= 0) {
        cni_err_set(err, CNI_EKEY, "column '%s' exists on both sides of the join", nm);
        goto fail;
      }
    }
    cni_column *c = cni_col_take(right->cols[j], idx, nl);
    int st = c ? cni_table_set(r, nm, c, err)
               : cni_err_set(err, CNI_ENOMEM, "out of memory");
    cni_col_unref(c);
    if (st != CNI_OK) goto fail;
  }
  r->nrow = nl;
  cni_keyindex_free(&ki);
  free(idx);
  free(used);
  return r;
fail:
  cni_table_free(r);
  cni_keyindex_free(&ki);
  free(idx);
  free(used);
  cni_join_report_free(rep);
  return NULL;
}

/* }===== */

/* {===== group index */

void cni_groups_free(cni_groups *g) {
  free(g->gid);
  free(g->first);
  free(g->count);
  memset(g, 0, sizeof *g);
}

int cni_groups_build(cni_groups *g, const cni_column *key, cni_err *err) {
  size_t n = key->n, ns = 16;
  size_t *slots = NULL;
  memset(g, 0, sizeof *g);
  while (ns < n * 2) ns *= 2;
  g->n = n;
  g->gid = malloc((n ? n : 1) * sizeof *g->gid);
  g->first = malloc((n ? n : 1) * sizeof *g->first);
  g->count = calloc(n ? n : 1, sizeof *g->count);
  slots = calloc(ns, sizeof *slots);
  if (!g->gid || !g->first || !g->count || !slots) {
    free(slots);
    cni_groups_free(g);
    return cni_err_set(err, CNI_ENOMEM, "out of memory");
  }
  for (size_t i = 0; i < n; i++) {
    if (cni_col_is_missing(key, i)) { g->gid[i] = NOROW; continue; }
    size_t s = (size_t)key_hash(key, i) & (ns - 1);
    for (;;) {
      if (slots[s] == 0) {  /* new group */
        size_t gi = g->ngroups++;
        slots[s] = gi + 1;
        g->first[gi] = i;
        g->gid[i] = gi;
        break;
      }
      size_t gi = slots[s] - 1;
      if (key_equal(key, g->first[gi], i)) { g->gid[i] = gi; break; }
      s = (s + 1) & (ns - 1);
    }
    g->count[g->gid[i]]++;
  }
  free(slots);
  return CNI_OK;
}

/* }===== */
