/* plugin.c — the GStreamer plugin "artem". */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include "gstartemstylize.h"
#include "gstartemadain.h"
#include "gstartemxnorconv.h"

static gboolean
plugin_init (GstPlugin *plugin)
{
  gboolean ok = GST_ELEMENT_REGISTER (artemstylize, plugin);
  ok &= GST_ELEMENT_REGISTER (artemadain, plugin);
  ok &= GST_ELEMENT_REGISTER (artemxnorconv, plugin);
  return ok;
}

#ifndef PACKAGE
#define PACKAGE "artem"
#endif

GST_PLUGIN_DEFINE (GST_VERSION_MAJOR, GST_VERSION_MINOR, artem,
    "Artistic style transfer for live video", plugin_init, ARTEM_VERSION, "LGPL",
    "artem", "https://example.invalid/artem")
