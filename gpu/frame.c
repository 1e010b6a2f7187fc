/* frame.c — 8-bit packed RGB-family frames to and from network planes: range scaling,
 * reflection padding to the network's alignment, cropping, clamping. */
#include "backend.h"
#include "stabilize.h"
#include "artem-blend.h"
#include "reflect.h"
#include <math.h>
#include <stdlib.h>

int
artem_pixel_format_bpp (ArtemPixelFormat fmt)
{
  return fmt <= ARTEM_FORMAT_BGR ? 3 : 4;
}

void
artem_pixel_format_offsets (ArtemPixelFormat fmt, int *r, int *g, int *b, int *a)
{
  static const int t[ARTEM_FORMAT_COUNT][4] = {
    { 0, 1, 2, -1 }, { 2, 1, 0, -1 },                /* RGB BGR */
    { 0, 1, 2, 3 }, { 2, 1, 0, 3 }, { 1, 2, 3, 0 }, { 3, 2, 1, 0 }, /* RGBx BGRx xRGB xBGR */
    { 0, 1, 2, 3 }, { 2, 1, 0, 3 }, { 1, 2, 3, 0 }, { 3, 2, 1, 0 }, /* RGBA BGRA ARGB ABGR */
  };
  if ((int) fmt < 0 || fmt >= ARTEM_FORMAT_COUNT)
    fmt = ARTEM_FORMAT_RGB;
  *r = t[fmt][0]; *g = t[fmt][1]; *b = t[fmt][2]; *a = t[fmt][3];
}

gboolean
artem_net_reshape_frame (ArtemNet *net, int width, int height, GError **error)
{
  if (width <= 0 || height <= 0 || width > 65536 || height > 65536) {
    g_set_error (error, ARTEM_ERROR, ARTEM_ERROR_ARGUMENT, "bad frame size %dx%d", width, height);
    return FALSE;
  }
  if (net->inputs->len != 1 || artem_net_get_input_dtype (net, 0) != ARTEM_DTYPE_FLOAT) {
    g_set_error (error, ARTEM_ERROR, ARTEM_ERROR_SHAPE,
                 "%s: not an image network (it needs one float input)", net->path);
    return FALSE;
  }
  GError *first = NULL;
  int m = net->margin;
  for (int align = 1; align <= 64; align *= 2) {
    int pw = (width + 2 * m + align - 1) / align * align;
    int ph = (height + 2 * m + align - 1) / align * align;
    ArtemShape s = { 4, { 1, 3, ph, pw } };
    GError *err = NULL;
    if (artem_net_reshape (net, &s, NULL, &err)) {
      ArtemShape os;
      artem_net_get_output (net, 0, &os, NULL);
      ArtemShape want = { 4, { 1, 3, ph, pw } };
      if (artem_shape_equal (&os, &want)) {
        g_clear_error (&first);
        net->frame_w = width; net->frame_h = height;
        net->pad_w = pw; net->pad_h = ph;
        net->ox = net->oy = m;
        net->stab_valid = FALSE;   /* a new size (or backend) starts without history */
        net->align = align;
        return TRUE;
      }
      char *ss = artem_shape_to_string (&os);
      err = g_error_new (ARTEM_ERROR, ARTEM_ERROR_SHAPE,
                         "%s: output shape %s is not the input's [1,3,%d,%d]", net->path, ss,
                         ph, pw);
      g_free (ss);
    }
    if (!first)
      first = err;
    else
      g_error_free (err);
  }
  g_prefix_error (&first, "cannot size the network for %dx%d frames: ", width, height);
  g_propagate_error (error, first);
  net->frame_w = net->frame_h = 0;
  return FALSE;
}

int
artem_net_get_frame_alignment (const ArtemNet *net)
{
  return net->align;
}

void
artem_net_set_frame_margin (ArtemNet *net, int margin)
{
  net->margin = CLAMP (margin, 0, 256);
}

int
artem_net_get_frame_margin (const ArtemNet *net)
{
  return net->ox;
}

