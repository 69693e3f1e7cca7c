// test_tissue.c: the needle-tissue model on a hand-made pad with a needle driven by hand (no
// MuJoCo stepping): puncture threshold and indentation force, friction without trauma for a
// needle turning about its own centre and axis, tearing by sideways sweeps, elastic
// restoring force, pulling out.
#include "sf_test.h"

#include <mujoco/mujoco.h>

#include "needle.h"
#include "tissue.h"

#define R 0.009    // needle radius (m)
#define DT 0.0005  // step (s)
#define DEG (3.141592653589793 / 180.0)
#define PI 3.141592653589793

// arc length per sample: the half circle in 24 intervals, 9 mm * pi / 24 = 1.1781 mm
#define DS (R * PI / (SF_NEEDLE_SAMPLES - 1))

// a 40 x 40 x 10 mm pad centred on x = y = 0, top at z = 10 mm; puncture at 1.0 N with a
// 1000 N/m surface (1 mm of indentation), friction 2000 N s/m^2, cut 0.2 N, lateral
// 2e5 N/m^2, elastic up to 0.15 mm
static sfTissueParams pad(void) {
  sfTissueParams p = {.top_z_m = 0.010,
                      .bottom_z_m = 0.0,
                      .center_m = {0, 0},
                      .half_m = {0.02, 0.02},
                      .puncture_N = 1.0,
                      .indent_k_N_m = 1000,
                      .friction_Ns_m2 = 2000,
                      .cut_N = 0.2,
                      .lateral_k_N_m2 = 2e5,
                      .tear_m = 0.00015};
  return p;
}

// the needle standing in the x-z plane, turned +90 deg about world x: needle x -> world x,
// needle y -> world z, needle z (its axis) -> world -y. The tip (-r, 0, 0) sits at the
// centre's height, r to the -x side, and moves straight down (its tangent (0, -1, 0) -> world
// (0, 0, -1)); the tail (r, 0, 0) is r to the +x side. With the centre at x = 12 mm the tail
// (x = 21 mm) is off the pad, the tip (x = 3 mm) over it. turn is the needle's own rotation
// about its axis (tip first)
typedef struct needle_ {
  mjtNum pos[3];
  mjtNum quat[4];
} needle;

static needle standing(double z, double turn) {
  needle n = {{0.012, 0, z}, {0}};
  mjtNum x[3] = {1, 0, 0}, zl[3] = {0, 0, 1}, q0[4], qt[4];
  mju_axisAngle2Quat(q0, x, PI / 2);
  mju_axisAngle2Quat(qt, zl, turn);
  mju_mulQuat(n.quat, q0, qt);
  return n;
}

static void step(const sfTissueParams* p, sfTissueState* s, const needle* n) {
  sf_tissue_step(p, R, s, n->pos, n->quat, DT);
}

// the tip's world position
static void tip_of(const needle* n, mjtNum tip[3]) {
  mjtNum local[3];
  sf_needle_point(R, PI, local);
  sf_frame_point(n->pos, n->quat, local, tip);
}

// the geometry the tests rely on: tip at the centre's height moving down, axis along -y
static void test_needle_pose(void** state) {
  needle n = standing(0.0105, 0);
  mjtNum tip[3], z[3] = {0, 0, 1}, axis[3], t[3], tl[3];
  tip_of(&n, tip);
  assert_near(tip[0], 0.003, 1e-15);
  assert_near(tip[1], 0, 1e-15);
  assert_near(tip[2], 0.0105, 1e-15);
  mju_rotVecQuat(axis, z, n.quat);
  assert_near(axis[1], -1, 1e-15);
  sf_needle_tangent(PI, tl);
  mju_rotVecQuat(t, tl, n.quat);
  assert_near(t[2], -1, 1e-15);

  // turned by 30 deg, the tip is r sin 30 = 4.5 mm below the centre and r (1 - cos 30) = 1.21
  // mm further in
  n = standing(0.0105, 30 * DEG);
  tip_of(&n, tip);
  assert_near(tip[2], 0.0105 - 0.0045, 1e-15);
  assert_near(tip[0], 0.012 - R * cos(30 * DEG), 1e-15);
}

// the pad volume: top and bottom, sides, all exclusive
static void test_contains(void** state) {
  sfTissueParams p = pad();
  const mjtNum in[3] = {0.019, -0.019, 0.0099}, top[3] = {0, 0, 0.010}, side[3] = {0.02, 0, 0.005};
  const mjtNum under[3] = {0, 0, 0.0}, out[3] = {0, 0.021, 0.005};
  assert_true(sf_tissue_contains(&p, in));
  assert_false(sf_tissue_contains(&p, top));
  assert_false(sf_tissue_contains(&p, side));
  assert_false(sf_tissue_contains(&p, under));
  assert_false(sf_tissue_contains(&p, out));
}

