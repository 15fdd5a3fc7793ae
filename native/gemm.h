// grokdiff's built-in single-precision matrix product (native/gemm.c): packed, cache-blocked, with a
// register-blocked micro-kernel for AVX-512 (12×32), AVX2+FMA (6×16) or plain C (4×16, any CPU), and a small
// thread pool that splits large products across the cores. It needs only the C compiler (no BLAS).
// Plain C, no Node headers: native/gemm-check.c exercises it on its own.
#ifndef GROKDIFF_GEMM_H
#define GROKDIFF_GEMM_H
#include <stdint.h>

/** Micro-kernel families; gg_set_isa clamps a request to what this CPU (and this build) can run. */
enum { GG_ISA_SCALAR = 0, GG_ISA_AVX2 = 1, GG_ISA_AVX512 = 2 };

/** The best micro-kernel this CPU supports. */
int gg_best_isa(void);
/** Selects the micro-kernel; returns the one selected (the request, or the best one below it that runs here). */
int gg_set_isa(int isa);
int gg_isa(void);
/** "avx512", "avx2" or "scalar". */
const char *gg_isa_name(int isa);
/** Micro-tile of the selected kernel (rows × columns of C kept in registers). */
void gg_tile(int *mr, int *nr);

/** Cores this process may run on (sched_getaffinity), at least 1. */
int gg_available_cores(void);
/** Threads for large products (1 … 64; clamped). Small products always run on the calling thread. */
void gg_set_threads(int threads);
int gg_threads(void);
/** Products with fewer multiply-adds than this (in total over the batch) stay on one thread. */
#define GG_PARALLEL_MIN_FMAS (1L << 21)

/**
 * C_i = op(A_i)·op(B_i) (+ bias[n] on every row when bias != NULL) for i < batch, row-major, float32.
 * op(A) is m×k: A_i is [m,k] (ta = 0) or [k,m] (ta = 1), at A + i·aStride; op(B) is k×n: B_i is [k,n] (tb = 0)
 * or [n,k] (tb = 1), at B + i·bStride (a stride of 0 broadcasts one operand). C is [batch, m, n] contiguous.
 * Returns 0 when a packing buffer cannot be allocated (C is then incomplete); 1 otherwise.
 */
int gg_sgemm_batch(int ta, int tb, int64_t batch, int m, int n, int k, const float *A, int64_t aStride,
                   const float *B, int64_t bStride, float *C, const float *bias);

/** One small product by plain loops (no packing, no threads), for products too small to be worth packing; bias may be NULL. */
void gg_sgemm_tiny(int ta, int tb, int m, int n, int k, const float *A, const float *B, float *C, const float *bias);

/** Runs fn(ctx, u) for every u < units on up to `threads` threads (the caller included; < 1: gg_threads()),
 * units handed out as threads come free; returns when all are done. Used for the element-wise kernels too. */
void gg_parallel(void (*fn)(void *ctx, int64_t unit), void *ctx, int64_t units, int threads);

/** GFLOP/s of independent register FMAs with micro-kernel family `isa` on the calling thread, timed for about
 * `ms` milliseconds: the peak one core reaches at its present clock. 0 when the CPU lacks `isa`. */
double gg_fma_peak_gflops(int isa, double ms);

#endif