static gboolean
frame_ready (ArtemNet *net, GError **error)
{
  if (!net->sized || net->frame_w <= 0) {
    g_set_error (error, ARTEM_ERROR, ARTEM_ERROR_ARGUMENT,
                 "the net is not sized for frames (call artem_net_reshape_frame)");
    return FALSE;
  }
  return TRUE;
}

/* Fills the padding of a planar 3 x ph x pw buffer whose w x h picture is set at
 * (ox, oy): reflection on every side. */
static void
pad_planes (float *p, int w, int h, int pw, int ph, int ox, int oy)
{
  if (w == pw && h == ph)
    return;
  for (int c = 0; c < 3; c++) {
    float *pl = p + (gsize) c * pw * ph;
    for (int y = oy; y < oy + h; y++) {
      float *row = pl + (gsize) y * pw;
      for (int x = 0; x < ox; x++)
        row[x] = row[ox + artem_reflect_index (x - ox, w)];
      for (int x = ox + w; x < pw; x++)
        row[x] = row[ox + artem_reflect_index (x - ox, w)];
    }
    for (int y = 0; y < ph; y++)
      if (y < oy || y >= oy + h)
        memcpy (pl + (gsize) y * pw, pl + (gsize) (oy + artem_reflect_index (y - oy, h)) * pw,
                pw * sizeof (float));
  }
}

/* ---- temporal stabilisation on the CPU (the maths: stabilize.h) ---- */

/* the history buffers for w x h; FALSE (and stabilisation off for this frame) when they
 * cannot be allocated */
static gboolean
stab_buffers (ArtemNet *net, int w, int h)
{
  if (net->stab_ref && net->stab_w == w && net->stab_h == h)
    return TRUE;
  g_clear_pointer (&net->stab_ref, g_free);
  g_clear_pointer (&net->stab_prev, g_free);
  g_clear_pointer (&net->stab_motion, g_free);
  g_clear_pointer (&net->stab_href, g_free);
  gsize n = (gsize) w * h;
  net->stab_ref = g_try_malloc0 (n * 3);   /* read (with weight 0) by the first frame */
  net->stab_prev = g_try_malloc0 (n * 3);
  net->stab_motion = g_try_malloc (n * 2 * sizeof (guint16));
  net->stab_href = g_try_malloc0 (n * 6);  /* href, then hprev */
  net->n_allocations += 4;
  net->stab_valid = FALSE;
  if (!net->stab_ref || !net->stab_prev || !net->stab_motion || !net->stab_href) {
    g_clear_pointer (&net->stab_ref, g_free);
    g_clear_pointer (&net->stab_prev, g_free);
    g_clear_pointer (&net->stab_motion, g_free);
    g_clear_pointer (&net->stab_href, g_free);
    return FALSE;
  }
  net->stab_hprev = net->stab_href + n * 3;
  net->stab_gap = (gint16 *) (net->stab_motion + n);
  net->stab_w = w;
  net->stab_h = h;
  return TRUE;
}

/* whether this frame is stabilised against the history (FALSE: it starts one) */
static gboolean
stab_begin (ArtemNet *net, gboolean *use)
{
  *use = FALSE;
  if (net->stab_amount <= 0.f) {
    net->stab_valid = FALSE;
    return FALSE;
  }
  if (!stab_buffers (net, net->frame_w, net->frame_h))
    return FALSE;
  if (net->stab_serial != net->init_serial)   /* a new style: the old output is stale */
    net->stab_valid = FALSE;
  *use = net->stab_valid;
  return TRUE;
}

/* the history moved along the motion vectors into href and hprev, and the motion of
 * row y against it (765 where the history has no source) */
