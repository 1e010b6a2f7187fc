/* test-passes.c — the graph passes (gpu/passes.c) and the CPU plan's fusions change what
 * runs, never what comes out:
 * - a nearest Resize folded into the Pad that reads it (artem_pass_fuse_gathers) gives the
 *   same bytes as the two nodes run one after the other (ARTEM_NO_GATHER_FUSION=1), in
 *   NCHW and in the NHWC regions between convolutions, and runs one node fewer; a Resize
 *   that something else also reads is left alone;
 * - an InstanceNormalization written straight into the Pad after it, which then fills its
 *   border alone (artem_cpu_plan_pad_into), or into the residual Add after it, which then
 *   does nothing, gives the same bytes as with ARTEM_NO_PAD_INTO=1, for each pad mode
 *   and asymmetric pads, NCHW and NHWC; a norm whose output has a second reader is not
 *   paired;
 * - in bf16, a Pad (and a norm written into it) that stores its output as bf16 for the
 *   convolution after it (artem_cpu_plan_bf16_handoff) gives the same bytes as the
 *   convolution converting an fp32 frame itself (ARTEM_NO_BF16_HANDOFF=1), and a
 *   convolution that writes bf16 for the norm after it (the other half of the hand-off,
 *   ARTEM_NO_BF16_NORM_IN=1 without it) stays within bf16 rounding of that; SKIP on a CPU
 *   without bf16. */
#include "../common/compare.h"
#include "../common/onnx-builder.h"
#include "net-private.h"
#include "cpu/conv.h"
#include "../common/test-main.h"
#include <string.h>

/* x -> [Conv 1x1] -> Resize / Upsample (nearest) -> Pad -> [Conv 1x1] -> y (the Convs put
 * the gathers inside an NHWC region); with `tap`, the Resize's output is a second output */
static GBytes *
model (int C, gboolean upsample, const char *ct, const char *pad_mode, gboolean convs,
       gboolean tap)
{
  TB *b = tb_new (upsample ? 9 : 13);
  tb_input (b, "x");
  float sc[4] = { 1.f, 1.f, 2.f, 2.f };
  float *w = g_new (float, C * C);
  for (int i = 0; i < C * C; i++)
    w[i] = (i % (C + 1) == 0 ? 1.f : 0.f) + 0.01f * (float) (i % 7);
  if (convs) {
    tb_init (b, "w", 4, (int64_t[]) { C, C, 1, 1 }, w);
    tb_node (b, "Conv", NULL, "x,w", "c1");
  }
  const char *src = convs ? "c1" : "x";
  gchar *ins = upsample ? g_strdup_printf ("%s,scales", src) : g_strdup_printf ("%s,roi,scales", src);
  tb_init (b, "scales", 1, (int64_t[]) { 4 }, sc);
  Onnx__NodeProto *n;
  if (upsample) {
    n = tb_node (b, "Upsample", NULL, ins, "up");
  } else {
    tb_init (b, "roi", 1, (int64_t[]) { 0 }, sc);
    n = tb_node (b, "Resize", NULL, ins, "up");
    tb_attr_string (b, n, "coordinate_transformation_mode", ct);
  }
  tb_attr_string (b, n, "mode", "nearest");
  g_free (ins);
  if (upsample) {   /* opset 9: pads as an attribute */
    n = tb_node (b, "Pad", NULL, "up", convs ? "p" : "y");
    tb_attr_ints (b, n, "pads", 8, (int64_t[]) { 0, 0, 1, 2, 0, 0, 2, 1 });
  } else {
    tb_init_i64 (b, "pads", 1, (int64_t[]) { 8 }, (int64_t[]) { 0, 0, 4, 1, 0, 0, 3, 4 });
    float cv = 0.5f;
    tb_init (b, "cv", 0, NULL, &cv);
    n = tb_node (b, "Pad", NULL, "up,pads,cv", convs ? "p" : "y");
  }
  tb_attr_string (b, n, "mode", pad_mode);
  if (convs)
    tb_node (b, "Conv", NULL, "p,w", "y");
  tb_output (b, "y");
  if (tap)
    tb_output (b, "up");
  g_free (w);
  return tb_finish (b);
}

