/*
** cni_csv.h: CSV reading (libcsv) into a cni_table, and CSV writing.
** Layer: core. Never includes Lua headers.
**
** Reading: the first record is the header. Each column's type is inferred
** from its non-missing values unless given: a column whose values all parse
** as numbers is CNI_NUM; all TRUE/FALSE (any case) is CNI_BOOL; anything else
** is CNI_STR. A column with no values at all (header only, or all missing) is
** CNI_NUM. Missing-value tokens (exact match, default "", "NA", "N/A", "..",
** ":") give NaN / missing. Quoted fields may hold commas, quotes ("") and
** newlines. A UTF-8 byte-order mark is skipped; CRLF and LF both end records;
** blank lines are skipped. Rows are counted as in a spreadsheet: the header
** is row 1, the first data record row 2.
*/
#ifndef CNI_CSV_H
#define CNI_CSV_H

#include "cni_table.h"

typedef struct cni_csv_opts {
  const char *const *na;        /* missing-value tokens; NULL = defaults */
  size_t nna;
  const char *const *type_cols; /* per-column type overrides (file names) */
  const cni_coltype *types;
  size_t ntypes;
  const char *const *select;    /* load only these columns, in this order */
  size_t nselect;
  const char *const *rename_from; /* rename on load (file name -> new name) */
  const char *const *rename_to;
  size_t nrename;
  unsigned char delim;          /* 0 = ',' */
  size_t max_bytes;             /* refuse larger files; 0 = no limit */
  int check_utf8;               /* 1 = reject invalid UTF-8 in text */
  int header_only;              /* 1 = read the header only (a 0-row table) */
  int threads;                  /* 0 = automatic (two halves in parallel for
                                   files of 256 KiB or more), 1 = serial,
                                   2 = two halves whatever the size (tests) */
  int libcsv_only;              /* 1 = every record through libcsv, not the
                                   fast path for plain records (tests) */
} cni_csv_opts;

void cni_csv_opts_init(cni_csv_opts *o);

/* Reads a CSV file. 'err' names the file, row and column on failure. */
cni_table *cni_csv_read(const char *path, const cni_csv_opts *o, cni_err *err);
/* Same, from memory; 'name' is used in messages. */
cni_table *cni_csv_read_mem(const char *buf, size_t len, const char *name,
                            const cni_csv_opts *o, cni_err *err);

typedef struct cni_csvw_opts {
  const char *na;     /* token for missing values; NULL = "" */
  int digits;         /* significant digits, default 15 (as R); 0 = shortest
                         exact (15-17); see cni_fmt_double */
  int decimals;       /* fixed decimals when digits < 0 */
  unsigned char delim;/* 0 = ',' */
} cni_csvw_opts;

void cni_csvw_opts_init(cni_csvw_opts *o);
/* Writes t with a header row, RFC 4180 quoting (fields holding the
** delimiter, a quote, CR or LF, or leading/trailing spaces or tabs are
** quoted; so are empty fields of a one-column table, which would otherwise
** be blank lines, and a first column name that starts with a byte-order
** mark), LF line ends. Reading the output back gives the same table. */
int cni_csv_write_fp(const cni_table *t, FILE *fp, const cni_csvw_opts *o,
                     cni_err *err);
/* Atomic: temporary file + rename; parent folders created. */
int cni_csv_write(const cni_table *t, const char *path, const cni_csvw_opts *o,
                  cni_err *err);

#endif
