/* conv.h — convolution geometry shared by the float and the binary convolutions. */
#ifndef ARTEM_CPU_CONV_H
#define ARTEM_CPU_CONV_H
#include "../artem-private.h"

typedef struct {
  int N, C, H, W, M, KH, KW, SH, SW, DH, DW, PT, PL, PB, PR, OH, OW;
  int K, tile;
  gboolean direct;   /* 1x1, stride 1, no pad: X is the column matrix */
  int G, CG, MG;     /* groups; input and output channels per group (C / G, M / G);
                        K = CG * KH * KW is one group's column height */
  /* the CPU kernel chosen at prepare (conv_dnnl.c): oneDNN when set, else im2col +
   * OpenBLAS; how the weights change: w_init (an initializer, rewritten only through
   * artem_net_set_initializer, which bumps *init_serial), w_const (fixed), else computed
   * by another node on every run */
  struct _ArtemDnnlConv *dnnl;
  gboolean src_nhwc, dst_nhwc;   /* X and Y in NHWC (layout.c) */
  gboolean src_bf16, dst_bf16;   /* X, Y stored bf16 (artem_cpu_plan_bf16_handoff) */
  gsize dnnl_scratch;            /* the scratch bytes the oneDNN kernel asked for */
  gboolean w_init, w_const;
  const guint64 *init_serial;
  guint64 runs;
} ConvGeom;

/* ---- oneDNN convolutions (conv_dnnl.c) ---- */
typedef struct _ArtemDnnlConv ArtemDnnlConv;
/* whether this build has oneDNN and it works here */
gboolean artem_dnnl_available (void);
/* whether bf16 convolutions run natively here (AVX512-BF16 or AMX) */
gboolean artem_dnnl_bf16_available (void);
/* a oneDNN convolution of @g (bias and ReLU fused), in bf16 or fp32, or NULL where oneDNN
 * has no fast kernel for it; its input (output) is bf16 where g->src_bf16 (g->dst_bf16;
 * NHWC, a bf16 kernel); *weight_bytes: the reordered weights it holds;
 * *scratch_bytes: the scratch a run needs (reordered frames, oneDNN's scratchpad) */
ArtemDnnlConv *artem_dnnl_conv_new (const ConvGeom *g, gboolean relu, gboolean has_bias,
                                    gboolean bf16, gboolean src_nhwc, gboolean dst_nhwc,
                                    gsize *weight_bytes, gsize *scratch_bytes);
/* y = conv (x, w) + bias on fp32 data (NCHW, or NHWC where made so); the weights are reordered again when @w or
 * @w_serial changed; @scratch: *scratch_bytes, 64-byte aligned */
void artem_dnnl_conv_run (ArtemDnnlConv *c, const float *x, const float *w, guint64 w_serial,
                          const float *bias, float *y, void *scratch);
const char *artem_dnnl_conv_impl (const ArtemDnnlConv *c);
/* whether it computes in bf16 */
gboolean artem_dnnl_conv_is_bf16 (const ArtemDnnlConv *c);
void artem_dnnl_conv_free (ArtemDnnlConv *c);

/* ConvTranspose's geometry (node->priv of a prepared ConvTranspose), and its kernel:
 * oneDNN's deconvolution when set (chosen by measurement, as Conv's), else OpenBLAS
 * (conv_transpose.c); the weights' version as in ConvGeom */
typedef struct {
  int N, C, H, W, M, KH, KW, SH, SW, DH, DW, PT, PL, OH, OW;
  int MKK, band;
  struct _ArtemDnnlConv *dnnl;
  gboolean w_init, w_const;
  const guint64 *init_serial;
  guint64 runs;
} ConvTGeom;

/* a oneDNN deconvolution of @g (NCHW fp32 frames; bias and ReLU fused; bf16 inside
 * where @bf16), or NULL where oneDNN has no fast kernel or the padding is negative */
ArtemDnnlConv *artem_dnnl_deconv_new (const ConvTGeom *g, gboolean relu, gboolean has_bias,
                                      gboolean bf16, gsize *weight_bytes, gsize *scratch_bytes);

/* ---- choosing a kernel by measurement (conv.c), for Conv and ConvTranspose ---- */
/* The kernel chosen before in this process for @key (geometry and precision, taken), or
 * measure (data)'s, remembered: a net sized again (a caps change, a second element)
 * measures nothing and every net of a process computes a geometry the same way. */
int artem_conv_choice (char *key, int (*measure) (void *), void *data);
/* a trial's frame (@nx pseudo-random values in 0..1) and weights (@w's own where they
 * are known at prepare, else made up) */
void artem_conv_trial_fill (float *x, gsize nx, float *wt, gsize nw, const ArtemValue *w);
/* Times run (k, data) for kernels k = 0 OpenBLAS, 1 oneDNN fp32, 2 oneDNN bf16 where
 * has[k]: a warm-up of each, then interleaved rounds (first runs and drifting clocks
 * favour none); returns the fastest.  $ARTEM_CONV_VERBOSE prints the times as
 * "artem WHAT NAME: SHAPE: ..." with @dnnl's implementations. */
int artem_conv_trial (void (*run) (int kernel, void *data), void *data, const gboolean has[3],
                      const char *what, const char *name, const char *shape,
                      ArtemDnnlConv *const dnnl[3]);

/* The attribute checks Conv and ConvTranspose share: group 1, a known auto_pad. */
gboolean artem_conv_check_group_autopad (ArtemNode *n, GError **error);
/* the same for Conv, which takes any group count */
gboolean artem_conv_check_autopad (ArtemNode *n, GError **error);

/* kernel_shape, strides, dilations, pads (top, left, bottom, right) of a 2-D node. */
gboolean artem_conv_params (ArtemNode *n, int kh_w, int kw_w, int *k, int *s, int *d, int *p,
                            GError **error);

/* Conv's and ConvTranspose's X and W: present, 4-D, float, of sane sizes. */
gboolean artem_conv_check_inputs (ArtemNode *n, ArtemValue **in, GError **error);

/* Conv's prepare: validates, fills a ConvGeom into node->priv, sets the output. */
gboolean artem_conv_prepare (ArtemNode *n, ArtemValue **in, ArtemValue **out, ArtemPlan *plan,
                             GError **error);

#endif
