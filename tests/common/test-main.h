/* test-main.h — the main () of a GLib test program: its cases as (name, function) pairs
 * under one path prefix, so each program lists its tests in one call. */
#ifndef ARTEM_TEST_MAIN_H
#define ARTEM_TEST_MAIN_H
#include <glib.h>
#include <stdarg.h>

/* artem_test_run (argc, argv, "/prefix/", "name", func, ..., NULL) */
static inline int
artem_test_run (int argc, char **argv, const char *prefix, ...)
{
  g_test_init (&argc, &argv, NULL);
  va_list ap;
  va_start (ap, prefix);
  const char *name;
  while ((name = va_arg (ap, const char *))) {
    GTestFunc fn = va_arg (ap, GTestFunc);
    gchar *path = g_strconcat (prefix, name, NULL);
    g_test_add_func (path, fn);
    g_free (path);
  }
  va_end (ap);
  return g_test_run ();
}

#endif
