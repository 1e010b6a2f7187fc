/* backend.c — the CUDA backend of libartem: device probe, per-net context (streams, cuDNN
 * handle), the plan (device slots mirroring the CPU plan's liveness slots, constants
 * uploaded once, per-step operator state, cuDNN algorithms found once per size and
 * cached), runs captured as CUDA graphs, and the frame path with two staging sets so
 * that frame N+1's upload overlaps frame N's compute.
 *
 * Nothing here allocates per frame: every cudaMalloc / cudaHostAlloc happens at plan
 * time or at the first frame of a size (counted in net->n_allocations). */
#include <dlfcn.h>
#include "cuda-private.h"
#include "cuda-backend.h"
#include "../backend.h"
#include "../stabilize.h"
#include <math.h>

#define VIDX(net, v) ((int) ((v) - (ArtemValue *) (net)->values->data))

/* ---- probe ---------------------------------------------------------------------- */

static char probe_reason[256];

gboolean
artem_cuda_probe (const char **reason)
{
  static gsize once = 0;
  static gboolean ok = FALSE;
  if (g_once_init_enter (&once)) {
    int n = 0;
    const char *dnn_why = NULL;
    /* without libcuda the runtime says "driver version is insufficient": say what is
     * really missing */
#ifdef ARTEM_CUDNN_LINKED   /* the emulator's build: its runtime needs no driver */
    void *drv = (void *) 1;
#else
    void *drv = dlopen ("libcuda.so.1", RTLD_LAZY | RTLD_LOCAL);
#endif
    cudaError_t e = drv ? cudaGetDeviceCount (&n) : cudaErrorInsufficientDriver;
    if (!drv) {
      g_snprintf (probe_reason, sizeof probe_reason,
                  "no NVIDIA driver installed (libcuda.so.1 not found)");
    } else if (e == cudaErrorNoDevice) {
      g_snprintf (probe_reason, sizeof probe_reason, "no CUDA GPU found");
      cudaGetLastError ();
    } else if (e == cudaErrorInsufficientDriver) {
      g_snprintf (probe_reason, sizeof probe_reason,
                  "the NVIDIA driver is older than this CUDA runtime needs (%s)",
                  cudaGetErrorString (e));
      cudaGetLastError ();
    } else if (e != cudaSuccess) {
      g_snprintf (probe_reason, sizeof probe_reason, "no usable CUDA driver or GPU (%s)",
                  cudaGetErrorString (e));
      cudaGetLastError ();
    } else if (n == 0) {
      g_snprintf (probe_reason, sizeof probe_reason, "no CUDA GPU found");
    } else if (!artem_cudnn_load (&dnn_why)) {
      g_strlcpy (probe_reason, dnn_why, sizeof probe_reason);
    } else {
      size_t v = cudnnGetVersion ();
      if (v < 90000)
        g_snprintf (probe_reason, sizeof probe_reason, "cuDNN %zu found, 9.0 or later needed", v);
      else
        ok = TRUE;
    }
    g_once_init_leave (&once, 1);
  }
  if (reason)
    *reason = ok ? NULL : probe_reason;
  return ok;
}

gboolean
artem_cu_failed (ArtemCuda *cu, const char *what, int status)
{
  if (status == 0)
    return FALSE;
  g_snprintf (cu->fail_msg, sizeof cu->fail_msg, "%s: %s", what,
              cudaGetErrorString ((cudaError_t) status));
  return TRUE;
}

#define CU_CHECK(call, what)                                                             \
  do {                                                                                   \
    cudaError_t e_ = (call);                                                             \
    if (e_ != cudaSuccess) {                                                             \
      g_set_error (error, ARTEM_ERROR, ARTEM_ERROR_BACKEND, "CUDA: %s: %s", (what),      \
                   cudaGetErrorString (e_));                                             \
      goto fail;                                                                         \
    }                                                                                    \
  } while (0)

/* ---- context ---------------------------------------------------------------------- */

ArtemCuda *
artem_cuda_new (ArtemNet *net, GError **error)
{
  const char *why;
  if (!artem_cuda_probe (&why)) {
    g_set_error (error, ARTEM_ERROR, ARTEM_ERROR_BACKEND, "cuda backend: %s", why);
    return NULL;
  }
  ArtemCuda *cu = g_new0 (ArtemCuda, 1);
  cu->net = net;
  const char *dev = g_getenv ("ARTEM_CUDA_DEVICE");
  cu->device = dev ? atoi (dev) : 0;
  struct cudaDeviceProp prop;
  CU_CHECK (cudaSetDevice (cu->device), "cudaSetDevice");
  CU_CHECK (cudaGetDeviceProperties (&prop, cu->device), "cudaGetDeviceProperties");
  cu->sm = prop.major * 10 + prop.minor;
  cu->tensor_cores = prop.major >= 7;
  CU_CHECK (cudaStreamCreateWithFlags (&cu->stream, cudaStreamNonBlocking), "stream");
  CU_CHECK (cudaStreamCreateWithFlags (&cu->up, cudaStreamNonBlocking), "stream");
  CU_CHECK (cudaStreamCreateWithFlags (&cu->down, cudaStreamNonBlocking), "stream");
  for (int k = 0; k < 2; k++) {
    CU_CHECK (cudaEventCreateWithFlags (&cu->ev_up[k], cudaEventDisableTiming), "event");
    CU_CHECK (cudaEventCreateWithFlags (&cu->ev_done[k], cudaEventDisableTiming), "event");
    CU_CHECK (cudaEventCreateWithFlags (&cu->ev_down[k], cudaEventDisableTiming), "event");
  }
  cudnnStatus_t ds = cudnnCreate (&cu->dnn);
  if (ds != CUDNN_STATUS_SUCCESS) {
    g_set_error (error, ARTEM_ERROR, ARTEM_ERROR_BACKEND, "cuDNN: cudnnCreate: %s",
                 cudnnGetErrorString (ds));
    goto fail;
  }
  cudnnSetStream (cu->dnn, cu->stream);
  cu->algo_cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  /* per staging set: in_lo, in_scale, out_lo, out_scale, strength (8 floats each) */
  CU_CHECK (cudaHostAlloc ((void **) &cu->pin_params, 16 * sizeof (float), cudaHostAllocDefault),
            "cudaHostAlloc");
  CU_CHECK (cudaMalloc ((void **) &cu->d_params, 16 * sizeof (float)), "cudaMalloc");
  net->n_allocations += 2;
  return cu;
fail:
  artem_cuda_free (cu);
  return NULL;
}

