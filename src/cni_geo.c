/*
** cni_geo.c: GeoJSON boundaries, projections, simplification and SVG path
** data for maps. See cni_geo.h.
** Layer: core. Never includes Lua headers; no globals; no printing.
*/
#include <cJSON.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cni_geo.h"
#include "cni_io.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif
#define DEG (M_PI / 180.0)

/* {===== projections */

/* WGS84 ellipsoid (ETRS89 is within a metre of it in Britain). */
#define WGS_A 6378137.0
#define WGS_B 6356752.314245
/* Airy 1830 (OSGB36) */
#define AIRY_A 6377563.396
#define AIRY_B 6356256.909

void cni_wgs84_to_osgb36(double lat, double lon, double *lat2, double *lon2) {
  /* 1. geodetic -> cartesian on WGS84 (height 0) */
  const double e2 = 1.0 - (WGS_B * WGS_B) / (WGS_A * WGS_A);
  double sp = sin(lat * DEG), cp = cos(lat * DEG), sl = sin(lon * DEG), cl = cos(lon * DEG);
  double nu = WGS_A / sqrt(1.0 - e2 * sp * sp);
  double x = nu * cp * cl, y = nu * cp * sl, z = (1.0 - e2) * nu * sp;
  /* 2. Helmert transform ETRS89 -> OSGB36 (OS, "A guide to coordinate
  ** systems in Great Britain", section 6.6) */
  const double tx = -446.448, ty = 125.157, tz = -542.060;
  const double s = 20.4894e-6;
  const double rx = -0.1502 / 3600.0 * DEG, ry = -0.2470 / 3600.0 * DEG,
               rz = -0.8421 / 3600.0 * DEG;
  double x2 = tx + (1.0 + s) * x - rz * y + ry * z;
  double y2 = ty + rz * x + (1.0 + s) * y - rx * z;
  double z2 = tz - ry * x + rx * y + (1.0 + s) * z;
  /* 3. cartesian -> geodetic on Airy 1830 (Bowring's formula: sub-mm at
  ** the surface) */
  const double a2 = AIRY_A, b2 = AIRY_B;
  const double f2 = 1.0 - (b2 * b2) / (a2 * a2);          /* e^2 */
  const double ep2 = (a2 * a2) / (b2 * b2) - 1.0;         /* e'^2 */
  double p = sqrt(x2 * x2 + y2 * y2);
  double t = z2 * a2 / (p * b2);
  double ct = 1.0 / sqrt(1.0 + t * t), st = t * ct;
  double phi = atan2(z2 + ep2 * b2 * st * st * st, p - f2 * a2 * ct * ct * ct);
  *lat2 = phi / DEG;
  *lon2 = atan2(y2, x2) / DEG;
}

void cni_bng_tm(double lat, double lon, double *e_, double *n_) {
  /* OS National Grid Transverse Mercator, formulas of the OS guide
  ** (Annex C). The sines and cosines of phi -/+ phi0 and their multiples
  ** come from sin(phi), cos(phi) by the angle-sum identities (one sine and
  ** one cosine per point). */
  const double a = AIRY_A, b = AIRY_B;
  const double F0 = 0.9996012717, lam0 = -2.0 * DEG;
  const double s0 = 0.75470958022277201, c0 = 0.65605902899050728;  /* sin, cos 49 deg */
  const double phi0 = 49.0 * DEG;
  const double E0 = 400000.0, N0 = -100000.0;
  const double e2 = 1.0 - (b * b) / (a * a);
  const double n = (a - b) / (a + b), n2 = n * n, n3 = n2 * n;
  double phi = lat * DEG, lam = lon * DEG;
  double sp = sin(phi), cp = cos(phi), tp = sp / cp, tp2 = tp * tp;
  double w = 1.0 - e2 * sp * sp;
  double nu = a * F0 / sqrt(w);
  double rho = a * F0 * (1.0 - e2) / (w * sqrt(w));
  double eta2 = nu / rho - 1.0;
  double dp = phi - phi0;
  double sd = sp * c0 - cp * s0, cd = cp * c0 + sp * s0;      /* phi - phi0 */
  double ss = sp * c0 + cp * s0, cs = cp * c0 - sp * s0;      /* phi + phi0 */
  double sd2 = 2.0 * sd * cd, cs2 = 2.0 * cs * cs - 1.0;
  double sd3 = sd * (3.0 - 4.0 * sd * sd), cs3 = cs * (4.0 * cs * cs - 3.0);
  (void)ss;
  double M = b * F0 * ((1.0 + n + 1.25 * n2 + 1.25 * n3) * dp
                       - (3.0 * n + 3.0 * n2 + 2.625 * n3) * sd * cs
                       + (1.875 * n2 + 1.875 * n3) * sd2 * cs2
                       - (35.0 / 24.0) * n3 * sd3 * cs3);
  double c3 = cp * cp * cp, c5 = c3 * cp * cp;
  double I = M + N0;
  double II = nu / 2.0 * sp * cp;
  double III = nu / 24.0 * sp * c3 * (5.0 - tp2 + 9.0 * eta2);
  double IIIA = nu / 720.0 * sp * c5 * (61.0 - 58.0 * tp2 + tp2 * tp2);
  double IV = nu * cp;
  double V = nu / 6.0 * c3 * (nu / rho - tp2);
  double VI = nu / 120.0 * c5 * (5.0 - 18.0 * tp2 + tp2 * tp2 + 14.0 * eta2 - 58.0 * tp2 * eta2);
  double L = lam - lam0, L2 = L * L;
  *n_ = I + L2 * (II + L2 * (III + L2 * IIIA));
  *e_ = E0 + L * (IV + L2 * (V + L2 * VI));
}

#define EARTH_R 6371008.8

void cni_proj_apply(const cni_proj *p, double lon, double lat, double *x, double *y) {
  if (p->kind == CNI_PROJ_BNG) {
    double la, lo;
    cni_wgs84_to_osgb36(lat, lon, &la, &lo);
    cni_bng_tm(la, lo, x, y);
  } else {
    *x = EARTH_R * lon * DEG * cos(p->lat0 * DEG);
    *y = EARTH_R * lat * DEG;
  }
}

