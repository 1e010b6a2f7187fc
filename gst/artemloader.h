/* artemloader.h — one background worker with request generations, shared by the base
 * filter (model loads) and artemadain (style statistics).
 *
 * A request bumps the generation and queues a job; a job runs only while the loader is
 * started and its generation is still the newest (older queued requests are skipped).
 * stop() makes every queued job stale and waits for a running one; the thread pool lives
 * as long as the loader, so no request can race with a pool being replaced.  All state
 * is under the loader's own mutex: no caller's lock is held while a job runs. */
#ifndef ARTEM_LOADER_H
#define ARTEM_LOADER_H
#include <glib.h>

G_BEGIN_DECLS

typedef struct _ArtemLoader ArtemLoader;

/* @job (@gen, @user_data) runs on the worker thread for the newest request */
typedef void (*ArtemLoaderJob) (guint gen, gpointer user_data);

ArtemLoader *artem_loader_new (ArtemLoaderJob job, gpointer user_data);
/* stops (waiting for a running job) and frees */
void artem_loader_free (ArtemLoader *l);
/* requests are queued from now on */
void artem_loader_start (ArtemLoader *l);
/* makes queued jobs stale, refuses new ones and waits until no job runs */
void artem_loader_stop (ArtemLoader *l);
/* bumps the generation and, when started, queues a job for it; returns the generation */
guint artem_loader_request (ArtemLoader *l);
/* whether @gen is still the newest request of a started loader */
gboolean artem_loader_is_current (ArtemLoader *l, guint gen);
/* the newest generation (requests made so far) */
guint artem_loader_generation (ArtemLoader *l);

G_END_DECLS

#endif