static unsigned long long
stab_motion_moved_row (ArtemNet *net, const guint8 *s, int bpp, const int *off, int y)
{
  int w = net->frame_w, h = net->frame_h;
  unsigned long long moved = 0;
  guint8 *hr = net->stab_href + (gsize) y * w * 3, *hp = net->stab_hprev + (gsize) y * w * 3;
  guint16 *m = net->stab_motion + (gsize) y * w;
  for (int x = 0; x < w; x++) {
    long long q = artem_stab_source ((const signed char *) net->mo_vec, w, h, x, y);
    if (q < 0) {
      m[x] = 765;
      memset (hr + x * 3, 0, 3);
      memset (hp + x * 3, 0, 3);
    } else {
      memcpy (hr + x * 3, net->stab_ref + q * 3, 3);
      memcpy (hp + x * 3, net->stab_prev + q * 3, 3);
      m[x] = (guint16) artem_stab_pixel_motion (s[x * bpp + off[0]], s[x * bpp + off[1]],
                                                s[x * bpp + off[2]], hr + x * 3);
    }
    moved += artem_stab_moved (m[x]);
  }
  return moved;
}

/* the motion map (with motion vectors, of the moved history); returns FALSE on a scene
 * cut (the frame is then shown fresh) */
static gboolean
stab_motion_cpu (ArtemNet *net, const guint8 *src, gsize src_stride, int bpp, const int *off)
{
  int w = net->frame_w, h = net->frame_h;
  unsigned long long moved = 0;
  gboolean moving = net->mo_moving;
#pragma omp parallel for schedule(static) reduction(+:moved)
  for (int y = 0; y < h; y++) {
    const guint8 *s = src + (gsize) y * src_stride;
    const guint8 *r = net->stab_ref + (gsize) y * w * 3;
    guint16 *m = net->stab_motion + (gsize) y * w;
    if (moving) {
      moved += stab_motion_moved_row (net, s, bpp, off, y);
      continue;
    }
    for (int x = 0; x < w; x++) {
      m[x] = (guint16) artem_stab_pixel_motion (s[x * bpp + off[0]], s[x * bpp + off[1]],
                                                s[x * bpp + off[2]], r + x * 3);
      moved += artem_stab_moved (m[x]);
    }
  }
  return !artem_stab_is_cut (moved, (unsigned long long) w * h);
}

/* the gap map: how far the network's fresh output is from the held one (the glow guard) */
static void
stab_gap_cpu (ArtemNet *net, const float *out, gsize plane, float out_lo, float out_scale)
{
  int w = net->frame_w, h = net->frame_h, pw = net->pad_w;
#pragma omp parallel for schedule(static)
  for (int y = 0; y < h; y++) {
    const guint8 *prev = (net->mo_moving ? net->stab_hprev : net->stab_prev) + (gsize) y * w * 3;
    const float *orow = out + (gsize) y * pw;
    gint16 *g = net->stab_gap + (gsize) y * w;
    for (int x = 0; x < w; x++)
      g[x] = (gint16) artem_stab_gap ((orow[x] - out_lo) * out_scale,
                                      (orow[plane + x] - out_lo) * out_scale,
                                      (orow[2 * plane + x] - out_lo) * out_scale, prev + x * 3);
  }
}

/* the held output's weight for each pixel of row @y: with @col (w + 2 unsigned, guard
 * off) the 3x3 motion box as a column sum then a row sum, the same integers as
 * artem_stab_box without its nine clamped reads per pixel; else pixel by pixel */
static void
stab_row_weights (ArtemNet *net, int y, float amount, unsigned *col, float *krow)
{
  int w = net->frame_w, h = net->frame_h;
  if (!col) {
    for (int x = 0; x < w; x++)
      krow[x] = artem_stab_held_weight (net->stab_motion, net->stab_gap, w, h, x, y, amount,
                                        net->stab_guard);
    return;
  }
  const guint16 *m0 = net->stab_motion + (gsize) MAX (y - 1, 0) * w;
  const guint16 *m1 = net->stab_motion + (gsize) y * w;
  const guint16 *m2 = net->stab_motion + (gsize) MIN (y + 1, h - 1) * w;
  for (int x = 0; x < w; x++)
    col[x + 1] = (unsigned) m0[x] + m1[x] + m2[x];
  col[0] = col[1];
  col[w + 1] = col[w];
  for (int x = 0; x < w; x++)
    krow[x] = artem_stab_weight (col[x] + col[x + 1] + col[x + 2], amount);
}

