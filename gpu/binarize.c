/* binarize.c — XNOR-Net binarization (Rastegari et al. 2016) of a loaded net's
 * convolutions, its weight sizes, and saving the binarized model as ONNX (ai.artem
 * BinaryConv). */
#include "net-private.h"
#include "binary.h"

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

/* a new tensor proto of @dtype and @ndim dims, its storage in @owned */
static Onnx__TensorProto *
tensor_new (GPtrArray *owned, char *name, int dtype, const int64_t *dims, int ndim,
            const void *data, gsize len)
{
  Onnx__TensorProto *t = g_new (Onnx__TensorProto, 1);
  onnx__tensor_proto__init (t);
  int64_t *d = g_memdup2 (dims, ndim * sizeof (int64_t));
  g_ptr_array_add (owned, t);
  g_ptr_array_add (owned, d);
  t->name = name;
  t->has_data_type = TRUE;
  t->data_type = dtype;
  t->n_dims = ndim;
  t->dims = d;
  t->has_raw_data = TRUE;
  t->raw_data.len = len;
  t->raw_data.data = (uint8_t *) data;
  return t;
}

/* the saved form of @b's weights: bits [M][KH][KW][ceil(C/8)] (bit set = negative, LSB =
 * lowest channel), a uint8 tensor named @name */
static Onnx__TensorProto *
bits_tensor (const ArtemBinaryWeights *b, char *name, GPtrArray *owned)
{
  int taps = b->KH * b->KW, cb = (b->C + 7) / 8;
  gsize nbytes = (gsize) b->M * taps * cb;
  guint8 *bytes = g_malloc0 (MAX (nbytes, 1));
  for (int mm = 0; mm < b->M; mm++)
    for (int t = 0; t < taps; t++)
      for (int c = 0; c < b->C; c++)
        if ((b->wbits[((gsize) t * b->CW + c / 64) * b->MP + mm] >> (c % 64)) & 1)
          bytes[((gsize) mm * taps + t) * cb + c / 8] |= 1 << (c % 8);
  g_ptr_array_add (owned, bytes);
  int64_t dims[4] = { b->M, b->KH, b->KW, cb };
  return tensor_new (owned, name, ONNX__TENSOR_PROTO__DATA_TYPE__UINT8, dims, 4, bytes, nbytes);
}

/* @np as BinaryConv (X, bits, alpha[, B]) with mode, act_scale and channels */
static Onnx__NodeProto *
binary_conv_node (const Onnx__NodeProto *np, const ArtemBinaryWeights *b, char *bname,
                  char *aname, GPtrArray *owned)
{
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
  return nn2;
}

/* the model's opsets, with domain ai.artem (version 1) added where missing */
static Onnx__OperatorSetIdProto **
opsets_with_artem (const Onnx__ModelProto *m, size_t *n, Onnx__OperatorSetIdProto *artem)
{
  onnx__operator_set_id_proto__init (artem);
  artem->domain = (char *) ARTEM_OP_DOMAIN;
  artem->has_version = TRUE;
  artem->version = 1;
  Onnx__OperatorSetIdProto **opsets = g_new0 (Onnx__OperatorSetIdProto *, m->n_opset_import + 1);
  gboolean has_artem = FALSE;
  *n = m->n_opset_import;
  for (size_t i = 0; i < m->n_opset_import; i++) {
    opsets[i] = m->opset_import[i];
    if (opsets[i]->domain && !strcmp (opsets[i]->domain, ARTEM_OP_DOMAIN))
      has_artem = TRUE;
  }
  if (!has_artem)
    opsets[(*n)++] = artem;
  return opsets;
}

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
  Onnx__OperatorSetIdProto artem_opset;
  Onnx__OperatorSetIdProto **opsets = opsets_with_artem (&m, &m.n_opset_import, &artem_opset);
  m.opset_import = opsets;
  GHashTable *node_of = g_hash_table_new (NULL, NULL);   /* proto -> ArtemNode */
  for (guint k = 0; k < net->nodes->len; k++)
    g_hash_table_insert (node_of, NODE (net, k)->proto, NODE (net, k));
  for (size_t i = 0; i < nn; i++) {
    Onnx__NodeProto *np = net->model->graph->node[i];
    nodes[i] = np;
    ArtemNode *an = g_hash_table_lookup (node_of, np);   /* NULL for Constant nodes */
    if (!an || !an->bin || !np->op_type || strcmp (np->op_type, "Conv"))
      continue;
    ArtemBinaryWeights *b = an->bin;
    char *bname = g_strdup_printf ("%s.bits", np->input[1]);
    char *aname = g_strdup_printf ("%s.alpha", np->input[1]);
    g_ptr_array_add (owned, bname);
    g_ptr_array_add (owned, aname);
    int64_t adim = b->M;
    g_ptr_array_add (inits, bits_tensor (b, bname, owned));
    g_ptr_array_add (inits, tensor_new (owned, aname, ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, &adim,
                                        1, b->alpha, b->M * sizeof (float)));
    g_hash_table_add (dropped, np->input[1]);
    nodes[i] = binary_conv_node (np, b, bname, aname, owned);
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
