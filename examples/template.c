// template.c: a starting point for your own suturefleet controller plug-in.
//
// It shows every part of the ABI (include/suturefleet/controller.h) in a controller that does
// one small thing: it carries the needle so that its tip hovers above the perceived entry hole,
// holds it there, and then gives up (the episode ends; it never sutures). Replace step() with
// your own phases. Build and try it:
//
//   cmake --build build --target template      # or: cc -shared -fPIC -I include ...
//   ./build/suturefleet controllers build/examples/template.so
//   ./build/suturefleet eval --controller build/examples/template.so --episodes 4
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <suturefleet/controller.h>

// the skill vector: what the fleet learns for this controller (names, units, bounds, the
// hand-tuned reference value, and the prior the fleet starts from)
enum { TP_HOVER_MM = 0, TP_MOVE_S, TP_HOLD_S, TP_N };
static const sfcParam kParams[TP_N] = {
    {"hover_mm", "mm", "height of the needle tip above the entry hole", 1, 20, 5, 8, 3},
    {"move_s", "s", "time to carry the tip there", 0.3, 3, 1, 1.5, 0.4},
    {"hold_s", "s", "time to hold it there before giving up", 0, 2, 0.5, 0.5, 0.2},
};

// per-robot state: made by create, used by one thread
typedef struct tpState_ {
  const sfcHost* host;  // the host's services (valid until destroy)
  double theta[TP_N];   // this episode's skill
  double from[3];       // tool position when the move started
  double quat[4];       // tool orientation held throughout
  double tip_off[3];    // needle tip relative to the tool centre point (world)
} tpState;

static void* tp_create(const sfcHost* host) {
  tpState* c = calloc(1, sizeof(tpState));
  if (c) c->host = host;
  return c;  // NULL tells suturefleet the controller could not start
}

static void tp_destroy(void* state) {
  free(state);
}

// the needle tip in world coordinates: the needle frame's point (-r, 0, 0)
static void tp_tip(const sfcObs* o, double tip[3]) {
  double local[3] = {-o->needle_radius_m, 0, 0};
  mju_rotVecQuat(tip, local, o->needle_quat);
  for (int i = 0; i < 3; i++) tip[i] += o->needle_pos[i];
}

static void tp_reset(void* state, const mjModel* m, const mjData* d, const sfcObs* o,
                     const double* theta) {
  tpState* c = state;
  memcpy(c->theta, theta, sizeof(c->theta));
  double tip[3];
  tp_tip(o, tip);
  for (int i = 0; i < 3; i++) {
    c->from[i] = o->tcp_pos[i];
    c->tip_off[i] = tip[i] - o->tcp_pos[i];
  }
  memcpy(c->quat, o->tcp_quat, sizeof(c->quat));
}

static int tp_step(void* state, const mjModel* m, const mjData* d, const sfcObs* o, mjtNum* ctrl) {
  tpState* c = state;
  const sfcHost* h = c->host;

  // where the tool should be now: a smooth move of the tip to the hover point, then a hold
  double u = fmin(o->time_s / c->theta[TP_MOVE_S], 1), s = u * u * (3 - 2 * u), target[3];
  for (int i = 0; i < 3; i++) {
    double hover = o->entry[i] + 0.001 * c->theta[TP_HOVER_MM] * o->normal[i] - c->tip_off[i];
    target[i] = c->from[i] + s * (hover - c->from[i]);
  }

  // joint setpoints by one IK step from the measured joints; jaws stay closed on the needle
  double q[SFC_NAXIS], dq[SFC_NJOINT];
  memcpy(q, o->q, sizeof(q));
  h->ik_step(h->ctx, d, target, c->quat, dq);
  for (int i = 0; i < SFC_NJOINT; i++) q[i] += dq[i];
  q[SFC_AXIS_JAW] = -0.1;
  h->servo(h->ctx, d, q, ctrl);

  // done holding: this template cannot suture, so it ends the episode
  return o->time_s > c->theta[TP_MOVE_S] + c->theta[TP_HOLD_S] ? SFC_GIVE_UP : SFC_RUN;
}

// the table suturefleet reads: version and size first
static const sfcController kTemplate = {
    .abi_version = SFC_ABI_VERSION,
    .size = sizeof(sfcController),
    .name = "template",
    .description = "carries the needle tip above the entry hole, holds it, gives up",
    .nparam = TP_N,
    .param = kParams,
    .create = tp_create,
    .reset = tp_reset,
    .step = tp_step,
    .destroy = tp_destroy,
};

// the one exported symbol
SFC_EXPORT const sfcController* suturefleet_controller_entry(void) {
  return &kTemplate;
}
