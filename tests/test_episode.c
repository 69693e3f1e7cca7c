// test_episode.c: the suturing episode: the reference skill succeeds, results are bit-identical
// across workers, a wrong bite angle fails with more trauma (and trauma alone fails an
// otherwise good throw), two stitches use consecutive pairs, controller faults stop an episode
// (and not the fleet), contexts and calibration draws stay within their documented ranges, run
// summaries.
#include "sf_test.h"

#include <mujoco/mujoco.h>

#include "arm.h"
#include "controller.h"
#include "episode.h"
#include "fleet.h"
#include "scene.h"

#define SCENE SF_MODEL_DIR "/suture_scene.xml"
#define DEG (3.141592653589793 / 180.0)

// the scene and one scripted-arc worker, shared by the group
typedef struct fixture_ {
  sfScene s;
  sfController ctrl;    // scripted-arc
  sfController faulty;  // the faulty test controller below
  sfWorker w;
  double ref[SF_MAX_THETA];  // the reference skill
} fixture;

static const sfcController kFaulty;

static int setup(void** state) {
  static fixture f;
  sfError e = {{0}};
  if (sf_scene_load(&f.s, SCENE, &e) != SF_OK ||
      sf_controller_open("scripted-arc", &f.ctrl, &e) != SF_OK ||
      sf_controller_use(&kFaulty, "faulty", &f.faulty, &e) != SF_OK ||
      sf_worker_make(&f.w, &f.s, &f.ctrl, &e) != SF_OK) {
    print_error("setup: %s\n", e.msg);
    return -1;
  }
  memcpy(f.ref, f.ctrl.skill.ref, sizeof(double) * (size_t)f.ctrl.skill.n);
  *state = &f;
  return 0;
}

static int teardown(void** state) {
  fixture* f = *state;
  sf_worker_free(&f->w);
  sf_worker_free(&f->w);  // freeing twice is allowed
  sf_controller_close(&f->ctrl);
  sf_scene_free(&f->s);
  return 0;
}

// add results to a summary as the store rows they become
static void summary_add(sfRunSummary* sum, const sfEpisodeResult* res, int n) {
  for (int i = 0; i < n; i++) {
    sfEpisodeRow row;
    sf_store_episode_row(&res[i], "", "", &row);
    sf_summary_add(sum, &row, 1);
  }
}

// an episode spec (fields named, so that fields appended to sfEpisodeSpec start at zero)
static sfEpisodeSpec spec_of(uint64_t seed, int robot, int round, int64_t id, int stitches,
                             int calibrated, const double* theta) {
  return (sfEpisodeSpec){.seed = seed,
                         .robot = robot,
                         .context_robot = robot,
                         .round = round,
                         .episode_id = id,
                         .stitches = stitches,
                         .calibrated = calibrated,
                         .theta = theta};
}

// one episode of seed 1, round 0 for robot with the given skill and stitches, calibrated
static sfEpisodeResult run_episode(fixture* f, int robot, const double* theta, int stitches) {
  sfEpisodeSpec spec = spec_of(1, robot, 0, 100 + robot, stitches, 1, theta);
  sfEpisodeResult r;
  sf_episode_run(&f->s, &f->w, &spec, &r);
  return r;
}

// print the outcome of an episode
static void print_result(const char* what, const sfEpisodeResult* r) {
  print_message(
      "%s robot %d: success %d completed %d ok %d/%d entry %.3f exit %.3f mm tip out "
      "%.2f mm trauma %.4f mm^2 peak %.3f N (puncture %.3f N) time %.3f s steps %d "
      "dropped %d\n",
      what, r->robot, r->success, r->completed, r->throws_ok, r->stitches, r->entry_err_mm,
      r->exit_err_mm, r->tip_out_mm, r->trauma_mm2, r->peak_force_N, r->ctx.puncture_N, r->time_s,
      r->steps, r->dropped);
}

