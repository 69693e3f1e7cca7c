// scripted_arc.c: the built-in scripted-arc suturing controller, written against the plug-in
// ABI (include/suturefleet/controller.h) and the host's services like any plug-in.
//
// Per throw: approach a pre-entry pose; align the needle tip on the (perceived, corrected)
// entry point with the needle plane across the wound at the skill's bite angle; drive the
// needle by turning it about the pivot of the arc through entry and exit (the needle's own
// centre when the bite angle is right); release; regrasp near the tip; pull the needle out
// along the same arc; tension the thread: pull along the skill's direction until the thread's
// tension at the needle reaches the skill's, and hold. Tool poses are tracked by DLS inverse
// kinematics every step.
//
// With two arms (a two-arm scene; the table's arms = 2) the first arm drives and the second
// pulls: while the first approaches, the second swings to wait where the drive is planned to
// leave the tip; after the release it regrasps near the tip from the other face of the needle's
// plane, pulls and tensions. Before each later throw the second presents the needle in the next
// entry's pose, lifted along the normal by the skill's handover lift, while the first swings to
// take it at the skill's arc angle from the tail; the first closes on it, the second opens (the
// handover), and the throw goes on from the approach. The needle is never put back by the host.
#include "controller.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "needle.h"

// phase durations (s) and distances (m)
#define SF_T_APPROACH 1.5
#define SF_T_ALIGN 0.5
#define SF_T_RELEASE 0.25
#define SF_T_BACKOFF 0.3
#define SF_T_REACH 0.9
#define SF_T_REGRASP 0.3
#define SF_T_CLOSE 0.25
#define SF_T_HOLD 0.2
#define SF_T_PRESENT 1.0  // the second arm presents the needle; the first reaches for it
#define SF_PRE_ENTRY_M 0.003
#define SF_BACKOFF_M 0.004
#define SF_TENSION_SPEED_M_S 0.012  // the tensioning pull's speed
#define SF_TENSION_TRAVEL_M 0.035   // the longest tensioning pull
#define SF_REACH_LIFT_M 0.015       // the tool withdraws along the shaft while it turns to regrasp
#define SF_PULL_MARGIN_DEG 15.0
#define SF_JAW_OPEN 0.7
#define SF_JAW_CLOSED -0.1
#define SF_DRIVE_SIDE \
  (-1)                         // the first arm drives with the needle on its jaws' -x side, as the
                               //   episode puts it in them at the start
#define SF_IK_INTEGRAL 0.04    // integral gain of the tool-pose loop, per controller step
#define SF_PULL_CHECKS 8       // poses along the pull checked when choosing the regrasp side
#define SF_REACH_POS_M 2e-4    // a planned pose is reachable when the IK leaves at most 0.2 mm ...
#define SF_REACH_ROT_RAD 0.02  // ... and 0.02 rad of error

// skill vector of scripted-arc
enum {
  SF_TH_BITE = 0,
  SF_TH_YAW,
  SF_TH_DX,
  SF_TH_DY,
  SF_TH_DZ,
  SF_TH_SPEED,
  SF_TH_DRIVE,
  SF_TH_REGRASP,
  SF_TH_TENSION,
  SF_TH_PULL_ANGLE,
  SF_TH_LIFT,
  SF_TH_TAKE,
  SF_TH_N
};

// a needle too low by h widens the chord by 2 h cot(bite): at the reference bite angle 1 mm of
// chord error is 1 / (2 cot 41.81 deg) = 0.447 mm of height
#define SF_AIM_Z_PER_CHORD 0.447

// the skill vector; the prior is a textbook starting point (a steeper, perpendicular-leaning
// bite, the needle plane across the wound, moderate speed, drive about two thirds of the
// needle, regrasp a third of the way from the tip, a firm pull steeply up from the exit), right
// in magnitude, not in value
static const sfcParam kScriptedArcParams[SF_TH_N] = {
    {"bite_angle_deg", "deg",
     "angle between the needle tip's direction and the tissue surface at entry", 10, 85, 41.81, 50,
     8},
    {"plane_yaw_deg", "deg",
     "turn of the needle plane about the tissue normal, away from across the wound", -30, 30, 0, 0,
     8},
    {"entry_dx_mm", "mm", "correction of the aimed entry point along the wound (x)", -4, 4, 0, 0,
     1.5},
    {"entry_dy_mm", "mm", "correction of the aimed entry point across the wound (y)", -4, 4, 0, 0,
     1.5},
    {"entry_dz_mm", "mm", "correction of the aimed entry point along the tissue normal (z)", -4, 4,
     0, 0, 1.5},
    {"drive_speed_dps", "deg/s", "needle rotation speed while driving and pulling", 15, 120, 60, 60,
     20},
    {"drive_angle_deg", "deg", "needle rotation from entry to release", 80, 170, 122, 120, 15},
    {"regrasp_deg", "deg", "regrasp point for the pull, as arc angle from the tip", 8, 60, 20, 30,
     10},
    {"pull_tension_N", "N", "thread tension at the needle the tensioning pull stops at", 0.2, 8,
     1.6, 2.5, 1},
    {"pull_angle_deg", "deg",
     "elevation above the surface of the tensioning pull, away from the wound", 0, 85, 40, 60, 15},
    {"handover_lift_mm", "mm",
     "two arms: height above the next entry at which the second arm presents the needle", 3, 30, 10,
     15, 5},
    {"handover_grasp_deg", "deg",
     "two arms: where the first arm takes the needle back, as arc angle from the tail", 10, 60, 25,
     30, 10},
};

