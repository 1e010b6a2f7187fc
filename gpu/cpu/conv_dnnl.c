/* conv_dnnl.c — Conv on the CPU through oneDNN (Debian's libdnnl, 2.6): the library's
 * JIT kernels for the ISA it finds at run time (AVX2, AVX-512, AVX512-BF16, AMX), in
 * fp32 or in bf16 (bf16 activations and weights, fp32 accumulation and output).
 *
 * The engine's activations are NCHW fp32, except between convolutions, where the CPU
 * keeps them NHWC (layout.c); the primitive picks its own layout (format "any": nhwc for
 * the AMX and brgemm kernels, nChw16c for others) and the frames are reordered in and
 * out around it where the layouts differ (NCHW <-> NHWC, fp32 -> bf16; an input its Pad
 * already wrote as bf16 NHWC needs none: artem_cpu_plan_bf16_handoff).  The weights are reordered once (again when an initializer was
 * rewritten, every run when another node computes them).  Bias and a fused ReLU are
 * oneDNN post-ops.  conv.c chooses between this and its im2col + OpenBLAS path per node
 * by measurement (artem_conv_choose). */
#include "conv.h"

#ifdef ARTEM_HAVE_DNNL
#include <dnnl.h>

struct _ArtemDnnlConv {
  dnnl_stream_t stream;      /* one per convolution: nets may run on several threads */
  dnnl_primitive_t conv, src_reorder, dst_reorder, w_reorder;
  dnnl_memory_t user_src, user_dst, user_w, src, dst, w, bias, pad;
  gsize src_off, dst_off, pad_off;   /* where src, dst and the scratchpad sit in scratch */
  const float *w_data;       /* the weights last reordered, and their serial */
  guint64 w_serial;
  gboolean w_valid;
  gboolean bf16;
  /* packed (pack > 1): a convolution with few outputs (the last layer's 3 colours) runs
   * as one computing `pack` neighbouring pixels of a row as pack x M channels, so that
   * the bf16 kernels' 16-wide output tiles are used (conv_pack) */
  int pack, M, C, KH, KW;
  float *wpack, *bpack;      /* the widened weights and the repeated bias */
  dnnl_memory_t dst_orig;    /* the packed output in scratch, seen with the real shape */
  char impl[96];
};

static dnnl_engine_t engine;
static gboolean dnnl_ok;

static gboolean
dnnl_init (void)
{
  static gsize once = 0;
  if (g_once_init_enter (&once)) {
    dnnl_ok = dnnl_engine_create (&engine, dnnl_cpu, 0) == dnnl_success;
    g_once_init_leave (&once, 1);
  }
  return dnnl_ok;
}

gboolean
artem_dnnl_available (void)
{
  return dnnl_init ();
}

gboolean
artem_dnnl_bf16_available (void)
{
  /* the bf16 kernels need AVX512-BF16 (or AMX, which implies it); elsewhere oneDNN
   * emulates bf16 at fp32 speed or worse */
  __builtin_cpu_init ();
  return artem_dnnl_available () && __builtin_cpu_supports ("avx512bf16");
}

/* a reorder between two layouts, or NULL when they are the same */
static gboolean
make_reorder (const dnnl_memory_desc_t *from, const dnnl_memory_desc_t *to,
              dnnl_primitive_t *prim)
{
  *prim = NULL;
  if (dnnl_memory_desc_equal (from, to))
    return TRUE;
  dnnl_primitive_desc_t pd;
  if (dnnl_reorder_primitive_desc_create (&pd, from, engine, to, engine, NULL) != dnnl_success)
    return FALSE;
  dnnl_status_t st = dnnl_primitive_create (prim, pd);
  dnnl_primitive_desc_destroy (pd);
  return st == dnnl_success;
}

static void
run_reorder (dnnl_stream_t stream, dnnl_primitive_t r, dnnl_memory_t from, dnnl_memory_t to)
{
  dnnl_exec_arg_t args[2] = { { DNNL_ARG_FROM, from }, { DNNL_ARG_TO, to } };
  dnnl_primitive_execute (r, stream, 2, args);
}

