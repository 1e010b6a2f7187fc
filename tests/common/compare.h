/* compare.h — numeric comparison of engine outputs shared by the engine tests. */
#ifndef ARTEM_TEST_COMPARE_H
#define ARTEM_TEST_COMPARE_H
#include <glib.h>
#include <math.h>

/* the largest difference between a and b relative to b's largest magnitude */
static inline double
artem_test_rel_diff (const float *a, const float *b, gsize n)
{
  double d = 0, m = 1e-6;
  for (gsize i = 0; i < n; i++) {
    d = MAX (d, fabs ((double) a[i] - b[i]));
    m = MAX (m, fabs ((double) b[i]));
  }
  return d / m;
}

#endif
