// test_handover.c: the needle handed between two arms in an episode (the two-arm fast scene,
// scripted-arc driving both), and what a controller that drives one arm may do there.
#include "sf_test.h"

#include <math.h>
#include <string.h>

#include "arm.h"
#include "controller.h"
#include "episode.h"
#include "ik.h"
#include "scene.h"

#define SCENE_2ARM SF_MODEL_DIR "/suture_scene_2arm.xml"
#define SCENE_1ARM SF_MODEL_DIR "/suture_scene.xml"

// the two-arm scene, scripted-arc and the version-1 impedance-arc plug-in (one arm)
typedef struct fixture_ {
  sfScene s, s1;
  sfController arc, v1;
} fixture;

static int setup(void** state) {
  static fixture f;
  sfError e = {{0}};
  if (sf_scene_load(&f.s, SCENE_2ARM, &e) != SF_OK ||
      sf_scene_load(&f.s1, SCENE_1ARM, &e) != SF_OK ||
      sf_controller_open("scripted-arc", &f.arc, &e) != SF_OK ||
      sf_controller_open(SF_TEST_IMPEDANCE_V1, &f.v1, &e) != SF_OK) {
    print_error("setup: %s\n", e.msg);
    return -1;
  }
  *state = &f;
  return 0;
}

static int teardown(void** state) {
  fixture* f = *state;
  sf_controller_close(&f->arc);
  sf_controller_close(&f->v1);
  sf_scene_free(&f->s);
  sf_scene_free(&f->s1);
  return 0;
}

// one episode of controller c in scene s with its reference skill, its trajectory in t
static void run(const sfScene* s, const sfController* c, int stitches, sfTraj* t,
                sfEpisodeResult* r) {
  sfWorker w;
  sfError e = {{0}};
  assert_int_equal(sf_worker_make(&w, s, c, &e), SF_OK);
  sf_traj_make(t, s->m, stitches);
  sfEpisodeSpec spec = {.seed = 1,
                        .robot = 0,
                        .round = 0,
                        .episode_id = 0,
                        .stitches = stitches,
                        .calibrated = 1,
                        .theta = c->skill.ref,
                        .traj = t,
                        .context_robot = 0};
  sf_episode_run(s, &w, &spec, r);
  sf_worker_free(&w);
}

// two throws: psm2 regrasps and pulls the first, hands the needle back, psm1 drives the second;
// the needle moves continuously (never put back by the program) and the holder goes 0, 1, 0, 1
static void test_two_throws_hand_over(void** state) {
  fixture* f = *state;
  assert_int_equal(f->s.narm, 2);
  assert_int_equal(f->arc.arms, 2);
  sfTraj t;
  sfEpisodeResult r;
  run(&f->s, &f->arc, 2, &t, &r);
  assert_true(r.success);
  assert_int_equal(r.handovers, 1);
  assert_int_equal(r.handovers_failed, 0);
  assert_true(r.handover_s > 0 && r.handover_s < 1);
  assert_int_equal(r.regrasp_failures, 0);

  // no jump of the tip between samples (50 Hz; the needle moves at most a few cm/s)
  double jump = 0;
  for (int k = 1; k < t.n; k++) {
    double d = 0;
    for (int j = 0; j < 3; j++) {
      double x = t.needle_tip[3 * k + j] - t.needle_tip[3 * (k - 1) + j];
      d += x * x;
    }
    if (sqrt(d) > jump) jump = sqrt(d);
  }
  assert_true(jump < 0.002);

  // who held it: psm1, nobody (in the tissue), psm2, psm1 again, nobody, psm2
  int seq[16], n = 0;
  for (int k = 0; k < t.n && n < 16; k++) {
    if (!n || seq[n - 1] != t.holder[k]) seq[n++] = t.holder[k];
  }
  const int want[6] = {0, -1, 1, 0, -1, 1};
  assert_int_equal(n, 6);
  for (int i = 0; i < 6; i++) assert_int_equal(seq[i], want[i]);
  sf_traj_free(&t);
}

