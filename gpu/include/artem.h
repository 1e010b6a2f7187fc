/* artem.h — the public API of libartem, artem's inference engine.
 *
 * libartem loads a fully convolutional network from an ONNX file, sizes it for a
 * frame size, and runs it on 8-bit packed RGB-family frames or float planes.
 * It knows nothing of GStreamer.  The life cycle follows XNNPACK's operator split:
 *
 *   ArtemNet *net = artem_net_new_from_file ("style.onnx", ARTEM_BACKEND_AUTO, &err);
 *   artem_net_reshape_frame (net, 1280, 720, &err);        // once per frame size
 *   for (;;)
 *     artem_net_process_frame (net, src, src_stride, dst, dst_stride,
 *                              ARTEM_FORMAT_RGBA, &err);   // no allocation per frame
 *   artem_net_free (net);
 *
 * Errors are reported through GError (domain ARTEM_ERROR) with a message naming the
 * file, node or value at fault.  Nothing in the engine aborts on bad input.
 * An ArtemNet is not thread-safe: use one thread at a time per net.
 */
#ifndef ARTEM_H
#define ARTEM_H

#include <glib.h>
#include <stdint.h>

G_BEGIN_DECLS

/** ARTEM_ERROR: the GError domain of every error libartem reports. */
#define ARTEM_ERROR (artem_error_quark ())
GQuark artem_error_quark (void);

/** ArtemError: codes of ARTEM_ERROR. */
typedef enum {
  ARTEM_ERROR_IO,            /* file missing or unreadable */
  ARTEM_ERROR_PARSE,         /* not a valid ONNX protobuf */
  ARTEM_ERROR_INVALID_MODEL, /* valid protobuf, broken graph or tensor */
  ARTEM_ERROR_UNSUPPORTED,   /* operator, attribute or data type we do not support */
  ARTEM_ERROR_SHAPE,         /* shapes do not fit (at reshape time) */
  ARTEM_ERROR_BACKEND,       /* the requested backend is not available */
  ARTEM_ERROR_ARGUMENT       /* a bad argument from the caller */
} ArtemError;

/** ArtemBackendKind: where a net runs. AUTO picks CUDA when built and a GPU is usable,
 * else the CPU. */
typedef enum {
  ARTEM_BACKEND_AUTO = 0,
  ARTEM_BACKEND_CPU,
  ARTEM_BACKEND_CUDA
} ArtemBackendKind;

/** artem_backend_available: whether @kind can run here (AUTO and CPU always can). */
gboolean artem_backend_available (ArtemBackendKind kind);

/** artem_backend_name: "auto", "cpu" or "cuda". */
const char *artem_backend_name (ArtemBackendKind kind);

/** artem_backend_unavailable_reason: for an unavailable backend, why (static string),
 * else NULL. */
const char *artem_backend_unavailable_reason (ArtemBackendKind kind);

/** ArtemPixelFormat: 8-bit packed RGB-family layouts, named like GstVideoFormat
 * (byte order in memory). x bytes are ignored on input; on output the 4th byte
 * (x or alpha) is copied from the input frame. */
typedef enum {
  ARTEM_FORMAT_RGB = 0, ARTEM_FORMAT_BGR,
  ARTEM_FORMAT_RGBx, ARTEM_FORMAT_BGRx, ARTEM_FORMAT_xRGB, ARTEM_FORMAT_xBGR,
  ARTEM_FORMAT_RGBA, ARTEM_FORMAT_BGRA, ARTEM_FORMAT_ARGB, ARTEM_FORMAT_ABGR,
  ARTEM_FORMAT_COUNT
} ArtemPixelFormat;

/** artem_pixel_format_bpp: bytes per pixel of @fmt (3 or 4). */
int artem_pixel_format_bpp (ArtemPixelFormat fmt);

/** artem_pixel_format_offsets: byte offsets of R, G, B and the 4th byte (-1 if none). */
void artem_pixel_format_offsets (ArtemPixelFormat fmt, int *r, int *g, int *b, int *a);