/* What a run of model m on the CPU at 1 x C x H x W shows: how many nodes it runs and
 * whether a norm writes straight into the step after it (artem_cpu_plan_pad_into). */
typedef struct {
  guint n_nodes;
  gboolean paired;
  int n_bf16;         /* values stored bf16 (artem_cpu_plan_bf16_handoff) */
} RunInfo;

/* the precision run_model plans at */
static ArtemPrecision precision = ARTEM_PRECISION_FP32;

/* the outputs' shapes and bytes for a fixed input; `off_env` (an ARTEM_NO_... switch) set
 * while the net is loaded and planned when `off`, and the plan NCHW when `nchw` */
static GBytes *
run_model (GBytes *m, const char *off_env, gboolean off, gboolean nchw, int C, int H, int W,
           RunInfo *info)
{
  if (off)
    g_setenv (off_env, "1", TRUE);
  if (nchw)
    g_setenv ("ARTEM_NO_NHWC", "1", TRUE);
  GError *err = NULL;
  gsize size;
  const void *data = g_bytes_get_data (m, &size);
  ArtemNet *net = artem_net_new_from_data (data, size, "passes", ARTEM_BACKEND_CPU, &err);
  g_assert_no_error (err);
  artem_net_set_precision (net, precision);
  ArtemShape sh = { 4, { 1, C, H, W } };
  g_assert_true (artem_net_reshape (net, &sh, NULL, &err));
  g_assert_no_error (err);
  g_unsetenv (off_env);
  g_unsetenv ("ARTEM_NO_NHWC");
  float *x = artem_net_get_input_buffer (net, 0);
  for (int i = 0; i < C * H * W; i++)
    x[i] = (float) ((i * 37) % 101) / 10.f - 5.f;
  g_assert_true (artem_net_run (net, &err));
  g_assert_no_error (err);
  GByteArray *out = g_byte_array_new ();
  for (guint o = 0; o < artem_net_get_n_outputs (net); o++) {
    ArtemShape os;
    const void *y = artem_net_get_output (net, o, &os, NULL);
    gsize n = 1;
    for (int d = 0; d < os.ndim; d++)
      n *= os.dims[d];
    g_byte_array_append (out, (const guint8 *) &os, sizeof os);
    g_byte_array_append (out, y, n * sizeof (float));
  }
  info->n_nodes = artem_net_get_n_nodes (net);
  info->paired = FALSE;
  for (int s = 0; s < net->n_steps; s++)
    if (artem_step_node (net, s)->write_into.out)
      info->paired = TRUE;
  info->n_bf16 = 0;
  for (guint i = 0; i < net->values->len; i++)
    info->n_bf16 += VAL (net, i)->bf16;
  artem_net_free (net);
  return g_byte_array_free_to_bytes (out);
}

static void
check (int C, gboolean upsample, const char *ct, const char *pad_mode, gboolean convs,
       gboolean tap)
{
  int H = 7 + C % 5, W = 9 + C % 3;
  GBytes *m = model (C, upsample, ct, pad_mode, convs, tap);
  RunInfo f, u;
  GBytes *fused = run_model (m, "ARTEM_NO_GATHER_FUSION", FALSE, FALSE, C, H, W, &f);
  GBytes *plain = run_model (m, "ARTEM_NO_GATHER_FUSION", TRUE, FALSE, C, H, W, &u);
  g_assert_true (g_bytes_equal (fused, plain));
  /* folded: one node fewer; with a second reader of the upsampled frame: as before */
  g_assert_cmpuint (f.n_nodes + (tap ? 0 : 1), ==, u.n_nodes);
  g_bytes_unref (fused);
  g_bytes_unref (plain);
  g_bytes_unref (m);
}

static void
test_resize_into_pad (void)
{
  static const char *const cts[] = { "asymmetric", "half_pixel", "align_corners",
                                     "pytorch_half_pixel" };
  static const char *const modes[] = { "reflect", "constant", "edge" };
  for (int i = 0; i < 4; i++)
    for (int m = 0; m < 3; m++) {
      check (3 + 5 * i, FALSE, cts[i], modes[m], FALSE, FALSE);
      check (16, FALSE, cts[i], modes[m], TRUE, FALSE);   /* NHWC between the convs */
    }
  check (8, TRUE, NULL, "reflect", FALSE, FALSE);
  check (16, TRUE, NULL, "reflect", TRUE, FALSE);
}

