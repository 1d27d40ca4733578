/*
** cni_rng.h: deterministic random number generators of the C core.
** Layer: core. Never includes Lua headers.
*/
#ifndef CNI_RNG_H
#define CNI_RNG_H

#include <stddef.h>
#include <stdint.h>

/* MINSTD (Park-Miller, a = 48271, m = 2^31 - 1): x_{k+1} = a x_k mod m.
** Fills out_[i] = x_{k+i+1} / m from the state x_k in *state (advanced).
** The benchmarks' W5 generator; exact in integer arithmetic. O(n). */
void cni_minstd_fill(double *out_, size_t n, uint64_t *state);

#endif
