/* graph.c — ArtemNet: ONNX import (protobuf-c), validation, topological order, fusion,
 * planning for a size (constant folding, liveness-based memory slots) and running. */
#include "artem-private.h"
#include "net-private.h"
#include "backend.h"
#include "binary.h"
#include "cpu/conv.h"   /* artem_dnnl_available: the CPU plan (backend split: #14) */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>

void
artem_node_error (GError **error, int code, ArtemNode *node, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  char *msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_set_error (error, ARTEM_ERROR, code, "node '%s' (%s): %s", node->name,
               node->proto->op_type ? node->proto->op_type : "?", msg);
  g_free (msg);
}

gboolean
artem_require_const (ArtemNode *node, ArtemValue **in, int i, const char *what,
                     GError **error)
{
  if (i >= node->n_in || !in[i]) {
    artem_node_error (error, ARTEM_ERROR_INVALID_MODEL, node, "missing input '%s'", what);
    return FALSE;
  }
  if (!in[i]->is_const) {
    artem_node_error (error, ARTEM_ERROR_UNSUPPORTED, node,
                      "input '%s' must be a constant (known once the input size is)", what);
    return FALSE;
  }
  return TRUE;
}

gboolean
artem_plan_check_tensor (ArtemNode *n, ArtemPlan *plan, const ArtemShape *shape,
                         ArtemDType dtype, GError **error)
{
  int64_t numel = 1;
  for (int d = 0; d < shape->ndim; d++) {
    int64_t dim = shape->dims[d];
    if (dim < 0 || (dim > 0 && numel > ARTEM_MAX_NUMEL / dim)) {
      char *ss = artem_shape_to_string (shape);
      artem_node_error (error, ARTEM_ERROR_SHAPE, n, "invalid output shape %s", ss);
      g_free (ss);
      return FALSE;
    }
    numel *= dim;
  }
  if ((gsize) numel * artem_dtype_size (dtype) > plan->memory_limit) {
    char *ss = artem_shape_to_string (shape);
    artem_node_error (error, ARTEM_ERROR_SHAPE, n, "an output of shape %s needs %" G_GSIZE_FORMAT
                      " MiB, more than the memory limit of %" G_GSIZE_FORMAT " MiB", ss,
                      ((gsize) numel * artem_dtype_size (dtype)) >> 20, plan->memory_limit >> 20);
    g_free (ss);
    return FALSE;
  }
  return TRUE;
}

static int
value_lookup (ArtemNet *net, const char *name)
{
  gpointer idx;
  if (name && g_hash_table_lookup_extended (net->value_index, name, NULL, &idx))
    return GPOINTER_TO_INT (idx);
  return -1;
}

static int
value_add (ArtemNet *net, const char *name, GError **error)
{
  if (value_lookup (net, name) >= 0) {
    g_set_error (error, ARTEM_ERROR, ARTEM_ERROR_INVALID_MODEL,
                 "value '%s' is defined twice", name);
    return -1;
  }
  ArtemValue v = { 0 };
  v.name = g_strdup (name);
  v.producer = -1;
  v.slot = -1;
  g_array_append_val (net->values, v);
  int idx = (int) net->values->len - 1;
  g_hash_table_insert (net->value_index, v.name, GINT_TO_POINTER (idx));
  return idx;
}

#define VAL(net, i) (&g_array_index ((net)->values, ArtemValue, (i)))

static gboolean
add_constant_node (ArtemNet *net, Onnx__NodeProto *np, GError **error)
{
  const char *name = np->n_output > 0 ? np->output[0] : NULL;
  if (!name || !*name) {
    g_set_error (error, ARTEM_ERROR, ARTEM_ERROR_INVALID_MODEL,
                 "Constant node '%s' has no output", np->name ? np->name : "");
    return FALSE;
  }
  ArtemDType dt = ARTEM_DTYPE_FLOAT;
  ArtemShape shape = { 0 };
  void *data = NULL;
  for (size_t i = 0; i < np->n_attribute && !data; i++) {
    Onnx__AttributeProto *a = np->attribute[i];
    if (!a->name)
      continue;
    if (!strcmp (a->name, "value") && a->t) {
      if (!artem_tensor_from_proto (a->t, &dt, &shape, &data, error))
        return FALSE;
    } else if (!strcmp (a->name, "value_float")) {
      data = g_new (float, 1);
      *(float *) data = a->f;
    } else if (!strcmp (a->name, "value_int")) {
      dt = ARTEM_DTYPE_INT64;
      data = g_new (int64_t, 1);
      *(int64_t *) data = a->i;
    } else if (!strcmp (a->name, "value_floats")) {
      shape.ndim = 1;
      shape.dims[0] = (int64_t) a->n_floats;
      data = g_memdup2 (a->floats, MAX (a->n_floats, 1) * sizeof (float));
    } else if (!strcmp (a->name, "value_ints")) {
      dt = ARTEM_DTYPE_INT64;
      shape.ndim = 1;
      shape.dims[0] = (int64_t) a->n_ints;
      data = g_memdup2 (a->ints, MAX (a->n_ints, 1) * sizeof (int64_t));
    }
  }
  if (!data) {
    g_set_error (error, ARTEM_ERROR, ARTEM_ERROR_UNSUPPORTED,
                 "node '%s' (Constant): no supported value attribute", np->name ? np->name : name);
    return FALSE;
  }
  int idx = value_add (net, name, error);
  if (idx < 0) {
    g_free (data);
    return FALSE;
  }
  ArtemValue *v = VAL (net, idx);
  v->dtype = dt;
  v->shape = shape;
  v->data = data;
  v->owned = TRUE;
  v->is_init = v->is_const = TRUE;
  return TRUE;
}

static int
elem_type_of (Onnx__ValueInfoProto *vi)
{
  if (vi->type && vi->type->value_case == ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE &&
      vi->type->tensor_type && vi->type->tensor_type->has_elem_type)
    return vi->type->tensor_type->elem_type;
  return -1;
}