static void
test_second_reader_not_folded (void)
{
  check (8, FALSE, "asymmetric", "reflect", FALSE, TRUE);
  check (16, FALSE, "half_pixel", "reflect", TRUE, TRUE);
}

/* x -> Conv 1x1 -> InstanceNormalization (-> Relu) -> Pad -> Conv 1x1 -> y; with `tap`
 * the norm's output is a second graph output; pad_mode NULL: a residual Add of the first
 * Conv's output in place of the Pad */
static GBytes *
norm_pad_model (int C, const char *pad_mode, gboolean relu, gboolean tap, const int64_t *pads)
{
  TB *b = tb_new (13);
  tb_input (b, "x");
  float *w = g_new (float, C * C), *sc = g_new (float, C), *bi = g_new (float, C);
  for (int i = 0; i < C * C; i++)
    w[i] = (i % (C + 1) == 0 ? 1.f : 0.f) + 0.03f * (float) (i % 5) - 0.05f;
  for (int i = 0; i < C; i++) {
    sc[i] = 0.5f + 0.1f * (float) i;
    bi[i] = 0.2f * (float) (i % 3) - 0.1f;
  }
  tb_init (b, "w", 4, (int64_t[]) { C, C, 1, 1 }, w);
  tb_init (b, "sc", 1, (int64_t[]) { C }, sc);
  tb_init (b, "bi", 1, (int64_t[]) { C }, bi);
  tb_node (b, "Conv", NULL, "x,w", "c1");
  tb_node (b, "InstanceNormalization", NULL, "c1,sc,bi", relu ? "nr" : "n");
  if (relu)
    tb_node (b, "Relu", NULL, "nr", "n");
  tb_init_i64 (b, "pads", 1, (int64_t[]) { 8 }, pads);
  float cv = -0.75f;
  tb_init (b, "cv", 0, NULL, &cv);
  if (pad_mode) {
    Onnx__NodeProto *n = tb_node (b, "Pad", NULL, "n,pads,cv", "p");
    tb_attr_string (b, n, "mode", pad_mode);
  } else {
    tb_node (b, "Add", NULL, relu ? "c1,n" : "n,c1", "p");
  }
  tb_node (b, "Conv", NULL, "p,w", "y");
  tb_output (b, "y");
  if (tap)
    tb_output (b, "n");
  g_free (w);
  g_free (sc);
  g_free (bi);
  return tb_finish (b);
}

static void
test_norm_into_pad (void)
{
  static const char *const modes[] = { "reflect", "constant", "edge", NULL };
  static const int64_t pads[3][8] = { { 0, 0, 1, 1, 0, 0, 1, 1 }, { 0, 0, 4, 0, 0, 0, 2, 3 },
                                      { 0, 0, 0, 2, 0, 0, 3, 0 } };
  for (int nchw = 0; nchw < 2; nchw++)
    for (int m = 0; m < 4; m++)
      for (int p = 0; p < 3; p++)
        for (int tap = 0; tap < 2; tap++) {
          int C = (int[]) { 16, 3, 32 }[p], H = 6 + m + p, W = 9 + 2 * p;
          GBytes *model = norm_pad_model (C, modes[m], (m + p) % 2, tap, pads[p]);
          RunInfo pi, ui;
          GBytes *a = run_model (model, "ARTEM_NO_PAD_INTO", FALSE, nchw, C, H, W, &pi);
          GBytes *b = run_model (model, "ARTEM_NO_PAD_INTO", TRUE, nchw, C, H, W, &ui);
          g_assert_true (g_bytes_equal (a, b));
          g_assert_true (pi.paired == !tap);   /* a second reader: not paired */
          g_assert_false (ui.paired);
          g_bytes_unref (a);
          g_bytes_unref (b);
          g_bytes_unref (model);
        }
}