/** ArtemDType: element types of tensors the engine computes with. */
typedef enum {
  ARTEM_DTYPE_FLOAT = 0,  /* float32 */
  ARTEM_DTYPE_INT64       /* int64 (shape arithmetic; also holds int32/bool data) */
} ArtemDType;

#define ARTEM_MAX_DIMS 8

/** ArtemShape: a tensor shape, at most ARTEM_MAX_DIMS dimensions, outermost first. */
typedef struct {
  int ndim;
  int64_t dims[ARTEM_MAX_DIMS];
} ArtemShape;

/** artem_shape_numel: the number of elements of @shape (1 for a scalar). */
int64_t artem_shape_numel (const ArtemShape *shape);

/** ArtemNet: a loaded network bound to a backend (opaque). */
typedef struct _ArtemNet ArtemNet;

/** artem_net_new_from_file: reads and validates an ONNX model.  Every operator and
 * attribute is checked here, so an unsupported model fails at load, naming the node.
 * Returns NULL and sets @error on failure. */
ArtemNet *artem_net_new_from_file (const char *path, ArtemBackendKind backend,
                                   GError **error);

/** artem_net_new_from_data: like artem_net_new_from_file() from memory; @name is used
 * in messages. The data is copied where needed; the caller keeps ownership. */
ArtemNet *artem_net_new_from_data (const void *data, gsize size, const char *name,
                                   ArtemBackendKind backend, GError **error);

/** artem_net_new_from_file_with_output: like artem_net_new_from_file() but the net ends
 * at the value named @output (NULL: the model's outputs) and runs only what it needs:
 * e.g. the encoder half of an encoder-AdaIN-decoder model, to encode a style image. */
ArtemNet *artem_net_new_from_file_with_output (const char *path, ArtemBackendKind backend,
                                               const char *output, GError **error);

/** artem_net_set_initializer: overwrites the @n float values of the initializer @name
 * (same count).  For values read while running, such as the style statistics and alpha
 * of an AdaIN node (ai.artem domain); takes effect on the next run. */
gboolean artem_net_set_initializer (ArtemNet *net, const char *name, const float *data,
                                    gsize n, GError **error);

/** artem_feature_stats: per-channel mean and standard deviation of @c planes of @hw
 * floats (unbiased variance + 1e-5, as AdaIN's reference code): the style statistics
 * an AdaIN node takes. */
void artem_feature_stats (const float *features, int c, gsize hw, float *mean, float *std);

/** artem_net_free: frees @net and everything it holds (NULL is fine). */
void artem_net_free (ArtemNet *net);

/** artem_net_get_backend: the backend actually in use (never AUTO). */
ArtemBackendKind artem_net_get_backend (const ArtemNet *net);

/* The file the network was loaded from, or the name given to artem_net_new_from_data. */
const char *artem_net_get_path (const ArtemNet *net);

/** artem_net_get_n_inputs / _outputs and their names and types: the graph's runtime
 * inputs (initializers excluded) and outputs. */
guint artem_net_get_n_inputs (const ArtemNet *net);
guint artem_net_get_n_outputs (const ArtemNet *net);
const char *artem_net_get_input_name (const ArtemNet *net, guint i);
const char *artem_net_get_output_name (const ArtemNet *net, guint i);
ArtemDType artem_net_get_input_dtype (const ArtemNet *net, guint i);

/** artem_net_get_metadata: a value of the model's metadata_props, or NULL. */
const char *artem_net_get_metadata (const ArtemNet *net, const char *key);

/** artem_net_get_ranges: the value range the network expects for 8-bit input
 * (0 maps to *in_lo, 255 to *in_hi) and produces (*out_lo maps to 0, *out_hi to 255).
 * Read from metadata_props "artem.input_range" / "artem.output_range" ("lo,hi");
 * default 0,255 for both (the ONNX model zoo's fast-neural-style convention). */
void artem_net_get_ranges (const ArtemNet *net, float *in_lo, float *in_hi,
                           float *out_lo, float *out_hi);