// phases of a throw
typedef enum sftPhase_ {
  SF_PH_PRESENT = 0,  // two arms, a throw after the first: the handover
  SF_PH_TAKE,
  SF_PH_TAKE_CLOSE,
  SF_PH_GIVE,
  SF_PH_APPROACH,
  SF_PH_ALIGN,
  SF_PH_DRIVE,
  SF_PH_RELEASE,
  SF_PH_BACKOFF,
  SF_PH_REACH,
  SF_PH_REGRASP,
  SF_PH_CLOSE,
  SF_PH_PULL,
  SF_PH_TENSION,
  SF_PH_HOLD,
  SF_PH_DONE
} sftPhase;

// what the controller commands one arm: a tcp target tracked by the IK, or joint setpoints
typedef struct sfArmCmd_ {
  mjtNum from_pos[3];  // tcp target at the phase start
  mjtNum from_quat[4];
  mjtNum tcp_pos[3];  // tcp target of the last step
  mjtNum tcp_quat[4];
  mjtNum jaw;                 // jaw opening target (rad)
  int joint_mode;             // the setpoints come from q_ref, not from the IK
  mjtNum q_from[SFC_NJOINT];  // joints at the start of a joint-space move
  mjtNum q_ref[SFC_NJOINT];   // joint setpoints of a joint-space move
  mjtNum q_int[SFC_NJOINT];   // integral of the IK steps (removes steady deflection under load)
} sfArmCmd;

// per-robot state
typedef struct sfScriptedArc_ {
  const sfcHost* h;  // the host's services
  double theta[SF_TH_N];
  int throw_index;  // throw the plan is for (-1: none yet)
  int narm;         // arms driven: 2 in a two-arm scene (psm2 regrasps, pulls and hands over)
  int puller;       // the arm that regrasps and pulls: 0, or 1 with two arms
  sftPhase phase;
  mjtNum t0;            // phase start time
  sfArmCmd arm[2];      // what each arm is commanded
  mjtNum grasp_pos[3];  // needle in the holder's tcp frame (observed at phase start)
  mjtNum grasp_quat[4];
  mjtNum entry_pos[3];  // planned needle pose at entry
  mjtNum entry_quat[4];
  mjtNum pivot[3];  // pivot and axis of the drive
  mjtNum axis[3];
  mjtNum phi_end;             // rotation at which the pull ends (rad)
  int regrasp_side;           // side of the jaws the needle lies on after the regrasp (+1/-1)
  int regrasp_face;           // face of the needle's plane the puller grasps it from (+1/-1)
  mjtNum q_pre[SFC_NJOINT];   // the puller's joints of the pre-regrasp pose (planned)
  mjtNum q_take[SFC_NJOINT];  // the driver's joints of the pre-take pose (planned, handover)
  mjtNum present_pos[3];      // where the puller presents the needle for the handover
  mjtNum present_quat[4];
  mjtNum pull_dir[3];  // direction of the tensioning pull (unit)
} sfScriptedArc;

// minimum-jerk phase of u in [0, 1]
static mjtNum sf_minjerk(mjtNum u) {
  u = mju_clip(u, 0, 1);
  return u * u * u * (10 - 15 * u + 6 * u * u);
}

// pose between (ap, aq) and (bp, bq) at fraction s (linear position, spherical orientation)
static void sf_pose_blend(const mjtNum ap[3], const mjtNum aq[4], const mjtNum bp[3],
                          const mjtNum bq[4], mjtNum s, mjtNum p[3], mjtNum q[4]) {
  for (int i = 0; i < 3; i++) p[i] = ap[i] + s * (bp[i] - ap[i]);
  mjtNum inv[4], d[4], v[3];
  mju_negQuat(inv, aq);
  mju_mulQuat(d, inv, bq);
  if (d[0] < 0) mju_scl(d, d, -1, 4);
  mju_quat2Vel(v, d, 1);
  mju_copy4(q, aq);
  mju_quatIntegrate(q, v, s);
}

// the tcp pose that puts the held needle at (npos, nquat)
static void sf_tcp_for_needle(const sfScriptedArc* c, const mjtNum npos[3], const mjtNum nquat[4],
                              mjtNum tpos[3], mjtNum tquat[4]) {
  mjtNum ipos[3], iquat[4];
  mju_negPose(ipos, iquat, c->grasp_pos, c->grasp_quat);
  mju_mulPose(tpos, tquat, npos, nquat, ipos, iquat);
}

