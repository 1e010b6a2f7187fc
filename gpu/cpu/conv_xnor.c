/* conv_xnor.c — XNOR-Net binary convolution on the CPU (Rastegari et al. 2016).
 *
 * Weights (packed once, at binarize time) and activations (packed per frame) are signs
 * bit-packed along the input channels in 64-bit words; a tap's dot product over C
 * channels is C - 2 * popcount (x XOR w), counted over the taps inside the frame (zero
 * padding contributes nothing, as in the float convolution).  Output = dot * alpha[m]
 * (mean |W|) * K(p) (XNOR-Net's activation scale: mean |x| over channels, averaged over
 * the kernel window) + bias.  With AVX-512 VPOPCNTQ (runtime check) 64 output
 * channels are counted per pass in eight registers, else with the scalar POPCNT. */
#include "conv.h"
#include "../binary.h"
#include <math.h>
#include <omp.h>
#ifdef __x86_64__
#include <immintrin.h>
#endif

ArtemBinaryWeights *
artem_binary_weights_new (const float *w, int M, int C, int KH, int KW, int mode,
                          gboolean act_scale)
{
  ArtemBinaryWeights *b = g_new0 (ArtemBinaryWeights, 1);
  b->mode = mode;
  b->act_scale = act_scale;
  b->M = M; b->C = C; b->KH = KH; b->KW = KW;
  b->CW = (C + 63) / 64;
  b->MP = (M + 7) / 8 * 8;
  int taps = KH * KW;
  b->wbits = g_new0 (guint64, (gsize) taps * b->CW * b->MP);
  b->alpha = g_new0 (float, M);
  b->wfloat = g_new (float, (gsize) M * C * taps);
  for (int m = 0; m < M; m++) {
    const float *wm = w + (gsize) m * C * taps;
    double s = 0;
    for (int i = 0; i < C * taps; i++)
      s += fabsf (wm[i]);
    b->alpha[m] = (float) (s / (C * taps));
    for (int c = 0; c < C; c++)
      for (int t = 0; t < taps; t++) {
        float v = wm[c * taps + t];
        if (v < 0)
          b->wbits[((gsize) t * b->CW + c / 64) * b->MP + m] |= (guint64) 1 << (c % 64);
        b->wfloat[(gsize) m * C * taps + c * taps + t] = v < 0 ? -b->alpha[m] : b->alpha[m];
      }
  }
  return b;
}

ArtemBinaryWeights *
artem_binary_weights_from_bits (const int64_t *bytes, const float *alpha, int M, int C, int KH,
                                int KW, int mode, gboolean act_scale)
{
  int taps = KH * KW, cb = (C + 7) / 8;
  float *w = g_new (float, (gsize) M * C * taps);
  for (int m = 0; m < M; m++)
    for (int t = 0; t < taps; t++)
      for (int c = 0; c < C; c++) {
        int byte = (int) bytes[((gsize) m * taps + t) * cb + c / 8];
        w[((gsize) m * C + c) * taps + t] = (byte >> (c % 8)) & 1 ? -alpha[m] : alpha[m];
      }
  ArtemBinaryWeights *b = artem_binary_weights_new (w, M, C, KH, KW, mode, act_scale);
  g_free (w);
  return b;
}

void
artem_binary_weights_free (ArtemBinaryWeights *b)
{
  if (!b)
    return;
  g_free (b->wbits);
  g_free (b->alpha);
  g_free (b->wfloat);
  g_free (b);
}

/* where the per-thread counts start in the scratch, in floats (64-byte aligned) */
static gsize
xnor_counts_offset (gsize hw, int cw)
{
  return (hw * cw * 2 + hw + 16 + 15) & ~(gsize) 15;
}

/* Scratch: packed activations [H*W][CW] words, A(p) = mean_c |x| [H*W] floats. */
static gboolean
xnor_prepare (ArtemNode *n, ArtemValue **in, ArtemValue **out, ArtemPlan *plan, GError **error)
{
  if (!artem_conv_prepare (n, in, out, plan, error))
    return FALSE;
  const ConvGeom *g = n->priv;
  if (g->G != 1) {
    artem_node_error (error, ARTEM_ERROR_UNSUPPORTED, n,
                      "a grouped convolution cannot be binarized (XNOR runs one group)");
    return FALSE;
  }
  const ArtemBinaryWeights *b = n->bin;
  gsize hw = (gsize) g->H * g->W;
  /* then per thread: counts[MP] (int64) for one output pixel, on the heap, not the stack
   * (a layer of millions of channels would overflow a thread's stack) */
  plan->scratch_floats = xnor_counts_offset (hw, b->CW) +
                         (gsize) plan->n_threads * b->MP * 2;
  plan->cost = 2.0 * g->N * g->M * (double) g->OH * g->OW * g->K / 32;   /* 64 taps a word */
  return TRUE;
}