static void
clear_frames (ArtemCuda *cu)
{
  for (int k = 0; k < 2; k++) {
    if (cu->pin_in[k]) cudaFreeHost (cu->pin_in[k]);
    if (cu->pin_out[k]) cudaFreeHost (cu->pin_out[k]);
    if (cu->d_in[k]) cudaFree (cu->d_in[k]);
    if (cu->d_out[k]) cudaFree (cu->d_out[k]);
    cu->pin_in[k] = cu->pin_out[k] = cu->d_in[k] = cu->d_out[k] = NULL;
    for (int f = 0; f < ARTEM_FORMAT_COUNT; f++) {
      if (cu->frame_graph[f][k])
        cudaGraphExecDestroy (cu->frame_graph[f][k]);
      cu->frame_graph[f][k] = NULL;
      cu->frame_count[f][k] = 0;
    }
  }
  if (cu->d_stab_ref) cudaFree (cu->d_stab_ref);
  if (cu->d_stab_prev) cudaFree (cu->d_stab_prev);
  if (cu->d_stab_motion) cudaFree (cu->d_stab_motion);
  if (cu->d_stab_vec) cudaFree (cu->d_stab_vec);
  if (cu->pin_stab_vec) cudaFreeHost (cu->pin_stab_vec);
  cu->d_stab_ref = cu->d_stab_prev = NULL;
  cu->d_stab_motion = NULL;
  cu->d_stab_vec = cu->pin_stab_vec = NULL;
  cu->stab_valid = FALSE;
  cu->n_in_flight = cu->next_set = cu->oldest_set = 0;
  cu->frame_w = cu->frame_h = 0;
}

static void check_guards (ArtemCuda *cu);

void
artem_cuda_unplan (ArtemCuda *cu)
{
  if (!cu)
    return;
  cudaSetDevice (cu->device);
  if (cu->stream)
    cudaStreamSynchronize (cu->stream);
  if (cu->up)
    cudaStreamSynchronize (cu->up);
  if (cu->down)
    cudaStreamSynchronize (cu->down);
  check_guards (cu);
  g_clear_pointer (&cu->alloc_sizes, g_array_unref);
  clear_frames (cu);
  if (cu->run_graph)
    cudaGraphExecDestroy (cu->run_graph);
  cu->run_graph = NULL;
  cu->run_count = 0;
  for (int s = 0; s < cu->n_steps; s++) {
    ArtemCuStep *st = &cu->steps[s];
    if (st->op && st->op->clear)
      st->op->clear (st);
    g_free (st->priv);
  }
  g_clear_pointer (&cu->steps, g_free);
  cu->n_steps = 0;
  if (cu->allocs) {
    for (guint i = 0; i < cu->allocs->len; i++)
      cudaFree (g_ptr_array_index (cu->allocs, i));
    g_ptr_array_free (cu->allocs, TRUE);
    cu->allocs = NULL;
  }
  if (cu->host_allocs) {
    for (guint i = 0; i < cu->host_allocs->len; i++)
      cudaFreeHost (g_ptr_array_index (cu->host_allocs, i));
    g_ptr_array_free (cu->host_allocs, TRUE);
    cu->host_allocs = NULL;
  }
  g_clear_pointer (&cu->consts, g_hash_table_destroy);
  g_clear_pointer (&cu->dval, g_free);
  cu->workspace = NULL;
  cu->workspace_bytes = 0;
  cu->f32_stage = NULL;
  cu->device_bytes = 0;
  cu->planned = FALSE;
}

void
artem_cuda_free (ArtemCuda *cu)
{
  if (!cu)
    return;
  artem_cuda_unplan (cu);
  for (int k = 0; k < 2; k++) {
    if (cu->ev_up[k]) cudaEventDestroy (cu->ev_up[k]);
    if (cu->ev_done[k]) cudaEventDestroy (cu->ev_done[k]);
    if (cu->ev_down[k]) cudaEventDestroy (cu->ev_down[k]);
  }
  if (cu->dnn) cudnnDestroy (cu->dnn);
  if (cu->stream) cudaStreamDestroy (cu->stream);
  if (cu->up) cudaStreamDestroy (cu->up);
  if (cu->down) cudaStreamDestroy (cu->down);
  if (cu->pin_params) cudaFreeHost (cu->pin_params);
  if (cu->d_params) cudaFree (cu->d_params);
  if (cu->algo_cache) g_hash_table_destroy (cu->algo_cache);
  cudaGetLastError ();
  g_free (cu);
}

/* ---- plan-time allocations ------------------------------------------------------- */

/* ARTEM_CUDA_GUARD (a diagnostic for GPU runs): every device allocation gets a tail of
 * GUARD_BYTES set to GUARD_BYTE, checked when the plan is freed; a tail found changed
 * means something wrote past that buffer's end (a kernel, or cuDNN given too small a
 * workspace) */
#define GUARD_BYTES 4096
#define GUARD_BYTE 0xA7

static void
check_guards (ArtemCuda *cu)
{
  if (!cu->alloc_sizes || !cu->allocs)
    return;
  guint8 *tail = g_malloc (GUARD_BYTES);
  guint bad = 0;
  for (guint i = 0; i < cu->alloc_sizes->len && i < cu->allocs->len; i++) {
    gsize size = g_array_index (cu->alloc_sizes, gsize, i);
    if (!size)
      continue;
    char *p = g_ptr_array_index (cu->allocs, i);
    if (cudaMemcpy (tail, p + size, GUARD_BYTES, cudaMemcpyDeviceToHost) != cudaSuccess) {
      cudaGetLastError ();
      continue;
    }
    int first = -1;
    for (int k = 0; k < GUARD_BYTES && first < 0; k++)
      if (tail[k] != GUARD_BYTE)
        first = k;
    if (first >= 0) {
      bad++;
      g_warning ("artem: cuda: %s: GPU allocation %u (%" G_GSIZE_FORMAT " bytes) was written "
                 "past its end (from byte %d of its guard on)", cu->net->path, i, size, first);
    }
  }
  if (!bad)
    g_message ("artem: cuda: %s: %u guarded GPU allocations intact", cu->net->path,
               cu->alloc_sizes->len);
  g_free (tail);
}