/* }===== */

/* {===== growable arrays */

static int grow(void **p, size_t *cap, size_t need, size_t elem) {
  if (need <= *cap) return 0;
  size_t nc = *cap ? *cap : 16;
  while (nc < need) nc *= 2;
  void *np = realloc(*p, nc * elem);
  if (np == NULL) return -1;
  *p = np;
  *cap = nc;
  return 0;
}

/* }===== */

/* {===== reading GeoJSON */

void cni_geojson_opts_init(cni_geojson_opts *o) {
  o->code_prop = "code";
  o->name_prop = "name";
  o->max_bytes = 0;
}

typedef struct builder {
  cni_shapes *s;
  size_t cap_shapes, cap_parts, cap_rings, cap_pts, cap_pool;
  const char *file;
  size_t feature;       /* 1-based, for messages */
  const char *code;     /* of the current feature, for messages */
  cni_err *err;
} builder;

static uint64_t hash_str(const char *s, size_t len) {
  uint64_t h = 1469598103934665603ULL;
  for (size_t i = 0; i < len; i++) { h ^= (unsigned char)s[i]; h *= 1099511628211ULL; }
  return h;
}

void cni_shapes_free(cni_shapes *s) {
  if (s == NULL) return;
  free(s->code);
  free(s->name);
  free(s->pool);
  free(s->part_off);
  free(s->ring_off);
  free(s->pt_off);
  free(s->xy);
  free(s->bbox);
  free(s->slots);
  free(s->pxy);
  free(s->pbox);
  free(s);
}

static int nomem(builder *b) {
  return cni_err_set(b->err, CNI_ENOMEM, "out of memory reading %s", b->file);
}

/* Error about the current feature. */
static int ferr(builder *b, const char *fmt, const char *what, const char *what2) {
  char msg[600];
  snprintf(msg, sizeof msg, fmt, what ? what : "", what2 ? what2 : "");
  char codepart[160] = "";
  if (b->code) snprintf(codepart, sizeof codepart, " (code '%.120s')", b->code);
  snprintf(b->err->file, sizeof b->err->file, "%s", b->file);
  b->err->row = (long)b->feature;
  return cni_err_set(b->err, CNI_EPARSE, "%s: feature %zu%s: %s", b->file, b->feature,
                     codepart, msg);
}

static size_t pool_add(builder *b, const char *str, size_t len, int *fail) {
  cni_shapes *s = b->s;
  if (grow((void **)&s->pool, &b->cap_pool, s->pool_len + len + 1, 1)) { *fail = 1; return 0; }
  size_t off = s->pool_len;
  memcpy(s->pool + off, str, len);
  s->pool[off + len] = '\0';
  s->pool_len += len + 1;
  return off;
}

static const char *type_name(const cJSON *j) {
  if (j == NULL) return "nothing";
  if (cJSON_IsNull(j)) return "null";
  if (cJSON_IsBool(j)) return "a boolean";
  if (cJSON_IsNumber(j)) return "a number";
  if (cJSON_IsString(j)) return "a string";
  if (cJSON_IsArray(j)) return "an array";
  if (cJSON_IsObject(j)) return "an object";
  return "an invalid value";
}

/* Reads one linear ring (array of positions) into the point arrays. */
static int read_ring(builder *b, const cJSON *ring, size_t part_no, size_t ring_no) {
  cni_shapes *s = b->s;
  char where[96];
  snprintf(where, sizeof where, "polygon %zu, ring %zu", part_no, ring_no);
  if (!cJSON_IsArray(ring))
    return ferr(b, "%s: expected an array of [longitude, latitude] positions, got %s", where,
                type_name(ring));
  size_t np = (size_t)cJSON_GetArraySize(ring);
  if (np < 4) {
    char m[64];
    snprintf(m, sizeof m, "%zu", np);
    return ferr(b, "%s has only %s positions; a ring needs at least 4 (the last repeating the first)",
                where, m);
  }
  if (grow((void **)&s->xy, &b->cap_pts, 2 * (s->npts + np), sizeof(double))) return nomem(b);
  size_t start = s->npts, k = 0;
  for (const cJSON *pos = ring->child; pos; pos = pos->next, k++) {
    const cJSON *x = cJSON_IsArray(pos) ? pos->child : NULL;
    const cJSON *y = x ? x->next : NULL;
    if (!cJSON_IsArray(pos) || !cJSON_IsNumber(x) || !cJSON_IsNumber(y)) {
      char m[128];
      if (!cJSON_IsArray(pos))
        snprintf(m, sizeof m, "position %zu is %s, not an array of numbers", k + 1, type_name(pos));
      else if (!x || !y)
        snprintf(m, sizeof m, "position %zu has fewer than 2 coordinates", k + 1);
      else
        snprintf(m, sizeof m, "position %zu has a non-numeric coordinate (%s)", k + 1,
                 type_name(cJSON_IsNumber(x) ? y : x));
      return ferr(b, "%s: %s", where, m);
    }
    double lon = x->valuedouble, lat = y->valuedouble;
    if (!(lon >= -180.0 && lon <= 180.0 && lat >= -90.0 && lat <= 90.0)) {
      char m[400];
      snprintf(m, sizeof m,
               "position %zu (%.10g, %.10g) is outside the longitude/latitude range. The file is "
               "probably not in longitude/latitude (WGS84, EPSG:4326) but in projected "
               "coordinates such as British National Grid (EPSG:27700, metres); convert it "
               "with: ogr2ogr -t_srs EPSG:4326 out.geojson in.geojson",
               k + 1, lon, lat);
      return ferr(b, "%s: %s", where, m);
    }
    s->xy[2 * (start + k)] = lon;
    s->xy[2 * (start + k) + 1] = lat;
  }
  /* drop the closing point when it repeats the first */
  if (s->xy[2 * start] == s->xy[2 * (start + np - 1)] &&
      s->xy[2 * start + 1] == s->xy[2 * (start + np - 1) + 1])
    np--;
  s->npts = start + np;
  if (grow((void **)&s->pt_off, &b->cap_rings, s->nrings + 2, sizeof(size_t))) return nomem(b);
  s->nrings++;
  s->pt_off[s->nrings] = s->npts;
  return CNI_OK;
}