// the reference skill on a calibrated robot sutures: three robots (contexts differ in hole
// offset, pair, grasp and tissue) each succeed with one throw, by every criterion in the result
static void test_reference_skill_succeeds(void** state) {
  fixture* f = *state;
  const double dt = f->s.m->opt.timestep;
  for (int robot = 0; robot < 3; robot++) {
    sfEpisodeResult r = run_episode(f, robot, f->ref, 1);
    print_result("reference", &r);
    assert_int_equal(r.episode_id, 100 + robot);
    assert_int_equal(r.robot, robot);
    assert_int_equal(r.round, 0);
    assert_int_equal(r.success, 1);
    assert_int_equal(r.completed, 1);
    assert_int_equal(r.end_reason, SF_END_DONE);
    assert_int_equal(r.stitches, 1);
    assert_int_equal(r.throws_ok, 1);
    assert_int_equal(r.dropped + r.diverged + r.fault, 0);
    assert_true(r.trauma_mm2 > 0 && r.trauma_mm2 <= SF_TRAUMA_MAX_MM2);
    assert_int_equal(r.insertions, 1);
    assert_int_equal(r.regrasp_failures, 0);

    // the throw: its pair, entry then exit at that pair's holes; a calibrated robot aims at
    // the true holes, so both errors are far inside SRC's 2.5 mm
    const sfThrowScore* t = &r.throw_score[0];
    assert_int_equal(t->pair, r.ctx.first_pair);
    assert_int_equal(t->entry_pair, t->pair);
    assert_int_equal(t->exit_pair, t->pair);
    assert_int_equal(t->order_error, 0);
    assert_near(r.entry_err_mm, t->entry_err_mm, 0);
    assert_true(r.entry_err_mm < 0.1);
    assert_true(r.exit_err_mm < 0.2);
    assert_true(r.tip_out_mm >= 5);

    // STAR: entry and exit holes lie 6 mm either side of the wound; one stitch, no spacing
    assert_near(r.bite_mm, 6.0, 0.1);
    assert_true(isnan(r.spacing_mean_mm) && isnan(r.spacing_sd_mm));

    // the peak needle-tissue force is at least the surface's resistance just before puncture
    // (the indentation force grows to puncture_N), within one tissue step of indentation
    assert_true(r.peak_force_N > 0.9 * r.ctx.puncture_N);

    // time: steps at the model's timestep; the throw started at 0 and ended the episode
    assert_near(r.sim_time_s, r.steps * dt, 1e-9);
    assert_near(r.time_s, r.sim_time_s, 0);
    assert_near(r.throw_time_s[0], r.time_s, 1e-12);
    assert_true(r.time_s < SF_THROW_TIME_S);

    // a calibrated robot has no calibration error
    for (int k = 0; k < 3; k++)
      assert_true(r.ctx.calib.bias_m[k] == 0 && r.ctx.calib.rot_rad[k] == 0);
    assert_int_equal(r.ntheta, 12);
    assert_memory_equal(r.theta, f->ref, sizeof(double) * 12);

    // the thread: one stitch passed through the 9 mm needle's tunnel between holes 12 mm apart
    // (arc 2 asin(6/9) x 9 mm = 13.1 mm), tensioned to the skill's pull (1.6 N at the needle,
    // a little more while the tool comes to rest) and closing the wound over its span; no
    // stitch cut through, and no thread tension left unrecorded
    assert_int_equal(r.cut_through, 0);
    assert_near(r.thread_used_mm, 2 * asin(6.0 / 9.0) * 9.0, 0.5);
    assert_true(r.tension_max_N >= 1.6 && r.tension_max_N < 2.2);
    assert_true(r.stitch_tension_N[0] > 1.0 && r.stitch_tension_N[0] <= r.tension_max_N);
    assert_true(isnan(r.stitch_tension_N[1]));
    assert_true(r.closure >= 0.9 && r.closure <= 1 && r.closure_min <= r.closure);
  }
}