void *
artem_cu_alloc (ArtemCuda *cu, gsize bytes, GError **error)
{
  void *p = NULL;
  bytes = MAX ((bytes + 255) & ~(gsize) 255, 256);
  if (cu->device_bytes + bytes > cu->net->memory_limit) {
    g_set_error (error, ARTEM_ERROR, ARTEM_ERROR_SHAPE,
                 "%s: this size needs more than the limit of %" G_GSIZE_FORMAT " MiB of GPU "
                 "memory", cu->net->path, cu->net->memory_limit >> 20);
    return NULL;
  }
  gsize guard = g_getenv ("ARTEM_CUDA_GUARD") ? GUARD_BYTES : 0;
  cudaError_t e = cudaMalloc (&p, bytes + guard);
  if (e == cudaSuccess && guard)
    e = cudaMemset ((char *) p + bytes, GUARD_BYTE, guard);
  if (e != cudaSuccess) {
    cudaGetLastError ();
    if (p)
      cudaFree (p);
    g_set_error (error, ARTEM_ERROR, ARTEM_ERROR_SHAPE,
                 "cannot allocate %" G_GSIZE_FORMAT " MiB of GPU memory: %s", bytes >> 20,
                 cudaGetErrorString (e));
    return NULL;
  }
  if (guard) {
    if (!cu->alloc_sizes)
      cu->alloc_sizes = g_array_new (FALSE, TRUE, sizeof (gsize));   /* pads with 0 */
    g_array_set_size (cu->alloc_sizes, cu->allocs->len);   /* 0: allocated without a guard */
    g_array_append_val (cu->alloc_sizes, bytes);
  }
  g_ptr_array_add (cu->allocs, p);
  cu->device_bytes += bytes;
  cu->net->n_allocations++;
  return p;
}

static void *
host_alloc (ArtemCuda *cu, gsize bytes, GError **error)
{
  void *p = NULL;
  cudaError_t e = cudaHostAlloc (&p, MAX (bytes, 64), cudaHostAllocDefault);
  if (e != cudaSuccess) {
    cudaGetLastError ();
    g_set_error (error, ARTEM_ERROR, ARTEM_ERROR_SHAPE,
                 "cannot allocate %" G_GSIZE_FORMAT " bytes of pinned host memory: %s", bytes,
                 cudaGetErrorString (e));
    return NULL;
  }
  memset (p, 0, MAX (bytes, 64));
  g_ptr_array_add (cu->host_allocs, p);
  cu->net->n_allocations++;
  return p;
}

gboolean
artem_cu_need_workspace (ArtemCuda *cu, gsize bytes, GError **error)
{
  cu->workspace_bytes = MAX (cu->workspace_bytes, bytes);
  return TRUE;
}

void *
artem_cu_upload (ArtemCuda *cu, const void *data, gsize bytes, GError **error)
{
  void *d = artem_cu_alloc (cu, bytes, error);
  if (!d)
    return NULL;
  cudaError_t e = cudaMemcpy (d, data, bytes, cudaMemcpyHostToDevice);
  if (e != cudaSuccess) {
    g_set_error (error, ARTEM_ERROR, ARTEM_ERROR_BACKEND, "CUDA upload: %s",
                 cudaGetErrorString (e));
    return NULL;
  }
  return d;
}

ArtemCuDims
artem_cu_dims (ArtemCuda *cu, const ArtemShape *s)
{
  int64_t d4[4] = { 1, 1, 1, 1 };
  for (int i = 0; i < s->ndim && i < 4; i++)
    d4[4 - s->ndim + i] = s->dims[i];
  ArtemCuDims d = { (int) d4[0], (int) d4[1], (int) d4[2], (int) d4[3], cu->nhwc };
  return d;
}

typedef struct {
  int vidx;
  ArtemCuForm form;
  void *ptr;
} ConstEntry;

/* fp32 NCHW host data -> dst in the activation form, staged through a temporary buffer */
static gboolean
fill_act (ArtemCuda *cu, const float *data, const ArtemShape *shape, const char *name,
          int nhwc, void *dst, GError **error)
{
  gsize n = (gsize) artem_shape_numel (shape);
  ArtemCuDims d = artem_cu_dims (cu, shape);
  d.nhwc = nhwc;
  float *tmp = NULL;
  cudaError_t e = cudaMalloc ((void **) &tmp, MAX (n, 1) * sizeof (float));
  if (e == cudaSuccess)
    e = cudaMemcpy (tmp, data, MAX (n, 1) * sizeof (float), cudaMemcpyHostToDevice);
  if (e == cudaSuccess)
    e = (cudaError_t) artem_cu_from_f32_nchw (tmp, dst, d, cu->half, cu->stream);
  if (e == cudaSuccess)
    e = cudaStreamSynchronize (cu->stream);
  if (tmp)
    cudaFree (tmp);
  if (e != cudaSuccess) {
    cudaGetLastError ();
    g_set_error (error, ARTEM_ERROR, ARTEM_ERROR_BACKEND, "CUDA constant upload of '%s': %s",
                 name, cudaGetErrorString (e));
    return FALSE;
  }
  return TRUE;
}

void *
artem_cu_upload_act (ArtemCuda *cu, const float *data, const ArtemShape *shape,
                     const char *name, int nhwc, GError **error)
{
  gsize n = (gsize) artem_shape_numel (shape);
  void *d = artem_cu_alloc (cu, MAX (n, 1) * (cu->half ? 2 : 4), error);
  return d && fill_act (cu, data, shape, name, nhwc, d, error) ? d : NULL;
}

static gboolean
fill_const (ArtemCuda *cu, ArtemValue *v, ArtemCuForm form, void *dst, GError **error)
{
  gsize n = (gsize) artem_value_numel (v);
  if (form == ARTEM_CU_F32) {
    cudaError_t e = cudaMemcpy (dst, v->data, MAX (n, 1) * sizeof (float), cudaMemcpyHostToDevice);
    if (e != cudaSuccess) {
      g_set_error (error, ARTEM_ERROR, ARTEM_ERROR_BACKEND, "CUDA upload: %s",
                   cudaGetErrorString (e));
      return FALSE;
    }
    return TRUE;
  }
  return fill_act (cu, v->data, &v->shape, v->name, cu->nhwc, dst, error);
}

void *
artem_cu_const (ArtemCuda *cu, ArtemValue *v, ArtemCuForm form, GError **error)
{
  if (!v->is_const || !v->data || v->dtype != ARTEM_DTYPE_FLOAT) {
    g_set_error (error, ARTEM_ERROR, ARTEM_ERROR_UNSUPPORTED,
                 "'%s' is not a float constant", v->name);
    return NULL;
  }
  if (form != ARTEM_CU_F32 && v->shape.ndim > 4) {
    g_set_error (error, ARTEM_ERROR, ARTEM_ERROR_UNSUPPORTED,
                 "constant '%s' has more than 4 dimensions", v->name);
    return NULL;
  }
  int vidx = VIDX (cu->net, v);
  char key[32];
  g_snprintf (key, sizeof key, "%d/%d", vidx, (int) form);
  ConstEntry *ce = g_hash_table_lookup (cu->consts, key);
  if (ce)
    return ce->ptr;
  gsize n = (gsize) artem_value_numel (v);
  gsize esize = form == ARTEM_CU_F32 || !cu->half ? 4 : 2;
  void *d = artem_cu_alloc (cu, MAX (n, 1) * esize, error);
  if (!d || !fill_const (cu, v, form, d, error))
    return NULL;
  ce = g_new (ConstEntry, 1);
  ce->vidx = vidx;
  ce->form = form;
  ce->ptr = d;
  g_hash_table_insert (cu->consts, g_strdup (key), ce);
  return d;
}

