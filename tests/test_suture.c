// test_suture.c: the thread and wound model (sim/suture.h) on constructed stitches and needle
// positions, against values worked out by hand: the edge's beam-on-foundation displacement,
// closure against tension and against spacing, the thread's path and length, the tension of a
// pull (slack, then closing, then stretching), the capstan loss of a pull off the tunnel's
// tangent, cut-through at its threshold, and the load a later stitch passes back.
#include "sf_test.h"

#include <mujoco/mujoco.h>

#include "suture.h"

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
      cmocka_unit_test(test_pull_tension),
      cmocka_unit_test(test_capstan),
      cmocka_unit_test(test_cut_through),
      cmocka_unit_test(test_load_sharing),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
