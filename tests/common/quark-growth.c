/* quark-growth.c — registers 5000 quarks, as a process with many GStreamer plugins and
 * types does.  GLib drops each full quark block on purpose; under `meson test --setup
 * valgrind` this test fails unless tests/valgrind.supp names those blocks (issue 13: the
 * long valgrind run failed on some runs with GLib's 16,384-byte block "definitely lost"). */
#include <glib.h>

int
main (void)
{
  for (int i = 0; i < 5000; i++) {
    char name[32];
    g_snprintf (name, sizeof name, "artem-test-quark-%d", i);
    g_quark_from_string (name);
  }
  return 0;
}
