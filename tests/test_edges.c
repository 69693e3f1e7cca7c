// test_edges.c: the soft scene's simulated wound edges (sim/edges.h), stepped by MuJoCo, against
// the analytic beam on an elastic foundation (sim/suture.h) they were built to match: placed at
// the episode's gap, at rest without stitches, the closing under one stitch and its spread along
// the wound, gaping between stitches spaced far apart, the edges meeting and not passing through
// each other under a pull beyond closure; the thread's rope carrying the tension to the needle;
// and the scene's refusal of mismatched edges.
#include "sf_test.h"

#include <mujoco/mujoco.h>
#include <stdio.h>
#include <unistd.h>

#include "edges.h"
#include "scene.h"
#include "suture.h"

#define GAP 0.003  // initial gap (m)
#define K 45e3     // foundation modulus (N/m^2): the one the ropes' bending stiffness was set for

static sfScene scene;

static int setup(void** state) {
  (void)state;
  sfError e = {0};
  return sf_scene_load(&scene, SF_MODEL_DIR "/suture_scene_soft.xml", &e) == SF_OK ? 0 : -1;
}

static int teardown(void** state) {
  (void)state;
  sf_scene_free(&scene);
  return 0;
}

static sfSutureParams params(void) {
  sfSutureParams p = {
      .gap0_m = GAP, .edge_k_N_m2 = K, .strength_N = 4, .slack_m = 0.008, .mu = 0.25};
  for (int i = 0; i < 3; i++) {
    p.wound_pos[i] = scene.wound_pos_m[i];
    p.wound_dir[i] = scene.wound_dir[i];
  }
  return p;
}

// stitches at wound coordinates s[0..n-1] pulling with tension_N each
static sfSutureState stitches(int n, const double* s, double tension_N) {
  sfSutureState st;
  sf_suture_reset(&st);
  st.n = n;
  for (int i = 0; i < n; i++) st.st[i].s_m = s[i], st.st[i].tension_N = tension_N;
  return st;
}

// the scene from home with the edges at the gap, stepped for seconds under the stitches
static mjData* settle(const sfSutureParams* p, const sfSutureState* st, double seconds) {
  const mjModel* m = scene.m;
  mjData* d = mj_makeData(m);
  mj_resetDataKeyframe(m, d, scene.home_key);
  sf_edges_place(&scene.edges, d, p);
  mj_forward(m, d);
  for (int k = 0; k < (int)(seconds / m->opt.timestep); k++) {
    mj_step1(m, d);
    sf_edges_apply(&scene.edges, m, d, p, st);
    mj_step2(m, d);
  }
  return d;
}

static void edges_found(void** state) {
  (void)state;
  const sfEdges* e = &scene.edges;
  assert_int_equal(e->n, 21);
  assert_near(e->spacing_m, 0.002, 1e-9);
  assert_near(e->s_m[0], -0.02, 1e-9);
  assert_near(e->lat[1], 1, 1e-9);  // across the wound is +y
}

// no stitch: the edges lie at half the gap either side, the gap is gap0 all along
static void at_rest(void** state) {
  (void)state;
  sfSutureParams p = params();
  sfSutureState st = stitches(0, NULL, 0);
  mjData* d = settle(&p, &st, 0.5);
  for (double x = -0.02; x <= 0.02; x += 0.0025) {
    assert_near(sf_edges_gap(&scene.edges, d, x), GAP, 2e-5);
  }
  mj_deleteData(d);
}

// one stitch of 0.4 N at the middle: the closing along the wound is the analytic beam's within
// 12 % of the closing under the stitch (the rope is a beam of 2 mm elements with free ends
// 20 mm away, the closed form an infinite continuous one)
static void one_stitch_matches_the_beam(void** state) {
  (void)state;
  sfSutureParams p = params();
  const double s0[1] = {0};
  sfSutureState st = stitches(1, s0, 0.4);
  mjData* d = settle(&p, &st, 1.0);
  double peak = 2 * sf_suture_edge_w(0.4, K, 0);
  for (double x = -0.012; x <= 0.0121; x += 0.002) {
    double want = 2 * sf_suture_edge_w(0.4, K, x);
    double got = GAP - sf_edges_gap(&scene.edges, d, x);
    char msg[128];
    snprintf(msg, sizeof(msg), "x %.1f mm: closing %.4f mm, beam %.4f mm", 1e3 * x, 1e3 * got,
             1e3 * want);
    if (fabs(got - want) > 0.12 * peak) fail_msg("%s", msg);
  }
  mj_deleteData(d);
}

