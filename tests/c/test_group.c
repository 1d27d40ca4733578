/*
** test_group.c: unit tests of src/cni_group.c against R references
** (tests/r/group_corr_ref.R writes tests/fixtures/r/gc_*.csv).
** Usage: test_group FIXTURE_DIR
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "cni.h"
#include "cni_group.h"

#include "fixture.h"

static const struct {
  cni_agg_kind kind;
  const char *col;
  double tol;
} AGGS[] = {
  {CNI_AGG_COUNT, "count", 0},   {CNI_AGG_SUM, "sum", 1e-12},
  {CNI_AGG_MEAN, "mean", 1e-12}, {CNI_AGG_WMEAN, "wmean", 1e-12},
  {CNI_AGG_MEDIAN, "median", 0}, {CNI_AGG_MIN, "min", 0},
  {CNI_AGG_MAX, "max", 0},       {CNI_AGG_SHARE, "share", 0},
  {CNI_AGG_WSHARE, "wshare", 1e-12},
};

static void test_agg_fixture(const char *dir, const char *in, const char *refname) {
  tbl t, r;
  double *x, *w, *flag, *out;
  size_t *gid, ng;
  cni_err err;
  if (!tbl_read(&t, dir, in) || !tbl_read(&r, dir, refname)) { CHECK(0); return; }
  x = tbl_num(&t, "x");
  w = tbl_num(&t, "w");
  flag = tbl_num(&t, "flag");
  gid = tbl_gid(&t, "gid");
  ng = r.nrow;
  out = malloc(ng * sizeof *out);
  for (size_t a = 0; a < sizeof AGGS / sizeof AGGS[0]; a++) {
    const double *src = (AGGS[a].kind == CNI_AGG_SHARE || AGGS[a].kind == CNI_AGG_WSHARE)
                        ? flag : x;
    double *ref = tbl_num(&r, AGGS[a].col);
    int rc;
    cni_err_clear(&err);
    rc = cni_group_agg(src, w, gid, t.nrow, ng, AGGS[a].kind, out, &err);
    CHECK_EQ_INT(rc, CNI_OK);
    if (mismatches(AGGS[a].col, out, ref, ng, AGGS[a].tol) != 0) {
      fprintf(stderr, "%s: %s differs from R\n", in, AGGS[a].col);
      CHECK(0);
    } else CHECK(1);
    free(ref);
  }
  free(x); free(w); free(flag); free(gid); free(out);
  tbl_done(&t);
  tbl_done(&r);
}

static void test_agg_edges(void) {
  cni_err err;
  double out[4];
  const double x[] = {1, NAN, 3, 4, -0.0};
  const double w[] = {1, 1, NAN, -2, 0};
  const size_t gid[] = {0, 0, 1, CNI_GROUP_NONE, 2};
  const size_t badgid[] = {0, 7};
  /* n = 0: counts 0, everything else NaN */
  CHECK_EQ_INT(cni_group_agg(NULL, NULL, NULL, 0, 1, CNI_AGG_COUNT, out, &err), CNI_OK);
  CHECK_EQ_INT(out[0], 0);
  CHECK_EQ_INT(cni_group_agg(NULL, NULL, NULL, 0, 1, CNI_AGG_MEDIAN, out, &err), CNI_OK);
  CHECK(isnan(out[0]));
  CHECK_EQ_INT(cni_group_agg(NULL, NULL, NULL, 0, 1, CNI_AGG_WMEAN, out, &err), CNI_OK);
  CHECK(isnan(out[0]));
  CHECK_EQ_INT(cni_group_agg(NULL, NULL, NULL, 0, 0, CNI_AGG_SUM, NULL, &err), CNI_OK);
  /* gid NULL: one group */
  CHECK_EQ_INT(cni_group_agg(x, NULL, NULL, 5, 1, CNI_AGG_SUM, out, &err), CNI_OK);
  CHECK_NEAR(out[0], 8.0, 0);
  CHECK_EQ_INT(cni_group_agg(x, NULL, NULL, 5, 1, CNI_AGG_MEDIAN, out, &err), CNI_OK);
  CHECK_NEAR(out[0], 2.0, 0);
  CHECK_EQ_INT(cni_group_agg(x, NULL, NULL, 5, 2, CNI_AGG_SUM, out, &err), CNI_EARG);
  /* n = 1, 2 and the NaN / weight policy */
  CHECK_EQ_INT(cni_group_agg(x, w, gid, 5, 4, CNI_AGG_WMEAN, out, &err), CNI_OK);
  CHECK_NEAR(out[0], 1.0, 0);      /* NaN x dropped, weight 1 */
  CHECK(isnan(out[1]));            /* NaN weight dropped -> empty */
  CHECK(isnan(out[2]));            /* zero total weight */
  CHECK(isnan(out[3]));            /* empty group */
  CHECK_EQ_INT(cni_group_agg(x, w, gid, 5, 4, CNI_AGG_WSHARE, out, &err), CNI_OK);
  CHECK_NEAR(out[0], 1.0, 0);
  CHECK_EQ_INT(cni_group_agg(x, NULL, gid, 5, 4, CNI_AGG_SHARE, out, &err), CNI_OK);
  CHECK_NEAR(out[2], 0.0, 0);      /* -0 is not flagged */
  CHECK_EQ_INT(cni_group_agg(x, NULL, gid, 5, 4, CNI_AGG_COUNT, out, &err), CNI_OK);
  CHECK_EQ_INT(out[0], 1);
  CHECK_EQ_INT(out[3], 0);
  CHECK_EQ_INT(cni_group_agg(x, NULL, gid, 2, 4, CNI_AGG_MIN, out, &err), CNI_OK);
  CHECK_NEAR(out[0], 1.0, 0);
  {
    const double big[] = {1e308, 1.7e308};
    const size_t g0[] = {0, 0};
    CHECK_EQ_INT(cni_group_agg(big, NULL, g0, 2, 1, CNI_AGG_MEDIAN, out, &err), CNI_OK);
    CHECK_NEAR(out[0], 1.35e308, 1e-15); /* no overflow in the midpoint */
  }
  /* errors */
  cni_err_clear(&err);
  CHECK_EQ_INT(cni_group_agg(x, NULL, badgid, 2, 4, CNI_AGG_SUM, out, &err), CNI_EARG);
  CHECK_EQ_INT(err.row, 2);
  CHECK_HAS_STR(err.msg, "group id 7");
  CHECK_EQ_INT(cni_group_agg(x, NULL, gid, 5, 4, CNI_AGG_WMEAN, out, &err), CNI_EARG);
  CHECK_EQ_INT(cni_group_agg(x, NULL, gid, 5, 4, (cni_agg_kind)99, out, &err), CNI_EARG);
  CHECK_EQ_INT(cni_group_agg(NULL, NULL, gid, 5, 4, CNI_AGG_SUM, out, &err), CNI_EARG);
  CHECK_EQ_INT(cni_group_agg(x, NULL, gid, 5, 4, CNI_AGG_SUM, NULL, &err), CNI_EARG);
}

