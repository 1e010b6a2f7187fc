/* net.c — an ArtemNet once loaded: running it, its buffers, metadata, limits, initializers
 * rewritten at run time, the profile, and freeing it. */
#include "backend.h"
#include "binary.h"

gboolean
artem_net_run (ArtemNet *net, GError **error)
{
  if (!net->sized) {
    g_set_error (error, ARTEM_ERROR, ARTEM_ERROR_ARGUMENT, "the net is not sized (reshape first)");
    return FALSE;
  }
  return net->be->run (net, error);
}

void *
artem_net_get_input_buffer (ArtemNet *net, guint i)
{
  if (!net->sized || i >= net->inputs->len)
    return NULL;
  ArtemValue *v = VAL (net, g_array_index (net->inputs, int, i));
  return v->is_const ? NULL : v->data;
}

const void *
artem_net_get_output (ArtemNet *net, guint i, ArtemShape *shape, ArtemDType *dtype)
{
  if (!net->sized || i >= net->outputs->len)
    return NULL;
  ArtemValue *v = VAL (net, g_array_index (net->outputs, int, i));
  if (shape)
    *shape = v->shape;
  if (dtype)
    *dtype = v->dtype;
  return v->data;
}

/* ARTEM_PROFILE=1: time per operator type, printed when the net is freed; =nodes: and
 * per node, with its output's shape. */
static void
print_profile (ArtemNet *net)
{
  if (!g_strcmp0 (g_getenv ("ARTEM_PROFILE"), "nodes"))
    for (guint i = 0; i < net->nodes->len; i++) {
      ArtemNode *n = &g_array_index (net->nodes, ArtemNode, i);
      const ArtemShape *s = n->n_out > 0 && n->out[0] >= 0 ? &VAL (net, n->out[0])->shape : NULL;
      if (n->profile_us)
        g_printerr ("  %-40s %10.1f ms  %" G_GINT64_FORMAT "x%" G_GINT64_FORMAT "x%"
                    G_GINT64_FORMAT "x%" G_GINT64_FORMAT "\n", n->name, n->profile_us / 1000.0,
                    s && s->ndim == 4 ? s->dims[0] : 0, s && s->ndim == 4 ? s->dims[1] : 0,
                    s && s->ndim == 4 ? s->dims[2] : 0, s && s->ndim == 4 ? s->dims[3] : 0);
    }
  GHashTable *t = g_hash_table_new (g_str_hash, g_str_equal);
  gint64 total = 0;
  for (guint i = 0; i < net->nodes->len; i++) {
    ArtemNode *n = &g_array_index (net->nodes, ArtemNode, i);
    gint64 *acc = g_hash_table_lookup (t, n->def->op_type);
    if (!acc) {
      acc = g_new0 (gint64, 1);
      g_hash_table_insert (t, (gpointer) n->def->op_type, acc);
    }
    *acc += n->profile_us;
    total += n->profile_us;
  }
  GHashTableIter it;
  gpointer k, v;
  g_hash_table_iter_init (&it, t);
  g_printerr ("artem profile of %s (all runs):\n", net->path);
  while (g_hash_table_iter_next (&it, &k, &v)) {
    if (*(gint64 *) v)
      g_printerr ("  %-24s %10.1f ms  %5.1f %%\n", (char *) k, *(gint64 *) v / 1000.0,
                  100.0 * *(gint64 *) v / MAX (total, 1));
    g_free (v);
  }
  g_hash_table_destroy (t);
}

void
artem_net_free (ArtemNet *net)
{
  if (!net)
    return;
  if (net->profile)
    print_profile (net);
  artem_net_unplan (net);
  net->be->free (net);
  g_free (net->cpu_frame);
  g_free (net->stab_ref);
  g_free (net->stab_prev);
  g_free (net->stab_motion);
  g_free (net->stab_href);
  g_free (net->mo_buf);
  g_free (net->mo_vec);
  for (guint i = 0; i < net->values->len; i++) {
    ArtemValue *v = VAL (net, i);
    if (v->owned)
      g_free (v->data);
    g_free (v->name);
  }
  for (guint i = 0; i < net->nodes->len; i++) {
    ArtemNode *n = &g_array_index (net->nodes, ArtemNode, i);
    g_free (n->name);
    g_free (n->in);
    g_free (n->out);
    artem_binary_weights_free (n->bin);
  }
  g_array_free (net->values, TRUE);
  g_hash_table_destroy (net->value_index);
  g_array_free (net->nodes, TRUE);
  g_array_free (net->inputs, TRUE);
  g_array_free (net->outputs, TRUE);
  if (net->order)
    g_array_free (net->order, TRUE);
  g_hash_table_destroy (net->metadata);
  if (net->model)
    onnx__model_proto__free_unpacked (net->model, NULL);
  g_free (net->only_output);
  g_free (net->path);
  g_free (net);
}