// push the tip straight down in 0.1 mm steps (0.2 m/s), from 0.15 mm above the surface: until
// the indentation force k * depth exceeds 1.0 N the surface pushes back with exactly that
// force, straight up, at the tip (torque about the centre (-r, 0, 0) x (0, 0, f) = (0, r f, 0)),
// and the needle is not engaged. At 0.95 mm it is 0.95 N; at 1.05 mm 1.05 N > 1.0 N: punctured.
// The state is left engaged at 1.05 mm in *s (and the needle's height in *z)
static void puncture(const sfTissueParams* p, sfTissueState* s, double* z, int verbose) {
  sf_tissue_reset(s);
  double z0 = p->top_z_m + 0.00015;
  needle n = standing(z0, 0);
  step(p, s, &n);  // the first call records the pose
  for (int j = 1; j <= 12; j++) {
    n = standing(z0 - 0.0001 * j, 0);
    step(p, s, &n);
    double depth = p->top_z_m - n.pos[2];
    if (verbose) {
      print_message("depth %+.2f mm: engaged %d force %.6f N\n", 1000 * depth, s->engaged,
                    s->force[2]);
    }
    if (j < 12) {
      // not yet: the force of the indented surface (none above it)
      double f = depth > 0 ? p->indent_k_N_m * depth : 0;
      assert_int_equal(s->engaged, 0);
      assert_int_equal(s->punctures, 0);
      assert_int_equal(s->tip_inside, depth > 0);
      assert_near(s->force[0], 0, 1e-15);
      assert_near(s->force[1], 0, 1e-15);
      assert_near(s->force[2], f, 1e-12);
      assert_near(s->torque[0], 0, 1e-15);
      assert_near(s->torque[1], R * f, 1e-12);
      assert_near(s->torque[2], 0, 1e-15);
      assert_true(f < p->puncture_N);
      assert_near(s->dimple_m, depth > 0 ? depth : 0, 1e-15);  // the surface follows the tip
    } else {
      assert_near(depth, 0.00105, 1e-12);
      assert_true(p->indent_k_N_m * depth > p->puncture_N);
      assert_int_equal(s->engaged, 1);
      assert_int_equal(s->punctures, 1);
      assert_near(s->dimple_m, 0, 0);  // punctured: the surface is back
    }
  }
  *z = n.pos[2];
}

static void test_puncture_threshold(void** state) {
  sfTissueParams p = pad();
  sfTissueState s;
  double z;
  puncture(&p, &s, &z, 1);

  // at the puncture only the tip is in (its neighbour on the arc is r sin 7.5 deg = 1.17 mm
  // higher, above the surface; the tail is off the pad). The surface no longer pushes; the
  // tissue resists the advancing tip with friction over its half sample, 2000 N s/m^2 *
  // (1.1781 mm / 2) * 0.2 m/s = 0.23562 N, plus the cutting force 0.2 N, both along the needle
  assert_int_equal(s.inside, 1);
  assert_near(s.force[2], 2000 * (DS / 2) * 0.2 + 0.2, 1e-9);
  assert_near(s.force[0], 0, 1e-12);
  assert_near(s.force[1], 0, 1e-12);
  assert_near(s.peak_force_N, 0.95, 1e-12);  // the largest was the last indentation
  assert_near(s.trauma_mm2, 0, 0);

  // the tunnel is the needle's circle at the puncture: its centre and axis
  assert_near(s.tunnel_c[0], 0.012, 1e-15);
  assert_near(s.tunnel_c[2], z, 1e-15);
  assert_near(s.tunnel_n[1], -1, 1e-15);

  // a stiffer surface punctures sooner: at 2000 N/m, 0.55 mm gives 1.1 N
  sfTissueParams stiff = pad();
  stiff.indent_k_N_m = 2000;
  sf_tissue_reset(&s);
  needle n = standing(stiff.top_z_m + 0.00015, 0);
  step(&stiff, &s, &n);
  int engaged_at = 0;
  for (int j = 1; j <= 12 && !engaged_at; j++) {
    n = standing(stiff.top_z_m + 0.00015 - 0.0001 * j, 0);
    step(&stiff, &s, &n);
    if (s.engaged) engaged_at = j;
  }
  assert_int_equal(engaged_at, 7);  // depth 0.55 mm
}