gboolean
artem_frame_process_cpu (ArtemNet *net, const guint8 *src, gsize src_stride, guint8 *dst,
                         gsize dst_stride, ArtemPixelFormat fmt, GError **error)
{
  int w = net->frame_w, h = net->frame_h, pw = net->pad_w, ph = net->pad_h;
  int bpp = artem_pixel_format_bpp (fmt), off[4];
  artem_pixel_format_offsets (fmt, &off[0], &off[1], &off[2], &off[3]);
  float *in = artem_net_get_input_buffer (net, 0);
  gsize plane = (gsize) pw * ph, origin = (gsize) net->oy * pw + net->ox;
  float in_scale = (net->in_hi - net->in_lo) / 255.f, in_lo = net->in_lo;
#pragma omp parallel for schedule(static)
  for (int y = 0; y < h; y++) {
    const guint8 *row = src + (gsize) y * src_stride;
    for (int c = 0; c < 3; c++) {
      float *o = in + origin + c * plane + (gsize) y * pw;
      const guint8 *s = row + off[c];
      for (int x = 0; x < w; x++)
        o[x] = in_lo + in_scale * s[x * bpp];
    }
  }
  pad_planes (in, w, h, pw, ph, net->ox, net->oy);
  if (!artem_net_run (net, error))
    return FALSE;
  const float *out = (const float *) artem_net_get_output (net, 0, NULL, NULL) + origin;
  float out_scale = 255.f / (net->out_hi - net->out_lo), out_lo = net->out_lo;
  float strength = net->frame_strength, amount = net->stab_amount;
  gboolean use_history = FALSE, stab = stab_begin (net, &use_history);
  if (use_history)
    use_history = stab_motion_cpu (net, src, src_stride, bpp, off);
  gboolean guard = use_history && net->stab_guard > 0.f, moving = use_history && net->mo_moving;
  if (guard)
    stab_gap_cpu (net, out, plane, out_lo, out_scale);
#pragma omp parallel
  {
  /* per thread: a row's held weights (stab_row_weights) */
  unsigned *col = use_history && !guard ? g_new (unsigned, w + 2) : NULL;
  float *krow = use_history ? g_new (float, w) : NULL;
#pragma omp for schedule(static)
  for (int y = 0; y < h; y++) {
    guint8 *drow = dst + (gsize) y * dst_stride;
    const guint8 *srow = src + (gsize) y * src_stride;
    guint8 *prev = stab ? net->stab_prev + (gsize) y * w * 3 : NULL;
    guint8 *ref = stab ? net->stab_ref + (gsize) y * w * 3 : NULL;
    /* the held values: the history moved along the motion vectors, or in place */
    const guint8 *hp = moving ? net->stab_hprev + (gsize) y * w * 3 : prev;
    const guint8 *hr = moving ? net->stab_href + (gsize) y * w * 3 : ref;
    const float *orow = out + (gsize) y * pw;
    if (krow)
      stab_row_weights (net, y, amount, col, krow);
    for (int x = 0; x < w; x++) {
      /* the weight of the held output, once per pixel */
      float k = krow ? krow[x] : 0.f;
      for (int c = 0; c < 3; c++) {
        float v = (orow[c * plane + x] - out_lo) * out_scale;
        float sv = srow[x * bpp + off[c]];
        if (stab) {
          /* the styled value, held where the input did not change; the strength blend
           * comes after, so the history stays the network's own */
          guint8 q = artem_stab_mix (k, hp[x * 3 + c], v);
          prev[x * 3 + c] = q;
          ref[x * 3 + c] = artem_stab_mix (k, hr[x * 3 + c], sv);
          v = q;
        }
        drow[x * bpp + off[c]] = artem_blend_u8 (sv, v, strength);
      }
    }
    if (off[3] >= 0 && srow != drow)
      for (int x = 0; x < w; x++)
        drow[x * bpp + off[3]] = srow[x * bpp + off[3]];
  }
  g_free (col);
  g_free (krow);
  }
  if (stab) {
    net->stab_valid = TRUE;
    net->stab_serial = net->init_serial;
  }
  return TRUE;
}