// the same spec twice on one worker (with another episode between), and on a fresh worker,
// gives the same bits; results are memset before being filled, so whole-struct comparison
// includes no padding garbage
static void test_episode_deterministic(void** state) {
  fixture* f = *state;
  double other_theta[SF_MAX_THETA];
  memcpy(other_theta, f->ref, sizeof(other_theta));
  other_theta[0] += 10;  // a different bite angle leaves the worker in another state
  sfEpisodeSpec spec = spec_of(5, 1, 4, 9, 1, 0, f->ref);
  sfEpisodeSpec other = spec_of(6, 2, 0, 0, 1, 0, other_theta);
  sfEpisodeResult a, b, c, between;
  sf_episode_run(&f->s, &f->w, &spec, &a);
  sf_episode_run(&f->s, &f->w, &other, &between);
  sf_episode_run(&f->s, &f->w, &spec, &b);
  sfWorker fresh;
  sfError e = {{0}};
  assert_int_equal(sf_worker_make(&fresh, &f->s, &f->ctrl, &e), SF_OK);
  sf_episode_run(&f->s, &fresh, &spec, &c);
  sf_worker_free(&fresh);
  print_result("seed 5 round 4", &a);
  assert_memory_equal(&a, &b, sizeof(a));
  assert_memory_equal(&a, &c, sizeof(a));
  assert_true(a.trauma_mm2 == c.trauma_mm2);  // the same, field by field
  assert_true(a.peak_force_N == c.peak_force_N);
  assert_true(a.steps == c.steps && a.steps > 0);
  assert_true(memcmp(&a, &between, sizeof(a)) != 0);
}

// a bite angle 40 deg off the reference (81.81 instead of 41.81 deg) does not follow the
// needle's arc: the needle is dragged through the tissue and tears it, far beyond the 2 mm^2 a
// successful episode may cause, is torn out of its tunnel and falls when released: the episode
// ends there, with the metrics of the part that ran
static void test_wrong_bite_angle_fails(void** state) {
  fixture* f = *state;
  sfEpisodeResult ref = run_episode(f, 0, f->ref, 1);
  double theta[SF_MAX_THETA];
  memcpy(theta, f->ref, sizeof(theta));
  theta[0] = 41.81 + 40;
  sfEpisodeResult r = run_episode(f, 0, theta, 1);
  print_result("bite 81.81", &r);
  assert_int_equal(r.success, 0);
  assert_int_equal(r.end_reason, SF_END_DROPPED);
  assert_int_equal(r.dropped, 1);
  assert_true(r.trauma_mm2 > SF_TRAUMA_MAX_MM2);
  assert_true(r.trauma_mm2 > 10 * ref.trauma_mm2);
  assert_true(r.steps < ref.steps);
  assert_near(r.time_s, SF_THROW_TIME_S, 0);  // not completed: the time limit
  assert_int_equal(r.fault + r.diverged, 0);
}

// 20 deg below the reference (21.81 deg) the needle goes in at the entry hole (SRC's entry
// criterion met) but tears the tissue on its way: the episode fails on trauma alone, and ends
// the step its torn area passes SF_TRAUMA_STOP_MM2 (8 mm^2), before the throw is finished
static void test_trauma_alone_fails(void** state) {
  fixture* f = *state;
  double theta[SF_MAX_THETA];
  memcpy(theta, f->ref, sizeof(theta));
  theta[0] = 41.81 - 20;
  sfEpisodeResult r = run_episode(f, 0, theta, 1);
  print_result("bite 21.81", &r);
  assert_int_equal(r.end_reason, SF_END_TRAUMA);
  assert_int_equal(r.throw_score[0].inserted, 1);
  assert_true(r.entry_err_mm <= SF_SUCCESS_TOL_MM);
  assert_int_equal(r.dropped + r.fault + r.diverged + r.completed, 0);
  assert_true(r.trauma_mm2 > SF_TRAUMA_STOP_MM2);
  assert_true(r.trauma_mm2 < 1.05 * SF_TRAUMA_STOP_MM2);  // stopped as soon as it passed
  assert_int_equal(r.success, 0);
}

