/* plan.c — sizing a net for its input shapes: each op's prepare (shapes, node->params,
 * the CPU's kernels), constant folding, the cost and memory budgets, liveness and memory
 * slots, then the backend's own plan (backend.h).  Also the helpers the ops' prepare uses
 * to fail with the node's name. */
#include "backend.h"
#include "cpu/conv.h"   /* artem_dnnl_available: whether the CPU plans NHWC layouts */
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
    v->nhwc = v->bf16 = FALSE;
    v->shape.ndim = 0;
  }
  for (guint i = 0; i < net->nodes->len; i++) {
    ArtemNode *n = NODE (net, i);
    if (n->priv && n->priv_clear)
      n->priv_clear (n->priv);
    n->priv_clear = NULL;
    g_clear_pointer (&n->priv, g_free);
    memset (&n->params, 0, sizeof n->params);
    memset (&n->write_into, 0, sizeof n->write_into);
    n->border_only = n->skip = FALSE;
  }
  g_clear_pointer (&net->slots, g_free);
  net->n_slots = 0;
  g_clear_pointer (&net->steps, g_free);
  g_clear_pointer (&net->step_args, g_free);
  net->n_steps = 0;
  net->memory_bytes = 0;
  net->sized = FALSE;
}

/* the inputs' shapes, and the values of those given as constants */
static gboolean
set_inputs (ArtemNet *net, const ArtemShape *shapes, const void *const *consts, GError **error)
{
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
  return TRUE;
}

/* a node whose inputs are all known: its outputs computed now, as constants */
static gboolean
fold_node (ArtemNet *net, ArtemNode *n, ArtemValue **in, ArtemValue **out, gsize scratch_floats,
           GError **error)
{
  for (int k = 0; k < n->n_out; k++) {
    if (!out[k])
      continue;
    if ((gsize) artem_value_numel (out[k]) * artem_dtype_size (out[k]->dtype) >
        MIN (net->memory_limit, ARTEM_MAX_FOLDED_BYTES)) {
      artem_node_error (error, ARTEM_ERROR_SHAPE, n, "a folded constant of %" G_GINT64_FORMAT
                        " elements is beyond the limit", (gint64) artem_value_numel (out[k]));
      return FALSE;
    }
    out[k]->data = g_try_malloc0 (MAX (artem_value_numel (out[k]), 1) *
                                  artem_dtype_size (out[k]->dtype));
    if (!out[k]->data) {
      artem_node_error (error, ARTEM_ERROR_SHAPE, n, "cannot allocate a folded constant");
      return FALSE;
    }
    out[k]->owned = out[k]->is_const = TRUE;
  }
  float *tmp = scratch_floats ? g_try_new (float, scratch_floats) : NULL;
  if (scratch_floats && !tmp) {
    artem_node_error (error, ARTEM_ERROR_SHAPE, n, "cannot allocate scratch");
    return FALSE;
  }
  n->def->run (n, in, out, tmp);
  g_free (tmp);
  return TRUE;
}

/* What the ops' prepare reports, over the whole net. */
typedef struct {
  ArtemPlan plan;
  int *exec;            /* the steps: nodes that run (not folded), in order */
  int n_exec;
  gsize scratch_max;
  double cost;
} PlanState;

/* the node's input and output values */
static void
node_values (ArtemNet *net, ArtemNode *n, ArtemValue **in, ArtemValue **out)
{
  for (int k = 0; k < n->n_in; k++)
    in[k] = n->in[k] >= 0 ? VAL (net, n->in[k]) : NULL;
  for (int k = 0; k < n->n_out; k++)
    out[k] = n->out[k] >= 0 ? VAL (net, n->out[k]) : NULL;
}

/* A Pad with a nearest Resize folded in front (artem_pass_fuse_gathers): the Resize is
 * prepared first (its output value gets a shape, never data), the Pad on that value,
 * and then the Pad's maps are composed with the Resize's, so that the step reads the
 * Resize's input (n->in[0]) directly: out[..o..] = in[..rmap[pmap[o]]..]. */
static gboolean
prepare_fused_gather (ArtemNet *net, ArtemNode *n, ArtemValue **in, ArtemValue **out,
                      ArtemPlan *plan, GError **error)
{
  ArtemNode *rs = NODE (net, n->fused_gather - 1);
  ArtemValue *rin[ARTEM_STEP_MAX_IN] = { NULL }, *rout[ARTEM_STEP_MAX_OUT] = { NULL };
  node_values (net, rs, rin, rout);
  rout[0]->nhwc = rin[0]->nhwc;   /* the layout the Pad sees: its real input's */
  if (!rs->def->prepare (rs, rin, rout, plan, error))
    return FALSE;
  ArtemValue *pin[ARTEM_STEP_MAX_IN];
  memcpy (pin, in, sizeof pin);
  pin[0] = rout[0];
  if (!n->def->prepare (n, pin, out, plan, error))
    return FALSE;
  /* the gathers' maps, owned by the nodes' priv (prepare just made them) */
  ArtemGatherMaps *pm = (ArtemGatherMaps *) n->params.gather;
  const ArtemGatherMaps *rm = rs->params.gather;
  if (!pm || !rm) {
    artem_node_error (error, ARTEM_ERROR_SHAPE, n, "cannot fold '%s' into it", rs->name);
    return FALSE;
  }
  for (int d = 0; d < out[0]->shape.ndim; d++)
    for (int64_t o = 0; o < out[0]->shape.dims[d]; o++)
      if (pm->maps[d][o] >= 0)
        pm->maps[d][o] = rm->maps[d][pm->maps[d][o]];
  return TRUE;
}