static gboolean
load_graph (ArtemNet *net, GError **error)
{
  Onnx__ModelProto *m = net->model;
  Onnx__GraphProto *g = m->graph;
  if (!g) {
    g_set_error (error, ARTEM_ERROR, ARTEM_ERROR_INVALID_MODEL, "%s: the model has no graph",
                 net->path);
    return FALSE;
  }
  net->opset = -1;
  for (size_t i = 0; i < m->n_opset_import; i++) {
    const char *d = m->opset_import[i]->domain;
    if (!d || !*d || !strcmp (d, "ai.onnx"))
      net->opset = (int) m->opset_import[i]->version;
  }
  if (net->opset < 1) {
    g_set_error (error, ARTEM_ERROR, ARTEM_ERROR_INVALID_MODEL,
                 "%s: no opset for the default ONNX domain", net->path);
    return FALSE;
  }
  if (net->opset < ARTEM_MIN_OPSET || net->opset > ARTEM_MAX_OPSET) {
    g_set_error (error, ARTEM_ERROR, ARTEM_ERROR_UNSUPPORTED,
                 "%s: opset %d is not supported (artem reads opsets %d to %d)", net->path,
                 net->opset, ARTEM_MIN_OPSET, ARTEM_MAX_OPSET);
    return FALSE;
  }
  if (g->n_node > ARTEM_MAX_NODES) {
    g_set_error (error, ARTEM_ERROR, ARTEM_ERROR_UNSUPPORTED,
                 "%s: %zu nodes: artem loads models of at most %d", net->path, g->n_node,
                 ARTEM_MAX_NODES);
    return FALSE;
  }
  for (size_t i = 0; i < m->n_metadata_props; i++) {
    Onnx__StringStringEntryProto *e = m->metadata_props[i];
    if (e->key && e->value)
      g_hash_table_insert (net->metadata, g_strdup (e->key), g_strdup (e->value));
  }
  /* initializers */
  for (size_t i = 0; i < g->n_initializer; i++) {
    Onnx__TensorProto *t = g->initializer[i];
    if (!t->name || !*t->name) {
      g_set_error (error, ARTEM_ERROR, ARTEM_ERROR_INVALID_MODEL, "an initializer has no name");
      return FALSE;
    }
    int idx = value_add (net, t->name, error);
    if (idx < 0)
      return FALSE;
    ArtemValue *v = VAL (net, idx);
    if (!artem_tensor_from_proto (t, &v->dtype, &v->shape, &v->data, error))
      return FALSE;
    v->owned = v->is_init = v->is_const = TRUE;
  }
  /* runtime inputs */
  for (size_t i = 0; i < g->n_input; i++) {
    Onnx__ValueInfoProto *vi = g->input[i];
    if (!vi->name || value_lookup (net, vi->name) >= 0)
      continue;  /* an initializer listed as input (IR < 4) */
    int et = elem_type_of (vi);
    if (et != ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT && et != ONNX__TENSOR_PROTO__DATA_TYPE__INT64 &&
        et != ONNX__TENSOR_PROTO__DATA_TYPE__INT32) {
      g_set_error (error, ARTEM_ERROR, ARTEM_ERROR_UNSUPPORTED,
                   "%s: graph input '%s' is not a float, int32 or int64 tensor", net->path,
                   vi->name);
      return FALSE;
    }
    int idx = value_add (net, vi->name, error);
    if (idx < 0)
      return FALSE;
    VAL (net, idx)->dtype = et == ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT ? ARTEM_DTYPE_FLOAT
                                                                       : ARTEM_DTYPE_INT64;
    g_array_append_val (net->inputs, idx);
  }
  /* Constant nodes become initializers; the others become ArtemNodes. */
  gboolean ok = TRUE;
  for (size_t i = 0; i < g->n_node && ok; i++) {
    Onnx__NodeProto *np = g->node[i];
    const char *dom = np->domain;
    if (np->op_type && !strcmp (np->op_type, "Constant") && (!dom || !*dom)) {
      ok = add_constant_node (net, np, error);
      continue;
    }
    ArtemNode n = { 0 };
    n.proto = np;
    n.opset = net->opset;
    n.name = np->name && *np->name ? g_strdup (np->name)
                                   : g_strdup_printf ("%s#%zu", np->op_type ? np->op_type : "?", i);
    gboolean artem_domain = dom && !strcmp (dom, ARTEM_OP_DOMAIN);
    if (!np->op_type || (dom && *dom && strcmp (dom, "ai.onnx") && !artem_domain)) {
      g_set_error (error, ARTEM_ERROR, ARTEM_ERROR_UNSUPPORTED,
                   "node '%s': operator '%s' of domain '%s' is not supported", n.name,
                   np->op_type ? np->op_type : "?", dom ? dom : "");
      g_free (n.name);
      ok = FALSE;
      break;
    }
    n.def = artem_domain ? artem_op_lookup_artem (np->op_type) : artem_op_lookup (np->op_type);
    if (!n.def) {
      g_set_error (error, ARTEM_ERROR, ARTEM_ERROR_UNSUPPORTED,
                   "node '%s': operator '%s' is not supported", n.name, np->op_type);
      g_free (n.name);
      ok = FALSE;
      break;
    }
    if (np->n_input > 64 || np->n_output > 16 || np->n_output == 0) {
      g_set_error (error, ARTEM_ERROR, ARTEM_ERROR_INVALID_MODEL,
                   "node '%s' has %zu inputs and %zu outputs", n.name, np->n_input, np->n_output);
      g_free (n.name);
      ok = FALSE;
      break;
    }
    g_array_append_val (net->nodes, n);
  }
  /* Outputs of nodes are defined up front (duplicates are an error). */
  for (guint i = 0; i < net->nodes->len && ok; i++) {
    ArtemNode *n = &g_array_index (net->nodes, ArtemNode, i);
    n->n_out = (int) n->proto->n_output;
    n->out = g_new0 (int, n->n_out);
    for (int o = 0; o < n->n_out && ok; o++) {
      const char *oname = n->proto->output[o];
      if (o == 0 && (!oname || !*oname)) {
        g_set_error (error, ARTEM_ERROR, ARTEM_ERROR_INVALID_MODEL,
                     "node '%s' has no name for its first output", n->name);
        ok = FALSE;
        break;
      }
      if (!oname || !*oname) {
        n->out[o] = -1;
        continue;
      }
      n->out[o] = value_add (net, oname, error);
      ok = n->out[o] >= 0;
      if (ok)
        VAL (net, n->out[o])->producer = (int) i;
    }
  }
  if (!ok)
    return FALSE;
  /* Inputs: every name must exist. */
  for (guint i = 0; i < net->nodes->len; i++) {
    ArtemNode *n = &g_array_index (net->nodes, ArtemNode, i);
    n->n_in = (int) n->proto->n_input;
    n->in = g_new0 (int, MAX (n->n_in, 1));
    for (int k = 0; k < n->n_in; k++) {
      const char *iname = n->proto->input[k];
      if (!iname || !*iname) {
        n->in[k] = -1;
        continue;
      }
      n->in[k] = value_lookup (net, iname);
      if (n->in[k] < 0) {
        g_set_error (error, ARTEM_ERROR, ARTEM_ERROR_INVALID_MODEL,
                     "node '%s': input '%s' is not defined (no initializer, graph input or node "
                     "output has that name)", n->name, iname);
        return FALSE;
      }
    }
  }
  /* Topological order (Kahn, linear in nodes + edges); a cycle leaves nodes unplaced. */
  guint nn = net->nodes->len;
  int *missing = g_new0 (int, MAX (nn, 1));
  /* consumers of each node, as a CSR list (a node reading one value twice is listed twice) */
  int *first = g_new0 (int, nn + 1);
  for (guint i = 0; i < nn; i++) {
    ArtemNode *n = &g_array_index (net->nodes, ArtemNode, i);
    for (int k = 0; k < n->n_in; k++)
      if (n->in[k] >= 0 && VAL (net, n->in[k])->producer >= 0) {
        missing[i]++;
        first[VAL (net, n->in[k])->producer + 1]++;
      }
  }
  for (guint i = 0; i < nn; i++)
    first[i + 1] += first[i];
  int *fill = g_memdup2 (first, sizeof (int) * (nn + 1));
  int *consumers = g_new (int, MAX (first[nn], 1));
  for (guint i = 0; i < nn; i++) {
    ArtemNode *n = &g_array_index (net->nodes, ArtemNode, i);
    for (int k = 0; k < n->n_in; k++)
      if (n->in[k] >= 0 && VAL (net, n->in[k])->producer >= 0)
        consumers[fill[VAL (net, n->in[k])->producer]++] = (int) i;
  }
  g_free (fill);
  GArray *order = g_array_new (FALSE, FALSE, sizeof (int));
  GArray *queue = g_array_new (FALSE, FALSE, sizeof (int));
  for (guint i = 0; i < nn; i++)
    if (!missing[i])
      g_array_append_val (queue, i);
  for (guint q = 0; q < queue->len; q++) {
    int i = g_array_index (queue, int, q);
    g_array_append_val (order, i);
    for (int c = first[i]; c < first[i + 1]; c++)
      if (--missing[consumers[c]] == 0)
        g_array_append_val (queue, consumers[c]);
  }
  g_free (first);
  g_free (consumers);
  if (order->len != nn) {
    for (guint i = 0; i < nn; i++)
      if (missing[i]) {
        ArtemNode *n = &g_array_index (net->nodes, ArtemNode, i);
        g_set_error (error, ARTEM_ERROR, ARTEM_ERROR_INVALID_MODEL,
                     "node '%s' (%s) is part of a cycle", n->name, n->proto->op_type);
        break;
      }
  }
  net->order = order;
  g_array_free (queue, TRUE);
  g_free (missing);
  if (net->order->len != nn)
    return FALSE;
  /* Saved binarized convolutions (ai.artem BinaryConv: X, bits, alpha[, B]) become
   * binarized Convs with float alpha * sign (W) weights for the float paths. */
  for (guint i = 0; i < nn; i++) {
    ArtemNode *n = &g_array_index (net->nodes, ArtemNode, i);
    if (n->def->kind != ARTEM_OP_BINARY_CONV)
      continue;
    ArtemValue *bits = n->n_in > 1 && n->in[1] >= 0 ? VAL (net, n->in[1]) : NULL;
    ArtemValue *alpha = n->n_in > 2 && n->in[2] >= 0 ? VAL (net, n->in[2]) : NULL;
    int C = (int) artem_attr_int (n, "channels", 0), mode = (int) artem_attr_int (n, "mode", 0);
    if (!bits || !alpha || !bits->is_init || !alpha->is_init || bits->shape.ndim != 4 ||
        bits->dtype != ARTEM_DTYPE_INT64 ||   /* uint8 in the file, int64 once read */
        alpha->dtype != ARTEM_DTYPE_FLOAT || C < 1 || C > 65536 ||
        (mode != ARTEM_BINARIZE_WEIGHTS && mode != ARTEM_BINARIZE_XNOR) ||
        bits->shape.dims[3] != (C + 7) / 8 || artem_value_numel (alpha) != bits->shape.dims[0] ||
        bits->shape.dims[1] * bits->shape.dims[2] > 256 || bits->shape.dims[0] > 65536) {
      g_set_error (error, ARTEM_ERROR, ARTEM_ERROR_INVALID_MODEL,
                   "node '%s' (BinaryConv): bad bits, alpha, channels or mode", n->name);
      return FALSE;
    }
    int M = (int) bits->shape.dims[0], KH = (int) bits->shape.dims[1], KW = (int) bits->shape.dims[2];
    ArtemBinaryWeights *b = artem_binary_weights_from_bits (bits->data, alpha->data, M, C, KH, KW,
        mode, artem_attr_int (n, "act_scale", 1) != 0);
    char *wname = g_strdup_printf ("%s/unpacked_weights", n->name);
    int wi = value_add (net, wname, error);
    g_free (wname);
    if (wi < 0) {
      artem_binary_weights_free (b);
      return FALSE;
    }
    ArtemValue *w = VAL (net, wi);
    w->dtype = ARTEM_DTYPE_FLOAT;
    w->shape = (ArtemShape) { 4, { M, C, KH, KW } };
    w->data = g_memdup2 (b->wfloat, (gsize) M * C * KH * KW * sizeof (float));
    w->owned = w->is_init = w->is_const = TRUE;
    n->in[1] = wi;                     /* X, W, [B] */
    if (n->n_in > 3)
      n->in[2] = n->in[3];
    n->n_in = MIN (n->n_in - 1, 3);
    n->bin = b;
    n->def = mode == ARTEM_BINARIZE_XNOR ? &artem_op_conv_xnor : &artem_op_conv;
    net->n_binarized++;
  }
  /* Attributes of every node, checked at load. */
  for (guint i = 0; i < nn; i++) {
    ArtemNode *n = &g_array_index (net->nodes, ArtemNode, i);
    if (n->def->check && !n->def->check (n, error))
      return FALSE;
  }
  /* Graph outputs: the model's, or the one value the caller asked for. */
  if (net->only_output) {
    int idx = value_lookup (net, net->only_output);
    if (idx < 0) {
      g_set_error (error, ARTEM_ERROR, ARTEM_ERROR_ARGUMENT, "%s: no value named '%s'",
                   net->path, net->only_output);
      return FALSE;
    }
    g_array_append_val (net->outputs, idx);
    return TRUE;
  }
  for (size_t i = 0; i < g->n_output; i++) {
    int idx = value_lookup (net, g->output[i]->name);
    if (idx < 0) {
      g_set_error (error, ARTEM_ERROR, ARTEM_ERROR_INVALID_MODEL,
                   "%s: graph output '%s' is not produced by any node", net->path,
                   g->output[i]->name ? g->output[i]->name : "");
      return FALSE;
    }
    g_array_append_val (net->outputs, idx);
  }
  if (net->outputs->len == 0) {
    g_set_error (error, ARTEM_ERROR, ARTEM_ERROR_INVALID_MODEL, "%s: the graph has no output",
                 net->path);
    return FALSE;
  }
  return TRUE;
}