/* Reads one polygon (array of rings) as a part. */
static int read_polygon(builder *b, const cJSON *poly, size_t part_no) {
  cni_shapes *s = b->s;
  char where[48];
  snprintf(where, sizeof where, "polygon %zu", part_no);
  if (!cJSON_IsArray(poly))
    return ferr(b, "%s: expected an array of rings, got %s", where, type_name(poly));
  if (cJSON_GetArraySize(poly) < 1)
    return ferr(b, "%s has no rings%s", where, "");
  size_t r = 1;
  for (const cJSON *ring = poly->child; ring; ring = ring->next, r++) {
    int st = read_ring(b, ring, part_no, r);
    if (st) return st;
  }
  if (grow((void **)&s->ring_off, &b->cap_parts, s->nparts + 2, sizeof(size_t))) return nomem(b);
  s->nparts++;
  s->ring_off[s->nparts] = s->nrings;
  return CNI_OK;
}

static int read_geometry(builder *b, const cJSON *g) {
  if (!cJSON_IsObject(g))
    return ferr(b, "'geometry' is %s, not an object%s", type_name(g), "");
  const cJSON *type = cJSON_GetObjectItemCaseSensitive(g, "type");
  const cJSON *coords = cJSON_GetObjectItemCaseSensitive(g, "coordinates");
  if (!cJSON_IsString(type))
    return ferr(b, "geometry has no 'type'%s%s", "", "");
  int multi;
  if (strcmp(type->valuestring, "Polygon") == 0) multi = 0;
  else if (strcmp(type->valuestring, "MultiPolygon") == 0) multi = 1;
  else
    return ferr(b, "geometry type '%s' is not Polygon or MultiPolygon%s", type->valuestring,
                strcmp(type->valuestring, "GeometryCollection") == 0
                  ? " (split the GeometryCollection into polygons)" : "");
  if (!cJSON_IsArray(coords))
    return ferr(b, "%s geometry: 'coordinates' is %s, not an array", type->valuestring,
                type_name(coords));
  if (!multi) return read_polygon(b, coords, 1);
  if (cJSON_GetArraySize(coords) < 1)
    return ferr(b, "MultiPolygon geometry has no polygons%s%s", "", "");
  size_t p = 1;
  for (const cJSON *poly = coords->child; poly; poly = poly->next, p++) {
    int st = read_polygon(b, poly, p);
    if (st) return st;
  }
  return CNI_OK;
}

/* Property value as text: strings as they are, integral numbers without a
** fraction. Returns 0 if the value is neither. */
static int prop_text(const cJSON *v, char *tmp, size_t tmpsz, const char **out, size_t *len) {
  if (cJSON_IsString(v)) { *out = v->valuestring; *len = strlen(v->valuestring); return 1; }
  if (cJSON_IsNumber(v)) {
    *len = cni_fmt_double(tmp, v->valuedouble, 0, -1, "");
    if (*len >= tmpsz) *len = tmpsz - 1;
    *out = tmp;
    return 1;
  }
  return 0;
}

static int index_codes(cni_shapes *s, builder *b) {
  size_t ns = 16;
  while (ns < 2 * s->n) ns *= 2;
  s->slots = calloc(ns, sizeof *s->slots);
  if (s->slots == NULL) return nomem(b);
  s->nslots = ns;
  for (size_t i = 0; i < s->n; i++) {
    const char *c = cni_shape_code(s, i);
    size_t len = strlen(c);
    size_t h = (size_t)hash_str(c, len) & (ns - 1);
    while (s->slots[h]) {
      size_t j = s->slots[h] - 1;
      if (strcmp(cni_shape_code(s, j), c) == 0) {
        b->feature = i + 1 + 0;  /* message below names both */
        snprintf(b->err->file, sizeof b->err->file, "%s", b->file);
        return cni_err_set(b->err, CNI_EKEY,
                           "%s: duplicate code '%.200s' (areas %zu and %zu); codes must be "
                           "unique (dissolve or merge the features first)",
                           b->file, c, j + 1, i + 1);
      }
      h = (h + 1) & (ns - 1);
    }
    s->slots[h] = i + 1;
  }
  return CNI_OK;
}

size_t cni_shapes_find(const cni_shapes *s, const char *code, size_t len) {
  if (s->nslots == 0) return (size_t)-1;
  size_t h = (size_t)hash_str(code, len) & (s->nslots - 1);
  while (s->slots[h]) {
    size_t j = s->slots[h] - 1;
    const char *c = cni_shape_code(s, j);
    if (strncmp(c, code, len) == 0 && c[len] == '\0') return j;
    h = (h + 1) & (s->nslots - 1);
  }
  return (size_t)-1;
}

static void pos_of(const char *buf, size_t off, long *line, long *col) {
  *line = 1;
  *col = 1;
  for (size_t i = 0; i < off && buf[i]; i++) {
    if (buf[i] == '\n') { (*line)++; *col = 1; }
    else (*col)++;
  }
}

/* {===== features one at a time
** The features array is split into its elements by a light structural scan
** (strings and brackets only) and each element is parsed by cJSON on its
** own, copied and freed at once: the tree of a whole 12 MB file (about
** 100 MB of cJSON nodes) never exists. Anything the scan does not
** understand falls back to parsing the whole text, which reports the error
** (file:line:column). */

static size_t skip_ws(const char *s, size_t i, size_t n) {
  while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) i++;
  return i;
}

static int skip_string(const char *s, size_t *i, size_t n) {
  size_t k = *i + 1;
  while (k < n) {
    if (s[k] == '\\') { k += 2; continue; }
    if (s[k] == '"') { *i = k + 1; return 1; }
    k++;
  }
  return 0;
}