ArtemBackendKind artem_net_get_backend (const ArtemNet *net) { return net->be->kind; }
guint artem_net_get_n_inputs (const ArtemNet *net) { return net->inputs->len; }
guint artem_net_get_n_outputs (const ArtemNet *net) { return net->outputs->len; }
guint64 artem_net_get_n_allocations (const ArtemNet *net) { return net->n_allocations; }
gsize artem_net_get_memory_bytes (const ArtemNet *net) { return net->memory_bytes; }
gsize
artem_net_get_device_memory_bytes (const ArtemNet *net)
{
  return net->sized ? net->be->device_bytes ((ArtemNet *) net) : 0;
}

void artem_net_set_precision (ArtemNet *net, ArtemPrecision p) { net->precision = p; }

double
artem_net_time_network (ArtemNet *net, int iters)
{
  if (!net->sized || iters < 1)
    return -1;
  return net->be->time_steps (net, iters);
}

ArtemPrecision
artem_net_get_precision (const ArtemNet *net)
{
  return net->be->precision ((ArtemNet *) net);
}
void
artem_net_set_cost_limit (ArtemNet *net, double flops)
{
  net->cost_limit = flops > 0 ? flops : ARTEM_DEFAULT_COST_LIMIT;
}
double artem_net_get_cost (ArtemNet *net) { return net->sized ? net->cost : 0; }
void
artem_net_set_memory_limit (ArtemNet *net, gsize bytes)
{
  net->memory_limit = bytes ? bytes : ARTEM_DEFAULT_MEMORY_LIMIT;
}

guint artem_net_get_n_nodes (const ArtemNet *net) { return net->sized ? (guint) net->n_steps : 0; }

const char *
artem_net_get_input_name (const ArtemNet *net, guint i)
{
  return i < net->inputs->len ? VAL (net, g_array_index (net->inputs, int, i))->name : NULL;
}

const char *
artem_net_get_output_name (const ArtemNet *net, guint i)
{
  return i < net->outputs->len ? VAL (net, g_array_index (net->outputs, int, i))->name : NULL;
}

ArtemDType
artem_net_get_input_dtype (const ArtemNet *net, guint i)
{
  return i < net->inputs->len ? VAL (net, g_array_index (net->inputs, int, i))->dtype
                              : ARTEM_DTYPE_FLOAT;
}

const char *
artem_net_get_metadata (const ArtemNet *net, const char *key)
{
  return g_hash_table_lookup (net->metadata, key);
}

void
artem_net_get_ranges (const ArtemNet *net, float *in_lo, float *in_hi, float *out_lo,
                      float *out_hi)
{
  if (in_lo) *in_lo = net->in_lo;
  if (in_hi) *in_hi = net->in_hi;
  if (out_lo) *out_lo = net->out_lo;
  if (out_hi) *out_hi = net->out_hi;
}

void
artem_net_set_ranges (ArtemNet *net, float in_lo, float in_hi, float out_lo, float out_hi)
{
  net->in_lo = in_lo; net->in_hi = in_hi; net->out_lo = out_lo; net->out_hi = out_hi;
}

gboolean
artem_net_set_initializer (ArtemNet *net, const char *name, const float *data, gsize n,
                           GError **error)
{
  int idx = artem_net_value_lookup (net, name);
  ArtemValue *v = idx >= 0 ? VAL (net, idx) : NULL;
  if (!v || !v->is_init || v->dtype != ARTEM_DTYPE_FLOAT) {
    g_set_error (error, ARTEM_ERROR, ARTEM_ERROR_ARGUMENT, "%s: no float initializer '%s'",
                 net->path, name);
    return FALSE;
  }
  if ((gsize) artem_value_numel (v) != n) {
    g_set_error (error, ARTEM_ERROR, ARTEM_ERROR_ARGUMENT,
                 "%s: initializer '%s' holds %" G_GINT64_FORMAT " values, not %zu", net->path,
                 name, (gint64) artem_value_numel (v), n);
    return FALSE;
  }
  if (memcmp (v->data, data, n * sizeof (float)) == 0)
    return TRUE;   /* unchanged: no GPU upload, and stabilised frames keep their history */
  memcpy (v->data, data, n * sizeof (float));
  net->init_serial++;   /* the GPU copy is refreshed before the next run */
  return TRUE;
}
