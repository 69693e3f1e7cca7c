// test_ik.c: PSM inverse kinematics (sf_ik_solve): random reachable poses are solved back from
// perturbed joints, for the tool centre point and for a frame offset from it (a grasped
// needle); the pose error measure; joint limits hold.
#include "sf_test.h"

#include <mujoco/mujoco.h>

#include "arm.h"
#include "ik.h"
#include "needle.h"
#include "rng.h"
#include "scene.h"

#define SCENE SF_MODEL_DIR "/suture_scene.xml"
#define DEG (3.141592653589793 / 180.0)

// the scene and a solver, shared by the group
typedef struct fixture_ {
  sfScene s;
  sfIk ik;
  mjData* d;
} fixture;

static int setup(void** state) {
  static fixture f;
  sfError e = {{0}};
  if (sf_scene_load(&f.s, SCENE, &e) != SF_OK) {
    print_error("setup: %s\n", e.msg);
    return -1;
  }
  f.d = mj_makeData(f.s.m);
  if (!f.d) return -1;
  sf_ik_make(&f.ik, f.s.m);
  *state = &f;
  return 0;
}

static int teardown(void** state) {
  fixture* f = *state;
  sf_ik_free(&f->ik);
  sf_ik_free(&f->ik);  // freeing twice is allowed
  mj_deleteData(f->d);
  sf_scene_free(&f->s);
  return 0;
}

// angle (rad) of the rotation between two orientations: 2 atan2(|v|, |w|) of a^-1 b (precise
// for small angles, unlike acos of the dot product)
static double quat_angle(const mjtNum a[4], const mjtNum b[4]) {
  mjtNum inv[4], q[4];
  mju_negQuat(inv, a);
  mju_mulQuat(q, inv, b);
  return 2 * atan2(sqrt(q[1] * q[1] + q[2] * q[2] + q[3] * q[3]), fabs(q[0]));
}

// the error measure: position difference, and the rotation vector taking the current
// orientation to the target (world): a 0.3 rad turn about world z reads (0, 0, 0.3)
static void test_pose_error(void** state) {
  mjtNum pos[3] = {0.01, 0.02, 0.03}, tpos[3] = {0.011, 0.018, 0.033}, err[6];
  mjtNum q[4], tq[4], z[3] = {0, 0, 1}, x[3] = {1, 0, 0}, qz[4];
  mju_axisAngle2Quat(q, x, 0.7);
  mju_axisAngle2Quat(qz, z, 0.3);
  mju_mulQuat(tq, qz, q);  // turned about world z after q
  sf_ik_error(pos, q, tpos, tq, err);
  assert_near(err[0], 0.001, 1e-15);
  assert_near(err[1], -0.002, 1e-15);
  assert_near(err[2], 0.003, 1e-15);
  assert_near(err[3], 0, 1e-12);
  assert_near(err[4], 0, 1e-12);
  assert_near(err[5], 0.3, 1e-12);

  // the short way round: q and -q are the same orientation
  mjtNum neg[4] = {-tq[0], -tq[1], -tq[2], -tq[3]};
  sf_ik_error(pos, q, tpos, neg, err);
  assert_near(err[5], 0.3, 1e-12);
}

// the world pose of the frame at offset (opos, oquat) from the tcp site, by forward kinematics
// (after mj_kinematics), computed here independently of sf_ik_frame
static void frame_pose(const mjModel* m, const mjData* d, const sfArm* arm, const mjtNum opos[3],
                       const mjtNum oquat[4], mjtNum pos[3], mjtNum quat[4]) {
  const mjtNum* sp = d->site_xpos + 3 * arm->tcp_site;
  const mjtNum* sm = d->site_xmat + 9 * arm->tcp_site;
  mjtNum sq[4], off[3];
  mju_rotVecMat(off, opos, sm);
  mju_add3(pos, sp, off);
  mju_mat2Quat(sq, sm);
  mju_mulQuat(quat, sq, oquat);
}

// joint i of the arm uniform in the middle 70 % of its range ("well inside")
static double inside_range(const mjModel* m, const sfArm* arm, int i, sfRng* r) {
  const mjtNum* range = m->jnt_range + 2 * arm->jnt[i];
  double mid = 0.5 * (range[0] + range[1]), half = 0.35 * (range[1] - range[0]);
  return sf_rng_range(r, mid - half, mid + half);
}

