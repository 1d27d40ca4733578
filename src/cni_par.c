/*
** cni_par.c: column kernels on several threads (pthreads).
** Layer: core. Never includes Lua headers.
*/
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cni_par.h"

int cni_ncpu(void) {
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n < 1 ? 1 : (n > 256 ? 256 : (int)n);
}

typedef struct job {
  cni_col_fn f;
  const void *params;
  const double *const *x;
  double *const *out;
  size_t k, n;
  int tid, nthreads;
  int *status;      /* per column */
  cni_err *errs;    /* per column */
} job;

static void *worker(void *arg) {
  job *j = arg;
  cni_scratch ws = {NULL, 0, 0};
  for (size_t c = (size_t)j->tid; c < j->k; c += (size_t)j->nthreads)
    j->status[c] = j->f(j->x[c], j->n, j->out[c], j->params, &ws, &j->errs[c]);
  cni_scratch_free(&ws);
  return NULL;
}

int cni_par_map(cni_col_fn f, const void *params, const double *const *x, double *const *out_,
                size_t k, size_t n, int nthreads, cni_err *err) {
  if (k == 0) return CNI_OK;
  if (nthreads <= 0) nthreads = cni_ncpu();
  if ((size_t)nthreads > k) nthreads = (int)k;
  int *status = calloc(k, sizeof *status);
  cni_err *errs = calloc(k, sizeof *errs);
  job *jobs = calloc((size_t)nthreads, sizeof *jobs);
  pthread_t *th = calloc((size_t)nthreads, sizeof *th);
  int rc = CNI_OK;
  if (!status || !errs || !jobs || !th) {
    rc = cni_err_set(err, CNI_ENOMEM, "out of memory");
    goto done;
  }
  for (int t = 0; t < nthreads; t++) {
    jobs[t] = (job){f, params, x, out_, k, n, t, nthreads, status, errs};
  }
  int started = 1;
  for (int t = 1; t < nthreads; t++) {
    if (pthread_create(&th[t], NULL, worker, &jobs[t]) != 0) break;
    started++;
  }
  worker(&jobs[0]);
  for (int t = 1; t < started; t++) pthread_join(th[t], NULL);
  /* threads that could not start: their columns run here */
  for (int t = started; t < nthreads; t++) worker(&jobs[t]);
  for (size_t c = 0; c < k; c++)
    if (status[c] != CNI_OK) {
      if (err) *err = errs[c];
      rc = status[c];
      break;
    }
done:
  free(status);
  free(errs);
  free(jobs);
  free(th);
  return rc;
}

typedef struct rjob {
  cni_rows_fn f;
  void *ctx;
  size_t lo, hi;
  int slice;
  int status;
  cni_err err;
} rjob;

static void *rworker(void *arg) {
  rjob *j = arg;
  j->status = j->f(j->ctx, j->lo, j->hi, j->slice, &j->err);
  return NULL;
}

int cni_par_rows(cni_rows_fn f, void *ctx, size_t n, int nthreads, size_t min_rows,
                 cni_err *err) {
  if (nthreads <= 0) nthreads = cni_ncpu();
  if (n < min_rows || n < (size_t)nthreads || nthreads == 1) return f(ctx, 0, n, 0, err);
  rjob *jobs = calloc((size_t)nthreads, sizeof *jobs);
  pthread_t *th = calloc((size_t)nthreads, sizeof *th);
  int *started = calloc((size_t)nthreads, sizeof *started);
  int rc = CNI_OK;
  if (!jobs || !th || !started) {
    free(jobs); free(th); free(started);
    return f(ctx, 0, n, 0, err);       /* no memory for threads: one slice */
  }
  for (int t = 0; t < nthreads; t++) {
    jobs[t].f = f;
    jobs[t].ctx = ctx;
    jobs[t].slice = t;
    jobs[t].lo = n / (size_t)nthreads * (size_t)t;
    jobs[t].hi = t == nthreads - 1 ? n : n / (size_t)nthreads * (size_t)(t + 1);
  }
  for (int t = 1; t < nthreads; t++)
    started[t] = pthread_create(&th[t], NULL, rworker, &jobs[t]) == 0;
  rworker(&jobs[0]);
  for (int t = 1; t < nthreads; t++) {
    if (started[t]) pthread_join(th[t], NULL);
    else rworker(&jobs[t]);           /* could not start: run here */
  }
  for (int t = 0; t < nthreads; t++)
    if (jobs[t].status != CNI_OK) {
      if (err) *err = jobs[t].err;
      rc = jobs[t].status;
      break;
    }
  free(jobs);
  free(th);
  free(started);
  return rc;
}