// a controller that drives one arm: refused for a multi-throw task in the two-arm scene (the
// needle must go from arm to arm), accepted for one throw there and for several in the one-arm
// scene
static void test_one_arm_controller(void** state) {
  fixture* f = *state;
  sfError e = {{0}};
  assert_int_equal(f->v1.arms, 1);
  assert_int_equal(sf_task_check(&f->s, &f->v1, 2, &e), SF_ERR_INPUT);
  assert_non_null(strstr(e.msg, "drives one arm (ABI version 1"));
  assert_non_null(strstr(e.msg, "need the needle handed between its arms"));
  assert_int_equal(sf_task_check(&f->s, &f->v1, 1, &e), SF_OK);
  assert_int_equal(sf_task_check(&f->s1, &f->v1, 4, &e), SF_OK);
  assert_int_equal(sf_task_check(&f->s, &f->arc, 4, &e), SF_OK);
  assert_int_equal(sf_task_check(&f->s, &f->arc, 5, &e), SF_ERR_INPUT);
  assert_non_null(strstr(e.msg, "the model has 4 entry/exit pairs, got 5"));
}

// the version-1 plug-in runs a throw in the two-arm scene as in the one-arm one: it regrasps
// with psm1 and pulls through; psm2, which it does not drive, is held parked (home withdrawn
// 20 mm along its shaft, out of psm1's way)
static void test_one_arm_controller_one_throw(void** state) {
  fixture* f = *state;
  sfTraj t, t1;
  sfEpisodeResult r, r1;
  run(&f->s, &f->v1, 1, &t, &r);
  run(&f->s1, &f->v1, 1, &t1, &r1);
  assert_int_equal(r.completed, r1.completed);
  assert_int_equal(r.success, r1.success);
  assert_int_equal(r.handovers, 0);
  assert_true(fabs(r.entry_err_mm - r1.entry_err_mm) < 1e-6);

  // psm2's joints stay within 1 mrad / 0.1 mm of the parked pose in every sample
  const sfArm* a2 = &f->s.arm2;
  assert_near(f->s.arm2_home[SF_AXIS_INSERTION] - f->s.arm2_park[SF_AXIS_INSERTION], SF_PARK_M,
              1e-12);
  double worst = 0;
  for (int k = 0; k < t.n; k++) {
    const double* qpos = t.states + (size_t)k * t.nstate;
    for (int i = 0; i < SF_NJOINT; i++) {
      double dq = fabs(qpos[a2->qadr[i]] - f->s.arm2_park[i]);
      if (dq > worst) worst = dq;
    }
  }
  assert_true(worst < 1e-3);
  for (int k = 0; k < t.n; k++) assert_true(t.holder[k] != 1);
  sf_traj_free(&t);
  sf_traj_free(&t1);
}