// needle pose after turning the entry pose by phi about the pivot
static void sf_needle_turned(const sfScriptedArc* c, mjtNum phi, mjtNum npos[3], mjtNum nquat[4]) {
  mjtNum q[4], rel[3], rot[3];
  mju_axisAngle2Quat(q, c->axis, phi);
  mju_sub3(rel, c->entry_pos, c->pivot);
  mju_rotVecQuat(rot, rel, q);
  mju_add3(npos, c->pivot, rot);
  mju_mulQuat(nquat, q, c->entry_quat);
}

// plan a throw: entry pose from the perceived holes and the skill, pivot and axis of the arc
static void sf_plan_throw(sfScriptedArc* c, const sfcObs* o) {
  const double* th = c->theta;
  mjtNum r = o->needle_radius_m, n[3], across[3], e[3];
  mju_copy3(n, o->normal);

  // across-wound direction in the surface, aimed entry point, pivot of the ideal arc
  mju_sub3(across, o->exit, o->entry);
  mju_addScl3(across, across, n, -mju_dot3(across, n));
  mjtNum chord = mju_normalize3(across);
  mjtNum corr[3] = {0.001 * th[SF_TH_DX], 0.001 * th[SF_TH_DY], 0.001 * th[SF_TH_DZ]};
  mju_add3(e, o->entry, corr);
  mjtNum half = mju_min(0.5 * chord, 0.999 * r);
  mjtNum h = mju_sqrt(r * r - half * half);
  mju_copy3(c->pivot, e);
  mju_addScl3(c->pivot, c->pivot, across, half);
  mju_addScl3(c->pivot, c->pivot, n, h);
  mju_cross(c->axis, across, n);
  mju_normalize3(c->axis);
  mjtNum pa = th[SF_TH_PULL_ANGLE] * SF_DEG;
  for (int i = 0; i < 3; i++) c->pull_dir[i] = mju_cos(pa) * across[i] + mju_sin(pa) * n[i];
  c->phi_end = 2 * asin(half / r) + mjPI + SF_PULL_MARGIN_DEG * SF_DEG;

  // needle at entry: plane turned by the yaw, tip on e, tip direction at the bite angle
  mjtNum qyaw[4], a[3], beta = th[SF_TH_BITE] * SF_DEG;
  mju_axisAngle2Quat(qyaw, n, th[SF_TH_YAW] * SF_DEG);
  mju_rotVecQuat(a, across, qyaw);
  mjtNum u[3], t[3], mat[9];  // u: centre to tip; t: tip direction
  for (int i = 0; i < 3; i++) {
    u[i] = -mju_sin(beta) * a[i] - mju_cos(beta) * n[i];
    t[i] = mju_cos(beta) * a[i] - mju_sin(beta) * n[i];
  }
  mju_addScl3(c->entry_pos, e, u, -r);

  // needle frame: x = -u (towards the tail), y = -t, z = x cross y
  mjtNum x[3] = {-u[0], -u[1], -u[2]}, y[3] = {-t[0], -t[1], -t[2]}, z[3];
  mju_cross(z, x, y);
  for (int i = 0; i < 3; i++) mat[3 * i] = x[i], mat[3 * i + 1] = y[i], mat[3 * i + 2] = z[i];
  mju_mat2Quat(c->entry_quat, mat);
}

// the pull follows the needle's own arc: turn about its observed centre and axis, starting
// from its observed pose (as if it had been turned there by the drive angle)
static void sf_anchor_pull(sfScriptedArc* c, const sfcObs* o) {
  mjtNum z[3] = {0, 0, 1}, q[4];
  mju_copy3(c->pivot, o->needle_pos);
  mju_rotVecQuat(c->axis, z, o->needle_quat);
  mju_axisAngle2Quat(q, c->axis, -c->theta[SF_TH_DRIVE] * SF_DEG);
  mju_copy3(c->entry_pos, o->needle_pos);
  mju_mulQuat(c->entry_quat, q, o->needle_quat);
}

// the host's view of arm a
static const sfcArm* sf_arm_of(const sfScriptedArc* c, int a) {
  return a ? &c->h->arm2 : &c->h->arm;
}

// arm a's joints in d
static void sf_arm_joints(const sfScriptedArc* c, int a, const mjData* d, mjtNum q[SFC_NJOINT]) {
  const sfcArm* arm = sf_arm_of(c, a);
  for (int i = 0; i < SFC_NJOINT; i++) q[i] = d->qpos[arm->qadr[i]];
}