/* Packs signs of x (NCHW planes) into [H*W][CW] words, bit set = negative, and A(p) =
 * mean_c |x|. */
static void
pack_activations_scalar (const ConvGeom *g, const ArtemBinaryWeights *b, const float *x,
                         guint64 *bits, float *amean, gsize p0, gsize p1)
{
  gsize hw = (gsize) g->H * g->W;
  for (gsize p = p0; p < p1; p++) {
    guint64 *pb = bits + p * b->CW;
    float a = 0;
    for (int w = 0; w < b->CW; w++) {
      guint64 word = 0;
      int c0 = w * 64, c1 = MIN (g->C, c0 + 64);
      for (int c = c0; c < c1; c++) {
        float v = x[c * hw + p];
        a += fabsf (v);
        word |= (guint64) (v < 0) << (c - c0);
      }
      pb[w] = word;
    }
    amean[p] = a / g->C;
  }
}

#if defined(__x86_64__) && defined(__GNUC__)
/* Sixteen pixels at a time: one compare gives a 16-bit mask per channel (contiguous loads
 * along the plane); the 64x16 bit matrix of a word is transposed with VPTESTMW. */
__attribute__ ((target ("avx512f,avx512bw")))
static void
pack_activations_avx512 (const ConvGeom *g, const ArtemBinaryWeights *b, const float *x,
                         guint64 *bits, float *amean, gsize p0, gsize p1)
{
  gsize hw = (gsize) g->H * g->W;
  const __m512 zero = _mm512_setzero_ps ();
  gsize p = p0;
  for (; p + 16 <= p1; p += 16) {
    __m512 a = _mm512_setzero_ps ();
    for (int w = 0; w < b->CW; w++) {
      guint16 masks[64] __attribute__ ((aligned (64))) = { 0 };
      int c0 = w * 64, c1 = MIN (g->C, c0 + 64);
      for (int c = c0; c < c1; c++) {
        __m512 v = _mm512_loadu_ps (x + c * hw + p);
        masks[c - c0] = _mm512_cmp_ps_mask (v, zero, _CMP_LT_OQ);
        a = _mm512_add_ps (a, _mm512_abs_ps (v));
      }
      __m512i lo = _mm512_load_si512 (masks), hi = _mm512_load_si512 (masks + 32);
      for (int j = 0; j < 16; j++) {
        __m512i bit = _mm512_set1_epi16 ((short) (1 << j));
        guint64 word = (guint64) _mm512_test_epi16_mask (lo, bit) |
                       ((guint64) _mm512_test_epi16_mask (hi, bit) << 32);
        bits[(p + j) * b->CW + w] = word;
      }
    }
    _mm512_storeu_ps (amean + p, _mm512_div_ps (a, _mm512_set1_ps ((float) g->C)));
  }
  pack_activations_scalar (g, b, x, bits, amean, p, p1);
}
#endif

static void
pack_activations (const ConvGeom *g, const ArtemBinaryWeights *b, const float *x, guint64 *bits,
                  float *amean)
{
  gsize hw = (gsize) g->H * g->W;
  static int use_avx512 = -1;
#if defined(__x86_64__) && defined(__GNUC__)
  if (use_avx512 < 0)
    use_avx512 = __builtin_cpu_supports ("avx512bw") && !g_getenv ("ARTEM_NO_AVX512");
#else
  use_avx512 = 0;
#endif
  int nt = artem_cpu_threads ();
#pragma omp parallel for schedule(static)
  for (int t = 0; t < nt; t++) {
    gsize p0 = hw * t / nt / 16 * 16, p1 = t == nt - 1 ? hw : hw * (t + 1) / nt / 16 * 16;
#if defined(__x86_64__) && defined(__GNUC__)
    if (use_avx512) {
      pack_activations_avx512 (g, b, x, bits, amean, p0, p1);
      continue;
    }
#endif
    pack_activations_scalar (g, b, x, bits, amean, p0, p1);
  }
}

