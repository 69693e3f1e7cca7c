// test_suture.c: the thread and wound model (sim/suture.h) on constructed stitches and needle
// positions, against values worked out by hand: the edge's beam-on-foundation displacement,
// closure against tension and against spacing, the thread's path and length, the tunnel of a
// needle driven through the tissue model, the tension of a
// pull (slack, then closing, then stretching), the capstan loss of a pull off the tunnel's
// tangent, cut-through at its threshold, and the load a later stitch passes back.
#include "sf_test.h"

#include <mujoco/mujoco.h>

#include "needle.h"
#include "suture.h"
#include "tissue.h"

#define BETA SF_SUTURE_BETA_1_M
#define PI 3.14159265358979323846
#define PI_4 (PI / 4)
#define K 45e3     // foundation modulus (N/m^2)
#define GAP 0.003  // initial gap (m)

// the wound along x through the origin; 3 mm gap; strength 4 N; 8 mm slack; mu 0.25
static sfSutureParams params(void) {
  sfSutureParams p = {.gap0_m = GAP,
                      .edge_k_N_m2 = K,
                      .strength_N = 4,
                      .slack_m = 0.008,
                      .mu = 0.25,
                      .wound_pos = {0, 0, 0},
                      .wound_dir = {1, 0, 0}};
  return p;
}

// one stitch at x = s across the wound: entry 6 mm before it (y = -6 mm), exit 6 mm beyond,
// the tunnel 3 mm deep, leaving the exit straight up (+z)
static void pass_at(const sfSutureParams* p, sfSutureState* st, double s, const double tail[3]) {
  const double entry[3] = {s, -0.006, 0}, mid[3] = {s, 0, -0.003}, exit[3] = {s, 0.006, 0};
  const double up[3] = {0, 0, 1};
  sf_suture_pass(p, st, entry, mid, exit, up, 0.0131, tail);
}

// a stitch locked at tension t (passed, tension set by hand, throw over)
static void stitch_at(const sfSutureParams* p, sfSutureState* st, double s, double t) {
  const double tail[3] = {s, 0.006, 0};
  pass_at(p, st, s, tail);
  st->st[st->n - 1].tension_N = t;
  sf_suture_lock(st);
}

// w(x) = T beta / (2k) e^(-beta|x|) (cos beta|x| + sin beta|x|): at 0, at beta x = pi/4 and
// pi/2, symmetric in x, linear in T
static void test_edge_displacement(void** state) {
  double w0 = 1.0 * BETA / (2 * K);  // 1.667 mm per N
  assert_near(sf_suture_edge_w(1, K, 0), w0, 1e-15);
  double x = (PI_4 / BETA);
  assert_near(sf_suture_edge_w(1, K, x), w0 * exp(-PI_4) * (cos(PI_4) + sin(PI_4)), 1e-15);
  assert_near(sf_suture_edge_w(1, K, -x), sf_suture_edge_w(1, K, x), 1e-18);
  assert_near(sf_suture_edge_w(1, K, 2 * x), w0 * exp(-2 * PI_4), 1e-15);  // cos = 0, sin = 1
  assert_near(sf_suture_edge_w(2.5, K, x), 2.5 * sf_suture_edge_w(1, K, x), 1e-15);
}

// closure by hand for one stitch at tension T: the gap at x is max(0, GAP - 2 w(x)), the span
// is [-4 mm, 4 mm] in 33 samples; closure rises with T, reaches 1 once 2 w(4 mm) >= GAP
static void test_closure_against_tension(void** state) {
  sfSutureParams p = params();
  double last = -1;
  for (double t = 0.2; t <= 3.0; t += 0.2) {
    sfSutureState st;
    sf_suture_reset(&st);
    stitch_at(&p, &st, 0, t);
    double mean = 0, worst = 1;
    for (int k = 0; k < SF_SUTURE_SAMPLES; k++) {
      double x = -SF_SUTURE_SPAN_M + 2 * SF_SUTURE_SPAN_M * k / (SF_SUTURE_SAMPLES - 1);
      double c = 1 - fmax(0, GAP - 2 * sf_suture_edge_w(t, K, x)) / GAP;
      mean += c / SF_SUTURE_SAMPLES, worst = fmin(worst, c);
    }
    double m, w;
    sf_suture_closure(&p, &st, &m, &w);
    assert_near(m, mean, 1e-12);
    assert_near(w, worst, 1e-12);
    assert_near(sf_suture_gap(&p, &st, 0), fmax(0, GAP - t * BETA / K), 1e-15);
    assert_true(m >= last);
    last = m;
  }
  assert_near(last, 1, 0);  // 3 N: 2 w(4 mm) = 3 x 3.33 mm x 0.76 > 3 mm

  // no stitch passed: nothing is closed
  sfSutureState none;
  sf_suture_reset(&none);
  double m, w;
  sf_suture_closure(&p, &none, &m, &w);
  assert_near(m, 0, 0);
  assert_near(w, 0, 0);
}