// solve arm a's joints q (from the seed q) for the tcp pose (tpos, tquat); returns the tool
// roll's room to its limits (rad), or -1 when the pose cannot be reached
static mjtNum sf_plan_pose(sfScriptedArc* c, int a, const mjModel* m, const mjtNum tpos[3],
                           const mjtNum tquat[4], mjtNum q[SFC_NJOINT]) {
  const mjtNum* range = m->jnt_range + 2 * sf_arm_of(c, a)->jnt[SFC_AXIS_ROLL];
  mjtNum rerr, perr = c->h->ik_solve_arm(c->h->ctx, a, q, tpos, tquat, q, &rerr);
  if (perr > SF_REACH_POS_M || rerr > SF_REACH_ROT_RAD) return -1;
  return mju_min(q[SFC_AXIS_ROLL] - range[0], range[1] - q[SFC_AXIS_ROLL]);
}

// the seed of a plan: arm a's joints in d with the tool roll a full turn away by branch
// (-1, 0, +1; within its range)
static void sf_plan_seed(const sfScriptedArc* c, int a, const mjModel* m, const mjData* d,
                         int branch, mjtNum q[SFC_NJOINT]) {
  const mjtNum* range = m->jnt_range + 2 * sf_arm_of(c, a)->jnt[SFC_AXIS_ROLL];
  sf_arm_joints(c, a, d, q);
  q[SFC_AXIS_ROLL] = mju_clip(q[SFC_AXIS_ROLL] + 2 * mjPI * branch, range[0], range[1]);
}

// the tcp pose grasping the needle at (npos, nquat) at arc angle a on side, from face (a
// built-in runs on this version's host: every service of ABI 3 is there)
static void sf_grasp_tcp(const sfScriptedArc* c, mjtNum a, int side, int face, const mjtNum npos[3],
                         const mjtNum nquat[4], mjtNum tpos[3], mjtNum tquat[4]) {
  c->h->grasp_tcp_face(c->h->ctx, a, side, face, npos, nquat, tpos, tquat);
}

// the tcp pose grasping the needle at (npos, nquat) at arc angle a on side, backed off along
// the tool axis by back
static void sf_grasp_backed(const sfScriptedArc* c, mjtNum a, int side, int face,
                            const mjtNum npos[3], const mjtNum nquat[4], mjtNum back,
                            mjtNum tpos[3], mjtNum tquat[4]) {
  mjtNum z[3] = {0, 0, 1}, zdir[3];
  sf_grasp_tcp(c, a, side, face, npos, nquat, tpos, tquat);
  mju_rotVecQuat(zdir, z, tquat);
  mju_addScl3(tpos, tpos, zdir, back);
}

// plan the regrasp of the needle at (npos, nquat) by the puller: for each side of the jaws and
// each tool-roll branch, solve the pre-regrasp pose and the poses along the pull on scratch
// data; keep the plan that the arm can follow with the most tool-roll room, and its
// pre-regrasp joints
static void sf_plan_regrasp(sfScriptedArc* c, const mjModel* m, const mjData* d,
                            const mjtNum npos0[3], const mjtNum nquat0[4]) {
  int p = c->puller;
  mjtNum a = mjPI - c->theta[SF_TH_REGRASP] * SF_DEG, phi_d = c->theta[SF_TH_DRIVE] * SF_DEG;
  mjtNum best = -1e9;
  c->regrasp_side = 1;
  sf_arm_joints(c, p, d, c->q_pre);
  for (int side = -1; side <= 1; side += 2) {
    for (int branch = -1; branch <= 1; branch++) {
      // pre-regrasp pose, then the pull (each solve seeded by the last)
      mjtNum q[SFC_NJOINT], q_pre[SFC_NJOINT], tpos[3], tquat[4];
      sf_plan_seed(c, p, m, d, branch, q);
      sf_grasp_backed(c, a, side, c->regrasp_face, npos0, nquat0, SF_BACKOFF_M, tpos, tquat);
      mjtNum room = sf_plan_pose(c, p, m, tpos, tquat, q);
      mju_copy(q_pre, q, SFC_NJOINT);
      for (int k = 1; k <= SF_PULL_CHECKS && room >= 0; k++) {
        mjtNum npos[3], nquat[4];
        sf_needle_turned(c, phi_d + (c->phi_end - phi_d) * k / SF_PULL_CHECKS, npos, nquat);
        sf_grasp_tcp(c, a, side, c->regrasp_face, npos, nquat, tpos, tquat);
        room = mju_min(room, sf_plan_pose(c, p, m, tpos, tquat, q));
      }
      if (room > best) {
        best = room;
        c->regrasp_side = side;
        mju_copy(c->q_pre, q_pre, SFC_NJOINT);
      }
    }
  }
}

