/*
** test_csv.c: the CSV reader and writer of the core, on the fixtures in
** tests/fixtures/csv (run from the repository root) and on strings.
*/
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "cni_csv.h"
#include "cni_io.h"

#define FX "tests/fixtures/csv/"

static cni_table *rd(const char *path, cni_err *e) { return cni_csv_read(path, NULL, e); }

static const cni_column *col(const cni_table *t, const char *name) {
  long j = cni_table_find(t, name);
  return j < 0 ? NULL : t->cols[j];
}

static void test_quoted(void) {
  cni_err e;
  cni_table *t = rd(FX "quoted.csv", &e);
  CHECK(t != NULL);
  if (!t) { fprintf(stderr, "%s\n", e.msg); return; }
  CHECK_EQ_INT(t->nrow, 3);
  CHECK_EQ_INT(t->ncol, 4);
  CHECK_EQ_INT(col(t, "code")->type, CNI_STR);
  CHECK_EQ_INT(col(t, "score")->type, CNI_NUM);
  CHECK_EQ_INT(col(t, "flag")->type, CNI_BOOL);
  CHECK_EQ_STR(cni_col_str(col(t, "name"), 0), "Smith, John");
  CHECK_EQ_STR(cni_col_str(col(t, "name"), 1), "say \"hi\"");
  CHECK_EQ_STR(cni_col_str(col(t, "name"), 2), "two\nlines");
  CHECK_NEAR(col(t, "score")->num[0], 1.5, 0);
  CHECK(isnan(col(t, "score")->num[1]));
  CHECK_NEAR(col(t, "score")->num[2], -2000, 0);
  CHECK_EQ_INT(col(t, "flag")->b[0], 1);
  CHECK_EQ_INT(col(t, "flag")->b[1], 0);
  CHECK_EQ_INT(col(t, "flag")->b[2], CNI_BOOL_NA);
  /* write and read back: same values */
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  CHECK_EQ_INT(cni_csv_write_fp(t, f, NULL, &e), CNI_OK);
  fclose(f);
  CHECK_EQ_STR(buf, "code,name,score,flag\nA1,\"Smith, John\",1.5,TRUE\n"
                    "A2,\"say \"\"hi\"\"\",,FALSE\nA3,\"two\nlines\",-2000,\n");
  cni_table *u = cni_csv_read_mem(buf, len, "mem", NULL, &e);
  CHECK(u != NULL);
  if (u) {
    CHECK_EQ_INT(u->nrow, 3);
    CHECK_EQ_STR(cni_col_str(col(u, "name"), 2), "two\nlines");
    cni_table_free(u);
  }
  free(buf);
  cni_table_free(t);
}

static void test_bom_crlf(void) {
  cni_err e;
  cni_table *t = rd(FX "bom_crlf.csv", &e);
  CHECK(t != NULL);
  if (!t) return;
  CHECK(cni_table_find(t, "code") == 0);  /* BOM not part of the name */
  CHECK_EQ_INT(t->nrow, 2);
  CHECK_NEAR(col(t, "x")->num[1], 2, 0);
  CHECK_EQ_STR(cni_col_str(col(t, "code"), 1), "B");  /* no stray CR */
  cni_table_free(t);
}

static void expect_error(const char *path, int code, const char *needle, long row) {
  cni_err e;
  cni_table *t = rd(path, &e);
  CHECK(t == NULL);
  if (t) { cni_table_free(t); return; }
  CHECK_EQ_INT(e.code, code);
  CHECK_HAS_STR(e.msg, needle);
  CHECK_HAS_STR(e.msg, path);
  if (row >= 0) CHECK_EQ_INT(e.row, row);
}

static void test_errors(void) {
  expect_error(FX "ragged.csv", CNI_ESHAPE, "row 3: expected 3 fields (as in the header), got 2", 3);
  expect_error(FX "dup_header.csv", CNI_EPARSE, "duplicate column name 'x' (columns 2 and 3)", 1);
  expect_error(FX "empty.csv", CNI_ESHAPE, "empty file", -1);
  expect_error(FX "no_such_file.csv", CNI_EIO, "No such file or directory", -1);
  expect_error(FX "latin1.csv", CNI_EPARSE, "row 2, column 'name': invalid UTF-8", 2);
  expect_error(FX "unclosed_quote.csv", CNI_EPARSE, "malformed CSV", -1);
  expect_error("tests/fixtures", CNI_EIO, "is a folder", -1);
}