/* Removes the nodes no graph output depends on (a sub-network asked for by name). */
static void
prune (ArtemNet *net)
{
  guint nn = net->nodes->len;
  gboolean *needed = g_new0 (gboolean, net->values->len);
  for (guint i = 0; i < net->outputs->len; i++)
    needed[g_array_index (net->outputs, int, i)] = TRUE;
  for (int s = (int) net->order->len - 1; s >= 0; s--) {
    ArtemNode *n = &g_array_index (net->nodes, ArtemNode, g_array_index (net->order, int, s));
    gboolean used = FALSE;
    for (int k = 0; k < n->n_out; k++)
      if (n->out[k] >= 0 && needed[n->out[k]])
        used = TRUE;
    if (!used) {
      n->removed = TRUE;
      continue;
    }
    for (int k = 0; k < n->n_in; k++)
      if (n->in[k] >= 0)
        needed[n->in[k]] = TRUE;
  }
  (void) nn;
  g_free (needed);
}

/* Folds a Relu into the node producing its input when nothing else reads that value. */
static void
fuse_relu (ArtemNet *net)
{
  guint nn = net->nodes->len;
  int *uses = g_new0 (int, net->values->len);
  for (guint i = 0; i < nn; i++) {
    ArtemNode *n = &g_array_index (net->nodes, ArtemNode, i);
    for (int k = 0; k < n->n_in && !n->removed; k++)
      if (n->in[k] >= 0)
        uses[n->in[k]]++;
  }
  for (guint i = 0; i < net->outputs->len; i++)
    uses[g_array_index (net->outputs, int, i)] += 2;
  for (guint i = 0; i < nn; i++) {
    ArtemNode *r = &g_array_index (net->nodes, ArtemNode, i);
    if (r->removed || !artem_node_is_unary (r, ARTEM_UNARY_RELU) || r->n_in < 1 ||
        r->in[0] < 0 || r->out[0] < 0)
      continue;
    int v = r->in[0];
    int p = VAL (net, v)->producer;
    if (p < 0 || uses[v] != 1)
      continue;
    ArtemNode *prod = &g_array_index (net->nodes, ArtemNode, p);
    if (prod->def->kind != ARTEM_OP_CONV && prod->def->kind != ARTEM_OP_CONV_TRANSPOSE &&
        prod->def->kind != ARTEM_OP_INSTANCE_NORM && prod->def->kind != ARTEM_OP_BATCH_NORM &&
        !artem_node_is_binary (prod, ARTEM_BINARY_ADD))
      continue;
    if (prod->fused_relu || prod->n_out != 1)
      continue;
    prod->fused_relu = TRUE;
    prod->out[0] = r->out[0];
    VAL (net, r->out[0])->producer = p;
    r->removed = TRUE;
  }
  g_free (uses);
}

