/*
** cni_par.h: running a column kernel over many columns on several threads.
** Layer: core. Never includes Lua headers.
**
** Columns are independent, so the results do not depend on the number of
** threads: thread t handles columns t, t + nthreads, ...
*/
#ifndef CNI_PAR_H
#define CNI_PAR_H

#include "cni.h"

/* A kernel over one column: out_[0..n) from x[0..n). ws is the calling
** thread's scratch, reused over its columns. */
typedef int (*cni_col_fn)(const double *x, size_t n, double *out_, const void *params,
                          cni_scratch *ws, cni_err *err);

/* Number of online processors (at least 1). */
int cni_ncpu(void);

/* Runs f on columns x[j] -> out_[j], j < k, with up to nthreads threads
** (0 = all processors; never more than k). Returns the first error by
** column order. */
int cni_par_map(cni_col_fn f, const void *params, const double *const *x, double *const *out_,
                size_t k, size_t n, int nthreads, cni_err *err);

/* A kernel over rows lo..hi-1 of something held in ctx; slice is the
** slice's index (0 .. threads-1), e.g. to pick per-thread scratch. */
typedef int (*cni_rows_fn)(void *ctx, size_t lo, size_t hi, int slice, cni_err *err);

/* Runs f over rows 0..n-1 split into contiguous slices, one per thread (up
** to nthreads, 0 = all processors; one slice if n < min_rows). For
** row-wise kernels, whose results do not depend on the split. Returns the
** first error by slice order. */
int cni_par_rows(cni_rows_fn f, void *ctx, size_t n, int nthreads, size_t min_rows,
                 cni_err *err);

#endif