/* re-uploads initializers rewritten by artem_net_set_initializer since the last run */
static gboolean
refresh_consts (ArtemCuda *cu, GError **error)
{
  if (cu->init_serial == cu->net->init_serial)
    return TRUE;
  /* frames in flight read the old values to the end */
  cudaStreamSynchronize (cu->stream);
  GHashTableIter it;
  gpointer k, val;
  g_hash_table_iter_init (&it, cu->consts);
  while (g_hash_table_iter_next (&it, &k, &val)) {
    ConstEntry *ce = val;
    ArtemValue *v = &g_array_index (cu->net->values, ArtemValue, ce->vidx);
    if (v->is_init && !fill_const (cu, v, ce->form, ce->ptr, error))
      return FALSE;
  }
  cu->init_serial = cu->net->init_serial;
  return TRUE;
}

/* ---- plan ------------------------------------------------------------------------ */

static gboolean
check_value (ArtemCuda *cu, ArtemNode *n, ArtemValue *v, GError **error)
{
  if (!v || v->is_const)
    return TRUE;
  if (v->dtype != ARTEM_DTYPE_FLOAT || v->shape.ndim != 4 ||
      artem_value_numel (v) >= ((int64_t) 1 << 31)) {
    char *ss = artem_shape_to_string (&v->shape);
    artem_node_error (error, ARTEM_ERROR_UNSUPPORTED, n, "the CUDA backend runs 4-D float "
                      "tensors under 2^31 elements; '%s' is %s %s", v->name,
                      v->dtype == ARTEM_DTYPE_FLOAT ? "float" : "int64", ss);
    g_free (ss);
    return FALSE;
  }
  return TRUE;
}

/* 1. every step needs a CUDA operator and 4-D float activations, every input 4-D float */
static gboolean
plan_check_steps (ArtemCuda *cu, GError **error)
{
  ArtemNet *net = cu->net;
  for (int s = 0; s < cu->n_steps; s++) {
    ArtemCuStep *st = &cu->steps[s];
    st->node = artem_step_node (net, s);
    st->in = artem_step_args (net, s);
    st->out = st->in + ARTEM_STEP_MAX_IN;
    st->op = artem_cu_op_lookup (st->node);
    if (!st->op) {
      artem_node_error (error, ARTEM_ERROR_UNSUPPORTED, st->node,
                        "operator %s has no CUDA kernel", st->node->def->op_type);
      return FALSE;
    }
    for (int k = 0; k < st->node->n_in; k++)
      if (!check_value (cu, st->node, st->in[k], error))
        return FALSE;
    for (int k = 0; k < st->node->n_out; k++)
      if (!check_value (cu, st->node, st->out[k], error))
        return FALSE;
  }
  for (guint i = 0; i < net->inputs->len; i++) {
    ArtemValue *v = VAL (net, g_array_index (net->inputs, int, i));
    if (!v->is_const && (v->dtype != ARTEM_DTYPE_FLOAT || v->shape.ndim != 4 ||
                         artem_value_numel (v) >= ((int64_t) 1 << 31))) {
      g_set_error (error, ARTEM_ERROR, ARTEM_ERROR_UNSUPPORTED,
                   "the CUDA backend takes 4-D float inputs; '%s' is not", v->name);
      return FALSE;
    }
  }
  return TRUE;
}

/* 2. device slots: the CPU plan's slots, at the storage type's size; then each step's
 * device pointers and dims */
static gboolean
plan_device_slots (ArtemCuda *cu, GError **error)
{
  ArtemNet *net = cu->net;
  void **slot_ptr = g_new0 (void *, MAX (net->n_slots, 1));
  for (guint i = 0; i < net->n_slots; i++) {
    gsize bytes = cu->half ? net->slots[i].size / 2 : net->slots[i].size;
    if (!(slot_ptr[i] = artem_cu_alloc (cu, bytes, error))) {
      g_free (slot_ptr);
      return FALSE;
    }
  }
  for (guint i = 0; i < net->values->len; i++) {
    ArtemValue *v = VAL (net, i);
    if (v->slot >= 0 && !v->is_const)
      cu->dval[i] = slot_ptr[v->slot];
  }
  g_free (slot_ptr);
  for (int s = 0; s < cu->n_steps; s++) {
    ArtemCuStep *st = &cu->steps[s];
    ArtemNode *n = st->node;
    for (int k = 0; k < n->n_in && k < 8; k++)
      if (st->in[k]) {
        st->x[k] = cu->dval[n->in[k]];
        st->xd[k] = artem_cu_dims (cu, &st->in[k]->shape);
      }
    if (n->n_out > 0 && st->out[0]) {
      st->y = cu->dval[n->out[0]];
      st->yd = artem_cu_dims (cu, &st->out[0]->shape);
    }
  }
  return TRUE;
}

/* 3. fusions: a Conv whose only reader is an InstanceNorm drops its bias (it cancels in
 * the mean); an InstanceNorm read only by the next step's Add adds the residual in the
 * same pass */
static void
plan_fusions (ArtemCuda *cu)
{
  ArtemNet *net = cu->net;
  int ns = cu->n_steps;
  int *readers = g_new0 (int, net->values->len);
  for (int s = 0; s < ns; s++)
    for (int k = 0; k < cu->steps[s].node->n_in; k++)
      if (cu->steps[s].node->in[k] >= 0)
        readers[cu->steps[s].node->in[k]]++;
  for (guint i = 0; i < net->outputs->len; i++)
    readers[g_array_index (net->outputs, int, i)] += ARTEM_OUTPUT_READERS;
  for (int s = 0; s < ns; s++) {
    ArtemCuStep *st = &cu->steps[s];
    ArtemNode *n = st->node;
    if (n->def->kind == ARTEM_OP_CONV && !n->fused_relu && readers[n->out[0]] == 1 && s + 1 < ns)
      for (int t = s + 1; t < ns; t++)
        if (cu->steps[t].node->in[0] == n->out[0]) {
          st->drop_bias = cu->steps[t].node->def->kind == ARTEM_OP_INSTANCE_NORM;
          break;
        }
    if (n->def->kind != ARTEM_OP_INSTANCE_NORM || s + 1 >= ns || readers[n->out[0]] != 1)
      continue;
    ArtemCuStep *nx = &cu->steps[s + 1];
    ArtemNode *a = nx->node;
    if (!artem_node_is_binary (a, ARTEM_BINARY_ADD) || a->n_in != 2)
      continue;
    int other = a->in[0] == n->out[0] ? 1 : a->in[1] == n->out[0] ? 0 : -1;
    if (other >= 0 && nx->in[other] && !nx->in[other]->is_const &&
        artem_shape_equal (&nx->in[other]->shape, &st->out[0]->shape)) {
      st->residual = nx->x[other];
      st->relu_after_add = a->fused_relu;
      st->y = nx->y;
      nx->skip = TRUE;
    }
  }
  g_free (readers);
}

