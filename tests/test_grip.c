// test_grip.c: who holds the needle (sim/grip.h) on constructed jaw poses: one arm letting go
// and catching again, a handover between two arms (caught by the receiver while the giver
// holds, then the giver opens), a receiver that closes beside the needle or on a part of it in
// the tissue (a miss: the needle stays with the giver), a receiver that opens again (no pass),
// and the needle dropped when both let go outside the tissue but not while the tissue holds it.
#include "sf_test.h"

#include <mujoco/mujoco.h>

#include "grip.h"
#include "needle.h"

#define R 0.009     // needle radius (m)
#define OPEN 0.6    // an open jaw (rad)
#define CLOSED 0.0  // a closed one

static const mjtNum kPos[3] = {0.01, -0.02, 0.03};  // the needle's pose
static const mjtNum kQuat[4] = {1, 0, 0, 0};

// jaws whose tcp is at arc angle a of the needle (plus off, world), with the given opening
static sfJaws jaws_at(mjtNum a, const mjtNum off[3], mjtNum opening) {
  sfJaws j = {.tcp_quat = {1, 0, 0, 0}, .opening = opening};
  mjtNum local[3];
  sf_needle_point(R, a, local);
  sf_frame_point(kPos, kQuat, local, j.tcp_pos);
  if (off) mju_addTo3(j.tcp_pos, off);
  return j;
}

// arm 0 holds the needle at arc angle 0.5 (rad from the tail)
static sfGrip held_by_first(int narm, sfJaws* j) {
  sfGrip g;
  j[0] = jaws_at(0.5, NULL, CLOSED);
  mjtNum rel_pos[3], rel_quat[4];
  sf_pose_relative(j[0].tcp_pos, j[0].tcp_quat, kPos, kQuat, rel_pos, rel_quat);
  sf_grip_reset(&g, narm, 0, rel_pos, rel_quat);
  return g;
}

static int step(sfGrip* g, const sfJaws* j, int engaged, mjtNum t) {
  return sf_grip_step(g, j, kPos, kQuat, R, engaged, NULL, NULL, t);
}

static int always_inside(const void* ctx, const mjtNum x[3]) {
  (void)ctx, (void)x;
  return 1;
}

// arm 1's jaws come open to arc angle 2.5 (plus off) at t, then close there at t + 0.1;
// returns what the closing did
static int receiver_closes(sfGrip* g, sfJaws* j, const mjtNum off[3], int engaged,
                           int (*inside)(const void* ctx, const mjtNum x[3]), mjtNum t) {
  j[1] = jaws_at(2.5, off, OPEN);
  sf_grip_step(g, j, kPos, kQuat, R, engaged, inside, NULL, t);
  j[1].opening = CLOSED;
  return sf_grip_step(g, j, kPos, kQuat, R, engaged, inside, NULL, t + 0.1);
}

// one arm: open in the tissue (no drop), close on the needle again: held, following the jaws
static void one_arm_lets_go_and_catches(void** state) {
  (void)state;
  sfJaws j[1];
  sfGrip g = held_by_first(1, j);
  j[0].opening = OPEN;
  assert_int_equal(step(&g, j, 1, 0.1), SF_GRIP_RELEASED);
  assert_int_equal(g.held[0], 0);
  j[0] = jaws_at(2.6, NULL, CLOSED);
  assert_int_equal(step(&g, j, 1, 0.2), SF_GRIP_CAUGHT);
  assert_int_equal(g.lead, 0);
  j[0].tcp_pos[2] += 0.005;  // the jaws move: the needle goes with them
  mjtNum pos[3], quat[4];
  sf_grip_needle(&g, j, pos, quat);
  assert_near(pos[2], kPos[2] + 0.005, 1e-12);
  assert_int_equal(g.handovers, 0);
}