// a support that yields (1000 N/m, the soft scene's suturefleet_skin_k) in series with the
// 1000 N/m indentation halves the surface's stiffness: the tip pushed down as in puncture()
// feels 500 N/m * depth, the surface follows it down (the dimple is the depth), and the
// needle punctures only past 2 mm (2.05 mm: 1.025 N), not at 1.05 mm
static void test_yielding_support(void** state) {
  sfTissueParams p = pad();
  p.support_k_N_m = 1000;
  sfTissueState s;
  sf_tissue_reset(&s);
  double z0 = p.top_z_m + 0.00015;
  needle n = standing(z0, 0);
  step(&p, &s, &n);
  int engaged_at = 0;
  for (int j = 1; j <= 30 && !engaged_at; j++) {
    n = standing(z0 - 0.0001 * j, 0);
    step(&p, &s, &n);
    double depth = p.top_z_m - n.pos[2];
    if (s.engaged) {
      engaged_at = j;
      assert_near(s.dimple_m, 0, 0);
    } else {
      assert_near(s.force[2], depth > 0 ? 500 * depth : 0, 1e-12);
      assert_near(s.dimple_m, depth > 0 ? depth : 0, 1e-15);
    }
  }
  assert_int_equal(engaged_at, 22);  // depth 2.05 mm
}

// turn the needle about its own axis from turn0 by dturn per step, nstep steps, from the pose
// at height z; returns the last pose
static needle turn(const sfTissueParams* p, sfTissueState* s, double z, double turn0, double dturn,
                   int nstep) {
  needle n = standing(z, turn0);
  for (int j = 1; j <= nstep; j++) {
    n = standing(z, turn0 + j * dturn);
    step(p, s, &n);
  }
  return n;
}

// after the puncture the needle turns about its own centre and axis, 1 deg per step, 30 deg:
// every sample stays on the tunnel circle, so no tissue tears, while friction resists the
// motion. Each sample inside moves r sin(1 deg) along its tangent per step, so friction gives a
// torque about the axis of -r * friction * (r sin(1 deg) / dt) * L, L the needle length inside
// (samples weighted ds, the tip ds / 2), and the cut at the tip adds -r * cut
static void test_turn_about_own_axis_no_trauma(void** state) {
  sfTissueParams p = pad();
  sfTissueState s;
  double z;
  puncture(&p, &s, &z, 0);
  mjtNum axis[3] = {0, -1, 0};
  int last_inside = s.inside;
  for (int j = 1; j <= 30; j++) {
    needle n = standing(z, j * DEG);
    step(&p, &s, &n);
    double len = DS * (s.inside - 0.5);  // the tip is in, the tail never is
    double want = -R * (p.friction_Ns_m2 * (R * sin(DEG) / DT) * len + p.cut_N);
    assert_near(mju_dot3(s.torque, axis), want, 1e-9);
    assert_true(mju_norm3(s.force) > p.cut_N / 2);
    assert_true(s.trauma_mm2 < 1e-12);
    assert_int_equal(s.engaged, 1);
    assert_true(s.inside >= last_inside);
    last_inside = s.inside;
  }

  // 30 deg in: samples at arc angles 150 .. 180 deg (k = 20 .. 24) are under the surface
  // (150 + 30 = 180 deg is at the centre's height, 1.05 mm deep); 142.5 + 30 = 172.5 deg is
  // r sin 7.5 deg = 1.17 mm above the centre, above the surface
  assert_int_equal(s.inside, 5);
  assert_near(s.trauma_mm2, 0, 1e-12);
  print_message("30 deg in: %d samples inside, torque about the axis %.6f N m, force %.4f N\n",
                s.inside, mju_dot3(s.torque, axis), mju_norm3(s.force));
}

// from the 30 deg state, move the needle sideways (along its axis, world y) by d in 0.05 mm
// steps; returns the state
static sfTissueState sweep(const sfTissueParams* p, const sfTissueState* s0, double z, double d) {
  sfTissueState s = *s0;
  int nstep = (int)lround(d / 0.00005);
  for (int j = 1; j <= nstep; j++) {
    needle n = standing(z, 30 * DEG);
    n.pos[1] = 0.00005 * j;
    step(p, &s, &n);
  }
  return s;
}

// the state 30 deg into the tissue (5 samples inside), and its height
static sfTissueState driven_in(const sfTissueParams* p, double* z) {
  sfTissueState s;
  puncture(p, &s, z, 0);
  turn(p, &s, *z, 0, DEG, 30);
  assert_int_equal(s.inside, 5);
  return s;
}

