/* conv_xnor.c — XNOR-Net binary convolution on the CPU (Rastegari et al. 2016).
 *
 * Weights (packed once, at binarize time) and activations (packed per frame) are signs
 * bit-packed along the input channels in 64-bit words; a tap's dot product over C
 * channels is C - 2 * popcount (x XOR w), counted over the taps inside the frame (zero
 * padding contributes nothing, as in the float convolution).  Output = dot * alpha[m]
 * (mean |W|) * K(p) (XNOR-Net's activation scale: mean |x| over channels, averaged over
 * the kernel window) + bias.  Eight output channels are counted at once with AVX-512
 * VPOPCNTQ where the CPU has it (runtime check), else with the scalar POPCNT. */
#include "conv.h"
#include "binary.h"
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

/* Scratch: packed activations [H*W][CW] words, A(p) = mean_c |x| [H*W] floats. */
static gboolean
xnor_prepare (ArtemNode *n, ArtemValue **in, ArtemValue **out, ArtemPlan *plan, GError **error)
{
  if (!artem_conv_prepare (n, in, out, plan, error))
    return FALSE;
  const ConvGeom *g = n->priv;
  const ArtemBinaryWeights *b = n->bin;
  gsize hw = (gsize) g->H * g->W;
  plan->scratch_floats = hw * b->CW * 2 + hw + 16;
  return TRUE;
}

static void
pack_activations (const ConvGeom *g, const ArtemBinaryWeights *b, const float *x, guint64 *bits,
                  float *amean)
{
  gsize hw = (gsize) g->H * g->W;
#pragma omp parallel for schedule(static)
  for (int y = 0; y < g->H; y++)
    for (int xx = 0; xx < g->W; xx++) {
      gsize p = (gsize) y * g->W + xx;
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

/* counts[m] += popcount (x ^ w[m]) over eight output channels */
#if defined(__x86_64__) && defined(__GNUC__)
__attribute__ ((target ("avx512f,avx512vpopcntdq")))
static void
count8_avx512 (const guint64 *xw, const guint64 *ww, int cw, int mp, int m0, gint64 *counts)
{
  __m512i acc = _mm512_loadu_si512 (counts);
  for (int w = 0; w < cw; w++) {
    __m512i xv = _mm512_set1_epi64 ((long long) xw[w]);
    __m512i wv = _mm512_loadu_si512 (ww + (gsize) w * mp + m0);
    acc = _mm512_add_epi64 (acc, _mm512_popcnt_epi64 (_mm512_xor_si512 (xv, wv)));
  }
  _mm512_storeu_si512 (counts, acc);
}

__attribute__ ((target ("popcnt")))
static void
count8_popcnt (const guint64 *xw, const guint64 *ww, int cw, int mp, int m0, gint64 *counts)
{
  for (int w = 0; w < cw; w++)
    for (int k = 0; k < 8; k++)
      counts[k] += __builtin_popcountll (xw[w] ^ ww[(gsize) w * mp + m0 + k]);
}
#endif

static void
count8_generic (const guint64 *xw, const guint64 *ww, int cw, int mp, int m0, gint64 *counts)
{
  for (int w = 0; w < cw; w++)
    for (int k = 0; k < 8; k++)
      counts[k] += __builtin_popcountll (xw[w] ^ ww[(gsize) w * mp + m0 + k]);
}

typedef void (*Count8Func) (const guint64 *, const guint64 *, int, int, int, gint64 *);

static Count8Func
pick_count8 (void)
{
#if defined(__x86_64__) && defined(__GNUC__)
  __builtin_cpu_init ();
  if (__builtin_cpu_supports ("avx512vpopcntdq") && !g_getenv ("ARTEM_NO_AVX512"))
    return count8_avx512;
  if (__builtin_cpu_supports ("popcnt"))
    return count8_popcnt;
#endif
  return count8_generic;
}

/* Which CPU path the binary convolution takes ("avx512-vpopcntq", "popcnt", "generic"). */
const char *
artem_xnor_kernel_name (void)
{
  Count8Func f = pick_count8 ();
#if defined(__x86_64__) && defined(__GNUC__)
  if (f == count8_avx512) return "avx512-vpopcntq";
  if (f == count8_popcnt) return "popcnt";
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
  static Count8Func count8 = NULL;
  if (!count8)
    count8 = pick_count8 ();
  float inv_taps = 1.f / (g->KH * g->KW);
  for (int bn = 0; bn < g->N; bn++) {
    const float *x = (const float *) in[0]->data + (gsize) bn * g->C * hw;
    float *y = (float *) out[0]->data + (gsize) bn * g->M * ohw;
    pack_activations (g, b, x, bits, amean);
#pragma omp parallel for schedule(dynamic, 1)
    for (int oy = 0; oy < g->OH; oy++) {
      gint64 counts[8] __attribute__ ((aligned (64)));
      for (int ox = 0; ox < g->OW; ox++) {
        /* the taps inside the frame and K(p) */
        int tap_idx[256], tap_pix[256], nv = 0;
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
            tap_pix[nv] = iy * g->W + ix;
            ksum += amean[tap_pix[nv]];
            nv++;
          }
        }
        float kscale = b->act_scale ? ksum * inv_taps : 1.f;
        gsize p = (gsize) oy * g->OW + ox;
        for (int m0 = 0; m0 < b->M; m0 += 8) {
          memset (counts, 0, sizeof counts);
          for (int t = 0; t < nv; t++)
            count8 (bits + (gsize) tap_pix[t] * b->CW,
                    b->wbits + (gsize) tap_idx[t] * b->CW * b->MP, b->CW, b->MP, m0, counts);
          for (int k = 0; k < 8 && m0 + k < b->M; k++) {
            int m = m0 + k;
            float dot = (float) ((gint64) nv * g->C - 2 * counts[k]);
            float v = dot * b->alpha[m] * kscale + (bias ? bias[m] : 0.f);
            if (n->fused_relu && v < 0)
              v = 0;
            y[(gsize) m * ohw + p] = v;
          }
        }
      }
    }
  }
}

const ArtemOpDef artem_op_conv_xnor = { "Conv", NULL, xnor_prepare, xnor_run, FALSE };