// two stitches: the second throw uses the next pair, 8 mm further along the wound (STAR
// spacing), and both succeed
static void test_two_stitches(void** state) {
  fixture* f = *state;
  sfEpisodeResult r = run_episode(f, 0, f->ref, 2);
  print_result("two stitches", &r);
  print_message("pairs %d %d, spacing %.4f mm, throw times %.3f %.3f s\n", r.throw_score[0].pair,
                r.throw_score[1].pair, r.spacing_mean_mm, r.throw_time_s[0], r.throw_time_s[1]);
  assert_int_equal(r.stitches, 2);
  assert_in_range(r.ctx.first_pair, 0, f->s.npair - 2);
  assert_int_equal(r.throw_score[0].pair, r.ctx.first_pair);
  assert_int_equal(r.throw_score[1].pair, r.ctx.first_pair + 1);
  for (int i = 0; i < 2; i++) {
    assert_int_equal(r.throw_score[i].entry_pair, r.throw_score[i].pair);
    assert_int_equal(r.throw_score[i].exit_pair, r.throw_score[i].pair);
    assert_true(r.throw_time_s[i] > 0 && r.throw_time_s[i] < SF_THROW_TIME_S);
  }
  assert_int_equal(r.throws_ok, 2);
  assert_int_equal(r.insertions, 2);
  assert_int_equal(r.completed, 1);
  assert_int_equal(r.success, 1);
  assert_near(r.spacing_mean_mm, 8.0, 0.1);
  assert_true(isnan(r.spacing_sd_mm));  // one spacing has no SD
  assert_near(r.throw_time_s[0] + r.throw_time_s[1], r.time_s, 1e-9);
  assert_true(r.time_s < 2 * SF_THROW_TIME_S);
}

// a test controller: holds the home pose with the host's servo, and at its skill's call number
// writes a bad value into one actuator's control. Skill: (call, axis, value)
typedef struct faulty_ {
  const sfcHost* h;
  long calls;         // step calls this episode
  long fault_call;    // the call that writes the bad value
  int axis;           // the axis whose control it spoils
  double value;       // the bad value (NaN unless theta[2] is finite)
  double fault_time;  // time of the fault (obs), NaN before
  mjtNum home[SF_NAXIS];
} faulty;

static void* faulty_make(const sfcHost* h) {
  faulty* c = calloc(1, sizeof(faulty));
  if (c) c->h = h;
  return c;
}

static void faulty_reset(void* state, const mjModel* m, const mjData* d, const sfcObs* o,
                         const double* theta) {
  faulty* c = state;
  c->calls = 0;
  c->fault_call = (long)theta[0];
  c->axis = (int)theta[1];
  c->value = theta[2];
  c->fault_time = NAN;
  mju_copy(c->home, o->q, SF_NAXIS);
}

static int faulty_step(void* state, const mjModel* m, const mjData* d, const sfcObs* o,
                       mjtNum* ctrl) {
  faulty* c = state;
  c->calls++;
  c->h->servo(c->h->ctx, d, c->home, ctrl);
  if (c->calls == c->fault_call) {
    ctrl[c->h->arm.act[c->axis]] = c->value;
    c->fault_time = o->time_s;
  }
  return SFC_RUN;
}

static void faulty_destroy(void* state) {
  free(state);
}

static const sfcParam kFaultyParams[3] = {
    {"fault_call", "", "the step call that writes the bad control", 1, 1e9, 10, 10, 1},
    {"fault_axis", "", "the axis", 0, SF_NAXIS - 1, SF_AXIS_PITCH, SF_AXIS_PITCH, 1},
    {"fault_value", "", "the value (NaN: not a number)", -1e9, 1e9, 0, 0, 1},
};

static const sfcController kFaulty = {.abi_version = SFC_ABI_VERSION,
                                      .size = sizeof(sfcController),
                                      .name = "faulty",
                                      .description = "holds home, then writes one bad control",
                                      .nparam = 3,
                                      .param = kFaultyParams,
                                      .create = faulty_make,
                                      .reset = faulty_reset,
                                      .step = faulty_step,
                                      .destroy = faulty_destroy};