// two arms: the receiver closes on the needle while the giver holds it, the giver opens: one
// handover, timed from the catch, the needle now following the receiver
static void handover_passes_the_needle(void** state) {
  (void)state;
  sfJaws j[2];
  sfGrip g = held_by_first(2, j);
  j[1] = jaws_at(2.5, NULL, OPEN);
  assert_int_equal(step(&g, j, 0, 1.0), 0);
  j[1].opening = CLOSED;
  assert_int_equal(step(&g, j, 0, 1.1), SF_GRIP_CAUGHT);
  assert_true(g.held[0] && g.held[1]);
  assert_int_equal(g.lead, 0);  // both hold: it follows the giver
  j[0].opening = OPEN;
  assert_int_equal(step(&g, j, 0, 1.4), SF_GRIP_RELEASED | SF_GRIP_PASSED);
  assert_int_equal(g.lead, 1);
  assert_int_equal(g.handovers, 1);
  assert_near(g.handover_s, 0.3, 1e-12);
  j[1].tcp_pos[0] += 0.004;
  mjtNum pos[3], quat[4];
  sf_grip_needle(&g, j, pos, quat);
  assert_near(pos[0], kPos[0] + 0.004, 1e-12);
}

// a receiver closing 2 mm beside the arc misses (capture 1 mm); the giver, opening, drops it
static void receiver_misses_then_drop(void** state) {
  (void)state;
  sfJaws j[2];
  sfGrip g = held_by_first(2, j);
  const mjtNum off[3] = {0, 0, 0.002};
  assert_int_equal(receiver_closes(&g, j, off, 0, NULL, 1.0), SF_GRIP_MISSED);
  assert_int_equal(g.handover_missed, 1);
  assert_int_equal(g.held[1], 0);
  j[0].opening = OPEN;
  assert_int_equal(step(&g, j, 0, 1.2), SF_GRIP_RELEASED | SF_GRIP_DROPPED);
  assert_int_equal(g.handovers, 0);
}

// within 0.9 mm the receiver catches; on a point inside the tissue it misses
static void capture_tolerance_and_tissue(void** state) {
  (void)state;
  sfJaws j[2];
  sfGrip g = held_by_first(2, j);
  const mjtNum off[3] = {0, 0, 0.0009};
  assert_int_equal(receiver_closes(&g, j, off, 0, NULL, 0), SF_GRIP_CAUGHT);
  g = held_by_first(2, j);
  assert_int_equal(receiver_closes(&g, j, NULL, 0, always_inside, 0), SF_GRIP_MISSED);
}

// the receiver catches and opens again: no pass, the giver still leads; both then let go:
// dropped outside the tissue, not while the tissue holds the needle
static void both_release(void** state) {
  (void)state;
  for (int engaged = 0; engaged < 2; engaged++) {
    sfJaws j[2];
    sfGrip g = held_by_first(2, j);
    assert_int_equal(receiver_closes(&g, j, NULL, engaged, NULL, 0), SF_GRIP_CAUGHT);
    j[1].opening = OPEN;
    assert_int_equal(step(&g, j, engaged, 0.2), SF_GRIP_RELEASED);
    assert_int_equal(g.lead, 0);
    assert_int_equal(g.handovers, 0);
    j[0].opening = OPEN;
    int ev = step(&g, j, engaged, 0.3);
    assert_int_equal(ev, engaged ? SF_GRIP_RELEASED : SF_GRIP_RELEASED | SF_GRIP_DROPPED);
    assert_false(g.held[0] || g.held[1]);
  }
}

// the jaws must have opened since their last attempt: closed jaws moved onto the needle do not
// catch it
static void closed_jaws_do_not_catch(void** state) {
  (void)state;
  sfJaws j[2];
  sfGrip g = held_by_first(2, j);
  assert_int_equal(receiver_closes(&g, j, NULL, 0, NULL, 0), SF_GRIP_CAUGHT);
  j[1].opening = OPEN;
  step(&g, j, 0, 0.2);  // let go
  const mjtNum off[3] = {0, 0, 0.01};
  j[1] = jaws_at(2.5, off, CLOSED);  // closed away from it (a miss) ...
  assert_int_equal(step(&g, j, 0, 0.3), SF_GRIP_MISSED);
  j[1] = jaws_at(2.5, NULL, CLOSED);  // ... then moved onto it still closed
  assert_int_equal(step(&g, j, 0, 0.4), 0);
  assert_int_equal(g.held[1], 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(one_arm_lets_go_and_catches),
      cmocka_unit_test(handover_passes_the_needle),
      cmocka_unit_test(receiver_misses_then_drop),
      cmocka_unit_test(capture_tolerance_and_tissue),
      cmocka_unit_test(both_release),
      cmocka_unit_test(closed_jaws_do_not_catch),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
