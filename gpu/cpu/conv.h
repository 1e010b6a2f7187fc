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
} ConvGeom;

/* ConvTranspose's geometry (node->priv of a prepared ConvTranspose). */
typedef struct {
  int N, C, H, W, M, KH, KW, SH, SW, DH, DW, PT, PL, OH, OW;
  int MKK, band;
} ConvTGeom;

/* The attribute checks Conv and ConvTranspose share: group 1, a known auto_pad. */
gboolean artem_conv_check_group_autopad (ArtemNode *n, GError **error);
/* the same for Conv, which takes any group count */
gboolean artem_conv_check_autopad (ArtemNode *n, GError **error);

/* kernel_shape, strides, dilations, pads (top, left, bottom, right) of a 2-D node. */
gboolean artem_conv_params (ArtemNode *n, int kh_w, int kw_w, int *k, int *s, int *d, int *p,
                            GError **error);

/* Conv's prepare: validates, fills a ConvGeom into node->priv, sets the output. */
gboolean artem_conv_prepare (ArtemNode *n, ArtemValue **in, ArtemValue **out, ArtemPlan *plan,
                             GError **error);

#endif