static inline __attribute__ ((always_inline)) void
pixel_counts_scalar (const guint64 *const *xt, const int *tap_idx, int nv, const guint64 *wbits,
                     int cw, int mp, gint64 *counts)
{
  memset (counts, 0, (gsize) mp * sizeof (gint64));
  for (int t = 0; t < nv; t++)
    for (int wd = 0; wd < cw; wd++) {
      guint64 x = xt[t][wd];
      const guint64 *w = wbits + ((gsize) tap_idx[t] * cw + wd) * mp;
      for (int m = 0; m < mp; m++)
        counts[m] += __builtin_popcountll (x ^ w[m]);
    }
}

/* The popcount core: for one output pixel, counts[m] = sum over its taps t and words w of
 * popcount (x[t][w] ^ W[tap_idx[t]][w][m]) for every output channel m (MP of them). */
#if defined(__x86_64__) && defined(__GNUC__)
#define XNOR_ACC(k) \
  a##k = _mm512_add_epi64 (a##k, _mm512_popcnt_epi64 (_mm512_xor_si512 (xv, _mm512_loadu_si512 (w + (k) * 8))))

/* 64 output channels in eight named registers (an array would live on the stack). */
__attribute__ ((target ("avx512f,avx512vpopcntdq")))
static inline void
block64_avx512 (const guint64 *const *xt, const int *tap_idx, int nv, const guint64 *wbits,
                int cw, int mp, int b0, gint64 *counts)
{
  __m512i a0 = _mm512_setzero_si512 (), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0,
          a7 = a0;
  for (int t = 0; t < nv; t++) {
    const guint64 *x = xt[t];
    const guint64 *w = wbits + (gsize) tap_idx[t] * cw * mp + (gsize) b0 * 8;
    for (int wd = 0; wd < cw; wd++, w += mp) {
      __m512i xv = _mm512_set1_epi64 ((long long) x[wd]);
      XNOR_ACC (0); XNOR_ACC (1); XNOR_ACC (2); XNOR_ACC (3);
      XNOR_ACC (4); XNOR_ACC (5); XNOR_ACC (6); XNOR_ACC (7);
    }
  }
  gint64 *c = counts + (gsize) b0 * 8;
  _mm512_storeu_si512 (c, a0); _mm512_storeu_si512 (c + 8, a1);
  _mm512_storeu_si512 (c + 16, a2); _mm512_storeu_si512 (c + 24, a3);
  _mm512_storeu_si512 (c + 32, a4); _mm512_storeu_si512 (c + 40, a5);
  _mm512_storeu_si512 (c + 48, a6); _mm512_storeu_si512 (c + 56, a7);
}

__attribute__ ((target ("avx512f,avx512vpopcntdq")))
static void
pixel_counts_avx512 (const guint64 *const *xt, const int *tap_idx, int nv, const guint64 *wbits,
                     int cw, int mp, gint64 *counts)
{
  int nb = mp / 8, b0 = 0;
  for (; b0 + 8 <= nb; b0 += 8)
    block64_avx512 (xt, tap_idx, nv, wbits, cw, mp, b0, counts);
  for (; b0 < nb; b0++) {   /* the last blocks of eight channels, one register each */
    __m512i acc = _mm512_setzero_si512 ();
    for (int t = 0; t < nv; t++) {
      const guint64 *w = wbits + (gsize) tap_idx[t] * cw * mp + (gsize) b0 * 8;
      for (int wd = 0; wd < cw; wd++, w += mp)
        acc = _mm512_add_epi64 (acc, _mm512_popcnt_epi64 (_mm512_xor_si512 (
            _mm512_set1_epi64 ((long long) xt[t][wd]), _mm512_loadu_si512 (w))));
    }
    _mm512_storeu_si512 (counts + (gsize) b0 * 8, acc);
  }
}

__attribute__ ((target ("popcnt")))
static void
pixel_counts_popcnt (const guint64 *const *xt, const int *tap_idx, int nv, const guint64 *wbits,
                     int cw, int mp, gint64 *counts)
{
  pixel_counts_scalar (xt, tap_idx, nv, wbits, cw, mp, counts);   /* inlined: POPCNT */
}
#endif

