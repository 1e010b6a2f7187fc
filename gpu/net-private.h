/* net-private.h — the ArtemNet structure (graph.c, frame.c). */
#ifndef ARTEM_NET_PRIVATE_H
#define ARTEM_NET_PRIVATE_H
#include "artem-private.h"

#define ARTEM_DEFAULT_MEMORY_LIMIT ((gsize) 8 << 30)
#define ARTEM_MAX_FOLDED_BYTES ((gsize) 64 << 20)

typedef struct {
  gsize size;
  void *data;
} ArtemSlot;

struct _ArtemNet {
  char *path;
  char *only_output;       /* a sub-network ending at this value, or NULL */
  ArtemBackendKind backend;
  Onnx__ModelProto *model;
  int opset;
  GArray *values;          /* ArtemValue */
  GHashTable *value_index; /* name -> index */
  GArray *nodes;           /* ArtemNode */
  GArray *order;           /* int: topological order of nodes */
  GArray *inputs, *outputs;/* int: value indices */
  GHashTable *metadata;
  float in_lo, in_hi, out_lo, out_hi;
  /* plan */
  gboolean sized;
  ArtemSlot *slots;
  guint n_slots;
  float *scratch;
  int *steps;
  int n_steps;
  ArtemValue **step_args;  /* 80 per step: 64 inputs then 16 outputs */
  gsize memory_bytes;
  gsize memory_limit;
  gboolean profile;
  guint n_binarized;       /* convolutions binarized by artem_net_binarize */        /* ARTEM_PROFILE set: time every node */      /* activations + scratch a reshape may allocate */
  guint64 n_allocations;
  /* frame */
  int frame_w, frame_h, pad_w, pad_h, align;
};

#endif