void
artem_net_unplan (ArtemNet *net)
{
  if (net->be)
    net->be->unplan (net);
  for (guint i = 0; i < net->values->len; i++) {
    ArtemValue *v = VAL (net, i);
    if (v->is_init)
      continue;
    if (v->owned)
      g_free (v->data);
    v->data = NULL;
    v->owned = FALSE;
    v->is_const = FALSE;
    v->slot = -1;
    v->nhwc = FALSE;
    v->shape.ndim = 0;
  }
  for (guint i = 0; i < net->nodes->len; i++) {
    ArtemNode *n = &g_array_index (net->nodes, ArtemNode, i);
    if (n->priv && n->priv_clear)
      n->priv_clear (n->priv);
    n->priv_clear = NULL;
    g_clear_pointer (&n->priv, g_free);
    memset (&n->params, 0, sizeof n->params);
  }
  g_clear_pointer (&net->slots, g_free);
  net->n_slots = 0;
  g_clear_pointer (&net->steps, g_free);
  g_clear_pointer (&net->step_args, g_free);
  net->n_steps = 0;
  net->memory_bytes = 0;
  net->sized = FALSE;
}

gboolean
artem_net_reshape (ArtemNet *net, const ArtemShape *shapes, const void *const *consts,
                   GError **error)
{
  g_return_val_if_fail (net && (shapes || net->inputs->len == 0), FALSE);
  artem_net_unplan (net);
  guint nn = net->order->len;
  for (guint i = 0; i < net->inputs->len; i++) {
    ArtemValue *v = VAL (net, g_array_index (net->inputs, int, i));
    if (shapes[i].ndim < 0 || shapes[i].ndim > ARTEM_MAX_DIMS) {
      g_set_error (error, ARTEM_ERROR, ARTEM_ERROR_ARGUMENT, "input '%s': bad rank", v->name);
      return FALSE;
    }
    v->shape = shapes[i];
    for (int d = 0; d < v->shape.ndim; d++)
      if (v->shape.dims[d] < 0 || v->shape.dims[d] > ARTEM_MAX_NUMEL) {
        g_set_error (error, ARTEM_ERROR, ARTEM_ERROR_ARGUMENT, "input '%s': bad dimension",
                     v->name);
        return FALSE;
      }
    if (consts && consts[i]) {
      gsize bytes = artem_value_numel (v) * artem_dtype_size (v->dtype);
      v->data = g_memdup2 (consts[i], MAX (bytes, 1));
      v->owned = v->is_const = TRUE;
    }
  }
  int *exec = g_new (int, MAX (nn, 1));
  int n_exec = 0;
  gsize scratch_max = 0;
  ArtemPlan plan = { 0 };
  plan.n_threads = artem_cpu_threads ();
  plan.memory_limit = net->memory_limit;
  plan.cpu_kernels = net->be->cpu_kernels;
  plan.bf16 = net->cpu_bf16 = plan.cpu_kernels && artem_cpu_wants_bf16 (net->precision);
  plan.init_serial = &net->init_serial;
  if (plan.cpu_kernels && artem_dnnl_available ())
    artem_plan_layouts (net);   /* the activations kept NHWC between convolutions */
  double cost = 0;
  gboolean ok = TRUE;
  ArtemValue *in[ARTEM_STEP_MAX_IN], *out[ARTEM_STEP_MAX_OUT];
  for (guint s = 0; s < nn && ok; s++) {
    ArtemNode *n = &g_array_index (net->nodes, ArtemNode, g_array_index (net->order, int, s));
    if (n->removed)
      continue;
    gboolean all_const = TRUE;
    for (int k = n->n_in; k < ARTEM_STEP_MAX_IN; k++)
      in[k] = NULL;
    for (int k = 0; k < n->n_in; k++) {
      in[k] = n->in[k] >= 0 ? VAL (net, n->in[k]) : NULL;
      if (in[k] && !in[k]->is_const)
        all_const = FALSE;
    }
    for (int k = 0; k < n->n_out; k++)
      out[k] = n->out[k] >= 0 ? VAL (net, n->out[k]) : NULL;
    plan.scratch_floats = 0;
    plan.cost = 0;
    if (!n->def->prepare (n, in, out, &plan, error)) {
      if (error && !*error)   /* every failure names its node, even an op's oversight */
        artem_node_error (error, ARTEM_ERROR_SHAPE, n, "cannot be planned for this size");
      ok = FALSE;
      break;
    }
    double elems = 0;
    for (int k = 0; k < n->n_out && ok; k++) {
      if (!out[k])
        continue;
      ok = artem_plan_check_tensor (n, &plan, &out[k]->shape, out[k]->dtype, error);
      if (ok)
        elems += (double) artem_value_numel (out[k]);
    }
    if (!ok)
      break;
    /* the cost budget: work per frame, counted node by node */
    cost += MAX (plan.cost, elems);
    if (cost > net->cost_limit) {
      artem_node_error (error, ARTEM_ERROR_SHAPE, n, "the model's work per frame passes the "
                        "cost budget of %.3g TFLOP here (this node alone: %.3g TFLOP; "
                        "artem_net_set_cost_limit or ARTEM_MAX_TFLOP raise it)",
                        net->cost_limit / 1e12, MAX (plan.cost, elems) / 1e12);
      ok = FALSE;
      break;
    }
    if (plan.scratch_floats > plan.memory_limit / sizeof (float)) {
      artem_node_error (error, ARTEM_ERROR_SHAPE, n, "its scratch passes the memory limit");
      ok = FALSE;
      break;
    }
    if (all_const || n->def->shape_only) {
      for (int k = 0; k < n->n_out; k++)
        if (out[k]) {
          if ((gsize) artem_value_numel (out[k]) * artem_dtype_size (out[k]->dtype) >
              MIN (net->memory_limit, ARTEM_MAX_FOLDED_BYTES)) {
            artem_node_error (error, ARTEM_ERROR_SHAPE, n, "a folded constant of %" G_GINT64_FORMAT
                              " elements is beyond the limit", (gint64) artem_value_numel (out[k]));
            ok = FALSE;
            break;
          }
          out[k]->data = g_try_malloc0 (MAX (artem_value_numel (out[k]), 1) *
                                        artem_dtype_size (out[k]->dtype));
          if (!out[k]->data) {
            artem_node_error (error, ARTEM_ERROR_SHAPE, n, "cannot allocate a folded constant");
            ok = FALSE;
            break;
          }
          out[k]->owned = out[k]->is_const = TRUE;
        }
      if (!ok)
        break;
      float *tmp = plan.scratch_floats ? g_try_new (float, plan.scratch_floats) : NULL;
      if (plan.scratch_floats && !tmp) {
        artem_node_error (error, ARTEM_ERROR_SHAPE, n, "cannot allocate scratch");
        ok = FALSE;
        break;
      }
      n->def->run (n, in, out, tmp);
      g_free (tmp);
    } else {
      exec[n_exec++] = (int) (n - &g_array_index (net->nodes, ArtemNode, 0));
      scratch_max = MAX (scratch_max, plan.scratch_floats);
    }
  }
  if (!ok) {
    g_free (exec);
    artem_net_unplan (net);
    return FALSE;
  }
  /* Liveness. */
  for (guint i = 0; i < net->values->len; i++)
    VAL (net, i)->last_use = -1;
  for (int s = 0; s < n_exec; s++) {
    ArtemNode *n = &g_array_index (net->nodes, ArtemNode, exec[s]);
    for (int k = 0; k < n->n_in; k++)
      if (n->in[k] >= 0 && !VAL (net, n->in[k])->is_const)
        VAL (net, n->in[k])->last_use = s;
  }
  for (guint i = 0; i < net->outputs->len; i++)
    VAL (net, g_array_index (net->outputs, int, i))->last_use = INT_MAX;
  /* Slots: greedy best fit over the exec order. */
  GArray *slots = g_array_new (FALSE, TRUE, sizeof (ArtemSlot));
  GArray *owners = g_array_new (FALSE, TRUE, sizeof (int));
#define ASSIGN(VIDX)                                                                  \
  do {                                                                                \
    ArtemValue *av = VAL (net, (VIDX));                                               \
    gsize need = MAX (artem_value_numel (av), 1) * artem_dtype_size (av->dtype);      \
    need = (need + 63) & ~(gsize) 63;                                                 \
    int best = -1;                                                                    \
    for (guint si = 0; si < slots->len; si++) {                                       \
      int ow = g_array_index (owners, int, si);                                       \
      if (ow >= 0 && VAL (net, ow)->last_use >= cur_step)                             \
        continue;                                                                     \
      ArtemSlot *sl = &g_array_index (slots, ArtemSlot, si);                          \
      ArtemSlot *bs = best >= 0 ? &g_array_index (slots, ArtemSlot, best) : NULL;     \
      if (!bs || (sl->size >= need && (bs->size < need || sl->size < bs->size)) ||    \
          (bs->size < need && sl->size > bs->size))                                   \
        best = (int) si;                                                              \
    }                                                                                 \
    if (best < 0) {                                                                   \
      ArtemSlot ns = { 0 };                                                           \
      int none = -1;                                                                  \
      g_array_append_val (slots, ns);                                                 \
      g_array_append_val (owners, none);                                              \
      best = (int) slots->len - 1;                                                    \
    }                                                                                 \
    ArtemSlot *bsl = &g_array_index (slots, ArtemSlot, best);                         \
    bsl->size = MAX (bsl->size, need);                                                \
    g_array_index (owners, int, best) = (VIDX);                                       \
    av->slot = best;                                                                  \
  } while (0)
  int cur_step = -1;
  for (guint i = 0; i < net->inputs->len; i++) {
    int vi = g_array_index (net->inputs, int, i);
    if (!VAL (net, vi)->is_const) {
      if (VAL (net, vi)->last_use < 0)
        VAL (net, vi)->last_use = 0;
      ASSIGN (vi);
    }
  }
  for (int s = 0; s < n_exec; s++) {
    ArtemNode *n = &g_array_index (net->nodes, ArtemNode, exec[s]);
    cur_step = s;
    for (int k = 0; k < n->n_out; k++)
      if (n->out[k] >= 0) {
        if (VAL (net, n->out[k])->last_use < s)
          VAL (net, n->out[k])->last_use = s; /* dead output still needs a place */
        ASSIGN (n->out[k]);
      }
  }
#undef ASSIGN
  net->n_slots = slots->len;
  net->slots = (ArtemSlot *) g_array_free (slots, FALSE);
  g_array_free (owners, TRUE);
  const ArtemBackend *be = net->be;
  gboolean half = be->stores_half (net);
  gsize planned = be->cpu_kernels ? scratch_max * sizeof (float) : 0;   /* CPU scratch */
  planned += plan.priv_bytes;   /* the ops' index maps */
  for (guint i = 0; i < net->n_slots; i++)
    planned += half ? net->slots[i].size / 2 : net->slots[i].size;
  if (planned > net->memory_limit) {
    g_set_error (error, ARTEM_ERROR, ARTEM_ERROR_SHAPE,
                 "%s: this size needs %" G_GSIZE_FORMAT " MiB of activations, more than the "
                 "limit of %" G_GSIZE_FORMAT " MiB", net->path, planned >> 20,
                 net->memory_limit >> 20);
    g_free (exec);
    artem_net_unplan (net);
    return FALSE;
  }
  /* Argument arrays per step, so a run allocates nothing. */
  net->n_steps = n_exec;
  net->steps = exec;
  net->step_args = g_new0 (ArtemValue *, (gsize) MAX (n_exec, 1) * ARTEM_STEP_ARGS);
  for (int s = 0; s < n_exec; s++) {
    ArtemNode *n = artem_step_node (net, s);
    ArtemValue **args = artem_step_args (net, s);
    for (int k = 0; k < n->n_in; k++)
      args[k] = n->in[k] >= 0 ? VAL (net, n->in[k]) : NULL;
    for (int k = 0; k < n->n_out; k++)
      args[ARTEM_STEP_MAX_IN + k] = n->out[k] >= 0 ? VAL (net, n->out[k]) : NULL;
  }
  net->memory_bytes = planned;   /* the CPU counts what it allocates instead */
  GError *err = NULL;
  if (!be->plan (net, scratch_max, &err)) {
    artem_net_unplan (net);
    if (!artem_net_fall_back (net, err, error))
      return FALSE;
    return artem_net_reshape (net, shapes, consts, error);
  }
  net->cost = cost;
  net->sized = TRUE;
  return TRUE;
}

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