/* the largest difference between two run_model results of one float output, relative to
 * the largest magnitude */
static double
rel_diff (GBytes *a, GBytes *b)
{
  gsize na, nb;
  const guint8 *pa = g_bytes_get_data (a, &na), *pb = g_bytes_get_data (b, &nb);
  g_assert_cmpuint (na, ==, nb);
  return artem_test_rel_diff ((const float *) (pa + sizeof (ArtemShape)),
                              (const float *) (pb + sizeof (ArtemShape)),
                              (na - sizeof (ArtemShape)) / sizeof (float));
}

/* model m at C x H x W in bf16: the Pad's bf16 output gives the same bytes as no hand-off;
 * with the convolution writing bf16 for the norm too, more values are bf16 and the output
 * moves by about bf16's rounding */
static void
check_handoff (GBytes *m, int C, int H, int W, gboolean has_pad, gboolean has_norm)
{
  RunInfo h, u, all;
  g_setenv ("ARTEM_NO_BF16_NORM_IN", "1", TRUE);
  GBytes *a = run_model (m, "ARTEM_NO_BF16_HANDOFF", FALSE, FALSE, C, H, W, &h);
  GBytes *b = run_model (m, "ARTEM_NO_BF16_HANDOFF", TRUE, FALSE, C, H, W, &u);
  g_unsetenv ("ARTEM_NO_BF16_NORM_IN");
  GBytes *c = run_model (m, "ARTEM_NO_BF16_HANDOFF", FALSE, FALSE, C, H, W, &all);
  g_assert_true (g_bytes_equal (a, b));
  g_assert_cmpint (h.n_bf16, ==, has_pad ? 1 : 0);
  g_assert_cmpint (u.n_bf16, ==, 0);
  g_assert_cmpint (all.n_bf16, ==, h.n_bf16 + (has_norm ? 1 : 0));
  g_assert_cmpfloat (rel_diff (c, a), <, 2e-2);
  g_bytes_unref (a);
  g_bytes_unref (b);
  g_bytes_unref (c);
  g_bytes_unref (m);
}

static void
test_bf16_handoff (void)
{
  if (!artem_dnnl_bf16_available ()) {
    g_test_skip ("this CPU has no native bf16 (AVX512-BF16 or AMX): the plan stays fp32");
    return;
  }
  precision = ARTEM_PRECISION_BF16;
  static const char *const modes[] = { "reflect", "constant", "edge" };
  static const int64_t pads[2][8] = { { 0, 0, 1, 1, 0, 0, 1, 1 }, { 0, 0, 4, 0, 0, 0, 2, 3 } };
  for (int m = 0; m < 3; m++)
    for (int p = 0; p < 2; p++)
      for (int paired = 0; paired < 2; paired++) {   /* unpaired: the Pad gathers it all */
        int C = (int[]) { 16, 32 }[p];
        if (!paired)
          g_setenv ("ARTEM_NO_PAD_INTO", "1", TRUE);
        check_handoff (norm_pad_model (C, modes[m], (m + p) % 2, FALSE, pads[p]), C,
                       6 + m + p, 9 + 2 * p, TRUE, TRUE);
        g_unsetenv ("ARTEM_NO_PAD_INTO");
      }
  /* a nearest Resize folded into the Pad: the composed gather writes bf16 */
  check_handoff (model (16, FALSE, "asymmetric", "reflect", TRUE, FALSE), 16, 7, 9, TRUE,
                 FALSE);
  check_handoff (model (16, TRUE, NULL, "reflect", TRUE, FALSE), 16, 8, 10, TRUE, FALSE);
  /* (a norm reading bf16 and adding an fp32 residual runs in the shipped models:
   * tests/engine/test_bf16.py) */
  precision = ARTEM_PRECISION_FP32;
}

int
main (int argc, char **argv)
{
  return artem_test_run (argc, argv, "/passes/", "resize-into-pad", test_resize_into_pad,
                         "second-reader-not-folded", test_second_reader_not_folded,
                         "norm-into-pad", test_norm_into_pad, "bf16-handoff",
                         test_bf16_handoff, NULL);
}