// sideways sweeps tear: displacement beyond the 0.15 mm elastic limit times the needle
// length inside. Every step's excess drags the tunnel along, so a sweep of d tears
// (d - 0.15 mm) * 4.5 samples * 1.1781 mm = (d - 0.15 mm) * 5.3014 mm (the tip sample, an end
// of the needle, counts ds / 2 as in the forces): 0.3 mm -> 0.7952, 0.6 mm -> 2.3856,
// 1.0 mm -> 4.5062 mm^2
static void test_sideways_sweep_tears(void** state) {
  sfTissueParams p = pad();
  double z;
  sfTissueState s0 = driven_in(&p, &z);
  const double d[3] = {0.0003, 0.0006, 0.0010};
  double trauma[3];
  for (int i = 0; i < 3; i++) {
    sfTissueState s = sweep(&p, &s0, z, d[i]);
    trauma[i] = s.trauma_mm2;
    print_message("sweep %.1f mm: trauma %.4f mm^2, force %.5f N\n", 1000 * d[i], trauma[i],
                  s.force[1]);
    // the area swept while beyond the limit, to within the one 0.05 mm step that crosses it
    assert_near(trauma[i], 1000 * (d[i] - p.tear_m) * 4.5 * 1000 * DS,
                1000 * 0.00005 * 4.5 * 1000 * DS);

    // the tunnel was dragged by the excess; the needle is held at the elastic limit with
    // lateral_k * tear * (4.5 samples * ds) = 2e5 * 0.15 mm * 5.3014 mm = 0.15904 N, back
    assert_near(s.tunnel_c[1], d[i] - p.tear_m, 1e-12);
    assert_near(s.force[1], -p.lateral_k_N_m2 * p.tear_m * 4.5 * DS, 1e-9);
    assert_int_equal(s.engaged, 1);
  }
  assert_true(trauma[0] < trauma[1] && trauma[1] < trauma[2]);
}

// within the elastic limit nothing tears, and the tissue pushes back in proportion to
// lateral_k and the displacement: 0.1 mm -> 2e5 * 0.1 mm * 5.3014 mm = 0.10603 N; twice the
// stiffness, twice the force
static void test_elastic_sweep(void** state) {
  sfTissueParams p = pad();
  double z;
  sfTissueState s0 = driven_in(&p, &z);
  sfTissueState s = sweep(&p, &s0, z, 0.0001);
  assert_near(s.trauma_mm2, 0, 0);
  assert_near(s.force[1], -p.lateral_k_N_m2 * 0.0001 * 4.5 * DS, 1e-9);
  assert_near(s.tunnel_c[1], 0, 0);  // the tunnel stays

  sfTissueParams stiff = p;
  stiff.lateral_k_N_m2 = 2 * p.lateral_k_N_m2;
  sfTissueState t = sweep(&stiff, &s0, z, 0.0001);
  assert_near(t.force[1] / s.force[1], 2, 1e-12);
  assert_near(t.trauma_mm2, 0, 0);

  // back to the middle: no sideways force left, and at rest no force at all
  needle n = standing(z, 30 * DEG);
  step(&p, &s, &n);
  assert_near(s.force[1], 0, 1e-12);
  step(&p, &s, &n);
  assert_near(mju_norm3(s.force), 0, 1e-12);
}

// a purely sideways motion does not advance the tip, so it meets no cutting force: the force
// along the tip's direction is the friction of its (zero) speed along the needle, 0. The
// needle's points are computed as R p + pos, so the rounding of the additions leaves a speed
// along the needle of about 1e-17 m/s; a cut switched on by any positive speed would add the
// full 0.2 N
static void test_sideways_motion_does_not_cut(void** state) {
  sfTissueParams p = pad();
  double z;
  sfTissueState s0 = driven_in(&p, &z);
  mjtNum tip_dir[3], tl[3];
  needle n = standing(z, 30 * DEG);
  sf_needle_tangent(PI, tl);
  mju_rotVecQuat(tip_dir, tl, n.quat);
  double worst = 0;
  sfTissueState s = s0;
  const double y[] = {0.00005, 0.0001, 0.00005, 0, -0.00005, 0};  // out and back, both ways
  for (size_t j = 0; j < sizeof(y) / sizeof(y[0]); j++) {
    n.pos[1] = y[j];
    step(&p, &s, &n);
    worst = fmax(worst, fabs(mju_dot3(s.force, tip_dir)));
  }
  print_message("largest force along the tip over sideways steps: %.3g N\n", worst);
  assert_true(worst < 1e-6);
}

