/*
** cni.h: common types of the cnilua C core (status codes, error record).
** Layer: core (src/cni_*). Never includes Lua headers.
*/
#ifndef CNI_H
#define CNI_H

#include <stddef.h>
#include <stdint.h>

#define CNI_VERSION "0.1.0"

/* Status codes returned by every core function that can fail. */
typedef enum cni_status {
  CNI_OK = 0,
  CNI_ENOMEM,   /* out of memory */
  CNI_EIO,      /* file could not be opened, read or written */
  CNI_EPARSE,   /* malformed input (CSV/JSON syntax, bad number token) */
  CNI_ESHAPE,   /* wrong shape: ragged row, length mismatch, empty file */
  CNI_EARG,     /* bad argument (unknown option, out of range) */
  CNI_EKEY,     /* key problem: duplicate key, unknown column */
  CNI_ETYPE,    /* wrong column type for the operation */
  CNI_ELIMIT    /* input larger than a configured limit */
} cni_status;

/* Error record filled by core functions. 'row' and 'col' are 1-based
** (0 = not applicable); 'file' may be empty. */
typedef struct cni_err {
  int code;
  long row;
  long col;
  char file[512];
  char msg[1024];
} cni_err;

void cni_err_clear(cni_err *e);
/* Formats the message (printf-style), sets code; returns code.
** 'e' may be NULL (then only the code is returned). */
int cni_err_set(cni_err *e, int code, const char *fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 3, 4)))
#endif
  ;
const char *cni_strerror(int code);

/* Scratch memory reused across calls of a kernel (one per thread; see
** cni_par_map): start with {NULL, 0, 0}, release with cni_scratch_free. */
typedef struct cni_scratch {
  void *p;
  size_t cap;
  int hint;   /* kernel's note for the next call (the sorts: key span) */
} cni_scratch;
/* At least 'bytes' of scratch (contents not kept); NULL when out of memory. */
void *cni_scratch_get(cni_scratch *ws, size_t bytes);
void cni_scratch_free(cni_scratch *ws);

/* Closest of cand[0..n) to name by edit distance (ignoring case), or NULL
** when none is within max(2, len/3) edits. For "did you mean" hints. */
const char *cni_closest(const char *name, const char *const *cand, size_t n);

#endif