/** artem_net_set_ranges: overrides the ranges above (takes effect on the next frame). */
void artem_net_set_ranges (ArtemNet *net, float in_lo, float in_hi,
                           float out_lo, float out_hi);

/* ---- tensor level ------------------------------------------------------------ */

/** artem_net_reshape: sizes the net for the given input shapes (one per input, in
 * order).  @constant_inputs may be NULL or hold, per input, NULL or data that fixes
 * that input's value for all runs (shape-like inputs such as pads or scales: they are
 * folded with the rest of the constant arithmetic).  Allocates all activations; later
 * runs allocate nothing.  On failure the net is left unsized. */
gboolean artem_net_reshape (ArtemNet *net, const ArtemShape *input_shapes,
                            const void *const *constant_inputs, GError **error);

/** artem_net_get_input_buffer: where to write input @i (host memory, dense, of the
 * shape and type given at reshape) before artem_net_run(); NULL for a constant input
 * or an unsized net. */
void *artem_net_get_input_buffer (ArtemNet *net, guint i);

/** artem_net_run: runs the sized net on the data in the input buffers. */
gboolean artem_net_run (ArtemNet *net, GError **error);

/** artem_net_get_output: output @i of the last run (dense host memory; valid until the
 * next run or reshape); fills @shape and @dtype when not NULL. */
const void *artem_net_get_output (ArtemNet *net, guint i, ArtemShape *shape,
                                  ArtemDType *dtype);

/* ---- frame level (image-to-image networks: 1x3xHxW in, 1x3xHxW out) ------------ */

/** artem_net_reshape_frame: sizes an image-to-image net for @width x @height frames.
 * Sizes the network cannot take as they are (a stride-4 generator at 97x61) are
 * padded inside the engine (reflection) to the smallest multiple that works, and the
 * output cropped back.  Fails if the net is not image-to-image. */
gboolean artem_net_reshape_frame (ArtemNet *net, int width, int height, GError **error);

/** artem_net_set_frame_margin: @margin pixels (0..256) of the frame are mirrored around
 * it on every side before the network and cropped off its output again, so that what a
 * network draws at its input's edge (a frame, a border band) falls outside the picture.
 * Costs (w + 2 margin)(h + 2 margin) / wh more work.  Default 0; takes effect at the
 * next artem_net_reshape_frame. */
void artem_net_set_frame_margin (ArtemNet *net, int margin);

/** artem_net_get_frame_margin: the margin the last reshape_frame applied. */
int artem_net_get_frame_margin (const ArtemNet *net);

/** artem_net_get_frame_alignment: the padding multiple the last reshape_frame chose. */
int artem_net_get_frame_alignment (const ArtemNet *net);

/** artem_net_process_frame: runs one 8-bit frame of the size given to reshape_frame:
 * converts with the input range, runs, converts back with the output range (clamped,
 * rounded).  @dst may equal @src. */
gboolean artem_net_process_frame (ArtemNet *net, const guint8 *src, gsize src_stride,
                                  guint8 *dst, gsize dst_stride, ArtemPixelFormat fmt,
                                  GError **error);

/** artem_net_process_planes: like artem_net_process_frame() on three dense float
 * planes (R, G, B, each height x width) in the network's own value range. */
gboolean artem_net_process_planes (ArtemNet *net, const float *src, float *dst,
                                   GError **error);

/* ---- binarized networks (XNOR-Net, Rastegari et al. 2016) ---------------------- */

/** ArtemBinarizeMode: NONE restores float convolutions; WEIGHTS is a binary-weight
 * network (weights alpha * sign (W), float activations); XNOR binarizes activations too
 * (bit-packed XOR + popcount convolutions, XNOR-Net's activation scale K). */
typedef enum {
  ARTEM_BINARIZE_NONE = 0,
  ARTEM_BINARIZE_WEIGHTS,
  ARTEM_BINARIZE_XNOR
} ArtemBinarizeMode;