static void test_imd_fixture(const char *dir) {
  static const struct {
    cni_imd_measure m;
    const char *col;
    double tol;
  } MS[] = {
    {CNI_IMD_AVG_SCORE, "avg_score", 1e-12}, {CNI_IMD_AVG_RANK, "avg_rank", 1e-12},
    {CNI_IMD_EXTENT, "extent", 1e-12},       {CNI_IMD_LOCAL_CONC, "local_conc", 1e-12},
    {CNI_IMD_PROP_D1, "prop_d1", 0},
  };
  tbl t, r;
  double *score, *rank, *pop, *out;
  size_t *gid, ng;
  cni_err err;
  if (!tbl_read(&t, dir, "gc_imd_in.csv") || !tbl_read(&r, dir, "gc_imd_ref.csv")) {
    CHECK(0);
    return;
  }
  score = tbl_num(&t, "score");
  rank = tbl_num(&t, "rank");
  pop = tbl_num(&t, "pop");
  gid = tbl_gid(&t, "gid");
  ng = r.nrow;
  out = malloc(ng * sizeof *out);
  for (size_t a = 0; a < sizeof MS / sizeof MS[0]; a++) {
    double *ref = tbl_num(&r, MS[a].col);
    /* the fixture's rows are the whole national set: N = number of rows */
    int rc = cni_group_imd(score, rank, pop, gid, t.nrow, ng, (double)t.nrow,
                           MS[a].m, out, &err);
    CHECK_EQ_INT(rc, CNI_OK);
    if (mismatches(MS[a].col, out, ref, ng, MS[a].tol) != 0) {
      fprintf(stderr, "gc_imd: %s differs from R\n", MS[a].col);
      CHECK(0);
    } else CHECK(1);
    free(ref);
  }
  free(score); free(rank); free(pop); free(gid); free(out);
  tbl_done(&t);
  tbl_done(&r);
}