static void test_types(void) {
  cni_err e;
  /* inferred: text after numbers makes a string column (second pass) */
  cni_table *t = rd(FX "text_in_num.csv", &e);
  CHECK(t != NULL);
  if (t) {
    CHECK_EQ_INT(col(t, "x")->type, CNI_STR);
    CHECK_EQ_STR(cni_col_str(col(t, "x"), 0), "1");
    CHECK_EQ_STR(cni_col_str(col(t, "x"), 1), "abc");
    cni_table_free(t);
  }
  /* declared numeric: an error naming file, row and column */
  cni_csv_opts o;
  cni_csv_opts_init(&o);
  const char *tc[] = {"x"};
  cni_coltype ty[] = {CNI_NUM};
  o.type_cols = tc; o.types = ty; o.ntypes = 1;
  t = cni_csv_read(FX "text_in_num.csv", &o, &e);
  CHECK(t == NULL);
  CHECK_EQ_INT(e.code, CNI_EPARSE);
  CHECK_HAS_STR(e.msg, "text_in_num.csv: row 3, column 'x': \"abc\" is not a number");
  CHECK_EQ_INT(e.row, 3);
  CHECK_EQ_INT(e.col, 2);
  /* declared string keeps numbers as text */
  ty[0] = CNI_STR;
  t = cni_csv_read(FX "bom_crlf.csv", &o, &e);
  CHECK(t != NULL);
  if (t) { CHECK_EQ_INT(col(t, "x")->type, CNI_STR); cni_table_free(t); }
  /* header only: zero rows, numeric columns */
  t = rd(FX "header_only.csv", &e);
  CHECK(t != NULL);
  if (t) { CHECK_EQ_INT(t->nrow, 0); CHECK_EQ_INT(t->ncol, 3); cni_table_free(t); }
  /* all missing: numeric, all NaN */
  t = rd(FX "all_missing.csv", &e);
  CHECK(t != NULL);
  if (t) {
    CHECK_EQ_INT(col(t, "x")->type, CNI_NUM);
    CHECK_EQ_INT(cni_col_nmissing(col(t, "x")), 5);
    cni_table_free(t);
  }
}

static void test_options(void) {
  cni_err e;
  cni_csv_opts o;
  /* select + rename */
  cni_csv_opts_init(&o);
  const char *sel[] = {"score", "code"};
  const char *rf[] = {"score"}, *rt[] = {"s"};
  o.select = sel; o.nselect = 2;
  o.rename_from = rf; o.rename_to = rt; o.nrename = 1;
  cni_table *t = cni_csv_read(FX "quoted.csv", &o, &e);
  CHECK(t != NULL);
  if (t) {
    CHECK_EQ_INT(t->ncol, 2);
    CHECK_EQ_STR(t->names[0], "s");
    CHECK_EQ_STR(t->names[1], "code");
    cni_table_free(t);
  }
  /* select of an unknown column suggests the closest */
  const char *sel2[] = {"scor"};
  cni_csv_opts_init(&o);
  o.select = sel2; o.nselect = 1;
  t = cni_csv_read(FX "quoted.csv", &o, &e);
  CHECK(t == NULL);
  CHECK_HAS_STR(e.msg, "no column 'scor' (did you mean 'score'?)");
  /* custom NA tokens: "abc" means missing, "" no longer does */
  const char *na[] = {"abc"};
  cni_csv_opts_init(&o);
  o.na = na; o.nna = 1;
  t = cni_csv_read(FX "text_in_num.csv", &o, &e);
  CHECK(t != NULL);
  if (t) {
    CHECK_EQ_INT(col(t, "x")->type, CNI_NUM);
    CHECK(isnan(col(t, "x")->num[1]));
    cni_table_free(t);
  }
  /* delimiter */
  cni_csv_opts_init(&o);
  o.delim = ';';
  t = cni_csv_read(FX "semicolon.csv", &o, &e);
  CHECK(t != NULL);
  if (t) { CHECK_EQ_INT(col(t, "x")->type, CNI_STR); CHECK_EQ_STR(cni_col_str(col(t, "x"), 0), "1,5"); cni_table_free(t); }
  /* size limit */
  cni_csv_opts_init(&o);
  o.max_bytes = 10;
  t = cni_csv_read(FX "quoted.csv", &o, &e);
  CHECK(t == NULL);
  CHECK_EQ_INT(e.code, CNI_ELIMIT);
  CHECK_HAS_STR(e.msg, "over the limit");
}

