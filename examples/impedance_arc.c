// impedance_arc.c: "impedance-arc", a compliant (Cartesian impedance) suturing controller.
//
// Design. The tool is never moved along a timed blend. Every phase sets a reference (a goal
// pose, a goal joint vector, or a reference angle along the needle's arc) and a critically
// damped virtual spring-damper, x'' = wn^2 (ref - x) - 2 wn x' with wn = 2 pi bandwidth_hz and
// a saturated spring (speed limit), pulls the commanded pose towards it. A phase ends on
// arrival: the commanded pose at its reference, at rest, and the measured tool on it (or on a
// timeout). Inside the tissue the spring-damper acts on the arc angle only (the needle turns
// about the pivot of the arc through the entry and exit holes, so it stays in its tunnel), and
// the other five degrees of freedom are an admittance: the commanded needle pose is offset by
// the sensed lateral tissue wrench over a learned stiffness (stiffness_N_per_mm), so the needle
// yields back into its tunnel instead of dragging it sideways (tearing, trauma). The lateral
// wrench is the sensed wrench minus the along-the-arc resistance (friction and cutting),
// estimated from the torque about the needle axis and the part of the arc inside the tissue.
// Two feed-forwards make the arm follow the command closely (so that the needle really is where
// the impedance puts it): the sensed tissue wrench through the Jacobian transpose over each
// servo's stiffness (no deflection under load), and the commanded twist's joint rates times
// each servo's lag, damping over stiffness (no trailing behind a moving command).
//
// A throw: approach a pre-entry pose, align the tip on the (corrected) entry point at the bite
// angle, drive along the arc, open, back off along the tool, swing in joint space (withdrawn
// along the shaft) to a pre-regrasp pose planned on the host's IK over the coming pull, reach
// in and close near the tip, pull along the needle's own arc, lift, and tension the thread:
// the reference moves along the skill's pull direction until the thread's tension at the needle
// (sfcObs.thread_tension_N, ABI version 2) reaches the skill's, then holds the tool where it is.
//
// With two arms (ABI version 3, a two-arm scene) psm1 drives and opens; psm2 swings in, regrasps
// near the tip from the other face of the needle's plane, pulls, lifts and tensions, under the
// same impedance; before each later throw psm2 presents the needle in the next entry's pose,
// lifted by the skill's handover lift, psm1 swings to take it at the skill's arc angle from the
// tail and closes, and psm2 opens. The arm the phases do not command holds its joints.
//
// Built with -DIM_ABI_V1 it is the version-1 controller it was before the thread existed (no
// tensioning, no pull values, ABI version 1): the tests run it to show that a version-1 plug-in
// still loads and runs.
//
// Only include/suturefleet/controller.h, MuJoCo's public API and libc/libm are used.
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <suturefleet/controller.h>

#define IM_DEG (mjPI / 180)
#define IM_PRE_ENTRY_M 0.003     // pre-entry stand-off along the tip direction
#define IM_HOVER_M 0.004         // the approach passes this high above the pre-entry pose
#define IM_BACKOFF_M 0.004       // back-off along the tool axis after the release
#define IM_WITHDRAW_M 0.015      // withdrawal along the shaft while swinging to regrasp
#define IM_LIFT_M 0.008          // lift along the normal after the pull
#define IM_PULL_MARGIN_RAD 0.26  // turn past the tail leaving the tissue (15 deg)
#define IM_PULL_EXTRA_RAD 0.17   // further turn when the needle is still in after the pull
#define IM_MAX_SPEED_M_S 0.05    // saturation of the Cartesian spring (linear speed)
#define IM_MAX_TURN_RAD_S 2.0    // saturation of the Cartesian spring (angular speed)
#define IM_MAX_JOINT_RAD_S 6.0   // saturation of the joint spring (rotary joints)
#define IM_ARRIVE_M 5e-5         // arrival: commanded pose at its reference ...
#define IM_ARRIVE_RAD 0.005      //   ... in orientation ...
#define IM_TRACK_M 3e-4          //   ... and the measured tool near the command
#define IM_YIELD_TAU_S 0.03      // low-pass of the compliant offset
#define IM_YIELD_MAX_M 0.001     // largest compliant offset (translation)
#define IM_YIELD_MAX_RAD 0.1     // largest compliant offset (rotation)
#define IM_LOOSE 20.0            // tolerance factor at way points
#define IM_JAW_OPEN 0.7
#define IM_JAW_CLOSED -0.1
#define IM_PULL_CHECKS 8            // poses along the pull checked when planning the regrasp
#define IM_TIMEOUT_S 3.0            // longest wait for an arrival
#define IM_CLEAR_M 0.02             // two arms: psm2's withdrawal along its shaft while idle
#define IM_TENSION_SPEED_M_S 0.012  // the tensioning pull's reference speed
#define IM_TENSION_TRAVEL_M 0.035   // the longest tensioning pull
#define IM_HOLD_S 0.2               // hold after the tension is reached

// the skill vector
enum {
  IM_BITE = 0,
  IM_DX,
  IM_DY,
  IM_DZ,
  IM_SPEED,
  IM_DRIVE,
  IM_REGRASP,
  IM_STIFF,
  IM_BAND,
#ifndef IM_ABI_V1
  IM_TENSION,
  IM_PULL_ANGLE,
  IM_HO_LIFT,
  IM_HO_TAKE,
#endif
  IM_N
};

// the arms it drives: two from ABI version 3 (the version-1 build drives one)
#ifdef IM_ABI_V1
#define IM_ARMS 1
#else
#define IM_ARMS 2
#endif

// a needle too low by h widens the chord by 2 h cot(bite): 0.447 mm of height per mm of chord
#define IM_AIM_Z_PER_CHORD 0.447