/* one node's prepare: its outputs' shapes, the budgets, then folded or made a step */
static gboolean
prepare_node (ArtemNet *net, ArtemNode *n, PlanState *ps, GError **error)
{
  ArtemValue *in[ARTEM_STEP_MAX_IN] = { NULL }, *out[ARTEM_STEP_MAX_OUT] = { NULL };
  node_values (net, n, in, out);
  gboolean all_const = TRUE;
  for (int k = 0; k < n->n_in; k++)
    if (in[k] && !in[k]->is_const)
      all_const = FALSE;
  ArtemPlan *plan = &ps->plan;
  plan->scratch_floats = 0;
  plan->cost = 0;
  if (!(n->fused_gather ? prepare_fused_gather (net, n, in, out, plan, error)
                        : n->def->prepare (n, in, out, plan, error))) {
    if (error && !*error)   /* every failure names its node, even an op's oversight */
      artem_node_error (error, ARTEM_ERROR_SHAPE, n, "cannot be planned for this size");
    return FALSE;
  }
  double elems = 0;
  for (int k = 0; k < n->n_out; k++) {
    if (!out[k])
      continue;
    if (!artem_plan_check_tensor (n, plan, &out[k]->shape, out[k]->dtype, error))
      return FALSE;
    elems += (double) artem_value_numel (out[k]);
  }
  /* the cost budget: work per frame, counted node by node */
  ps->cost += MAX (plan->cost, elems);
  if (ps->cost > net->cost_limit) {
    artem_node_error (error, ARTEM_ERROR_SHAPE, n, "the model's work per frame passes the "
                      "cost budget of %.3g TFLOP here (this node alone: %.3g TFLOP; "
                      "artem_net_set_cost_limit or ARTEM_MAX_TFLOP raise it)",
                      net->cost_limit / 1e12, MAX (plan->cost, elems) / 1e12);
    return FALSE;
  }
  if (plan->scratch_floats > plan->memory_limit / sizeof (float)) {
    artem_node_error (error, ARTEM_ERROR_SHAPE, n, "its scratch passes the memory limit");
    return FALSE;
  }
  if (all_const || n->def->shape_only)
    return fold_node (net, n, in, out, plan->scratch_floats, error);
  ps->exec[ps->n_exec++] = (int) (n - &g_array_index (net->nodes, ArtemNode, 0));
  ps->scratch_max = MAX (ps->scratch_max, plan->scratch_floats);
  return TRUE;
}

/* each value's last reader among the steps (graph outputs live to the end) */
static void
plan_liveness (ArtemNet *net, const int *exec, int n_exec)
{
  for (guint i = 0; i < net->values->len; i++)
    VAL (net, i)->last_use = -1;
  for (int s = 0; s < n_exec; s++) {
    ArtemNode *n = NODE (net, exec[s]);
    for (int k = 0; k < n->n_in; k++)
      if (n->in[k] >= 0 && !VAL (net, n->in[k])->is_const)
        VAL (net, n->in[k])->last_use = s;
  }
  for (guint i = 0; i < net->outputs->len; i++)
    VAL (net, g_array_index (net->outputs, int, i))->last_use = INT_MAX;
}

/* value @vi into the best-fitting slot free at step @cur (owners: the value in each) */
static void
assign_slot (ArtemNet *net, GArray *slots, GArray *owners, int vi, int cur)
{
  ArtemValue *av = VAL (net, vi);
  gsize need = MAX (artem_value_numel (av), 1) * artem_dtype_size (av->dtype);
  need = (need + 63) & ~(gsize) 63;
  int best = -1;
  for (guint si = 0; si < slots->len; si++) {
    int ow = g_array_index (owners, int, si);
    if (ow >= 0 && VAL (net, ow)->last_use >= cur)
      continue;
    ArtemSlot *sl = &g_array_index (slots, ArtemSlot, si);
    ArtemSlot *bs = best >= 0 ? &g_array_index (slots, ArtemSlot, best) : NULL;
    if (!bs || (sl->size >= need && (bs->size < need || sl->size < bs->size)) ||
        (bs->size < need && sl->size > bs->size))
      best = (int) si;
  }
  if (best < 0) {
    ArtemSlot ns = { 0 };
    int none = -1;
    g_array_append_val (slots, ns);
    g_array_append_val (owners, none);
    best = (int) slots->len - 1;
  }
  ArtemSlot *bsl = &g_array_index (slots, ArtemSlot, best);
  bsl->size = MAX (bsl->size, need);
  g_array_index (owners, int, best) = vi;
  av->slot = best;
}