static ArtemNet *
net_new (const char *name)
{
  ArtemNet *net = g_new0 (ArtemNet, 1);
  net->path = g_strdup (name);
  net->values = g_array_new (FALSE, TRUE, sizeof (ArtemValue));
  net->value_index = g_hash_table_new (g_str_hash, g_str_equal);
  net->nodes = g_array_new (FALSE, TRUE, sizeof (ArtemNode));
  net->inputs = g_array_new (FALSE, FALSE, sizeof (int));
  net->outputs = g_array_new (FALSE, FALSE, sizeof (int));
  net->metadata = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  net->in_lo = 0.f; net->in_hi = 255.f; net->out_lo = 0.f; net->out_hi = 255.f;
  net->align = 1;
  net->frame_strength = 1.f;
  net->be = &artem_backend_cpu;   /* until the backend asked for opens (net_new_full) */
  net->memory_limit = ARTEM_DEFAULT_MEMORY_LIMIT;
  const char *mib = g_getenv ("ARTEM_MEMORY_LIMIT_MIB");
  if (mib && g_ascii_strtoull (mib, NULL, 10) > 0)
    net->memory_limit = (gsize) g_ascii_strtoull (mib, NULL, 10) << 20;
  net->cost_limit = ARTEM_DEFAULT_COST_LIMIT;
  const char *tflop = g_getenv ("ARTEM_MAX_TFLOP");
  if (tflop && g_ascii_strtod (tflop, NULL) > 0)
    net->cost_limit = g_ascii_strtod (tflop, NULL) * 1e12;
  net->profile = g_getenv ("ARTEM_PROFILE") != NULL;
  return net;
}