// plan the handover of a throw after the first: the puller presents the needle above the
// throw's entry in the entry pose, lifted along the normal by the skill's lift; the driver
// takes it there at the skill's arc angle from the tail on the side it drives with; of the
// tool-roll branches, the one that reaches the pre-take pose and the entry pose with the most
// roll room gives the pre-take joints
static void sf_plan_handover(sfScriptedArc* c, const mjModel* m, const mjData* d, const sfcObs* o) {
  mjtNum a = c->theta[SF_TH_TAKE] * SF_DEG, best = -1e9;
  mju_addScl3(c->present_pos, c->entry_pos, o->normal, 0.001 * c->theta[SF_TH_LIFT]);
  mju_copy4(c->present_quat, c->entry_quat);
  sf_arm_joints(c, 0, d, c->q_take);
  for (int branch = -1; branch <= 1; branch++) {
    mjtNum q[SFC_NJOINT], q_take[SFC_NJOINT], tpos[3], tquat[4];
    sf_plan_seed(c, 0, m, d, branch, q);
    sf_grasp_backed(c, a, SF_DRIVE_SIDE, 1, c->present_pos, c->present_quat, SF_BACKOFF_M, tpos,
                    tquat);
    mjtNum room = sf_plan_pose(c, 0, m, tpos, tquat, q);
    mju_copy(q_take, q, SFC_NJOINT);
    sf_grasp_backed(c, a, SF_DRIVE_SIDE, 1, c->entry_pos, c->entry_quat, 0, tpos, tquat);
    if (room >= 0) room = mju_min(room, sf_plan_pose(c, 0, m, tpos, tquat, q));
    if (room > best) best = room, mju_copy(c->q_take, q_take, SFC_NJOINT);
  }
}

// start a phase from the current tcp targets; the needle's grasp is read from the arm that
// holds it
static void sf_phase(sfScriptedArc* c, sftPhase ph, const sfcObs* o) {
  c->phase = ph;
  c->t0 = o->time_s;
  for (int a = 0; a < c->narm; a++) {
    mju_copy3(c->arm[a].from_pos, c->arm[a].tcp_pos);
    mju_copy4(c->arm[a].from_quat, c->arm[a].tcp_quat);
  }
  int holder = c->narm == 2 ? o->holder : o->grasped ? 0 : -1;
  if (holder >= 0) {
    const double* tpos = holder ? o->tcp2_pos : o->tcp_pos;
    const double* tquat = holder ? o->tcp2_quat : o->tcp_quat;
    sf_pose_relative(tpos, tquat, o->needle_pos, o->needle_quat, c->grasp_pos, c->grasp_quat);
  }
}

static void* sf_scripted_arc_create(const sfcHost* h) {
  sfScriptedArc* c = SF_CALLOC(1, sizeof(sfScriptedArc));
  c->h = h;
  return c;
}

static void sf_scripted_arc_destroy(void* state) {
  free(state);
}

static void sf_scripted_arc_reset(void* state, const mjModel* m, const mjData* d, const sfcObs* o,
                                  const double* theta) {
  sfScriptedArc* c = state;
  memcpy(c->theta, theta, sizeof(c->theta));
  c->throw_index = -1;
  c->narm = o->narm == 2 && c->h->narm == 2 ? 2 : 1;
  c->puller = c->narm - 1;
  c->regrasp_face = c->narm == 2 ? -1 : 1;  // the second arm reaches from the other side
  memset(c->arm, 0, sizeof(c->arm));
  c->arm[0].jaw = SF_JAW_CLOSED;
  mju_copy3(c->arm[0].tcp_pos, o->tcp_pos);
  mju_copy4(c->arm[0].tcp_quat, o->tcp_quat);
  if (c->narm == 2) {
    // the second arm waits where it stands, its jaws open, until the first throw plans its pull
    sfArmCmd* p = &c->arm[1];
    p->jaw = SF_JAW_OPEN;
    p->joint_mode = 1;
    sf_arm_joints(c, 1, d, p->q_ref);
    mju_copy3(p->tcp_pos, o->tcp2_pos);
    mju_copy4(p->tcp_quat, o->tcp2_quat);
  }
}

// approach and align: min-jerk moves of the driver to the pre-entry pose (the entry pose backed
// off along the tip direction), then onto the entry point
static sftPhase sf_target_entry(sfScriptedArc* c, mjtNum t) {
  sfArmCmd* a = &c->arm[0];

  // pre-entry pose of the needle, and the tcp that holds it there
  mjtNum back[3], y[3] = {0, 1, 0}, ydir[3], npos[3], tpos[3], tquat[4];
  mju_rotVecQuat(ydir, y, c->entry_quat);
  mju_scl3(back, ydir, SF_PRE_ENTRY_M);
  mju_add3(npos, c->entry_pos, back);
  sf_tcp_for_needle(c, npos, c->entry_quat, tpos, tquat);

  // approach: from where the phase started to the pre-entry pose
  if (c->phase == SF_PH_APPROACH) {
    sf_pose_blend(a->from_pos, a->from_quat, tpos, tquat, sf_minjerk(t / SF_T_APPROACH), a->tcp_pos,
                  a->tcp_quat);
    return t >= SF_T_APPROACH ? SF_PH_ALIGN : c->phase;
  }

  // align: the needle tip onto the entry point
  mjtNum epos[3], equat[4];
  sf_tcp_for_needle(c, c->entry_pos, c->entry_quat, epos, equat);
  sf_pose_blend(a->from_pos, a->from_quat, epos, equat, sf_minjerk(t / SF_T_ALIGN), a->tcp_pos,
                a->tcp_quat);
  return t >= SF_T_ALIGN ? SF_PH_DRIVE : c->phase;
}

