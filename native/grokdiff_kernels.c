// grokdiff's optional native CPU kernels (issues #8 and #16): float32 matrix products and the transcendental
// element-wise kernels of the DiT's training step (erf and exp of the exact GeLU and its gradient), a Sum, a
// fused AdamW update, and broadcasting Add / Sub / Multiply and Transpose split across the threads (issue 28),
// run on memory that tfjs-backend-wasm owns. tfjs-backend-wasm is single-threaded in Node
// and limited to 128-bit SIMD; these kernels are compiled on the user's machine with -O3 -march=native.
// The products use grokdiff's own packed GEMM (native/gemm.c: AVX-512 / AVX2 / plain C micro-kernels, split
// across the cores for large products; it needs nothing but the C compiler). OpenBLAS's cblas_sgemm
// (libopenblas.so.0, loaded with dlopen when asked for: GROKDIFF_NATIVE_BLAS=openblas) is kept as an option
// for comparison.
//
// Every function takes the wasm heap (an ArrayBuffer) and float offsets into it, so no tensor is copied
// between JavaScript and C. Bounds are checked here, in C, before any memory is touched: a wrong offset is a
// JavaScript RangeError naming the operand, never a write outside the heap.
//
// Built by native/build.mjs (no node-gyp, no download: it needs a C compiler and Node's own node_api.h).

#define NAPI_VERSION 8
#include <node_api.h>
#include <dlfcn.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gemm.h"

// --------------------------------------------------------------------------------------------------------
// Settings: which product (grokdiff's packed GEMM of native/gemm.c, or OpenBLAS's cblas_sgemm), how many threads,
// which micro-kernel. Read from the environment on first use, changed by configure():
//   GROKDIFF_NATIVE_BLAS     unset, "builtin", "0", "off": the built-in product (the default; it is faster than
//                            OpenBLAS on the products measured here, see README Performance);
//                            "openblas", "1", "on": OpenBLAS's cblas_sgemm when libopenblas.so.0 loads (else built-in)
//   GROKDIFF_NATIVE_THREADS  threads for large products (default: the cores this process may run on)
//   GROKDIFF_NATIVE_ISA      "avx512", "avx2" or "scalar": force a micro-kernel (tests; default: the best one)
// Unknown values are ignored here; src/engine/wasm-native.ts rejects them with an error naming the variable.

enum { CblasRowMajor = 101, CblasNoTrans = 111, CblasTrans = 112 };
typedef void (*sgemm_fn)(int, int, int, int, int, int, float, const float *, int, const float *, int, float,
                         float *, int);
typedef void (*set_threads_fn)(int);
typedef char *(*get_config_fn)(void);

static sgemm_fn blas_sgemm = NULL;
static set_threads_fn blas_set_threads = NULL;
static get_config_fn blas_get_config = NULL;
static int blas_tried = 0;
static int use_blas = 0;  // 1: products go to OpenBLAS (when it loaded)
static int configured = 0;

static void load_blas(void) {
  if (blas_tried) return;
  blas_tried = 1;
  const char *names[] = {"libopenblas.so.0", "libopenblas.so", "libopenblas.dylib", NULL};
  for (int i = 0; names[i] != NULL; i++) {
    void *h = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
    if (h == NULL) continue;
    sgemm_fn f = (sgemm_fn)dlsym(h, "cblas_sgemm");
    if (f == NULL) {
      dlclose(h);
      continue;
    }
    blas_sgemm = f;
    blas_set_threads = (set_threads_fn)dlsym(h, "openblas_set_num_threads");
    blas_get_config = (get_config_fn)dlsym(h, "openblas_get_config");
    return;
  }
}

static int parse_blas(const char *v) {  // 1 OpenBLAS, 0 built-in, -1 unknown
  if (v == NULL || v[0] == '\0' || strcmp(v, "0") == 0 || strcmp(v, "off") == 0 || strcmp(v, "false") == 0 ||
      strcmp(v, "builtin") == 0 || strcmp(v, "built-in") == 0)
    return 0;
  if (strcmp(v, "1") == 0 || strcmp(v, "on") == 0 || strcmp(v, "true") == 0 || strcmp(v, "openblas") == 0) return 1;
  return -1;
}

static int parse_isa(const char *v) {
  if (v == NULL) return -1;
  if (strcmp(v, "avx512") == 0) return GG_ISA_AVX512;
  if (strcmp(v, "avx2") == 0) return GG_ISA_AVX2;
  if (strcmp(v, "scalar") == 0) return GG_ISA_SCALAR;
  return -1;
}

static void set_blas(int on) {
  use_blas = 0;
  if (!on) return;
  load_blas();
  use_blas = blas_sgemm != NULL;
  if (use_blas && blas_set_threads != NULL) blas_set_threads(gg_threads());
}

static void set_threads(int n) {
  gg_set_threads(n);
  if (use_blas && blas_set_threads != NULL) blas_set_threads(gg_threads());
}