// run the faulty controller with theta on a fresh worker; the controller's state in *c
static sfEpisodeResult run_faulty(fixture* f, const double* theta, faulty* c) {
  sfWorker w;
  sfError e = {{0}};
  assert_int_equal(sf_worker_make(&w, &f->s, &f->faulty, &e), SF_OK);
  sfEpisodeSpec spec = spec_of(1, 0, 0, 0, 1, 1, theta);
  sfEpisodeResult r;
  sf_episode_run(&f->s, &w, &spec, &r);
  *c = *(faulty*)w.state;

  // whatever the controller wrote, MuJoCo's controls stayed finite and within range
  for (int i = 0; i < f->s.m->nu; i++) {
    assert_true(isfinite(w.d->ctrl[i]));
    assert_true(w.d->ctrl[i] >= f->s.m->actuator_ctrlrange[2 * i]);
    assert_true(w.d->ctrl[i] <= f->s.m->actuator_ctrlrange[2 * i + 1]);
  }
  sf_worker_free(&w);
  return r;
}

// a NaN control on the 10th controller call: fault, no success, and the episode stops at that
// step: no physics step after it, no controller call after it
static void test_nan_control_faults(void** state) {
  fixture* f = *state;
  const double dt = f->s.m->opt.timestep;
  const double theta[3] = {10, SF_AXIS_PITCH, NAN};
  faulty c;
  sfEpisodeResult r = run_faulty(f, theta, &c);
  print_message("NaN at call 10 (t = %.4f s): steps %d, sim time %.4f s\n", c.fault_time, r.steps,
                r.sim_time_s);
  assert_int_equal(r.fault, 1);
  assert_int_equal(r.end_reason, SF_END_FAULT);
  assert_int_equal(r.success, 0);
  assert_int_equal(r.completed, 0);
  assert_int_equal(r.diverged, 0);
  assert_int_equal(c.calls, 10);
  assert_true(c.fault_time > 0);
  assert_near(r.sim_time_s, c.fault_time, 1e-12);
  assert_near(r.steps * dt, c.fault_time, 1e-9);
  assert_near(r.time_s, SF_THROW_TIME_S, 0);  // not completed: the time limit
  assert_true(r.trauma_mm2 == 0 && r.insertions == 0);
  assert_true(isnan(r.entry_err_mm));

  // a finite value out of the range is a fault too, but clamped to the range and the episode
  // goes on: the jaw opening to 10 rad on call 3, then home again until the time limit
  const double jaw[3] = {3, SF_AXIS_JAW, 10};
  r = run_faulty(f, jaw, &c);
  assert_int_equal(r.fault, 1);
  assert_int_equal(r.success, 0);
  assert_int_equal(r.end_reason, SF_END_TIME);
  assert_int_equal(c.calls, (int)lround(SF_THROW_TIME_S / dt / f->s.ctrl_every));
  assert_near(r.sim_time_s, SF_THROW_TIME_S, 1e-9);
}

// a control exactly at its range limit is no fault: the episode runs to its time limit (the
// controller holds home and never finishes the throw)
static void test_control_at_limit_is_no_fault(void** state) {
  fixture* f = *state;
  const double* range = f->s.m->actuator_ctrlrange + 2 * f->s.arm.act[SF_AXIS_JAW];
  const double theta[3] = {1, SF_AXIS_JAW, range[1]};
  faulty c;
  sfEpisodeResult r = run_faulty(f, theta, &c);
  assert_int_equal(r.fault, 0);
  assert_int_equal(r.completed, 0);
  assert_int_equal(r.success, 0);
  assert_int_equal(r.steps, (int)lround(SF_THROW_TIME_S / f->s.m->opt.timestep));
  assert_near(r.sim_time_s, SF_THROW_TIME_S, 1e-9);
}