// two stitches at 1 N: midway between them the gap is GAP - 4 w(S/2); it opens as they move
// apart, and the closure over the span falls
static void test_closure_against_spacing(void** state) {
  sfSutureParams p = params();
  double last_mean = 2, last_gap = -1;
  for (double s = 0.004; s <= 0.0245; s += 0.004) {
    sfSutureState st;
    sf_suture_reset(&st);
    stitch_at(&p, &st, -s / 2, 1.0);
    stitch_at(&p, &st, s / 2, 1.0);
    double mid = fmax(0, GAP - 4 * sf_suture_edge_w(1.0, K, s / 2));
    assert_near(sf_suture_gap(&p, &st, 0), mid, 1e-15);
    double m, w;
    sf_suture_closure(&p, &st, &m, &w);
    assert_true(m <= last_mean + 1e-12);
    assert_true(mid >= last_gap);
    last_mean = m, last_gap = mid;
  }
  assert_true(last_gap > 0.5 * GAP);  // 24 mm apart, 1 N: more than half the gap open midway
}

// the path and length of a running suture of two stitches 8 mm apart, the needle's tail 20 mm
// above the last exit, then with the needle in the tissue at a third entry
static void test_thread_path(void** state) {
  sfSutureParams p = params();
  sfSutureState st;
  sf_suture_reset(&st);
  stitch_at(&p, &st, 0, 1);
  stitch_at(&p, &st, 0.008, 1);
  // used: two tunnels of 13.1 mm and the crossover from (0, 6, 0) to (8, -6, 0) mm
  assert_near(sf_suture_used(&st), 2 * 0.0131 + sqrt(0.008 * 0.008 + 0.012 * 0.012), 1e-12);
  double tail[3] = {0.008, 0.006, 0.020}, pts[SF_THREAD_PTS][3];
  int n = sf_suture_path(&st, NULL, tail, pts);
  assert_int_equal(n, 7);             // entry, bottom, exit of each; the tail
  assert_near(pts[0][1], -0.006, 0);  // the knot at the first entry
  assert_near(pts[1][2], -0.003, 0);
  assert_near(pts[5][1], 0.006, 0);
  assert_near(pts[6][2], 0.020, 0);
  const double cur[3] = {0.016, -0.006, 0};
  assert_int_equal(sf_suture_path(&st, cur, tail, pts), 8);
  assert_near(pts[6][0], 0.016, 0);

  // nothing passed, the needle in at its first entry: from that entry to the tail
  sf_suture_reset(&st);
  assert_int_equal(sf_suture_path(&st, cur, tail, pts), 2);
  assert_int_equal(sf_suture_path(&st, NULL, tail, pts), 0);

  // the entry tangent mirrors the exit's across the chord: straight up out, straight down in
  pass_at(&p, &st, 0, tail);
  assert_near(st.st[0].in_dir[2], -1, 1e-12);
  assert_near(st.st[0].bite_m, 0.006, 1e-12);
}

