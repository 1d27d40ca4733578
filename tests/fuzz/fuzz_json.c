/*
** fuzz_json.c: libFuzzer harness for the JSON reading that the Lua binding
** (src/lcni_io.c, functions decode and position) relies on. The binding
** itself needs Lua, so this harness exercises the same library calls the
** same way:
**
**   - the input is copied into a NUL-terminated buffer, as a Lua string is,
**     and parsed with cJSON_ParseWithLengthOpts(buf, len, &end, 0), as
**     decode() does (trailing text after the value is allowed);
**   - on failure: 'end' must point into [buf, buf+len] (decode computes an
**     offset from it), and position() (copied verbatim below) must give a
**     sane line and column for that offset;
**   - on success: 'end' must lie inside the input; the tree is walked the
**     way push_json walks it (strings have a valuestring, object members a
**     name); then cJSON_PrintUnformatted(x) must succeed and parse again
**     (the whole output, NUL-terminated), printing that again must give the
**     same text (print is a fixed point after one round), and the re-parsed
**     tree must match the original: same shape, keys and strings; numbers
**     equal up to cJSON's printing tolerance (see same_tree); non-finite
**     numbers (e.g. 1e999, which strtod makes inf) come back as null, since
**     JSON has no infinity.
** Any violation calls abort().
*/
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#define FAIL(...)                                                    \
  do {                                                               \
    fprintf(stderr, "fuzz_json: property violated (%s:%d): ", __FILE__, \
            __LINE__);                                               \
    fprintf(stderr, __VA_ARGS__);                                    \
    fputc('\n', stderr);                                             \
    abort();                                                         \
  } while (0)

/* Copied from src/lcni_io.c: line and column of byte offset 'off' in buf
** (1-based). Keep in sync. */
static void position(const char *buf, size_t off, long *line, long *col) {
  *line = 1;
  *col = 1;
  for (size_t i = 0; i < off && buf[i]; i++) {
    if (buf[i] == '\n') { (*line)++; *col = 1; }
    else (*col)++;
  }
}

/* Mirrors push_json's traversal (without Lua). Returns the node count. */
static size_t walk(const cJSON *j, int depth) {
  size_t n = 1;
  if (depth > CJSON_NESTING_LIMIT + 1) FAIL("tree deeper than the nesting limit");
  if (cJSON_IsInvalid(j)) FAIL("node of invalid type");
  if (cJSON_IsString(j) && j->valuestring == NULL) FAIL("string without valuestring");
  if (cJSON_IsArray(j) || cJSON_IsObject(j)) {
    int count = 0;
    for (const cJSON *c = j->child; c; c = c->next) {
      if (cJSON_IsObject(j) && c->string == NULL) FAIL("object member without a name");
      n += walk(c, depth + 1);
      count++;
    }
    if (cJSON_GetArraySize(j) != count) FAIL("cJSON_GetArraySize disagrees");
  }
  return n;
}

/* cJSON prints a number with %1.15g when that reads back within a relative
** DBL_EPSILON (its compare_double), else with %1.17g: so a number may come
** back off by about one unit in the last place (e.g. 0.30000000000000004
** prints as 0.3). That is cJSON's documented-by-code behaviour, not a bug in
** this project's code; we allow exactly that tolerance and no more. */
static int close_enough(double a, double b) {
  if (a == b) return 1;
  double m = fabs(a) > fabs(b) ? fabs(a) : fabs(b);
  return fabs(a - b) <= m * DBL_EPSILON * 2;
}

static void same_tree(const cJSON *a, const cJSON *b, int depth) {
  if (depth > CJSON_NESTING_LIMIT + 1) FAIL("tree too deep while comparing");
  if (cJSON_IsNumber(a) && !isfinite(a->valuedouble)) {
    if (!cJSON_IsNull(b)) FAIL("non-finite number did not come back as null");
    return;
  }
  if ((a->type & 0xFF) != (b->type & 0xFF))
    FAIL("type changed in round trip: %d -> %d", a->type & 0xFF, b->type & 0xFF);
  if (cJSON_IsNumber(a) && !close_enough(a->valuedouble, b->valuedouble))
    FAIL("number changed in round trip: %.17g -> %.17g", a->valuedouble, b->valuedouble);
  if (cJSON_IsString(a) && strcmp(a->valuestring, b->valuestring) != 0)
    FAIL("string changed in round trip");
  if (cJSON_IsArray(a) || cJSON_IsObject(a)) {
    const cJSON *x = a->child, *y = b->child;
    for (; x && y; x = x->next, y = y->next) {
      if (cJSON_IsObject(a) && strcmp(x->string, y->string) != 0)
        FAIL("object key changed in round trip");
      same_tree(x, y, depth + 1);
    }
    if (x || y) FAIL("member count changed in round trip");
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  /* a Lua string: exactly 'size' bytes, followed by a NUL */
  char *buf = malloc(size + 1);
  if (!buf) return 0;
  memcpy(buf, data, size);
  buf[size] = '\0';

  const char *end = NULL;
  cJSON *j = cJSON_ParseWithLengthOpts(buf, size, &end, 0);
  if (j == NULL) {
    /* what decode() does with the error position */
    if (end != NULL && (end < buf || end > buf + size))
      FAIL("error position outside the input: %td of %zu", end - buf, size);
    size_t off = end && end >= buf ? (size_t)(end - buf) : 0;
    long line, col;
    position(buf, off, &line, &col);
    size_t nl = 0;
    for (size_t i = 0; i < off && buf[i]; i++) nl += buf[i] == '\n';
    if (line < 1 || col < 1 || (size_t)(line - 1) != nl || (size_t)(col - 1) > off)
      FAIL("position(%zu) = %ld:%ld", off, line, col);
    free(buf);
    return 0;
  }
  if (end == NULL || end < buf || end > buf + size)
    FAIL("parse end outside the input");

  walk(j, 0);

  char *s = cJSON_PrintUnformatted(j);
  if (s == NULL) FAIL("cJSON_PrintUnformatted failed on a parsed tree");
  const char *end2 = NULL;
  cJSON *j2 = cJSON_ParseWithOpts(s, &end2, 1);
  if (j2 == NULL) FAIL("printed JSON does not parse again: %.200s", s);
  char *s2 = cJSON_PrintUnformatted(j2);
  if (s2 == NULL) FAIL("second print failed");
  if (strcmp(s, s2) != 0) FAIL("print(parse(print(x))) != print(x):\n%.200s\n%.200s", s, s2);
  same_tree(j, j2, 0);

  cJSON_free(s2);
  cJSON_free(s);
  cJSON_Delete(j2);
  cJSON_Delete(j);
  free(buf);
  return 0;
}