static int skip_value(const char *s, size_t *i, size_t n) {
  size_t k = *i;
  if (k >= n) return 0;
  if (s[k] == '"') return skip_string(s, i, n);
  if (s[k] == '{' || s[k] == '[') {
    long depth = 0;
    while (k < n) {
      char c = s[k];
      if (c == '"') { if (!skip_string(s, &k, n)) return 0; continue; }
      if (c == '{' || c == '[') depth++;
      else if (c == '}' || c == ']') {
        if (--depth == 0) { *i = k + 1; return 1; }
      }
      k++;
    }
    return 0;
  }
  while (k < n && s[k] != ',' && s[k] != '}' && s[k] != ']' && s[k] != ' ' && s[k] != '\n' &&
         s[k] != '\r' && s[k] != '\t')
    k++;
  if (k == *i) return 0;
  *i = k;
  return 1;
}

/* Position of the '[' opening the value of the top-level key "features". */
static int find_features(const char *s, size_t n, size_t *fa) {
  size_t i = skip_ws(s, 0, n);
  if (i >= n || s[i] != '{') return 0;
  i++;
  for (;;) {
    i = skip_ws(s, i, n);
    if (i >= n || s[i] != '"') return 0;
    size_t ks = i;
    if (!skip_string(s, &i, n)) return 0;
    size_t ke = i;
    i = skip_ws(s, i, n);
    if (i >= n || s[i] != ':') return 0;
    i = skip_ws(s, i + 1, n);
    size_t vs = i;
    if (ke - ks == 10 && memcmp(s + ks, "\"features\"", 10) == 0) {
      if (s[vs] != '[') return 0;
      *fa = vs;      /* the end is found by walking the elements */
      return 1;
    }
    if (!skip_value(s, &i, n)) return 0;
    i = skip_ws(s, i, n);
    if (i < n && s[i] == ',') { i++; continue; }
    return 0;
  }
}

static int syntax_error(const char *buf, size_t len, size_t off, const char *name, cni_err *err) {
  long line, col;
  if (off > len) off = len;
  pos_of(buf, off, &line, &col);
  snprintf(err->file, sizeof err->file, "%s", name);
  err->row = line;
  err->col = col;
  /* cJSON reports an error past the end at the last byte: say so when
  ** brackets are left open there */
  int open_left = 0;
  if (off + 1 >= len) {
    int depth = 0, in_str = 0;
    for (size_t i = 0; i < len; i++) {
      char c = buf[i];
      if (in_str) {
        if (c == '\\') i++;
        else if (c == '"') in_str = 0;
      } else if (c == '"') in_str = 1;
      else if (c == '{' || c == '[') depth++;
      else if (c == '}' || c == ']') depth--;
    }
    open_left = depth > 0 || in_str;
  }
  return cni_err_set(err, CNI_EPARSE, "%s:%ld:%ld: invalid JSON%s", name, line, col,
                     open_left ? " (unexpected end of input)" : "");
}

/* The top level: {"type": "FeatureCollection", "features": [...]}. */
static int check_envelope(const cJSON *root, const char *name, cni_err *err) {
  const cJSON *type = cJSON_IsObject(root) ? cJSON_GetObjectItemCaseSensitive(root, "type") : NULL;
  const cJSON *feats = cJSON_IsObject(root) ? cJSON_GetObjectItemCaseSensitive(root, "features") : NULL;
  if (cJSON_IsString(type) && strcmp(type->valuestring, "FeatureCollection") == 0 &&
      cJSON_IsArray(feats))
    return CNI_OK;
  snprintf(err->file, sizeof err->file, "%s", name);
  if (cJSON_IsString(type) && strcmp(type->valuestring, "FeatureCollection") != 0)
    return cni_err_set(err, CNI_EPARSE, "%s: expected a GeoJSON FeatureCollection, got type '%.100s'",
                       name, type->valuestring);
  if (!cJSON_IsObject(root))
    return cni_err_set(err, CNI_EPARSE, "%s: expected a GeoJSON FeatureCollection (an object), got %s",
                       name, type_name(root));
  return cni_err_set(err, CNI_EPARSE, "%s: expected a GeoJSON FeatureCollection: no \"type\": "
                     "\"FeatureCollection\" with a \"features\" array", name);
}