void
artem_dnnl_conv_free (ArtemDnnlConv *c)
{
  if (!c)
    return;
  dnnl_primitive_t prims[] = { c->conv, c->src_reorder, c->dst_reorder, c->w_reorder };
  for (gsize i = 0; i < G_N_ELEMENTS (prims); i++)
    if (prims[i])
      dnnl_primitive_destroy (prims[i]);
  dnnl_memory_t mems[] = { c->user_src, c->user_dst, c->user_w, c->src, c->dst, c->w,
                           c->bias, c->pad, c->dst_orig };
  for (gsize i = 0; i < G_N_ELEMENTS (mems); i++)
    if (mems[i])
      dnnl_memory_destroy (mems[i]);
  if (c->stream)
    dnnl_stream_destroy (c->stream);
  g_free (c->wpack);
  g_free (c->bpack);
  g_free (c);
}

/* a memory object of layout @md placed in the net's scratch at run time (its handle is
 * set per run), at *scratch_bytes, which grows by its size (64-byte aligned) */
static gboolean
in_scratch (const dnnl_memory_desc_t *md, dnnl_memory_t *mem, gsize *off, gsize *scratch_bytes)
{
  *off = *scratch_bytes;
  *scratch_bytes += (dnnl_memory_desc_get_size (md) + 63) & ~(gsize) 63;
  return dnnl_memory_create (mem, md, engine, DNNL_MEMORY_NONE) == dnnl_success;
}

/* the primitive descriptor of a convolution or deconvolution descriptor @op_desc, with
 * a user scratchpad and, where @relu, a fused ReLU; NULL where oneDNN has none */
static dnnl_primitive_desc_t
primitive_desc_for (const void *op_desc, gboolean relu)
{
  dnnl_primitive_attr_t attr = NULL;
  dnnl_post_ops_t po = NULL;
  dnnl_primitive_attr_create (&attr);
  /* the scratchpad is ours (in the net's scratch): no allocation while running, and no
   * scratchpad shared between nets running on different threads */
  dnnl_primitive_attr_set_scratchpad_mode (attr, dnnl_scratchpad_mode_user);
  if (relu) {
    dnnl_post_ops_create (&po);
    dnnl_post_ops_append_eltwise (po, 1.f, dnnl_eltwise_relu, 0.f, 0.f);
    dnnl_primitive_attr_set_post_ops (attr, po);
  }
  dnnl_primitive_desc_t pd = NULL;
  dnnl_status_t st = dnnl_primitive_desc_create (&pd, op_desc, attr, engine, NULL);
  if (po)
    dnnl_post_ops_destroy (po);
  dnnl_primitive_attr_destroy (attr);
  return st == dnnl_success ? pd : NULL;
}

/* the convolution's primitive descriptor (oneDNN picks the activation and weight layouts:
 * format "any"), and the user-side descriptors of @g's frames, weights and bias */
