/*
** cni_table.h: columnar area tables (the table store of the C core).
** Layer: core. Never includes Lua headers.
**
** A table is an ordered list of named columns of equal length. Columns are
** immutable once built and reference-counted, so selecting columns or adding
** a column to a new table never copies data. Column kinds:
**   CNI_NUM  double, NaN = missing
**   CNI_STR  interned strings: per-row code into a dictionary of unique
**            strings (CNI_NA_CODE = missing)
**   CNI_BOOL uint8_t 0/1, CNI_BOOL_NA = missing
*/
#ifndef CNI_TABLE_H
#define CNI_TABLE_H

#include "cni.h"

typedef enum cni_coltype { CNI_NUM = 0, CNI_STR = 1, CNI_BOOL = 2 } cni_coltype;

#define CNI_NA_CODE UINT32_MAX
#define CNI_BOOL_NA 2

/* A dictionary of unique strings (interning). Reference-counted so that
** derived string columns (filters, sorts) share it. */
typedef struct cni_strdict {
  size_t refs;
  size_t n, cap;          /* number of strings, capacity of 'str' */
  char **str;             /* str[code] = NUL-terminated string */
  size_t *len;            /* byte lengths */
  uint32_t *hash;         /* hash of each string (low 32 bits) */
  uint32_t *slots;        /* open-addressing hash: code+1, 0 = empty */
  size_t nslots;          /* power of two */
  struct cni_strblock *blk;  /* the strings' storage: blocks, newest first */
  size_t blk_used, blk_cap;  /* bytes used / available in blk */
} cni_strdict;

typedef struct cni_column {
  size_t refs;
  cni_coltype type;
  size_t n;
  double *num;            /* CNI_NUM */
  uint32_t *code;         /* CNI_STR */
  cni_strdict *dict;      /* CNI_STR */
  uint8_t *b;             /* CNI_BOOL */
} cni_column;

typedef struct cni_table {
  size_t nrow, ncol, cap;
  char **names;
  cni_column **cols;
} cni_table;

/* {===== strings */
cni_strdict *cni_strdict_new(void);
void cni_strdict_ref(cni_strdict *d);
void cni_strdict_unref(cni_strdict *d);
/* Interns s[0..len): returns its code, or CNI_NA_CODE on out of memory. */
uint32_t cni_strdict_intern(cni_strdict *d, const char *s, size_t len);
/* Room for n strings without growing (a hint; 0 when out of memory). */
int cni_strdict_reserve(cni_strdict *d, size_t n);
/* Finds s; returns its code or CNI_NA_CODE. */
uint32_t cni_strdict_find(const cni_strdict *d, const char *s, size_t len);
/* String of row i of a string column, NULL if missing. */
const char *cni_col_str(const cni_column *c, size_t i);
/* }===== */

/* {===== columns */
/* New column of n rows, zero-filled (NUM: NaN; STR: missing; BOOL: missing).
** STR columns get a fresh dictionary unless 'dict' is given (shared). */
cni_column *cni_col_new(cni_coltype type, size_t n, cni_strdict *dict);
/* A numeric column of n values left uninitialised, for kernels that write
** every value: the pages are first touched by the kernel (on its thread),
** not by a fill here. NULL when out of memory. */
cni_column *cni_col_new_num_raw(size_t n);
void cni_col_ref(cni_column *c);
void cni_col_unref(cni_column *c);
/* Gathers rows idx[0..m) (each < c->n; (size_t)-1 yields missing). */
cni_column *cni_col_take(const cni_column *c, const size_t *idx, size_t m);
/* Number of missing values. */
size_t cni_col_nmissing(const cni_column *c);
int cni_col_is_missing(const cni_column *c, size_t i);
const char *cni_coltype_name(cni_coltype t);
/* }===== */

/* {===== tables */
cni_table *cni_table_new(void);
void cni_table_free(cni_table *t);
/* Finds a column by exact name; -1 if absent. */
long cni_table_find(const cni_table *t, const char *name);
/* Adds or replaces column 'name' (takes a new reference to c). The first
** column fixes nrow; later ones must match (CNI_ESHAPE). */
int cni_table_set(cni_table *t, const char *name, cni_column *c, cni_err *err);
/* Removes column 'name' if present; returns 1 if removed. */
int cni_table_drop(cni_table *t, const char *name);
/* New table holding the listed columns (shared, not copied). */
cni_table *cni_table_select(const cni_table *t, const char *const *names,
                            size_t k, cni_err *err);
/* New table with rows idx[0..m) of t. */
cni_table *cni_table_take(const cni_table *t, const size_t *idx, size_t m,
                          cni_err *err);
/* Rows where mask (a BOOL column of t's length) is true; missing = false. */
cni_table *cni_table_filter(const cni_table *t, const cni_column *mask,
                            cni_err *err);
/* Stable sort by k key columns; desc[j] != 0 sorts key j descending.
** Missing values sort last in both directions; strings by byte order.
** Writes the permutation to perm_ (nrow entries) when perm_ != NULL. */
cni_table *cni_table_sort(const cni_table *t, const char *const *keys,
                          const int *desc, size_t k, size_t *perm_,
                          cni_err *err);
/* }===== */

/* {===== key index: area code -> row */
typedef struct cni_keyindex {
  const cni_column *col;  /* borrowed */
  size_t n;
  size_t nslots;
  size_t *slots;          /* row+1, 0 = empty */
} cni_keyindex;

/* Builds the index of a STR or NUM key column. Missing keys and duplicate
** keys are errors (CNI_EKEY), naming the key and both rows (1-based data
** rows). */
int cni_keyindex_build(cni_keyindex *ki, const cni_column *key, cni_err *err);
void cni_keyindex_free(cni_keyindex *ki);
/* Row of key s, or (size_t)-1. */
size_t cni_keyindex_find(const cni_keyindex *ki, const char *s, size_t len);
size_t cni_keyindex_find_num(const cni_keyindex *ki, double v);
/* }===== */

/* {===== joins */
typedef struct cni_join_report {
  size_t n_left, n_right;       /* rows on each side */
  size_t n_matched;             /* left rows with a match */
  size_t *unmatched_left;       /* left rows (0-based) with no match */
  size_t n_unmatched_left;
  size_t *unmatched_right;      /* right rows (0-based) never matched */
  size_t n_unmatched_right;
} cni_join_report;

/* Left join: every row of 'left' once, in order; columns of 'right' other
** than its key are appended (a name clash gets 'suffix' appended to the
** right-hand name). Keys must be unique on the right (else CNI_EKEY: a join
** never duplicates rows); keys must have the same type. Left rows without a
** match get missing values. Fills 'rep' (free with cni_join_report_free). */
cni_table *cni_table_left_join(const cni_table *left, const char *lkey,
                               const cni_table *right, const char *rkey,
                               const char *suffix, cni_join_report *rep,
                               cni_err *err);
void cni_join_report_free(cni_join_report *rep);
/* }===== */

/* {===== group index */
typedef struct cni_groups {
  size_t n;          /* rows */
  size_t ngroups;
  size_t *gid;       /* gid[row] in 0..ngroups-1, (size_t)-1 if key missing */
  size_t *first;     /* first row of each group (groups in order of first
                        appearance) */
  size_t *count;     /* rows per group */
} cni_groups;

int cni_groups_build(cni_groups *g, const cni_column *key, cni_err *err);
void cni_groups_free(cni_groups *g);
/* }===== */

#endif