/* Copies one feature into the shapes. */
static int add_feature(builder *b, const cJSON *f, const cni_geojson_opts *o) {
  cni_shapes *s = b->s;
  b->feature++;
  b->code = NULL;
  if (!cJSON_IsObject(f)) return ferr(b, "expected a Feature object, got %s%s", type_name(f), "");
  const cJSON *props = cJSON_GetObjectItemCaseSensitive(f, "properties");
  const cJSON *geom = cJSON_GetObjectItemCaseSensitive(f, "geometry");
  const cJSON *cv = cJSON_IsObject(props) ? cJSON_GetObjectItemCaseSensitive(props, o->code_prop) : NULL;
  char tmp[64], tmp2[64];
  const char *code, *nm = "";
  size_t clen, nlen = 0;
  if (!cJSON_IsObject(props))
    return ferr(b, "has no 'properties' object, so no area code (property '%s')", o->code_prop, "");
  if (cv == NULL || cJSON_IsNull(cv)) {
    char have[300] = "";
    size_t hl = 0;
    int k = 0;
    for (const cJSON *pp = props->child; pp && hl + 1 < sizeof have; pp = pp->next, k++) {
      if (k == 8) { snprintf(have + hl, sizeof have - hl, ", ..."); break; }
      int w = snprintf(have + hl, sizeof have - hl, "%s%.60s", k ? ", " : "",
                       pp->string ? pp->string : "?");
      if (w < 0) break;
      hl += (size_t)w;
    }
    return ferr(b, "missing properties.%s (the area code; name another property with the "
                "'code' option; this feature has: %s)", o->code_prop, k ? have : "no properties");
  }
  if (!prop_text(cv, tmp, sizeof tmp, &code, &clen))
    return ferr(b, "properties.%s is %s, not a string or number", o->code_prop, type_name(cv));
  if (clen == 0) return ferr(b, "properties.%s is empty%s", o->code_prop, "");
  b->code = code;
  if (o->name_prop && o->name_prop[0]) {
    const cJSON *nv = cJSON_GetObjectItemCaseSensitive(props, o->name_prop);
    if (nv && !cJSON_IsNull(nv) && !prop_text(nv, tmp2, sizeof tmp2, &nm, &nlen))
      return ferr(b, "properties.%s is %s, not a string or number", o->name_prop, type_name(nv));
  }
  if (geom == NULL) return ferr(b, "has no 'geometry'%s%s", "", "");
  if (cJSON_IsNull(geom)) { s->nskipped++; return CNI_OK; }
  size_t i = s->n, pt0 = s->npts;
  int st = read_geometry(b, geom);
  if (st) return st;
  if (grow((void **)&s->code, &b->cap_shapes, i + 1, sizeof *s->code)) return nomem(b);
  size_t cap = b->cap_shapes;   /* the per-shape arrays share one capacity */
  size_t *nn = realloc(s->name, cap * sizeof *nn);
  if (!nn) return nomem(b);
  s->name = nn;
  size_t *po = realloc(s->part_off, (cap + 1) * sizeof *po);
  if (!po) return nomem(b);
  s->part_off = po;
  double *bx = realloc(s->bbox, 4 * cap * sizeof *bx);
  if (!bx) return nomem(b);
  s->bbox = bx;
  int fail = 0;
  s->code[i] = pool_add(b, code, clen, &fail);
  s->name[i] = pool_add(b, nm, nlen, &fail);
  if (fail) return nomem(b);
  s->part_off[0] = 0;
  s->part_off[i + 1] = s->nparts;
  double *bb = s->bbox + 4 * i;
  bb[0] = bb[1] = INFINITY;
  bb[2] = bb[3] = -INFINITY;
  for (size_t k = pt0; k < s->npts; k++) {
    double x = s->xy[2 * k], y = s->xy[2 * k + 1];
    if (x < bb[0]) bb[0] = x;
    if (x > bb[2]) bb[2] = x;
    if (y < bb[1]) bb[1] = y;
    if (y > bb[3]) bb[3] = y;
  }
  s->n = i + 1;
  return CNI_OK;
}

static cni_shapes *begin(builder *b, const char *name, cni_err *err) {
  memset(b, 0, sizeof *b);
  b->file = name;
  b->err = err;
  cni_shapes *s = calloc(1, sizeof *s);
  if (s == NULL) { cni_err_set(err, CNI_ENOMEM, "out of memory"); return NULL; }
  b->s = s;
  if (grow((void **)&s->ring_off, &b->cap_parts, 2, sizeof(size_t)) ||
      grow((void **)&s->pt_off, &b->cap_rings, 2, sizeof(size_t)) ||
      !(s->part_off = malloc(sizeof *s->part_off))) {
    nomem(b);
    cni_shapes_free(s);
    return NULL;
  }
  s->part_off[0] = s->ring_off[0] = s->pt_off[0] = 0;
  return s;
}

static cni_shapes *finish(builder *b) {
  cni_shapes *s = b->s;
  for (int k = 0; k < 4; k++) s->all_bbox[k] = 0;
  for (size_t i = 0; i < s->n; i++) {
    const double *bb = s->bbox + 4 * i;
    if (i == 0) memcpy(s->all_bbox, bb, sizeof s->all_bbox);
    else {
      if (bb[0] < s->all_bbox[0]) s->all_bbox[0] = bb[0];
      if (bb[1] < s->all_bbox[1]) s->all_bbox[1] = bb[1];
      if (bb[2] > s->all_bbox[2]) s->all_bbox[2] = bb[2];
      if (bb[3] > s->all_bbox[3]) s->all_bbox[3] = bb[3];
    }
  }
  b->code = NULL;
  if (index_codes(s, b)) { cni_shapes_free(s); return NULL; }
  if (s->npts) {   /* trim */
    double *nx = realloc(s->xy, 2 * s->npts * sizeof *nx);
    if (nx) s->xy = nx;
  }
  return s;
}

/* The whole text in one cJSON tree (the fallback). */
static cni_shapes *parse_whole(const char *buf, size_t len, const char *name,
                               const cni_geojson_opts *o, cni_err *err) {
  const char *end = NULL;
  cJSON *root = cJSON_ParseWithLengthOpts(buf, len, &end, 0);
  if (root == NULL) {
    size_t off = end && end >= buf ? (size_t)(end - buf) : 0;
    syntax_error(buf, len, off, name, err);
    return NULL;
  }
  if (check_envelope(root, name, err) != CNI_OK) { cJSON_Delete(root); return NULL; }
  builder b;
  cni_shapes *s = begin(&b, name, err);
  if (!s) { cJSON_Delete(root); return NULL; }
  const cJSON *feats = cJSON_GetObjectItemCaseSensitive(root, "features");
  for (const cJSON *f = feats->child; f; f = f->next) {
    if (add_feature(&b, f, o) != CNI_OK) { cJSON_Delete(root); cni_shapes_free(s); return NULL; }
  }
  cJSON_Delete(root);
  return finish(&b);
}

/* Parses the envelope (the text with an empty features array) and checks
** it. Returns 1 if fine, 0 if it does not parse (use the whole parse), -1
** on a GeoJSON error (err set). */
static int envelope(const char *buf, size_t len, size_t fa, size_t fb, const char *name,
                    cni_err *err) {
  size_t elen = len - (fb - fa) + 2;
  char *env = malloc(elen + 1);
  if (!env) { cni_err_set(err, CNI_ENOMEM, "out of memory"); return -1; }
  memcpy(env, buf, fa);
  memcpy(env + fa, "[]", 2);
  memcpy(env + fa + 2, buf + fb, len - fb);
  env[elen] = '\0';
  cJSON *root = cJSON_ParseWithLengthOpts(env, elen, NULL, 0);
  free(env);
  if (root == NULL) return 0;
  int st = check_envelope(root, name, err);
  cJSON_Delete(root);
  return st == CNI_OK ? 1 : -1;
}

