/*
** test_table.c: the table store: columns, interning, select, filter, sort,
** key index, left join with coverage report, group index.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "cni_table.h"

static cni_column *num(const double *v, size_t n) {
  cni_column *c = cni_col_new(CNI_NUM, n, NULL);
  memcpy(c->num, v, n * sizeof *v);
  return c;
}

static cni_column *str(const char *const *v, size_t n) {
  cni_column *c = cni_col_new(CNI_STR, n, NULL);
  for (size_t i = 0; i < n; i++)
    if (v[i]) c->code[i] = cni_strdict_intern(c->dict, v[i], strlen(v[i]));
  return c;
}

static void add(cni_table *t, const char *name, cni_column *c) {
  cni_err e;
  CHECK_EQ_INT(cni_table_set(t, name, c, &e), CNI_OK);
  cni_col_unref(c);
}

static cni_table *sample(void) {
  const char *codes[] = {"E1", "E2", "E3", "E4", "E5"};
  const char *la[] = {"X", "Y", "X", NULL, "Y"};
  const double v[] = {3, 1, NAN, 1, 2};
  cni_table *t = cni_table_new();
  add(t, "code", str(codes, 5));
  add(t, "la", str(la, 5));
  add(t, "v", num(v, 5));
  return t;
}

static void test_basic(void) {
  cni_table *t = sample();
  cni_err e;
  CHECK_EQ_INT(t->nrow, 5);
  CHECK_EQ_INT(t->ncol, 3);
  CHECK_EQ_INT(cni_table_find(t, "la"), 1);
  CHECK_EQ_INT(cni_table_find(t, "nope"), -1);
  /* interning: equal strings share a code */
  const cni_column *la = t->cols[1];
  CHECK_EQ_INT(la->code[0], la->code[2]);
  CHECK_EQ_INT(la->dict->n, 2);
  CHECK(cni_col_str(la, 3) == NULL);
  CHECK_EQ_INT(cni_col_nmissing(la), 1);
  /* shape mismatch */
  const double w[] = {1, 2};
  cni_column *c = num(w, 2);
  CHECK_EQ_INT(cni_table_set(t, "w", c, &e), CNI_ESHAPE);
  CHECK_HAS_STR(e.msg, "column 'w' has 2 rows, the table has 5");
  cni_col_unref(c);
  /* select shares columns, refuses unknown names */
  const char *names[] = {"v", "code"};
  cni_table *s = cni_table_select(t, names, 2, &e);
  CHECK(s != NULL);
  CHECK(s->cols[0] == t->cols[2]);
  CHECK_EQ_INT(s->cols[0]->refs, 2);
  cni_table_free(s);
  CHECK_EQ_INT(t->cols[2]->refs, 1);
  const char *bad[] = {"zz"};
  CHECK(cni_table_select(t, bad, 1, &e) == NULL);
  CHECK_HAS_STR(e.msg, "no column 'zz'");
  /* replace and drop */
  const double z[] = {0, 0, 0, 0, 0};
  add(t, "v", num(z, 5));
  CHECK_EQ_INT(t->ncol, 3);
  CHECK_NEAR(t->cols[2]->num[0], 0, 0);
  CHECK(cni_table_drop(t, "la"));
  CHECK_EQ_INT(t->ncol, 2);
  CHECK_EQ_STR(t->names[1], "v");
  cni_table_free(t);
}

