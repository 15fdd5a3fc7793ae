// grokdiff's built-in single-precision matrix product (issue 16); see gemm.h for the interface.
//
// Layout (the usual packed GEMM, as in BLIS / OpenBLAS / GotoBLAS), for C = op(A)·op(B), row-major:
//   for each block of NC columns of C and each block of kc ≤ KC_MAX of the k dimension:
//     pack op(B)[kc, nc] into micro-panels of NR columns (kc·NR contiguous floats each; ~0.5 MB: stays in L2);
//     for each MR rows of C: pack op(A)[MR, kc] into one micro-panel (kc·MR floats: stays in L1), then run the
//       micro-kernel over every NR-column micro-panel of B: an MR×NR tile of C held in registers, kc FMAs deep.
// Transposes are handled by the packing (op(A) and op(B) are read in place, whatever their layout), so there
// is no separate transpose pass. Edges (fewer than MR rows or NR columns left) are packed with zeros and the
// kernel writes only the valid part (AVX-512: masked stores), so any shape works. k is split into blocks of
// equal size; the first block stores its tile, later ones add to it.
//
// Micro-kernels: AVX-512 12×32 (24 zmm accumulators), AVX2+FMA 6×16 (12 ymm accumulators), plain C 4×16 (for
// any CPU; the compiler vectorises it). They are compiled with target attributes, so one build holds all of
// them; the best one the CPU runs is chosen at load time (gg_set_isa forces a lesser one, for tests).
//
// Threads: a small pthread pool. Within each block, the B panels are packed once into a buffer the threads
// share, then the MR-row strips of C (or MR rows × a range of B panels, when rows are few) are handed out to
// the threads through an atomic counter; each thread packs its own A micro-panels. A thread that is not
// scheduled in time (cores busy with other processes) leaves its units to the others instead of stalling the
// product. A batch of small products is shared out by runs of items. Products below GG_PARALLEL_MIN_FMAS stay
// on the calling thread. When the pool is busy (a second JavaScript thread calling in), the caller runs
// everything itself.
//
// Float32 throughout (fused multiply-adds, no reduced precision); NaN and ∞ propagate as in BLAS (nothing is
// skipped for zeros).

#define _GNU_SOURCE
#include "gemm.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define GG_X86 1
#else
#define GG_X86 0
#endif

#define KC_MAX 384
#define NC_MAX 384 /* a multiple of every NR */
#define MR_MAX 12
#define NR_MAX 32
#define MAX_THREADS 64

typedef void (*kernel_fn)(int kc, const float *a, const float *b, float *c, int64_t ldc, int mr, int nr, int acc);
typedef struct {
  int isa, mr, nr;
  kernel_fn fn;
} kernel_t;

// --------------------------------------------------------------------------------------------------------
// Micro-kernels: c[0..mr, 0..nr] (+)= Σ_p a[p·MR + r] · b[p·NR + j]; a and b are packed and 64-byte aligned.

static void kern_scalar(int kc, const float *restrict a, const float *restrict b, float *restrict c, int64_t ldc,
                        int mr, int nr, int acc) {
  float t[4][16];
  for (int r = 0; r < 4; r++)
    for (int j = 0; j < 16; j++) t[r][j] = 0.f;
  for (int p = 0; p < kc; p++) {
    for (int r = 0; r < 4; r++) {
      const float ar = a[p * 4 + r];
      for (int j = 0; j < 16; j++) t[r][j] += ar * b[p * 16 + j];
    }
  }
  for (int r = 0; r < mr; r++)
    for (int j = 0; j < nr; j++) c[r * ldc + j] = acc ? c[r * ldc + j] + t[r][j] : t[r][j];
}