static dnnl_primitive_desc_t
conv_primitive_desc (const ConvGeom *g, gboolean relu, gboolean has_bias, gboolean bf16,
                     gboolean src_nhwc, gboolean dst_nhwc, dnnl_memory_desc_t *u_src,
                     dnnl_memory_desc_t *u_dst, dnnl_memory_desc_t *u_w, dnnl_memory_desc_t *b_md,
                     gboolean fixed_dst)
{
  dnnl_data_type_t act = bf16 ? dnnl_bf16 : dnnl_f32;
  dnnl_dims_t sd = { g->N, g->C, g->H, g->W }, dd = { g->N, g->M, g->OH, g->OW };
  dnnl_dims_t wd1 = { g->M, g->CG, g->KH, g->KW };
  dnnl_dims_t wdg = { g->G, g->MG, g->CG, g->KH, g->KW };
  dnnl_dims_t bd = { g->M };
  dnnl_dims_t strides = { g->SH, g->SW }, dil = { g->DH - 1, g->DW - 1 };
  dnnl_dims_t pl = { g->PT, g->PL }, pr = { g->PB, g->PR };
  dnnl_memory_desc_t a_src, a_dst, a_w;
  gboolean grouped = g->G > 1;
  if (dnnl_memory_desc_init_by_tag (u_src, 4, sd, g->src_bf16 && bf16 ? dnnl_bf16 : dnnl_f32,
                                    src_nhwc ? dnnl_nhwc : dnnl_nchw) ||
      dnnl_memory_desc_init_by_tag (u_dst, 4, dd, g->dst_bf16 && bf16 ? dnnl_bf16 : dnnl_f32,
                                    dst_nhwc ? dnnl_nhwc : dnnl_nchw) ||
      dnnl_memory_desc_init_by_tag (u_w, grouped ? 5 : 4, grouped ? wdg : wd1, dnnl_f32,
                                    grouped ? dnnl_goihw : dnnl_oihw) ||
      dnnl_memory_desc_init_by_tag (&a_src, 4, sd, act, dnnl_format_tag_any) ||
      dnnl_memory_desc_init_by_tag (&a_dst, 4, dd, g->dst_bf16 && bf16 ? dnnl_bf16 : dnnl_f32,
                                    fixed_dst ? dnnl_nhwc : dnnl_format_tag_any) ||
      dnnl_memory_desc_init_by_tag (&a_w, grouped ? 5 : 4, grouped ? wdg : wd1, act,
                                    dnnl_format_tag_any) ||
      dnnl_memory_desc_init_by_tag (b_md, 1, bd, dnnl_f32, dnnl_x))
    return NULL;
  dnnl_convolution_desc_t cd;
  if (dnnl_dilated_convolution_forward_desc_init (&cd, dnnl_forward_inference,
          dnnl_convolution_direct, &a_src, &a_w, has_bias ? b_md : NULL, &a_dst, strides,
          dil, pl, pr) != dnnl_success)
    return NULL;
  return primitive_desc_for (&cd, relu);
}

/* The stream, the primitive of @pd and the memory objects around it: the reorders from
 * the user's source and weights to the primitive's layouts and from its output to the
 * user's, the frames that need a copy in the net's scratch (*scratch_bytes), the
 * reordered weights (*weight_bytes).  @dst: the primitive's output layout; @dst_from: the
 * same bytes as the reorder to @dst_user reads them (a packed convolution's real shape:
 * then c->dst_orig), else @dst itself; @b_md NULL without bias. */
static gboolean
conv_memories (ArtemDnnlConv *c, dnnl_primitive_desc_t pd, const dnnl_memory_desc_t *u_src,
               const dnnl_memory_desc_t *u_w, const dnnl_memory_desc_t *b_md,
               const dnnl_memory_desc_t *dst, const dnnl_memory_desc_t *dst_from,
               const dnnl_memory_desc_t *dst_user, gsize *weight_bytes, gsize *scratch_bytes)
{
  const dnnl_memory_desc_t *p_src = dnnl_primitive_desc_query_md (pd, dnnl_query_src_md, 0);
  const dnnl_memory_desc_t *p_w = dnnl_primitive_desc_query_md (pd, dnnl_query_weights_md, 0);
  const dnnl_memory_desc_t *p_pad =
      dnnl_primitive_desc_query_md (pd, dnnl_query_scratchpad_md, 0);
  *scratch_bytes = 0;
  gboolean ok = dnnl_stream_create (&c->stream, engine, dnnl_stream_default_flags) == 0 &&
                dnnl_primitive_create (&c->conv, pd) == dnnl_success &&
                make_reorder (u_src, p_src, &c->src_reorder) &&
                make_reorder (dst_from, dst_user, &c->dst_reorder) &&
                make_reorder (u_w, p_w, &c->w_reorder) &&
                dnnl_memory_create (&c->user_src, u_src, engine, DNNL_MEMORY_NONE) == 0 &&
                dnnl_memory_create (&c->user_dst, c->dst_reorder ? dst_user : dst, engine,
                                    DNNL_MEMORY_NONE) == 0 &&
                dnnl_memory_create (&c->user_w, u_w, engine, DNNL_MEMORY_NONE) == 0 &&
                (!b_md || dnnl_memory_create (&c->bias, b_md, engine, DNNL_MEMORY_NONE) == 0) &&
                (!c->src_reorder || in_scratch (p_src, &c->src, &c->src_off, scratch_bytes)) &&
                (!c->dst_reorder || in_scratch (dst, &c->dst, &c->dst_off, scratch_bytes)) &&
                (!c->dst_reorder || dst_from == dst ||
                 dnnl_memory_create (&c->dst_orig, dst_from, engine, DNNL_MEMORY_NONE) == 0) &&
                (!p_pad || !dnnl_memory_desc_get_size (p_pad) ||
                 in_scratch (p_pad, &c->pad, &c->pad_off, scratch_bytes)) &&
                (!c->w_reorder ||
                 dnnl_memory_create (&c->w, p_w, engine, DNNL_MEMORY_ALLOCATE) == 0);
  *weight_bytes = c->w_reorder ? dnnl_memory_desc_get_size (p_w) : 0;
  return ok;
}