/* 5. host side of the tensor-level API: pinned buffers for the inputs and outputs, and one
 * fp32 staging buffer on the device */
static gboolean
plan_host_buffers (ArtemCuda *cu, GError **error)
{
  ArtemNet *net = cu->net;
  gsize stage = 0;
  GArray *lists[2] = { net->inputs, net->outputs };
  for (int l = 0; l < 2; l++)
    for (guint i = 0; i < lists[l]->len; i++) {
      ArtemValue *v = VAL (net, g_array_index (lists[l], int, i));
      if (v->is_const || (l == 1 && v->producer < 0))
        continue;
      gsize n = (gsize) artem_value_numel (v);
      if (!(v->data = host_alloc (cu, n * sizeof (float), error)))
        return FALSE;
      stage = MAX (stage, n);
    }
  return !stage || (cu->f32_stage = artem_cu_alloc (cu, stage * sizeof (float), error));
}

gboolean
artem_cuda_plan (ArtemCuda *cu, GError **error)
{
  ArtemNet *net = cu->net;
  artem_cuda_unplan (cu);
  cudaSetDevice (cu->device);
  cu->half = artem_cuda_wants_half (cu);
  cu->nhwc = cu->half;
  cu->allocs = g_ptr_array_new ();
  cu->host_allocs = g_ptr_array_new ();
  cu->consts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  cu->init_serial = net->init_serial;
  cu->dval = g_new0 (void *, net->values->len);
  cu->steps = g_new0 (ArtemCuStep, MAX (net->n_steps, 1));
  cu->n_steps = net->n_steps;
  if (!plan_check_steps (cu, error) || !plan_device_slots (cu, error))
    goto fail;
  plan_fusions (cu);
  /* 4. operator state, and the workspace the convolutions share */
  for (int s = 0; s < cu->n_steps; s++) {
    ArtemCuStep *st = &cu->steps[s];
    if (!st->skip && st->op->prepare && !st->op->prepare (cu, st, error))
      goto fail;
  }
  if (cu->workspace_bytes && !(cu->workspace = artem_cu_alloc (cu, cu->workspace_bytes, error)))
    goto fail;
  if (!plan_host_buffers (cu, error))
    goto fail;
  cu->planned = TRUE;
  return TRUE;
fail:
  artem_cuda_unplan (cu);
  return FALSE;
}

/* ---- run ------------------------------------------------------------------------ */

static gboolean
enqueue_steps (ArtemCuda *cu)
{
  for (int s = 0; s < cu->n_steps; s++) {
    ArtemCuStep *st = &cu->steps[s];
    if (st->skip)
      continue;
    if (!st->op->run (cu, st)) {
      char tmp[256];
      g_snprintf (tmp, sizeof tmp, "node '%s': %s", st->node->name, cu->fail_msg);
      g_strlcpy (cu->fail_msg, tmp, sizeof cu->fail_msg);
      return FALSE;
    }
  }
  return TRUE;
}

static gboolean
enqueue_tensor_run (ArtemCuda *cu)
{
  ArtemNet *net = cu->net;
  for (guint i = 0; i < net->inputs->len; i++) {
    int vi = g_array_index (net->inputs, int, i);
    ArtemValue *v = &g_array_index (net->values, ArtemValue, vi);
    if (v->is_const || !cu->dval[vi])
      continue;
    gsize n = (gsize) artem_value_numel (v);
    if (artem_cu_failed (cu, "upload", cudaMemcpyAsync (cu->f32_stage, v->data, n * sizeof (float),
                                                        cudaMemcpyHostToDevice, cu->stream)) ||
        artem_cu_failed (cu, "convert", artem_cu_from_f32_nchw (cu->f32_stage, cu->dval[vi],
                                                                artem_cu_dims (cu, &v->shape),
                                                                cu->half, cu->stream)))
      return FALSE;
  }
  if (!enqueue_steps (cu))
    return FALSE;
  for (guint i = 0; i < net->outputs->len; i++) {
    int vi = g_array_index (net->outputs, int, i);
    ArtemValue *v = &g_array_index (net->values, ArtemValue, vi);
    if (v->is_const || v->producer < 0 || !cu->dval[vi])
      continue;
    gsize n = (gsize) artem_value_numel (v);
    if (artem_cu_failed (cu, "convert", artem_cu_to_f32_nchw (cu->dval[vi], cu->f32_stage,
                                                              artem_cu_dims (cu, &v->shape),
                                                              cu->half, cu->stream)) ||
        artem_cu_failed (cu, "download", cudaMemcpyAsync (v->data, cu->f32_stage,
                                                          n * sizeof (float),
                                                          cudaMemcpyDeviceToHost, cu->stream)))
      return FALSE;
  }
  return TRUE;
}

typedef gboolean (*EnqueueFunc) (ArtemCuda *cu, gpointer data);

/* Launches the work of @fn: directly on the first call (warm-up: lazy module loading,
 * cuDNN's first-call set-up), then as a CUDA graph captured on the second call and
 * relaunched after.  A failed capture falls back to direct launches for good. */
static gboolean
launch (ArtemCuda *cu, cudaGraphExec_t *graph, int *count, EnqueueFunc fn, gpointer data)
{
  if (*graph)
    return !artem_cu_failed (cu, "cudaGraphLaunch", cudaGraphLaunch (*graph, cu->stream));
  if ((*count)++ == 0 || cu->graphs_broken || g_getenv ("ARTEM_CUDA_NO_GRAPHS"))
    return fn (cu, data);
  cudaGraph_t g = NULL;
  if (cudaStreamBeginCapture (cu->stream, cudaStreamCaptureModeThreadLocal) != cudaSuccess) {
    cudaGetLastError ();
    cu->graphs_broken = TRUE;
    return fn (cu, data);
  }
  gboolean ok = fn (cu, data);
  cudaError_t e = cudaStreamEndCapture (cu->stream, &g);
  if (ok && e == cudaSuccess && g && cudaGraphInstantiate (graph, g, 0) == cudaSuccess) {
    cudaGraphDestroy (g);
    return !artem_cu_failed (cu, "cudaGraphLaunch", cudaGraphLaunch (*graph, cu->stream));
  }
  if (g)
    cudaGraphDestroy (g);
  *graph = NULL;
  cudaGetLastError ();
  g_warning ("artem: CUDA graph capture failed (%s); launching kernels one by one",
             ok ? cudaGetErrorString (e) : cu->fail_msg);
  cu->graphs_broken = TRUE;
  return fn (cu, data);
}