// solve n random poses of the frame at offset (opos, oquat) from the tcp: joints drawn well
// inside their ranges give a pose by forward kinematics; the joints are then perturbed by up to
// 0.3 rad (15 mm for the insertion) and the solver brings the frame back. The pose reached is
// measured independently of the solver (forward kinematics of its joints, frame_pose, angle
// between quaternions); worst errors are returned
static void solve_random(fixture* f, const mjtNum opos[3], const mjtNum oquat[4], uint64_t seed,
                         int n, int iters, double* worst_pos_m, double* worst_rot_rad,
                         int* failures) {
  const mjModel* m = f->s.m;
  const sfArm* arm = &f->s.arm;
  mjData* d = f->d;
  sfRng r;
  sf_rng_init(&r, seed, 0, 0, SF_STREAM_BENCH);
  *worst_pos_m = *worst_rot_rad = 0;
  *failures = 0;
  for (int k = 0; k < n; k++) {
    // a reachable target
    mj_resetDataKeyframe(m, d, f->s.home_key);
    for (int i = 0; i < SF_NJOINT; i++) d->qpos[arm->qadr[i]] = inside_range(m, arm, i, &r);
    mj_kinematics(m, d);
    mjtNum tpos[3], tquat[4], fpos[3], fquat[4];
    frame_pose(m, d, arm, opos, oquat, tpos, tquat);
    sf_ik_frame(m, d, arm, opos, oquat, fpos, fquat);
    assert_near(mju_dist3(fpos, tpos), 0, 1e-15);
    assert_near(quat_angle(fquat, tquat), 0, 1e-12);

    // perturbed start, clamped to the ranges
    for (int i = 0; i < SF_NJOINT; i++) {
      const mjtNum* range = m->jnt_range + 2 * arm->jnt[i];
      double amp = i == SF_AXIS_INSERTION ? 0.015 : 0.3;
      mjtNum* q = d->qpos + arm->qadr[i];
      *q = mju_clip(*q + sf_rng_range(&r, -amp, amp), range[0], range[1]);
    }

    // solve, then measure what was reached
    mjtNum perr, rerr;
    int ok =
        sf_ik_solve(&f->ik, m, d, arm, opos, oquat, tpos, tquat, iters, 1e-6, 1e-5, &perr, &rerr);
    ok = ok || iters < 20;  // a short budget is judged by the pose alone
    mj_kinematics(m, d);
    mjtNum pos[3], quat[4];
    frame_pose(m, d, arm, opos, oquat, pos, quat);
    double dp = mju_dist3(pos, tpos), dr = quat_angle(quat, tquat);
    if (!ok || dp > 1e-4 || dr > DEG) {
      (*failures)++;
      print_error("pose %d: converged %d, position error %.3g mm, rotation error %.3g deg\n", k, ok,
                  1000 * dp, dr / DEG);
    }
    *worst_pos_m = fmax(*worst_pos_m, dp);
    *worst_rot_rad = fmax(*worst_rot_rad, dr);

    // the solver's own report agrees with the measurement, and the joints are within range
    assert_near(perr, dp, 1e-12);
    assert_near(rerr, dr, 1e-12);
    for (int i = 0; i < SF_NJOINT; i++) {
      const mjtNum* range = m->jnt_range + 2 * arm->jnt[i];
      assert_true(d->qpos[arm->qadr[i]] >= range[0] && d->qpos[arm->qadr[i]] <= range[1]);
    }
  }
}

// 200 poses of the tool centre point: every one within 0.1 mm and 1 deg
static void test_ik_tcp_random_poses(void** state) {
  fixture* f = *state;
  mjtNum zero[3] = {0, 0, 0}, unit[4] = {1, 0, 0, 0};
  double wp, wr;
  int failures;
  solve_random(f, zero, unit, 2026, 200, 200, &wp, &wr, &failures);
  print_message(
      "tcp, 200 poses: worst position error %.3g mm, worst rotation error %.3g deg, "
      "%d outside 0.1 mm / 1 deg\n",
      1000 * wp, wr / DEG, failures);
  assert_int_equal(failures, 0);
  assert_true(wp <= 1e-4);
  assert_true(wr <= DEG);
}