static void configure_from_env(void) {
  if (configured) return;
  configured = 1;
  const char *threads = getenv("GROKDIFF_NATIVE_THREADS");
  const int n = threads != NULL ? atoi(threads) : 0;
  gg_set_threads(n >= 1 ? n : gg_available_cores());
  const int isa = parse_isa(getenv("GROKDIFF_NATIVE_ISA"));
  gg_set_isa(isa >= 0 ? isa : gg_best_isa());
  set_blas(parse_blas(getenv("GROKDIFF_NATIVE_BLAS")) == 1);
}

// OpenBLAS path: one cblas_sgemm per item (OpenBLAS threads inside), tiny products as plain loops
// (gg_sgemm_tiny of gemm.c).
static void gemm_blas_batch(int ta, int tb, int64_t batch, int m, int n, int k, const float *A, int64_t aStride,
                            const float *B, int64_t bStride, float *C, const float *bias) {
  for (int64_t i = 0; i < batch; i++) {
    float *c = C + i * m * n;
    const float *a = A + i * aStride, *b = B + i * bStride;
    if ((double)m * n * k < 4096.0) gg_sgemm_tiny(ta, tb, m, n, k, a, b, c, NULL);
    else
      blas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n, k, 1.f, a,
                 ta ? m : k, b, tb ? k : n, 0.f, c, n);
    if (bias != NULL)
      for (int64_t r = 0; r < m; r++) {
        float *restrict row = c + r * n;
        for (int64_t j = 0; j < n; j++) row[j] += bias[j];
      }
  }
}

// --------------------------------------------------------------------------------------------------------
// N-API glue.