// reference: hand-tuned on calibrated robots; prior: a novice's start, right in magnitude but
// not in value (steeper bite, slower and shorter drive, regrasp further from the tip, a stiff
// tool that hardly yields and a sluggish impedance)
static const sfcParam kParams[IM_N] = {
    {"bite_angle_deg", "deg", "angle between the tip's direction and the surface at entry", 10, 85,
     41.81, 50, 8},
    {"entry_dx_mm", "mm", "correction of the aimed entry point along the wound (x)", -4, 4, 0, 0,
     1.5},
    {"entry_dy_mm", "mm", "correction of the aimed entry point across the wound (y)", -4, 4, 0, 0,
     1.5},
    {"entry_dz_mm", "mm", "correction of the aimed entry point along the tissue normal (z)", -4, 4,
     0, 0, 1.5},
    {"drive_speed_dps", "deg/s", "reference speed of the arc angle when driving and pulling", 15,
     120, 60, 45, 15},
    {"drive_angle_deg", "deg", "needle rotation from entry to release", 80, 170, 128, 112, 12},
    {"regrasp_deg", "deg", "regrasp point for the pull, as arc angle from the tip", 8, 60, 20, 32,
     10},
    {"stiffness_N_per_mm", "N/mm", "lateral stiffness of the tool in the tissue (compliance)", 2,
     60, 8, 25, 8},
    {"bandwidth_hz", "Hz", "natural frequency of the critically damped impedance", 0.5, 6, 2.5, 1.5,
     0.5},
#ifndef IM_ABI_V1
    {"pull_tension_N", "N", "thread tension at the needle the tensioning pull stops at", 0.2, 8,
     2.0, 2.5, 1},
    {"pull_angle_deg", "deg",
     "elevation above the surface of the tensioning pull, away from the wound", 0, 85, 40, 60, 15},
    {"handover_lift_mm", "mm",
     "two arms: height above the next entry at which psm2 presents the needle", 3, 30, 10, 15, 5},
    {"handover_grasp_deg", "deg",
     "two arms: where psm1 takes the needle back, as arc angle from the tail", 10, 60, 25, 30, 10},
#endif
};

// phases of a throw
typedef enum imPhase_ {
  IM_APPROACH = 0,
  IM_DESCEND,
  IM_ALIGN,
  IM_DRIVE_IN,
  IM_OPEN,
  IM_BACKOFF,
  IM_SWING,
  IM_REACH,
  IM_CLOSE,
  IM_PULL,
  IM_LIFT,
  IM_TENSION_PULL,
  IM_HOLD,
  IM_PRESENT,  // two arms, a later throw: psm2 presents the needle above the next entry
  IM_GIVE,     //   and opens once psm1 has closed on it
  IM_FINISHED
} imPhase;

// what a phase commands
typedef enum imMode_ { IM_CART = 0, IM_ARC, IM_JOINT } imMode;

// per-robot state
typedef struct imState_ {
  const sfcHost* host;
  double th[IM_N];
  mjtNum* jacp;  // 3 x nv scratch Jacobians
  mjtNum* jacr;
  int throw_index;
  imPhase phase;
  imMode mode;
  double t0_s;      // phase start
  int leg;          // sub-move of the swing
  double wn_rad_s;  // impedance natural frequency

  // the commanded tool pose and twist (the impedance state), and its reference
  double cmd_pos[3], cmd_quat[4], cmd_vel[3], cmd_omega[3];
  double ref_pos[3], ref_quat[4];

  // the arc: needle pose at angle 0, pivot, axis; commanded angle, rate, reference and goal
  double arc_pos[3], arc_quat[4], pivot[3], axis[3];
  double phi, dphi, phi_ref, phi_goal;
  double phi_base;  // arc angle since the tip entered at this arc's angle 0
  double phi_exit;  // arc angle at which the tip leaves through the exit

  // the needle in the tool frame while held; the compliant offset (world)
  double hold_pos[3], hold_quat[4];
  double yield_m[3], yield_rad[3];  // translation, rotation vector (about the needle centre)

  // joint-space moves
  double q_cmd[SFC_NJOINT], q_vel[SFC_NJOINT], q_goal[SFC_NJOINT], q_pre[SFC_NJOINT];
  int side;             // jaw side of the regrasp
  double pull_from[3];  // commanded tool position where the tensioning pull started
  double jaw;           // jaw target
  double reach_a;       // arc angle of the grasp the reach goes to

  // two arms: psm1 drives, psm2 regrasps, pulls and hands the needle back before a later throw
  int narm;                   // arms driven (1, or 2 in a two-arm scene)
  int arm;                    // the arm the phases command now (0 psm1, 1 psm2)
  int taking;                 // the swing, reach and close are psm1 taking the needle back
  double q_idle[SFC_NJOINT];  // the other arm's joint setpoints
  double jaw_idle;            //   and jaw
  const sfcObs* raw;          // this step's observation (both arms)
} imState;

// ---- the arm the phase machine commands (two arms: psm1 drives, psm2 regrasps and pulls)

static const sfcArm* im_arm(const imState* c) {
  return c->arm ? &c->host->arm2 : &c->host->arm;
}

static void im_ik_step(const imState* c, const mjData* d, const double pos[3], const double quat[4],
                       double dq[SFC_NJOINT]) {
  if (c->arm) {
    c->host->ik_step_arm(c->host->ctx, 1, d, pos, quat, dq);
  } else {
    c->host->ik_step(c->host->ctx, d, pos, quat, dq);
  }
}

static double im_ik_solve(const imState* c, const double q_seed[SFC_NJOINT], const double pos[3],
                          const double quat[4], double q[SFC_NJOINT], double* rot_err) {
  if (c->arm) return c->host->ik_solve_arm(c->host->ctx, 1, q_seed, pos, quat, q, rot_err);
  return c->host->ik_solve(c->host->ctx, q_seed, pos, quat, q, rot_err);
}

static void im_servo(const imState* c, int arm, const mjData* d, const double q[SFC_NAXIS],
                     mjtNum* ctrl) {
  if (arm) {
    c->host->servo_arm(c->host->ctx, 1, d, q, ctrl);
  } else {
    c->host->servo(c->host->ctx, d, q, ctrl);
  }
}

// the tool pose grasping the needle at arc angle a on side: psm2 from the other face of the
// needle's plane (it reaches from the other end of the wound)
static void im_grasp_tcp(const imState* c, double a, int side, const double npos[3],
                         const double nquat[4], double tpos[3], double tquat[4]) {
  if (c->arm) {
    c->host->grasp_tcp_face(c->host->ctx, a, side, -1, npos, nquat, tpos, tquat);
  } else {
    c->host->grasp_tcp(c->host->ctx, a, side, npos, nquat, tpos, tquat);
  }
}

// ---- small geometry helpers

// rotation vector taking orientation a to orientation b (world frame)
static void im_rot_between(const double a[4], const double b[4], double v[3]) {
  double inv[4], dq[4];
  mju_negQuat(inv, a);
  mju_mulQuat(dq, b, inv);
  if (dq[0] < 0) mju_scl(dq, dq, -1, 4);
  mju_quat2Vel(v, dq, 1);
}

