/* binary.h — XNOR-Net (Rastegari et al. 2016) binarized convolution weights. */
#ifndef ARTEM_CPU_BINARY_H
#define ARTEM_CPU_BINARY_H
#include "artem-private.h"

typedef struct {
  int mode;              /* ArtemBinarizeMode */
  gboolean act_scale;    /* XNOR-Net's activation scale K (off: exact +-1 arithmetic) */
  int M, C, KH, KW;
  int CW;                /* 64-bit words per tap: ceil(C / 64) */
  int MP;                /* M rounded up to 8 (one AVX-512 register of counts) */
  guint64 *wbits;        /* [KH*KW][CW][MP], bit set = negative weight */
  float *alpha;          /* [M]: mean |W| of each output channel */
  float *wfloat;         /* BWN: alpha * sign (W) as [M][C][KH][KW] floats */
} ArtemBinaryWeights;

ArtemBinaryWeights *artem_binary_weights_new (const float *w, int M, int C, int KH, int KW,
                                              int mode, gboolean act_scale);
void artem_binary_weights_free (ArtemBinaryWeights *b);
/* From the saved form: bits [M][KH][KW][ceil(C/8)] (bit set = negative, LSB = lowest
 * channel) and alpha [M]. */
ArtemBinaryWeights *artem_binary_weights_from_bits (const int64_t *bytes, const float *alpha,
                                                    int M, int C, int KH, int KW, int mode,
                                                    gboolean act_scale);

/* the CPU XNOR kernel this build and CPU run ("avx512-vpopcntq", "popcnt" or "generic") */
const char *artem_xnor_kernel_name (void);

#endif
