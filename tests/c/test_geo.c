/*
** test_geo.c: boundaries core: GeoJSON reading (Polygon, MultiPolygon,
** holes, bad files with clear errors), projections of known points,
** simplification and quantised SVG paths (closed rings, one path per area,
** collapsed areas, culling), coverage of a join by code.
** Run from the repository root (fixtures in tests/fixtures/geo).
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "cni_geo.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

#define FX "tests/fixtures/geo/"

/* {===== helpers */

static cni_shapes *read_fx(const char *name, cni_err *e) {
  char path[256];
  snprintf(path, sizeof path, FX "%s", name);
  return cni_geojson_read(path, NULL, e);
}

/* Parses SVG path data written by cni_geo_path ("M x y l dx dy ... z m dx
** dy l ... z", integers) into absolute points; ring_starts[k] is the index
** of the first point of subpath k. Returns the number of points, -1 if the
** syntax is unexpected. */
static int parse_path(const char *d, long *pts, int maxpts, int *ring_starts, int *nrings) {
  int n = 0, nr = 0;
  long cx = 0, cy = 0, sx = 0, sy = 0;
  const char *p = d;
  char cmd = 0;
  while (*p) {
    if (*p == 'M' || *p == 'm' || *p == 'l' || *p == 'z' || *p == 'h' || *p == 'v') {
      cmd = *p++;
      if (cmd == 'z') { cx = sx; cy = sy; continue; }
      if (cmd == 'h' || cmd == 'v') {
        long v = strtol(p, (char **)&p, 10);
        if (cmd == 'h') cx += v; else cy += v;
        if (n >= maxpts) return -1;
        pts[2 * n] = cx; pts[2 * n + 1] = cy; n++;
        continue;
      }
    }
    if (*p == ' ') { p++; continue; }
    char *end;
    long x = strtol(p, &end, 10);
    if (end == p) return -1;
    p = end;
    while (*p == ' ') p++;
    long y = strtol(p, &end, 10);
    if (end == p) return -1;
    p = end;
    if (cmd == 'M') { cx = x; cy = y; sx = cx; sy = cy; ring_starts[nr++] = n; cmd = 'l'; }
    else if (cmd == 'm') { cx += x; cy += y; sx = cx; sy = cy; ring_starts[nr++] = n; cmd = 'l'; }
    else if (cmd == 'l') { cx += x; cy += y; }
    else return -1;
    if (n >= maxpts) return -1;
    pts[2 * n] = cx; pts[2 * n + 1] = cy; n++;
  }
  *nrings = nr;
  return n;
}

static int count_char(const char *s, char c) {
  int k = 0;
  for (; *s; s++) k += *s == c;
  return k;
}

/* }===== */

static void test_read_areas(void) {
  cni_err e;
  cni_shapes *s = read_fx("areas.geojson", &e);
  CHECK(s != NULL);
  if (!s) { fprintf(stderr, "%s\n", e.msg); return; }
  CHECK_EQ_INT(s->n, 6);
  CHECK_EQ_INT(s->nparts, 7);        /* A04 is a MultiPolygon of 2 */
  CHECK_EQ_INT(s->nrings, 8);        /* A02 and A04 have 2 rings */
  CHECK_EQ_INT(s->npts, 33);         /* closing points are not stored */
  CHECK_EQ_INT(s->nskipped, 0);
  CHECK_EQ_STR(cni_shape_code(s, 0), "A01");
  CHECK_EQ_STR(cni_shape_name(s, 4), "Epsilon & Co <3>");
  CHECK_EQ_INT(cni_shapes_find(s, "A04", 3), 3);
  CHECK_EQ_INT(cni_shapes_find(s, "A4", 2), -1);
  CHECK_EQ_INT(cni_shapes_find(s, "A0", 2), -1);
  /* A02: one polygon, outer ring and one hole */
  CHECK_EQ_INT(s->part_off[2] - s->part_off[1], 1);
  size_t p = s->part_off[1];
  CHECK_EQ_INT(s->ring_off[p + 1] - s->ring_off[p], 2);
  size_t hole = s->ring_off[p] + 1;
  CHECK_EQ_INT(s->pt_off[hole + 1] - s->pt_off[hole], 4);
  CHECK_NEAR(s->xy[2 * s->pt_off[hole]], -1.35, 0);
  CHECK_NEAR(s->xy[2 * s->pt_off[hole] + 1], 52.65, 0);
  /* A04: two polygons; box over both */
  CHECK_EQ_INT(s->part_off[4] - s->part_off[3], 2);
  const double *bb = s->bbox + 4 * 3;
  CHECK_NEAR(bb[0], -1.6, 0);
  CHECK_NEAR(bb[1], 52.8, 0);
  CHECK_NEAR(bb[2], -0.95, 0);
  CHECK_NEAR(bb[3], 53.0, 0);
  CHECK_NEAR(s->all_bbox[0], -1.6, 0);
  CHECK_NEAR(s->all_bbox[3], 53.0, 0);
  cni_shapes_free(s);
}

