// test_handover.c: the needle handed between two arms in an episode (the two-arm fast scene,
// scripted-arc driving both), and what a controller that drives one arm may do there.
#include "sf_test.h"

#include <math.h>
#include <string.h>

#include "controller.h"
#include "episode.h"
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
// with psm1 and pulls through; psm2, which it does not drive, is held at home
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

  // psm2's joints stay within 1 mrad / 0.1 mm of home in every sample
  const sfArm* a2 = &f->s.arm2;
  double worst = 0;
  for (int k = 0; k < t.n; k++) {
    const double* qpos = t.states + (size_t)k * t.nstate;
    for (int i = 0; i < SF_NJOINT; i++) {
      double dq = fabs(qpos[a2->qadr[i]] - f->s.arm2_home[i]);
      if (dq > worst) worst = dq;
    }
  }
  assert_true(worst < 1e-3);
  for (int k = 0; k < t.n; k++) assert_true(t.holder[k] != 1);
  sf_traj_free(&t);
  sf_traj_free(&t1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_two_throws_hand_over),
      cmocka_unit_test(test_one_arm_controller),
      cmocka_unit_test(test_one_arm_controller_one_throw),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
