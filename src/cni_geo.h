/*
** cni_geo.h: area boundaries for maps: GeoJSON reading (cJSON), compact
** storage, projections (British National Grid, equirectangular), ring
** simplification and quantised SVG path strings.
** Layer: core. Never includes Lua headers.
**
** Storage. A cni_shapes holds n shapes (one per GeoJSON feature) in flat
** arrays: shape i has parts part_off[i] .. part_off[i+1]-1 (the polygons
** of a MultiPolygon; a Polygon has one part); part p has rings
** ring_off[p] .. ring_off[p+1]-1 (the first is the outer ring, the others
** holes); ring r has points pt_off[r] .. pt_off[r+1]-1, with longitude at
** xy[2k] and latitude at xy[2k+1]. The closing point of a ring (equal to
** its first) is not stored. Codes and names live in one string pool.
** The cJSON tree is freed as soon as the features have been copied.
*/
#ifndef CNI_GEO_H
#define CNI_GEO_H

#include <stddef.h>

#include "cni.h"

/* {===== projections */

typedef enum cni_proj_kind {
  CNI_PROJ_BNG = 0,      /* British National Grid (EPSG:27700): WGS84 ->
                            OSGB36 by the OS 7-parameter Helmert transform,
                            then the OS Transverse Mercator; metres */
  CNI_PROJ_EQUIRECT = 1  /* equirectangular: x = R lon cos(lat0), y = R lat
                            (radians, R = 6371008.8 m); metres */
} cni_proj_kind;

typedef struct cni_proj {
  cni_proj_kind kind;
  double lat0;           /* EQUIRECT: standard parallel, degrees */
} cni_proj;

/* Projects WGS84 (lon, lat) in degrees to (x, y) in metres, y northwards. */
void cni_proj_apply(const cni_proj *p, double lon, double lat, double *x, double *y);
/* The OS Transverse Mercator alone (National Grid parameters, Airy 1830):
** OSGB36 latitude/longitude in degrees -> easting/northing in metres. */
void cni_bng_tm(double lat, double lon, double *e, double *n);
/* WGS84 (ETRS89) -> OSGB36 latitude/longitude (degrees), height 0, by the
** OS Helmert transform (accurate to a few metres). */
void cni_wgs84_to_osgb36(double lat, double lon, double *lat2, double *lon2);

/* }===== */

/* {===== shapes */

typedef struct cni_shapes {
  size_t n;              /* shapes */
  size_t nparts, nrings, npts;
  size_t *code;          /* n: offset of the code in 'pool' */
  size_t *name;          /* n: offset of the name in 'pool' ("" if none) */
  char *pool;            /* NUL-terminated strings */
  size_t pool_len;
  size_t *part_off;      /* n + 1 */
  size_t *ring_off;      /* nparts + 1 */
  size_t *pt_off;        /* nrings + 1 */
  double *xy;            /* 2 * npts: lon, lat */
  double *bbox;          /* 4 * n: lon0, lat0, lon1, lat1 */
  double all_bbox[4];    /* of every shape (0s when n == 0) */
  size_t nskipped;       /* features with null geometry, not stored */
  /* code lookup (open addressing, slot = shape+1, 0 = empty) */
  size_t *slots;
  size_t nslots;
  /* projected coordinates, computed on demand (cni_shapes_project) */
  int proj_valid;
  cni_proj proj;
  double *pxy;           /* 2 * npts */
  double *pbox;          /* 4 * n: x0, y0, x1, y1 */
} cni_shapes;

typedef struct cni_geojson_opts {
  const char *code_prop;   /* property holding the area code ("code") */
  const char *name_prop;   /* property holding the name ("name"); optional */
  size_t max_bytes;        /* refuse larger files (0 = no limit) */
} cni_geojson_opts;

void cni_geojson_opts_init(cni_geojson_opts *o);