static void test_parse_inline(void) {
  const char *js =
    "{\"type\":\"FeatureCollection\",\"features\":["
    "{\"type\":\"Feature\",\"properties\":{\"id\":7,\"label\":\"Seven\"},"
    " \"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[0,50],[1,50],[1,51],[0,51]]]}},"
    "{\"type\":\"Feature\",\"properties\":{\"id\":\"x8\"},"
    " \"geometry\":{\"type\":\"MultiPolygon\",\"coordinates\":[[[[2,50,10],[3,50,10],[3,51,10],[2,50,10]]],"
    "   [[[4,50],[5,50],[5,51],[4,50]],[[4.2,50.1],[4.8,50.1],[4.7,50.5],[4.2,50.1]]]]}}]}";
  cni_geojson_opts o;
  cni_geojson_opts_init(&o);
  o.code_prop = "id";
  o.name_prop = "label";
  cni_err e;
  cni_shapes *s = cni_geojson_parse(js, strlen(js), "(inline)", &o, &e);
  CHECK(s != NULL);
  if (!s) { fprintf(stderr, "%s\n", e.msg); return; }
  CHECK_EQ_INT(s->n, 2);
  CHECK_EQ_STR(cni_shape_code(s, 0), "7");        /* numeric code as text */
  CHECK_EQ_STR(cni_shape_name(s, 0), "Seven");
  CHECK_EQ_STR(cni_shape_name(s, 1), "");         /* no name */
  CHECK_EQ_INT(s->npts, 4 + 3 + 3 + 3);           /* an unclosed ring keeps all points */
  CHECK_EQ_INT(s->nparts, 3);
  CHECK_EQ_INT(s->nrings, 4);
  cni_shapes_free(s);
}

static void expect_error(const char *file, const cni_geojson_opts *o, int code, const char *a,
                         const char *b) {
  cni_err e;
  char path[256];
  snprintf(path, sizeof path, FX "%s", file);
  cni_shapes *s = cni_geojson_read(path, o, &e);
  CHECK(s == NULL);
  cni_shapes_free(s);
  CHECK_EQ_INT(e.code, code);
  CHECK_HAS_STR(e.msg, file);
  if (a) CHECK_HAS_STR(e.msg, a);
  if (b) CHECK_HAS_STR(e.msg, b);
}

