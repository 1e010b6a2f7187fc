/* attr.c — reading ONNX node attributes with defaults and type checks. */
#include "artem-private.h"

Onnx__AttributeProto *
artem_attr_find (ArtemNode *n, const char *name)
{
  for (size_t i = 0; i < n->proto->n_attribute; i++) {
    Onnx__AttributeProto *a = n->proto->attribute[i];
    if (a->name && strcmp (a->name, name) == 0)
      return a;
  }
  return NULL;
}

gint64
artem_attr_int (ArtemNode *n, const char *name, gint64 def)
{
  Onnx__AttributeProto *a = artem_attr_find (n, name);
  if (!a)
    return def;
  if (a->has_i || a->type == ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT)
    return a->i;
  return def;
}

float
artem_attr_float (ArtemNode *n, const char *name, float def)
{
  Onnx__AttributeProto *a = artem_attr_find (n, name);
  if (!a)
    return def;
  if (a->has_f || a->type == ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT)
    return a->f;
  return def;
}

const char *
artem_attr_string (ArtemNode *n, const char *name, const char *def)
{
  static __thread char buf[64];
  Onnx__AttributeProto *a = artem_attr_find (n, name);
  if (!a || !a->has_s)
    return def;
  gsize len = MIN (a->s.len, sizeof buf - 1);
  memcpy (buf, a->s.data, len);
  buf[len] = 0;
  return buf;
}

int
artem_attr_ints (ArtemNode *n, const char *name, gint64 *out, int max)
{
  Onnx__AttributeProto *a = artem_attr_find (n, name);
  if (!a)
    return -1;
  int count = (int) MIN (a->n_ints, (size_t) max);
  for (int i = 0; i < count; i++)
    out[i] = a->ints[i];
  return (int) a->n_ints > max ? -1 : count;
}

gboolean
artem_attr_check_known (ArtemNode *n, const char *const *known, GError **error)
{
  for (size_t i = 0; i < n->proto->n_attribute; i++) {
    const char *name = n->proto->attribute[i]->name ? n->proto->attribute[i]->name : "";
    gboolean ok = FALSE;
    for (const char *const *k = known; *k; k++)
      if (strcmp (*k, name) == 0)
        ok = TRUE;
    if (!ok) {
      artem_node_error (error, ARTEM_ERROR_UNSUPPORTED, n,
                        "unsupported attribute '%s'", name);
      return FALSE;
    }
  }
  return TRUE;
}