/* Slots: greedy best fit over the steps, inputs first. */
static void
plan_slots (ArtemNet *net, const int *exec, int n_exec)
{
  GArray *slots = g_array_new (FALSE, TRUE, sizeof (ArtemSlot));
  GArray *owners = g_array_new (FALSE, TRUE, sizeof (int));
  for (guint i = 0; i < net->inputs->len; i++) {
    int vi = g_array_index (net->inputs, int, i);
    if (!VAL (net, vi)->is_const) {
      if (VAL (net, vi)->last_use < 0)
        VAL (net, vi)->last_use = 0;
      assign_slot (net, slots, owners, vi, -1);
    }
  }
  for (int s = 0; s < n_exec; s++) {
    ArtemNode *n = NODE (net, exec[s]);
    for (int k = 0; k < n->n_out; k++)
      if (n->out[k] >= 0) {
        if (VAL (net, n->out[k])->last_use < s)
          VAL (net, n->out[k])->last_use = s; /* dead output still needs a place */
        assign_slot (net, slots, owners, n->out[k], s);
      }
  }
  net->n_slots = slots->len;
  net->slots = (ArtemSlot *) g_array_free (slots, FALSE);
  g_array_free (owners, TRUE);
}

/* the bytes the plan needs (activations as the backend stores them, CPU scratch, the ops'
 * index maps), checked against the net's memory limit */
static gboolean
plan_memory (ArtemNet *net, const PlanState *ps, gsize *planned, GError **error)
{
  gboolean half = net->be->stores_half (net);
  *planned = net->be->cpu_kernels ? ps->scratch_max * sizeof (float) : 0;
  *planned += ps->plan.priv_bytes;
  for (guint i = 0; i < net->n_slots; i++)
    *planned += half ? net->slots[i].size / 2 : net->slots[i].size;
  if (*planned <= net->memory_limit)
    return TRUE;
  g_set_error (error, ARTEM_ERROR, ARTEM_ERROR_SHAPE,
               "%s: this size needs %" G_GSIZE_FORMAT " MiB of activations, more than the "
               "limit of %" G_GSIZE_FORMAT " MiB", net->path, *planned >> 20,
               net->memory_limit >> 20);
  return FALSE;
}

/* the steps and their argument arrays, so that a run allocates nothing (takes @exec) */
static void
plan_steps (ArtemNet *net, int *exec, int n_exec)
{
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
}

gboolean
artem_net_reshape (ArtemNet *net, const ArtemShape *shapes, const void *const *consts,
                   GError **error)
{
  g_return_val_if_fail (net && (shapes || net->inputs->len == 0), FALSE);
  artem_net_unplan (net);
  if (!set_inputs (net, shapes, consts, error))
    return FALSE;
  guint nn = net->order->len;
  PlanState ps;
  memset (&ps, 0, sizeof ps);
  ps.exec = g_new (int, MAX (nn, 1));
  ps.plan.n_threads = artem_cpu_threads ();
  ps.plan.memory_limit = net->memory_limit;
  ps.plan.cpu_kernels = net->be->cpu_kernels;
  ps.plan.bf16 = net->cpu_bf16 = ps.plan.cpu_kernels && artem_cpu_wants_bf16 (net->precision);
  ps.plan.init_serial = &net->init_serial;
  if (ps.plan.cpu_kernels && artem_dnnl_available ())
    artem_plan_layouts (net);   /* the activations kept NHWC between convolutions */
  gboolean ok = TRUE;
  for (guint s = 0; s < nn && ok; s++) {
    ArtemNode *n = NODE (net, g_array_index (net->order, int, s));
    ok = n->removed || prepare_node (net, n, &ps, error);
  }
  gsize planned = 0;
  if (ok) {
    plan_liveness (net, ps.exec, ps.n_exec);
    if (ps.plan.cpu_kernels) {
      artem_cpu_plan_pad_into (net, ps.exec, ps.n_exec);
      artem_cpu_plan_bf16_handoff (net, ps.exec, ps.n_exec, &ps.scratch_max);
    }
    plan_slots (net, ps.exec, ps.n_exec);
    ok = plan_memory (net, &ps, &planned, error);
  }
  if (!ok) {
    g_free (ps.exec);
    artem_net_unplan (net);
    return FALSE;
  }
  plan_steps (net, ps.exec, ps.n_exec);
  net->memory_bytes = planned;   /* the CPU counts what it allocates instead */
  GError *err = NULL;
  if (!net->be->plan (net, ps.scratch_max, &err)) {
    artem_net_unplan (net);
    if (!artem_net_fall_back (net, err, error))
      return FALSE;
    return artem_net_reshape (net, shapes, consts, error);
  }
  net->cost = ps.cost;
  net->sized = TRUE;
  return TRUE;
}
