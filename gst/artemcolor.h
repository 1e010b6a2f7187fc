/* artemcolor.h — the elements' pixel maths (artemcolor.c): the pixel-format table, the
 * strength blend with preserve-colors, and the colour statistics and matching artemadain
 * uses for its preserve-colors. */
#ifndef ARTEM_COLOR_H
#define ARTEM_COLOR_H

#include <artem.h>
#include <gst/video/video.h>

G_BEGIN_DECLS

/* the engine's name of a raw format, ARTEM_FORMAT_COUNT for one the elements do not take */
ArtemPixelFormat artem_gst_format (GstVideoFormat f);
/* the caps of every format the elements take (their pad templates) */
GstCaps *artem_gst_caps (void);

/* out = in + strength * (styled' - in), per pixel of 8-bit packed frames of @fmt (alpha
 * from @in); styled' is styled, or with @preserve the input shifted by the luma difference
 * (the styled luminance with the input's colours).  @out may be @styled. */
void artem_compose (GstVideoFrame *in, GstVideoFrame *styled, GstVideoFrame *out,
                    gfloat strength, gboolean preserve, ArtemPixelFormat fmt);

/* Mean (3) and covariance (3x3) of the RGB of packed pixels (@bpp bytes, channel offsets
 * @off) of every @step-th pixel in rows @step apart. */
void artem_color_stats (const guint8 *rgb, int w, int h, gsize stride, int bpp, const int *off,
                        int step, gdouble *mean, gdouble *cov);
/* m = cov^power for a symmetric positive 3x3 matrix (eigenvalues floored at 1e-6) */
void artem_color_sym_power (const gdouble *cov, gdouble power, gdouble *m);
/* Gives the RGB picture (w x h x 3) the mean @mc and covariance @cc (the AdaIN paper's
 * colour control, after Gatys et al.): x' = Cc^1/2 Cs^-1/2 (x - ms) + mc. */
void artem_color_match (guint8 *rgb, int w, int h, const gdouble *mc, const gdouble *cc);
/* whether colour statistics (m1, c1) moved away from (m0, c0) enough to match again */
gboolean artem_color_drifted (const gdouble *m0, const gdouble *c0, const gdouble *m1,
                              const gdouble *c1);

G_END_DECLS

#endif