static cni_shapes *parse_impl(const char *buf, size_t len, const char *name,
                              const cni_geojson_opts *o, cni_err *err) {
  cni_geojson_opts def;
  if (o == NULL) { cni_geojson_opts_init(&def); o = &def; }
  size_t fa, fb = 0;
  if (!find_features(buf, len, &fa)) return parse_whole(buf, len, name, o, err);
  builder b;
  cni_shapes *s = begin(&b, name, err);
  if (!s) return NULL;
  size_t i = skip_ws(buf, fa + 1, len);
  if (i < len && buf[i] == ']') goto done;
  for (;;) {
    size_t es = i;
    if (i >= len || buf[i] == ']' || !skip_value(buf, &i, len)) goto whole;
    const char *end = NULL;
    cJSON *f = cJSON_ParseWithLengthOpts(buf + es, i - es, &end, 0);
    if (f == NULL) {
      size_t off = end && end >= buf + es ? (size_t)(end - buf) : es;
      cni_shapes_free(s);
      syntax_error(buf, len, off, name, err);
      return NULL;
    }
    int st = add_feature(&b, f, o);
    cJSON_Delete(f);
    if (st != CNI_OK) { cni_shapes_free(s); return NULL; }
    i = skip_ws(buf, i, len);
    if (i < len && buf[i] == ',') { i = skip_ws(buf, i + 1, len); continue; }
    if (i < len && buf[i] == ']') break;
    goto whole;     /* something between elements: the whole parse says where */
  }
done:
  fb = i + 1;
  switch (envelope(buf, len, fa, fb, name, err)) {
    case 1: return finish(&b);
    case 0: break;
    default: cni_shapes_free(s); return NULL;
  }
whole:
  cni_shapes_free(s);
  return parse_whole(buf, len, name, o, err);
}

/* }===== */

cni_shapes *cni_geojson_parse(const char *buf, size_t len, const char *name,
                              const cni_geojson_opts *o, cni_err *err) {
  cni_err_clear(err);
  return parse_impl(buf, len, name, o, err);
}

cni_shapes *cni_geojson_read(const char *path, const cni_geojson_opts *o, cni_err *err) {
  char *buf;
  size_t len;
  cni_err_clear(err);
  if (cni_read_file(path, o ? o->max_bytes : 0, &buf, &len, err) != CNI_OK) return NULL;
  cni_shapes *s = parse_impl(buf, len, path, o, err);
  free(buf);
  return s;
}

/* BNG for many points: the WGS84 -> OSGB36 datum shift (a smooth field,
** about 100 m) is computed exactly at the nodes of a 0.1 degree grid over
** the shapes and interpolated bilinearly (error well under a millimetre),
** then the Transverse Mercator is applied exactly. */
static int project_bng_grid(cni_shapes *s, cni_err *err) {
  const double step = 0.1;
  double lon0 = floor(s->all_bbox[0] / step) * step, lat0 = floor(s->all_bbox[1] / step) * step;
  size_t nx = (size_t)((s->all_bbox[2] - lon0) / step) + 2;
  size_t ny = (size_t)((s->all_bbox[3] - lat0) / step) + 2;
  double *g = malloc(2 * nx * ny * sizeof *g);
  if (g == NULL) return cni_err_set(err, CNI_ENOMEM, "out of memory");
  for (size_t j = 0; j < ny; j++)
    for (size_t i = 0; i < nx; i++) {
      double la = lat0 + (double)j * step, lo = lon0 + (double)i * step, la2, lo2;
      cni_wgs84_to_osgb36(la, lo, &la2, &lo2);
      g[2 * (j * nx + i)] = la2 - la;
      g[2 * (j * nx + i) + 1] = lo2 - lo;
    }
  for (size_t k = 0; k < s->npts; k++) {
    double lo = s->xy[2 * k], la = s->xy[2 * k + 1];
    double fx = (lo - lon0) / step, fy = (la - lat0) / step;
    size_t i = (size_t)fx, j = (size_t)fy;
    if (i > nx - 2) i = nx - 2;
    if (j > ny - 2) j = ny - 2;
    double tx = fx - (double)i, ty = fy - (double)j;
    const double *g00 = g + 2 * (j * nx + i), *g10 = g00 + 2, *g01 = g00 + 2 * nx, *g11 = g01 + 2;
    double w00 = (1 - tx) * (1 - ty), w10 = tx * (1 - ty), w01 = (1 - tx) * ty, w11 = tx * ty;
    double dla = w00 * g00[0] + w10 * g10[0] + w01 * g01[0] + w11 * g11[0];
    double dlo = w00 * g00[1] + w10 * g10[1] + w01 * g01[1] + w11 * g11[1];
    cni_bng_tm(la + dla, lo + dlo, &s->pxy[2 * k], &s->pxy[2 * k + 1]);
  }
  free(g);
  return CNI_OK;
}