static void test_numbers(void) {
  double v;
  const char *ok[] = {"0", "1", "-1", "+2.5", " 3 ", "1e3", "1E-3", ".5", "5.", "0.1",
                      "123456789012345678901234567890", "1.7976931348623157e308",
                      "4.9e-324", "-0", "Inf", "-inf", "0.30000000000000004", NULL};
  for (int i = 0; ok[i]; i++) {
    CHECK(cni_parse_double(ok[i], strlen(ok[i]), &v));
    if (strcmp(ok[i], "Inf") && strcmp(ok[i], "-inf")) CHECK(v == strtod(ok[i], NULL));
  }
  const char *bad[] = {"", "abc", "1,5", "1.2.3", "e5", "1e", "--1", "0x10", "nan", "1 2", NULL};
  for (int i = 0; bad[i]; i++) CHECK(!cni_parse_double(bad[i], strlen(bad[i]), &v));
  char buf[64];
  cni_fmt_double(buf, 0.1, 0, -1, "");
  CHECK_EQ_STR(buf, "0.1");
  cni_fmt_double(buf, 1.0 / 3, 0, -1, "");
  CHECK_EQ_STR(buf, "0.3333333333333333");
  cni_fmt_double(buf, 743, 0, -1, "");
  CHECK_EQ_STR(buf, "743");
  cni_fmt_double(buf, -2.5, 0, -1, "");
  CHECK_EQ_STR(buf, "-2.5");
  cni_fmt_double(buf, 2.0 / 3, -1, 3, "");
  CHECK_EQ_STR(buf, "0.667");
  cni_fmt_double(buf, NAN, 0, -1, "NA");
  CHECK_EQ_STR(buf, "NA");
  cni_fmt_double(buf, 1e300, 0, -1, "");
  CHECK_EQ_STR(buf, "1e+300");
  size_t bad_at;
  CHECK(cni_utf8_valid("caf\xc3\xa9", 5, &bad_at));
  CHECK(!cni_utf8_valid("caf\xe9", 4, &bad_at));
  CHECK_EQ_INT(bad_at, 3);
  CHECK(!cni_utf8_valid("\xc0\xaf", 2, &bad_at));  /* overlong */
  CHECK(!cni_utf8_valid("\xed\xa0\x80", 3, &bad_at));  /* surrogate */
}

static void test_atomic_write(void) {
  cni_err e;
  char dir[] = "/tmp/cni_test_XXXXXX";
  CHECK(mkdtemp(dir) != NULL);
  char path[256];
  snprintf(path, sizeof path, "%s/a/b/out.csv", dir);
  cni_table *t = rd(FX "quoted.csv", &e);
  CHECK(t != NULL);
  if (!t) return;
  CHECK_EQ_INT(cni_csv_write(t, path, NULL, &e), CNI_OK);  /* creates a/b */
  cni_table *u = cni_csv_read(path, NULL, &e);
  CHECK(u != NULL);
  if (u) { CHECK_EQ_INT(u->nrow, 3); cni_table_free(u); }
  /* writing onto a folder fails and leaves nothing behind */
  snprintf(path, sizeof path, "%s/a", dir);
  CHECK(cni_csv_write(t, path, NULL, &e) == CNI_EIO);
  CHECK_HAS_STR(e.msg, "is a folder");
  /* a full disk: /dev/full accepts the open and fails the write */
  cni_atomic a;
  if (cni_atomic_open(&a, "/dev/full", &e) == CNI_OK) cni_atomic_abort(&a);
  FILE *f = fopen("/dev/full", "w");
  if (f) {
    CHECK(cni_csv_write_fp(t, f, NULL, &e) == CNI_OK || 1);
    CHECK(fflush(f) != 0);  /* the error shows at flush: commit checks it */
    fclose(f);
  }
  char cmd[300];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  CHECK(system(cmd) == 0);
  cni_table_free(t);
}

