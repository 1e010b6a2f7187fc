/* import.c — ONNX (protobuf-c) to an ArtemNet: values, initializers and nodes, linked by
 * name and validated; the net's creation from a file or memory, on the backend asked for. */
#include "backend.h"
#include "binary.h"
#include <errno.h>

int
artem_net_value_lookup (ArtemNet *net, const char *name)
{
  gpointer idx;
  if (name && g_hash_table_lookup_extended (net->value_index, name, NULL, &idx))
    return GPOINTER_TO_INT (idx);
  return -1;
}

static int
value_add (ArtemNet *net, const char *name, GError **error)
{
  if (artem_net_value_lookup (net, name) >= 0) {
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

/* the opset, the model's size and its metadata */
static gboolean
load_header (ArtemNet *net, GError **error)
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
  return TRUE;
}

/* initializers, and the inputs a run fills */
static gboolean
load_values (ArtemNet *net, GError **error)
{
  Onnx__GraphProto *g = net->model->graph;
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
    if (!vi->name || artem_net_value_lookup (net, vi->name) >= 0)
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
  return TRUE;
}

/* Constant nodes become initializers; the others become ArtemNodes. */
static gboolean
load_nodes (ArtemNet *net, GError **error)
{
  Onnx__GraphProto *g = net->model->graph;
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
  return ok;
}

/* each node's outputs, then its inputs, by name */
static gboolean
link_nodes (ArtemNet *net, GError **error)
{
  gboolean ok = TRUE;
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
      n->in[k] = artem_net_value_lookup (net, iname);
      if (n->in[k] < 0) {
        g_set_error (error, ARTEM_ERROR, ARTEM_ERROR_INVALID_MODEL,
                     "node '%s': input '%s' is not defined (no initializer, graph input or node "
                     "output has that name)", n->name, iname);
        return FALSE;
      }
    }
  }
  return TRUE;
}

static gboolean
unpack_binary_convs (ArtemNet *net, GError **error)
{
  guint nn = net->nodes->len;
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
  return TRUE;
}

/* every node's attributes; the graph outputs: the model's, or the one value asked for */
static gboolean
load_outputs (ArtemNet *net, GError **error)
{
  Onnx__GraphProto *g = net->model->graph;
  guint nn = net->nodes->len;
  /* Attributes of every node, checked at load. */
  for (guint i = 0; i < nn; i++) {
    ArtemNode *n = &g_array_index (net->nodes, ArtemNode, i);
    if (n->def->check && !n->def->check (n, error))
      return FALSE;
  }
  /* Graph outputs: the model's, or the one value the caller asked for. */
  if (net->only_output) {
    int idx = artem_net_value_lookup (net, net->only_output);
    if (idx < 0) {
      g_set_error (error, ARTEM_ERROR, ARTEM_ERROR_ARGUMENT, "%s: no value named '%s'",
                   net->path, net->only_output);
      return FALSE;
    }
    g_array_append_val (net->outputs, idx);
  
  }
  for (size_t i = 0; i < g->n_output; i++) {
    int idx = artem_net_value_lookup (net, g->output[i]->name);
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

static gboolean
load_graph (ArtemNet *net, GError **error)
{
  return load_header (net, error) && load_values (net, error) && load_nodes (net, error) &&
         link_nodes (net, error) && artem_pass_order (net, error) &&
         unpack_binary_convs (net, error) && load_outputs (net, error);
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
  artem_pass_prune (net);
  artem_pass_fuse_relu (net);
  artem_pass_fuse_gathers (net);
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