/* Reads a GeoJSON FeatureCollection of Polygon / MultiPolygon features in
** longitude/latitude. Errors (NULL returned, 'err' set) name the file and
** the line:column of a syntax error, or the feature (1-based) and what is
** wrong with it. Features with a null geometry are skipped and counted in
** 'nskipped'; a duplicate code is an error. */
cni_shapes *cni_geojson_read(const char *path, const cni_geojson_opts *o, cni_err *err);
/* The same from a buffer; 'name' is used in messages. */
cni_shapes *cni_geojson_parse(const char *buf, size_t len, const char *name,
                              const cni_geojson_opts *o, cni_err *err);
void cni_shapes_free(cni_shapes *s);

static inline const char *cni_shape_code(const cni_shapes *s, size_t i) {
  return s->pool + s->code[i];
}
static inline const char *cni_shape_name(const cni_shapes *s, size_t i) {
  return s->pool + s->name[i];
}
/* Index of the shape with this code, or (size_t)-1. */
size_t cni_shapes_find(const cni_shapes *s, const char *code, size_t len);

/* Computes (once per projection) the projected points and per-shape
** bounding boxes. */
int cni_shapes_project(cni_shapes *s, const cni_proj *p, cni_err *err);

/* }===== */

/* {===== coverage of a join by code */

typedef struct cni_geo_coverage {
  size_t n_keys, n_shapes;
  size_t matched;          /* keys with a shape */
  size_t *no_shape;        /* keys (0-based positions) with no shape */
  size_t n_no_shape;
  size_t *no_area;         /* shapes (0-based) whose code is not a key */
  size_t n_no_area;
} cni_geo_coverage;

/* keys[i] (length lens[i]; NULL = missing key, counted as no shape). */
int cni_geo_coverage_compute(const cni_shapes *s, const char *const *keys,
                             const size_t *lens, size_t nkeys,
                             cni_geo_coverage *cov, cni_err *err);
void cni_geo_coverage_free(cni_geo_coverage *cov);

/* }===== */

/* {===== SVG paths */

/* Maps projected metres to integer SVG units:
**   u = round((x - x0) * scale),  v = round((y1 - y) * scale)
** Rings are simplified (Douglas-Peucker, tolerance 'tol' in units) before
** rounding; consecutive duplicate points are dropped; a ring left with
** fewer than 3 points or no area is dropped (a hole whose outer ring is
** dropped goes with it). A shape all of whose rings collapse is written as
** a one-unit square at its centre, so that every area keeps one path.
** Shapes whose box lies wholly outside [0, w] x [0, h] (units; when w > 0)
** are culled. */
typedef struct cni_svgview {
  double x0, y1;           /* projected left and top of the view */
  double scale;            /* units per metre */
  double tol;              /* simplification tolerance, units (0 = none) */
  double w, h;             /* view size in units for culling (0 = none) */
} cni_svgview;

/* A growable byte buffer plus scratch space for the path writer. */
typedef struct cni_pathbuf {
  char *s;
  size_t len, cap;
  double *tmp;             /* scratch points */
  long *q;                 /* scratch quantised points */
  unsigned char *keep;
  size_t *stack;
  size_t tcap;
} cni_pathbuf;

void cni_pathbuf_init(cni_pathbuf *b);
void cni_pathbuf_free(cni_pathbuf *b);

/* Appends the SVG path data ("M...z m...z") of shape i to b (b->len grows).
** The shapes must be projected. Returns 1 if written, 0 if culled,
** -1 on out of memory. Counts of points written go to *npts_ (may be
** NULL). */
int cni_geo_path(const cni_shapes *s, size_t i, const cni_svgview *v,
                 cni_pathbuf *b, size_t *npts_);

/* Projected box of the shapes idx[0..k) (all shapes when idx == NULL).
** Returns 0 when no shape was given. */
int cni_shapes_extent(const cni_shapes *s, const size_t *idx, size_t k, double box[4]);
/* Number of (projected) shapes whose box meets box = {x0, y0, x1, y1}. */
size_t cni_shapes_count_in(const cni_shapes *s, const double box[4]);

/* }===== */

#endif