static gboolean
tensor_run_cb (ArtemCuda *cu, gpointer data)
{
  return enqueue_tensor_run (cu);
}

gboolean
artem_cuda_run (ArtemCuda *cu, GError **error)
{
  if (!cu->planned) {
    g_set_error (error, ARTEM_ERROR, ARTEM_ERROR_ARGUMENT, "the net is not sized");
    return FALSE;
  }
  cudaSetDevice (cu->device);
  if (!refresh_consts (cu, error))
    return FALSE;
  gboolean ok = launch (cu, &cu->run_graph, &cu->run_count, tensor_run_cb, NULL);
  cudaError_t e = cudaStreamSynchronize (cu->stream);
  if (ok && e != cudaSuccess)
    artem_cu_failed (cu, "run", e), ok = FALSE;
  if (!ok) {
    cudaGetLastError ();
    g_set_error (error, ARTEM_ERROR, ARTEM_ERROR_BACKEND, "%s: CUDA: %s", cu->net->path,
                 cu->fail_msg);
  }
  return ok;
}

/* ---- frames --------------------------------------------------------------------- */

/* the moved-pixel counter lives 16-byte aligned after the motion map of px pixels */
static gsize
stab_moved_offset (gsize px)
{
  return (2 * px * sizeof (guint16) + 15) / 16 * 16;   /* after the motion and gap maps */
}

static gboolean
frame_buffers (ArtemCuda *cu, GError **error)
{
  ArtemNet *net = cu->net;
  if (cu->frame_w == net->frame_w && cu->frame_h == net->frame_h && cu->frame_ox == net->ox &&
      cu->frame_oy == net->oy && cu->d_in[0])
    return TRUE;
  clear_frames (cu);
  gsize bytes = (gsize) net->frame_w * net->frame_h * 4;
  for (int k = 0; k < 2; k++) {
    cudaError_t e;
    if ((e = cudaHostAlloc ((void **) &cu->pin_in[k], bytes, cudaHostAllocDefault)) ||
        (e = cudaHostAlloc ((void **) &cu->pin_out[k], bytes, cudaHostAllocDefault)) ||
        (e = cudaMalloc ((void **) &cu->d_in[k], bytes)) ||
        (e = cudaMalloc ((void **) &cu->d_out[k], bytes))) {
      cudaGetLastError ();
      g_set_error (error, ARTEM_ERROR, ARTEM_ERROR_SHAPE, "cannot allocate frame buffers: %s",
                   cudaGetErrorString (e));
      clear_frames (cu);
      return FALSE;
    }
    net->n_allocations += 4;
  }
  gsize px = (gsize) net->frame_w * net->frame_h;
  cu->stab_vec_bytes = artem_stab_vec_bytes (net->frame_w, net->frame_h);
  cudaError_t e;
  /* ref and prev, each followed by its copy moved along the motion vectors */
  if ((e = cudaMalloc ((void **) &cu->d_stab_ref, px * 6)) ||
      (e = cudaMalloc ((void **) &cu->d_stab_prev, px * 6)) ||
      (e = cudaMemset (cu->d_stab_ref, 0, px * 6)) ||
      (e = cudaMemset (cu->d_stab_prev, 0, px * 6)) ||
      /* the motion and gap maps, then the moved-pixel counter 16-byte aligned after them */
      (e = cudaMalloc ((void **) &cu->d_stab_motion, stab_moved_offset (px) + 16)) ||
      /* the motion vectors of each staging set */
      (e = cudaMalloc ((void **) &cu->d_stab_vec, 2 * cu->stab_vec_bytes)) ||
      (e = cudaHostAlloc ((void **) &cu->pin_stab_vec, 2 * cu->stab_vec_bytes,
                          cudaHostAllocDefault))) {
    cudaGetLastError ();
    g_set_error (error, ARTEM_ERROR, ARTEM_ERROR_SHAPE, "cannot allocate frame buffers: %s",
                 cudaGetErrorString (e));
    clear_frames (cu);
    return FALSE;
  }
  net->n_allocations += 5;
  cu->stab_valid = FALSE;
  cu->frame_w = net->frame_w;
  cu->frame_h = net->frame_h;
  cu->frame_ox = net->ox;   /* captured in the frame graphs: a new margin makes new ones */
  cu->frame_oy = net->oy;
  return TRUE;
}

/* frame rows between the caller's buffer and pinned staging; a 2160x1200 RGBx frame is
 * 10 MB, about 1 ms for one core: large frames are copied by all of them */
static void
copy_rows (guint8 *dst, gsize dst_stride, const guint8 *src, gsize src_stride, gsize row, int h)
{
  gboolean par = row * (gsize) h >= ((gsize) 1 << 20);
#pragma omp parallel for schedule(static) if (par)
  for (int y = 0; y < h; y++)
    memcpy (dst + (gsize) y * dst_stride, src + (gsize) y * src_stride, row);
}

typedef struct {
  int set;
  ArtemPixelFormat fmt;
} FrameJob;

static gboolean
frame_run_cb (ArtemCuda *cu, gpointer data)
{
  const FrameJob *j = data;
  ArtemNet *net = cu->net;
  int vin = g_array_index (net->inputs, int, 0), vout = g_array_index (net->outputs, int, 0);
  ArtemValue *in = &g_array_index (net->values, ArtemValue, vin);
  ArtemValue *out = &g_array_index (net->values, ArtemValue, vout);
  int bpp = artem_pixel_format_bpp (j->fmt), off[4];
  artem_pixel_format_offsets (j->fmt, &off[0], &off[1], &off[2], &off[3]);
  const float *params = cu->d_params + 8 * j->set;
  gsize px = (gsize) cu->frame_w * cu->frame_h;
  unsigned *moved = (unsigned *) ((guint8 *) cu->d_stab_motion + stab_moved_offset (px));
  ArtemCuStab stab = { cu->d_stab_ref, cu->d_stab_prev, cu->d_stab_ref + px * 3,
                       cu->d_stab_prev + px * 3,
                       (const signed char *) cu->d_stab_vec + cu->stab_vec_bytes * j->set,
                       cu->d_stab_motion, (gint16 *) (cu->d_stab_motion + px), moved };
  cudaError_t e = cudaMemsetAsync (moved, 0, sizeof *moved, cu->stream);
  if (artem_cu_failed (cu, "frame motion counter", (int) e))
    return FALSE;
  if (artem_cu_failed (cu, "frame motion",
                       artem_cu_frame_motion (cu->d_in[j->set], cu->frame_w, cu->frame_h, bpp,
                                              off, stab, params, cu->stream)))
    return FALSE;
  if (artem_cu_failed (cu, "frame to tensor",
                       artem_cu_frame_to_tensor (cu->d_in[j->set], cu->frame_w, cu->frame_h,
                                                 net->ox, net->oy, bpp, off, cu->dval[vin],
                                                 artem_cu_dims (cu, &in->shape), cu->half,
                                                 params, cu->stream)))
    return FALSE;
  if (!enqueue_steps (cu))
    return FALSE;
  return !artem_cu_failed (cu, "tensor to frame",
                           artem_cu_tensor_to_frame (cu->dval[vout],
                                                     artem_cu_dims (cu, &out->shape), cu->half,
                                                     cu->d_in[j->set], cu->d_out[j->set],
                                                     cu->frame_w, cu->frame_h, net->ox,
                                                     net->oy, bpp, off, stab,
                                                     params, cu->stream));
}