// drive and pull: turn the needle about the pivot at the skill's speed, through the drive angle
// (drive, by the driver) or from there to the end of the arc (pull, by the puller)
static sftPhase sf_target_turn(sfScriptedArc* c, mjtNum t) {
  sfArmCmd* a = &c->arm[c->phase == SF_PH_DRIVE ? 0 : c->puller];
  mjtNum speed = c->theta[SF_TH_SPEED] * SF_DEG, phi_d = c->theta[SF_TH_DRIVE] * SF_DEG;
  mjtNum phi0 = c->phase == SF_PH_DRIVE ? 0 : phi_d;
  mjtNum phi1 = c->phase == SF_PH_DRIVE ? phi_d : c->phi_end;
  mjtNum phi = mju_min(phi0 + speed * t, phi1), npos[3], nquat[4];
  sf_needle_turned(c, phi, npos, nquat);
  sf_tcp_for_needle(c, npos, nquat, a->tcp_pos, a->tcp_quat);
  if (phi < phi1) return c->phase;
  return c->phase == SF_PH_DRIVE ? SF_PH_RELEASE : SF_PH_TENSION;
}

// a joint-space min-jerk move of arm a from its phase-start joints to q_to at fraction u,
// withdrawn along the shaft by lift at its middle
static void sf_joint_move(sfArmCmd* a, const mjtNum q_to[SFC_NJOINT], mjtNum u, mjtNum lift) {
  mjtNum sj = sf_minjerk(u);
  for (int i = 0; i < SFC_NJOINT; i++) a->q_ref[i] = a->q_from[i] + sj * (q_to[i] - a->q_from[i]);
  a->q_ref[SFC_AXIS_INSERTION] -= lift * mju_sin(mjPI * sj);
  a->joint_mode = 1;
}

// back off (the driver), reach and regrasp (the puller): the regrasp pose on the needle where
// it lies, approached along the tool axis
static sftPhase sf_target_regrasp(sfScriptedArc* c, const sfcObs* o, mjtNum t) {
  // the regrasp pose, and the tool axis to move along (the current one while backing off)
  sfArmCmd* a = &c->arm[c->phase == SF_PH_BACKOFF ? 0 : c->puller];
  mjtNum z[3] = {0, 0, 1}, zdir[3], tpos[3], tquat[4];
  sf_grasp_tcp(c, mjPI - c->theta[SF_TH_REGRASP] * SF_DEG, c->regrasp_side, c->regrasp_face,
               o->needle_pos, o->needle_quat, tpos, tquat);
  mju_rotVecQuat(zdir, z, c->phase == SF_PH_BACKOFF ? a->from_quat : tquat);

  // back off: the open jaws withdraw along the tool axis
  if (c->phase == SF_PH_BACKOFF) {
    mjtNum to[3];
    mju_addScl3(to, a->from_pos, zdir, SF_BACKOFF_M);
    sf_pose_blend(a->from_pos, a->from_quat, to, a->from_quat, sf_minjerk(t / SF_T_BACKOFF),
                  a->tcp_pos, a->tcp_quat);
    return t >= SF_T_BACKOFF ? SF_PH_REACH : c->phase;
  }

  // reach: a joint-space move to the planned pre-regrasp joints (the tool may turn the long
  // way), withdrawn along the shaft on the way
  if (c->phase == SF_PH_REACH) {
    sf_joint_move(a, c->q_pre, t / SF_T_REACH, SF_REACH_LIFT_M);
    mju_addScl3(a->tcp_pos, tpos, zdir, SF_BACKOFF_M);
    mju_copy4(a->tcp_quat, tquat);
    return t >= SF_T_REACH ? SF_PH_REGRASP : c->phase;
  }

  // regrasp: onto the regrasp pose
  sf_pose_blend(a->from_pos, a->from_quat, tpos, tquat, sf_minjerk(t / SF_T_REGRASP), a->tcp_pos,
                a->tcp_quat);
  return t >= SF_T_REGRASP ? SF_PH_CLOSE : c->phase;
}

// tension: the puller moves along the pull direction until the thread's tension at the needle
// reaches the skill's (or the pull's length is used up), then holds still
static sftPhase sf_target_tension(sfScriptedArc* c, const sfcObs* o, mjtNum t) {
  if (c->phase == SF_PH_HOLD) return t >= SF_T_HOLD ? SF_PH_DONE : c->phase;
  sfArmCmd* a = &c->arm[c->puller];
  mjtNum travel = mju_min(SF_TENSION_SPEED_M_S * t, SF_TENSION_TRAVEL_M);
  mju_addScl3(a->tcp_pos, a->from_pos, c->pull_dir, travel);
  mju_copy4(a->tcp_quat, a->from_quat);
  if (o->thread_tension_N < c->theta[SF_TH_TENSION] && travel < SF_TENSION_TRAVEL_M)
    return c->phase;

  // hold where the tool is, not where it was sent (the servos lag the moving target)
  mju_copy3(a->tcp_pos, c->puller ? o->tcp2_pos : o->tcp_pos);
  return SF_PH_HOLD;
}