int cni_shapes_project(cni_shapes *s, const cni_proj *p, cni_err *err) {
  if (s->proj_valid && s->proj.kind == p->kind &&
      (p->kind != CNI_PROJ_EQUIRECT || s->proj.lat0 == p->lat0))
    return CNI_OK;
  if (s->pxy == NULL && s->npts) {
    s->pxy = malloc(2 * s->npts * sizeof *s->pxy);
    if (s->pxy == NULL) return cni_err_set(err, CNI_ENOMEM, "out of memory");
  }
  if (s->pbox == NULL && s->n) {
    s->pbox = malloc(4 * s->n * sizeof *s->pbox);
    if (s->pbox == NULL) return cni_err_set(err, CNI_ENOMEM, "out of memory");
  }
  if (p->kind == CNI_PROJ_BNG && s->npts > 2000) {
    if (project_bng_grid(s, err) != CNI_OK) return err ? err->code : CNI_ENOMEM;
  } else if (p->kind == CNI_PROJ_EQUIRECT) {
    const double kx = EARTH_R * DEG * cos(p->lat0 * DEG), ky = EARTH_R * DEG;
    for (size_t k = 0; k < s->npts; k++) {
      s->pxy[2 * k] = kx * s->xy[2 * k];
      s->pxy[2 * k + 1] = ky * s->xy[2 * k + 1];
    }
  } else {
    for (size_t k = 0; k < s->npts; k++)
      cni_proj_apply(p, s->xy[2 * k], s->xy[2 * k + 1], &s->pxy[2 * k], &s->pxy[2 * k + 1]);
  }
  for (size_t i = 0; i < s->n; i++) {
    double *bb = s->pbox + 4 * i;
    bb[0] = bb[1] = INFINITY;
    bb[2] = bb[3] = -INFINITY;
    size_t r0 = s->ring_off[s->part_off[i]], r1 = s->ring_off[s->part_off[i + 1]];
    for (size_t k = s->pt_off[r0]; k < s->pt_off[r1]; k++) {
      double x = s->pxy[2 * k], y = s->pxy[2 * k + 1];
      if (x < bb[0]) bb[0] = x;
      if (x > bb[2]) bb[2] = x;
      if (y < bb[1]) bb[1] = y;
      if (y > bb[3]) bb[3] = y;
    }
  }
  s->proj = *p;
  s->proj_valid = 1;
  return CNI_OK;
}

int cni_shapes_extent(const cni_shapes *s, const size_t *idx, size_t k, double box[4]) {
  size_t m = idx ? k : s->n;
  int any = 0;
  for (size_t j = 0; j < m; j++) {
    size_t i = idx ? idx[j] : j;
    if (i >= s->n || !s->pbox) continue;
    const double *bb = s->pbox + 4 * i;
    if (!any) { memcpy(box, bb, 4 * sizeof *box); any = 1; continue; }
    if (bb[0] < box[0]) box[0] = bb[0];
    if (bb[1] < box[1]) box[1] = bb[1];
    if (bb[2] > box[2]) box[2] = bb[2];
    if (bb[3] > box[3]) box[3] = bb[3];
  }
  return any;
}

size_t cni_shapes_count_in(const cni_shapes *s, const double box[4]) {
  size_t c = 0;
  if (!s->pbox) return 0;
  for (size_t i = 0; i < s->n; i++) {
    const double *bb = s->pbox + 4 * i;
    if (bb[2] >= box[0] && bb[0] <= box[2] && bb[3] >= box[1] && bb[1] <= box[3]) c++;
  }
  return c;
}

/* }===== */

/* {===== coverage */

int cni_geo_coverage_compute(const cni_shapes *s, const char *const *keys,
                             const size_t *lens, size_t nkeys,
                             cni_geo_coverage *cov, cni_err *err) {
  memset(cov, 0, sizeof *cov);
  cov->n_keys = nkeys;
  cov->n_shapes = s->n;
  unsigned char *seen = calloc(s->n ? s->n : 1, 1);
  cov->no_shape = malloc((nkeys ? nkeys : 1) * sizeof *cov->no_shape);
  cov->no_area = malloc((s->n ? s->n : 1) * sizeof *cov->no_area);
  if (!seen || !cov->no_shape || !cov->no_area) {
    free(seen);
    cni_geo_coverage_free(cov);
    return cni_err_set(err, CNI_ENOMEM, "out of memory");
  }
  for (size_t k = 0; k < nkeys; k++) {
    size_t i = keys[k] ? cni_shapes_find(s, keys[k], lens[k]) : (size_t)-1;
    if (i == (size_t)-1) cov->no_shape[cov->n_no_shape++] = k;
    else { cov->matched++; seen[i] = 1; }
  }
  for (size_t i = 0; i < s->n; i++)
    if (!seen[i]) cov->no_area[cov->n_no_area++] = i;
  free(seen);
  return CNI_OK;
}

void cni_geo_coverage_free(cni_geo_coverage *cov) {
  free(cov->no_shape);
  free(cov->no_area);
  cov->no_shape = cov->no_area = NULL;
}

/* }===== */

/* {===== SVG path data */

void cni_pathbuf_init(cni_pathbuf *b) { memset(b, 0, sizeof *b); }

void cni_pathbuf_free(cni_pathbuf *b) {
  free(b->s);
  free(b->tmp);
  free(b->q);
  free(b->keep);
  free(b->stack);
  memset(b, 0, sizeof *b);
}

static int scratch(cni_pathbuf *b, size_t n) {
  if (n <= b->tcap) return 0;
  size_t nc = b->tcap ? b->tcap : 64;
  while (nc < n) nc *= 2;
  double *t = realloc(b->tmp, 2 * nc * sizeof *t);
  if (!t) return -1;
  b->tmp = t;
  long *q = realloc(b->q, 2 * nc * sizeof *q);
  if (!q) return -1;
  b->q = q;
  unsigned char *k = realloc(b->keep, nc + 1);
  if (!k) return -1;
  b->keep = k;
  size_t *st = realloc(b->stack, 2 * (nc + 1) * sizeof *st);
  if (!st) return -1;
  b->stack = st;
  b->tcap = nc;
  return 0;
}

static int reserve(cni_pathbuf *b, size_t extra) {
  if (b->len + extra + 1 <= b->cap) return 0;
  size_t nc = b->cap ? b->cap : 1024;
  while (nc < b->len + extra + 1) nc *= 2;
  char *ns = realloc(b->s, nc);
  if (!ns) return -1;
  b->s = ns;
  b->cap = nc;
  return 0;
}

/* Writes a long in decimal; a separating blank first when 'sep' and v >= 0
** (a minus sign separates numbers by itself). Space must be reserved. */
static void put_long(cni_pathbuf *b, long v, int sep) {
  char tmp[24];
  int n = 0;
  unsigned long u = v < 0 ? 0UL - (unsigned long)v : (unsigned long)v;
  do { tmp[n++] = (char)('0' + u % 10); u /= 10; } while (u);
  if (v < 0) b->s[b->len++] = '-';
  else if (sep) b->s[b->len++] = ' ';
  while (n) b->s[b->len++] = tmp[--n];
}

