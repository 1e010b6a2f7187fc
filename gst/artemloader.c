/* artemloader.c — see artemloader.h. */
#include "artemloader.h"

struct _ArtemLoader {
  GMutex lock;
  GCond idle;
  GThreadPool *pool;
  ArtemLoaderJob job;
  gpointer user_data;
  guint generation;
  gboolean started;
  int running;
};

static void
run_job (gpointer data, gpointer user_data)
{
  ArtemLoader *l = user_data;
  guint gen = GPOINTER_TO_UINT (data);
  g_mutex_lock (&l->lock);
  gboolean go = l->started && gen == l->generation;
  if (go)
    l->running++;
  g_mutex_unlock (&l->lock);
  if (!go)
    return;   /* superseded, or stopped meanwhile */
  l->job (gen, l->user_data);
  g_mutex_lock (&l->lock);
  l->running--;
  g_cond_broadcast (&l->idle);
  g_mutex_unlock (&l->lock);
}

ArtemLoader *
artem_loader_new (ArtemLoaderJob job, gpointer user_data)
{
  ArtemLoader *l = g_new0 (ArtemLoader, 1);
  g_mutex_init (&l->lock);
  g_cond_init (&l->idle);
  l->job = job;
  l->user_data = user_data;
  l->pool = g_thread_pool_new (run_job, l, 1, FALSE, NULL);
  return l;
}

void
artem_loader_start (ArtemLoader *l)
{
  g_mutex_lock (&l->lock);
  l->started = TRUE;
  g_mutex_unlock (&l->lock);
}

void
artem_loader_stop (ArtemLoader *l)
{
  g_mutex_lock (&l->lock);
  l->started = FALSE;
  l->generation++;
  while (l->running)
    g_cond_wait (&l->idle, &l->lock);
  g_mutex_unlock (&l->lock);
}

void
artem_loader_free (ArtemLoader *l)
{
  if (!l)
    return;
  artem_loader_stop (l);
  g_thread_pool_free (l->pool, TRUE, TRUE);   /* queued jobs are stale: they return */
  g_cond_clear (&l->idle);
  g_mutex_clear (&l->lock);
  g_free (l);
}

guint
artem_loader_request (ArtemLoader *l)
{
  g_mutex_lock (&l->lock);
  guint gen = ++l->generation;
  if (l->started)
    g_thread_pool_push (l->pool, GUINT_TO_POINTER (gen), NULL);
  g_mutex_unlock (&l->lock);
  return gen;
}

gboolean
artem_loader_is_current (ArtemLoader *l, guint gen)
{
  g_mutex_lock (&l->lock);
  gboolean cur = l->started && gen == l->generation;
  g_mutex_unlock (&l->lock);
  return cur;
}

guint
artem_loader_generation (ArtemLoader *l)
{
  g_mutex_lock (&l->lock);
  guint gen = l->generation;
  g_mutex_unlock (&l->lock);
  return gen;
}
