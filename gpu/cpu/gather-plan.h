/* gather-plan.h — per-dimension index maps shared by Pad, Slice, Resize and Expand. */
#ifndef ARTEM_GATHER_PLAN_H
#define ARTEM_GATHER_PLAN_H
#include "../artem-private.h"

/* the maps (op-params.h), owned by node->priv and seen by every backend through
 * node->params.gather */
typedef ArtemGatherMaps GatherPlan;

/* NULL (error set, naming the node) when the output or the maps would pass the plan's
 * memory limit; checked before anything is allocated */
GatherPlan *artem_gather_plan_new (ArtemNode *n, ArtemPlan *plan, const ArtemShape *out,
                                   ArtemDType dtype, GError **error);
void artem_gather_run (ArtemNode *n, ArtemValue **in, ArtemValue **out, float *scratch);
gboolean artem_broadcast_shape (const ArtemShape *a, const ArtemShape *b, ArtemShape *out);

#endif
