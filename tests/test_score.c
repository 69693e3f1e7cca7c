// test_score.c: SRC scoring of a throw from the needle tip's path, on hand-made holes: entry
// and exit crossings, lateral errors, order, pair, tolerance, tip stand-out, re-insertions.
#include "sf_test.h"

#include <mujoco/mujoco.h>

#include "score.h"

// two pairs 8 mm apart along x, holes 6 mm either side of the wound (y), all on the plane
// z = 0 with the world's orientation (z = tissue normal):
//   pair 0: entry (0, -6, 0) mm, exit (0, 6, 0) mm; pair 1: entry (8, -6, 0), exit (8, 6, 0)
static sfHoles holes(void) {
  sfHoles h;
  memset(&h, 0, sizeof(h));
  h.npair = 2;
  for (int i = 0; i < 2; i++) {
    mjtNum e[3] = {0.008 * i, -0.006, 0}, x[3] = {0.008 * i, 0.006, 0};
    mju_copy3(h.entry_pos[i], e);
    mju_copy3(h.exit_pos[i], x);
    for (int k = 0; k < 3; k++) h.entry_mat[i][4 * k] = h.exit_mat[i][4 * k] = 1;
  }
  return h;
}

// move the tip from a to b (mm)
static void move(sfThrowScore* s, const sfHoles* h, double ax, double ay, double az, double bx,
                 double by, double bz) {
  mjtNum a[3] = {ax / 1000, ay / 1000, az / 1000}, b[3] = {bx / 1000, by / 1000, bz / 1000};
  sf_score_update(s, h, a, b);
}

// a good throw at pair 0, by hand:
//   in:  (1, -7, 1) -> (1, -5, -1): crosses z = 0 half way, at (1, -6, 0): 1 mm from entry 0
//   under the tissue: (1, -5, -1) -> (-0.5, 5.5, -1): no crossing
//   out: (-0.5, 5.5, -1) -> (-0.5, 7.5, 3): crosses a quarter of the way, at (-0.5, 6, 0):
//        0.5 mm from exit 0; the tip is then |(0, 1.5, 3)| = 3.354 mm from the exit point
static void good_throw(sfThrowScore* s, const sfHoles* h) {
  sf_score_reset(s, 0);
  move(s, h, 1, -7, 1, 1, -5, -1);
  move(s, h, 1, -5, -1, -0.5, 5.5, -1);
  move(s, h, -0.5, 5.5, -1, -0.5, 7.5, 3);
}

// entry then exit at pair 0: scored with the hand-computed errors; SRC's criteria are met once
// the tip stands out 5 mm
static void test_good_throw(void** state) {
  sfHoles h = holes();
  sfThrowScore s;
  good_throw(&s, &h);
  assert_int_equal(s.pair, 0);
  assert_int_equal(s.inserted, 1);
  assert_int_equal(s.exited, 1);
  assert_int_equal(s.order_error, 0);
  assert_int_equal(s.insertions, 1);
  assert_int_equal(s.entry_pair, 0);
  assert_int_equal(s.exit_pair, 0);
  assert_near(s.entry_pt[0], 0.001, 1e-15);
  assert_near(s.entry_pt[1], -0.006, 1e-15);
  assert_near(s.entry_pt[2], 0, 1e-15);
  assert_near(s.exit_pt[0], -0.0005, 1e-15);
  assert_near(s.exit_pt[1], 0.006, 1e-15);
  assert_near(s.exit_pt[2], 0, 1e-15);
  assert_near(s.entry_err_mm, 1.0, 1e-12);
  assert_near(s.exit_err_mm, 0.5, 1e-12);
  assert_near(s.tip_out_mm, sqrt(1.5 * 1.5 + 3 * 3), 1e-12);

  // 3.354 mm out is not enough
  assert_false(sf_score_throw_ok(&s, 2.5));

  // further out: (-0.5, 8, 6) is |(0, 2, 6)| = 6.325 mm from the exit point
  move(&s, &h, -0.5, 7.5, 3, -0.5, 8, 6);
  assert_near(s.tip_out_mm, sqrt(2 * 2 + 6 * 6), 1e-12);
  assert_true(sf_score_throw_ok(&s, 2.5));

  // the tolerance applies to both errors (1.0 and 0.5 mm)
  assert_true(sf_score_throw_ok(&s, 1.001));
  assert_false(sf_score_throw_ok(&s, 0.999));

  // tip_out is the largest distance so far: coming back does not shrink it
  move(&s, &h, -0.5, 8, 6, -0.5, 7, 1);
  assert_near(s.tip_out_mm, sqrt(2 * 2 + 6 * 6), 1e-12);
}