static gboolean
parse_range (const char *s, float *lo, float *hi)
{
  if (!s)
    return FALSE;
  char *end;
  double a = g_ascii_strtod (s, &end);
  if (end == s || *end != ',')
    return FALSE;
  const char *p = end + 1;
  double b = g_ascii_strtod (p, &end);
  if (end == p || a == b)
    return FALSE;
  *lo = (float) a;
  *hi = (float) b;
  return TRUE;
}

static ArtemNet *net_new_full (const void *data, gsize size, const char *name,
                               ArtemBackendKind backend, const char *only_output,
                               GError **error);

ArtemNet *
artem_net_new_from_data (const void *data, gsize size, const char *name,
                         ArtemBackendKind backend, GError **error)
{
  return net_new_full (data, size, name, backend, NULL, error);
}

static ArtemNet *
net_new_full (const void *data, gsize size, const char *name, ArtemBackendKind backend,
              const char *only_output, GError **error)
{
  if (!name)
    name = "(memory)";
  ArtemBackendKind requested = backend;
  if (backend == ARTEM_BACKEND_AUTO)
    backend = artem_backend_available (ARTEM_BACKEND_CUDA) ? ARTEM_BACKEND_CUDA
                                                           : ARTEM_BACKEND_CPU;
  if (!artem_backend_available (backend)) {
    g_set_error (error, ARTEM_ERROR, ARTEM_ERROR_BACKEND, "%s backend: %s",
                 artem_backend_name (backend), artem_backend_unavailable_reason (backend));
    return NULL;
  }
  artem_cpu_init ();
  if (size == 0) {
    g_set_error (error, ARTEM_ERROR, ARTEM_ERROR_PARSE, "%s: the file is empty", name);
    return NULL;
  }
  if (size > ARTEM_MAX_MODEL_BYTES) {
    g_set_error (error, ARTEM_ERROR, ARTEM_ERROR_PARSE,
                 "%s: %" G_GSIZE_FORMAT " bytes: an ONNX file is at most 2 GiB (protobuf's limit)",
                 name, size);
    return NULL;
  }
  ArtemNet *net = net_new (name);
  net->requested = requested;
  net->only_output = g_strdup (only_output);
  net->model = onnx__model_proto__unpack (NULL, size, data);
  if (!net->model) {
    g_set_error (error, ARTEM_ERROR, ARTEM_ERROR_PARSE,
                 "%s: not an ONNX model (the protobuf does not parse: truncated or corrupt)",
                 name);
    artem_net_free (net);
    return NULL;
  }
  GError *err = NULL;
  if (!load_graph (net, &err)) {
    if (!g_str_has_prefix (err->message, name))
      g_prefix_error (&err, "%s: ", name);
    g_propagate_error (error, err);
    artem_net_free (net);
    return NULL;
  }
  prune (net);
  fuse_relu (net);
  net->be = artem_backend_get (backend);
  if (!net->be->open (net, &err)) {
    if (net->requested != ARTEM_BACKEND_AUTO)
      g_prefix_error (&err, "%s: ", name);
    if (!artem_net_fall_back (net, err, error)) {
      artem_net_free (net);
      return NULL;
    }
  }
  parse_range (artem_net_get_metadata (net, "artem.input_range"), &net->in_lo, &net->in_hi);
  parse_range (artem_net_get_metadata (net, "artem.output_range"), &net->out_lo, &net->out_hi);
  return net;
}

const char *
artem_net_get_path (const ArtemNet *net)
{
  return net ? net->path : NULL;
}