// a needle driven through the tissue model by turning about its own centre, 6.708 mm above a
// pad's surface (so its 9 mm arc crosses the surface 12 mm apart, at x = 6 and 18 mm): the
// tunnel the tissue model records at puncture, with the points where the tip crossed the
// surface, makes a stitch whose tunnel is the arc between them (2 asin(6/9) x 9 mm = 13.13 mm),
// whose deepest point is 9 - 6.708 = 2.29 mm below the surface midway, and whose exit tangent
// rises at asin(6/9) = 41.8 deg away from the entry; it is passed once the tail is out
static void test_tunnel_from_needle_path(void** state) {
  const double r = 0.009, top = 0.010, h = sqrt(r * r - 0.006 * 0.006);
  sfTissueParams pad = {.top_z_m = top,
                        .bottom_z_m = 0,
                        .center_m = {0, 0},
                        .half_m = {0.03, 0.02},
                        .puncture_N = 1.0,
                        .indent_k_N_m = 1000,
                        .friction_Ns_m2 = 2000,
                        .cut_N = 0.2,
                        .lateral_k_N_m2 = 2e5,
                        .tear_m = 0.00015};
  sfTissueState ts;
  sf_tissue_reset(&ts);
  // the needle in the x-z plane (needle x -> world x, y -> z, its axis -> -y), centre at
  // x = 12 mm; turning it about its axis drives the tip (at x = 3 mm, centre height) down
  const mjtNum centre[3] = {0.012, 0, top + h}, wx[3] = {1, 0, 0}, lz[3] = {0, 0, 1};
  mjtNum q0[4], tip_prev[3] = {0}, entry[3] = {0}, exit[3] = {0};
  mju_axisAngle2Quat(q0, wx, PI / 2);
  int engaged_once = 0, passed = 0, crossings = 0;
  for (int k = 0; k <= 11500 && !passed; k++) {  // up to 345 deg: the tail leaves at 318
    mjtNum qt[4], q[4], local[3], tip[3];
    mju_axisAngle2Quat(qt, lz, k * 0.03 * PI / 180);
    mju_mulQuat(q, q0, qt);
    sf_tissue_step(&pad, r, &ts, centre, q, 0.0005);
    sf_needle_point(r, PI, local);
    sf_frame_point(centre, q, local, tip);
    if (k && (tip_prev[2] - top) * (tip[2] - top) < 0) {  // the tip crossed the surface
      double u = (top - tip_prev[2]) / (tip[2] - tip_prev[2]);
      mjtNum* at = crossings++ ? exit : entry;
      for (int i = 0; i < 3; i++) at[i] = tip_prev[i] + u * (tip[i] - tip_prev[i]);
    }
    mju_copy3(tip_prev, tip);
    if (ts.engaged) engaged_once = 1;
    if (engaged_once && !ts.engaged) {  // the tail is out
      mjtNum tail_local[3], tail[3];
      sf_needle_point(r, 0, tail_local);
      sf_frame_point(centre, q, tail_local, tail);
      sfSutureParams p = params();
      p.wound_pos[0] = 0.012, p.wound_pos[2] = top;  // on the surface, as the scene's
      p.wound_dir[0] = 0, p.wound_dir[1] = 1;        // the wound runs along y through x = 12 mm
      sfSutureState st;
      sf_suture_reset(&st);
      sf_suture_pass_tunnel(&p, &st, entry, exit, ts.tunnel_c, ts.tunnel_n, r, tail);
      assert_int_equal(st.n, 1);
      assert_near(entry[0], 0.006, 2e-5);
      assert_near(exit[0], 0.018, 2e-5);
      assert_near(st.st[0].tunnel_m, 2 * asin(6.0 / 9.0) * r, 5e-5);
      assert_near(st.st[0].mid[0], 0.012, 1e-6);
      assert_near(st.st[0].mid[2], top - (r - h), 1e-6);
      assert_near(st.st[0].out_dir[0], cos(asin(6.0 / 9.0)), 1e-3);
      assert_near(st.st[0].out_dir[2], sin(asin(6.0 / 9.0)), 1e-3);
      assert_near(st.st[0].s_m, 0, 1e-12);
      assert_near(st.st[0].bite_m, 0.006, 2e-5);
      assert_near(sf_suture_used(&st), st.st[0].tunnel_m, 0);
      assert_near(st.free_m, mju_dist3(exit, tail) + p.slack_m, 1e-15);
      passed = 1;
    }
  }
  assert_int_equal(crossings, 2);
  assert_true(passed);
}

// the pull of one stitch, the tail straight above its exit (no turn: no capstan loss): slack
// until the free length (distance at the pass + slack), then T = e / (a0 + c) while the wound
// closes (a0 = beta / k, c = free / EA + the holes' yield), then e - gap closed over c
static void test_pull_tension(void** state) {
  sfSutureParams p = params();
  sfSutureState st;
  sf_suture_reset(&st);
  double tail[3] = {0, 0.006, 0.002};
  pass_at(&p, &st, 0, tail);
  double free_m = 0.002 + 0.008;
  assert_near(st.free_m, free_m, 1e-15);
  double a0 = BETA / K, c = free_m / SF_SUTURE_EA_N + SF_SUTURE_HOLE_M_N;

  tail[2] = 0.009;  // 1 mm short of taut
  sf_suture_step(&p, &st, tail);
  assert_near(st.tension_N, 0, 0);
  assert_near(st.force[2], 0, 0);

  tail[2] = 0.0125;  // 2.5 mm beyond: the gap closes by a0 T < 3 mm
  sf_suture_step(&p, &st, tail);
  double t = 0.0025 / (a0 + c);
  assert_near(st.tension_N, t, 1e-9);
  assert_near(st.st[0].tension_N, t, 1e-9);
  assert_near(st.force[2], -t, 1e-9);  // the thread pulls the needle back towards the exit
  assert_true(a0 * t < GAP);

  tail[2] = 0.0165;  // 6.5 mm beyond: the edges meet under the stitch, the rest stretches
  sf_suture_step(&p, &st, tail);
  assert_near(st.tension_N, (0.0065 - GAP) / c, 1e-9);
  assert_near(sf_suture_gap(&p, &st, 0), 0, 1e-15);
  assert_near(st.tension_max_N, st.tension_N, 0);
  assert_int_equal(st.cut_through, 0);

  // locked: the needle's side is slack, the stitch keeps its tension
  double kept = st.st[0].tension_N;
  sf_suture_lock(&st);
  sf_suture_step(&p, &st, tail);
  assert_near(st.tension_N, 0, 0);
  assert_near(st.st[0].tension_N, kept, 0);
}