/* The kernel of @pd (destroyed here) and the memories around it (conv_memories; @dst and
 * @dst_from NULL: the primitive's own output layout), or NULL where that fails or oneDNN
 * offers only a reference kernel (far slower than OpenBLAS: not worth offering) */
static ArtemDnnlConv *
conv_wrap (dnnl_primitive_desc_t pd, gboolean bf16, const dnnl_memory_desc_t *u_src,
           const dnnl_memory_desc_t *u_w, const dnnl_memory_desc_t *b_md,
           const dnnl_memory_desc_t *dst, const dnnl_memory_desc_t *dst_from,
           const dnnl_memory_desc_t *u_dst, gsize *weight_bytes, gsize *scratch_bytes)
{
  ArtemDnnlConv *c = g_new0 (ArtemDnnlConv, 1);
  c->bf16 = bf16;
  c->pack = 1;
  const char *impl = NULL;
  dnnl_primitive_desc_query (pd, dnnl_query_impl_info_str, 0, &impl);
  g_strlcpy (c->impl, impl ? impl : "?", sizeof c->impl);
  const dnnl_memory_desc_t *p_dst = dnnl_primitive_desc_query_md (pd, dnnl_query_dst_md, 0);
  gboolean ok = conv_memories (c, pd, u_src, u_w, b_md, dst ? dst : p_dst,
                               dst_from ? dst_from : p_dst, u_dst, weight_bytes, scratch_bytes);
  dnnl_primitive_desc_destroy (pd);
  if (!ok || g_str_has_prefix (c->impl, "ref")) {
    artem_dnnl_conv_free (c);
    return NULL;
  }
  return c;
}

/* How many pixels of a row a bf16 convolution with few outputs computes at once as
 * channels (1: none), and *owp, the row it then computes: OW rounded up to a multiple of
 * the pack (the columns past OW see zeros and are dropped).  pack x M output channels
 * fill more of the AMX kernels' 16-wide output tile: for the last 9x9 layer of a style
 * network (16 -> 3) pack 5 does 16 x 16 x 9 x 13 / 5 multiply-adds a pixel where the
 * plain kernel pads 3 outputs to 16 and does 16 x 16 x 9 x 9: 29 %.  The pack is the
 * one with the fewest multiply-adds a row, *owp x (KW + pack - 1) / pack (unpacked:
 * OW x KW); at 632 columns (a 600-wide frame with artem's margin) pack 5 on 635 beats
 * pack 4 on 632 by 13 %.  The packed output, NHWC [N, OH, *owp / pack, pack x M], holds
 * NHWC [N, OH, OW, M] at a row stride of *owp. */
static int
conv_pack (const ConvGeom *g, gboolean bf16, int *owp)
{
  *owp = g->OW;
  if (!bf16 || g->dst_bf16 || g->G != 1 || g->M > 4 || g->SW != 1 || g->DW != 1 || g->KW < 2 ||
      g_getenv ("ARTEM_NO_CONV_PACK"))
    return 1;
  int best = 1;
  double best_cost = (double) g->OW * g->KW;
  for (int p = 2; p <= 16 / g->M; p++) {
    int w = (g->OW + p - 1) / p * p;
    double cost = (double) w * (g->KW + p - 1) / p;
    if (cost < best_cost) {
      best = p;
      best_cost = cost;
      *owp = w;
    }
  }
  return best;
}

