/*
** cni_io.h: files: atomic writes (temporary file + rename), creating parent
** folders, reading whole files, number formatting that never depends on the
** locale.
** Layer: core. Never includes Lua headers.
*/
#ifndef CNI_IO_H
#define CNI_IO_H

#include <stdio.h>

#include "cni.h"

/* An output file being written: data goes to a temporary file in the same
** folder, renamed over 'path' by cni_atomic_commit. On any failure the
** temporary file is removed and 'path' is left as it was. */
typedef struct cni_atomic {
  FILE *fp;
  char tmp[4096];
  char path[4096];
} cni_atomic;

/* Creates the parent folders of 'path' as needed, then opens a temporary
** file beside it. */
int cni_atomic_open(cni_atomic *a, const char *path, cni_err *err);
/* Flushes, syncs and closes the temporary file and renames it into place.
** Write errors (disk full) found here are reported as CNI_EIO. */
int cni_atomic_commit(cni_atomic *a, cni_err *err);
/* Closes and removes the temporary file. */
void cni_atomic_abort(cni_atomic *a);

/* mkdir -p */
int cni_mkdirs(const char *dir, cni_err *err);

/* Reads a whole file into a NUL-terminated buffer (free with free()).
** Files larger than max_bytes (0 = no limit) are refused (CNI_ELIMIT). */
int cni_read_file(const char *path, size_t max_bytes, char **buf_,
                  size_t *len_, cni_err *err);

/* Formats x into buf (size >= 40). digits > 0: "%.<digits>g"; digits == 0:
** the shortest of 15, 16, 17 significant digits that reads back exactly;
** decimals >= 0 (with digits < 0): fixed "%.<decimals>f" (a number too
** long for that, beyond about 1e38, is written in the shortest exact form
** instead). Integral values below 1e15 in magnitude are written as integers
** in every mode except fixed.
** The decimal separator is always '.', whatever the C locale. NaN -> na.
** Returns the length. */
size_t cni_fmt_double(char *buf, double x, int digits, int decimals,
                      const char *na);

/* Parses a number token (leading/trailing blanks allowed): decimal forms
** with optional sign, fraction and exponent, and Inf/-Inf/inf. Correctly
** rounded (fast exact path, strtod fallback), locale-independent.
** Returns 1 and sets *out on success, 0 if the token is not a number. */
int cni_parse_double(const char *s, size_t len, double *out);

/* SHA-256 of a buffer, as 64 lowercase hex digits + NUL in hex_[65]. */
void cni_sha256_hex(const void *data, size_t len, char *hex_);
/* SHA-256 of a file (streamed). */
int cni_sha256_file(const char *path, char *hex_, cni_err *err);

/* 1 if s[0..len) is valid UTF-8, else 0 (and *bad_ = byte offset). */
int cni_utf8_valid(const char *s, size_t len, size_t *bad_);

#endif
