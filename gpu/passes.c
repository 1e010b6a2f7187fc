/* passes.c — graph passes after import: pruning to the outputs asked for, fusing a
 * Relu into the node that produces its input, and a nearest Resize into the Pad that
 * reads it. */
#include "net-private.h"

/* Removes the nodes no graph output depends on (a sub-network asked for by name). */
void
artem_pass_prune (ArtemNet *net)
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

/* the readers of each value among the nodes left (a graph output counts as
 * ARTEM_OUTPUT_READERS more) */
static int *
count_uses (ArtemNet *net)
{
  int *uses = g_new0 (int, net->values->len);
  for (guint i = 0; i < net->nodes->len; i++) {
    ArtemNode *n = &g_array_index (net->nodes, ArtemNode, i);
    for (int k = 0; k < n->n_in && !n->removed; k++)
      if (n->in[k] >= 0)
        uses[n->in[k]]++;
  }
  for (guint i = 0; i < net->outputs->len; i++)
    uses[g_array_index (net->outputs, int, i)] += ARTEM_OUTPUT_READERS;
  return uses;
}

/* Folds a Relu into the node producing its input when nothing else reads that value. */
void
artem_pass_fuse_relu (ArtemNet *net)
{
  guint nn = net->nodes->len;
  int *uses = count_uses (net);
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

/* Folds a nearest Resize / Upsample into the Pad that alone reads it (a style network's
 * upsampling layer: upsample, then reflection-pad for the next convolution): the Pad
 * then reads the Resize's input through the composition of both gathers' index maps
 * (plan.c composes them once sized), so the upsampled frame is never written.  Not for
 * tf_crop_and_resize, whose extrapolated pixels would need a second fill value. */
void
artem_pass_fuse_gathers (ArtemNet *net)
{
  if (g_getenv ("ARTEM_NO_GATHER_FUSION"))
    return;
  int *uses = count_uses (net);
  for (guint i = 0; i < net->nodes->len; i++) {
    ArtemNode *p = &g_array_index (net->nodes, ArtemNode, i);
    if (p->removed || p->def->kind != ARTEM_OP_PAD || p->n_in < 1 || p->in[0] < 0 ||
        p->fused_gather)
      continue;
    int v = p->in[0], r = VAL (net, v)->producer;
    if (r < 0 || uses[v] != 1)
      continue;
    ArtemNode *rs = &g_array_index (net->nodes, ArtemNode, r);
    if ((rs->def->kind != ARTEM_OP_RESIZE && rs->def->kind != ARTEM_OP_UPSAMPLE) ||
        rs->removed || rs->n_out != 1 || rs->n_in < 1 || rs->in[0] < 0 ||
        artem_resize_is_linear (rs) ||
        !strcmp (artem_attr_string (rs, "coordinate_transformation_mode", ""),
                 "tf_crop_and_resize"))
      continue;
    p->fused_gather = r + 1;
    p->in[0] = rs->in[0];
    rs->removed = TRUE;   /* the Pad now reads rs's input instead: the counts stand */
  }
  g_free (uses);
}

/* net->order: the nodes in topological order (Kahn, linear in nodes + edges); a cycle
 * leaves nodes unplaced and fails naming one of them */
gboolean
artem_pass_order (ArtemNet *net, GError **error)
{
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
  return TRUE;
}
