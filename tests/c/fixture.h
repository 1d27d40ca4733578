/*
** fixture.h: a tiny CSV reader for the R fixtures of the C unit tests
** (header row, no quoting; "NA" = missing). Shared by test_group.c and
** test_corr.c; static functions, included once per test program.
*/
#ifndef FIXTURE_H
#define FIXTURE_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cni_group.h"

/* {====== tiny CSV reader for the fixtures (header row, no quoting) */

typedef struct tbl {
  size_t nrow, ncol;
  char *buf;
  char **raw;    /* all cells including the header */
  char **cell;   /* nrow * ncol data cells, row-major (raw + ncol) */
  char **name;   /* ncol */
} tbl;

static void tbl_free(tbl *t) {
  free(t->buf);
  free(t->raw);
  free(t->name);
  memset(t, 0, sizeof *t);
}

static int tbl_read(tbl *t, const char *dir, const char *file) {
  char path[1024];
  FILE *f;
  long len;
  size_t ncell = 0, cap = 1024, i, nf = 1;
  char *p;
  memset(t, 0, sizeof *t);
  snprintf(path, sizeof path, "%s/%s", dir, file);
  f = fopen(path, "rb");
  if (f == NULL) { fprintf(stderr, "cannot open %s\n", path); return 0; }
  fseek(f, 0, SEEK_END);
  len = ftell(f);
  fseek(f, 0, SEEK_SET);
  t->buf = malloc((size_t)len + 1);
  if (t->buf == NULL || fread(t->buf, 1, (size_t)len, f) != (size_t)len) {
    fclose(f);
    return 0;
  }
  fclose(f);
  t->buf[len] = '\0';
  for (p = t->buf; *p && *p != '\n'; p++) if (*p == ',') nf++;
  t->ncol = nf;
  t->raw = malloc(cap * sizeof *t->raw);
  p = t->buf;
  while (*p) {
    char *start = p;
    while (*p && *p != ',' && *p != '\n' && *p != '\r') p++;
    if (ncell == cap) { cap *= 2; t->raw = realloc(t->raw, cap * sizeof *t->raw); }
    t->raw[ncell++] = start;
    if (*p == '\r') *p++ = '\0';
    if (*p == ',') { *p++ = '\0'; continue; }
    if (*p == '\n') { *p++ = '\0'; }
  }
  if (ncell % nf != 0) { fprintf(stderr, "%s: ragged\n", path); return 0; }
  t->name = malloc(nf * sizeof *t->name);
  for (i = 0; i < nf; i++) t->name[i] = t->raw[i];
  t->cell = t->raw + nf;
  t->nrow = ncell / nf - 1;
  return 1;
}

static void tbl_done(tbl *t) {
  tbl_free(t);
}

static size_t tbl_col(const tbl *t, const char *name) {
  for (size_t j = 0; j < t->ncol; j++)
    if (strcmp(t->name[j], name) == 0) return j;
  fprintf(stderr, "no column %s\n", name);
  exit(2);
}

static double cell_num(const char *s) {
  char *end;
  double v;
  if (strcmp(s, "NA") == 0) return NAN;
  v = strtod(s, &end);
  if (*end != '\0') { fprintf(stderr, "bad number '%s'\n", s); exit(2); }
  return v;
}

/* Column as a malloc'd double array. */
static double *tbl_num(const tbl *t, const char *name) {
  size_t j = tbl_col(t, name);
  double *v = malloc((t->nrow ? t->nrow : 1) * sizeof *v);
  for (size_t i = 0; i < t->nrow; i++) v[i] = cell_num(t->cell[i * t->ncol + j]);
  return v;
}

/* Group-id column: -1 or NA -> CNI_GROUP_NONE. */
static size_t *tbl_gid(const tbl *t, const char *name) {
  double *v = tbl_num(t, name);
  size_t *g = malloc((t->nrow ? t->nrow : 1) * sizeof *g);
  for (size_t i = 0; i < t->nrow; i++)
    g[i] = (isnan(v[i]) || v[i] < 0) ? CNI_GROUP_NONE : (size_t)v[i];
  free(v);
  return g;
}

/* }====== */

/* Number of entries not within tol (relative, as CHECK_NEAR); prints a few. */
static size_t mismatches(const char *what, const double *got, const double *ref,
                         size_t n, double tol) {
  size_t bad = 0;
  for (size_t i = 0; i < n; i++) {
    double a = got[i], b = ref[i];
    int ok = (isnan(a) && isnan(b)) ||
             (!isnan(a) && !isnan(b) &&
              (a == b || fabs(a - b) <= tol * (fabs(b) > 1 ? fabs(b) : 1)));
    if (!ok && bad++ < 5)
      fprintf(stderr, "  %s[%zu]: %.17g vs R %.17g\n", what, i, a, b);
  }
  return bad;
}

#endif