// turn q by the world rotation vector v
static void im_turn(double q[4], const double v[3]) {
  double ang = mju_norm3(v), r[4], out[4];
  if (ang < 1e-12) return;
  double ax[3] = {v[0] / ang, v[1] / ang, v[2] / ang};
  mju_axisAngle2Quat(r, ax, ang);
  mju_mulQuat(out, r, q);
  mju_normalize4(out);
  mju_copy4(q, out);
}

// v scaled down to norm at most lim
static void im_clamp3(double v[3], double lim) {
  double n = mju_norm3(v);
  if (n > lim) mju_scl3(v, v, lim / n);
}

// ---- the impedance dynamics

// the spring's saturation for an error of norm en: the factor that keeps the steady speed of
// the spring-damper below vmax
static double im_saturation(double en, double wn, double vmax) {
  double emax = 2 * vmax / wn;
  return en > emax ? emax / en : 1;
}

// one step of the critically damped spring-damper on n coordinates (error e = ref - x, its
// spring scaled by the saturation s)
static void im_spring(double* x, double* v, const double* e, int n, double wn, double s,
                      double dt_s) {
  for (int i = 0; i < n; i++) {
    double acc = wn * wn * s * e[i] - 2 * wn * v[i];
    v[i] += acc * dt_s;
    x[i] += v[i] * dt_s;
  }
}

// advance the commanded tool pose towards its reference
static void im_cart_advance(imState* c) {
  double e[3], er[3], turn[3] = {0, 0, 0};
  mju_sub3(e, c->ref_pos, c->cmd_pos);
  im_rot_between(c->cmd_quat, c->ref_quat, er);

  // one saturation for both, so that position and orientation arrive together
  double s = fmin(im_saturation(mju_norm3(e), c->wn_rad_s, IM_MAX_SPEED_M_S),
                  im_saturation(mju_norm3(er), c->wn_rad_s, IM_MAX_TURN_RAD_S));
  im_spring(c->cmd_pos, c->cmd_vel, e, 3, c->wn_rad_s, s, c->host->control_period_s);
  im_spring(turn, c->cmd_omega, er, 3, c->wn_rad_s, s, c->host->control_period_s);
  im_turn(c->cmd_quat, turn);
}

// advance the commanded joints towards their goal
static void im_joint_advance(imState* c) {
  double e[SFC_NJOINT];
  for (int i = 0; i < SFC_NJOINT; i++) e[i] = c->q_goal[i] - c->q_cmd[i];
  double s = im_saturation(mju_norm(e, SFC_NJOINT), c->wn_rad_s, IM_MAX_JOINT_RAD_S);
  im_spring(c->q_cmd, c->q_vel, e, SFC_NJOINT, c->wn_rad_s, s, c->host->control_period_s);
}

// the commanded pose is at its reference, at rest, and the tool is on it; a way point (loose)
// only needs to be passed near
static int im_cart_arrived(const imState* c, const sfcObs* o, int loose) {
  double er[3], tol = loose ? IM_LOOSE : 1;
  im_rot_between(c->cmd_quat, c->ref_quat, er);
  return mju_dist3(c->cmd_pos, c->ref_pos) < tol * IM_ARRIVE_M &&
         mju_norm3(er) < tol * IM_ARRIVE_RAD && mju_norm3(c->cmd_vel) < tol * 1e-3 &&
         mju_dist3(o->tcp_pos, c->cmd_pos) < IM_TRACK_M;
}

// the commanded joints are at their goal and the arm is near them (loose: a way point)
static int im_joint_arrived(const imState* c, const sfcObs* o, int loose) {
  double worst = 0;
  for (int i = 0; i < SFC_NJOINT; i++) {
    double w = i == SFC_AXIS_INSERTION ? 20 : 1;  // 1 mm of insertion weighs as 0.02 rad
    worst = fmax(worst, w * fabs(c->q_goal[i] - c->q_cmd[i]));
    worst = fmax(worst, 0.2 * w * fabs(o->q[i] - c->q_cmd[i]));
  }
  return worst < (loose ? IM_LOOSE : 1) * 1e-3;
}

// ---- needle, arc and tool poses

// the tool pose that holds the needle at (npos, nquat)
static void im_tool_for(const imState* c, const double npos[3], const double nquat[4],
                        double tpos[3], double tquat[4]) {
  double ipos[3], iquat[4];
  mju_negPose(ipos, iquat, c->hold_pos, c->hold_quat);
  mju_mulPose(tpos, tquat, npos, nquat, ipos, iquat);
}

// remember how the needle sits in the jaws (observed)
static void im_capture_hold(imState* c, const sfcObs* o) {
  double inv[4], dp[3];
  mju_negQuat(inv, o->tcp_quat);
  mju_sub3(dp, o->needle_pos, o->tcp_pos);
  mju_rotVecQuat(c->hold_pos, dp, inv);
  mju_mulQuat(c->hold_quat, inv, o->needle_quat);
}

// needle pose at arc angle phi: the arc's start pose turned about the pivot
static void im_arc_pose(const imState* c, double phi, double npos[3], double nquat[4]) {
  double r[4], rel[3], rot[3];
  mju_axisAngle2Quat(r, c->axis, phi);
  mju_sub3(rel, c->arc_pos, c->pivot);
  mju_rotVecQuat(rot, rel, r);
  mju_add3(npos, c->pivot, rot);
  mju_mulQuat(nquat, r, c->arc_quat);
}

// plan the entry: the aimed point, the pivot of the arc through entry and exit, the needle pose
// with its tip on the aimed point meeting the surface at the bite angle, its plane across
static void im_plan_entry(imState* c, const sfcObs* o) {
  double r = o->needle_radius_m, n[3], a[3], e[3];
  mju_copy3(n, o->normal);
  mju_sub3(a, o->exit, o->entry);
  mju_addScl3(a, a, n, -mju_dot3(a, n));
  double half = 0.5 * mju_normalize3(a);
  half = fmin(half, 0.999 * r);
  for (int i = 0; i < 3; i++) e[i] = o->entry[i] + 0.001 * c->th[IM_DX + i];
  double rise = sqrt(r * r - half * half);
  for (int i = 0; i < 3; i++) c->pivot[i] = e[i] + half * a[i] + rise * n[i];
  mju_cross(c->axis, a, n);
  mju_normalize3(c->axis);
  c->phi_exit = 2 * asin(half / r);

  // needle frame: x from the centre away from the tip, y against the tip's motion, z the axis
  double b = c->th[IM_BITE] * IM_DEG, x[3], y[3], mat[9];
  for (int i = 0; i < 3; i++) {
    x[i] = sin(b) * a[i] + cos(b) * n[i];
    y[i] = sin(b) * n[i] - cos(b) * a[i];
  }
  for (int i = 0; i < 3; i++) c->arc_pos[i] = e[i] + r * x[i];
  for (int i = 0; i < 3; i++) {
    mat[3 * i] = x[i];
    mat[3 * i + 1] = y[i];
    mat[3 * i + 2] = c->axis[i];
  }
  mju_mat2Quat(c->arc_quat, mat);
}

