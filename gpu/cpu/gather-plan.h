/* gather-plan.h — per-dimension index maps shared by Pad, Slice, Resize and Expand. */
#ifndef ARTEM_GATHER_PLAN_H
#define ARTEM_GATHER_PLAN_H
#include "../artem-private.h"

typedef struct {
  int64_t *maps[ARTEM_MAX_DIMS];
  union { float f; int64_t i; } fill;
  int64_t storage[];
} GatherPlan;

/* NULL (error set, naming the node) when the output or the maps would pass the plan's
 * memory limit; checked before anything is allocated */
GatherPlan *artem_gather_plan_new (ArtemNode *n, ArtemPlan *plan, const ArtemShape *out,
                                   ArtemDType dtype, GError **error);
void artem_gather_run (ArtemNode *n, ArtemValue **in, ArtemValue **out, float *scratch);
/* a Resize / Upsample in linear mode (its node->priv is not a GatherPlan) */
gboolean artem_resize_is_linear (const ArtemNode *n);
gboolean artem_broadcast_shape (const ArtemShape *a, const ArtemShape *b, ArtemShape *out);

#endif