void
artem_cuda_reset_frame_history (ArtemCuda *cu)
{
  cu->stab_valid = FALSE;
}

guint
artem_cuda_frames_in_flight (ArtemCuda *cu)
{
  return (guint) cu->n_in_flight;
}

gboolean
artem_cuda_submit_frame (ArtemCuda *cu, const guint8 *src, gsize src_stride,
                         ArtemPixelFormat fmt, GError **error)
{
  ArtemNet *net = cu->net;
  if (!cu->planned) {
    g_set_error (error, ARTEM_ERROR, ARTEM_ERROR_ARGUMENT, "the net is not sized");
    return FALSE;
  }
  int vin = g_array_index (net->inputs, int, 0), vout = g_array_index (net->outputs, int, 0);
  if (!cu->dval[vin] || !cu->dval[vout]) {
    g_set_error (error, ARTEM_ERROR, ARTEM_ERROR_ARGUMENT, "%s: the frame input or output is "
                 "a constant", net->path);
    return FALSE;
  }
  if (cu->n_in_flight >= 2) {
    g_set_error (error, ARTEM_ERROR, ARTEM_ERROR_ARGUMENT,
                 "two frames are in flight: receive one first");
    return FALSE;
  }
  cudaSetDevice (cu->device);
  if (!frame_buffers (cu, error) || !refresh_consts (cu, error))
    return FALSE;
  int k = cu->next_set, bpp = artem_pixel_format_bpp (fmt);
  gsize row = (gsize) cu->frame_w * bpp;
  cudaError_t e = cudaEventSynchronize (cu->ev_up[k]);   /* pin_in[k] is free again */
  if (e != cudaSuccess)
    goto fail;
  copy_rows (cu->pin_in[k], row, src, src_stride, row, cu->frame_h);
  float *p = cu->pin_params + 8 * k;
  p[0] = net->in_lo;
  p[1] = (net->in_hi - net->in_lo) / 255.f;
  p[2] = net->out_lo;
  p[3] = 255.f / (net->out_hi - net->out_lo);
  p[4] = net->frame_strength;
  /* stabilisation: the history is that of the frame submitted before this one */
  if (net->stab_amount <= 0.f || cu->stab_serial != net->init_serial)
    cu->stab_valid = FALSE;
  p[5] = net->stab_amount;
  p[6] = cu->stab_valid ? 1.f : 0.f;
  p[7] = net->stab_guard;
  /* the motion vectors (frame.c found them on the host; zero without motion) */
  guint8 *vec = cu->pin_stab_vec + cu->stab_vec_bytes * k;
  if (net->mo_moving)
    memcpy (vec, net->mo_vec, cu->stab_vec_bytes);
  else
    memset (vec, 0, cu->stab_vec_bytes);
  /* upload once the previous compute of this set stopped reading d_in[k] */
  if ((e = cudaStreamWaitEvent (cu->up, cu->ev_done[k], 0)) ||
      (e = cudaMemcpyAsync (cu->d_stab_vec + cu->stab_vec_bytes * k, vec, cu->stab_vec_bytes,
                            cudaMemcpyHostToDevice, cu->up)) ||
      (e = cudaMemcpyAsync (cu->d_in[k], cu->pin_in[k], row * cu->frame_h,
                            cudaMemcpyHostToDevice, cu->up)) ||
      (e = cudaMemcpyAsync (cu->d_params + 8 * k, p, 8 * sizeof (float),
                            cudaMemcpyHostToDevice, cu->up)) ||
      (e = cudaEventRecord (cu->ev_up[k], cu->up)) ||
      (e = cudaStreamWaitEvent (cu->stream, cu->ev_up[k], 0)))
    goto fail;
  FrameJob job = { k, fmt };
  if (!launch (cu, &cu->frame_graph[fmt][k], &cu->frame_count[fmt][k], frame_run_cb, &job)) {
    g_set_error (error, ARTEM_ERROR, ARTEM_ERROR_BACKEND, "%s: CUDA: %s", net->path,
                 cu->fail_msg);
    cudaStreamSynchronize (cu->stream);
    cudaGetLastError ();
    return FALSE;
  }
  if ((e = cudaEventRecord (cu->ev_done[k], cu->stream)) ||
      (e = cudaStreamWaitEvent (cu->down, cu->ev_done[k], 0)) ||
      (e = cudaMemcpyAsync (cu->pin_out[k], cu->d_out[k], row * cu->frame_h,
                            cudaMemcpyDeviceToHost, cu->down)) ||
      (e = cudaEventRecord (cu->ev_down[k], cu->down)))
    goto fail;
  cu->set_fmt[k] = fmt;
  cu->stab_valid = net->stab_amount > 0.f;
  cu->stab_serial = net->init_serial;
  cu->n_in_flight++;
  cu->next_set = k ^ 1;
  return TRUE;
fail:
  cudaGetLastError ();
  g_set_error (error, ARTEM_ERROR, ARTEM_ERROR_BACKEND, "%s: CUDA: frame upload: %s", net->path,
               cudaGetErrorString (e));
  return FALSE;
}

gboolean
artem_cuda_receive_frame (ArtemCuda *cu, guint8 *dst, gsize dst_stride, GError **error)
{
  if (cu->n_in_flight == 0) {
    g_set_error (error, ARTEM_ERROR, ARTEM_ERROR_ARGUMENT, "no frame in flight");
    return FALSE;
  }
  int k = cu->oldest_set;
  cudaSetDevice (cu->device);
  cudaError_t e = cudaEventSynchronize (cu->ev_down[k]);
  cu->n_in_flight--;
  cu->oldest_set = k ^ 1;
  if (e != cudaSuccess) {
    cudaGetLastError ();
    g_set_error (error, ARTEM_ERROR, ARTEM_ERROR_BACKEND, "%s: CUDA: %s", cu->net->path,
                 cudaGetErrorString (e));
    return FALSE;
  }
  gsize row = (gsize) cu->frame_w * artem_pixel_format_bpp (cu->set_fmt[k]);
  copy_rows (dst, dst_stride, cu->pin_out[k], row, row, cu->frame_h);
  return TRUE;
}