// tip stand-out counts only above the exit plane; 4.999 mm straight above the exit point is not
// enough, 5.001 mm is
static void test_tip_out_threshold(void** state) {
  sfHoles h = holes();
  sfThrowScore s;
  good_throw(&s, &h);
  move(&s, &h, -0.5, 7.5, 3, -0.5, 6, 4.999);
  assert_false(sf_score_throw_ok(&s, 2.5));
  assert_near(s.tip_out_mm, 4.999, 1e-12);
  move(&s, &h, -0.5, 6, 4.999, -0.5, 6, 5.001);
  assert_near(s.tip_out_mm, 5.001, 1e-12);
  assert_true(sf_score_throw_ok(&s, 2.5));

  // below the plane nothing counts, however far: a tip 9 mm under the exit point
  sf_score_reset(&s, 0);
  move(&s, &h, 0, -6, 1, 0, -6, -1);
  move(&s, &h, 0, -6, -1, 0, 6, -1);
  move(&s, &h, 0, 6, -1, 0, 6, 1);  // exit, 1 mm out
  move(&s, &h, 0, 6, 1, 0, 6, -9);  // back down under the plane
  assert_near(s.tip_out_mm, 1, 1e-12);
}

// wrong order: the tip comes up through the exit plane before any insertion; an entry and an
// exit after that do not repair the throw
static void test_wrong_order(void** state) {
  sfHoles h = holes();
  sfThrowScore s;
  sf_score_reset(&s, 0);
  move(&s, &h, 0, 6, -1, 0, 6, 1);  // up at exit 0 first
  assert_int_equal(s.order_error, 1);
  assert_int_equal(s.exited, 0);  // not an exit: nothing was inserted
  move(&s, &h, 0, 6, 1, 0, -6, 1);
  move(&s, &h, 0, -6, 1, 0, -6, -1);
  move(&s, &h, 0, -6, -1, 0, 6, -1);
  move(&s, &h, 0, 6, -1, 0, 6, 8);
  assert_int_equal(s.inserted, 1);
  assert_int_equal(s.exited, 1);
  assert_near(s.entry_err_mm, 0, 1e-12);
  assert_near(s.exit_err_mm, 0, 1e-12);
  assert_near(s.tip_out_mm, 8, 1e-12);
  assert_int_equal(s.order_error, 1);
  assert_false(sf_score_throw_ok(&s, 2.5));
}