// the fleet goes on past faulty robots: 5 robots on 2 threads, robot i faulting on its
// (20 + 7 i)th call, each result in its own slot and fault-flagged at its own time
static void test_fleet_survives_faults(void** state) {
  fixture* f = *state;
  enum { N = 5, THREADS = 2 };
  sfWorker workers[THREADS];
  sfError e = {{0}};
  assert_int_equal(sf_workers_make(workers, THREADS, &f->s, &f->faulty, &e), SF_OK);
  double theta[N][3];
  sfEpisodeSpec specs[N];
  sfEpisodeResult res[N];
  for (int i = 0; i < N; i++) {
    theta[i][0] = 20 + 7 * i;
    theta[i][1] = SF_AXIS_INSERTION;
    theta[i][2] = NAN;
    specs[i] = spec_of(3, i, 0, 50 + i, 1, 1, theta[i]);
  }
  memset(res, 0xff, sizeof(res));
  sf_fleet_parallel(&f->s, workers, THREADS, specs, NULL, N, res, NULL);
  sf_workers_free(workers, THREADS);

  // the fault time of call n is that of the (n - 1)th controller period after time 0, so the
  // ratio of the stop times of robots i and 0 is (19 + 7 i) / 19
  for (int i = 0; i < N; i++) {
    assert_int_equal(res[i].robot, i);
    assert_int_equal(res[i].episode_id, 50 + i);
    assert_int_equal(res[i].fault, 1);
    assert_int_equal(res[i].success, 0);
    assert_true(res[i].steps > 0);
    assert_near((double)res[i].steps / res[0].steps, (19.0 + 7 * i) / 19.0, 1e-12);
  }
  sfRunSummary sum = {0};
  summary_add(&sum, res, N);
  assert_int_equal(sum.episodes, N);
  assert_int_equal(sum.faults, N);
  assert_int_equal(sum.successes, 0);
}

// contexts: within their documented ranges, every allowed first pair used, a function of
// (seed, robot, round) that changes with each of them
static void test_contexts(void** state) {
  const sfScene* s = &((fixture*)*state)->s;
  for (int stitches = 1; stitches <= 4; stitches++) {
    int pair_used[SF_MAX_PAIRS] = {0};
    for (int robot = 0; robot < 200; robot++) {
      sfContext c;
      sf_context_draw(s, 1, robot, 0, stitches, 1, &c);
      assert_in_range(c.first_pair, 0, s->npair - stitches);
      pair_used[c.first_pair]++;
      assert_true(fabs(c.line_offset_m) <= 0.002);
      assert_true(c.grasp_angle_rad >= 15 * DEG && c.grasp_angle_rad < 35 * DEG);
      assert_true(fabs(c.grasp_tilt_rad) <= 5 * DEG);
      assert_true(c.puncture_N >= 0.6 && c.puncture_N < 1.4);
      assert_true(c.indent_k_N_m >= 800 && c.indent_k_N_m < 1500);
      assert_true(c.friction_Ns_m2 >= 1000 && c.friction_Ns_m2 < 3000);
      assert_true(c.cut_N >= 0.1 && c.cut_N < 0.3);
      assert_true(c.lateral_k_N_m2 >= 1e5 && c.lateral_k_N_m2 < 3e5);
      assert_true(c.tear_mm >= 0.10 && c.tear_mm < 0.20);
      for (int k = 0; k < 3; k++) assert_true(c.calib.bias_m[k] == 0 && c.calib.rot_rad[k] == 0);
    }
    // P(a pair unused in 200 draws) <= 4 (3/4)^200
    for (int p = 0; p <= s->npair - stitches; p++) assert_true(pair_used[p] > 0);
  }

  // the same key gives the same context; robot, round and seed change it
  sfContext c0, c;
  sf_context_draw(s, 1, 0, 0, 1, 1, &c0);
  sf_context_draw(s, 1, 0, 0, 1, 1, &c);
  assert_memory_equal(&c, &c0, sizeof(c));
  sf_context_draw(s, 1, 1, 0, 1, 1, &c);
  assert_true(c.grasp_angle_rad != c0.grasp_angle_rad && c.puncture_N != c0.puncture_N);
  sf_context_draw(s, 1, 0, 1, 1, 1, &c);
  assert_true(c.grasp_angle_rad != c0.grasp_angle_rad && c.puncture_N != c0.puncture_N);
  sf_context_draw(s, 2, 0, 0, 1, 1, &c);
  assert_true(c.grasp_angle_rad != c0.grasp_angle_rad && c.puncture_N != c0.puncture_N);

  // an uncalibrated robot carries its own calibration error, the same in every round
  sfCalib cal;
  sf_calib_draw(1, 0, &cal);
  sf_context_draw(s, 1, 0, 0, 1, 0, &c);
  assert_memory_equal(&c.calib, &cal, sizeof(cal));
  sf_context_draw(s, 1, 0, 7, 1, 0, &c);
  assert_memory_equal(&c.calib, &cal, sizeof(cal));
}

