/*
** cni_rng.c: deterministic random number generators.
** Layer: core. Never includes Lua headers.
*/
#include "cni_rng.h"

void cni_minstd_fill(double *out_, size_t n, uint64_t *state) {
  const uint64_t m = 2147483647u;
  uint64_t x = *state;
  for (size_t i = 0; i < n; i++) {
    x = x * 48271u % m;
    out_[i] = (double)x / (double)m;
  }
  *state = x;
}