static void test_bad_files(void) {
  expect_error("bad_syntax.geojson", NULL, CNI_EPARSE, "bad_syntax.geojson:4:4", "invalid JSON");
  {
    cni_err e;
    cni_shapes *s = read_fx("bad_syntax.geojson", &e);
    CHECK(s == NULL);
    CHECK_EQ_INT(e.row, 4);
    CHECK_EQ_INT(e.col, 4);
  }
  expect_error("bad_point.geojson", NULL, CNI_EPARSE, "feature 2 (code 'P02')",
               "geometry type 'Point' is not Polygon or MultiPolygon");
  expect_error("bad_ring.geojson", NULL, CNI_EPARSE, "polygon 2, ring 1 has only 3 positions",
               "at least 4");
  expect_error("bad_coord.geojson", NULL, CNI_EPARSE, "position 2 has a non-numeric coordinate",
               "feature 1 (code 'C01')");
  expect_error("bad_bng.geojson", NULL, CNI_EPARSE, "not in longitude/latitude",
               "ogr2ogr -t_srs EPSG:4326");
  expect_error("bad_bng.geojson", NULL, CNI_EPARSE, "British National Grid", "(532105, 182011)");
  expect_error("bad_notfc.geojson", NULL, CNI_EPARSE, "expected a GeoJSON FeatureCollection",
               "got type 'Feature'");
  expect_error("dup_code.geojson", NULL, CNI_EKEY, "duplicate code 'D01'", "areas 1 and 3");
  expect_error("custom_props.geojson", NULL, CNI_EPARSE, "feature 1: missing properties.code",
               "LSOA11CD, LSOA11NM");
  expect_error("no_such_file.geojson", NULL, CNI_EIO, "no_such_file", NULL);
  /* the code property is configurable */
  cni_geojson_opts o;
  cni_geojson_opts_init(&o);
  o.code_prop = "LSOA11CD";
  o.name_prop = "LSOA11NM";
  cni_err e;
  cni_shapes *s = cni_geojson_read(FX "custom_props.geojson", &o, &e);
  CHECK(s != NULL);
  if (s) {
    CHECK_EQ_STR(cni_shape_code(s, 0), "E01000001");
    CHECK_EQ_STR(cni_shape_name(s, 0), "City of London 001A");
    CHECK_EQ_STR(cni_shape_code(s, 1), "1002");
    CHECK_EQ_STR(cni_shape_name(s, 1), "");       /* null name */
    cni_shapes_free(s);
  }
  /* a limit on the file size */
  o.max_bytes = 100;
  s = cni_geojson_read(FX "custom_props.geojson", &o, &e);
  CHECK(s == NULL);
  CHECK_EQ_INT(e.code, CNI_ELIMIT);
  /* null geometries are skipped and counted */
  s = read_fx("null_geometry.geojson", &e);
  CHECK(s != NULL);
  if (s) {
    CHECK_EQ_INT(s->n, 1);
    CHECK_EQ_INT(s->nskipped, 1);
    cni_shapes_free(s);
  }
  /* inline oddities */
  const char *cases[][2] = {
    {"[1,2]", "expected a GeoJSON FeatureCollection (an object), got an array"},
    {"{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":null,"
     "\"geometry\":null}]}", "has no 'properties' object"},
    {"{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":{\"code\":\"\"},"
     "\"geometry\":null}]}", "properties.code is empty"},
    {"{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":{\"code\":[1]},"
     "\"geometry\":null}]}", "properties.code is an array, not a string or number"},
    {"{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":{\"code\":\"Q\"},"
     "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[1],[0,0]]]}}]}",
     "position 3 has fewer than 2 coordinates"},
    {"{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":{\"code\":\"Q\"},"
     "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[1,1],[0,0]]]}}", "(unexpected end of input)"},
    {"{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":{\"code\":\"Q\"},"
     "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[]}}]}", "polygon 1 has no rings"},
    {"{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":{\"code\":\"Q\"},"
     "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[1,95],[0,0]]]}}]}",
     "outside the longitude/latitude range"},
  };
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    s = cni_geojson_parse(cases[k][0], strlen(cases[k][0]), "(t)", NULL, &e);
    CHECK(s == NULL);
    cni_shapes_free(s);
    CHECK_HAS_STR(e.msg, cases[k][1]);
  }
}

/* Features are parsed one at a time after a structural scan; odd but valid
** layouts and errors between features behave as a whole parse would. */
static void test_scan(void) {
  cni_err e;
  const char *ok1 =
    "{\"features\": [ {\"type\":\"Feature\",\"properties\":{\"code\":\"a]}\\\"[{\",\"name\":\"x\\\\\"},"
    "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[0,50],[1,50],[1,51],[0,50]]]}} ,\n"
    " {\"type\":\"Feature\",\"properties\":{\"code\":\"b\"},\"geometry\":null} ],"
    " \"crs\": {\"type\": \"name\", \"properties\": {\"name\": \"urn:ogc:def:crs:OGC:1.3:CRS84\"}},"
    " \"type\": \"FeatureCollection\"}";
  cni_shapes *s = cni_geojson_parse(ok1, strlen(ok1), "(t)", NULL, &e);
  CHECK(s != NULL);
  if (s) {
    CHECK_EQ_INT(s->n, 1);
    CHECK_EQ_STR(cni_shape_code(s, 0), "a]}\"[{");
    CHECK_EQ_STR(cni_shape_name(s, 0), "x\\");
    CHECK_EQ_INT(s->nskipped, 1);
    cni_shapes_free(s);
  }
  const char *empty = "{\"type\":\"FeatureCollection\",\"features\":[ ]}";
  s = cni_geojson_parse(empty, strlen(empty), "(t)", NULL, &e);
  CHECK(s != NULL);
  if (s) { CHECK_EQ_INT(s->n, 0); cni_shapes_free(s); }
  const char *bad[][2] = {
    /* trailing comma */
    {"{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":"
     "{\"code\":\"b\"},\"geometry\":null},\n]}", "(t):2:1: invalid JSON"},
    /* missing comma between features */
    {"{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":"
     "{\"code\":\"b\"},\"geometry\":null}\n {\"type\":\"Feature\"}]}", "(t):2:2: invalid JSON"},
    /* a syntax error inside the second feature */
    {"{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":"
     "{\"code\":\"b\"},\"geometry\":null},\n{\"type\":\"Feature\",\"properties\":{\"code\" \"c\"}}]}",
     "(t):2:40: invalid JSON"},
    /* an error after the features */
    {"{\"type\":\"FeatureCollection\",\"features\":[],\n\"x\":tru}", "(t):2:5: invalid JSON"},
    /* features that are not an array */
    {"{\"type\":\"FeatureCollection\",\"features\":{}}", "no \"type\": \"FeatureCollection\" with a \"features\" array"},
    /* an unterminated feature */
    {"{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\"", "(unexpected end of input)"},
    /* the wrong type, after valid features */
    {"{\"features\":[{\"type\":\"Feature\",\"properties\":{\"code\":\"b\"},\"geometry\":null}],"
     "\"type\":\"Topology\"}", "got type 'Topology'"},
  };
  for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
    s = cni_geojson_parse(bad[k][0], strlen(bad[k][0]), "(t)", NULL, &e);
    CHECK(s == NULL);
    cni_shapes_free(s);
    CHECK_HAS_STR(e.msg, bad[k][1]);
  }
}

static void test_projection(void) {
  /* OS guide, Annex C worked example (OSGB36 latitude/longitude) */
  double lat = 52.0 + 39.0 / 60.0 + 27.2531 / 3600.0, lon = 1.0 + 43.0 / 60.0 + 4.5177 / 3600.0;
  double e, n;
  cni_bng_tm(lat, lon, &e, &n);
  CHECK(fabs(e - 651409.903) < 0.001);
  CHECK(fabs(n - 313177.270) < 0.001);
  /* WGS84 -> National Grid (Helmert + TM); references from PROJ (cs2cs,
  ** +towgs84=446.448,-125.157,542.06,0.1502,0.2470,0.8421,-20.4894) */
  static const double ref[][4] = {
    {-0.1276, 51.5072, 530043.1979, 180358.2087},   /* London */
    {-1.5491, 53.8008, 429795.5698, 433927.3184},   /* Leeds */
    {-2.2426, 53.4808, 383997.4369, 398258.3160},   /* Manchester */
    {1.2974, 52.6309, 623243.5637, 308787.5344},    /* Norwich */
    {-5.7150, 50.0657, 134240.8298, 25011.4616},    /* Land's End */
    {-3.0409, 53.7791, 331505.4282, 431921.7156},   /* Blackpool */
  };
  cni_proj bng = {CNI_PROJ_BNG, 0};
  for (size_t k = 0; k < sizeof ref / sizeof ref[0]; k++) {
    double x, y;
    cni_proj_apply(&bng, ref[k][0], ref[k][1], &x, &y);
    CHECK(fabs(x - ref[k][2]) < 0.01);
    CHECK(fabs(y - ref[k][3]) < 0.01);
    if (fabs(x - ref[k][2]) >= 0.01 || fabs(y - ref[k][3]) >= 0.01)
      fprintf(stderr, "  point %zu: %.4f %.4f vs %.4f %.4f\n", k, x, y, ref[k][2], ref[k][3]);
  }
  /* equirectangular: x = R lon cos(lat0), y = R lat (radians) */
  cni_proj eq = {CNI_PROJ_EQUIRECT, 60.0};
  double x, y;
  cni_proj_apply(&eq, 1.0, 0.0, &x, &y);
  CHECK_NEAR(x, 6371008.8 * M_PI / 180.0 * 0.5, 1e-12);
  CHECK_NEAR(y, 0.0, 0);
  cni_proj_apply(&eq, 0.0, -45.0, &x, &y);
  CHECK_NEAR(y, -6371008.8 * M_PI / 4.0, 1e-12);
}

/* A GeoJSON ring approximating a circle of nseg segments (closed). */
static char *circle_geojson(int nseg, double cx, double cy, double r) {
  size_t cap = (size_t)nseg * 48 + 256;
  char *buf = malloc(cap);
  size_t len = (size_t)snprintf(buf, cap, "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":"
    "\"Feature\",\"properties\":{\"code\":\"C\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[");
  for (int k = 0; k <= nseg; k++) {
    double a = 2 * M_PI * (k % nseg) / nseg;
    len += (size_t)snprintf(buf + len, cap - len, "%s[%.8f,%.8f]", k ? "," : "",
                            cx + r * cos(a) / cos(cy * M_PI / 180), cy + r * sin(a));
  }
  snprintf(buf + len, cap - len, "]]}}]}");
  return buf;
}

static void test_project_many(void) {
  /* the grid-interpolated datum shift used for many points agrees with the
  ** exact per-point transform */
  char *js = circle_geojson(3000, -1.5, 53.0, 1.2);
  cni_err e;
  cni_shapes *s = cni_geojson_parse(js, strlen(js), "(circle)", NULL, &e);
  free(js);
  CHECK(s != NULL);
  if (!s) return;
  CHECK_EQ_INT(s->npts, 3000);
  cni_proj bng = {CNI_PROJ_BNG, 0};
  CHECK_EQ_INT(cni_shapes_project(s, &bng, &e), CNI_OK);
  double worst = 0;
  for (size_t k = 0; k < s->npts; k++) {
    double x, y;
    cni_proj_apply(&bng, s->xy[2 * k], s->xy[2 * k + 1], &x, &y);
    double d = fabs(x - s->pxy[2 * k]) + fabs(y - s->pxy[2 * k + 1]);
    if (d > worst) worst = d;
  }
  CHECK(worst < 0.01);
  /* equirectangular on many points: the same as one by one */
  cni_proj eq = {CNI_PROJ_EQUIRECT, 52.5};
  CHECK_EQ_INT(cni_shapes_project(s, &eq, &e), CNI_OK);
  double x, y;
  cni_proj_apply(&eq, s->xy[0], s->xy[1], &x, &y);
  CHECK_NEAR(s->pxy[0], x, 1e-12);
  CHECK_NEAR(s->pxy[1], y, 1e-12);

  /* simplification: fewer points, closed, vertices taken from the ring,
  ** every original point within tolerance + rounding of the result */
  double box[4];
  CHECK(cni_shapes_extent(s, NULL, 0, box));
  cni_svgview v = {box[0], box[3], 500.0 / (box[2] - box[0]), 0.5, 0, 0};
  cni_pathbuf pb;
  cni_pathbuf_init(&pb);
  size_t np;
  CHECK_EQ_INT(cni_geo_path(s, 0, &v, &pb, &np), 1);
  CHECK(np >= 3 && np < 3000 / 5);
  CHECK(pb.s[0] == 'M');
  CHECK(pb.s[pb.len - 1] == 'z');
  CHECK_EQ_INT(count_char(pb.s, 'z'), 1);
  long *pts = malloc(2 * 4000 * sizeof *pts);
  int starts[8], nr = 0;
  int m = parse_path(pb.s, pts, 4000, starts, &nr);
  CHECK_EQ_INT(m, (long long)np);
  CHECK_EQ_INT(nr, 1);
  /* first point: the ring's first point, quantised */
  CHECK_EQ_INT(pts[0], lround((s->pxy[0] - v.x0) * v.scale));
  CHECK_EQ_INT(pts[1], lround((v.y1 - s->pxy[1]) * v.scale));
  double worst2 = 0;
  for (size_t k = 0; k < s->npts; k++) {
    double px = (s->pxy[2 * k] - v.x0) * v.scale, py = (v.y1 - s->pxy[2 * k + 1]) * v.scale;
    double best = INFINITY;
    for (int j = 0; j < m; j++) {
      int j2 = (j + 1) % m;
      double ax = (double)pts[2 * j], ay = (double)pts[2 * j + 1];
      double bx = (double)pts[2 * j2], by = (double)pts[2 * j2 + 1];
      double dx = bx - ax, dy = by - ay, l2 = dx * dx + dy * dy;
      double t = l2 > 0 ? ((px - ax) * dx + (py - ay) * dy) / l2 : 0;
      if (t < 0) t = 0;
      if (t > 1) t = 1;
      double ex = ax + t * dx - px, ey = ay + t * dy - py;
      double d = sqrt(ex * ex + ey * ey);
      if (d < best) best = d;
    }
    if (best > worst2) worst2 = best;
  }
  CHECK(worst2 <= 0.5 + 0.75);
  /* no simplification: every distinct quantised point stays */
  v.tol = 0;
  v.scale = 10000.0 / (box[2] - box[0]);
  pb.len = 0;
  CHECK_EQ_INT(cni_geo_path(s, 0, &v, &pb, &np), 1);
  CHECK_EQ_INT(np, 3000);
  free(pts);
  cni_pathbuf_free(&pb);
  cni_shapes_free(s);
}

static void test_paths(void) {
  cni_err e;
  cni_shapes *s = read_fx("areas.geojson", &e);
  CHECK(s != NULL);
  if (!s) return;
  cni_proj bng = {CNI_PROJ_BNG, 0};
  CHECK_EQ_INT(cni_shapes_project(s, &bng, &e), CNI_OK);
  double box[4];
  CHECK(cni_shapes_extent(s, NULL, 0, box));
  CHECK(box[0] > 400000 && box[2] < 480000 && box[1] > 300000 && box[3] < 360000);
  double w = 400, h = 400 * (box[3] - box[1]) / (box[2] - box[0]);
  cni_svgview v = {box[0], box[3], w / (box[2] - box[0]), 0.5, w, h};
  cni_pathbuf pb;
  cni_pathbuf_init(&pb);
  /* one path per area, one subpath per surviving ring */
  static const int subpaths[6] = {1, 2, 1, 2, 1, 1};
  for (size_t i = 0; i < s->n; i++) {
    pb.len = 0;
    size_t np;
    CHECK_EQ_INT(cni_geo_path(s, i, &v, &pb, &np), 1);
    CHECK(pb.len > 0 && pb.s[0] == 'M');
    CHECK_EQ_INT(count_char(pb.s, 'M'), 1);
    CHECK_EQ_INT(count_char(pb.s, 'z'), subpaths[i]);
    CHECK(pb.s[pb.len - 1] == 'z');
    CHECK(strlen(pb.s) == pb.len);
  }
  /* the hole of A02 lies inside its outer ring */
  pb.len = 0;
  cni_geo_path(s, 1, &v, &pb, NULL);
  long pts[64];
  int starts[4], nr;
  int m = parse_path(pb.s, pts, 32, starts, &nr);
  CHECK_EQ_INT(nr, 2);
  CHECK_EQ_INT(m, 8);
  long minx = 1 << 30, maxx = -(1 << 30);
  for (int k = 0; k < starts[1]; k++) {
    if (pts[2 * k] < minx) minx = pts[2 * k];
    if (pts[2 * k] > maxx) maxx = pts[2 * k];
  }
  for (int k = starts[1]; k < m; k++) CHECK(pts[2 * k] > minx && pts[2 * k] < maxx);
  /* at a tiny scale every ring collapses: still one path, a unit square */
  cni_svgview tiny = {box[0], box[3], 0.2 / (box[2] - box[0]), 0.5, 0, 0};
  for (size_t i = 0; i < s->n; i++) {
    pb.len = 0;
    CHECK_EQ_INT(cni_geo_path(s, i, &tiny, &pb, NULL), 1);
    CHECK_HAS_STR(pb.s, "h1v1h-1z");
  }
  /* culling: a view to the east of everything draws nothing */
  cni_svgview east = {box[2] + 10000, box[3], v.scale, 0.5, w, h};
  pb.len = 0;
  CHECK_EQ_INT(cni_geo_path(s, 0, &east, &pb, NULL), 0);
  CHECK_EQ_INT(pb.len, 0);
  /* extent of a selection and counting areas in a box */
  size_t idx[2] = {3, 4};    /* A04 (with its far island) and A05 */
  double sb[4];
  CHECK(cni_shapes_extent(s, idx, 2, sb));
  CHECK_NEAR(sb[2], box[2], 1e-9);
  CHECK(sb[1] > box[1]);
  CHECK_EQ_INT(cni_shapes_count_in(s, box), 6);
  double left[4] = {box[0] - 1000, box[1], box[0] - 10, box[3]};
  CHECK_EQ_INT(cni_shapes_count_in(s, left), 0);
  cni_pathbuf_free(&pb);
  cni_shapes_free(s);
}

static void test_coverage(void) {
  cni_err e;
  cni_shapes *s = read_fx("areas.geojson", &e);
  CHECK(s != NULL);
  if (!s) return;
  const char *keys[] = {"A01", "A02", "X99", NULL, "A05", "A03", "A04"};
  size_t lens[7];
  for (int k = 0; k < 7; k++) lens[k] = keys[k] ? strlen(keys[k]) : 0;
  cni_geo_coverage cov;
  CHECK_EQ_INT(cni_geo_coverage_compute(s, keys, lens, 7, &cov, &e), CNI_OK);
  CHECK_EQ_INT(cov.matched, 5);
  CHECK_EQ_INT(cov.n_no_shape, 2);
  CHECK_EQ_INT(cov.no_shape[0], 2);     /* X99 */
  CHECK_EQ_INT(cov.no_shape[1], 3);     /* missing key */
  CHECK_EQ_INT(cov.n_no_area, 1);
  CHECK_EQ_STR(cni_shape_code(s, cov.no_area[0]), "A06");
  cni_geo_coverage_free(&cov);
  cni_shapes_free(s);
}

int main(int argc, char **argv) {
  (void)argc;
  (void)argv;
  test_read_areas();
  test_parse_inline();
  test_bad_files();
  test_scan();
  test_projection();
  test_project_many();
  test_paths();
  test_coverage();
  return CHECK_DONE();
}