/** ARTEM_BINARIZE_FLAG_NO_ACTIVATION_SCALE: drop K (exact +-1 arithmetic; for tests). */
#define ARTEM_BINARIZE_FLAG_NO_ACTIVATION_SCALE (1u << 0)

/** artem_net_binarize: binarizes the chosen 2-D convolutions (weights must be
 * initializers).  @layers: NULL or "inner" (all but the first and the last convolution),
 * "all", "residual" (inner convolutions with as many outputs as inputs and stride 1: a
 * style network's residual blocks), or a comma-separated list of node names.  Leaves the
 * net unsized (reshape again). */
gboolean artem_net_binarize (ArtemNet *net, ArtemBinarizeMode mode, const char *layers,
                             guint flags, GError **error);

/** artem_net_save_binarized: writes the model with each binarized convolution stored as
 * bits + one float scale per output channel (an `ai.artem` BinaryConv node); loading the
 * file gives the same binarized network.  Float weights no other node reads are left out. */
gboolean artem_net_save_binarized (ArtemNet *net, const char *path, GError **error);

/** artem_net_get_n_binarized: how many convolutions the last binarize call changed. */
guint artem_net_get_n_binarized (const ArtemNet *net);

/** artem_net_get_weight_bytes: bytes of all initializers as float32, and the same with
 * each binarized convolution's weights as bits plus one float scale per output channel. */
void artem_net_get_weight_bytes (const ArtemNet *net, gsize *float_bytes, gsize *packed_bytes);

/* ---- GPU: precision, pipelined frames, device memory ---------------------------- */

/** ArtemPrecision: the storage type of activations and weights (accumulation is always
 * fp32).  On the GPU, AUTO is fp16 where the GPU has tensor cores, else fp32 (BF16 is
 * fp16 there).  On the CPU, AUTO and BF16 run the convolutions in bf16 (oneDNN) where
 * the CPU has AVX512-BF16 or AMX, else fp32; FP16 is fp32 there.  The environment
 * variable ARTEM_PRECISION=fp32|bf16 overrides AUTO on the CPU (tests against fp32
 * references set it). */
typedef enum {
  ARTEM_PRECISION_AUTO = 0,
  ARTEM_PRECISION_FP32,
  ARTEM_PRECISION_FP16,
  ARTEM_PRECISION_BF16
} ArtemPrecision;

/** artem_net_set_precision: takes effect at the next reshape (call before sizing). */
void artem_net_set_precision (ArtemNet *net, ArtemPrecision precision);

/** artem_net_get_precision: the precision the sized net runs at (FP32 or BF16 on the
 * CPU, FP32 or FP16 on the GPU). */
ArtemPrecision artem_net_get_precision (const ArtemNet *net);

/** artem_net_set_frame_strength: frames come out as src + strength * (styled - src)
 * (0..1, default 1), blended where the pixels are (on the GPU for the CUDA backend). */
void artem_net_set_frame_strength (ArtemNet *net, float strength);

/** artem_net_set_frame_stabilize: temporal stabilisation of frames (0..1, default 0:
 * off).  Where a pixel's input stayed within a few levels of the input its last output
 * was made from, that output is kept (amount 1: exactly; less: blended), so a still scene
 * with sensor noise stays still; where the input moved, the pixel is styled afresh (no
 * ghosts).  Applied to the styled values before the strength blend, on the backend that
 * runs the frames (gpu/stabilize.h has the rule).  The history resets with the frame
 * size, the backend, a changed initializer (a new AdaIN style) and
 * artem_net_reset_frame_history(); the first frame after a reset is unchanged. */
void artem_net_set_frame_stabilize (ArtemNet *net, float amount);

/** artem_net_set_frame_glow_guard: with stabilisation, also style afresh the still pixels
 * whose fresh output is, over 5x5 pixels, on average far brighter or darker than the held
 * one (0..1, default 0: off; 1: fully).  A glow or halo a network paints around a moving
 * object then leaves no trail, at the price of more flicker where the network's own
 * output varies in broad patches (doc/models.md measures both). */