// the handover before a throw after the first: the puller presents the needle while the driver
// reaches its pre-take pose; the driver takes the needle and closes; the puller lets go
static sftPhase sf_target_handover(sfScriptedArc* c, const sfcObs* o, mjtNum t) {
  sfArmCmd *dr = &c->arm[0], *p = &c->arm[1];
  if (c->phase == SF_PH_PRESENT) {
    mjtNum tpos[3], tquat[4];
    sf_tcp_for_needle(c, c->present_pos, c->present_quat, tpos, tquat);
    sf_pose_blend(p->from_pos, p->from_quat, tpos, tquat, sf_minjerk(t / SF_T_PRESENT), p->tcp_pos,
                  p->tcp_quat);
    sf_joint_move(dr, c->q_take, t / SF_T_PRESENT, SF_REACH_LIFT_M);
    sf_grasp_backed(c, c->theta[SF_TH_TAKE] * SF_DEG, SF_DRIVE_SIDE, 1, o->needle_pos,
                    o->needle_quat, SF_BACKOFF_M, dr->tcp_pos, dr->tcp_quat);
    return t >= SF_T_PRESENT ? SF_PH_TAKE : c->phase;
  }
  if (c->phase == SF_PH_TAKE) {
    mjtNum tpos[3], tquat[4];
    sf_grasp_backed(c, c->theta[SF_TH_TAKE] * SF_DEG, SF_DRIVE_SIDE, 1, o->needle_pos,
                    o->needle_quat, 0, tpos, tquat);
    sf_pose_blend(dr->from_pos, dr->from_quat, tpos, tquat, sf_minjerk(t / SF_T_REGRASP),
                  dr->tcp_pos, dr->tcp_quat);
    return t >= SF_T_REGRASP ? SF_PH_TAKE_CLOSE : c->phase;
  }
  if (c->phase == SF_PH_TAKE_CLOSE) {
    dr->jaw = SF_JAW_CLOSED;
    return t >= SF_T_CLOSE ? SF_PH_GIVE : c->phase;
  }
  p->jaw = SF_JAW_OPEN;
  return t >= SF_T_RELEASE ? SF_PH_APPROACH : c->phase;
}

// the tcp targets (and jaws) of the current phase at time t; returns the next phase when this
// one is over
static sftPhase sf_scripted_arc_target(sfScriptedArc* c, const sfcObs* o) {
  mjtNum t = o->time_s - c->t0;
  switch (c->phase) {
    case SF_PH_PRESENT:
    case SF_PH_TAKE:
    case SF_PH_TAKE_CLOSE:
    case SF_PH_GIVE:
      return sf_target_handover(c, o, t);
    case SF_PH_APPROACH:
      // the puller withdraws to where it waits for the needle's tip
      if (c->narm == 2) sf_joint_move(&c->arm[1], c->q_pre, t / SF_T_APPROACH, SF_REACH_LIFT_M);
      return sf_target_entry(c, t);
    case SF_PH_ALIGN:
      return sf_target_entry(c, t);
    case SF_PH_DRIVE:
    case SF_PH_PULL:
      return sf_target_turn(c, t);
    case SF_PH_RELEASE:
      c->arm[0].jaw = SF_JAW_OPEN;
      return t >= SF_T_RELEASE ? SF_PH_BACKOFF : c->phase;
    case SF_PH_BACKOFF:
    case SF_PH_REACH:
    case SF_PH_REGRASP:
      return sf_target_regrasp(c, o, t);
    case SF_PH_CLOSE:
      c->arm[c->puller].jaw = SF_JAW_CLOSED;
      return t >= SF_T_CLOSE ? SF_PH_PULL : c->phase;
    case SF_PH_TENSION:
    case SF_PH_HOLD:
      return sf_target_tension(c, o, t);
    case SF_PH_DONE:
      return c->phase;
  }
  return c->phase;
}

// a new throw: plan it; the first arm approaches from where its tool is, after taking the
// needle from the second when it is a later throw of two arms; the second plans where it waits
// for the tip (its regrasp of the needle as the drive is planned to leave it)
static void sf_scripted_arc_throw(sfScriptedArc* c, const mjModel* m, const mjData* d,
                                  const sfcObs* o) {
  c->throw_index = o->throw_index;
  int handover = c->narm == 2 && o->throw_index > 0;
  for (int a = 0; a < c->narm; a++) {
    mju_zero(c->arm[a].q_int, SFC_NJOINT);
    mju_copy3(c->arm[a].tcp_pos, a ? o->tcp2_pos : o->tcp_pos);
    mju_copy4(c->arm[a].tcp_quat, a ? o->tcp2_quat : o->tcp_quat);
    c->arm[a].joint_mode = 0;
    sf_arm_joints(c, a, d, c->arm[a].q_from);
  }
  if (!handover) c->arm[0].jaw = SF_JAW_CLOSED;
  sf_plan_throw(c, o);
  if (handover) sf_plan_handover(c, m, d, o);
  if (c->narm == 2) {
    mjtNum npos[3], nquat[4];
    sf_needle_turned(c, c->theta[SF_TH_DRIVE] * SF_DEG, npos, nquat);
    sf_plan_regrasp(c, m, d, npos, nquat);
  }
  sf_phase(c, handover ? SF_PH_PRESENT : SF_PH_APPROACH, o);
}