// ---- compliance and load feed-forward

// the lateral part of the tissue wrench: the sensed wrench minus the resistance along the arc,
// whose torque about the needle axis, spread over the arc inside, gives its net force
static void im_lateral_wrench(const imState* c, const sfcObs* o, double f[3], double t[3]) {
  double r = o->needle_radius_m, z[3] = {0, 0, 1}, zw[3];
  mju_rotVecQuat(zw, z, o->needle_quat);
  double tz = mju_dot3(o->tissue_torque_Nm, zw), phi = c->phi_base + c->phi;
  mju_copy3(f, o->tissue_force_N);
  mju_addScl3(t, o->tissue_torque_Nm, zw, -tz);
  double a1 = fmax(0, mjPI - phi), a2 = fmin(mjPI, mjPI + c->phi_exit - phi);
  if (r * (a2 - a1) < 5e-4) return;
  double chord[3] = {r * (cos(a2) - cos(a1)), r * (sin(a2) - sin(a1)), 0}, cw[3];
  mju_rotVecQuat(cw, chord, o->needle_quat);
  mju_addScl3(f, f, cw, -tz / (r * r * (a2 - a1)));
}

// admittance: the offset of the commanded needle pose follows the lateral wrench over the
// stiffness (low-passed); it relaxes to zero outside the tissue
static void im_yield_update(imState* c, const sfcObs* o) {
  double f[3] = {0, 0, 0}, t[3] = {0, 0, 0}, r = o->needle_radius_m;
  double k_N_m = 1000 * c->th[IM_STIFF], alpha = c->host->control_period_s / IM_YIELD_TAU_S;
  if (o->engaged && o->grasped && c->mode == IM_ARC) im_lateral_wrench(c, o, f, t);
  for (int i = 0; i < 3; i++) {
    c->yield_m[i] += alpha * (f[i] / k_N_m - c->yield_m[i]);
    c->yield_rad[i] += alpha * (t[i] / (k_N_m * r * r) - c->yield_rad[i]);
  }
  im_clamp3(c->yield_m, IM_YIELD_MAX_M);
  im_clamp3(c->yield_rad, IM_YIELD_MAX_RAD);
}

// joint setpoint shift that cancels the servo's deflection under the sensed tissue wrench
static void im_load_feedforward(const imState* c, const mjModel* m, const mjData* d,
                                const sfcObs* o, double dq[SFC_NJOINT]) {
  const sfcArm* arm = im_arm(c);
  mju_zero(dq, SFC_NJOINT);
  if (!o->grasped || !o->engaged) return;
  mj_jac(m, d, c->jacp, c->jacr, o->needle_pos, m->site_bodyid[arm->tcp_site]);
  for (int i = 0; i < SFC_NJOINT; i++) {
    double tau = 0, kp = m->actuator_gainprm[arm->act[i] * mjNGAIN];
    for (int k = 0; k < 3; k++) {
      tau += c->jacp[k * m->nv + arm->dadr[i]] * o->tissue_force_N[k];
      tau += c->jacr[k * m->nv + arm->dadr[i]] * o->tissue_torque_Nm[k];
    }
    if (kp > 0) dq[i] = -tau / kp;
  }
}

// ---- the regrasp plan

// roll room (rad) of the joints solved for a tool pose from the seed q, or -1 if unreachable
static double im_solve_room(const imState* c, const mjModel* m, const double tpos[3],
                            const double tquat[4], double q[SFC_NJOINT]) {
  const double* lim = m->jnt_range + 2 * im_arm(c)->jnt[SFC_AXIS_ROLL];
  double rot_err, pos_err = im_ik_solve(c, q, tpos, tquat, q, &rot_err);
  if (pos_err > 2e-4 || rot_err > 0.02) return -1;
  return fmin(q[SFC_AXIS_ROLL] - lim[0], lim[1] - q[SFC_AXIS_ROLL]);
}

// the pre-regrasp tool pose for a needle pose: the grasp pose backed off along the tool
static void im_pre_grasp(const imState* c, int side, const double npos[3], const double nquat[4],
                         double tpos[3], double tquat[4]) {
  double z[3] = {0, 0, 1}, zw[3];
  im_grasp_tcp(c, c->reach_a, side, npos, nquat, tpos, tquat);
  mju_rotVecQuat(zw, z, tquat);
  mju_addScl3(tpos, tpos, zw, IM_BACKOFF_M);
}

// score one candidate (jaw side, roll seed): the least roll room over the pre-regrasp pose and
// the pull (the needle turned about its own centre); its pre-regrasp joints go to q_pre
static double im_score_candidate(const imState* c, const mjModel* m, const sfcObs* o, int side,
                                 double q[SFC_NJOINT], double q_pre[SFC_NJOINT]) {
  double tpos[3], tquat[4], z[3] = {0, 0, 1}, zw[3], turn = c->phi_goal;
  im_pre_grasp(c, side, o->needle_pos, o->needle_quat, tpos, tquat);
  double room = im_solve_room(c, m, tpos, tquat, q);
  mju_copy(q_pre, q, SFC_NJOINT);
  mju_rotVecQuat(zw, z, o->needle_quat);
  for (int k = 1; k <= IM_PULL_CHECKS && room >= 0; k++) {
    double r[4], nquat[4];
    mju_axisAngle2Quat(r, zw, turn * k / IM_PULL_CHECKS);
    mju_mulQuat(nquat, r, o->needle_quat);
    im_grasp_tcp(c, c->reach_a, side, o->needle_pos, nquat, tpos, tquat);
    room = fmin(room, im_solve_room(c, m, tpos, tquat, q));
  }
  return room;
}