void artem_net_set_frame_glow_guard (ArtemNet *net, float guard);

/** artem_net_set_frame_motion_search: with stabilisation, follow the scene's motion up to
 * @radius pixels a frame (0..16, default 0: off): the held output is moved with the
 * scene, block by block (16 x 16 pixels, the vectors found on the host from the inputs'
 * luma, gpu/motion.c), before the per-pixel rule, so a pan or a moving figure keeps its
 * styled texture instead of being styled afresh each frame.  0 gives the rule of
 * artem_net_set_frame_stabilize() alone, byte for byte. */
void artem_net_set_frame_motion_search (ArtemNet *net, int radius);

/** artem_net_reset_frame_history: forget the previous frames (a seek, a new stream). */
void artem_net_reset_frame_history (ArtemNet *net);

/** artem_net_submit_frame / artem_net_receive_frame: artem_net_process_frame() split in
 * two, so that on the GPU the upload of the next frame overlaps the compute of this one:
 * submit copies @src (it may be reused on return), receive writes the oldest submitted
 * frame.  At most artem_net_get_max_frames_in_flight() frames may be submitted and not
 * yet received (2 on CUDA, 1 on the CPU, where submit does all the work). */
gboolean artem_net_submit_frame (ArtemNet *net, const guint8 *src, gsize src_stride,
                                 ArtemPixelFormat fmt, GError **error);
gboolean artem_net_receive_frame (ArtemNet *net, guint8 *dst, gsize dst_stride,
                                  GError **error);
guint artem_net_get_max_frames_in_flight (const ArtemNet *net);

/** artem_net_get_device_memory_bytes: GPU memory the net holds at its current size
 * (activations, constants, cuDNN workspace, frame staging); 0 on the CPU backend. */
gsize artem_net_get_device_memory_bytes (const ArtemNet *net);

/* ---- introspection ------------------------------------------------------------ */

/** artem_net_get_n_allocations: how many buffers the net has allocated so far
 * (tests use it to prove that runs allocate nothing). */
guint64 artem_net_get_n_allocations (const ArtemNet *net);

/** artem_net_get_memory_bytes: bytes of activations and scratch the net holds at its
 * current size (weights excluded); on the CUDA backend, the activations in GPU memory. */
gsize artem_net_get_memory_bytes (const ArtemNet *net);

/** artem_net_set_cost_limit: the cost budget, the most work (FLOPs, a multiply-add
 * counting 2) one frame may take; a reshape past it fails with ARTEM_ERROR_SHAPE naming
 * the node where the budget ran out.  0 restores the default (64 TFLOP, or
 * $ARTEM_MAX_TFLOP). */
void artem_net_set_cost_limit (ArtemNet *net, double flops);
/** artem_net_get_cost: the planned work of one frame (FLOPs), 0 before a reshape. */
double artem_net_get_cost (ArtemNet *net);

/** artem_net_set_memory_limit: the most bytes of activations and scratch a reshape may
 * allocate (default 8 GiB, or $ARTEM_MEMORY_LIMIT_MIB; 0 restores it); a size needing more fails with
 * ARTEM_ERROR_SHAPE.  Constants folded at reshape are capped at 64 MiB each. */
void artem_net_set_memory_limit (ArtemNet *net, gsize bytes);

/** artem_net_time_network: runs the sized net @iters times on the data already in place
 * and returns the mean milliseconds of the network alone: on the GPU without any host
 * transfer (one CUDA graph of the steps, CUDA-event timing, after one warm-up run); on
 * the CPU artem_net_run().  For benchmarks; -1 on failure. */
double artem_net_time_network (ArtemNet *net, int iters);

/** artem_net_get_n_nodes: nodes the net runs per frame at its current size (after
 * constant folding and fusion); 0 when unsized. */
guint artem_net_get_n_nodes (const ArtemNet *net);

G_END_DECLS

#endif /* ARTEM_H */