#if GG_X86
__attribute__((target("avx2,fma"))) static void kern_avx2(int kc, const float *restrict a, const float *restrict b,
                                                           float *restrict c, int64_t ldc, int mr, int nr, int acc) {
  __m256 c0_0 = _mm256_setzero_ps(), c0_1 = c0_0, c1_0 = c0_0, c1_1 = c0_0, c2_0 = c0_0, c2_1 = c0_0;
  __m256 c3_0 = c0_0, c3_1 = c0_0, c4_0 = c0_0, c4_1 = c0_0, c5_0 = c0_0, c5_1 = c0_0;
  for (int p = 0; p < kc; p++) {
    const __m256 b0 = _mm256_load_ps(b), b1 = _mm256_load_ps(b + 8);
#define ROW(r)                                                                                                \
  {                                                                                                           \
    const __m256 ar = _mm256_broadcast_ss(a + r);                                                             \
    c##r##_0 = _mm256_fmadd_ps(ar, b0, c##r##_0);                                                             \
    c##r##_1 = _mm256_fmadd_ps(ar, b1, c##r##_1);                                                             \
  }
    ROW(0) ROW(1) ROW(2) ROW(3) ROW(4) ROW(5)
#undef ROW
    a += 6;
    b += 16;
  }
  if (mr == 6 && nr == 16) {
#define STORE(r)                                                                                              \
  {                                                                                                           \
    float *cr = c + r * ldc;                                                                                  \
    if (acc) {                                                                                                \
      c##r##_0 = _mm256_add_ps(c##r##_0, _mm256_loadu_ps(cr));                                                \
      c##r##_1 = _mm256_add_ps(c##r##_1, _mm256_loadu_ps(cr + 8));                                            \
    }                                                                                                         \
    _mm256_storeu_ps(cr, c##r##_0);                                                                           \
    _mm256_storeu_ps(cr + 8, c##r##_1);                                                                       \
  }
    STORE(0) STORE(1) STORE(2) STORE(3) STORE(4) STORE(5)
#undef STORE
    return;
  }
  float t[6][16] __attribute__((aligned(32)));
#define SPILL(r)                                                                                              \
  _mm256_store_ps(t[r], c##r##_0);                                                                            \
  _mm256_store_ps(t[r] + 8, c##r##_1);
  SPILL(0) SPILL(1) SPILL(2) SPILL(3) SPILL(4) SPILL(5)
#undef SPILL
  for (int r = 0; r < mr; r++)
    for (int j = 0; j < nr; j++) c[r * ldc + j] = acc ? c[r * ldc + j] + t[r][j] : t[r][j];
}

__attribute__((target("avx512f"))) static void kern_avx512(int kc, const float *restrict a, const float *restrict b,
                                                            float *restrict c, int64_t ldc, int mr, int nr, int acc) {
  __m512 c0_0 = _mm512_setzero_ps(), c0_1 = c0_0, c1_0 = c0_0, c1_1 = c0_0, c2_0 = c0_0, c2_1 = c0_0;
  __m512 c3_0 = c0_0, c3_1 = c0_0, c4_0 = c0_0, c4_1 = c0_0, c5_0 = c0_0, c5_1 = c0_0;
  __m512 c6_0 = c0_0, c6_1 = c0_0, c7_0 = c0_0, c7_1 = c0_0, c8_0 = c0_0, c8_1 = c0_0;
  __m512 c9_0 = c0_0, c9_1 = c0_0, c10_0 = c0_0, c10_1 = c0_0, c11_0 = c0_0, c11_1 = c0_0;
  for (int p = 0; p < kc; p++) {
    const __m512 b0 = _mm512_load_ps(b), b1 = _mm512_load_ps(b + 16);
#define ROW(r)                                                                                                \
  {                                                                                                           \
    const __m512 ar = _mm512_set1_ps(a[r]);                                                                   \
    c##r##_0 = _mm512_fmadd_ps(ar, b0, c##r##_0);                                                             \
    c##r##_1 = _mm512_fmadd_ps(ar, b1, c##r##_1);                                                             \
  }
    ROW(0) ROW(1) ROW(2) ROW(3) ROW(4) ROW(5) ROW(6) ROW(7) ROW(8) ROW(9) ROW(10) ROW(11)
#undef ROW
    a += 12;
    b += 32;
  }
  const __mmask16 m0 = nr >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << nr) - 1u);
  const __mmask16 m1 = nr >= 32 ? (__mmask16)0xFFFF : nr > 16 ? (__mmask16)((1u << (nr - 16)) - 1u) : (__mmask16)0;
#define STORE(r)                                                                                              \
  if (r < mr) {                                                                                               \
    float *cr = c + r * ldc;                                                                                  \
    if (acc) {                                                                                                \
      c##r##_0 = _mm512_add_ps(c##r##_0, _mm512_maskz_loadu_ps(m0, cr));                                      \
      c##r##_1 = _mm512_add_ps(c##r##_1, _mm512_maskz_loadu_ps(m1, cr + 16));                                 \
    }                                                                                                         \
    _mm512_mask_storeu_ps(cr, m0, c##r##_0);                                                                  \
    _mm512_mask_storeu_ps(cr + 16, m1, c##r##_1);                                                             \
  }
  STORE(0) STORE(1) STORE(2) STORE(3) STORE(4) STORE(5) STORE(6) STORE(7) STORE(8) STORE(9) STORE(10) STORE(11)
#undef STORE
}
#endif

static const kernel_t KERNELS[3] = {
    {GG_ISA_SCALAR, 4, 16, kern_scalar},
#if GG_X86
    {GG_ISA_AVX2, 6, 16, kern_avx2},
    {GG_ISA_AVX512, 12, 32, kern_avx512},
#else
    {GG_ISA_SCALAR, 4, 16, kern_scalar},
    {GG_ISA_SCALAR, 4, 16, kern_scalar},
#endif
};

static _Atomic(const kernel_t *) current_kernel = NULL;
static atomic_int thread_count = 0;

int gg_best_isa(void) {
#if GG_X86
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return GG_ISA_AVX512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return GG_ISA_AVX2;
#endif
  return GG_ISA_SCALAR;
}

int gg_set_isa(int isa) {
  const int best = gg_best_isa();
  if (isa > best) isa = best;
  if (isa < GG_ISA_SCALAR) isa = GG_ISA_SCALAR;
  atomic_store(&current_kernel, &KERNELS[isa]);
  return isa;
}

static const kernel_t *kernel(void) {
  const kernel_t *k = atomic_load(&current_kernel);
  if (k == NULL) {
    gg_set_isa(gg_best_isa());
    k = atomic_load(&current_kernel);
  }
  return k;
}

int gg_isa(void) { return kernel()->isa; }

const char *gg_isa_name(int isa) { return isa == GG_ISA_AVX512 ? "avx512" : isa == GG_ISA_AVX2 ? "avx2" : "scalar"; }

void gg_tile(int *mr, int *nr) {
  *mr = kernel()->mr;
  *nr = kernel()->nr;
}

int gg_available_cores(void) {
#ifdef __linux__
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) {
    const int n = CPU_COUNT(&set);
    if (n >= 1) return n;
  }
#endif
  const long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n >= 1 ? (int)n : 1;
}

void gg_set_threads(int threads) {
  atomic_store(&thread_count, threads < 1 ? 1 : threads > MAX_THREADS ? MAX_THREADS : threads);
}

int gg_threads(void) {
  int t = atomic_load(&thread_count);
  if (t == 0) {
    gg_set_threads(gg_available_cores());
    t = atomic_load(&thread_count);
  }
  return t;
}

// --------------------------------------------------------------------------------------------------------
// Packing. op(A)(i, p) = ta ? A[p·lda + i] : A[i·lda + p];  op(B)(p, j) = tb ? B[j·ldb + p] : B[p·ldb + j].

// One A micro-panel: rows i0 … i0+mr of op(A), columns p0 … p0+kc → dst[p·MR + r]; rows mr … MR are zeros.
static void pack_a(int ta, const float *A, int64_t lda, int64_t i0, int mr, int64_t p0, int kc, int MR,
                   float *restrict dst) {
  if (ta) {
    for (int p = 0; p < kc; p++) {
      const float *src = A + (p0 + p) * lda + i0;
      float *d = dst + p * MR;
      int r = 0;
      for (; r < mr; r++) d[r] = src[r];
      for (; r < MR; r++) d[r] = 0.f;
    }
  } else {
    for (int r = 0; r < mr; r++) {
      const float *src = A + (i0 + r) * lda + p0;
      for (int p = 0; p < kc; p++) dst[p * MR + r] = src[p];
    }
    for (int r = mr; r < MR; r++)
      for (int p = 0; p < kc; p++) dst[p * MR + r] = 0.f;
  }
}

// One B micro-panel: columns j0 … j0+nr (nr ≤ NR) of op(B), rows p0 … p0+kc → d[p·NR + c]; columns nr … NR
// are zeros.
static void pack_b_panel(int tb, const float *B, int64_t ldb, int64_t p0, int kc, int64_t j0, int nr, int NR,
                         float *restrict d) {
  if (!tb) {
    for (int p = 0; p < kc; p++) {
      const float *src = B + (p0 + p) * ldb + j0;
      float *dp = d + p * NR;
      int c = 0;
      for (; c < nr; c++) dp[c] = src[c];
      for (; c < NR; c++) dp[c] = 0.f;
    }
  } else {
    for (int c = 0; c < nr; c++) {
      const float *src = B + (j0 + c) * ldb + p0;
      for (int p = 0; p < kc; p++) d[p * NR + c] = src[p];
    }
    for (int c = nr; c < NR; c++)
      for (int p = 0; p < kc; p++) d[p * NR + c] = 0.f;
  }
}

// Per-thread packing buffers (freed when the thread exits).
typedef struct {
  float *a, *b;
} buffers_t;
static pthread_key_t buffers_key;
static pthread_once_t buffers_once = PTHREAD_ONCE_INIT;
static int buffers_key_ok = 0;

static void buffers_free(void *p) {
  buffers_t *b = (buffers_t *)p;
  free(b->a);
  free(b->b);
  free(b);
}
static void buffers_init(void) { buffers_key_ok = pthread_key_create(&buffers_key, buffers_free) == 0; }

static buffers_t *thread_buffers(void) {
  pthread_once(&buffers_once, buffers_init);
  if (!buffers_key_ok) return NULL;
  buffers_t *b = (buffers_t *)pthread_getspecific(buffers_key);
  if (b != NULL) return b;
  b = (buffers_t *)calloc(1, sizeof *b);
  if (b == NULL) return NULL;
  b->a = (float *)aligned_alloc(64, sizeof(float) * MR_MAX * KC_MAX);
  b->b = (float *)aligned_alloc(64, sizeof(float) * KC_MAX * NC_MAX);
  if (b->a == NULL || b->b == NULL || pthread_setspecific(buffers_key, b) != 0) {
    buffers_free(b);
    return NULL;
  }
  return b;
}

// --------------------------------------------------------------------------------------------------------
// Thread pool. A round hands out units 0 … units−1 through an atomic counter: the caller and the workers that
// wake in time take units until none is left, then the caller waits only for units still in progress. So a
// worker that is not scheduled (cores busy with other processes) delays nothing: the caller does its share.

typedef void (*unit_fn)(void *ctx, int64_t unit);
static struct {
  pthread_mutex_t mu, busy;
  pthread_cond_t go, done;
  int nworkers;  // started so far
  int helpers;   // workers 1 … helpers may join the current round
  int open;      // the current round still accepts workers
  int active;    // workers inside the current round
  atomic_ulong gen;
  atomic_llong next, finished;
  unit_fn fn;
  void *ctx;
  int64_t units;
} pool = {.mu = PTHREAD_MUTEX_INITIALIZER,
          .busy = PTHREAD_MUTEX_INITIALIZER,
          .go = PTHREAD_COND_INITIALIZER,
          .done = PTHREAD_COND_INITIALIZER};

/** Spin iterations (x86 pause) before sleeping: a worker waiting for the next round, the caller waiting for the
 * last units. Short (tens of µs), so an idle worker does not keep a core busy while tfjs runs its
 * single-threaded kernels between products. */
#define SPIN 4000

static inline void cpu_relax(void) {
#if GG_X86
  _mm_pause();
#endif
}

static void take_units(unit_fn fn, void *ctx, int64_t units, int notify) {
  for (;;) {
    const int64_t u = atomic_fetch_add(&pool.next, 1);
    if (u >= units) return;
    fn(ctx, u);
    if (atomic_fetch_add(&pool.finished, 1) + 1 == units && notify) {
      pthread_mutex_lock(&pool.mu);
      pthread_cond_broadcast(&pool.done);
      pthread_mutex_unlock(&pool.mu);
    }
  }
}

static void *worker_main(void *arg) {
  const int index = (int)(intptr_t)arg;
  unsigned long seen = 0;
  for (;;) {
    for (int s = 0; s < SPIN && atomic_load_explicit(&pool.gen, memory_order_acquire) == seen; s++) cpu_relax();
    pthread_mutex_lock(&pool.mu);
    while (atomic_load(&pool.gen) == seen) pthread_cond_wait(&pool.go, &pool.mu);
    seen = atomic_load(&pool.gen);
    if (!pool.open || index > pool.helpers) {
      pthread_mutex_unlock(&pool.mu);
      continue;
    }
    pool.active++;
    const unit_fn fn = pool.fn;
    void *ctx = pool.ctx;
    const int64_t units = pool.units;
    pthread_mutex_unlock(&pool.mu);
    take_units(fn, ctx, units, 1);
    pthread_mutex_lock(&pool.mu);
    if (--pool.active == 0) pthread_cond_broadcast(&pool.done);
    pthread_mutex_unlock(&pool.mu);
  }
  return NULL;
}

/** Runs fn(ctx, u) for u < units on up to `threads` threads (the caller included); returns when all are done. */
static void run_units(unit_fn fn, void *ctx, int64_t units, int threads) {
  if (threads > units) threads = (int)units;
  if (threads <= 1 || pthread_mutex_trylock(&pool.busy) != 0) {
    for (int64_t u = 0; u < units; u++) fn(ctx, u);
    return;
  }
  while (pool.nworkers < threads - 1) {
    pthread_t t;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    const int ok = pthread_create(&t, &attr, worker_main, (void *)(intptr_t)(pool.nworkers + 1)) == 0;
    pthread_attr_destroy(&attr);
    if (!ok) break;  // fewer helpers: the caller takes more units
    pool.nworkers++;
  }
  pthread_mutex_lock(&pool.mu);
  pool.fn = fn;
  pool.ctx = ctx;
  pool.units = units;
  pool.helpers = threads - 1;
  pool.open = 1;
  atomic_store(&pool.next, 0);
  atomic_store(&pool.finished, 0);
  atomic_fetch_add(&pool.gen, 1);
  pthread_cond_broadcast(&pool.go);
  pthread_mutex_unlock(&pool.mu);
  take_units(fn, ctx, units, 0);
  for (int s = 0; s < SPIN && atomic_load(&pool.finished) < units; s++) cpu_relax();
  pthread_mutex_lock(&pool.mu);
  while (atomic_load(&pool.finished) < units) pthread_cond_wait(&pool.done, &pool.mu);
  pool.open = 0;  // late workers skip this round; those inside find no unit and leave
  while (pool.active > 0) pthread_cond_wait(&pool.done, &pool.mu);
  pthread_mutex_unlock(&pool.mu);
  pthread_mutex_unlock(&pool.busy);
}

void gg_parallel(void (*fn)(void *ctx, int64_t unit), void *ctx, int64_t units, int threads) {
  run_units(fn, ctx, units, threads < 1 ? gg_threads() : threads);
}

// --------------------------------------------------------------------------------------------------------
// One product, C[m, n] (row stride ldc) = op(A)·op(B) (+ bias), on up to `threads` threads. For each block of
// columns and of k: the B panels are packed once into a buffer all threads share (one round, a unit per
// panel), then the C tiles are computed (one round, a unit per MR rows, or per MR rows × a range of B panels
// when there are few rows); each thread packs its own A micro-panel. Returns 0 when out of memory.

typedef struct {
  const kernel_t *K;
  int ta, tb, m, n, k;
  const float *A, *B, *bias;
  int64_t lda, ldb, ldc;
  float *C;
  // the current block
  int jc, nc, p0, kc, acc, last, panels, jchunks;
  float *bp;
  atomic_int failed;
} gemm_t;

static void unit_pack_b(void *ctx, int64_t u) {
  gemm_t *g = (gemm_t *)ctx;
  const int NR = g->K->nr, j = (int)u * NR;
  pack_b_panel(g->tb, g->B, g->ldb, g->p0, g->kc, g->jc + j, g->nc - j < NR ? g->nc - j : NR, NR,
               g->bp + u * g->kc * NR);
}

static void unit_compute(void *ctx, int64_t u) {
  gemm_t *g = (gemm_t *)ctx;
  const int MR = g->K->mr, NR = g->K->nr;
  const int i0 = (int)(u / g->jchunks) * MR, q = (int)(u % g->jchunks);
  const int mr = g->m - i0 < MR ? g->m - i0 : MR;
  const int from = (int)((int64_t)g->panels * q / g->jchunks), to = (int)((int64_t)g->panels * (q + 1) / g->jchunks);
  if (from >= to) return;
  buffers_t *buf = thread_buffers();
  if (buf == NULL) {
    atomic_store(&g->failed, 1);
    return;
  }
  pack_a(g->ta, g->A, g->lda, i0, mr, g->p0, g->kc, MR, buf->a);
  float *c = g->C + (int64_t)i0 * g->ldc + g->jc;
  for (int pnl = from; pnl < to; pnl++) {
    const int j = pnl * NR, nr = g->nc - j < NR ? g->nc - j : NR;
    g->K->fn(g->kc, buf->a, g->bp + (int64_t)pnl * g->kc * NR, c + j, g->ldc, mr, nr, g->acc);
  }
  if (g->last && g->bias != NULL) {
    const int j0 = from * NR, j1 = to * NR < g->nc ? to * NR : g->nc;
    for (int r = 0; r < mr; r++) {
      float *restrict row = c + (int64_t)r * g->ldc;
      const float *restrict b = g->bias + g->jc;
      for (int j = j0; j < j1; j++) row[j] += b[j];
    }
  }
}

static int gemm_blocked(const kernel_t *K, int ta, int tb, int m, int n, int k, const float *A, const float *B,
                        float *C, const float *bias, int threads) {
  buffers_t *buf = thread_buffers();
  if (buf == NULL) return 0;
  const int MR = K->mr, NR = K->nr;
  gemm_t g = {K, ta, tb, m, n, k, A, B, bias, ta ? m : k, tb ? k : n, n, C};
  g.bp = buf->b;
  atomic_store(&g.failed, 0);
  const int nblocks = (n + NC_MAX - 1) / NC_MAX, kblocks = (k + KC_MAX - 1) / KC_MAX;
  const int ncb = ((n + nblocks - 1) / nblocks + NR - 1) / NR * NR;  // balanced, whole panels (≤ NC_MAX)
  const int rowblocks = (m + MR - 1) / MR;
  for (int jc = 0; jc < n; jc += ncb) {
    g.jc = jc;
    g.nc = n - jc < ncb ? n - jc : ncb;
    g.panels = (g.nc + NR - 1) / NR;
    // Enough units for the threads to share evenly (4 per thread), splitting the panels when rows are few.
    g.jchunks = threads <= 1 || rowblocks >= 4 * threads ? 1 : (4 * threads + rowblocks - 1) / rowblocks;
    if (g.jchunks > g.panels) g.jchunks = g.panels;
    for (int kb = 0; kb < kblocks; kb++) {
      g.p0 = (int)((int64_t)k * kb / kblocks);
      g.kc = (int)((int64_t)k * (kb + 1) / kblocks) - g.p0;
      g.acc = kb > 0;
      g.last = kb == kblocks - 1;
      // Packing a small block is not worth a round of the pool.
      run_units(unit_pack_b, &g, g.panels, (int64_t)g.kc * g.nc >= 32768 ? threads : 1);
      run_units(unit_compute, &g, (int64_t)rowblocks * g.jchunks, threads);
    }
  }
  return !atomic_load(&g.failed);
}

// Tiny products (attention over a handful of tokens): plain loops beat packing.
void gg_sgemm_tiny(int ta, int tb, int m, int n, int k, const float *A, const float *B, float *C,
                      const float *bias) {
  for (int i = 0; i < m; i++)
    for (int j = 0; j < n; j++) {
      float s = 0.f;
      for (int p = 0; p < k; p++) {
        const float a = ta ? A[(int64_t)p * m + i] : A[(int64_t)i * k + p];
        const float b = tb ? B[(int64_t)j * k + p] : B[(int64_t)p * n + j];
        s += a * b;
      }
      C[(int64_t)i * n + j] = bias != NULL ? s + bias[j] : s;
    }
}

#define TINY_FMAS 4096

// --------------------------------------------------------------------------------------------------------
// Batches: items of a large product run one after another, each on all threads; small items are shared out
// between the threads in runs of items.

typedef struct {
  const kernel_t *K;
  int ta, tb, m, n, k;
  const float *A, *B, *bias;
  int64_t aStride, bStride, batch, per_unit;
  float *C;
  atomic_int failed;
} batch_t;

static int one_item(const batch_t *j, int64_t i, int threads) {
  const float *A = j->A + i * j->aStride, *B = j->B + i * j->bStride;
  float *C = j->C + i * (int64_t)j->m * j->n;
  if ((int64_t)j->m * j->n * j->k < TINY_FMAS) {
    gg_sgemm_tiny(j->ta, j->tb, j->m, j->n, j->k, A, B, C, j->bias);
    return 1;
  }
  return gemm_blocked(j->K, j->ta, j->tb, j->m, j->n, j->k, A, B, C, j->bias, threads);
}

static void unit_items(void *ctx, int64_t u) {
  batch_t *j = (batch_t *)ctx;
  const int64_t to = (u + 1) * j->per_unit < j->batch ? (u + 1) * j->per_unit : j->batch;
  for (int64_t i = u * j->per_unit; i < to; i++)
    if (!one_item(j, i, 1)) atomic_store(&j->failed, 1);
}

int gg_sgemm_batch(int ta, int tb, int64_t batch, int m, int n, int k, const float *A, int64_t aStride,
                   const float *B, int64_t bStride, float *C, const float *bias) {
  batch_t j = {kernel(), ta, tb, m, n, k, A, B, bias, aStride, bStride, batch, 1, C};
  atomic_store(&j.failed, 0);
  const int64_t fmas = (int64_t)m * n * k;
  const int threads = fmas * batch < GG_PARALLEL_MIN_FMAS ? 1 : gg_threads();
  if (threads > 1 && batch > 1 && fmas < GG_PARALLEL_MIN_FMAS) {
    // Many small items: runs of items, about 8 per thread, taken as threads come free.
    j.per_unit = (batch + 8 * threads - 1) / (8 * threads);
    run_units(unit_items, &j, (batch + j.per_unit - 1) / j.per_unit, threads);
  } else {
    for (int64_t i = 0; i < batch; i++)
      if (!one_item(&j, i, fmas < GG_PARALLEL_MIN_FMAS ? 1 : threads)) atomic_store(&j.failed, 1);
  }
  return !atomic_load(&j.failed);
}

// --------------------------------------------------------------------------------------------------------
// Peak: 16 independent FMA chains (more than latency × ports on current cores), timed.

static double seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

#define CHAINS(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12) X(13) X(14) X(15)
#if GG_X86
__attribute__((target("avx512f"))) static double peak_avx512(long iters) {
  const __m512 x = _mm512_set1_ps(0.999999f), y = _mm512_set1_ps(1e-7f);
#define DECL(i) __m512 r##i = _mm512_set1_ps((float)i);
#define STEP(i) r##i = _mm512_fmadd_ps(r##i, x, y);
#define SUM(i) s = _mm512_add_ps(s, r##i);
  CHAINS(DECL)
  for (long it = 0; it < iters; it++) {
    CHAINS(STEP)
    __asm__ volatile("" ::: "memory");
  }
  __m512 s = _mm512_setzero_ps();
  CHAINS(SUM)
  return (double)_mm512_reduce_add_ps(s);
}
__attribute__((target("avx2,fma"))) static double peak_avx2(long iters) {
  const __m256 x = _mm256_set1_ps(0.999999f), y = _mm256_set1_ps(1e-7f);
#undef DECL
#undef SUM
#define DECL(i) __m256 r##i = _mm256_set1_ps((float)i);
#undef STEP
#define STEP(i) r##i = _mm256_fmadd_ps(r##i, x, y);
  CHAINS(DECL)
  for (long it = 0; it < iters; it++) {
    CHAINS(STEP)
    __asm__ volatile("" ::: "memory");
  }
  float out[8];
  __m256 s = _mm256_setzero_ps();
#define SUM(i) s = _mm256_add_ps(s, r##i);
  CHAINS(SUM)
  _mm256_storeu_ps(out, s);
  return (double)out[0];
}
#undef DECL
#undef STEP
#undef SUM
#endif

double gg_fma_peak_gflops(int isa, double ms) {
  if (isa > gg_best_isa()) return 0;
#if GG_X86
  if (isa == GG_ISA_SCALAR) return 0;
  const int lanes = isa == GG_ISA_AVX512 ? 16 : 8;
  volatile double sink = 0;
  long iters = 1 << 14;
  double best = 0, spent = 0;
  while (spent < ms * 1e-3) {
    const double t0 = seconds();
    sink += isa == GG_ISA_AVX512 ? peak_avx512(iters) : peak_avx2(iters);
    const double t = seconds() - t0;
    spent += t;
    if (t > 0 && 16.0 * lanes * 2.0 * (double)iters / t > best) best = 16.0 * lanes * 2.0 * (double)iters / t;
    if (t < 1e-3) iters *= 2;
  }
  (void)sink;
  return best / 1e9;
#else
  (void)ms;
  return 0;
#endif
}