// pulling the needle back out along its arc: engaged while the tip is under the surface, free
// once nothing is inside. The tip is r sin(-turn) above the centre, the surface 1.05 mm above
// it: the tip leaves when sin(-turn) > 1.05 / 9, turn < -6.70 deg; so engaged at -6 deg, free
// at -7 deg. A pure turn about the own axis, in and out, tears nothing
static void test_pull_out(void** state) {
  sfTissueParams p = pad();
  double z;
  sfTissueState s = driven_in(&p, &z);
  for (int deg = 29; deg >= -7; deg--) {
    needle n = standing(z, deg * DEG);
    step(&p, &s, &n);
    if (deg >= -6) {
      assert_int_equal(s.engaged, 1);
      assert_int_equal(s.tip_inside, 1);
    }
  }
  assert_int_equal(s.engaged, 0);
  assert_int_equal(s.inside, 0);
  assert_int_equal(s.tip_inside, 0);
  assert_near(mju_norm3(s.force), 0, 0);
  assert_true(s.trauma_mm2 < 1e-12);
  assert_int_equal(s.punctures, 1);
}

// the first step only records the pose, even deep in the tissue; sf_tissue_hold moves the
// recorded pose without motion, so a needle held still feels no friction
static void test_first_step_and_hold(void** state) {
  sfTissueParams p = pad();
  sfTissueState s;
  sf_tissue_reset(&s);
  needle n = standing(0.005, 0);  // tip 5 mm deep
  step(&p, &s, &n);
  assert_int_equal(s.engaged, 0);
  assert_near(mju_norm3(s.force), 0, 0);
  assert_int_equal(s.has_prev, 1);

  // standing still 5 mm deep: 5 N > 1 N, punctured, and no motion: no force
  step(&p, &s, &n);
  assert_int_equal(s.engaged, 1);
  assert_near(mju_norm3(s.force), 0, 1e-12);

  // held elsewhere (the jaws let go and the tissue holds it): the next step from there is
  // without motion
  needle m = standing(0.005, 10 * DEG);
  sf_tissue_hold(&s, m.pos, m.quat);
  assert_near(mju_norm3(s.force), 0, 0);
  step(&p, &s, &m);
  assert_near(mju_norm3(s.force), 0, 1e-9);
  assert_true(s.trauma_mm2 < 1e-12);
}

// the standing needle turned by yaw about the vertical line through its centre (x = 12 mm)
static needle yawed(double z, double turn, double yaw) {
  needle n = standing(z, turn);
  mjtNum up[3] = {0, 0, 1}, qy[4], q[4];
  mju_axisAngle2Quat(qy, up, yaw);
  mju_mulQuat(q, qy, n.quat);
  mju_copy4(n.quat, q);
  return n;
}

// tissue tears when the needle moves, not while it is held still. Driven 120 deg in (16 samples
// inside, on both sides of the centre), the needle is turned 3 deg about the vertical through
// its centre in one step (its two halves move sideways in opposite directions, about 0.47 mm
// at the ends, beyond the 0.15 mm limit: that step tears), then held in that pose for 1 s
// (2000 steps): nothing moves, so the trauma after 1 s held is what it was after 0.1 s, not
// growing with the time held
static void test_held_needle_tears_no_more(void** state) {
  sfTissueParams p = pad();
  sfTissueState s;
  double z;
  puncture(&p, &s, &z, 0);
  turn(&p, &s, z, 0, DEG, 120);
  assert_int_equal(s.inside, 16);
  assert_near(s.trauma_mm2, 0, 1e-12);
  needle n = yawed(z, 120 * DEG, 3 * DEG);
  double after[4];
  const int at[4] = {1, 10, 200, 2000};
  for (int j = 1, k = 0; j <= 2000; j++) {
    step(&p, &s, &n);
    if (j == at[k]) after[k++] = s.trauma_mm2;
  }
  print_message("trauma after 1, 10, 200, 2000 steps held: %.4f %.4f %.4f %.4f mm^2\n", after[0],
                after[1], after[2], after[3]);
  assert_true(after[0] > 0);
  if (after[3] > after[2] + 1e-6) {
    known_bug(
        "sim/tissue.c:158 the tunnel follows the needle by the mean excess only, so a "
        "turned needle's opposite excesses are counted again every step");
  }
  assert_near(after[3], after[2], 1e-6);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_needle_pose),
      cmocka_unit_test(test_contains),
      cmocka_unit_test(test_puncture_threshold),
      cmocka_unit_test(test_yielding_support),
      cmocka_unit_test(test_turn_about_own_axis_no_trauma),
      cmocka_unit_test(test_sideways_sweep_tears),
      cmocka_unit_test(test_elastic_sweep),
      cmocka_unit_test(test_sideways_motion_does_not_cut),
      cmocka_unit_test(test_pull_out),
      cmocka_unit_test(test_first_step_and_hold),
      cmocka_unit_test(test_held_needle_tears_no_more),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