static gboolean
steps_cb (ArtemCuda *cu, gpointer data)
{
  return enqueue_steps (cu);
}

/* ARTEM_PROFILE: one more direct pass with an event after each step; the times go to the
 * nodes' profile_us, which artem_net_free prints (per node with ARTEM_PROFILE=nodes) */
static void
profile_steps (ArtemCuda *cu)
{
  int n = cu->n_steps;
  cudaEvent_t *ev = g_new0 (cudaEvent_t, n + 1);
  gboolean ok = TRUE;
  for (int i = 0; i <= n && ok; i++)
    ok = cudaEventCreate (&ev[i]) == cudaSuccess;
  if (ok)
    cudaEventRecord (ev[0], cu->stream);
  for (int s = 0; s < n && ok; s++) {
    ArtemCuStep *st = &cu->steps[s];
    ok = st->skip || st->op->run (cu, st);
    cudaEventRecord (ev[s + 1], cu->stream);
  }
  if (ok && cudaStreamSynchronize (cu->stream) == cudaSuccess)
    for (int s = 0; s < n; s++) {
      float ms = 0;
      if (!cu->steps[s].skip && cudaEventElapsedTime (&ms, ev[s], ev[s + 1]) == cudaSuccess)
        cu->steps[s].node->profile_us += (gint64) (ms * 1000);
    }
  cudaStreamSynchronize (cu->stream);
  cudaGetLastError ();
  for (int i = 0; i <= n; i++)
    if (ev[i])
      cudaEventDestroy (ev[i]);
  g_free (ev);
}

double
artem_cuda_time_steps (ArtemCuda *cu, int iters)
{
  if (!cu->planned || iters < 1)
    return -1;
  cudaSetDevice (cu->device);
  GError *err = NULL;
  if (!refresh_consts (cu, &err)) {
    g_clear_error (&err);
    return -1;
  }
  cudaGraphExec_t g = NULL;
  int count = 1;   /* capture at once (the plan's runs already warmed the kernels up) */
  cudaEvent_t a = NULL, b = NULL;
  float ms = -1.f;
  if (!enqueue_steps (cu) ||                       /* warm-up, direct */
      !launch (cu, &g, &count, steps_cb, NULL) ||  /* captured and launched once */
      cudaEventCreate (&a) != cudaSuccess || cudaEventCreate (&b) != cudaSuccess)
    goto out;
  cudaEventRecord (a, cu->stream);
  for (int i = 0; i < iters; i++) {
    if (g ? cudaGraphLaunch (g, cu->stream) != cudaSuccess : !enqueue_steps (cu))
      goto out;
  }
  cudaEventRecord (b, cu->stream);
  if (cudaEventSynchronize (b) == cudaSuccess && cudaEventElapsedTime (&ms, a, b) == cudaSuccess)
    ms /= iters;
  else
    ms = -1.f;
out:
  cudaStreamSynchronize (cu->stream);
  cudaGetLastError ();
  if (ms > 0 && g_getenv ("ARTEM_PROFILE"))
    profile_steps (cu);
  if (g)
    cudaGraphExecDestroy (g);
  if (a)
    cudaEventDestroy (a);
  if (b)
    cudaEventDestroy (b);
  return ms;
}

gsize
artem_cuda_device_bytes (ArtemCuda *cu)
{
  /* 4 staging frames of 4 bytes per pixel, the stabilisation history of 7 */
  gsize frames = cu->d_in[0] ? (gsize) cu->frame_w * cu->frame_h * (4 * 4 + 7) : 0;
  return cu->device_bytes + frames + 16 * sizeof (float);
}

gboolean
artem_cuda_wants_half (ArtemCuda *cu)
{
  ArtemPrecision p = cu->net->precision;
  return p == ARTEM_PRECISION_FP16 || p == ARTEM_PRECISION_BF16 ||
         (p == ARTEM_PRECISION_AUTO && cu->tensor_cores);
}

gboolean
artem_cuda_is_half (ArtemCuda *cu)
{
  return cu->planned && cu->half;
}

/* ---- the backend table (backend.h): net->be_state is the ArtemCuda ---- */

#define CU(net) ((ArtemCuda *) (net)->be_state)

static gboolean
be_open (ArtemNet *net, GError **error)
{
  return (net->be_state = artem_cuda_new (net, error)) != NULL;
}

static void
be_free (ArtemNet *net)
{
  g_clear_pointer (&net->be_state, artem_cuda_free);
}

static gboolean be_stores_half (ArtemNet *net) { return artem_cuda_wants_half (CU (net)); }
static gboolean
be_plan (ArtemNet *net, gsize scratch, GError **error)
{
  return artem_cuda_plan (CU (net), error);   /* no host scratch: the steps run on the GPU */
}

static void be_unplan (ArtemNet *net) { artem_cuda_unplan (CU (net)); }
static gboolean be_run (ArtemNet *net, GError **error) { return artem_cuda_run (CU (net), error); }
static guint be_in_flight (ArtemNet *net) { return artem_cuda_frames_in_flight (CU (net)); }
static void be_reset_history (ArtemNet *net) { artem_cuda_reset_frame_history (CU (net)); }
static double
be_time_steps (ArtemNet *net, int iters)
{
  return artem_cuda_time_steps (CU (net), iters);
}

static gsize be_device_bytes (ArtemNet *net) { return artem_cuda_device_bytes (CU (net)); }

static gboolean
be_submit (ArtemNet *net, const guint8 *src, gsize src_stride, ArtemPixelFormat fmt,
           GError **error)
{
  return artem_cuda_submit_frame (CU (net), src, src_stride, fmt, error);
}

static gboolean
be_receive (ArtemNet *net, guint8 *dst, gsize dst_stride, GError **error)
{
  return artem_cuda_receive_frame (CU (net), dst, dst_stride, error);
}

static ArtemPrecision
be_precision (ArtemNet *net)
{
  return artem_cuda_is_half (CU (net)) ? ARTEM_PRECISION_FP16 : ARTEM_PRECISION_FP32;
}

const ArtemBackend artem_backend_cuda = {
  .kind = ARTEM_BACKEND_CUDA, .name = "cuda", .available = artem_cuda_probe,
  .open = be_open, .free = be_free, .cpu_kernels = FALSE, .stores_half = be_stores_half,
  .plan = be_plan, .unplan = be_unplan, .run = be_run, .process = NULL, .submit = be_submit,
  .receive = be_receive, .in_flight = be_in_flight, .max_in_flight = 2,
  .reset_history = be_reset_history, .time_steps = be_time_steps,
  .device_bytes = be_device_bytes, .precision = be_precision,
};