// the two arms' clearance on constructed poses (MuJoCo's collision functions within a 20 mm
// margin): at home the instruments are more than the margin apart; psm2's tool centre point put
// on psm1's (by inverse kinematics), they intersect; 15 mm above it, clear again; the
// clearance of a pair is symmetric; each arm's instrument is its shaft, housing, wrist links and
// jaws
static void test_clearance(void** state) {
  fixture* f = *state;
  const mjModel* m = f->s.m;
  const mjtNum margin = 0.02;
  mjData* d = mj_makeData(m);
  mj_resetDataKeyframe(m, d, f->s.home_key);
  mj_forward(m, d);
  assert_int_equal(f->s.arm.ntool, 6);
  assert_int_equal(f->s.arm2.ntool, 6);
  assert_int_equal(f->s1.arm.ntool, 6);
  assert_near(sf_arm_clearance(m, d, &f->s.arm, &f->s.arm2, margin), margin, 0);
  assert_near(sf_arm_clearance(m, d, &f->s.arm, &f->s.arm2, 0), 0, 0);

  sfIk ik;
  sf_ik_make(&ik, m);
  const mjtNum zero[3] = {0, 0, 0}, unit[4] = {1, 0, 0, 0};
  mjtNum target[3], quat[4];
  mju_copy3(target, d->site_xpos + 3 * f->s.arm.tcp_site);
  mju_mat2Quat(quat, d->site_xmat + 9 * f->s.arm2.tcp_site);  // psm2 keeps its orientation
  mjtNum perr = 1, rerr = 1;
  sf_ik_solve(&ik, m, d, &f->s.arm2, zero, unit, target, quat, 200, 1e-5, 10, &perr, &rerr);
  assert_true(perr < 1e-4);
  mj_forward(m, d);
  double met = sf_arm_clearance(m, d, &f->s.arm, &f->s.arm2, margin);
  assert_true(met < -0.0005);  // the jaws overlap
  assert_near(sf_arm_clearance(m, d, &f->s.arm2, &f->s.arm, margin), met, 1e-12);
  assert_true(sf_arm_clearance(m, d, &f->s.arm, &f->s.arm2, 0) < 0);

  target[2] += 0.015;
  sf_ik_solve(&ik, m, d, &f->s.arm2, zero, unit, target, quat, 200, 1e-5, 10, &perr, &rerr);
  assert_true(perr < 1e-4);
  mj_forward(m, d);
  double above = sf_arm_clearance(m, d, &f->s.arm, &f->s.arm2, margin);
  print_message("clearance: met %.2f mm, 15 mm above %.2f mm\n", 1000 * met, 1000 * above);
  assert_true(above > 0.002 && above < margin);
  sf_ik_free(&ik);
  mj_deleteData(d);
}

// a two-arm controller that holds psm1 and drives psm2's tool centre point onto psm1's
typedef struct clasher_ {
  const sfcHost* h;
} clasher;

static void* clasher_create(const sfcHost* h) {
  clasher* c = calloc(1, sizeof(clasher));
  c->h = h;
  return c;
}

static void clasher_reset(void* st, const mjModel* m, const mjData* d, const sfcObs* obs,
                          const double* theta) {}

static int clasher_step(void* st, const mjModel* m, const mjData* d, const sfcObs* obs,
                        mjtNum* ctrl) {
  const clasher* c = st;
  c->h->servo_arm(c->h->ctx, 0, d, obs->q, ctrl);
  double dq[SFC_NJOINT], q2[SFC_NAXIS];
  c->h->ik_step_arm(c->h->ctx, 1, d, obs->tcp_pos, obs->tcp2_quat, dq);
  for (int i = 0; i < SFC_NAXIS; i++) q2[i] = obs->q2[i] + (i < SFC_NJOINT ? 0.2 * dq[i] : 0);
  c->h->servo_arm(c->h->ctx, 1, d, q2, ctrl);
  return SFC_RUN;
}

static void clasher_destroy(void* st) {
  free(st);
}

static const sfcParam kClasherParam[1] = {{"unused", NULL, NULL, 0, 1, 0.5, 0.5, 0.1}};

// the instruments meet: the episode ends there (end reason 8), a failure, well before its time
static void test_clash_ends_episode(void** state) {
  fixture* f = *state;
  static const sfcController table = {.abi_version = SFC_ABI_VERSION,
                                      .size = sizeof(sfcController),
                                      .name = "clasher",
                                      .nparam = 1,
                                      .param = kClasherParam,
                                      .create = clasher_create,
                                      .reset = clasher_reset,
                                      .step = clasher_step,
                                      .destroy = clasher_destroy,
                                      .arms = 2};
  sfController c;
  sfError e = {{0}};
  assert_int_equal(sf_controller_use(&table, "test", &c, &e), SF_OK);
  sfTraj t;
  sfEpisodeResult r;
  run(&f->s, &c, 1, &t, &r);
  assert_int_equal(r.end_reason, SF_END_CLASH);
  assert_false(r.success);
  assert_true(r.sim_time_s > 0.01 && r.sim_time_s < 5);
  sf_traj_free(&t);
  sf_controller_close(&c);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_two_throws_hand_over),
      cmocka_unit_test(test_clearance),
      cmocka_unit_test(test_clash_ends_episode),
      cmocka_unit_test(test_one_arm_controller),
      cmocka_unit_test(test_one_arm_controller_one_throw),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