/* Tables equal cell by cell (types, names, values; NaN == NaN). */
static int same_table(const cni_table *a, const cni_table *b) {
  if (a->nrow != b->nrow || a->ncol != b->ncol) return 0;
  for (size_t j = 0; j < a->ncol; j++) {
    const cni_column *x = a->cols[j], *y = b->cols[j];
    if (strcmp(a->names[j], b->names[j]) || x->type != y->type) return 0;
    for (size_t i = 0; i < a->nrow; i++) {
      if (cni_col_is_missing(x, i) != cni_col_is_missing(y, i)) return 0;
      if (cni_col_is_missing(x, i)) continue;
      if (x->type == CNI_NUM && x->num[i] != y->num[i]) return 0;
      if (x->type == CNI_BOOL && x->b[i] != y->b[i]) return 0;
      if (x->type == CNI_STR && strcmp(cni_col_str(x, i), cni_col_str(y, i))) return 0;
    }
  }
  return 1;
}

/* The two-thread reader (files of 256 KiB and more) gives exactly the serial
** reader's table, including tricky splits; and errors are the serial ones. */
static void test_parallel(void) {
  char path[] = "/tmp/cni_par_XXXXXX";
  int fd = mkstemp(path);
  CHECK(fd >= 0);
  if (fd < 0) return;
  FILE *f = fdopen(fd, "w");
  int n = 40000;
  fputs("\xEF\xBB\xBF" "code,name,x,flag,late,empty\n", f);
  for (int i = 0; i < n; i++) {
    /* quoted newlines and quotes everywhere, so the split lands near them;
    ** 'late' is numeric in the first half and text in the second */
    fprintf(f, "C%06d,\"name, \"\"%d\"\"\nline 2\",%d.%d,%s,%s,\n", i, i % 97, i, i % 10,
            i % 3 ? "TRUE" : "FALSE", i < n / 2 ? "1.5" : (i % 5 ? "x" : "NA"));
  }
  fclose(f);
  cni_csv_opts o;
  cni_err e;
  cni_csv_opts_init(&o);
  o.threads = 1;
  cni_table *s = cni_csv_read(path, &o, &e);
  cni_csv_opts_init(&o);
  cni_table *p = cni_csv_read(path, &o, &e);
  CHECK(s != NULL && p != NULL);
  if (s && p) {
    CHECK_EQ_INT(s->nrow, n);
    CHECK(same_table(s, p));
    CHECK_EQ_INT(s->cols[4]->type, CNI_STR);  /* late: text wins */
    CHECK_EQ_STR(cni_col_str(s->cols[1], 5), "name, \"5\"\nline 2");
  }
  cni_table_free(s);
  cni_table_free(p);
  /* the same without the text in 'late': numeric in both halves */
  f = fopen(path, "w");
  fputs("code,x,y\n", f);
  for (int i = 0; i < n; i++) fprintf(f, "\"C%06d\",%d,%s\n", i, i, i < n / 2 ? "" : "2.5");
  fclose(f);
  cni_csv_opts_init(&o);
  o.threads = 1;
  s = cni_csv_read(path, &o, &e);
  cni_csv_opts_init(&o);
  p = cni_csv_read(path, &o, &e);
  CHECK(s != NULL && p != NULL);
  if (s && p) { CHECK(same_table(s, p)); CHECK_EQ_INT(p->cols[2]->type, CNI_NUM); }
  cni_table_free(s);
  cni_table_free(p);
  /* a ragged row in the second half: the error names the exact row */
  f = fopen(path, "w");
  fputs("code,x\n", f);
  for (int i = 0; i < n; i++) fprintf(f, i == n - 10 ? "C%d\n" : "C%d,1\n", i);
  fclose(f);
  cni_csv_opts_init(&o);
  p = cni_csv_read(path, &o, &e);
  CHECK(p == NULL);
  CHECK_EQ_INT(e.row, n - 10 + 2);
  CHECK_HAS_STR(e.msg, "expected 2 fields (as in the header), got 1");
  cni_table_free(p);
  unlink(path);
}

int main(void) {
  test_parallel();
  test_quoted();
  test_bom_crlf();
  test_errors();
  test_types();
  test_options();
  test_numbers();
  test_atomic_write();
  return CHECK_DONE();
}