static void test_filter_sort(void) {
  cni_table *t = sample();
  cni_err e;
  cni_column *m = cni_col_new(CNI_BOOL, 5, NULL);
  uint8_t mv[] = {1, 0, 1, CNI_BOOL_NA, 1};
  memcpy(m->b, mv, 5);
  cni_table *f = cni_table_filter(t, m, &e);
  CHECK(f != NULL);
  CHECK_EQ_INT(f->nrow, 3);  /* missing counts as false */
  CHECK_EQ_STR(cni_col_str(f->cols[0], 2), "E5");
  cni_table_free(f);
  cni_col_unref(m);
  /* sort by v ascending: 1 (E2), 1 (E4), 2, 3, NaN last; stable on ties */
  const char *k[] = {"v"};
  int desc[] = {0};
  size_t perm[5];
  cni_table *s = cni_table_sort(t, k, desc, 1, perm, &e);
  CHECK(s != NULL);
  CHECK_EQ_INT(perm[0], 1);
  CHECK_EQ_INT(perm[1], 3);
  CHECK_EQ_INT(perm[2], 4);
  CHECK_EQ_INT(perm[3], 0);
  CHECK_EQ_INT(perm[4], 2);
  cni_table_free(s);
  /* descending: 3, 2, 1 (E2), 1 (E4), NaN still last */
  desc[0] = 1;
  s = cni_table_sort(t, k, desc, 1, perm, &e);
  CHECK_EQ_INT(perm[0], 0);
  CHECK_EQ_INT(perm[1], 4);
  CHECK_EQ_INT(perm[2], 1);
  CHECK_EQ_INT(perm[3], 3);
  CHECK_EQ_INT(perm[4], 2);
  cni_table_free(s);
  /* two keys: la (missing last), then v descending */
  const char *k2[] = {"la", "v"};
  int d2[] = {0, 1};
  s = cni_table_sort(t, k2, d2, 2, perm, &e);
  CHECK_EQ_INT(perm[0], 0);  /* X 3 */
  CHECK_EQ_INT(perm[1], 2);  /* X NaN */
  CHECK_EQ_INT(perm[2], 4);  /* Y 2 */
  CHECK_EQ_INT(perm[3], 1);  /* Y 1 */
  CHECK_EQ_INT(perm[4], 3);  /* missing la */
  cni_table_free(s);
  /* a large stable sort: 10,000 rows with 7 distinct values */
  size_t n = 10000;
  cni_column *big = cni_col_new(CNI_NUM, n, NULL);
  for (size_t i = 0; i < n; i++) big->num[i] = (double)((i * 7919) % 7);
  cni_table *bt = cni_table_new();
  add(bt, "x", big);
  size_t *p = malloc(n * sizeof *p);
  desc[0] = 0;
  s = cni_table_sort(bt, k[0] ? (const char *[]){"x"} : k, desc, 1, p, &e);
  int ok = 1;
  for (size_t i = 1; i < n; i++) {
    double a = bt->cols[0]->num[p[i - 1]], b = bt->cols[0]->num[p[i]];
    if (a > b || (a == b && p[i - 1] > p[i])) ok = 0;
  }
  CHECK(ok);
  free(p);
  cni_table_free(s);
  cni_table_free(bt);
  cni_table_free(t);
}

static void test_keys_join(void) {
  cni_table *t = sample();
  cni_err e;
  cni_keyindex ki;
  CHECK_EQ_INT(cni_keyindex_build(&ki, t->cols[0], &e), CNI_OK);
  CHECK_EQ_INT(cni_keyindex_find(&ki, "E4", 2), 3);
  CHECK_EQ_INT(cni_keyindex_find(&ki, "E9", 2), (size_t)-1);
  cni_keyindex_free(&ki);
  /* duplicate keys are named with both rows */
  const char *dup[] = {"A", "B", "A"};
  cni_column *d = str(dup, 3);
  CHECK_EQ_INT(cni_keyindex_build(&ki, d, &e), CNI_EKEY);
  CHECK_HAS_STR(e.msg, "duplicate key 'A' in data rows 1 and 3");
  cni_col_unref(d);
  /* missing key */
  const char *holes[] = {"A", "B", NULL};
  cni_column *h = str(holes, 3);
  CHECK_EQ_INT(cni_keyindex_build(&ki, h, &e), CNI_EKEY);
  CHECK_HAS_STR(e.msg, "missing key in data row 3");
  cni_col_unref(h);
  /* left join with coverage on both sides */
  const char *rc[] = {"E5", "E1", "E9", "E3"};
  const double rv[] = {50, 10, 90, 30};
  cni_table *r = cni_table_new();
  add(r, "code", str(rc, 4));
  add(r, "v", num(rv, 4));
  cni_join_report rep;
  cni_table *j = cni_table_left_join(t, "code", r, "code", "_r", &rep, &e);
  CHECK(j != NULL);
  CHECK_EQ_INT(j->nrow, 5);
  CHECK_EQ_INT(j->ncol, 4);
  CHECK_EQ_STR(j->names[3], "v_r");
  CHECK_NEAR(j->cols[3]->num[0], 10, 0);
  CHECK(isnan(j->cols[3]->num[1]));
  CHECK_NEAR(j->cols[3]->num[4], 50, 0);
  CHECK_EQ_INT(rep.n_matched, 3);
  CHECK_EQ_INT(rep.n_unmatched_left, 2);
  CHECK_EQ_INT(rep.unmatched_left[0], 1);
  CHECK_EQ_INT(rep.unmatched_left[1], 3);
  CHECK_EQ_INT(rep.n_unmatched_right, 1);
  CHECK_EQ_INT(rep.unmatched_right[0], 2);
  cni_join_report_free(&rep);
  cni_table_free(j);
  /* duplicate keys on the right would duplicate rows: refused */
  const char *rc2[] = {"E1", "E1"};
  cni_table *r2 = cni_table_new();
  add(r2, "code", str(rc2, 2));
  CHECK(cni_table_left_join(t, "code", r2, "code", NULL, &rep, &e) == NULL);
  CHECK_EQ_INT(e.code, CNI_EKEY);
  CHECK_HAS_STR(e.msg, "duplicate key 'E1'");
  /* key types must agree */
  CHECK(cni_table_left_join(t, "code", r, "v", NULL, &rep, &e) == NULL);
  CHECK_EQ_INT(e.code, CNI_ETYPE);
  cni_table_free(r2);
  cni_table_free(r);
  cni_table_free(t);
}

