// ctor_marker.c: a test plug-in whose code runs the moment it is loaded: a constructor creates
// the file named by the environment variable SF_TEST_CTOR_MARKER (when it is set), as hostile
// code named by a store would. test_controller checks that replay and run --resume never load
// a plug-in only a store names, nor one whose file hash is not the store's: no marker appears.
// Loaded on purpose, it is a valid controller: it holds the arm where the episode starts it for
// CM_HOLD_CALLS step calls, then gives up.
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <suturefleet/controller.h>

#define CM_HOLD_CALLS 20  // step calls before it gives up

// runs inside dlopen, before suturefleet sees the table
__attribute__((constructor)) static void cm_loaded(void) {
  const char* marker = getenv("SF_TEST_CTOR_MARKER");
  if (!marker || !marker[0]) return;
  int fd = open(marker, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return;
  static const char text[] = "ctor_marker.so was loaded\n";
  ssize_t n = write(fd, text, sizeof(text) - 1);
  (void)n;
  close(fd);
}

static const sfcParam kParams[1] = {
    {"jaw_rad", "rad", "jaw opening held", -0.3, 0.1, -0.1, -0.1, 0.05}};

typedef struct cmState_ {
  const sfcHost* host;
  double home[SFC_NAXIS];  // the axes when the episode started
  double jaw;              // this episode's jaw setpoint
  int calls;               // step calls since reset
} cmState;

static void* cm_create(const sfcHost* host) {
  cmState* c = calloc(1, sizeof(cmState));
  if (c) c->host = host;
  return c;
}

static void cm_destroy(void* state) {
  free(state);
}

static void cm_reset(void* state, const mjModel* m, const mjData* d, const sfcObs* obs,
                     const double* theta) {
  cmState* c = state;
  memcpy(c->home, obs->q, sizeof(c->home));
  c->jaw = theta[0];
  c->calls = 0;
}

static int cm_step(void* state, const mjModel* m, const mjData* d, const sfcObs* obs,
                   mjtNum* ctrl) {
  cmState* c = state;
  const sfcHost* h = c->host;
  double q[SFC_NAXIS];
  memcpy(q, c->home, sizeof(q));
  q[SFC_AXIS_JAW] = c->jaw;
  h->servo(h->ctx, d, q, ctrl);
  return ++c->calls >= CM_HOLD_CALLS ? SFC_GIVE_UP : SFC_RUN;
}

static const sfcController kTable = {
    .abi_version = SFC_ABI_VERSION,
    .size = sizeof(sfcController),
    .name = "ctor-marker",
    .description = "marks its loading in a file, holds the arm still, then gives up",
    .nparam = 1,
    .param = kParams,
    .create = cm_create,
    .reset = cm_reset,
    .step = cm_step,
    .destroy = cm_destroy,
};

SFC_EXPORT const sfcController* suturefleet_controller_entry(void) {
  return &kTable;
}