// a pull turned by theta from the tunnel's tangent: the needle feels e^(mu theta) times the
// tunnel's tension (the stretch sees the needle's side)
static void test_capstan(void** state) {
  sfSutureParams p = params();
  sfSutureState st;
  sf_suture_reset(&st);
  double tail[3] = {0, 0.006, 0.001};
  pass_at(&p, &st, 0, tail);
  double free_m = st.free_m, theta = 60 * PI / 180, d = free_m + 0.002;
  double pull[3] = {0, 0.006 + d * sin(theta), d * cos(theta)};
  sf_suture_step(&p, &st, pull);
  double kap = exp(0.25 * theta);
  double c = free_m / SF_SUTURE_EA_N * kap + SF_SUTURE_HOLE_M_N;
  double tt = 0.002 / (BETA / K + c);
  assert_near(st.st[0].tension_N, tt, 1e-9);
  assert_near(st.tension_N, kap * tt, 1e-9);
}

// cut-through at the holding strength: a stitch stretched to just below 4 N holds, a little
// further it tears: tension lost, one event, the torn strip (2 x bite x 0.3 mm) as trauma
static void test_cut_through(void** state) {
  sfSutureParams p = params();
  p.gap0_m = 0.0005;  // a narrow gap: the stitch closes it early and then stretches
  double c = 0.01 / SF_SUTURE_EA_N + SF_SUTURE_HOLE_M_N;
  for (int over = 0; over <= 1; over++) {
    sfSutureState st;
    sf_suture_reset(&st);
    double tail[3] = {0, 0.006, 0.002};
    pass_at(&p, &st, 0, tail);
    double t_want = over ? 4.01 : 3.99;
    tail[2] = 0.002 + 0.008 + p.gap0_m + t_want * c;
    sf_suture_step(&p, &st, tail);
    assert_int_equal(st.cut_through, over);
    assert_int_equal(st.st[0].cut, over);
    if (over) {
      assert_near(st.st[0].tension_N, 0, 0);
      assert_near(st.tension_N, 0, 0);
      assert_near(st.trauma_mm2, 2 * 6.0 * 0.3, 1e-9);
      double m, w;
      sf_suture_closure(&p, &st, &m, &w);
      assert_near(m, 0, 0);  // a torn stitch closes nothing
    } else {
      assert_near(st.st[0].tension_N, 3.99, 1e-6);
      assert_near(st.trauma_mm2, 0, 0);
    }
  }
}

// a later stitch's pull reaches the one before through the crossover: its tension is raised to
// the pull less the turns into the later tunnel and out of the earlier one, never lowered
static void test_load_sharing(void** state) {
  sfSutureParams p = params();
  sfSutureState st;
  sf_suture_reset(&st);
  stitch_at(&p, &st, 0, 0.2);
  double tail[3] = {0.008, 0.006, 0.001};
  pass_at(&p, &st, 0.008, tail);
  tail[2] = st.free_m + 0.006;
  sf_suture_step(&p, &st, tail);
  double t1 = st.st[1].tension_N;
  // crossover from (0, 6, 0) to (8, -6, 0) mm; into the second tunnel (in_dir -z): 90 deg;
  // out of the first (out_dir +z): 90 deg
  double want = t1 * exp(-0.25 * PI / 2) * exp(-0.25 * PI / 2);
  assert_true(want > 0.2);
  assert_near(st.st[0].tension_N, want, 1e-9);

  // a weaker pull leaves it where it is
  tail[2] -= 0.005;
  sf_suture_step(&p, &st, tail);
  assert_near(st.st[0].tension_N, want, 1e-9);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_edge_displacement),
      cmocka_unit_test(test_closure_against_tension),
      cmocka_unit_test(test_closure_against_spacing),
      cmocka_unit_test(test_thread_path),
      cmocka_unit_test(test_tunnel_from_needle_path),
      cmocka_unit_test(test_pull_tension),
      cmocka_unit_test(test_capstan),
      cmocka_unit_test(test_cut_through),
      cmocka_unit_test(test_load_sharing),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
