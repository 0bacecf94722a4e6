/* Stopping launches from outside (see launch.h): the result codes of
 * ptk_rt_run, the stop reasons and cancellation sources. Separate from
 * launch.h so the public API (runtime/api.c) can use it. */
#ifndef PTK_RUNTIME_CANCEL_H
#define PTK_RUNTIME_CANCEL_H

#include <pthread.h>
#include <stdbool.h>

#include "runtime/interp/interp.h"

/* ptk_rt_run's results besides 0 */
enum { PTK_RT_ERROR = 1, PTK_RT_NOMEM = 2, PTK_RT_STOPPED = 3 };

/* Why a launch was stopped from outside (ptk_rt_stop). */
typedef enum ptk_rt_stop_reason {
  PTK_STOP_NONE = 0,
  PTK_STOP_TIMEOUT,   /* ptk_launch_opts.timeout passed */
  PTK_STOP_CANCELLED, /* ptk_rt_cancel_all (ptk_cancel) */
  PTK_STOP_SIGINT,
  PTK_STOP_SIGTERM,
} ptk_rt_stop_reason;

typedef struct ptk_rt_launch ptk_rt_launch;
/* A cancellation source: the launches registered with it (ptk_launch_opts
 * .cancel) are stopped by ptk_rt_cancel_all. A sticky source also stops
 * every launch registered after the cancel (the CLI's signal handling). */
struct ptk_rt_cancel {
  pthread_mutex_t mu;
  ptk_rt_launch *active;
  bool sticky;
  int reason; /* sticky: the reason of the first cancel, else 0 */
};
void ptk_rt_cancel_init(ptk_rt_cancel *c, bool sticky);
void ptk_rt_cancel_fini(ptk_rt_cancel *c);
/* Stops every registered launch (not from a signal handler); returns how many. */
int ptk_rt_cancel_all(ptk_rt_cancel *c, ptk_rt_stop_reason why);

#endif