// 200 poses of a grasped needle's frame (grasp 25 deg from the tail, tilt 3 deg, side -1: the
// needle's centre 9 mm from the tcp), the frame the controller steers
static void test_ik_needle_frame_random_poses(void** state) {
  fixture* f = *state;
  mjtNum opos[3], oquat[4];
  sf_grasp_pose(0.009, 25 * DEG, 3 * DEG, -1, opos, oquat);
  assert_near(mju_norm3(opos), 0.009, 1e-12);
  double wp, wr;
  int failures;
  solve_random(f, opos, oquat, 7, 200, 200, &wp, &wr, &failures);
  print_message(
      "needle frame, 200 poses: worst position error %.3g mm, worst rotation error "
      "%.3g deg, %d outside 0.1 mm / 1 deg\n",
      1000 * wp, wr / DEG, failures);
  assert_int_equal(failures, 0);
  assert_true(wp <= 1e-4);
  assert_true(wr <= DEG);
}

// damped least squares on the right Jacobian converges fast: 5 iterations bring all 200 needle
// frame poses within 0.1 mm and 1 deg (3 suffice for these)
static void test_ik_converges_fast(void** state) {
  fixture* f = *state;
  mjtNum opos[3], oquat[4];
  sf_grasp_pose(0.009, 25 * DEG, 3 * DEG, -1, opos, oquat);
  double wp, wr;
  int failures;
  solve_random(f, opos, oquat, 7, 200, 5, &wp, &wr, &failures);
  print_message("needle frame, 5 iterations: worst %.3g mm, %.3g deg\n", 1000 * wp, wr / DEG);
  assert_int_equal(failures, 0);
}

// an unreachable target (30 cm below the table): the solver reports failure, keeps the joints
// within their ranges, and its reported error is the true remaining error
static void test_ik_unreachable(void** state) {
  fixture* f = *state;
  const mjModel* m = f->s.m;
  const sfArm* arm = &f->s.arm;
  mjData* d = f->d;
  mj_resetDataKeyframe(m, d, f->s.home_key);
  mjtNum zero[3] = {0, 0, 0}, unit[4] = {1, 0, 0, 0}, tpos[3] = {0, 0, -0.3}, perr, rerr;
  int ok = sf_ik_solve(&f->ik, m, d, arm, zero, unit, tpos, unit, 50, 1e-6, 1e-5, &perr, &rerr);
  assert_int_equal(ok, 0);
  mjtNum pos[3], quat[4];
  mj_kinematics(m, d);
  frame_pose(m, d, arm, zero, unit, pos, quat);
  assert_near(perr, mju_dist3(pos, tpos), 1e-12);
  assert_true(perr > 0.05);
  for (int i = 0; i < SF_NJOINT; i++) {
    const mjtNum* range = m->jnt_range + 2 * arm->jnt[i];
    assert_true(d->qpos[arm->qadr[i]] >= range[0] && d->qpos[arm->qadr[i]] <= range[1]);
  }
}

// a target already reached: converged at once, joints untouched
static void test_ik_already_there(void** state) {
  fixture* f = *state;
  const mjModel* m = f->s.m;
  const sfArm* arm = &f->s.arm;
  mjData* d = f->d;
  mj_resetDataKeyframe(m, d, f->s.home_key);
  mj_kinematics(m, d);
  mjtNum zero[3] = {0, 0, 0}, unit[4] = {1, 0, 0, 0}, tpos[3], tquat[4], q0[SF_NJOINT];
  sf_ik_frame(m, d, arm, zero, unit, tpos, tquat);
  for (int i = 0; i < SF_NJOINT; i++) q0[i] = d->qpos[arm->qadr[i]];
  assert_int_equal(
      sf_ik_solve(&f->ik, m, d, arm, zero, unit, tpos, tquat, 10, 1e-9, 1e-9, NULL, NULL), 1);
  for (int i = 0; i < SF_NJOINT; i++) assert_true(d->qpos[arm->qadr[i]] == q0[i]);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_pose_error),
      cmocka_unit_test(test_ik_tcp_random_poses),
      cmocka_unit_test(test_ik_needle_frame_random_poses),
      cmocka_unit_test(test_ik_converges_fast),
      cmocka_unit_test(test_ik_unreachable),
      cmocka_unit_test(test_ik_already_there),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