ArtemNet *
artem_net_new_from_file (const char *path, ArtemBackendKind backend, GError **error)
{
  return artem_net_new_from_file_with_output (path, backend, NULL, error);
}

ArtemNet *
artem_net_new_from_file_with_output (const char *path, ArtemBackendKind backend,
                                     const char *output, GError **error)
{
  g_return_val_if_fail (path, NULL);
  GError *err = NULL;
  GMappedFile *mf = g_mapped_file_new (path, FALSE, &err);
  if (!mf) {
    g_set_error (error, ARTEM_ERROR, ARTEM_ERROR_IO, "%s: cannot read: %s", path, err->message);
    g_error_free (err);
    return NULL;
  }
  ArtemNet *net = net_new_full (g_mapped_file_get_contents (mf), g_mapped_file_get_length (mf),
                               path, backend, output, error);
  g_mapped_file_unref (mf);
  return net;
}

/* ARTEM_PROFILE=1: time per operator type, printed when the net is freed. */
static void
print_profile (ArtemNet *net)
{
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
gsize artem_net_get_device_memory_bytes (const ArtemNet *net) { return net->sized ? net->be->device_bytes ((ArtemNet *) net) : 0; }
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
void artem_net_set_memory_limit (ArtemNet *net, gsize bytes) { net->memory_limit = bytes ? bytes : ARTEM_DEFAULT_MEMORY_LIMIT; }
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
  int idx = value_lookup (net, name);
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

/* ---- binarization (XNOR-Net) ---- */

static gboolean
layer_selected (const char *layers, ArtemNode *n, guint index, guint count, int C, int M,
                int stride)
{
  if (!layers || !strcmp (layers, "inner"))
    return index > 0 && index + 1 < count;
  if (!strcmp (layers, "all"))
    return TRUE;
  if (!strcmp (layers, "residual"))
    return index > 0 && index + 1 < count && C == M && stride == 1;
  gchar **names = g_strsplit (layers, ",", -1);
  gboolean hit = FALSE;
  for (gchar **nm = names; *nm; nm++)
    if (!strcmp (g_strstrip (*nm), n->name))
      hit = TRUE;
  g_strfreev (names);
  return hit;
}

gboolean
artem_net_binarize (ArtemNet *net, ArtemBinarizeMode mode, const char *layers, guint flags,
                    GError **error)
{
  artem_net_unplan (net);
  GArray *convs = g_array_new (FALSE, FALSE, sizeof (int));
  for (guint s = 0; s < net->order->len; s++) {
    int i = g_array_index (net->order, int, s);
    ArtemNode *n = &g_array_index (net->nodes, ArtemNode, i);
    if (n->removed || (n->def->kind != ARTEM_OP_CONV && n->def->kind != ARTEM_OP_CONV_XNOR))
      continue;
    g_array_append_val (convs, i);
  }
  net->n_binarized = 0;
  gboolean named = layers && strcmp (layers, "all") && strcmp (layers, "inner") &&
                   strcmp (layers, "residual");
  for (guint k = 0; k < convs->len; k++) {
    ArtemNode *n = &g_array_index (net->nodes, ArtemNode, g_array_index (convs, int, k));
    g_clear_pointer ((ArtemBinaryWeights **) &n->bin, artem_binary_weights_free);
    n->def = &artem_op_conv;
    ArtemValue *w = n->n_in > 1 && n->in[1] >= 0 ? VAL (net, n->in[1]) : NULL;
    if (mode == ARTEM_BINARIZE_NONE || !w || !w->is_init || w->shape.ndim != 4 ||
        w->dtype != ARTEM_DTYPE_FLOAT)
      continue;
    int M = (int) w->shape.dims[0], C = (int) w->shape.dims[1];
    gint64 st[8] = { 1, 1 };
    artem_attr_ints (n, "strides", st, 8);
    if (!layer_selected (layers, n, k, convs->len, C, M, (int) MAX (st[0], st[1])))
      continue;
    if (w->shape.dims[2] * w->shape.dims[3] > 256) {
      g_set_error (error, ARTEM_ERROR, ARTEM_ERROR_UNSUPPORTED,
                   "node '%s': kernels above 256 taps cannot be binarized", n->name);
      g_array_free (convs, TRUE);
      return FALSE;
    }
    n->bin = artem_binary_weights_new (w->data, M, C, (int) w->shape.dims[2],
                                       (int) w->shape.dims[3], mode,
                                       !(flags & ARTEM_BINARIZE_FLAG_NO_ACTIVATION_SCALE));
    if (mode == ARTEM_BINARIZE_XNOR)
      n->def = &artem_op_conv_xnor;
    net->n_binarized++;
  }
  g_array_free (convs, TRUE);
  if (named && net->n_binarized == 0 && mode != ARTEM_BINARIZE_NONE) {
    g_set_error (error, ARTEM_ERROR, ARTEM_ERROR_ARGUMENT,
                 "%s: no convolution named in '%s'", net->path, layers);
    return FALSE;
  }
  return TRUE;
}

guint
artem_net_get_n_binarized (const ArtemNet *net)
{
  return net->n_binarized;
}

void
artem_net_get_weight_bytes (const ArtemNet *net, gsize *float_bytes, gsize *packed_bytes)
{
  gsize f = 0, p = 0;
  for (guint i = 0; i < net->values->len; i++) {
    ArtemValue *v = VAL (net, i);
    if (v->is_init)
      f += artem_value_numel (v) * artem_dtype_size (v->dtype);
  }
  p = f;
  for (guint i = 0; i < net->nodes->len; i++) {
    ArtemNode *n = &g_array_index (net->nodes, ArtemNode, i);
    ArtemBinaryWeights *b = n->bin;
    if (!b)
      continue;
    gsize taps = (gsize) b->KH * b->KW;
    p -= (gsize) b->M * b->C * taps * sizeof (float);
    p += (gsize) b->M * taps * ((b->C + 7) / 8) + b->M * sizeof (float);
  }
  if (float_bytes) *float_bytes = f;
  if (packed_bytes) *packed_bytes = p;
}

/* ---- saving a binarized model ---- */

gboolean
artem_net_save_binarized (ArtemNet *net, const char *path, GError **error)
{
  Onnx__ModelProto m = *net->model;
  Onnx__GraphProto g = *net->model->graph;
  m.graph = &g;
  guint nn = g.n_node;
  Onnx__NodeProto **nodes = g_new0 (Onnx__NodeProto *, MAX (nn, 1));
  GPtrArray *inits = g_ptr_array_new ();
  GPtrArray *owned = g_ptr_array_new_with_free_func (g_free);
  GHashTable *dropped = g_hash_table_new (g_str_hash, g_str_equal);
  /* domain ai.artem in the opset list */
  Onnx__OperatorSetIdProto artem_opset = ONNX__OPERATOR_SET_ID_PROTO__INIT;
  artem_opset.domain = (char *) ARTEM_OP_DOMAIN;
  artem_opset.has_version = TRUE;
  artem_opset.version = 1;
  Onnx__OperatorSetIdProto **opsets = g_new0 (Onnx__OperatorSetIdProto *, m.n_opset_import + 1);
  gboolean has_artem = FALSE;
  for (size_t i = 0; i < m.n_opset_import; i++) {
    opsets[i] = m.opset_import[i];
    if (opsets[i]->domain && !strcmp (opsets[i]->domain, ARTEM_OP_DOMAIN))
      has_artem = TRUE;
  }
  if (!has_artem)
    opsets[m.n_opset_import++] = &artem_opset;
  m.opset_import = opsets;
  GHashTable *node_of = g_hash_table_new (NULL, NULL);   /* proto -> ArtemNode */
  for (guint k = 0; k < net->nodes->len; k++) {
    ArtemNode *an = &g_array_index (net->nodes, ArtemNode, k);
    g_hash_table_insert (node_of, an->proto, an);
  }
  for (size_t i = 0; i < nn; i++) {
    Onnx__NodeProto *np = net->model->graph->node[i];
    nodes[i] = np;
    ArtemNode *an = g_hash_table_lookup (node_of, np);   /* NULL for Constant nodes */
    if (!an || !an->bin || !np->op_type || strcmp (np->op_type, "Conv"))
      continue;
    ArtemBinaryWeights *b = an->bin;
    int taps = b->KH * b->KW, cb = (b->C + 7) / 8;
    gsize nbytes = (gsize) b->M * taps * cb;
    guint8 *bytes = g_malloc0 (MAX (nbytes, 1));
    for (int mm = 0; mm < b->M; mm++)
      for (int t = 0; t < taps; t++)
        for (int c = 0; c < b->C; c++)
          if ((b->wbits[((gsize) t * b->CW + c / 64) * b->MP + mm] >> (c % 64)) & 1)
            bytes[((gsize) mm * taps + t) * cb + c / 8] |= 1 << (c % 8);
    g_ptr_array_add (owned, bytes);
    Onnx__TensorProto *tb = g_new (Onnx__TensorProto, 1), *ta = g_new (Onnx__TensorProto, 1);
    onnx__tensor_proto__init (tb);
    onnx__tensor_proto__init (ta);
    g_ptr_array_add (owned, tb);
    g_ptr_array_add (owned, ta);
    int64_t *bd = g_new (int64_t, 4), *ad = g_new (int64_t, 1);
    g_ptr_array_add (owned, bd);
    g_ptr_array_add (owned, ad);
    bd[0] = b->M; bd[1] = b->KH; bd[2] = b->KW; bd[3] = cb;
    ad[0] = b->M;
    char *bname = g_strdup_printf ("%s.bits", np->input[1]), *aname = g_strdup_printf ("%s.alpha", np->input[1]);
    g_ptr_array_add (owned, bname);
    g_ptr_array_add (owned, aname);
    tb->name = bname; tb->has_data_type = TRUE; tb->data_type = ONNX__TENSOR_PROTO__DATA_TYPE__UINT8;
    tb->n_dims = 4; tb->dims = bd; tb->has_raw_data = TRUE; tb->raw_data.len = nbytes; tb->raw_data.data = bytes;
    ta->name = aname; ta->has_data_type = TRUE; ta->data_type = ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT;
    ta->n_dims = 1; ta->dims = ad; ta->has_raw_data = TRUE; ta->raw_data.len = b->M * sizeof (float);
    ta->raw_data.data = (uint8_t *) b->alpha;
    g_ptr_array_add (inits, tb);
    g_ptr_array_add (inits, ta);
    g_hash_table_add (dropped, np->input[1]);
    /* the node: BinaryConv (X, bits, alpha[, B]) with mode, act_scale, channels */
    Onnx__NodeProto *nn2 = g_new (Onnx__NodeProto, 1);
    *nn2 = *np;
    g_ptr_array_add (owned, nn2);
    nn2->op_type = (char *) "BinaryConv";
    nn2->domain = (char *) ARTEM_OP_DOMAIN;
    char **ins = g_new0 (char *, 4);
    g_ptr_array_add (owned, ins);
    ins[0] = np->input[0]; ins[1] = bname; ins[2] = aname;
    if (np->n_input > 2)
      ins[3] = np->input[2];
    nn2->input = ins;
    nn2->n_input = np->n_input > 2 ? 4 : 3;
    Onnx__AttributeProto **attrs = g_new0 (Onnx__AttributeProto *, np->n_attribute + 3);
    g_ptr_array_add (owned, attrs);
    for (size_t a = 0; a < np->n_attribute; a++)
      attrs[a] = np->attribute[a];
    const char *names[3] = { "mode", "act_scale", "channels" };
    int64_t vals[3] = { b->mode, b->act_scale, b->C };
    for (int a = 0; a < 3; a++) {
      Onnx__AttributeProto *at = g_new (Onnx__AttributeProto, 1);
      onnx__attribute_proto__init (at);
      g_ptr_array_add (owned, at);
      at->name = (char *) names[a];
      at->has_type = TRUE;
      at->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT;
      at->has_i = TRUE;
      at->i = vals[a];
      attrs[np->n_attribute + a] = at;
    }
    nn2->attribute = attrs;
    nn2->n_attribute = np->n_attribute + 3;
    nodes[i] = nn2;
  }
  /* float weights no other node reads are dropped */
  for (size_t i = 0; i < nn; i++)
    for (size_t j = 0; j < nodes[i]->n_input; j++)
      if (nodes[i]->input[j] && g_hash_table_contains (dropped, nodes[i]->input[j]) &&
          strcmp (nodes[i]->op_type, "BinaryConv"))
        g_hash_table_remove (dropped, nodes[i]->input[j]);
  for (size_t i = 0; i < net->model->graph->n_initializer; i++) {
    Onnx__TensorProto *t = net->model->graph->initializer[i];
    if (!t->name || !g_hash_table_contains (dropped, t->name))
      g_ptr_array_add (inits, t);
  }
  g.node = nodes;
  g.n_initializer = inits->len;
  g.initializer = (Onnx__TensorProto **) inits->pdata;
  gsize len = onnx__model_proto__get_packed_size (&m);
  guint8 *buf = g_malloc (len);
  onnx__model_proto__pack (&m, buf);
  gboolean ok = g_file_set_contents (path, (const char *) buf, len, error);
  g_free (buf);
  g_free (nodes);
  g_free (opsets);
  g_ptr_array_free (inits, TRUE);
  g_ptr_array_free (owned, TRUE);
  g_hash_table_destroy (dropped);
  g_hash_table_destroy (node_of);
  return ok;
}
