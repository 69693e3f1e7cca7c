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
#define SF_PRE_ENTRY_M 0.003
#define SF_BACKOFF_M 0.004
#define SF_TENSION_SPEED_M_S 0.012  // the tensioning pull's speed
#define SF_TENSION_TRAVEL_M 0.035   // the longest tensioning pull
#define SF_REACH_LIFT_M 0.015       // the tool withdraws along the shaft while it turns to regrasp
#define SF_PULL_MARGIN_DEG 15.0
#define SF_JAW_OPEN 0.7
#define SF_JAW_CLOSED -0.1
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
};

// phases of a throw
typedef enum sftPhase_ {
  SF_PH_APPROACH = 0,
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

// per-robot state
typedef struct sfScriptedArc_ {
  const sfcHost* h;  // the host's services
  double theta[SF_TH_N];
  int throw_index;  // throw the plan is for (-1: none yet)
  sftPhase phase;
  mjtNum t0;           // phase start time
  mjtNum from_pos[3];  // tcp pose at the phase start
  mjtNum from_quat[4];
  mjtNum grasp_pos[3];  // needle in tcp frame while held (observed at phase start)
  mjtNum grasp_quat[4];
  mjtNum entry_pos[3];  // planned needle pose at entry
  mjtNum entry_quat[4];
  mjtNum pivot[3];  // pivot and axis of the drive
  mjtNum axis[3];
  mjtNum phi_end;             // rotation at which the pull ends (rad)
  int regrasp_side;           // side of the jaws the needle lies on after the regrasp (+1/-1)
  mjtNum q_pre[SFC_NJOINT];   // joints of the pre-regrasp pose (planned)
  mjtNum q_from[SFC_NJOINT];  // joints at the start of a joint-space move
  mjtNum q_ref[SFC_NJOINT];   // joint setpoints of a joint-space move
  int joint_mode;             // this step's setpoints come from q_ref, not from the IK
  mjtNum q_int[SFC_NJOINT];   // integral of the IK steps (removes steady deflection under load)
  mjtNum tcp_pos[3];          // tcp target of the last step
  mjtNum tcp_quat[4];
  mjtNum jaw;          // jaw opening target (rad)
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

// solve joints q (from the seed q) for the tcp pose (tpos, tquat); returns the tool roll's
// room to its limits (rad), or -1 when the pose cannot be reached
static mjtNum sf_plan_pose(sfScriptedArc* c, const mjModel* m, const mjtNum tpos[3],
                           const mjtNum tquat[4], mjtNum q[SFC_NJOINT]) {
  const mjtNum* range = m->jnt_range + 2 * c->h->arm.jnt[SFC_AXIS_ROLL];
  mjtNum rerr, perr = c->h->ik_solve(c->h->ctx, q, tpos, tquat, q, &rerr);
  if (perr > SF_REACH_POS_M || rerr > SF_REACH_ROT_RAD) return -1;
  return mju_min(q[SFC_AXIS_ROLL] - range[0], range[1] - q[SFC_AXIS_ROLL]);
}

// plan the regrasp: for each side of the jaws and each tool-roll branch (turned by a full
// turn), solve the pre-regrasp pose and the poses along the pull on scratch data; keep the
// plan that the arm can follow with the most tool-roll room, and its pre-regrasp joints
static void sf_plan_regrasp(sfScriptedArc* c, const mjModel* m, const mjData* d, const sfcObs* o) {
  const sfcArm* arm = &c->h->arm;
  const mjtNum* range = m->jnt_range + 2 * arm->jnt[SFC_AXIS_ROLL];
  mjtNum a = mjPI - c->theta[SF_TH_REGRASP] * SF_DEG, phi_d = c->theta[SF_TH_DRIVE] * SF_DEG;
  mjtNum best = -1e9;
  c->regrasp_side = 1;
  for (int i = 0; i < SFC_NJOINT; i++) c->q_pre[i] = d->qpos[arm->qadr[i]];
  for (int side = -1; side <= 1; side += 2) {
    for (int branch = -1; branch <= 1; branch++) {
      // the seed: the current joints with the roll a full turn away (within its range)
      mjtNum q[SFC_NJOINT], q_pre[SFC_NJOINT];
      for (int i = 0; i < SFC_NJOINT; i++) q[i] = d->qpos[arm->qadr[i]];
      q[SFC_AXIS_ROLL] = mju_clip(q[SFC_AXIS_ROLL] + 2 * mjPI * branch, range[0], range[1]);

      // pre-regrasp pose, then the pull (each solve seeded by the last)
      mjtNum tpos[3], tquat[4], z[3] = {0, 0, 1}, zdir[3];
      c->h->grasp_tcp(c->h->ctx, a, side, o->needle_pos, o->needle_quat, tpos, tquat);
      mju_rotVecQuat(zdir, z, tquat);
      mju_addScl3(tpos, tpos, zdir, SF_BACKOFF_M);
      mjtNum room = sf_plan_pose(c, m, tpos, tquat, q);
      mju_copy(q_pre, q, SFC_NJOINT);
      for (int k = 1; k <= SF_PULL_CHECKS && room >= 0; k++) {
        mjtNum npos[3], nquat[4];
        sf_needle_turned(c, phi_d + (c->phi_end - phi_d) * k / SF_PULL_CHECKS, npos, nquat);
        c->h->grasp_tcp(c->h->ctx, a, side, npos, nquat, tpos, tquat);
        room = mju_min(room, sf_plan_pose(c, m, tpos, tquat, q));
      }
      if (room > best) {
        best = room;
        c->regrasp_side = side;
        mju_copy(c->q_pre, q_pre, SFC_NJOINT);
      }
    }
  }
}

// start a phase from the current tcp target
static void sf_phase(sfScriptedArc* c, sftPhase ph, const sfcObs* o) {
  c->phase = ph;
  c->t0 = o->time_s;
  mju_copy3(c->from_pos, c->tcp_pos);
  mju_copy4(c->from_quat, c->tcp_quat);
  if (o->grasped) {
    sf_pose_relative(o->tcp_pos, o->tcp_quat, o->needle_pos, o->needle_quat, c->grasp_pos,
                     c->grasp_quat);
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
  c->jaw = SF_JAW_CLOSED;
  mju_copy3(c->tcp_pos, o->tcp_pos);
  mju_copy4(c->tcp_quat, o->tcp_quat);
}

// approach and align: min-jerk moves to the pre-entry pose (the entry pose backed off along
// the tip direction), then onto the entry point
static sftPhase sf_target_entry(sfScriptedArc* c, mjtNum t) {
  // pre-entry pose of the needle, and the tcp that holds it there
  mjtNum back[3], y[3] = {0, 1, 0}, ydir[3], npos[3], tpos[3], tquat[4];
  mju_rotVecQuat(ydir, y, c->entry_quat);
  mju_scl3(back, ydir, SF_PRE_ENTRY_M);
  mju_add3(npos, c->entry_pos, back);
  sf_tcp_for_needle(c, npos, c->entry_quat, tpos, tquat);

  // approach: from where the phase started to the pre-entry pose
  if (c->phase == SF_PH_APPROACH) {
    sf_pose_blend(c->from_pos, c->from_quat, tpos, tquat, sf_minjerk(t / SF_T_APPROACH), c->tcp_pos,
                  c->tcp_quat);
    return t >= SF_T_APPROACH ? SF_PH_ALIGN : c->phase;
  }

  // align: the needle tip onto the entry point
  mjtNum epos[3], equat[4];
  sf_tcp_for_needle(c, c->entry_pos, c->entry_quat, epos, equat);
  sf_pose_blend(c->from_pos, c->from_quat, epos, equat, sf_minjerk(t / SF_T_ALIGN), c->tcp_pos,
                c->tcp_quat);
  return t >= SF_T_ALIGN ? SF_PH_DRIVE : c->phase;
}

// drive and pull: turn the needle about the pivot at the skill's speed, through the drive angle
// (drive) or from there to the end of the arc (pull)
static sftPhase sf_target_turn(sfScriptedArc* c, mjtNum t) {
  mjtNum speed = c->theta[SF_TH_SPEED] * SF_DEG, phi_d = c->theta[SF_TH_DRIVE] * SF_DEG;
  mjtNum phi0 = c->phase == SF_PH_DRIVE ? 0 : phi_d;
  mjtNum phi1 = c->phase == SF_PH_DRIVE ? phi_d : c->phi_end;
  mjtNum phi = mju_min(phi0 + speed * t, phi1), npos[3], nquat[4];
  sf_needle_turned(c, phi, npos, nquat);
  sf_tcp_for_needle(c, npos, nquat, c->tcp_pos, c->tcp_quat);
  if (phi < phi1) return c->phase;
  return c->phase == SF_PH_DRIVE ? SF_PH_RELEASE : SF_PH_TENSION;
}

// back off, reach and regrasp: the regrasp pose on the needle where it lies, approached along
// the tool axis
static sftPhase sf_target_regrasp(sfScriptedArc* c, const sfcObs* o, mjtNum t) {
  // the regrasp pose, and the tool axis to move along (the current one while backing off)
  mjtNum z[3] = {0, 0, 1}, zdir[3], tpos[3], tquat[4];
  c->h->grasp_tcp(c->h->ctx, mjPI - c->theta[SF_TH_REGRASP] * SF_DEG, c->regrasp_side,
                  o->needle_pos, o->needle_quat, tpos, tquat);
  mju_rotVecQuat(zdir, z, c->phase == SF_PH_BACKOFF ? c->from_quat : tquat);

  // back off: the open jaws withdraw along the tool axis
  if (c->phase == SF_PH_BACKOFF) {
    mjtNum to[3];
    mju_addScl3(to, c->from_pos, zdir, SF_BACKOFF_M);
    sf_pose_blend(c->from_pos, c->from_quat, to, c->from_quat, sf_minjerk(t / SF_T_BACKOFF),
                  c->tcp_pos, c->tcp_quat);
    return t >= SF_T_BACKOFF ? SF_PH_REACH : c->phase;
  }

  // reach: a joint-space move to the planned pre-regrasp joints (the tool may turn the long
  // way), withdrawn along the shaft on the way
  if (c->phase == SF_PH_REACH) {
    mjtNum sj = sf_minjerk(t / SF_T_REACH);
    for (int i = 0; i < SFC_NJOINT; i++)
      c->q_ref[i] = c->q_from[i] + sj * (c->q_pre[i] - c->q_from[i]);
    c->q_ref[SFC_AXIS_INSERTION] -= SF_REACH_LIFT_M * mju_sin(mjPI * sj);
    c->joint_mode = 1;
    mju_addScl3(c->tcp_pos, tpos, zdir, SF_BACKOFF_M);
    mju_copy4(c->tcp_quat, tquat);
    return t >= SF_T_REACH ? SF_PH_REGRASP : c->phase;
  }

  // regrasp: onto the regrasp pose
  sf_pose_blend(c->from_pos, c->from_quat, tpos, tquat, sf_minjerk(t / SF_T_REGRASP), c->tcp_pos,
                c->tcp_quat);
  return t >= SF_T_REGRASP ? SF_PH_CLOSE : c->phase;
}

// tension: the tool moves along the pull direction until the thread's tension at the needle
// reaches the skill's (or the pull's length is used up), then holds still
static sftPhase sf_target_tension(sfScriptedArc* c, const sfcObs* o, mjtNum t) {
  if (c->phase == SF_PH_HOLD) return t >= SF_T_HOLD ? SF_PH_DONE : c->phase;
  mjtNum travel = mju_min(SF_TENSION_SPEED_M_S * t, SF_TENSION_TRAVEL_M);
  mju_addScl3(c->tcp_pos, c->from_pos, c->pull_dir, travel);
  mju_copy4(c->tcp_quat, c->from_quat);
  if (o->thread_tension_N < c->theta[SF_TH_TENSION] && travel < SF_TENSION_TRAVEL_M)
    return c->phase;

  // hold where the tool is, not where it was sent (the servos lag the moving target)
  mju_copy3(c->tcp_pos, o->tcp_pos);
  return SF_PH_HOLD;
}

// the tcp target (and jaw) of the current phase at time t; returns the next phase when this
// one is over
static sftPhase sf_scripted_arc_target(sfScriptedArc* c, const sfcObs* o) {
  mjtNum t = o->time_s - c->t0;
  switch (c->phase) {
    case SF_PH_APPROACH:
    case SF_PH_ALIGN:
      return sf_target_entry(c, t);
    case SF_PH_DRIVE:
    case SF_PH_PULL:
      return sf_target_turn(c, t);
    case SF_PH_RELEASE:
      c->jaw = SF_JAW_OPEN;
      return t >= SF_T_RELEASE ? SF_PH_BACKOFF : c->phase;
    case SF_PH_BACKOFF:
    case SF_PH_REACH:
    case SF_PH_REGRASP:
      return sf_target_regrasp(c, o, t);
    case SF_PH_CLOSE:
      c->jaw = SF_JAW_CLOSED;
      return t >= SF_T_CLOSE ? SF_PH_PULL : c->phase;
    case SF_PH_TENSION:
    case SF_PH_HOLD:
      return sf_target_tension(c, o, t);
    case SF_PH_DONE:
      return c->phase;
  }
  return c->phase;
}

static int sf_scripted_arc_step(void* state, const mjModel* m, const mjData* d, const sfcObs* o,
                                mjtNum* ctrl) {
  sfScriptedArc* c = state;

  // a new throw: plan it and approach from where the tool is
  if (o->throw_index != c->throw_index) {
    c->throw_index = o->throw_index;
    c->jaw = SF_JAW_CLOSED;
    mju_zero(c->q_int, SFC_NJOINT);
    mju_copy3(c->tcp_pos, o->tcp_pos);
    mju_copy4(c->tcp_quat, o->tcp_quat);
    sf_plan_throw(c, o);
    sf_phase(c, SF_PH_APPROACH, o);
  }

  // advance the phase machine; give up when the needle is not where a phase needs it
  c->joint_mode = 0;
  sftPhase next = sf_scripted_arc_target(c, o);
  if (next != c->phase) {
    if ((next == SF_PH_BACKOFF && !o->engaged) || (next == SF_PH_PULL && !o->grasped)) {
      return SFC_GIVE_UP;
    }
    if (next == SF_PH_BACKOFF) sf_plan_regrasp(c, m, d, o);
    for (int i = 0; i < SFC_NJOINT; i++) c->q_from[i] = d->qpos[c->h->arm.qadr[i]];
    if (next == SF_PH_PULL) sf_anchor_pull(c, o);
    sf_phase(c, next, o);
    if (next == SF_PH_DONE) return SFC_THROW_DONE;
  }

  // inverse kinematics towards the tcp target, servo setpoints
  mjtNum q[SFC_NAXIS], dq[SFC_NJOINT];
  mju_copy(q, o->q, SFC_NAXIS);
  if (c->joint_mode) {
    for (int i = 0; i < SFC_NJOINT; i++) q[i] = c->q_ref[i], c->q_int[i] = 0;
  } else {
    c->h->ik_step(c->h->ctx, d, c->tcp_pos, c->tcp_quat, dq);
    for (int i = 0; i < SFC_NJOINT; i++) {
      c->q_int[i] += SF_IK_INTEGRAL * dq[i];
      q[i] += dq[i] + c->q_int[i];
    }
  }
  q[SFC_AXIS_JAW] = c->jaw;
  c->h->servo(c->h->ctx, d, q, ctrl);
  return SFC_RUN;
}

static const sfcController kScriptedArc = {
    SFC_ABI_VERSION,
    sizeof(sfcController),
    "scripted-arc",
    "approach, align at the bite angle, drive along the arc, regrasp near the tip, pull out, "
    "tension the thread",
    SF_TH_N,
    kScriptedArcParams,
    1,
    {SF_TH_DX, SF_TH_DY, SF_TH_DZ},
    SF_AIM_Z_PER_CHORD,
    sf_scripted_arc_create,
    sf_scripted_arc_reset,
    sf_scripted_arc_step,
    sf_scripted_arc_destroy,
};

const sfcController* sf_scripted_arc(void) {
  return &kScriptedArc;
}
