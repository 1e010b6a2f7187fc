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
                           c->bias, c->pad };
  for (gsize i = 0; i < G_N_ELEMENTS (mems); i++)
    if (mems[i])
      dnnl_memory_destroy (mems[i]);
  if (c->stream)
    dnnl_stream_destroy (c->stream);
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

/* the convolution's primitive descriptor (oneDNN picks the activation and weight layouts:
 * format "any"), and the user-side descriptors of @g's frames, weights and bias */
static dnnl_primitive_desc_t
conv_primitive_desc (const ConvGeom *g, gboolean relu, gboolean has_bias, gboolean bf16,
                     gboolean src_nhwc, gboolean dst_nhwc, dnnl_memory_desc_t *u_src,
                     dnnl_memory_desc_t *u_dst, dnnl_memory_desc_t *u_w, dnnl_memory_desc_t *b_md)
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
      dnnl_memory_desc_init_by_tag (u_dst, 4, dd, dnnl_f32, dst_nhwc ? dnnl_nhwc : dnnl_nchw) ||
      dnnl_memory_desc_init_by_tag (u_w, grouped ? 5 : 4, grouped ? wdg : wd1, dnnl_f32,
                                    grouped ? dnnl_goihw : dnnl_oihw) ||
      dnnl_memory_desc_init_by_tag (&a_src, 4, sd, act, dnnl_format_tag_any) ||
      dnnl_memory_desc_init_by_tag (&a_dst, 4, dd, dnnl_f32, dnnl_format_tag_any) ||
      dnnl_memory_desc_init_by_tag (&a_w, grouped ? 5 : 4, grouped ? wdg : wd1, act,
                                    dnnl_format_tag_any) ||
      dnnl_memory_desc_init_by_tag (b_md, 1, bd, dnnl_f32, dnnl_x))
    return NULL;
  dnnl_convolution_desc_t cd;
  if (dnnl_dilated_convolution_forward_desc_init (&cd, dnnl_forward_inference,
          dnnl_convolution_direct, &a_src, &a_w, has_bias ? b_md : NULL, &a_dst, strides,
          dil, pl, pr) != dnnl_success)
    return NULL;
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
  dnnl_status_t st = dnnl_primitive_desc_create (&pd, &cd, attr, engine, NULL);
  if (po)
    dnnl_post_ops_destroy (po);
  dnnl_primitive_attr_destroy (attr);
  return st == dnnl_success ? pd : NULL;
}

ArtemDnnlConv *
artem_dnnl_conv_new (const ConvGeom *g, gboolean relu, gboolean has_bias, gboolean bf16,
                     gboolean src_nhwc, gboolean dst_nhwc, gsize *weight_bytes,
                     gsize *scratch_bytes)
{
  if (!dnnl_init ())
    return NULL;
  dnnl_memory_desc_t u_src, u_dst, u_w, b_md;
  dnnl_primitive_desc_t pd = conv_primitive_desc (g, relu, has_bias, bf16, src_nhwc, dst_nhwc,
                                                  &u_src, &u_dst, &u_w, &b_md);
  if (!pd)
    return NULL;
  ArtemDnnlConv *c = g_new0 (ArtemDnnlConv, 1);
  c->bf16 = bf16;
  const char *impl = NULL;
  dnnl_primitive_desc_query (pd, dnnl_query_impl_info_str, 0, &impl);
  g_strlcpy (c->impl, impl ? impl : "?", sizeof c->impl);
  const dnnl_memory_desc_t *p_src = dnnl_primitive_desc_query_md (pd, dnnl_query_src_md, 0);
  const dnnl_memory_desc_t *p_dst = dnnl_primitive_desc_query_md (pd, dnnl_query_dst_md, 0);
  const dnnl_memory_desc_t *p_w = dnnl_primitive_desc_query_md (pd, dnnl_query_weights_md, 0);
  const dnnl_memory_desc_t *p_pad =
      dnnl_primitive_desc_query_md (pd, dnnl_query_scratchpad_md, 0);
  *scratch_bytes = 0;
  gboolean ok = dnnl_stream_create (&c->stream, engine, dnnl_stream_default_flags) == 0 &&
                dnnl_primitive_create (&c->conv, pd) == dnnl_success &&
                make_reorder (&u_src, p_src, &c->src_reorder) &&
                make_reorder (p_dst, &u_dst, &c->dst_reorder) &&
                make_reorder (&u_w, p_w, &c->w_reorder) &&
                dnnl_memory_create (&c->user_src, &u_src, engine, DNNL_MEMORY_NONE) == 0 &&
                dnnl_memory_create (&c->user_dst, &u_dst, engine, DNNL_MEMORY_NONE) == 0 &&
                dnnl_memory_create (&c->user_w, &u_w, engine, DNNL_MEMORY_NONE) == 0 &&
                (!has_bias ||
                 dnnl_memory_create (&c->bias, &b_md, engine, DNNL_MEMORY_NONE) == 0) &&
                (!c->src_reorder || in_scratch (p_src, &c->src, &c->src_off, scratch_bytes)) &&
                (!c->dst_reorder || in_scratch (p_dst, &c->dst, &c->dst_off, scratch_bytes)) &&
                (!p_pad || !dnnl_memory_desc_get_size (p_pad) ||
                 in_scratch (p_pad, &c->pad, &c->pad_off, scratch_bytes)) &&
                (!c->w_reorder ||
                 dnnl_memory_create (&c->w, p_w, engine, DNNL_MEMORY_ALLOCATE) == 0);
  if (c->w_reorder)
    *weight_bytes = dnnl_memory_desc_get_size (p_w);
  dnnl_primitive_desc_destroy (pd);
  if (!ok) {
    artem_dnnl_conv_free (c);
    return NULL;
  }
  /* the reference kernels are far slower than OpenBLAS: not worth offering */
  if (g_str_has_prefix (c->impl, "ref")) {
    artem_dnnl_conv_free (c);
    return NULL;
  }
  return c;
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
    dnnl_memory_set_data_handle (c->user_w, (void *) w);
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
    dnnl_memory_set_data_handle (c->bias, (void *) bias);
    args[nargs++] = (dnnl_exec_arg_t) { DNNL_ARG_BIAS, c->bias };
  }
  dnnl_primitive_execute (c->conv, c->stream, nargs, args);
  if (c->dst_reorder)
    run_reorder (c->stream, c->dst_reorder, c->dst, c->user_dst);
  dnnl_stream_wait (c->stream);
}

#else /* no oneDNN in this build: the OpenBLAS path only */

gboolean artem_dnnl_available (void) { return FALSE; }
gboolean artem_dnnl_bf16_available (void) { return FALSE; }
ArtemDnnlConv *artem_dnnl_conv_new (const ConvGeom *g, gboolean relu, gboolean has_bias,
                                    gboolean bf16, gboolean src_nhwc, gboolean dst_nhwc,
                                    gsize *weight_bytes, gsize *scratch_bytes) { return NULL; }
void artem_dnnl_conv_free (ArtemDnnlConv *c) { }
const char *artem_dnnl_conv_impl (const ArtemDnnlConv *c) { return "none"; }
gboolean artem_dnnl_conv_is_bf16 (const ArtemDnnlConv *c) { return FALSE; }
void artem_dnnl_conv_run (ArtemDnnlConv *c, const float *x, const float *w, guint64 s,
                          const float *bias, float *y, void *scratch) { }

#endif