static void test_imd_edges(void) {
  cni_err err;
  double out[3];
  /* N = 100; group 0: ranks 1, 2, 3 with pop 5, 10, 85 -> T = 10:
     5 people at r' = 100, 5 at r' = 99 -> local concentration 99.5 */
  const double rank[] = {3, 1, 2, 50, NAN};
  const double pop[] = {85, 5, 10, 7, 1};
  const double score[] = {1, 2, 3, 4, 5};
  const size_t gid[] = {0, 0, 0, 1, 1};
  CHECK_EQ_INT(cni_group_imd(NULL, rank, pop, gid, 5, 3, 100, CNI_IMD_LOCAL_CONC, out, &err),
               CNI_OK);
  CHECK_NEAR(out[0], 99.5, 1e-15);
  CHECK_NEAR(out[1], 51.0, 1e-15);
  CHECK(isnan(out[2]));
  CHECK_EQ_INT(cni_group_imd(NULL, rank, pop, gid, 5, 3, 100, CNI_IMD_AVG_RANK, out, &err),
               CNI_OK);
  CHECK_NEAR(out[0], (85 * 98.0 + 5 * 100.0 + 10 * 99.0) / 100.0, 1e-15);
  CHECK_NEAR(out[1], 51.0, 1e-15); /* NaN rank row skipped */
  CHECK_EQ_INT(cni_group_imd(score, NULL, pop, gid, 5, 3, 100, CNI_IMD_AVG_SCORE, out, &err),
               CNI_OK);
  CHECK_NEAR(out[1], (4 * 7.0 + 5 * 1.0) / 8.0, 1e-15);
  CHECK_EQ_INT(cni_group_imd(NULL, rank, NULL, gid, 5, 3, 100, CNI_IMD_EXTENT, out, &err),
               CNI_OK);
  CHECK_NEAR(out[0], 1.0, 0);
  CHECK_NEAR(out[1], 0.0, 0);
  CHECK_EQ_INT(cni_group_imd(NULL, rank, NULL, gid, 5, 3, 100, CNI_IMD_PROP_D1, out, &err),
               CNI_OK);
  CHECK_NEAR(out[0], 1.0, 0);
  CHECK_NEAR(out[1], 0.0, 0);
  /* percentiles and deciles are exact at the boundaries */
  CHECK_EQ_INT(cni_imd_percentile(3284, 32844, 10), 1);
  CHECK_EQ_INT(cni_imd_percentile(3285, 32844, 10), 2);
  CHECK_EQ_INT(cni_imd_percentile(8211, 32844, 100), 25);
  CHECK_EQ_INT(cni_imd_percentile(8212, 32844, 100), 26);
  CHECK_EQ_INT(cni_imd_percentile(1, 32844, 100), 1);
  CHECK_EQ_INT(cni_imd_percentile(32844, 32844, 100), 100);
  CHECK_EQ_INT(cni_imd_percentile(10, 100, 100), 10);
  CHECK_NEAR(cni_imd_extent_weight(10), 1.0, 0);
  CHECK_NEAR(cni_imd_extent_weight(11), 0.95, 1e-15);
  CHECK_NEAR(cni_imd_extent_weight(30), 0.05, 1e-15);
  CHECK_NEAR(cni_imd_extent_weight(31), 0.0, 0);
  /* errors */
  {
    const double badrank[] = {0.5};
    const size_t g0[] = {0};
    cni_err_clear(&err);
    CHECK_EQ_INT(cni_group_imd(NULL, badrank, NULL, g0, 1, 1, 100, CNI_IMD_EXTENT, out, &err),
                 CNI_EARG);
    CHECK_EQ_INT(err.row, 1);
    CHECK_EQ_INT(cni_group_imd(NULL, rank, NULL, gid, 5, 3, 0, CNI_IMD_EXTENT, out, &err),
                 CNI_EARG);
    CHECK_EQ_INT(cni_group_imd(NULL, rank, NULL, gid, 5, 3, 100, (cni_imd_measure)9, out, &err),
                 CNI_EARG);
    CHECK_EQ_INT(cni_group_imd(NULL, NULL, NULL, gid, 5, 3, 100, CNI_IMD_EXTENT, out, &err),
                 CNI_EARG);
    CHECK_EQ_INT(cni_group_imd(NULL, rank, NULL, gid, 5, 1, 100, CNI_IMD_EXTENT, out, &err),
                 CNI_EARG); /* gid 1 >= ngroups */
  }
  /* n = 0 */
  CHECK_EQ_INT(cni_group_imd(NULL, NULL, NULL, NULL, 0, 1, 100, CNI_IMD_LOCAL_CONC, out, &err),
               CNI_OK);
  CHECK(isnan(out[0]));
}

int main(int argc, char **argv) {
  const char *dir = argc > 1 ? argv[1] : "tests/fixtures/r";
  test_agg_fixture(dir, "gc_group_in.csv", "gc_group_ref.csv");
  test_agg_fixture(dir, "gc_group_big_in.csv", "gc_group_big_ref.csv");
  test_agg_edges();
  test_imd_fixture(dir);
  test_imd_edges();
  return CHECK_DONE();
}
