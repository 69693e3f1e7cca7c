// nan_ctrl.c: a test plug-in that misbehaves in its controls. It holds the arm where the episode
// starts it (servo to the first observed axes, jaws closed on the needle) and, from its
// NC_BAD_CALL-th step call of an episode (counting from 0), writes a bad control:
//   nan_ctrl (built as is): NaN into the outer yaw control; suturefleet ends the episode there;
//   range_ctrl (built with RANGE_CTRL): a finite jaw control far below the jaw's range, which
//     suturefleet clamps to the range's low end; the episode goes on to its time limit;
//   return_ctrl (built with RETURN_CTRL): good controls, but step returns NC_BAD_RETURN, none of
//     SFC_RUN, SFC_THROW_DONE and SFC_GIVE_UP; suturefleet ends the episode there.
// Every episode is a controller fault. Its state is malloc'd and freed by destroy.
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <suturefleet/controller.h>

#define NC_BAD_CALL 50     // the first step call with a bad control
#define NC_LOW_JAW (-5.0)  // range_ctrl's jaw control (rad), far below any jaw range
#define NC_BAD_RETURN 7    // return_ctrl's step result, outside the documented set

#ifdef RANGE_CTRL
#define NC_NAME "range-ctrl"
#elif defined(RETURN_CTRL)
#define NC_NAME "return-ctrl"
#else
#define NC_NAME "nan-ctrl"
#endif

static const sfcParam kParams[1] = {
    {"jaw_rad", "rad", "jaw opening held", -0.3, 0.1, -0.1, -0.1, 0.05}};

typedef struct ncState_ {
  const sfcHost* host;
  double home[SFC_NAXIS];  // the axes when the episode started
  double jaw;              // this episode's jaw setpoint
  int calls;               // step calls since reset
} ncState;

static void* nc_create(const sfcHost* host) {
  ncState* c = calloc(1, sizeof(ncState));
  if (c) c->host = host;
  return c;
}

static void nc_destroy(void* state) {
  free(state);
}

static void nc_reset(void* state, const mjModel* m, const mjData* d, const sfcObs* obs,
                     const double* theta) {
  ncState* c = state;
  memcpy(c->home, obs->q, sizeof(c->home));
  c->jaw = theta[0];
  c->calls = 0;
}

static int nc_step(void* state, const mjModel* m, const mjData* d, const sfcObs* obs,
                   mjtNum* ctrl) {
  ncState* c = state;
  const sfcHost* h = c->host;
  double q[SFC_NAXIS];
  memcpy(q, c->home, sizeof(q));
  q[SFC_AXIS_JAW] = c->jaw;
  h->servo(h->ctx, d, q, ctrl);
  if (c->calls++ >= NC_BAD_CALL) {
#ifdef RANGE_CTRL
    ctrl[h->arm.act[SFC_AXIS_JAW]] = NC_LOW_JAW;
#elif defined(RETURN_CTRL)
    return NC_BAD_RETURN;
#else
    ctrl[h->arm.act[SFC_AXIS_YAW]] = NAN;
#endif
  }
  return SFC_RUN;
}

static const sfcController kTable = {
    .abi_version = SFC_ABI_VERSION,
    .size = sizeof(sfcController),
    .name = NC_NAME,
    .description = "holds the arm still, then writes a bad control",
    .nparam = 1,
    .param = kParams,
    .create = nc_create,
    .reset = nc_reset,
    .step = nc_step,
    .destroy = nc_destroy,
};

SFC_EXPORT const sfcController* suturefleet_controller_entry(void) {
  return &kTable;
}