// wrong pair: a throw meant for pair 0 that goes in and out at 4.1 mm along x is nearest pair 1
// (3.9 mm from its holes, 4.1 mm from pair 0's): it fails even with a tolerance of 5 mm, which
// both errors (4.1 mm to pair 0) meet
static void test_wrong_pair(void** state) {
  sfHoles h = holes();
  sfThrowScore s;
  sf_score_reset(&s, 0);
  move(&s, &h, 4.1, -6, 1, 4.1, -6, -1);
  move(&s, &h, 4.1, -6, -1, 4.1, 6, -1);
  move(&s, &h, 4.1, 6, -1, 4.1, 6, 6);
  assert_int_equal(s.inserted, 1);
  assert_int_equal(s.exited, 1);
  assert_int_equal(s.entry_pair, 1);
  assert_int_equal(s.exit_pair, 1);
  assert_near(s.entry_err_mm, 4.1, 1e-12);  // to the pair it was meant for
  assert_near(s.exit_err_mm, 4.1, 1e-12);
  assert_false(sf_score_throw_ok(&s, 5.0));

  // the same path scored for pair 1 is good: 3.9 mm errors within a 5 mm tolerance
  sfThrowScore t;
  sf_score_reset(&t, 1);
  move(&t, &h, 4.1, -6, 1, 4.1, -6, -1);
  move(&t, &h, 4.1, -6, -1, 4.1, 6, -1);
  move(&t, &h, 4.1, 6, -1, 4.1, 6, 6);
  assert_near(t.entry_err_mm, 3.9, 1e-12);
  assert_true(sf_score_throw_ok(&t, 5.0));

  // an entry at pair 1 and an exit at pair 0 fails on the entry's pair alone
  sf_score_reset(&s, 0);
  move(&s, &h, 8, -6, 1, 8, -6, -1);
  move(&s, &h, 8, -6, -1, 0, 6, -1);
  move(&s, &h, 0, 6, -1, 0, 6, 6);
  assert_int_equal(s.entry_pair, 1);
  assert_int_equal(s.exit_pair, 0);
  assert_false(sf_score_throw_ok(&s, 100));

  // an entry at pair 0 and an exit at pair 1 fails on the exit's pair alone
  sf_score_reset(&s, 0);
  move(&s, &h, 0, -6, 1, 0, -6, -1);
  move(&s, &h, 0, -6, -1, 8, 6, -1);
  move(&s, &h, 8, 6, -1, 8, 6, 6);
  assert_int_equal(s.entry_pair, 0);
  assert_int_equal(s.exit_pair, 1);
  assert_false(sf_score_throw_ok(&s, 100));
}

// a missed hole: an insertion 4 mm from entry 0 (at (0, -10, 0); pair 1's entry is
// |(8, 4)| = 8.94 mm away, so pair 0 is still nearest) fails with SRC's 2.5 mm, passes with a
// tolerance just over 4 mm
static void test_missed_hole(void** state) {
  sfHoles h = holes();
  sfThrowScore s;
  sf_score_reset(&s, 0);
  move(&s, &h, 0, -10, 2, 0, -10, -2);
  move(&s, &h, 0, -10, -2, 0, 6, -2);
  move(&s, &h, 0, 6, -2, 0, 6, 6);
  assert_int_equal(s.entry_pair, 0);
  assert_near(s.entry_err_mm, 4.0, 1e-12);
  assert_near(s.exit_err_mm, 0.0, 1e-12);
  assert_false(sf_score_throw_ok(&s, 2.5));
  assert_false(sf_score_throw_ok(&s, 3.999));
  assert_true(sf_score_throw_ok(&s, 4.001));
}

// once released, the tip's stand-out is frozen: later motion away from the exit adds nothing
static void test_release_freezes_tip_out(void** state) {
  sfHoles h = holes();
  sfThrowScore s;
  good_throw(&s, &h);
  double before = s.tip_out_mm;
  s.released = 1;
  move(&s, &h, -0.5, 7.5, 3, -0.5, 9, 20);
  assert_near(s.tip_out_mm, before, 0);
  assert_false(sf_score_throw_ok(&s, 2.5));  // it was 3.354 mm out when let go
}

// a re-insertion: out through the entry plane and in again counts two insertions; the first
// one is the one scored
static void test_reinsertion(void** state) {
  sfHoles h = holes();
  sfThrowScore s;
  sf_score_reset(&s, 0);
  move(&s, &h, 2, -6, 1, 2, -6, -1);   // in, 2 mm off
  move(&s, &h, 2, -6, -1, 2, -6, 1);   // back out (up through the plane, near the entry)
  move(&s, &h, 2, -6, 1, 0.5, -6, 1);  // correct the aim
  move(&s, &h, 0.5, -6, 1, 0.5, -6, -1);
  assert_int_equal(s.insertions, 2);
  assert_near(s.entry_err_mm, 2.0, 1e-12);
  assert_near(s.entry_pt[0], 0.002, 1e-15);

  // coming up near the entry counts as the exit (the exit plane is the same plane here) at
  // |(2, -6) - (0, 6)| = 12.17 mm from exit 0, whose nearest exit is still pair 0
  assert_int_equal(s.exited, 1);
  assert_near(s.exit_err_mm, sqrt(2 * 2 + 12 * 12), 1e-12);
}