/* Squared distance from p to segment a-b. */
static double seg_dist2(const double *p, const double *a, const double *b) {
  double dx = b[0] - a[0], dy = b[1] - a[1];
  double ex = p[0] - a[0], ey = p[1] - a[1];
  double l2 = dx * dx + dy * dy;
  if (l2 > 0) {
    double t = (ex * dx + ey * dy) / l2;
    if (t > 1) { ex = p[0] - b[0]; ey = p[1] - b[1]; }
    else if (t > 0) { ex -= t * dx; ey -= t * dy; }
  }
  return ex * ex + ey * ey;
}

/* Douglas-Peucker on a closed ring of n points in b->tmp: sets b->keep[k]. */
static void simplify_ring(cni_pathbuf *b, size_t n, double tol) {
  double *t = b->tmp;
  unsigned char *keep = b->keep;
  if (tol <= 0 || n <= 3) { memset(keep, 1, n); return; }
  memset(keep, 0, n);
  keep[0] = 1;
  /* split at the point farthest from point 0 */
  size_t far = 0;
  double best = -1;
  for (size_t k = 1; k < n; k++) {
    double dx = t[2 * k] - t[0], dy = t[2 * k + 1] - t[1];
    double d = dx * dx + dy * dy;
    if (d > best) { best = d; far = k; }
  }
  if (far == 0) return;
  keep[far] = 1;
  double tol2 = tol * tol;
  size_t *st = b->stack, sp = 0;
  st[sp++] = 0; st[sp++] = far;
  st[sp++] = far; st[sp++] = n;      /* index n stands for point 0 */
  while (sp) {
    size_t j = st[--sp], i = st[--sp];
    if (j <= i + 1) continue;
    const double *a = t + 2 * i, *c = t + 2 * (j % n);
    size_t idx = 0;
    double dmax = -1;
    for (size_t k = i + 1; k < j; k++) {
      double d = seg_dist2(t + 2 * k, a, c);
      if (d > dmax) { dmax = d; idx = k; }
    }
    if (dmax > tol2) {
      keep[idx] = 1;
      st[sp++] = i; st[sp++] = idx;
      st[sp++] = idx; st[sp++] = j;
    }
  }
}

int cni_geo_path(const cni_shapes *s, size_t i, const cni_svgview *v,
                 cni_pathbuf *b, size_t *npts_) {
  if (npts_) *npts_ = 0;
  if (!s->proj_valid || i >= s->n) return 0;
  const double *pb = s->pbox + 4 * i;
  double u0 = (pb[0] - v->x0) * v->scale, u1 = (pb[2] - v->x0) * v->scale;
  double w0 = (v->y1 - pb[3]) * v->scale, w1 = (v->y1 - pb[1]) * v->scale;
  if (v->w > 0 && (u1 < 0 || u0 > v->w || w1 < 0 || w0 > v->h)) return 0;
  size_t start_len = b->len, written = 0;
  long curx = 0, cury = 0;
  int have = 0;
  for (size_t p = s->part_off[i]; p < s->part_off[i + 1]; p++) {
    int outer_ok = 0;
    for (size_t r = s->ring_off[p]; r < s->ring_off[p + 1]; r++) {
      if (r > s->ring_off[p] && !outer_ok) break;
      size_t k0 = s->pt_off[r], n = s->pt_off[r + 1] - k0;
      if (n < 3) continue;
      if (scratch(b, n + 1)) return -1;
      const double *src = s->pxy + 2 * k0;
      for (size_t k = 0; k < n; k++) {
        b->tmp[2 * k] = (src[2 * k] - v->x0) * v->scale;
        b->tmp[2 * k + 1] = (v->y1 - src[2 * k + 1]) * v->scale;
      }
      simplify_ring(b, n, v->tol);
      /* quantise kept points, dropping repeats */
      long *q = b->q;
      size_t m = 0;
      for (size_t k = 0; k < n; k++) {
        if (!b->keep[k]) continue;
        long x = lround(b->tmp[2 * k]), y = lround(b->tmp[2 * k + 1]);
        if (m && q[2 * m - 2] == x && q[2 * m - 1] == y) continue;
        q[2 * m] = x;
        q[2 * m + 1] = y;
        m++;
      }
      while (m > 1 && q[2 * m - 2] == q[0] && q[2 * m - 1] == q[1]) m--;
      if (m < 3) continue;
      /* zero area (all points on a line) -> collapsed */
      long long a2 = 0;
      for (size_t k = 0; k < m; k++) {
        size_t k2 = (k + 1) % m;
        a2 += (long long)q[2 * k] * q[2 * k2 + 1] - (long long)q[2 * k2] * q[2 * k + 1];
      }
      if (a2 == 0) continue;
      if (r == s->ring_off[p]) outer_ok = 1;
      if (reserve(b, 24 * (2 * m + 4))) return -1;
      if (!have) {
        b->s[b->len++] = 'M';
        put_long(b, q[0], 0);
        put_long(b, q[1], 1);
      } else {
        b->s[b->len++] = 'm';
        put_long(b, q[0] - curx, 0);
        put_long(b, q[1] - cury, 1);
      }
      b->s[b->len++] = 'l';
      for (size_t k = 1; k < m; k++) {
        put_long(b, q[2 * k] - q[2 * k - 2], k > 1);
        put_long(b, q[2 * k + 1] - q[2 * k - 1], 1);
      }
      b->s[b->len++] = 'z';
      curx = q[0];
      cury = q[1];
      have = 1;
      written += m;
    }
  }
  if (!have) {
    /* every ring collapsed: a one-unit square at the centre of the box */
    if (reserve(b, 64)) return -1;
    long cx = lround(floor((u0 + u1) / 2)), cy = lround(floor((w0 + w1) / 2));
    b->s[b->len++] = 'M';
    put_long(b, cx, 0);
    put_long(b, cy, 1);
    memcpy(b->s + b->len, "h1v1h-1z", 8);
    b->len += 8;
    written = 4;
  }
  b->s[b->len] = '\0';
  (void)start_len;
  if (npts_) *npts_ = written;
  return 1;
}

/* }===== */
