// Stand-alone check and timing of native/gemm.c without Node (developer tool; the vitest suite checks the
// same product through the addon). Build and run:
//   cc -O3 -march=native -pthread native/gemm.c native/gemm-check.c -o /tmp/gemm-check -ldl
//   /tmp/gemm-check check                       every transpose, odd and large shapes, batches, broadcast,
//                                               NaN/Inf, each micro-kernel, 1 and 2 threads vs float64
//   /tmp/gemm-check time M N K [ta tb reps]     GFLOP/s of each micro-kernel and thread count (and OpenBLAS's
//                                               cblas_sgemm when libopenblas.so.0 loads), interleaved
#define _GNU_SOURCE
#include "gemm.h"

#include <dlfcn.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t rng = 88172645463325252ull;
static float rnd(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return (float)((rng >> 11) * (1.0 / 9007199254740992.0)) - 0.5f;
}

static double check_one(int ta, int tb, int64_t batch, int m, int n, int k, int bcastA, int bcastB, int bias) {
  const int64_t aItems = bcastA ? 1 : batch, bItems = bcastB ? 1 : batch;
  float *A = malloc(sizeof(float) * aItems * m * k), *B = malloc(sizeof(float) * bItems * k * n);
  float *C = malloc(sizeof(float) * batch * m * n), *bv = malloc(sizeof(float) * n);
  for (int64_t i = 0; i < aItems * m * k; i++) A[i] = rnd();
  for (int64_t i = 0; i < bItems * k * n; i++) B[i] = rnd();
  for (int j = 0; j < n; j++) bv[j] = rnd();
  for (int64_t i = 0; i < batch * m * n; i++) C[i] = NAN;  // must be overwritten
  if (!gg_sgemm_batch(ta, tb, batch, m, n, k, A, bcastA ? 0 : (int64_t)m * k, B, bcastB ? 0 : (int64_t)k * n, C,
                      bias ? bv : NULL)) {
    printf("out of memory\n");
    exit(1);
  }
  double worst = 0;
  for (int64_t b = 0; b < batch; b++) {
    const float *a = A + (bcastA ? 0 : b * m * k), *bb = B + (bcastB ? 0 : b * k * n);
    for (int i = 0; i < m; i++)
      for (int j = 0; j < n; j++) {
        double s = bias ? bv[j] : 0, mag = bias ? fabs(bv[j]) : 0;
        for (int p = 0; p < k; p++) {
          const double x = ta ? a[(int64_t)p * m + i] : a[(int64_t)i * k + p];
          const double y = tb ? bb[(int64_t)j * k + p] : bb[(int64_t)p * n + j];
          s += x * y;
          mag += fabs(x * y);
        }
        const double e = fabs(C[b * m * n + (int64_t)i * n + j] - s) / (mag + 1e-30);
        if (!(e <= worst)) worst = isnan(e) ? INFINITY : e;
      }
  }
  free(A), free(B), free(C), free(bv);
  return worst;
}

// Where op(A)(i, p) lies in A.
static int64_t ta_index(int ta, int i, int p, int m, int k) { return ta ? (int64_t)p * m + i : (int64_t)i * k + p; }