// the calibration error as episode.h documents it: a part shared by every robot of a seed
// (position SD 1.2 mm per axis clipped to +-2.5 mm, rotation SD 0.3 deg) plus the robot's own
// (SD 0.4 mm clipped to +-1.2 mm, rotation SD 0.2 deg)
#define SHARED_SD_MM 1.2
#define SHARED_CLIP_MM 2.5
#define OWN_SD_MM 0.4
#define OWN_CLIP_MM 1.2

// E[clip(z, c)^2] for a standard normal z: erf(c / sqrt 2) - 2 c phi(c) + c^2 P(|z| > c)
static double clipped_var(double c) {
  double phi = exp(-c * c / 2) / sqrt(2 * 3.141592653589793);
  return erf(c / sqrt(2)) - 2 * c * phi + c * c * erfc(c / sqrt(2));
}

// within one seed (3000 robots, 9000 draws per quantity): the shared part is the same for
// every robot, so each axis's biases span exactly the own part's range, 2 * 1.2 = 2.4 mm (a
// draw clips at either end with P(|z| > 3) / 2 = 0.135 %, about 4 times per end and axis),
// centred on the shared part (within +-2.5 mm); around their mean the biases have the own
// part's SD, 0.4 sqrt(E[clip(z, 3)^2]) = 0.3990 mm, the rotations 0.2 deg. Tolerances are 4
// standard errors, SD / sqrt(2 * 9000)
static void test_calibration_within_seed(void** state) {
  enum { N = 3000 };
  double lo[3], hi[3], mean_b[3] = {0}, mean_r[3] = {0};
  static sfCalib c[N];
  for (int robot = 0; robot < N; robot++) {
    sf_calib_draw(11, robot, &c[robot]);
    for (int k = 0; k < 3; k++) {
      double b = 1000 * c[robot].bias_m[k];
      lo[k] = robot ? fmin(lo[k], b) : b;
      hi[k] = robot ? fmax(hi[k], b) : b;
      mean_b[k] += b / N;
      mean_r[k] += c[robot].rot_rad[k] / N;
    }
  }
  double sb = 0, sr = 0;
  for (int robot = 0; robot < N; robot++) {
    for (int k = 0; k < 3; k++) {
      double db = 1000 * c[robot].bias_m[k] - mean_b[k], dr = c[robot].rot_rad[k] - mean_r[k];
      sb += db * db;
      sr += dr * dr;
    }
  }
  double sd_b = sqrt(sb / (3 * N)), sd_r = sqrt(sr / (3 * N)) / DEG;
  double want_b = OWN_SD_MM * sqrt(clipped_var(OWN_CLIP_MM / OWN_SD_MM));
  print_message(
      "own bias SD %.4f mm (expected %.4f), rotation SD %.4f deg (expected 0.2); "
      "spans %.6f %.6f %.6f mm around %.4f %.4f %.4f mm\n",
      sd_b, want_b, sd_r, hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2], (hi[0] + lo[0]) / 2,
      (hi[1] + lo[1]) / 2, (hi[2] + lo[2]) / 2);
  for (int k = 0; k < 3; k++) {
    assert_near(hi[k] - lo[k], 2 * OWN_CLIP_MM, 1e-9);
    assert_true(fabs((hi[k] + lo[k]) / 2) <= SHARED_CLIP_MM + 1e-9);
  }
  assert_near(sd_b, want_b, 4 * OWN_SD_MM / sqrt(2 * 3 * N));
  assert_near(sd_r, 0.2, 4 * 0.2 / sqrt(2 * 3 * N));
}