// choose the jaw side and tool-roll branch of the regrasp (phi_goal: the pull's turn)
static void im_plan_regrasp(imState* c, const mjModel* m, const sfcObs* o) {
  const double* lim = m->jnt_range + 2 * im_arm(c)->jnt[SFC_AXIS_ROLL];
  double best = -1e9;
  c->reach_a = mjPI - c->th[IM_REGRASP] * IM_DEG;
  c->side = 1;
  mju_copy(c->q_pre, o->q, SFC_NJOINT);
  for (int cand = 0; cand < 6; cand++) {
    int side = cand < 3 ? 1 : -1;
    double q[SFC_NJOINT], q_pre[SFC_NJOINT];
    mju_copy(q, o->q, SFC_NJOINT);
    q[SFC_AXIS_ROLL] = mju_clip(q[SFC_AXIS_ROLL] + 2 * mjPI * (cand % 3 - 1), lim[0], lim[1]);
    double room = im_score_candidate(c, m, o, side, q, q_pre);
    if (room > best) {
      best = room;
      c->side = side;
      mju_copy(c->q_pre, q_pre, SFC_NJOINT);
    }
  }
}

// ---- phases

// enter a phase; Cartesian phases start from rest at the current command
static void im_enter(imState* c, imPhase ph, imMode mode, const sfcObs* o) {
  c->phase = ph;
  c->mode = mode;
  c->t0_s = o->time_s;
  mju_zero3(c->cmd_vel);
  mju_zero3(c->cmd_omega);
  mju_copy3(c->ref_pos, c->cmd_pos);
  mju_copy4(c->ref_quat, c->cmd_quat);
}

// start an arc (drive or pull) from angle 0 to goal
static void im_enter_arc(imState* c, imPhase ph, double goal, const sfcObs* o) {
  im_enter(c, ph, IM_ARC, o);
  im_capture_hold(c, o);
  c->phi = c->dphi = c->phi_ref = 0;
  c->phi_goal = goal;
  mju_zero3(c->yield_m);
  mju_zero3(c->yield_rad);
}

// start a joint-space move to goal from the measured joints
static void im_enter_joint_leg(imState* c, const double goal[SFC_NJOINT], const sfcObs* o) {
  c->mode = IM_JOINT;
  c->t0_s = o->time_s;
  mju_copy(c->q_goal, goal, SFC_NJOINT);
}

// a Cartesian goal that holds the needle at (npos, nquat)
static void im_set_needle_goal(imState* c, const double npos[3], const double nquat[4]) {
  im_tool_for(c, npos, nquat, c->ref_pos, c->ref_quat);
}

// the pre-entry goal: the entry pose backed off along the tip's direction and raised by lift
static void im_pre_entry_goal(imState* c, const sfcObs* o, double lift_m) {
  double y[3] = {0, 1, 0}, yw[3], npos[3];
  mju_rotVecQuat(yw, y, c->arc_quat);
  mju_addScl3(npos, c->arc_pos, yw, IM_PRE_ENTRY_M);
  mju_addScl3(npos, npos, o->normal, lift_m);
  im_set_needle_goal(c, npos, c->arc_quat);
}

// the approach: to a way point above the pre-entry pose, so that the tip stays high
static void im_start_approach(imState* c, const sfcObs* o) {
  im_enter(c, IM_APPROACH, IM_CART, o);
  im_capture_hold(c, o);
  im_pre_entry_goal(c, o, IM_HOVER_M);
}

// the swing: withdraw along the shaft, turn to the pre-regrasp joints withdrawn, go in
static void im_swing_leg(imState* c, int leg, const sfcObs* o) {
  double goal[SFC_NJOINT];
  c->leg = leg;
  mju_copy(goal, leg == 0 ? o->q : c->q_pre, SFC_NJOINT);
  if (leg == 0) goal[SFC_AXIS_INSERTION] -= IM_WITHDRAW_M;
  if (leg == 1) {
    goal[SFC_AXIS_INSERTION] = fmin(o->q[SFC_AXIS_INSERTION], c->q_pre[SFC_AXIS_INSERTION]);
  }
  im_enter_joint_leg(c, goal, o);
}

// the commanded arc angle: its reference runs at the skill's speed up to the goal, the
// spring-damper follows it
static int im_arc_advance(imState* c) {
  double speed = c->th[IM_SPEED] * IM_DEG, e;
  c->phi_ref = fmin(c->phi_goal, c->phi_ref + speed * c->host->control_period_s);
  e = c->phi_ref - c->phi;
  im_spring(&c->phi, &c->dphi, &e, 1, c->wn_rad_s, im_saturation(fabs(e), c->wn_rad_s, 4 * speed),
            c->host->control_period_s);
  return c->phi_ref >= c->phi_goal && fabs(c->phi_goal - c->phi) < IM_DEG && fabs(c->dphi) < 0.05;
}

// the commanded tool pose on the arc, with the compliant offset
static void im_arc_command(imState* c) {
  double npos[3], nquat[4];
  im_arc_pose(c, c->phi, npos, nquat);
  mju_addTo3(npos, c->yield_m);
  im_turn(nquat, c->yield_rad);
  im_tool_for(c, npos, nquat, c->cmd_pos, c->cmd_quat);
}

// the arc has run longer than its goal at the skill's speed allows (plus a margin)
static int im_arc_late(const imState* c, const sfcObs* o) {
  return o->time_s - c->t0_s > c->phi_goal / (c->th[IM_SPEED] * IM_DEG) + IM_TIMEOUT_S;
}

// the end of the drive: open the jaws
static int im_drive_step(imState* c, const sfcObs* o) {
  if (!im_arc_advance(c) && !im_arc_late(c, o)) return SFC_RUN;
  if (!o->engaged) return SFC_GIVE_UP;
  im_enter(c, IM_OPEN, IM_CART, o);
  c->jaw = IM_JAW_OPEN;
  return SFC_RUN;
}

// the end of the pull: lift (or turn on while the needle is still in)
static int im_pull_step(imState* c, const sfcObs* o) {
  if (!im_arc_advance(c) && !im_arc_late(c, o)) return SFC_RUN;
  if (o->engaged && c->phi_goal < 2 * mjPI) {
    c->phi_goal += IM_PULL_EXTRA_RAD;
    return SFC_RUN;
  }
  im_enter(c, IM_LIFT, IM_CART, o);
  mju_addScl3(c->ref_pos, c->cmd_pos, o->normal, IM_LIFT_M);
  return SFC_RUN;
}

