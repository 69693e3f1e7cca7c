// test_needle.c: needle geometry: arc points and tangents, the closest arc point, grasp poses
// on either side of the jaws, frame helpers.
#include "sf_test.h"

#include <mujoco/mujoco.h>

#include "needle.h"

#define DEG (3.141592653589793 / 180.0)
#define PI 3.141592653589793
#define R 0.009

// the arc: tail (r, 0, 0) at 0, top (0, r, 0) at 90 deg, tip (-r, 0, 0) at 180 deg; tangents
// unit, perpendicular to the radius, pointing the way the tip leads (turning about +z)
static void test_arc(void** state) {
  mjtNum p[3], t[3];
  sf_needle_point(R, 0, p);
  assert_near(p[0], R, 1e-15);
  assert_near(p[1], 0, 1e-15);
  sf_needle_point(R, PI / 2, p);
  assert_near(p[0], 0, 1e-15);
  assert_near(p[1], R, 1e-15);
  sf_needle_point(R, PI, p);
  assert_near(p[0], -R, 1e-15);
  assert_near(p[1], 0, 1e-15);
  for (int k = 0; k <= 12; k++) {
    double a = k * 15 * DEG;
    sf_needle_point(R, a, p);
    sf_needle_tangent(a, t);
    assert_near(mju_norm3(t), 1, 1e-15);
    assert_near(mju_dot3(p, t), 0, 1e-15);
    assert_near(p[2], 0, 0);
    mjtNum c[3];
    mju_cross(c, p, t);  // radius x tangent = +z r
    assert_near(c[2], R, 1e-15);
  }
}

// closest arc point: on the arc 0; above the plane by h: h; the centre: r; beyond the ends
// (angles below 0) the nearer end: (0, -r) is sqrt(2) r from the tail, (-r, -r) is r from
// the tip
static void test_closest(void** state) {
  mjtNum a = -1, q[3];
  sf_needle_point(R, 70 * DEG, q);
  assert_near(sf_needle_closest(R, q, &a), 0, 1e-15);
  assert_near(a, 70 * DEG, 1e-12);
  q[2] = 0.002;
  assert_near(sf_needle_closest(R, q, &a), 0.002, 1e-15);
  const mjtNum centre[3] = {0, 0, 0}, below[3] = {0, -R, 0}, tip_side[3] = {-R, -R, 0};
  assert_near(sf_needle_closest(R, centre, NULL), R, 1e-15);
  assert_near(sf_needle_closest(R, below, &a), sqrt(2) * R, 1e-15);
  assert_near(a, 0, 0);
  assert_near(sf_needle_closest(R, tip_side, &a), R, 1e-15);
  assert_near(a, PI, 0);
}

// grasp poses at several angles, tilts and both sides: the grasped point at the tcp origin,
// the wire along tcp y, the needle's normal -z of the tcp tilted about the wire, the centre r
// away on the side's x; side -1 is side +1 turned half a turn about the tcp z
static void test_grasp_pose(void** state) {
  const double angles[] = {0, 15 * DEG, 25 * DEG, 35 * DEG, 90 * DEG};
  const double tilts[] = {-5 * DEG, 0, 2.5 * DEG, 5 * DEG};
  for (size_t i = 0; i < sizeof(angles) / sizeof(angles[0]); i++) {
    for (size_t j = 0; j < sizeof(tilts) / sizeof(tilts[0]); j++) {
      double a = angles[i], tilt = tilts[j];
      mjtNum pos[2][3], quat[2][4];
      for (int k = 0; k < 2; k++) {
        int side = k ? -1 : 1;
        mjtNum *p = pos[k], *q = quat[k], g[3], gl[3], tl[3], tw[3], nl[3] = {0, 0, 1}, nw[3];
        sf_grasp_pose(R, a, tilt, side, p, q);
        assert_near(mju_norm(q, 4), 1, 1e-15);

        // grasped point to the origin; centre r away, on the side's x
        sf_needle_point(R, a, gl);
        sf_frame_point(p, q, gl, g);
        assert_near(mju_norm3(g), 0, 1e-12);
        assert_near(mju_norm3(p), R, 1e-15);
        assert_near(p[0], side * R * cos(tilt), 1e-12);
        assert_near(fabs(p[2]), R * fabs(sin(tilt)), 1e-12);

        // wire along y; normal -z tilted about y (no y component)
        sf_needle_tangent(a, tl);
        mju_rotVecQuat(tw, tl, q);
        assert_near(fabs(tw[1]), 1, 1e-12);
        mju_rotVecQuat(nw, nl, q);
        assert_near(nw[1], 0, 1e-12);
        assert_near(nw[2], -cos(tilt), 1e-12);
      }

      // the other side: turned half a turn about z
      assert_near(pos[1][0], -pos[0][0], 1e-15);
      assert_near(pos[1][1], -pos[0][1], 1e-15);
      assert_near(pos[1][2], pos[0][2], 1e-15);
      mjtNum z[3] = {0, 0, 1}, qz[4], turned[4];
      mju_axisAngle2Quat(qz, z, PI);
      mju_mulQuat(turned, qz, quat[0]);
      double dot = fabs(mju_dot(turned, quat[1], 4));
      assert_near(dot, 1, 1e-12);
    }
  }
}

// frame helpers: a point of a frame, and a pose relative to another that composes back
static void test_frames(void** state) {
  mjtNum apos[3] = {0.1, -0.2, 0.3}, aquat[4], bpos[3] = {-0.05, 0.02, 0.04}, bquat[4];
  mjtNum ax[3] = {1, 2, 3}, bx[3] = {-2, 0.5, 1};
  mju_normalize3(ax);
  mju_normalize3(bx);
  mju_axisAngle2Quat(aquat, ax, 0.8);
  mju_axisAngle2Quat(bquat, bx, -1.9);
  mjtNum p[3] = {0.01, 0, 0}, out[3];
  sf_frame_point(apos, aquat, p, out);
  assert_near(mju_dist3(out, apos), 0.01, 1e-15);

  mjtNum rpos[3], rquat[4], cpos[3], cquat[4];
  sf_pose_relative(apos, aquat, bpos, bquat, rpos, rquat);
  mju_mulPose(cpos, cquat, apos, aquat, rpos, rquat);
  assert_near(mju_dist3(cpos, bpos), 0, 1e-15);
  assert_near(fabs(mju_dot(cquat, bquat, 4)), 1, 1e-15);

  // relative to itself: the identity
  sf_pose_relative(apos, aquat, apos, aquat, rpos, rquat);
  assert_near(mju_norm3(rpos), 0, 1e-15);
  assert_near(fabs(rquat[0]), 1, 1e-15);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_arc),
      cmocka_unit_test(test_closest),
      cmocka_unit_test(test_grasp_pose),
      cmocka_unit_test(test_frames),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