static void
pixel_counts_generic (const guint64 *const *xt, const int *tap_idx, int nv, const guint64 *wbits,
                      int cw, int mp, gint64 *counts)
{
  pixel_counts_scalar (xt, tap_idx, nv, wbits, cw, mp, counts);
}

typedef void (*PixelCountsFunc) (const guint64 *const *, const int *, int, const guint64 *, int,
                                 int, gint64 *);

static PixelCountsFunc
pick_kernel (void)
{
#if defined(__x86_64__) && defined(__GNUC__)
  __builtin_cpu_init ();
  if (__builtin_cpu_supports ("avx512vpopcntdq") && !g_getenv ("ARTEM_NO_AVX512"))
    return pixel_counts_avx512;
  if (__builtin_cpu_supports ("popcnt"))
    return pixel_counts_popcnt;
#endif
  return pixel_counts_generic;
}

/* Which CPU path the binary convolution takes ("avx512-vpopcntq", "popcnt", "generic"). */
const char *
artem_xnor_kernel_name (void)
{
  PixelCountsFunc f = pick_kernel ();
#if defined(__x86_64__) && defined(__GNUC__)
  if (f == pixel_counts_avx512) return "avx512-vpopcntq";
  if (f == pixel_counts_popcnt) return "popcnt";
#endif
  (void) f;
  return "generic";
}

static void
xnor_run (ArtemNode *n, ArtemValue **in, ArtemValue **out, float *scratch)
{
  const ConvGeom *g = n->priv;
  const ArtemBinaryWeights *b = n->bin;
  const float *bias = n->n_in > 2 && in[2] ? in[2]->data : NULL;
  gsize hw = (gsize) g->H * g->W, ohw = (gsize) g->OH * g->OW;
  guint64 *bits = (guint64 *) scratch;
  float *amean = scratch + hw * b->CW * 2;
  static PixelCountsFunc kernel = NULL;
  if (!kernel)
    kernel = pick_kernel ();
  float inv_taps = 1.f / (g->KH * g->KW);
  for (int bn = 0; bn < g->N; bn++) {
    const float *x = (const float *) in[0]->data + (gsize) bn * g->C * hw;
    float *y = (float *) out[0]->data + (gsize) bn * g->M * ohw;
    pack_activations (g, b, x, bits, amean);
#pragma omp parallel for schedule(dynamic, 1)
    for (int oy = 0; oy < g->OH; oy++) {
      gint64 *counts = (gint64 *) (scratch + xnor_counts_offset (hw, b->CW)) +
                       (gsize) omp_get_thread_num () * b->MP;
      const guint64 *xt[256];
      int tap_idx[256];
      for (int ox = 0; ox < g->OW; ox++) {
        /* the taps inside the frame and K(p) */
        int nv = 0;
        float ksum = 0;
        for (int ky = 0; ky < g->KH; ky++) {
          int iy = oy * g->SH - g->PT + ky * g->DH;
          if (iy < 0 || iy >= g->H)
            continue;
          for (int kx = 0; kx < g->KW; kx++) {
            int ix = ox * g->SW - g->PL + kx * g->DW;
            if (ix < 0 || ix >= g->W || nv >= 256)
              continue;
            tap_idx[nv] = ky * g->KW + kx;
            xt[nv] = bits + ((gsize) iy * g->W + ix) * b->CW;
            ksum += amean[(gsize) iy * g->W + ix];
            nv++;
          }
        }
        float kscale = b->act_scale ? ksum * inv_taps : 1.f;
        gsize p = (gsize) oy * g->OW + ox;
        kernel (xt, tap_idx, nv, b->wbits, b->CW, b->MP, counts);
        gint64 full = (gint64) nv * g->C;
        for (int m = 0; m < b->M; m++) {
          float v = (float) (full - 2 * counts[m]) * b->alpha[m] * kscale + (bias ? bias[m] : 0.f);
          if (n->fused_relu && v < 0)
            v = 0;
          y[(gsize) m * ohw + p] = v;
        }
      }
    }
  }
}

const ArtemOpDef artem_op_conv_xnor = { ARTEM_OP_CONV_XNOR, 0, "Conv", NULL, xnor_prepare, xnor_run,
                                        FALSE };

/* Only a marker: load turns each BinaryConv into a binarized Conv (import.c). */
const ArtemOpDef artem_op_binary_conv = { ARTEM_OP_BINARY_CONV, 0, "BinaryConv", NULL, NULL, NULL,
                                          FALSE };