// joint phase: the swing's three legs, then the reach in along the tool
static int im_swing_step(imState* c, const sfcObs* o) {
  im_joint_advance(c);
  if (!im_joint_arrived(c, o, c->leg < 2) && o->time_s - c->t0_s < IM_TIMEOUT_S) return SFC_RUN;
  if (c->leg < 2) {
    im_swing_leg(c, c->leg + 1, o);
    return SFC_RUN;
  }
  mju_copy3(c->cmd_pos, o->tcp_pos);
  mju_copy4(c->cmd_quat, o->tcp_quat);
  im_enter(c, IM_REACH, IM_CART, o);
  return SFC_RUN;
}

// the drive starts where the needle is commanded now (the tip may have punctured the surface
// short of the aimed point): the arc and its pivot are moved with it
static void im_anchor_drive(imState* c) {
  double npos[3], nquat[4], shift[3];
  mju_mulPose(npos, nquat, c->cmd_pos, c->cmd_quat, c->hold_pos, c->hold_quat);
  mju_sub3(shift, npos, c->arc_pos);
  mju_addTo3(c->pivot, shift);
  mju_copy3(c->arc_pos, npos);
  mju_copy4(c->arc_quat, nquat);
  c->phi_base = 0;
}

// ---- two arms

// the observation as the commanded arm sees it: psm2's tool, axes and grasp in the first arm's
// fields while psm2 is commanded
static void im_view(const imState* c, const sfcObs* o, sfcObs* v) {
  *v = *o;
  if (!c->arm) return;
  mju_copy3(v->tcp_pos, o->tcp2_pos);
  mju_copy4(v->tcp_quat, o->tcp2_quat);
  mju_copy(v->q, o->q2, SFC_NAXIS);
  v->grasped = o->grasped2;
}

// command arm a from now on, from its tool as it stands; the other holds its joints and jaw
static void im_switch(imState* c, int a, const sfcObs* o) {
  double jaw = c->jaw;
  mju_copy(c->q_idle, a ? o->q : o->q2, SFC_NJOINT);
  c->jaw = c->jaw_idle;
  c->jaw_idle = jaw;
  c->arm = a;
  mju_copy3(c->cmd_pos, a ? o->tcp2_pos : o->tcp_pos);
  mju_copy4(c->cmd_quat, a ? o->tcp2_quat : o->tcp_quat);
  mju_zero3(c->cmd_vel);
  mju_zero3(c->cmd_omega);
}

// the idle arm (psm2) withdraws along its shaft by IM_CLEAR_M from its setpoint, within the
// insertion's range: at the start and after giving the needle back, so that psm1's approach to
// an entry does not sweep its jaws through psm2's (an episode whose instruments meet fails)
static void im_withdraw_idle(imState* c, const mjModel* m) {
  const sfcArm* idle = c->arm ? &c->host->arm : &c->host->arm2;
  const double* lim = m->jnt_range + 2 * idle->jnt[SFC_AXIS_INSERTION];
  c->q_idle[SFC_AXIS_INSERTION] = fmax(lim[0], c->q_idle[SFC_AXIS_INSERTION] - IM_CLEAR_M);
}

// the swing (of the commanded arm) to its pre-reach joints c->q_pre
static void im_start_swing(imState* c, const sfcObs* v) {
  c->phase = IM_SWING;
  mju_copy(c->q_cmd, v->q, SFC_NJOINT);
  mju_zero(c->q_vel, SFC_NJOINT);
  im_swing_leg(c, 0, v);
}

#ifndef IM_ABI_V1
// psm1 takes the needle back as psm2 presents it: at the skill's arc angle from the tail, on the
// side it drives with; of the tool-roll branches the one that reaches the pre-take pose and the
// entry pose with this grasp with the most roll room
static void im_plan_take(imState* c, const mjModel* m, const sfcObs* v) {
  const double* lim = m->jnt_range + 2 * im_arm(c)->jnt[SFC_AXIS_ROLL];
  double best = -1e9;
  c->reach_a = c->th[IM_HO_TAKE] * IM_DEG;
  c->side = -1;
  mju_copy(c->q_pre, v->q, SFC_NJOINT);
  for (int branch = -1; branch <= 1; branch++) {
    double q[SFC_NJOINT], q_pre[SFC_NJOINT], tpos[3], tquat[4];
    mju_copy(q, v->q, SFC_NJOINT);
    q[SFC_AXIS_ROLL] = mju_clip(q[SFC_AXIS_ROLL] + 2 * mjPI * branch, lim[0], lim[1]);
    im_pre_grasp(c, c->side, v->needle_pos, v->needle_quat, tpos, tquat);
    double room = im_solve_room(c, m, tpos, tquat, q);
    mju_copy(q_pre, q, SFC_NJOINT);
    im_grasp_tcp(c, c->reach_a, c->side, c->arc_pos, c->arc_quat, tpos, tquat);
    if (room >= 0) room = fmin(room, im_solve_room(c, m, tpos, tquat, q));
    if (room > best) {
      best = room;
      mju_copy(c->q_pre, q_pre, SFC_NJOINT);
    }
  }
}

// a later throw of two arms starts with psm2 holding the needle: it presents it in the entry's
// pose, lifted along the normal by the skill's handover lift
static void im_start_present(imState* c, const sfcObs* v) {
  double npos[3];
  im_enter(c, IM_PRESENT, IM_CART, v);
  im_capture_hold(c, v);
  mju_addScl3(npos, c->arc_pos, v->normal, 0.001 * c->th[IM_HO_LIFT]);
  im_set_needle_goal(c, npos, c->arc_quat);
}
#endif