#define CHECK(call)                                                                                          \
  do {                                                                                                       \
    if ((call) != napi_ok) {                                                                                 \
      napi_throw_error(env, NULL, "grokdiff native: N-API call failed: " #call);                            \
      return NULL;                                                                                           \
    }                                                                                                        \
  } while (0)

static int range_error(napi_env env, const char *what) {
  char msg[256];
  snprintf(msg, sizeof msg, "grokdiff native: %s is outside the heap or negative", what);
  napi_throw_range_error(env, NULL, msg);
  return 0;
}

static int get_heap(napi_env env, napi_value v, float **data, size_t *floats) {
  bool is_ab = false;
  if (napi_is_arraybuffer(env, v, &is_ab) != napi_ok || !is_ab) {
    napi_throw_type_error(env, NULL, "grokdiff native: the first argument must be the wasm heap (an ArrayBuffer)");
    return 0;
  }
  void *p = NULL;
  size_t bytes = 0;
  if (napi_get_arraybuffer_info(env, v, &p, &bytes) != napi_ok) return 0;
  *data = (float *)p;
  *floats = bytes / sizeof(float);
  return 1;
}

static int get_ints(napi_env env, napi_value *argv, size_t from, size_t count, int64_t *out) {
  for (size_t i = 0; i < count; i++) {
    if (napi_get_value_int64(env, argv[from + i], &out[i]) != napi_ok) {
      napi_throw_type_error(env, NULL, "grokdiff native: integer arguments expected");
      return 0;
    }
  }
  return 1;
}

// Reads a kernel's arguments: the heap (an ArrayBuffer), then `nints` integers, then `ndoubles` numbers.
// Throws a JavaScript TypeError naming the kernel and returns 0 when they are not that.
static int read_args(napi_env env, napi_callback_info info, const char *kernel, size_t nints, size_t ndoubles,
                     float **heap, size_t *floats, int64_t *ints, double *doubles) {
  napi_value argv[16];
  size_t argc = 16;
  const size_t want = 1 + nints + ndoubles;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return 0;
  if (argc != want) {
    char msg[128];
    snprintf(msg, sizeof msg, "grokdiff native: %s takes %zu arguments, got %zu", kernel, want, argc);
    napi_throw_type_error(env, NULL, msg);
    return 0;
  }
  if (!get_heap(env, argv[0], heap, floats)) return 0;
  if (!get_ints(env, argv, 1, nints, ints)) return 0;
  for (size_t i = 0; i < ndoubles; i++) {
    if (napi_get_value_double(env, argv[1 + nints + i], &doubles[i]) != napi_ok) {
      napi_throw_type_error(env, NULL, "grokdiff native: number arguments expected");
      return 0;
    }
  }
  return 1;
}

// Whether [off, off + len) lies inside a heap of `floats` floats.
static int inside(int64_t off, int64_t len, size_t floats) {
  return off >= 0 && len >= 0 && (uint64_t)(off + len) <= (uint64_t)floats;
}

// gemm(heap, batch, m, n, k, transA, transB, aOff, aStride, bOff, bStride, cOff, biasOff)
// For item i: C_i = op(A_i)·op(B_i) (+ bias[n] on every row when biasOff >= 0), with A_i at aOff + i·aStride
// (stride 0 broadcasts one operand over the batch); C is [batch, m, n] contiguous. Offsets count floats.
static napi_value js_gemm(napi_env env, napi_callback_info info) {
  float *heap;
  size_t floats;
  int64_t v[12];
  if (!read_args(env, info, "gemm", 12, 0, &heap, &floats, v, NULL)) return NULL;
  const int64_t batch = v[0], m = v[1], n = v[2], k = v[3], ta = v[4], tb = v[5];
  const int64_t aOff = v[6], aStride = v[7], bOff = v[8], bStride = v[9], cOff = v[10], biasOff = v[11];
  if (batch < 1 || m < 1 || n < 1 || k < 1 || m > INT32_MAX || n > INT32_MAX || k > INT32_MAX || aStride < 0 ||
      bStride < 0) {
    napi_throw_range_error(env, NULL, "grokdiff native: gemm sizes must be positive 32-bit integers (strides: not negative)");
    return NULL;
  }
  if (!inside(aOff, (batch - 1) * aStride + m * k, floats)) return range_error(env, "operand a"), NULL;
  if (!inside(bOff, (batch - 1) * bStride + k * n, floats)) return range_error(env, "operand b"), NULL;
  if (!inside(cOff, batch * m * n, floats)) return range_error(env, "the output"), NULL;
  if (biasOff >= 0 && !inside(biasOff, n, floats)) return range_error(env, "the bias"), NULL;
  configure_from_env();
  const float *bias = biasOff >= 0 ? heap + biasOff : NULL;
  if (use_blas) {
    gemm_blas_batch((int)ta, (int)tb, batch, (int)m, (int)n, (int)k, heap + aOff, aStride, heap + bOff, bStride,
                    heap + cOff, bias);
  } else if (!gg_sgemm_batch((int)ta, (int)tb, batch, (int)m, (int)n, (int)k, heap + aOff, aStride, heap + bOff,
                             bStride, heap + cOff, bias)) {
    napi_throw_error(env, NULL, "grokdiff native: gemm: out of memory for the packing buffers");
    return NULL;
  }
  return NULL;
}

// --------------------------------------------------------------------------------------------------------
// Element-wise kernels. Each computes a range [from, to) of its elements; long arrays are cut into chunks that
// the threads share (gg_parallel), short ones run on the calling thread.

#define ELEMENT_CHUNK 16384
#define PARALLEL_MIN_ELEMENTS 65536

typedef struct {
  void (*range)(const void *args, int64_t from, int64_t to);
  const void *args;
  int64_t n, per;
} chunked_t;

static void chunk_unit(void *ctx, int64_t u) {
  const chunked_t *c = (const chunked_t *)ctx;
  const int64_t from = u * c->per, to = from + c->per < c->n ? from + c->per : c->n;
  c->range(c->args, from, to);
}

// range(args, 0, n) in chunks of `per` shared by the threads.
static void parallel_chunks(void (*range)(const void *, int64_t, int64_t), const void *args, int64_t n, int64_t per) {
  chunked_t c = {range, args, n, per};
  gg_parallel(chunk_unit, &c, (n + per - 1) / per, 0);
}

static void for_chunks(void (*range)(const void *, int64_t, int64_t), const void *args, int64_t n) {
  if (n < PARALLEL_MIN_ELEMENTS || gg_threads() <= 1) {
    if (n > 0) range(args, 0, n);
    return;
  }
  parallel_chunks(range, args, n, ELEMENT_CHUNK);
}

typedef struct {
  int64_t op;
  const float *x;
  float *y;
} unary_t;

static void unary_range(const void *p, int64_t from, int64_t to) {
  const unary_t *a = (const unary_t *)p;
  const float *x = a->x;
  float *y = a->y;
  switch (a->op) {
    case 0:
#pragma omp simd
      for (int64_t i = from; i < to; i++) y[i] = erff(x[i]);
      break;
    case 1:
#pragma omp simd
      for (int64_t i = from; i < to; i++) y[i] = expf(x[i]);
      break;
    default:  // 2, exact GeLU: x·Φ(x) = 0.5·x·(1 + erf(x/√2))
#pragma omp simd
      for (int64_t i = from; i < to; i++) y[i] = 0.5f * x[i] * (1.f + erff(x[i] * (float)M_SQRT1_2));
  }
}

// unary(heap, op, xOff, yOff, n): y = f(x) element-wise, op 0 = erf, 1 = exp, 2 = exact GeLU. y may alias x.
static napi_value js_unary(napi_env env, napi_callback_info info) {
  float *heap;
  size_t floats;
  int64_t v[4];
  if (!read_args(env, info, "unary", 4, 0, &heap, &floats, v, NULL)) return NULL;
  const int64_t op = v[0], xOff = v[1], yOff = v[2], n = v[3];
  if (!inside(xOff, n, floats)) return range_error(env, "the input"), NULL;
  if (!inside(yOff, n, floats)) return range_error(env, "the output"), NULL;
  if (op < 0 || op > 2) {
    napi_throw_range_error(env, NULL, "grokdiff native: unknown unary op");
    return NULL;
  }
  configure_from_env();
  const unary_t a = {op, heap + xOff, heap + yOff};
  for_chunks(unary_range, &a, n);
  return NULL;
}

typedef struct {
  const float *x, *dy;
  float *dx;
} gelu_grad_t;

static void gelu_grad_range(const void *p, int64_t from, int64_t to) {
  const gelu_grad_t *a = (const gelu_grad_t *)p;
  const float *x = a->x, *dy = a->dy;
  float *dx = a->dx;
  const float inv_sqrt_2pi = 0.3989422804014327f;
#pragma omp simd
  for (int64_t i = from; i < to; i++) {
    const float xi = x[i];
    const float cdf = 0.5f * (1.f + erff(xi * (float)M_SQRT1_2));
    const float pdf = inv_sqrt_2pi * expf(-0.5f * xi * xi);
    dx[i] = dy[i] * (cdf + xi * pdf);
  }
}

// geluGrad(heap, xOff, dyOff, dxOff, n): dx = dy · d/dx[x·Φ(x)] = dy · (Φ(x) + x·φ(x)), the exact GeLU's
// derivative (Φ, φ: the standard normal CDF and density).
static napi_value js_gelu_grad(napi_env env, napi_callback_info info) {
  float *heap;
  size_t floats;
  int64_t v[4];
  if (!read_args(env, info, "geluGrad", 4, 0, &heap, &floats, v, NULL)) return NULL;
  const int64_t xOff = v[0], dyOff = v[1], dxOff = v[2], n = v[3];
  if (!inside(xOff, n, floats)) return range_error(env, "the input"), NULL;
  if (!inside(dyOff, n, floats)) return range_error(env, "the upstream gradient"), NULL;
  if (!inside(dxOff, n, floats)) return range_error(env, "the output"), NULL;
  configure_from_env();
  const gelu_grad_t a = {heap + xOff, heap + dyOff, heap + dxOff};
  for_chunks(gelu_grad_range, &a, n);
  return NULL;
}

typedef struct {
  const float *x;
  float *y;
  int64_t outer, reduce, inner;
} sum_t;

// Outputs [from, to) of the flattened [outer, inner] result.
static void sum_range(const void *p, int64_t from, int64_t to) {
  const sum_t *a = (const sum_t *)p;
  const int64_t inner = a->inner, reduce = a->reduce;
  while (from < to) {
    const int64_t o = from / inner, i0 = from % inner;
    const int64_t i1 = (o + 1) * inner < to ? inner : to - o * inner;
    float *restrict out = a->y + o * inner;
    const float *restrict in = a->x + o * reduce * inner;
    if (inner == 1) {
      float s = 0.f;
      for (int64_t r = 0; r < reduce; r++) s += in[r];
      out[0] = s;
    } else {
      for (int64_t i = i0; i < i1; i++) out[i] = in[i];
      for (int64_t r = 1; r < reduce; r++) {
        const float *restrict row = in + r * inner;
        for (int64_t i = i0; i < i1; i++) out[i] += row[i];
      }
    }
    from = o * inner + i1;
  }
}

// sum(heap, xOff, yOff, outer, reduce, inner): y[o, i] = Σ_r x[o, r, i] for x viewed as [outer, reduce, inner]
// (any reduction over a contiguous run of axes). y must not alias x. Split across threads by outputs when the
// input is large and there are enough outputs to share.
static napi_value js_sum(napi_env env, napi_callback_info info) {
  float *heap;
  size_t floats;
  int64_t v[5];
  if (!read_args(env, info, "sum", 5, 0, &heap, &floats, v, NULL)) return NULL;
  const int64_t xOff = v[0], yOff = v[1], outer = v[2], reduce = v[3], inner = v[4];
  if (outer < 1 || reduce < 1 || inner < 1) {
    napi_throw_range_error(env, NULL, "grokdiff native: sum sizes must be positive");
    return NULL;
  }
  if (!inside(xOff, outer * reduce * inner, floats)) return range_error(env, "the input"), NULL;
  if (!inside(yOff, outer * inner, floats)) return range_error(env, "the output"), NULL;
  configure_from_env();
  const sum_t a = {heap + xOff, heap + yOff, outer, reduce, inner};
  const int64_t outputs = outer * inner;
  if (outer * reduce * inner < PARALLEL_MIN_ELEMENTS || outputs < 64 || gg_threads() <= 1) {
    sum_range(&a, 0, outputs);
  } else {
    // Chunks of outputs holding about ELEMENT_CHUNK inputs each (at least 16 outputs).
    int64_t per = ELEMENT_CHUNK / reduce;
    if (per < 16) per = 16;
    parallel_chunks(sum_range, &a, outputs, per);
  }
  return NULL;
}

typedef struct {
  const float *p, *g, *m, *s;
  float *p1, *m1, *s1;
  float decay, b2, bc2, eps, stepSize, one_b1, one_b2;
} adamw_t;

static void adamw_range(const void *q, int64_t from, int64_t to) {
  const adamw_t *a = (const adamw_t *)q;
  const float *p = a->p, *g = a->g, *m = a->m, *s = a->s;
  float *p1 = a->p1, *m1 = a->m1, *s1 = a->s1;
  for (int64_t i = from; i < to; i++) {
    const float gi = g[i];
    const float mi = m[i] + (gi - m[i]) * a->one_b1;
    const float vi = s[i] * a->b2 + gi * gi * a->one_b2;
    const float denom = sqrtf(vi) / a->bc2 + a->eps;
    p1[i] = p[i] * a->decay - (mi / denom) * a->stepSize;
    m1[i] = mi;
    s1[i] = vi;
  }
}

// adamw(heap, n, pOff, gOff, mOff, vOff, p1Off, m1Off, v1Off, decayFactor, beta1, beta2, bc2Sqrt, eps, stepSize):
// one AdamW update of n parameters, the same formula as src/engine/adamw.ts:
//   m1 = m + (g − m)(1 − β1);  v1 = β2·v + (1 − β2)·g²;  p1 = decayFactor·p − stepSize · m1 / (√v1 / bc2Sqrt + eps)
// Outputs are fresh buffers (the kernel is functional; tfjs assigns them to the variables).
static napi_value js_adamw(napi_env env, napi_callback_info info) {
  float *heap;
  size_t floats;
  int64_t v[8];
  double d[6];
  if (!read_args(env, info, "adamw", 8, 6, &heap, &floats, v, d)) return NULL;
  const int64_t n = v[0];
  const char *names[7] = {"the parameter", "the gradient", "the first moment", "the second moment",
                          "the new parameter", "the new first moment", "the new second moment"};
  for (int i = 0; i < 7; i++)
    if (!inside(v[1 + i], n, floats)) return range_error(env, names[i]), NULL;
  configure_from_env();
  const adamw_t a = {heap + v[1], heap + v[2], heap + v[3], heap + v[4], heap + v[5], heap + v[6], heap + v[7],
                     (float)d[0], (float)d[2], (float)d[3], (float)d[4], (float)d[5], 1.f - (float)d[1],
                     1.f - (float)d[2]};
  for_chunks(adamw_range, &a, n);
  return NULL;
}

// --------------------------------------------------------------------------------------------------------
// Broadcasting element-wise Add / Sub / Multiply and Transpose (issue 28): tfjs-backend-wasm runs them on one
// thread, and in a paper-n1 step they are the large element-wise work left there (the attention's
// [B, heads, 3, 3, d/heads] products and the bias and residual adds). The caller (src/engine/wasm-native.ts)
// collapses the shapes to at most MAX_RANK dimensions and sends only large float32 tensors with more than one
// thread here; the output is cut into runs of whole rows (the last dimension) that the threads share. Each
// output element is the one IEEE operation (or copy) that the wasm kernel computes, so the results are
// bit-identical.

#define MAX_RANK 6

typedef struct {
  int64_t op, rank;
  const float *a, *b;
  float *y;
  int64_t shape[MAX_RANK], as[MAX_RANK], bs[MAX_RANK];
} binary_t;

static void binary_range(const void *p, int64_t from, int64_t to) {  // rows [from, to)
  const binary_t *q = (const binary_t *)p;
  const int64_t r = q->rank, len = q->shape[r - 1], sa = q->as[r - 1], sb = q->bs[r - 1];
  for (int64_t row = from; row < to; row++) {
    int64_t ao = 0, bo = 0, rest = row;
    for (int64_t d = r - 2; d >= 0; d--) {
      const int64_t i = rest % q->shape[d];
      rest /= q->shape[d];
      ao += i * q->as[d];
      bo += i * q->bs[d];
    }
    const float *restrict a = q->a + ao;
    const float *restrict b = q->b + bo;
    float *restrict y = q->y + row * len;
#define BINARY_LOOPS(EXPR)                                                              \
  if (sa == 1 && sb == 1) {                                                             \
    _Pragma("omp simd") for (int64_t j = 0; j < len; j++) { const float x = a[j], z = b[j]; y[j] = EXPR; } \
  } else if (sa == 1 && sb == 0) {                                                      \
    const float z = b[0];                                                               \
    _Pragma("omp simd") for (int64_t j = 0; j < len; j++) { const float x = a[j]; y[j] = EXPR; }          \
  } else if (sa == 0 && sb == 1) {                                                      \
    const float x = a[0];                                                               \
    _Pragma("omp simd") for (int64_t j = 0; j < len; j++) { const float z = b[j]; y[j] = EXPR; }          \
  } else {                                                                              \
    for (int64_t j = 0; j < len; j++) { const float x = a[j * sa], z = b[j * sb]; y[j] = EXPR; }          \
  }
    switch (q->op) {
      case 0:
        BINARY_LOOPS(x + z)
        break;
      case 1:
        BINARY_LOOPS(x - z)
        break;
      default:
        BINARY_LOOPS(x * z)
    }
#undef BINARY_LOOPS
  }
}

// Reads rank, then rank sizes and (for each of `operands` inputs) rank strides from argv-style ints; checks
// that every element each operand reaches lies in [off, off + extent) of the heap. Returns 0 after throwing.
static int read_layout(napi_env env, const int64_t *v, int64_t rank, int operands, int64_t *shape,
                       int64_t strides[][MAX_RANK], int64_t *rows, int64_t *total) {
  if (rank < 1 || rank > MAX_RANK) {
    napi_throw_range_error(env, NULL, "grokdiff native: rank must be 1 to 6");
    return 0;
  }
  *total = 1;
  for (int64_t d = 0; d < rank; d++) {
    shape[d] = v[d];
    if (shape[d] < 1) {
      napi_throw_range_error(env, NULL, "grokdiff native: sizes must be positive");
      return 0;
    }
    *total *= shape[d];
  }
  *rows = *total / shape[rank - 1];
  for (int o = 0; o < operands; o++)
    for (int64_t d = 0; d < rank; d++) {
      strides[o][d] = v[rank * (1 + o) + d];
      if (strides[o][d] < 0) {
        napi_throw_range_error(env, NULL, "grokdiff native: strides must not be negative");
        return 0;
      }
    }
  return 1;
}

// The number of floats an operand with these strides spans (its largest offset + 1).
static int64_t extent(const int64_t *shape, const int64_t *strides, int64_t rank) {
  int64_t last = 0;
  for (int64_t d = 0; d < rank; d++) last += (shape[d] - 1) * strides[d];
  return last + 1;
}

// binary(heap, op, aOff, bOff, yOff, rank, shape[rank], aStrides[rank], bStrides[rank]): y = a op b element-wise
// (op 0 add, 1 subtract, 2 multiply), y contiguous of `shape`, a and b read with the given strides (0 for a
// broadcast dimension). y must not overlap a or b.
static napi_value js_binary(napi_env env, napi_callback_info info) {
  napi_value argv[32];
  size_t argc = 32;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  int64_t head[5];
  float *heap;
  size_t floats;
  if (argc < 6 || !get_heap(env, argv[0], &heap, &floats) || !get_ints(env, argv, 1, 5, head)) {
    if (argc < 6) napi_throw_type_error(env, NULL, "grokdiff native: binary takes heap, op, aOff, bOff, yOff, rank, sizes and strides");
    return NULL;
  }
  const int64_t op = head[0], aOff = head[1], bOff = head[2], yOff = head[3], rank = head[4];
  if (rank < 1 || rank > MAX_RANK || argc != (size_t)(6 + 3 * rank)) {
    napi_throw_type_error(env, NULL, "grokdiff native: binary takes 6 + 3·rank arguments (rank 1 to 6)");
    return NULL;
  }
  if (op < 0 || op > 2) {
    napi_throw_range_error(env, NULL, "grokdiff native: unknown binary op");
    return NULL;
  }
  int64_t v[3 * MAX_RANK];
  if (!get_ints(env, argv, 6, (size_t)(3 * rank), v)) return NULL;
  binary_t q = {.op = op, .rank = rank};
  int64_t strides[2][MAX_RANK], rows, total;
  if (!read_layout(env, v, rank, 2, q.shape, strides, &rows, &total)) return NULL;
  memcpy(q.as, strides[0], sizeof q.as);
  memcpy(q.bs, strides[1], sizeof q.bs);
  if (!inside(aOff, extent(q.shape, q.as, rank), floats)) return range_error(env, "operand a"), NULL;
  if (!inside(bOff, extent(q.shape, q.bs, rank), floats)) return range_error(env, "operand b"), NULL;
  if (!inside(yOff, total, floats)) return range_error(env, "the output"), NULL;
  configure_from_env();
  q.a = heap + aOff;
  q.b = heap + bOff;
  q.y = heap + yOff;
  const int64_t len = q.shape[rank - 1];
  if (total < PARALLEL_MIN_ELEMENTS || gg_threads() <= 1) binary_range(&q, 0, rows);
  else parallel_chunks(binary_range, &q, rows, len >= ELEMENT_CHUNK ? 1 : ELEMENT_CHUNK / len);
  return NULL;
}

typedef struct {
  int64_t rank;
  const float *x;
  float *y;
  int64_t shape[MAX_RANK], xs[MAX_RANK];
} transpose_t;

static void transpose_range(const void *p, int64_t from, int64_t to) {  // output rows [from, to)
  const transpose_t *q = (const transpose_t *)p;
  const int64_t r = q->rank, len = q->shape[r - 1], s = q->xs[r - 1];
  for (int64_t row = from; row < to; row++) {
    int64_t xo = 0, rest = row;
    for (int64_t d = r - 2; d >= 0; d--) {
      xo += (rest % q->shape[d]) * q->xs[d];
      rest /= q->shape[d];
    }
    const float *restrict x = q->x + xo;
    float *restrict y = q->y + row * len;
    if (s == 1) memcpy(y, x, (size_t)len * sizeof(float));
    else
      for (int64_t j = 0; j < len; j++) y[j] = x[j * s];
  }
}

// transpose(heap, xOff, yOff, rank, outShape[rank], xStrides[rank]): y (contiguous, outShape) [i0, …] =
// x[Σ i_d · xStrides[d]]: a transpose when the strides are the input's strides in the permutation's order.
// y must not overlap x.
static napi_value js_transpose(napi_env env, napi_callback_info info) {
  napi_value argv[32];
  size_t argc = 32;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  int64_t head[3];
  float *heap;
  size_t floats;
  if (argc < 4 || !get_heap(env, argv[0], &heap, &floats) || !get_ints(env, argv, 1, 3, head)) {
    if (argc < 4) napi_throw_type_error(env, NULL, "grokdiff native: transpose takes heap, xOff, yOff, rank, sizes and strides");
    return NULL;
  }
  const int64_t xOff = head[0], yOff = head[1], rank = head[2];
  if (rank < 1 || rank > MAX_RANK || argc != (size_t)(4 + 2 * rank)) {
    napi_throw_type_error(env, NULL, "grokdiff native: transpose takes 4 + 2·rank arguments (rank 1 to 6)");
    return NULL;
  }
  int64_t v[2 * MAX_RANK];
  if (!get_ints(env, argv, 4, (size_t)(2 * rank), v)) return NULL;
  transpose_t q = {.rank = rank};
  int64_t strides[1][MAX_RANK], rows, total;
  if (!read_layout(env, v, rank, 1, q.shape, strides, &rows, &total)) return NULL;
  memcpy(q.xs, strides[0], sizeof q.xs);
  if (!inside(xOff, extent(q.shape, q.xs, rank), floats)) return range_error(env, "the input"), NULL;
  if (!inside(yOff, total, floats)) return range_error(env, "the output"), NULL;
  configure_from_env();
  q.x = heap + xOff;
  q.y = heap + yOff;
  const int64_t len = q.shape[rank - 1];
  if (total < PARALLEL_MIN_ELEMENTS || gg_threads() <= 1) transpose_range(&q, 0, rows);
  else parallel_chunks(transpose_range, &q, rows, len >= ELEMENT_CHUNK ? 1 : ELEMENT_CHUNK / len);
  return NULL;
}

// threads(): the threads the kernels use now (GROKDIFF_NATIVE_THREADS or configure()).
static napi_value js_threads(napi_env env, napi_callback_info info) {
  (void)info;
  configure_from_env();
  napi_value out;
  CHECK(napi_create_int32(env, gg_threads(), &out));
  return out;
}

static int set_string(napi_env env, napi_value obj, const char *key, const char *value) {
  napi_value s;
  if (value == NULL) {
    if (napi_get_null(env, &s) != napi_ok) return 0;
  } else if (napi_create_string_utf8(env, value, NAPI_AUTO_LENGTH, &s) != napi_ok) {
    return 0;
  }
  return napi_set_named_property(env, obj, key, s) == napi_ok;
}

static int set_int(napi_env env, napi_value obj, const char *key, int value) {
  napi_value v;
  return napi_create_int32(env, value, &v) == napi_ok && napi_set_named_property(env, obj, key, v) == napi_ok;
}

// info(): { matmul: a line saying what computes the products, blas: "built-in" | "OpenBLAS", openblas: its
// config, or null when it was not asked for (it is loaded only then) or does not load, isa, tile, threads,
// cores, bestIsa, cflags }.
static napi_value js_info(napi_env env, napi_callback_info info) {
  (void)info;
  configure_from_env();
  napi_value obj;
  CHECK(napi_create_object(env, &obj));
  int mr, nr;
  gg_tile(&mr, &nr);
  const int threads = gg_threads();
  const char *config = blas_sgemm == NULL ? NULL : blas_get_config != NULL ? blas_get_config() : "OpenBLAS";
  char line[600];
  if (use_blas)
    snprintf(line, sizeof line, "%s%s, %d thread%s", strncmp(config, "OpenBLAS", 8) == 0 ? "" : "OpenBLAS ", config,
             threads, threads == 1 ? "" : "s");
  else
    snprintf(line, sizeof line, "built-in %s %dx%d, %d thread%s", gg_isa_name(gg_isa()), mr, nr, threads,
             threads == 1 ? "" : "s");
  char tile[32];
  snprintf(tile, sizeof tile, "%dx%d", mr, nr);
  if (!set_string(env, obj, "matmul", line) || !set_string(env, obj, "blas", use_blas ? "OpenBLAS" : "built-in") ||
      !set_string(env, obj, "openblas", config) || !set_string(env, obj, "isa", gg_isa_name(gg_isa())) ||
      !set_string(env, obj, "bestIsa", gg_isa_name(gg_best_isa())) || !set_string(env, obj, "tile", tile) ||
      !set_int(env, obj, "threads", threads) || !set_int(env, obj, "cores", gg_available_cores()) ||
      !set_string(env, obj, "cflags", GROKDIFF_CFLAGS)) {
    napi_throw_error(env, NULL, "grokdiff native: info: N-API call failed");
    return NULL;
  }
  return obj;
}

// configure({ blas?: "builtin" | "openblas", threads?: number, isa?: "avx512" | "avx2" | "scalar" }): changes
// the settings read from GROKDIFF_NATIVE_BLAS / _THREADS / _ISA; returns info(). "openblas" falls back to the
// built-in product when libopenblas does not load, and an ISA this CPU lacks to the best one it has (info()
// says what was chosen).
static napi_value js_configure(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  size_t argc = 1;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  napi_valuetype type;
  if (argc != 1 || napi_typeof(env, argv[0], &type) != napi_ok || type != napi_object) {
    napi_throw_type_error(env, NULL, "grokdiff native: configure takes one object");
    return NULL;
  }
  configure_from_env();
  const char *keys[3] = {"blas", "threads", "isa"};
  for (int i = 0; i < 3; i++) {
    bool has = false;
    CHECK(napi_has_named_property(env, argv[0], keys[i], &has));
    if (!has) continue;
    napi_value v;
    CHECK(napi_get_named_property(env, argv[0], keys[i], &v));
    if (i == 1) {
      int32_t n = 0;
      if (napi_get_value_int32(env, v, &n) != napi_ok || n < 1) {
        napi_throw_range_error(env, NULL, "grokdiff native: configure: threads must be a positive integer");
        return NULL;
      }
      set_threads(n);
      continue;
    }
    char text[32] = "";
    size_t len = 0;
    if (napi_get_value_string_utf8(env, v, text, sizeof text, &len) != napi_ok) {
      napi_throw_type_error(env, NULL, "grokdiff native: configure: blas and isa are strings");
      return NULL;
    }
    const int parsed = i == 0 ? parse_blas(text) : parse_isa(text);
    if (parsed < 0) {
      napi_throw_range_error(env, NULL,
                             i == 0 ? "grokdiff native: configure: blas is \"builtin\" or \"openblas\""
                                    : "grokdiff native: configure: isa is \"avx512\", \"avx2\" or \"scalar\"");
      return NULL;
    }
    if (i == 0) set_blas(parsed);
    else gg_set_isa(parsed);
  }
  return js_info(env, info);
}

// fmaPeak(isa, ms): FLOP/s (in GFLOP/s) of independent fused multiply-adds on registers for about `ms`
// milliseconds on the calling thread: the attainable peak of one core at its current clock (the benchmark's
// "% of peak" uses it beside the nominal clock × FLOP/cycle).
static napi_value js_fma_peak(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  size_t argc = 2;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  char text[16] = "";
  size_t len = 0;
  double ms = 0;
  if (argc != 2 || napi_get_value_string_utf8(env, argv[0], text, sizeof text, &len) != napi_ok ||
      napi_get_value_double(env, argv[1], &ms) != napi_ok || parse_isa(text) < 0) {
    napi_throw_type_error(env, NULL, "grokdiff native: fmaPeak(isa, ms)");
    return NULL;
  }
  napi_value out;
  CHECK(napi_create_double(env, gg_fma_peak_gflops(parse_isa(text), ms), &out));
  return out;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"gemm", NULL, js_gemm, NULL, NULL, NULL, napi_default, NULL},
      {"unary", NULL, js_unary, NULL, NULL, NULL, napi_default, NULL},
      {"geluGrad", NULL, js_gelu_grad, NULL, NULL, NULL, napi_default, NULL},
      {"sum", NULL, js_sum, NULL, NULL, NULL, napi_default, NULL},
      {"adamw", NULL, js_adamw, NULL, NULL, NULL, napi_default, NULL},
      {"binary", NULL, js_binary, NULL, NULL, NULL, napi_default, NULL},
      {"transpose", NULL, js_transpose, NULL, NULL, NULL, napi_default, NULL},
      {"threads", NULL, js_threads, NULL, NULL, NULL, napi_default, NULL},
      {"info", NULL, js_info, NULL, NULL, NULL, napi_default, NULL},
      {"configure", NULL, js_configure, NULL, NULL, NULL, napi_default, NULL},
      {"fmaPeak", NULL, js_fma_peak, NULL, NULL, NULL, napi_default, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  return exports;
}

NAPI_MODULE_INIT() { return init(env, exports); }