static ArtemDnnlConv *conv_new_packed (const ConvGeom *g, int pack, int owp, gboolean relu,
                                       gboolean has_bias, gboolean src_nhwc, gboolean dst_nhwc,
                                       gsize *weight_bytes, gsize *scratch_bytes);

ArtemDnnlConv *
artem_dnnl_conv_new (const ConvGeom *g, gboolean relu, gboolean has_bias, gboolean bf16,
                     gboolean src_nhwc, gboolean dst_nhwc, gsize *weight_bytes,
                     gsize *scratch_bytes)
{
  if (!dnnl_init ())
    return NULL;
  int owp;
  int pack = conv_pack (g, bf16, &owp);
  if (pack > 1) {
    ArtemDnnlConv *c = conv_new_packed (g, pack, owp, relu, has_bias, src_nhwc, dst_nhwc,
                                        weight_bytes, scratch_bytes);
    if (c)
      return c;
  }
  dnnl_memory_desc_t u_src, u_dst, u_w, b_md;
  dnnl_primitive_desc_t pd = conv_primitive_desc (g, relu, has_bias, bf16, src_nhwc, dst_nhwc,
                                                  &u_src, &u_dst, &u_w, &b_md,
                                                  g->dst_bf16 && dst_nhwc);
  if (!pd)
    return NULL;
  return conv_wrap (pd, bf16, &u_src, &u_w, has_bias ? &b_md : NULL, NULL, NULL, &u_dst,
                    weight_bytes, scratch_bytes);
}

/* ConvTranspose as a oneDNN deconvolution: NCHW fp32 frames in and out (the primitive's
 * own layouts inside, reordered around it), ONNX's [C, M, KH, KW] weights read as oneDNN's
 * "iohw", bias and ReLU fused; output_padding and an output_shape become the bottom and
 * right paddings (oneDNN's OH = (H - 1) SH + reach - top - bottom).  NULL where a padding
 * is negative (an output_shape past the input's reach) or oneDNN has no fast kernel. */
ArtemDnnlConv *
artem_dnnl_deconv_new (const ConvTGeom *g, gboolean relu, gboolean has_bias, gboolean bf16,
                       gsize *weight_bytes, gsize *scratch_bytes)
{
  if (!dnnl_init ())
    return NULL;
  int ext_h = (g->KH - 1) * g->DH + 1, ext_w = (g->KW - 1) * g->DW + 1;
  dnnl_dim_t pb = (dnnl_dim_t) (g->H - 1) * g->SH + ext_h - g->PT - g->OH;
  dnnl_dim_t pr = (dnnl_dim_t) (g->W - 1) * g->SW + ext_w - g->PL - g->OW;
  if (g->PT < 0 || g->PL < 0 || pb < 0 || pr < 0)
    return NULL;
  dnnl_data_type_t act = bf16 ? dnnl_bf16 : dnnl_f32;
  dnnl_dims_t sd = { g->N, g->C, g->H, g->W }, dd = { g->N, g->M, g->OH, g->OW };
  dnnl_dims_t wd = { g->M, g->C, g->KH, g->KW }, bd = { g->M };
  dnnl_dims_t strides = { g->SH, g->SW }, dil = { g->DH - 1, g->DW - 1 };
  dnnl_dims_t pl = { g->PT, g->PL }, prr = { pb, pr };
  dnnl_memory_desc_t u_src, u_dst, u_w, b_md, a_src, a_dst, a_w;
  if (dnnl_memory_desc_init_by_tag (&u_src, 4, sd, dnnl_f32, dnnl_nchw) ||
      dnnl_memory_desc_init_by_tag (&u_dst, 4, dd, dnnl_f32, dnnl_nchw) ||
      dnnl_memory_desc_init_by_tag (&u_w, 4, wd, dnnl_f32, dnnl_iohw) ||
      dnnl_memory_desc_init_by_tag (&a_src, 4, sd, act, dnnl_format_tag_any) ||
      dnnl_memory_desc_init_by_tag (&a_dst, 4, dd, dnnl_f32, dnnl_format_tag_any) ||
      dnnl_memory_desc_init_by_tag (&a_w, 4, wd, act, dnnl_format_tag_any) ||
      dnnl_memory_desc_init_by_tag (&b_md, 1, bd, dnnl_f32, dnnl_x))
    return NULL;
  dnnl_deconvolution_desc_t dd_;
  if (dnnl_dilated_deconvolution_forward_desc_init (&dd_, dnnl_forward_inference,
          dnnl_deconvolution_direct, &a_src, &a_w, has_bias ? &b_md : NULL, &a_dst, strides,
          dil, pl, prr) != dnnl_success)
    return NULL;
  dnnl_primitive_desc_t pd = primitive_desc_for (&dd_, relu);
  if (!pd)
    return NULL;
  return conv_wrap (pd, bf16, &u_src, &u_w, has_bias ? &b_md : NULL, NULL, NULL, &u_dst,
                    weight_bytes, scratch_bytes);
}