/* the luma and vector buffers for w x h; FALSE (no motion search) when they cannot be
 * allocated */
static gboolean
mo_buffers (ArtemNet *net, int w, int h)
{
  if (net->mo_buf && net->mo_w == w && net->mo_h == h)
    return TRUE;
  g_clear_pointer (&net->mo_buf, g_free);
  g_clear_pointer (&net->mo_vec, g_free);
  gsize n = (gsize) w * h;
  /* one allocation: two lumas, the padded previous one */
  net->mo_buf = g_try_malloc (2 * n + artem_motion_scratch_size (w, h));
  net->mo_vec = g_try_malloc0 (artem_stab_vec_bytes (w, h));
  net->n_allocations += 2;
  net->mo_have_prev = FALSE;
  net->mo_moving = FALSE;
  if (!net->mo_buf || !net->mo_vec) {
    g_clear_pointer (&net->mo_buf, g_free);
    g_clear_pointer (&net->mo_vec, g_free);
    return FALSE;
  }
  net->mo_luma[0] = net->mo_buf;
  net->mo_luma[1] = net->mo_buf + n;
  net->mo_scratch = net->mo_buf + 2 * n;
  net->mo_w = w;
  net->mo_h = h;
  return TRUE;
}

void
artem_frame_motion (ArtemNet *net, const guint8 *src, gsize stride, ArtemPixelFormat fmt)
{
  int w = net->frame_w, h = net->frame_h, off[4];
  /* the CUDA backend reads the vectors whatever mo_moving: zero them when they were not */
  if (net->mo_moving && net->mo_vec && net->mo_w == w && net->mo_h == h)
    memset (net->mo_vec, 0, artem_stab_vec_bytes (w, h));
  net->mo_moving = FALSE;
  if (net->stab_amount <= 0.f || net->mo_radius <= 0 || !mo_buffers (net, w, h)) {
    net->mo_have_prev = FALSE;
    return;
  }
  artem_pixel_format_offsets (fmt, &off[0], &off[1], &off[2], &off[3]);
  guint8 *cur = net->mo_luma[1];   /* the older of the two */
  artem_motion_luma (src, stride, artem_pixel_format_bpp (fmt), off, w, h, cur);
  if (net->mo_have_prev)
    net->mo_moving = artem_motion_search (cur, net->mo_luma[0], w, h, net->mo_radius,
                                          net->mo_scratch, net->mo_vec);
  net->mo_luma[1] = net->mo_luma[0];
  net->mo_luma[0] = cur;
  net->mo_have_prev = TRUE;
}

static gboolean
frame_args_ok (ArtemNet *net, const void *p, ArtemPixelFormat fmt, GError **error)
{
  if (!frame_ready (net, error))
    return FALSE;
  if ((int) fmt < 0 || fmt >= ARTEM_FORMAT_COUNT || !p) {
    g_set_error (error, ARTEM_ERROR, ARTEM_ERROR_ARGUMENT, "bad frame arguments");
    return FALSE;
  }
  return TRUE;
}