// a Cartesian phase has arrived (or timed out): the next phase
static int im_cart_next(imState* c, const mjModel* m, const sfcObs* o) {
  double z[3] = {0, 0, 1}, zw[3];
  switch (c->phase) {
    case IM_APPROACH:
      im_enter(c, IM_DESCEND, IM_CART, o);
      im_pre_entry_goal(c, o, 0);
      return SFC_RUN;
    case IM_DESCEND:
      im_enter(c, IM_ALIGN, IM_CART, o);
      im_set_needle_goal(c, c->arc_pos, c->arc_quat);
      return SFC_RUN;
    case IM_ALIGN:
      im_anchor_drive(c);
      im_enter_arc(c, IM_DRIVE_IN, c->th[IM_DRIVE] * IM_DEG, o);
      return SFC_RUN;
    case IM_OPEN:
      if (!o->engaged) return SFC_GIVE_UP;
      c->phi_goal = c->phi_exit + mjPI + IM_PULL_MARGIN_RAD - c->th[IM_DRIVE] * IM_DEG;
      if (c->narm == 2) {
        // psm1 holds where it opened; psm2 swings in to regrasp near the tip
        sfcObs v;
        im_switch(c, 1, c->raw);
        im_view(c, c->raw, &v);
        im_plan_regrasp(c, m, &v);
        im_start_swing(c, &v);
        return SFC_RUN;
      }
      im_plan_regrasp(c, m, o);
      im_enter(c, IM_BACKOFF, IM_CART, o);
      mju_rotVecQuat(zw, z, c->cmd_quat);
      mju_addScl3(c->ref_pos, c->cmd_pos, zw, IM_BACKOFF_M);
      return SFC_RUN;
    case IM_BACKOFF:
      c->phase = IM_SWING;
      mju_copy(c->q_cmd, o->q, SFC_NJOINT);
      mju_zero(c->q_vel, SFC_NJOINT);
      im_swing_leg(c, 0, o);
      return SFC_RUN;
    case IM_REACH:
      im_enter(c, IM_CLOSE, IM_CART, o);
      c->jaw = IM_JAW_CLOSED;
      return SFC_RUN;
    case IM_CLOSE:
      if (!o->grasped) return SFC_GIVE_UP;
      if (c->taking) {
        // psm1 holds the needle with psm2: psm2 lets go
        im_enter(c, IM_GIVE, IM_CART, o);
        c->jaw_idle = IM_JAW_OPEN;
        return SFC_RUN;
      }
      c->phi_base = c->th[IM_DRIVE] * IM_DEG;
      mju_copy3(c->arc_pos, o->needle_pos);
      mju_copy4(c->arc_quat, o->needle_quat);
      mju_copy3(c->pivot, o->needle_pos);
      mju_rotVecQuat(c->axis, z, o->needle_quat);
      im_enter_arc(c, IM_PULL, c->phi_goal, o);
      return SFC_RUN;
    case IM_GIVE:
      if (c->raw->holder != 0) return SFC_GIVE_UP;
      c->taking = 0;
      im_withdraw_idle(c, m);  // psm2, open, out of psm1's way to the entry
      im_start_approach(c, o);
      return SFC_RUN;
#ifndef IM_ABI_V1
    case IM_PRESENT: {
      // psm2 holds the needle where psm1 takes it
      sfcObs v;
      im_switch(c, 0, c->raw);
      im_view(c, c->raw, &v);
      im_plan_take(c, m, &v);
      c->taking = 1;
      im_start_swing(c, &v);
      return SFC_RUN;
    }
#endif
    case IM_LIFT:
#ifndef IM_ABI_V1
      im_enter(c, IM_TENSION_PULL, IM_CART, o);
      mju_copy3(c->pull_from, c->cmd_pos);
      return SFC_RUN;
    case IM_TENSION_PULL:
    case IM_HOLD:
#endif
      im_enter(c, IM_FINISHED, IM_CART, o);
      return SFC_THROW_DONE;
    default:
      return SFC_RUN;
  }
}

#ifndef IM_ABI_V1
// the tensioning pull: the reference moves along the pull direction (elevated by the skill's
// angle above the surface, away from the wound) until the thread's tension reaches the skill's
// or the pull's length is used up; then the tool is held where it is. Returns 1 when the phase
// is over
static int im_tension_step(imState* c, const sfcObs* o, double t_s) {
  if (c->phase == IM_HOLD) return t_s >= IM_HOLD_S;
  double across[3], dir[3], a = c->th[IM_PULL_ANGLE] * IM_DEG;
  mju_sub3(across, o->exit, o->entry);
  mju_addScl3(across, across, o->normal, -mju_dot3(across, o->normal));
  mju_normalize3(across);
  for (int i = 0; i < 3; i++) dir[i] = cos(a) * across[i] + sin(a) * o->normal[i];
  double travel = fmin(IM_TENSION_SPEED_M_S * t_s, IM_TENSION_TRAVEL_M);
  mju_addScl3(c->ref_pos, c->pull_from, dir, travel);
  if (o->thread_tension_N < c->th[IM_TENSION] && travel < IM_TENSION_TRAVEL_M) return 0;
  im_enter(c, IM_HOLD, IM_CART, o);
  mju_copy3(c->ref_pos, o->tcp_pos);
  mju_copy3(c->cmd_pos, o->tcp_pos);
  mju_zero3(c->cmd_vel);
  return 0;
}
#endif

// a Cartesian phase: track its reference; the jaw phases wait for the jaws
static int im_cart_step(imState* c, const mjModel* m, const sfcObs* o) {
  double t_s = o->time_s - c->t0_s;
#ifndef IM_ABI_V1
  if (c->phase == IM_TENSION_PULL || c->phase == IM_HOLD) {
    int over = im_tension_step(c, o, t_s);
    im_cart_advance(c);
    return over ? im_cart_next(c, m, o) : SFC_RUN;
  }
#endif
  if (c->phase == IM_REACH) {
    im_grasp_tcp(c, c->reach_a, c->side, o->needle_pos, o->needle_quat, c->ref_pos, c->ref_quat);
  }
  im_cart_advance(c);
  if (c->phase == IM_FINISHED) return SFC_RUN;
  int jaw_phase = c->phase == IM_OPEN || c->phase == IM_CLOSE || c->phase == IM_GIVE;
  int loose = c->phase == IM_APPROACH || c->phase == IM_DESCEND || c->phase == IM_BACKOFF ||
              c->phase == IM_LIFT || c->phase == IM_PRESENT;
  int done = jaw_phase ? t_s > 0.25 : im_cart_arrived(c, o, loose);
  if (c->phase == IM_ALIGN && o->engaged) done = 1;  // punctured: turn from here
  if (!done && t_s < IM_TIMEOUT_S) return SFC_RUN;
  return im_cart_next(c, m, o);
}

// ---- the ABI functions

static void* im_create(const sfcHost* host) {
  imState* c = calloc(1, sizeof(imState));
  if (!c) return NULL;
  c->host = host;
  c->jacp = calloc((size_t)(3 * host->m->nv), sizeof(mjtNum));
  c->jacr = calloc((size_t)(3 * host->m->nv), sizeof(mjtNum));
  if (!c->jacp || !c->jacr) {
    free(c->jacp);
    free(c->jacr);
    free(c);
    return NULL;
  }
  return c;
}

static void im_destroy(void* state) {
  imState* c = state;
  if (!c) return;
  free(c->jacp);
  free(c->jacr);
  free(c);
}