/* the packed convolution (conv_pack): kernel KW + pack - 1 wide, stride pack, pack x M
 * outputs, on a row of @owp (the columns past OW with zero padding); its output NHWC f32,
 * in y itself where the user's is NHWC and @owp is OW, else in scratch and reordered
 * (with the real shape and the row stride of @owp) into y */
static ArtemDnnlConv *
conv_new_packed (const ConvGeom *g, int pack, int owp, gboolean relu, gboolean has_bias,
                 gboolean src_nhwc, gboolean dst_nhwc, gsize *weight_bytes, gsize *scratch_bytes)
{
  ConvGeom p = *g;
  p.M = p.MG = pack * g->M;
  p.KW = g->KW + pack - 1;
  p.SW = pack;
  p.OW = owp / pack;
  p.PR = g->PR + owp - g->OW;
  dnnl_memory_desc_t u_src, u_dst, u_w, b_md, o_nhwc, o_user;
  dnnl_primitive_desc_t pd = conv_primitive_desc (&p, relu, has_bias, TRUE, src_nhwc, TRUE,
                                                  &u_src, &u_dst, &u_w, &b_md, TRUE);
  if (!pd)
    return NULL;
  dnnl_dims_t od = { g->N, g->M, g->OH, g->OW };
  dnnl_dims_t os = { (dnnl_dim_t) g->OH * owp * g->M, 1, (dnnl_dim_t) owp * g->M, g->M };
  dnnl_memory_desc_init_by_strides (&o_nhwc, 4, od, dnnl_f32, os);
  dnnl_memory_desc_init_by_tag (&o_user, 4, od, dnnl_f32, dst_nhwc ? dnnl_nhwc : dnnl_nchw);
  /* the primitive writes the packed NHWC u_dst; the same bytes are o_nhwc (row stride owp) */
  ArtemDnnlConv *c = conv_wrap (pd, TRUE, &u_src, &u_w, has_bias ? &b_md : NULL, &u_dst,
                                &o_nhwc, &o_user, weight_bytes, scratch_bytes);
  if (!c)
    return NULL;
  c->pack = pack;
  c->M = g->M; c->C = g->C; c->KH = g->KH; c->KW = g->KW;
  c->wpack = g_new0 (float, (gsize) p.M * p.C * p.KH * p.KW);
  c->bpack = g_new0 (float, p.M);
  *weight_bytes += (gsize) p.M * p.C * p.KH * p.KW * sizeof (float);
  g_snprintf (c->impl + strlen (c->impl), sizeof c->impl - strlen (c->impl),
              ", %d pixels packed", pack);
  return c;
}

/* the packed weights: output j * M + m (pixel j of the pack) is output m's kernel moved
 * j columns right in a kernel pack - 1 columns wider */
static void
pack_weights (ArtemDnnlConv *c, const float *w)
{
  int KWp = c->KW + c->pack - 1;
  for (int j = 0; j < c->pack; j++)
    for (int m = 0; m < c->M; m++)
      for (int ic = 0; ic < c->C; ic++)
        for (int ky = 0; ky < c->KH; ky++) {
          float *d = c->wpack + (((gsize) (j * c->M + m) * c->C + ic) * c->KH + ky) * KWp;
          const float *src = w + (((gsize) m * c->C + ic) * c->KH + ky) * c->KW;
          for (int kx = 0; kx < KWp; kx++)
            d[kx] = kx >= j && kx - j < c->KW ? src[kx - j] : 0.f;
        }
}