static int check(void) {
  static const int shapes[][3] = {{1, 1, 1},     {1, 7, 3},     {5, 1, 9},      {3, 3, 64},     {13, 33, 17},
                                  {12, 32, 16},  {24, 64, 385}, {37, 29, 41},   {64, 70, 3},    {5, 130, 66},
                                  {100, 1, 100}, {1, 100, 100}, {97, 389, 401}, {255, 129, 770}, {476, 512, 513},
                                  {1428, 96, 40}};
  int bad = 0;
  const int best = gg_best_isa();
  for (int isa = best; isa >= 0; isa--) {
    gg_set_isa(isa);
    for (int threads = 1; threads <= 2; threads++) {
      gg_set_threads(threads);
      double worst = 0;
      for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
        for (int t = 0; t < 4; t++) {
          const double e = check_one(t & 1, t >> 1, 1, shapes[s][0], shapes[s][1], shapes[s][2], 0, 0, s & 1);
          if (e > worst) worst = e;
          if (!(e < 1e-5)) printf("  FAIL %s t%d %dx%dx%d ta%d tb%d: %g\n", gg_isa_name(isa), threads, shapes[s][0],
                                  shapes[s][1], shapes[s][2], t & 1, t >> 1, e), bad++;
        }
      // Batches: equal, A broadcast, B broadcast; few big items (split inside) and many small (split by items).
      static const int batches[][4] = {{3, 40, 50, 60}, {2, 300, 200, 100}, {9, 37, 3, 64}, {64, 3, 3, 64}};
      for (size_t s = 0; s < 4; s++)
        for (int t = 0; t < 4; t++)
          for (int bc = 0; bc < 3; bc++) {
            const double e = check_one(t & 1, t >> 1, batches[s][0], batches[s][1], batches[s][2], batches[s][3],
                                       bc == 1, bc == 2, 0);
            if (e > worst) worst = e;
            if (!(e < 1e-5)) printf("  FAIL batch %s t%d #%zu bc%d: %g\n", gg_isa_name(isa), threads, s, bc, e), bad++;
          }
      // NaN and ∞: a NaN in A poisons its row of C; an ∞ in B its column (with ±∞ or NaN); zeros elsewhere.
      for (int t = 0; t < 4; t++) {
        const int m = 50, n = 70, k = 90;
        float *A = calloc((size_t)m * k, 4), *B = calloc((size_t)k * n, 4), *C = malloc((size_t)m * n * 4);
        A[ta_index(t & 1, 7, 11, m, k)] = NAN;
        B[(t >> 1) ? (int64_t)33 * k + 5 : (int64_t)5 * n + 33] = INFINITY;
        gg_sgemm_batch(t & 1, t >> 1, 1, m, n, k, A, 0, B, 0, C, NULL);
        int ok = 1;
        for (int i = 0; i < m; i++)
          for (int j = 0; j < n; j++) {
            const float c = C[i * n + j];
            if (i == 7 || j == 33) ok &= isnan(c) || isinf(c);
            else ok &= c == 0.f;
            if (i == 7) ok &= isnan(c) != 0;
          }
        if (!ok) printf("  FAIL NaN/Inf %s t%d ta%d tb%d\n", gg_isa_name(isa), threads, t & 1, t >> 1), bad++;
        free(A), free(B), free(C);
      }
      printf("%-6s %d thread(s): worst relative error %.3g\n", gg_isa_name(isa), threads, worst);
    }
  }
  printf(bad ? "%d FAILURES\n" : "all passed\n", bad);
  return bad ? 1 : 0;
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

typedef void (*sgemm_fn)(int, int, int, int, int, int, float, const float *, int, const float *, int, float, float *,
                         int);

static int timing(int m, int n, int k, int ta, int tb, int reps) {
  float *A = malloc(sizeof(float) * m * k), *B = malloc(sizeof(float) * k * n), *C = malloc(sizeof(float) * m * n);
  for (int64_t i = 0; i < (int64_t)m * k; i++) A[i] = rnd();
  for (int64_t i = 0; i < (int64_t)k * n; i++) B[i] = rnd();
  void *h = dlopen("libopenblas.so.0", RTLD_NOW);
  sgemm_fn blas = h ? (sgemm_fn)dlsym(h, "cblas_sgemm") : NULL;
  void (*blas_threads)(int) = h ? (void (*)(int))dlsym(h, "openblas_set_num_threads") : NULL;
  const double flop = 2.0 * m * n * k;
  printf("%dx%dx%d ta%d tb%d (GFLOP/s, best of %d; interleaved)\n", m, n, k, ta, tb, reps);
  for (int threads = 1; threads <= 2; threads++) {
    for (int isa = gg_best_isa(); isa >= -1; isa--) {
      if (isa == -1 && blas == NULL) continue;
      double best = 1e30;
      gg_set_threads(threads);
      if (isa >= 0) gg_set_isa(isa);
      if (blas_threads) blas_threads(threads);
      for (int r = 0; r < reps; r++) {
        const double t0 = now();
        if (isa >= 0) gg_sgemm_batch(ta, tb, 1, m, n, k, A, 0, B, 0, C, NULL);
        else blas(101, ta ? 112 : 111, tb ? 112 : 111, m, n, k, 1.f, A, ta ? m : k, B, tb ? k : n, 0.f, C, n);
        const double t = now() - t0;
        if (t < best) best = t;
      }
      printf("  %d thread(s) %-8s %7.1f\n", threads, isa >= 0 ? gg_isa_name(isa) : "OpenBLAS", flop / best / 1e9);
    }
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc >= 2 && strcmp(argv[1], "check") == 0) return check();
  if (argc >= 5 && strcmp(argv[1], "time") == 0)
    return timing(atoi(argv[2]), atoi(argv[3]), atoi(argv[4]), argc > 5 ? atoi(argv[5]) : 0,
                  argc > 6 ? atoi(argv[6]) : 0, argc > 7 ? atoi(argv[7]) : 20);
  fprintf(stderr, "usage: gemm-check check | time M N K [ta tb reps]\n");
  return 2;
}