// a phase is over: give up when the needle is not where the next one needs it, plan what it
// needs, start it; returns the step's result
static int sf_scripted_arc_next(sfScriptedArc* c, const mjModel* m, const mjData* d,
                                const sfcObs* o, sftPhase next) {
  int held_by_puller = c->narm == 2 ? o->holder == c->puller : o->grasped;
  if ((next == SF_PH_BACKOFF && !o->engaged) || (next == SF_PH_PULL && !held_by_puller) ||
      (next == SF_PH_GIVE && !o->grasped) || (c->phase == SF_PH_GIVE && o->holder != 0)) {
    return SFC_GIVE_UP;
  }
  if (next == SF_PH_BACKOFF) sf_plan_regrasp(c, m, d, o->needle_pos, o->needle_quat);
  for (int a = 0; a < c->narm; a++) sf_arm_joints(c, a, d, c->arm[a].q_from);
  if (next == SF_PH_PULL) sf_anchor_pull(c, o);
  sf_phase(c, next, o);
  return next == SF_PH_DONE ? SFC_THROW_DONE : SFC_RUN;
}

// arm a's servo controls towards its command: the IK towards its tcp target (with the
// integral), or its joint setpoints
static void sf_arm_command(sfScriptedArc* c, int a, const mjData* d, const sfcObs* o,
                           mjtNum* ctrl) {
  sfArmCmd* cmd = &c->arm[a];
  mjtNum q[SFC_NAXIS], dq[SFC_NJOINT];
  mju_copy(q, a ? o->q2 : o->q, SFC_NAXIS);
  if (cmd->joint_mode) {
    for (int i = 0; i < SFC_NJOINT; i++) q[i] = cmd->q_ref[i], cmd->q_int[i] = 0;
  } else {
    c->h->ik_step_arm(c->h->ctx, a, d, cmd->tcp_pos, cmd->tcp_quat, dq);
    for (int i = 0; i < SFC_NJOINT; i++) {
      cmd->q_int[i] += SF_IK_INTEGRAL * dq[i];
      q[i] += dq[i] + cmd->q_int[i];
    }
  }
  q[SFC_AXIS_JAW] = cmd->jaw;
  c->h->servo_arm(c->h->ctx, a, d, q, ctrl);
}

// whether arm a is moved by the current phase (the other holds its last command)
static int sf_phase_moves(const sfScriptedArc* c, int a) {
  if (c->narm == 1) return 1;
  switch (c->phase) {
    case SF_PH_PRESENT:
    case SF_PH_APPROACH:
      return 1;
    case SF_PH_TAKE:
    case SF_PH_TAKE_CLOSE:
    case SF_PH_ALIGN:
    case SF_PH_DRIVE:
    case SF_PH_RELEASE:
    case SF_PH_BACKOFF:
      return a == 0;
    default:
      return a == 1;
  }
}

static int sf_scripted_arc_step(void* state, const mjModel* m, const mjData* d, const sfcObs* o,
                                mjtNum* ctrl) {
  sfScriptedArc* c = state;
  if (o->throw_index != c->throw_index) sf_scripted_arc_throw(c, m, d, o);

  // advance the phase machine
  for (int a = 0; a < c->narm; a++) {
    if (sf_phase_moves(c, a)) c->arm[a].joint_mode = 0;
  }
  sftPhase next = sf_scripted_arc_target(c, o);
  if (next != c->phase) {
    int r = sf_scripted_arc_next(c, m, d, o, next);
    if (r != SFC_RUN) return r;
  }
  for (int a = 0; a < c->narm; a++) sf_arm_command(c, a, d, o, ctrl);
  return SFC_RUN;
}

static const sfcController kScriptedArc = {
    SFC_ABI_VERSION,
    sizeof(sfcController),
    "scripted-arc",
    "approach, align at the bite angle, drive along the arc, regrasp near the tip, pull out, "
    "tension the thread; with two arms the second regrasps and pulls, and hands the needle back",
    SF_TH_N,
    kScriptedArcParams,
    1,
    {SF_TH_DX, SF_TH_DY, SF_TH_DZ},
    SF_AIM_Z_PER_CHORD,
    sf_scripted_arc_create,
    sf_scripted_arc_reset,
    sf_scripted_arc_step,
    sf_scripted_arc_destroy,
    2,
};

const sfcController* sf_scripted_arc(void) {
  return &kScriptedArc;
}