const char *
artem_dnnl_conv_impl (const ArtemDnnlConv *c)
{
  return c->impl;
}

gboolean
artem_dnnl_conv_is_bf16 (const ArtemDnnlConv *c)
{
  return c->bf16;
}

void
artem_dnnl_conv_run (ArtemDnnlConv *c, const float *x, const float *w, guint64 w_serial,
                     const float *bias, float *y, void *scratch)
{
  char *sp = scratch;
  if (!c->w_valid || w != c->w_data || w_serial != c->w_serial) {
    if (c->pack > 1)
      pack_weights (c, w);
    dnnl_memory_set_data_handle (c->user_w, c->pack > 1 ? c->wpack : (void *) w);
    if (c->w_reorder)
      run_reorder (c->stream, c->w_reorder, c->user_w, c->w);
    c->w_data = w;
    c->w_serial = w_serial;
    c->w_valid = TRUE;
  }
  dnnl_memory_set_data_handle (c->user_src, (void *) x);
  dnnl_memory_set_data_handle (c->user_dst, y);
  if (c->src)
    dnnl_memory_set_data_handle (c->src, sp + c->src_off);
  if (c->dst)
    dnnl_memory_set_data_handle (c->dst, sp + c->dst_off);
  if (c->src_reorder)
    run_reorder (c->stream, c->src_reorder, c->user_src, c->src);
  dnnl_exec_arg_t args[5] = {
    { DNNL_ARG_SRC, c->src ? c->src : c->user_src },
    { DNNL_ARG_WEIGHTS, c->w ? c->w : c->user_w },
    { DNNL_ARG_DST, c->dst ? c->dst : c->user_dst },
  };
  int nargs = 3;
  if (c->pad) {
    dnnl_memory_set_data_handle (c->pad, sp + c->pad_off);
    args[nargs++] = (dnnl_exec_arg_t) { DNNL_ARG_SCRATCHPAD, c->pad };
  }
  if (c->bias) {
    if (c->pack > 1)
      for (int i = 0; i < c->pack * c->M; i++)
        c->bpack[i] = bias[i % c->M];
    dnnl_memory_set_data_handle (c->bias, c->pack > 1 ? c->bpack : (void *) bias);
    args[nargs++] = (dnnl_exec_arg_t) { DNNL_ARG_BIAS, c->bias };
  }
  dnnl_primitive_execute (c->conv, c->stream, nargs, args);
  if (c->dst_orig) {   /* packed: the same bytes, seen with the real shape */
    dnnl_memory_set_data_handle (c->dst_orig, sp + c->dst_off);
    run_reorder (c->stream, c->dst_reorder, c->dst_orig, c->user_dst);
  } else if (c->dst_reorder) {
    run_reorder (c->stream, c->dst_reorder, c->dst, c->user_dst);
  }
  dnnl_stream_wait (c->stream);
}

#else /* no oneDNN in this build: the OpenBLAS path only */

gboolean artem_dnnl_available (void) { return FALSE; }
gboolean artem_dnnl_bf16_available (void) { return FALSE; }
ArtemDnnlConv *artem_dnnl_conv_new (const ConvGeom *g, gboolean relu, gboolean has_bias,
                                    gboolean bf16, gboolean src_nhwc, gboolean dst_nhwc,
                                    gsize *weight_bytes, gsize *scratch_bytes) { return NULL; }
ArtemDnnlConv *artem_dnnl_deconv_new (const ConvTGeom *g, gboolean relu, gboolean has_bias,
                                      gboolean bf16, gsize *weight_bytes,
                                      gsize *scratch_bytes) { return NULL; }
void artem_dnnl_conv_free (ArtemDnnlConv *c) { }
const char *artem_dnnl_conv_impl (const ArtemDnnlConv *c) { return "none"; }
gboolean artem_dnnl_conv_is_bf16 (const ArtemDnnlConv *c) { return FALSE; }
void artem_dnnl_conv_run (ArtemDnnlConv *c, const float *x, const float *w, guint64 s,
                          const float *bias, float *y, void *scratch) { }

#endif