// a crossing exactly onto the plane counts (the tip reaching z = 0), and a segment that stays
// on one side does not
// a needle withdrawn the way it came (the tip back down through the exit after standing 5 mm
// out) is no throw, however good the entry and exit were; staying above the plane is fine
static void test_backed_out(void** state) {
  sfHoles h = holes();
  sfThrowScore s;
  good_throw(&s, &h);
  move(&s, &h, -0.5, 7.5, 3, -0.5, 7.5, 6);    // 6.5 mm out
  move(&s, &h, -0.5, 7.5, 6, -0.5, 7.5, 0.5);  // lowered, still above the plane
  assert_true(sf_score_throw_ok(&s, 2.5));
  assert_int_equal(s.backed_out, 0);
  move(&s, &h, -0.5, 7.5, 0.5, -0.5, 6.5, -1);  // back into its track
  assert_int_equal(s.backed_out, 1);
  assert_false(sf_score_throw_ok(&s, 2.5));
}

static void test_crossing_edges(void** state) {
  sfHoles h = holes();
  sfThrowScore s;
  sf_score_reset(&s, 0);
  move(&s, &h, 0, -6, 2, 0, -6, 0.001);
  assert_int_equal(s.inserted, 0);
  move(&s, &h, 0, -6, 0.001, 0.3, -6, 0);
  assert_int_equal(s.inserted, 1);
  assert_near(s.entry_err_mm, 0.3, 1e-12);
  move(&s, &h, 0.3, -6, 0, 0.3, -6, -1);  // from on the plane further down: not a new crossing
  assert_int_equal(s.insertions, 1);
}

// the lateral error is measured in the hole's own x-y plane: for a hole whose normal is world
// x (frame turned 90 deg about y), an offset along x is along the normal and does not count
static void test_lateral_in_hole_frame(void** state) {
  mjtNum pos[3] = {0.01, 0.02, 0.03}, mat[9], q[4], y[3] = {0, 1, 0};
  mju_axisAngle2Quat(q, y, 3.141592653589793 / 2);
  mju_quat2Mat(mat, q);  // columns: x -> (0, 0, -1), y -> (0, 1, 0), z -> (1, 0, 0)
  mjtNum along_normal[3] = {0.015, 0.02, 0.03}, sideways[3] = {0.01, 0.023, 0.034};
  assert_near(sf_score_lateral_mm(pos, mat, along_normal), 0, 1e-12);
  assert_near(sf_score_lateral_mm(pos, mat, sideways), 5.0, 1e-12);  // |(3, 4)| mm

  // and a crossing of such a tilted plane: going down means against its normal (-x here)
  sfHoles h = holes();
  for (int i = 0; i < 2; i++) mju_copy(h.entry_mat[i], mat, 9);
  sfThrowScore s;
  sf_score_reset(&s, 0);
  move(&s, &h, 1, -6, 0, -1, -6, 0);  // from +x to -x through the entry plane x = 0
  assert_int_equal(s.inserted, 1);
  assert_near(s.entry_err_mm, 0, 1e-12);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_good_throw),     cmocka_unit_test(test_tip_out_threshold),
      cmocka_unit_test(test_wrong_order),    cmocka_unit_test(test_wrong_pair),
      cmocka_unit_test(test_missed_hole),    cmocka_unit_test(test_release_freezes_tip_out),
      cmocka_unit_test(test_reinsertion),    cmocka_unit_test(test_backed_out),
      cmocka_unit_test(test_crossing_edges), cmocka_unit_test(test_lateral_in_hole_frame),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
