/*
** cni_err.c: error records of the C core.
** Layer: core.
*/
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "cni.h"

void cni_err_clear(cni_err *e) {
  if (e == NULL) return;
  e->code = CNI_OK;
  e->row = 0;
  e->col = 0;
  e->file[0] = '\0';
  e->msg[0] = '\0';
}

int cni_err_set(cni_err *e, int code, const char *fmt, ...) {
  if (e != NULL) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    e->code = code;
  }
  return code;
}

const char *cni_strerror(int code) {
  switch (code) {
    case CNI_OK: return "ok";
    case CNI_ENOMEM: return "out of memory";
    case CNI_EIO: return "input/output error";
    case CNI_EPARSE: return "parse error";
    case CNI_ESHAPE: return "shape error";
    case CNI_EARG: return "bad argument";
    case CNI_EKEY: return "key error";
    case CNI_ETYPE: return "type error";
    case CNI_ELIMIT: return "limit exceeded";
    default: return "unknown error";
  }
}

/* Levenshtein distance, case-insensitive, two rows. */
static size_t edit_distance(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  size_t *prev = malloc((lb + 1) * sizeof *prev);
  size_t *cur = malloc((lb + 1) * sizeof *cur);
  size_t d;
  if (prev == NULL || cur == NULL) { free(prev); free(cur); return (size_t)-1; }
  for (size_t j = 0; j <= lb; j++) prev[j] = j;
  for (size_t i = 1; i <= la; i++) {
    cur[0] = i;
    for (size_t j = 1; j <= lb; j++) {
      size_t sub = prev[j - 1] + (tolower((unsigned char)a[i - 1]) !=
                                  tolower((unsigned char)b[j - 1]));
      size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
      cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
    }
    size_t *t = prev; prev = cur; cur = t;
  }
  d = prev[lb];
  free(prev);
  free(cur);
  return d;
}

const char *cni_closest(const char *name, const char *const *cand, size_t n) {
  size_t best = (size_t)-1, len = strlen(name);
  size_t limit = len / 3 > 2 ? len / 3 : 2;
  const char *r = NULL;
  for (size_t i = 0; i < n; i++) {
    if (strlen(cand[i]) > 256 || len > 256) continue;
    size_t d = edit_distance(name, cand[i]);
    if (d < best) { best = d; r = cand[i]; }
  }
  return best <= limit ? r : NULL;
}

void *cni_scratch_get(cni_scratch *ws, size_t bytes) {
  if (bytes == 0) bytes = 1;
  if (ws->cap < bytes) {
    free(ws->p);
    ws->p = malloc(bytes);
    ws->cap = ws->p ? bytes : 0;
  }
  return ws->p;
}

void cni_scratch_free(cni_scratch *ws) {
  free(ws->p);
  ws->p = NULL;
  ws->cap = 0;
}