// two stitches of 1.2 N 20 mm apart close the wound under them and leave it gaping between
// (the beam's closed form: 36 % of the gap open midway), 6 mm apart they close it between too
static void spacing_matters(void** state) {
  (void)state;
  sfSutureParams p = params();
  const double far[2] = {-0.01, 0.01}, near[2] = {-0.003, 0.003};
  sfSutureState st = stitches(2, far, 1.2);
  mjData* d = settle(&p, &st, 1.0);
  assert_true(sf_edges_gap(&scene.edges, d, -0.01) < 0.1 * GAP);
  assert_true(sf_edges_gap(&scene.edges, d, 0) > 0.35 * GAP);
  mj_deleteData(d);
  st = stitches(2, near, 1.2);
  d = settle(&p, &st, 1.0);
  assert_true(sf_edges_gap(&scene.edges, d, 0) < 0.1 * GAP);
  mj_deleteData(d);
}

// a pull of 4 N, far beyond closure: the edges meet and press together, they do not pass
// through (their contact stiffness lets them overlap by about 0.5 mm)
static void edges_meet(void** state) {
  (void)state;
  sfSutureParams p = params();
  const double s0[1] = {0};
  sfSutureState st = stitches(1, s0, 4.0);
  mjData* d = settle(&p, &st, 1.0);
  const sfEdges* e = &scene.edges;
  int mid = e->n / 2;
  double a = d->xipos[3 * e->body[0][mid] + 1], b = d->xipos[3 * e->body[1][mid] + 1];
  assert_true(sf_edges_gap(e, d, 0) == 0);
  assert_true(a - b < 0.6e-3);
  assert_true(a - b > -0.05e-3);
  mj_deleteData(d);
}

// the thread's rope, its far end pulled towards a point 32 mm from the needle's tail, pulls the
// needle with the tension along the line to it (the model's force on the tool), from 0.5 to 8 N,
// and stays tied to the tail within 1 mm
static void rope_carries_the_tension(void** state) {
  (void)state;
  const mjModel* m = scene.m;
  const sfRope* r = &scene.rope;
  assert_int_equal(r->n, 12);
  const double tension[3] = {0.5, 3, 8};
  for (int c = 0; c < 3; c++) {
    mjData* d = mj_makeData(m);
    mj_resetDataKeyframe(m, d, scene.home_key);
    mj_forward(m, d);
    mjtNum tail[3], target[3], f[3], u[3];
    mju_copy3(tail, d->site_xpos + 3 * scene.needle_tail_site);
    mju_copy3(target, tail);
    target[1] += 0.02, target[2] -= 0.025;
    mju_sub3(u, target, tail);
    mju_normalize3(u);
    for (int k = 0; k < (int)(1.0 / m->opt.timestep); k++) {
      mj_step1(m, d);
      sf_rope_pull(r, d, target, tension[c]);
      mj_step2(m, d);
    }
    sf_rope_force(r, m, d, f);
    assert_near(mju_norm3(f), tension[c], 0.02 * tension[c]);
    assert_true(mju_dot3(f, u) > 0.999 * mju_norm3(f));
    assert_true(mju_dist3(d->xpos + 3 * r->body[0], tail) < 0.001 + 0.5 * 0.002);
    mj_deleteData(d);
  }
}

// a model with edges that do not pair up is refused, naming the file
static void mismatched_edges_refused(void** state) {
  (void)state;
  char path[] = "/tmp/sf_edges_XXXXXX.xml";
  int fd = mkstemps(path, 4);
  assert_true(fd >= 0);
  FILE* f = fdopen(fd, "w");
  fprintf(f,
          "<mujoco><worldbody><geom name='wound' type='box' size='.02 .001 .001'/>"
          "<body name='edgeaB0' pos='-.01 -.001 0'><joint name='edgea_y' type='slide' "
          "axis='0 1 0'/><geom size='.001'/><body name='edgeaB1' pos='.002 0 0'><joint "
          "type='hinge' axis='0 0 1'/><geom size='.001'/></body></body>"
          "<body name='edgebB0' pos='-.01 .001 0'><joint name='edgeb_y' type='slide' "
          "axis='0 1 0'/><geom size='.001'/></body></worldbody></mujoco>");
  fclose(f);
  char err[1000];
  mjModel* m = mj_loadXML(path, NULL, err, sizeof(err));
  assert_non_null(m);
  mjData* d = mj_makeData(m);
  mj_kinematics(m, d);
  sfEdges e;
  sfError er = {0};
  const double pos[3] = {0, 0, 0}, dir[3] = {1, 0, 0}, up[3] = {0, 0, 1};
  assert_int_equal(sf_edges_resolve(m, d, path, pos, dir, up, &e, &er), SF_ERR_INPUT);
  assert_non_null(strstr(er.msg, path));
  assert_non_null(strstr(er.msg, "found 2 and 1"));
  mj_deleteData(d);
  mj_deleteModel(m);
  unlink(path);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(edges_found),
      cmocka_unit_test(at_rest),
      cmocka_unit_test(one_stitch_matches_the_beam),
      cmocka_unit_test(spacing_matters),
      cmocka_unit_test(edges_meet),
      cmocka_unit_test(rope_carries_the_tension),
      cmocka_unit_test(mismatched_edges_refused),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