static void im_reset(void* state, const mjModel* m, const mjData* d, const sfcObs* o,
                     const double* theta) {
  imState* c = state;
  (void)m;
  (void)d;
  memcpy(c->th, theta, sizeof(c->th));
  c->wn_rad_s = 2 * mjPI * c->th[IM_BAND];
  c->throw_index = -1;
  c->jaw = IM_JAW_CLOSED;
  mju_copy3(c->cmd_pos, o->tcp_pos);
  mju_copy4(c->cmd_quat, o->tcp_quat);
  c->narm = IM_ARMS == 2 && o->narm == 2 && c->host->narm == 2 ? 2 : 1;
  c->arm = c->taking = 0;
  if (c->narm == 2) {
    // psm2 waits withdrawn from where it stands, its jaws open
    mju_copy(c->q_idle, o->q2, SFC_NJOINT);
    im_withdraw_idle(c, m);
    c->jaw_idle = IM_JAW_OPEN;
  }
}

// the servo's lag (s) of each joint: its damping (actuator and joint) over its stiffness
static double im_servo_lag_s(const imState* c, const mjModel* m, int i) {
  int a = im_arm(c)->act[i];
  double kp = m->actuator_gainprm[a * mjNGAIN], kv = -m->actuator_biasprm[a * mjNBIAS + 2];
  return kp > 0 ? (kv + m->dof_damping[im_arm(c)->dadr[i]]) / kp : 0;
}

// the commanded tool twist (world): on the arc a turn about the pivot, else the spring's
static void im_cmd_twist(const imState* c, double v[3], double w[3]) {
  if (c->mode != IM_ARC) {
    mju_copy3(v, c->cmd_vel);
    mju_copy3(w, c->cmd_omega);
    return;
  }
  double rel[3];
  mju_scl3(w, c->axis, c->dphi);
  mju_sub3(rel, c->cmd_pos, c->pivot);
  mju_cross(v, w, rel);
}

// velocity feed-forward: the joint rates of the commanded twist (by differencing two IK steps)
// times each servo's lag, so that the arm does not trail the moving command
static void im_rate_feedforward(const imState* c, const mjModel* m, const mjData* d,
                                const double dq0[SFC_NJOINT], double ff[SFC_NJOINT]) {
  double v[3], w[3], pos[3], quat[4], dq1[SFC_NJOINT], h_s = 0.01;
  im_cmd_twist(c, v, w);
  mju_addScl3(pos, c->cmd_pos, v, h_s);
  mju_copy4(quat, c->cmd_quat);
  mju_scl3(w, w, h_s);
  im_turn(quat, w);
  im_ik_step(c, d, pos, quat, dq1);
  for (int i = 0; i < SFC_NJOINT; i++) ff[i] = im_servo_lag_s(c, m, i) * (dq1[i] - dq0[i]) / h_s;
}

// joint setpoints: the joint command, or one IK step towards the commanded tool pose plus the
// load and rate feed-forwards
static void im_command(imState* c, const mjModel* m, const mjData* d, const sfcObs* o,
                       mjtNum* ctrl) {
  double q[SFC_NAXIS], dq[SFC_NJOINT], ff[SFC_NJOINT], fr[SFC_NJOINT];
  mju_copy(q, o->q, SFC_NAXIS);
  if (c->mode == IM_JOINT) {
    for (int i = 0; i < SFC_NJOINT; i++) {
      q[i] = c->q_cmd[i] + im_servo_lag_s(c, m, i) * c->q_vel[i];
    }
  } else {
    im_ik_step(c, d, c->cmd_pos, c->cmd_quat, dq);
    im_load_feedforward(c, m, d, o, ff);
    im_rate_feedforward(c, m, d, dq, fr);
    for (int i = 0; i < SFC_NJOINT; i++) q[i] += dq[i] + ff[i] + fr[i];
  }
  q[SFC_AXIS_JAW] = c->jaw;
  im_servo(c, c->arm, d, q, ctrl);

  // the other arm (two arms) holds its joints and jaws
  if (c->narm == 2) {
    double qi[SFC_NAXIS];
    mju_copy(qi, c->q_idle, SFC_NJOINT);
    qi[SFC_AXIS_JAW] = c->jaw_idle;
    im_servo(c, 1 - c->arm, d, qi, ctrl);
  }
}

static int im_step(void* state, const mjModel* m, const mjData* d, const sfcObs* raw,
                   mjtNum* ctrl) {
  imState* c = state;
  sfcObs view, *o = &view;
  c->raw = raw;
  im_view(c, raw, o);

  // a new throw: plan its entry, approach from where the tool is (two arms, a later throw:
  // psm2 holds the needle and presents it to psm1 first)
  if (o->throw_index != c->throw_index) {
    c->throw_index = o->throw_index;
    mju_copy3(c->cmd_pos, o->tcp_pos);
    mju_copy4(c->cmd_quat, o->tcp_quat);
    im_plan_entry(c, o);
#ifndef IM_ABI_V1
    if (c->narm == 2 && o->throw_index > 0) {
      im_start_present(c, o);
    } else
#endif
    {
      c->jaw = IM_JAW_CLOSED;
      im_start_approach(c, o);
    }
  }

  // the phase: its impedance dynamics and arrival
  int ret = SFC_RUN;
  im_yield_update(c, o);
  if (c->mode == IM_JOINT) {
    ret = im_swing_step(c, o);
  } else if (c->mode == IM_ARC) {
    ret = c->phase == IM_DRIVE_IN ? im_drive_step(c, o) : im_pull_step(c, o);
    if (c->mode == IM_ARC) im_arc_command(c);
  } else {
    ret = im_cart_step(c, m, o);
  }
  im_view(c, raw, o);  // the phase may have changed the commanded arm
  im_command(c, m, d, o, ctrl);
  return ret;
}

// the table suturefleet reads
static const sfcController kImpedanceArc = {
#ifdef IM_ABI_V1
    .abi_version = 1,
#else
    .abi_version = SFC_ABI_VERSION,
#endif
    .size = sizeof(sfcController),
    .name = "impedance-arc",
    .description = "compliant suturing: impedance-driven arc, yields to lateral tissue wrench",
    .nparam = IM_N,
    .param = kParams,
    .has_aim = 1,
    .aim = {IM_DX, IM_DY, IM_DZ},
    .aim_z_per_chord = IM_AIM_Z_PER_CHORD,
    .create = im_create,
    .reset = im_reset,
    .step = im_step,
    .destroy = im_destroy,
#ifndef IM_ABI_V1
    .arms = 2,
#endif
};

SFC_EXPORT const sfcController* suturefleet_controller_entry(void) {
  return &kImpedanceArc;
}