// across seeds (robot 0 of 3000 seeds): shared and own part together, SD sqrt(1.2^2
// E[clip(z, 2.0833)^2] + 0.4^2 E[clip(z, 3)^2]) = sqrt(1.44 * 0.93456 + 0.16 * 0.99501) =
// 1.2268 mm per axis, never beyond 2.5 + 1.2 = 3.7 mm; rotation sqrt(0.3^2 + 0.2^2) = 0.3606
// deg; different seeds give different shared parts
static void test_calibration_across_seeds(void** state) {
  enum { N = 3000 };
  double sb = 0, sr = 0, worst = 0;
  for (int seed = 0; seed < N; seed++) {
    sfCalib c;
    sf_calib_draw((uint64_t)seed, 0, &c);
    for (int k = 0; k < 3; k++) {
      sb += 1e6 * c.bias_m[k] * c.bias_m[k];
      sr += c.rot_rad[k] * c.rot_rad[k];
      worst = fmax(worst, 1000 * fabs(c.bias_m[k]));
    }
  }
  double sd_b = sqrt(sb / (3 * N)), sd_r = sqrt(sr / (3 * N)) / DEG;
  double want_b = sqrt(SHARED_SD_MM * SHARED_SD_MM * clipped_var(SHARED_CLIP_MM / SHARED_SD_MM) +
                       OWN_SD_MM * OWN_SD_MM * clipped_var(OWN_CLIP_MM / OWN_SD_MM));
  print_message(
      "bias SD %.4f mm (expected %.4f), rotation SD %.4f deg (expected %.4f), "
      "worst %.4f mm\n",
      sd_b, want_b, sd_r, sqrt(0.13), worst);
  assert_near(sd_b, want_b, 4 * want_b / sqrt(2 * 3 * N));
  assert_near(sd_r, sqrt(0.3 * 0.3 + 0.2 * 0.2), 4 * 0.3606 / sqrt(2 * 3 * N));
  assert_true(worst <= SHARED_CLIP_MM + OWN_CLIP_MM + 1e-9);
}

// run summaries: counts, and means of the metrics; the entry and exit errors are averaged over
// the episodes that have one (fleet.h), so an episode without an insertion (NaN) does not
// pull the mean towards 0
static void test_summary_means(void** state) {
  sfEpisodeResult r[3];
  memset(r, 0, sizeof(r));
  const double entry[3] = {1.0, 2.0, NAN}, exit[3] = {0.5, NAN, NAN};
  for (int i = 0; i < 3; i++) {
    r[i].steps = 100 * (i + 1);
    r[i].success = i == 0;
    r[i].fault = i == 2;
    r[i].entry_err_mm = entry[i];
    r[i].exit_err_mm = exit[i];
    r[i].trauma_mm2 = 0.3 * (i + 1);
    r[i].peak_force_N = 1.0;
    r[i].time_s = 9 + i;
  }
  sfRunSummary sum = {0};
  summary_add(&sum, r, 3);
  sf_summary_finish(&sum);
  assert_int_equal(sum.episodes, 3);
  assert_int_equal(sum.steps, 600);
  assert_int_equal(sum.successes, 1);
  assert_int_equal(sum.faults, 1);
  assert_near(sum.trauma_mm2, 0.6, 1e-12);
  assert_near(sum.peak_force_N, 1.0, 1e-12);
  assert_near(sum.time_s, 10, 1e-12);
  assert_near(sum.entry_err_mm, 1.5, 1e-12);  // (1 + 2) / 2, not / 3
  assert_near(sum.exit_err_mm, 0.5, 1e-12);   // 0.5 / 1, not / 3
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_reference_skill_succeeds),
      cmocka_unit_test(test_episode_deterministic),
      cmocka_unit_test(test_wrong_bite_angle_fails),
      cmocka_unit_test(test_trauma_alone_fails),
      cmocka_unit_test(test_two_stitches),
      cmocka_unit_test(test_nan_control_faults),
      cmocka_unit_test(test_control_at_limit_is_no_fault),
      cmocka_unit_test(test_fleet_survives_faults),
      cmocka_unit_test(test_contexts),
      cmocka_unit_test(test_calibration_within_seed),
      cmocka_unit_test(test_calibration_across_seeds),
      cmocka_unit_test(test_summary_means),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