static void test_groups(void) {
  cni_table *t = sample();
  cni_err e;
  cni_groups g;
  CHECK_EQ_INT(cni_groups_build(&g, t->cols[1], &e), CNI_OK);
  CHECK_EQ_INT(g.ngroups, 2);
  CHECK_EQ_INT(g.gid[0], 0);
  CHECK_EQ_INT(g.gid[1], 1);
  CHECK_EQ_INT(g.gid[2], 0);
  CHECK_EQ_INT(g.gid[3], (size_t)-1);
  CHECK_EQ_INT(g.count[0], 2);
  CHECK_EQ_INT(g.count[1], 2);
  CHECK_EQ_INT(g.first[1], 1);
  cni_groups_free(&g);
  /* numeric keys: -0 and +0 are one group */
  const double k[] = {0.0, -0.0, 1, 1, NAN};
  cni_column *c = num(k, 5);
  CHECK_EQ_INT(cni_groups_build(&g, c, &e), CNI_OK);
  CHECK_EQ_INT(g.ngroups, 2);
  CHECK_EQ_INT(g.gid[1], 0);
  cni_groups_free(&g);
  cni_col_unref(c);
  /* many groups: 40,000 keys through rehashing */
  size_t n = 40000;
  cni_column *s = cni_col_new(CNI_STR, n, NULL);
  char buf[32];
  for (size_t i = 0; i < n; i++) {
    snprintf(buf, sizeof buf, "W%05zu", i % 7400);
    s->code[i] = cni_strdict_intern(s->dict, buf, strlen(buf));
  }
  CHECK_EQ_INT(s->dict->n, 7400);
  CHECK_EQ_INT(cni_groups_build(&g, s, &e), CNI_OK);
  CHECK_EQ_INT(g.ngroups, 7400);
  CHECK_EQ_INT(g.gid[7400], 0);
  cni_groups_free(&g);
  cni_col_unref(s);
  cni_table_free(t);
}

/* String storage in blocks: strings of every length from 0 to 20,000
** bytes (short ones share blocks, long ones get their own), each found
** again with its exact bytes; interning again gives the same code. */
static void test_strdict_blocks(void) {
  cni_strdict *d = cni_strdict_new();
  static char buf[20001];
  size_t lens[] = {0, 1, 7, 1000, 2451, 4095, 4096, 4097, 16383, 16384, 16385, 20000, 3, 2451};
  uint32_t codes[sizeof lens / sizeof lens[0]];
  size_t i, j;
  int ok = 1;
  for (i = 0; i < sizeof lens / sizeof lens[0]; i++) {
    for (j = 0; j < lens[i]; j++) buf[j] = (char)('a' + (i + j) % 26);
    codes[i] = cni_strdict_intern(d, buf, lens[i]);
    CHECK(codes[i] != CNI_NA_CODE);
  }
  for (i = 0; i < 3000; i++) {   /* many short strings over several blocks */
    char sb[32];
    int n = snprintf(sb, sizeof sb, "E%08zu", i);
    if (cni_strdict_intern(d, sb, (size_t)n) == CNI_NA_CODE) ok = 0;
  }
  for (i = 0; i < sizeof lens / sizeof lens[0]; i++) {
    for (j = 0; j < lens[i]; j++) buf[j] = (char)('a' + (i + j) % 26);
    if (d->len[codes[i]] != lens[i] || memcmp(d->str[codes[i]], buf, lens[i]) != 0 ||
        d->str[codes[i]][lens[i]] != '\0' || cni_strdict_intern(d, buf, lens[i]) != codes[i])
      ok = 0;
  }
  for (i = 0; i < 3000; i++) {
    char sb[32];
    int n = snprintf(sb, sizeof sb, "E%08zu", i);
    uint32_t k = cni_strdict_find(d, sb, (size_t)n);
    if (k == CNI_NA_CODE || strcmp(d->str[k], sb) != 0) ok = 0;
  }
  CHECK(ok);
  cni_strdict_unref(d);
}

int main(void) {
  test_strdict_blocks();
  test_basic();
  test_filter_sort();
  test_keys_join();
  test_groups();
  return CHECK_DONE();
}