gboolean
artem_net_process_frame (ArtemNet *net, const guint8 *src, gsize src_stride, guint8 *dst,
                         gsize dst_stride, ArtemPixelFormat fmt, GError **error)
{
  if (!frame_args_ok (net, src, fmt, error) || !frame_args_ok (net, dst, fmt, error))
    return FALSE;
  const ArtemBackend *be = net->be;
  if (!be->process && be->in_flight (net) > 0) {
    g_set_error (error, ARTEM_ERROR, ARTEM_ERROR_ARGUMENT,
                 "submitted frames are in flight: receive them first");
    return FALSE;
  }
  artem_frame_motion (net, src, src_stride, fmt);
  GError *err = NULL;
  if (be->process ? be->process (net, src, src_stride, dst, dst_stride, fmt, &err)
                  : be->submit (net, src, src_stride, fmt, &err) &&
                        be->receive (net, dst, dst_stride, &err))
    return TRUE;
  /* device=auto: a GPU that fails while running (a driver error, a lost device) leaves
   * the frames to the CPU, from this one on */
  if (err->code != ARTEM_ERROR_BACKEND) {
    g_propagate_error (error, err);
    return FALSE;
  }
  int w = net->frame_w, h = net->frame_h;
  if (!artem_net_fall_back (net, err, error) || !artem_net_reshape_frame (net, w, h, error))
    return FALSE;
  return net->be->process (net, src, src_stride, dst, dst_stride, fmt, error);
}

gboolean
artem_net_submit_frame (ArtemNet *net, const guint8 *src, gsize src_stride,
                        ArtemPixelFormat fmt, GError **error)
{
  if (!frame_args_ok (net, src, fmt, error))
    return FALSE;
  if (net->be->in_flight (net) < artem_net_get_max_frames_in_flight (net))
    artem_frame_motion (net, src, src_stride, fmt);
  return net->be->submit (net, src, src_stride, fmt, error);
}

gboolean
artem_net_receive_frame (ArtemNet *net, guint8 *dst, gsize dst_stride, GError **error)
{
  if (!dst) {
    g_set_error (error, ARTEM_ERROR, ARTEM_ERROR_ARGUMENT, "bad frame arguments");
    return FALSE;
  }
  return net->be->receive (net, dst, dst_stride, error);
}

guint
artem_net_get_max_frames_in_flight (const ArtemNet *net)
{
  return net->be->max_in_flight;
}

void
artem_net_set_frame_strength (ArtemNet *net, float strength)
{
  net->frame_strength = isfinite (strength) ? CLAMP (strength, 0.f, 1.f) : 1.f;
}

void
artem_net_set_frame_stabilize (ArtemNet *net, float amount)
{
  net->stab_amount = isfinite (amount) ? CLAMP (amount, 0.f, 1.f) : 0.f;
}

void
artem_net_set_frame_glow_guard (ArtemNet *net, float guard)
{
  net->stab_guard = isfinite (guard) ? CLAMP (guard, 0.f, 1.f) : 0.f;
}

void
artem_net_set_frame_motion_search (ArtemNet *net, int radius)
{
  net->mo_radius = CLAMP (radius, 0, ARTEM_STAB_MAX_SEARCH);
}

void
artem_net_reset_frame_history (ArtemNet *net)
{
  net->stab_valid = FALSE;
  net->mo_have_prev = FALSE;
  net->be->reset_history (net);
}

gboolean
artem_net_process_planes (ArtemNet *net, const float *src, float *dst, GError **error)
{
  if (!frame_ready (net, error))
    return FALSE;
  int w = net->frame_w, h = net->frame_h, pw = net->pad_w, ph = net->pad_h;
  gsize origin = (gsize) net->oy * pw + net->ox;
  float *in = artem_net_get_input_buffer (net, 0);
  for (int c = 0; c < 3; c++)
    for (int y = 0; y < h; y++)
      memcpy (in + origin + (gsize) c * pw * ph + (gsize) y * pw,
              src + (gsize) c * w * h + (gsize) y * w, w * sizeof (float));
  pad_planes (in, w, h, pw, ph, net->ox, net->oy);
  if (!artem_net_run (net, error))
    return FALSE;
  const float *out = (const float *) artem_net_get_output (net, 0, NULL, NULL) + origin;
  for (int c = 0; c < 3; c++)
    for (int y = 0; y < h; y++)
      memcpy (dst + (gsize) c * w * h + (gsize) y * w, out + (gsize) c * pw * ph + (gsize) y * pw,
              w * sizeof (float));
  return TRUE;
}
