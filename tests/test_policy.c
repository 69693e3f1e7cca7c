// test_policy.c: learning from episodes (policy.h) on hand-made skills and records: the prior,
// cross-entropy updates (towards the best episodes, SD shrinking to its floor, aim values left
// alone, the cem learner's window), aim corrections from SRC offsets, sampling, and the score.
#include "sf_test.h"

#include "controller.h"
#include "policy.h"

// two shared values: x in [0, 10] (prior 3 +- 2) and y in [-5, 5] (prior 0 +- 1); no aim values
static const sfSkillDef kPlain = {
    .n = 2,
    .name = {"x_mm", "y_deg"},
    .unit = {"mm", "deg"},
    .doc = {"a length", "an angle"},
    .lo = {0, -5},
    .hi = {10, 5},
    .ref = {5, 0},
    .prior_mean = {3, 0},
    .prior_sd = {2, 1},
    .has_aim = 0,
};

// the same two shared values and three aim values in [-4, 4] mm (prior 0 +- 1.5), in an order
// that is not the aim order: along the wound is value 3, across it value 4, height value 2;
// 0.5 mm of height per mm of chord error
static const sfSkillDef kAimed = {
    .n = 5,
    .name = {"x_mm", "y_deg", "dz_mm", "dx_mm", "dy_mm"},
    .unit = {"mm", "deg", "mm", "mm", "mm"},
    .doc = {"a length", "an angle", "height", "along", "across"},
    .lo = {0, -5, -4, -4, -4},
    .hi = {10, 5, 4, 4, 4},
    .ref = {5, 0, 0, 0, 0},
    .prior_mean = {3, 0, 0, 0, 0},
    .prior_sd = {2, 1, 1.5, 1.5, 1.5},
    .has_aim = 1,
    .aim = {3, 4, 2},
    .aim_z_per_chord = 0.5,
};

#define NREC 1000

// records k = 0 .. n-1 with x = 0.5 k, y = 1 and score -|x - v|: the best are those nearest v
static void graded_records(sfEpisodeRecord* recs, int n, double v) {
  memset(recs, 0, sizeof(sfEpisodeRecord) * (size_t)n);
  for (int k = 0; k < n; k++) {
    recs[k].theta[0] = 0.5 * k;
    recs[k].theta[1] = 1.0;
    recs[k].score = -fabs(recs[k].theta[0] - v);
  }
}

// 20 graded records around 7 (graded_records) with six more at x = 7 (records 1, 4 .. 16;
// seven in all with record 14): any elite share up to 30 % picks only x = 7
static void seven_records(sfEpisodeRecord* recs) {
  graded_records(recs, 20, 7);
  for (int k = 0; k < 6; k++) recs[3 * k + 1].theta[0] = 7, recs[3 * k + 1].score = 0;
  assert_true(SF_CEM_ELITE * 20 <= 7);
}

// the prior is the skill definition's prior; scripted-arc's is the one README.md states: bite
// angle 50 +- 8 deg, plane yaw 0 +- 8 deg, speed 60 +- 20 deg/s, drive 120 +- 15 deg, regrasp
// 30 +- 10 deg, with aims entry_dx/dy/dz_mm (values 2, 3, 4)
static void test_prior(void** state) {
  sfKnowledge k;
  memset(&k, 0x5a, sizeof(k));
  sf_knowledge_prior(&kAimed, &k);
  assert_int_equal(k.n, 5);
  assert_int_equal(k.episodes, 0);
  for (int i = 0; i < 5; i++) {
    assert_near(k.mean[i], kAimed.prior_mean[i], 0);
    assert_near(k.sd[i], kAimed.prior_sd[i], 0);
  }

  const sfSkillDef* def = &sf_test_scripted_arc()->skill;
  sf_knowledge_prior(def, &k);
  const int idx[9] = {0, 1, 5, 6, 7, 8, 9, 10, 11};
  const double mean[9] = {50, 0, 60, 120, 30, 2.5, 60, 15, 30};
  const double sd[9] = {8, 8, 20, 15, 10, 1, 15, 5, 10};
  assert_int_equal(k.n, 12);
  for (int j = 0; j < 9; j++) {
    assert_near(k.mean[idx[j]], mean[j], 0);
    assert_near(k.sd[idx[j]], sd[j], 0);
  }
  assert_int_equal(def->has_aim, 1);
  assert_string_equal(def->name[def->aim[0]], "entry_dx_mm");
  assert_string_equal(def->name[def->aim[1]], "entry_dy_mm");
  assert_string_equal(def->name[def->aim[2]], "entry_dz_mm");
}

// one CEM step on 20 records from the prior, window 20: seven records at x = 7 score 0, the
// others (score -|x - 7|) less (seven_records). The elites (the best 15 %, 3 records) are all
// x = 7: mean 7, SD 0. The mean moves 0.7 of the way: 0.3 * 3 + 0.7 *
// 7 = 5.8. The SD blends 0.6 * 2 + 0.4 * 0 = 1.2 with the exploration noise, 2 % of the range
// 10 times exp(-20 / 150) = 0.17503: sqrt(1.2^2 + 0.17503^2) = 1.21270, below the annealing cap
// 2 * exp(-20 / 250) = 1.84623 and above the floor. y (1 in every record): mean 0.7, SD
// sqrt(0.6^2 + 0.17503^2) = 0.62501
static void test_update_moves_towards_best(void** state) {
  static sfEpisodeRecord recs[20];
  seven_records(recs);
  sfKnowledge prior, next;
  sf_knowledge_prior(&kPlain, &prior);
  sf_knowledge_update(&kPlain, &prior, recs, 20, 20, &next);
  print_message("x: %.6f +- %.6f, y: %.6f +- %.6f\n", next.mean[0], next.sd[0], next.mean[1],
                next.sd[1]);
  assert_near(next.mean[0], 5.8, 1e-12);
  assert_near(next.sd[0], 1.212698, 1e-6);
  assert_near(next.mean[1], 0.7, 1e-12);
  assert_near(next.sd[1], 0.625010, 1e-6);
  assert_int_equal(next.n, 2);
  assert_true(fabs(next.mean[0] - 7) < fabs(prior.mean[0] - 7));
  assert_true(next.sd[0] < prior.sd[0]);

  // a second step from there moves further: 0.3 * 5.8 + 0.7 * 7 = 6.64
  sfKnowledge again;
  sf_knowledge_update(&kPlain, &next, recs, 20, 20, &again);
  assert_near(again.mean[0], 6.64, 1e-12);
  assert_true(again.sd[0] < next.sd[0]);

  // no records: the knowledge stays
  sf_knowledge_update(&kPlain, &next, recs, 0, 20, &again);
  assert_memory_equal(&again, &next, sizeof(next));
}

// the SD never falls below 0.4 % of the range (0.04 for x, range 10). With 1000 episodes pooled
// the annealing cap is 2 * max(0.05, exp(-1000 / 250)) = 0.1 and the noise 0.2 exp(-1000 / 150)
// = 0.00025, so from the prior one step of identical elites (SD 0) gives the cap, 0.1; then
// each step takes 0.6 of it until the floor holds it at 0.04
static void test_update_sd_floor(void** state) {
  static sfEpisodeRecord recs[NREC];
  graded_records(recs, NREC, 7);
  for (int k = 0; k < NREC; k++) recs[k].theta[0] = 7;
  sfKnowledge k, next;
  sf_knowledge_prior(&kPlain, &k);
  sf_knowledge_update(&kPlain, &k, recs + NREC - 20, 20, NREC, &next);
  assert_near(next.sd[0], 0.1, 0);
  for (int step = 0; step < 30; step++) {
    k = next;
    sf_knowledge_update(&kPlain, &k, recs + NREC - 20, 20, NREC, &next);
    assert_true(next.sd[0] >= 0.04);
    assert_true(next.sd[1] >= 0.04);
  }
  print_message("after 31 steps: x SD %.17g, y SD %.17g\n", next.sd[0], next.sd[1]);
  assert_near(next.sd[0], 0.04, 0);
  assert_near(next.sd[1], 0.04, 0);
  assert_near(next.mean[0], 7, 1e-9);
}

// aim values are not learned from the pool: their mean and SD stay what they were, whatever
// the records hold; the shared values still move
static void test_update_leaves_aim_values(void** state) {
  static sfEpisodeRecord recs[20];
  seven_records(recs);
  for (int k = 0; k < 20; k++) {
    recs[k].theta[2] = 3.5;
    recs[k].theta[3] = -0.1 * k;
    recs[k].theta[4] = 0.2 * k - 2;
  }
  sfKnowledge k, next;
  sf_knowledge_prior(&kAimed, &k);
  k.mean[2] = 0.25;  // a pooled aim, as the fleet keeps it
  k.sd[3] = 0.7;
  sf_knowledge_update(&kAimed, &k, recs, 20, 20, &next);
  for (int i = 2; i < 5; i++) {
    assert_near(next.mean[i], k.mean[i], 0);
    assert_near(next.sd[i], k.sd[i], 0);
  }
  assert_near(next.mean[0], 5.8, 1e-12);
  assert_near(next.mean[1], 0.7, 1e-12);
}

// the cem learner's window: a solo robot's last SF_SOLO_WINDOW episodes. Nine episodes one by
// one (graded x = 0 .. 4, best near 7), the ninth update must be sf_knowledge_update over
// episodes 1 .. 8 (episode 0 has left the window) from the knowledge after the eighth, with 9
// episodes pooled; and a fleet's window, two episodes per robot of the round: two rounds of 5,
// the second update is the step over all 10
static void test_cem_window(void** state) {
  static sfEpisodeRecord recs[10];
  graded_records(recs, 10, 7);
  const sflLearner* t = sf_learner_cem();
  const char* names[] = {"x_mm", "y_deg"};
  double mean[2] = {3, 0}, sd[2] = {2, 1};
  sflSkill skill = {2, names, kPlain.lo, kPlain.hi, mean, sd, kPlain.prior_sd, 1, 1};
  void* solo = t->create(&skill);
  sflEpisode ep[10];
  for (int k = 0; k < 10; k++) ep[k] = (sflEpisode){.x = recs[k].theta, .score = recs[k].score};
  sfKnowledge before, want;
  sf_knowledge_prior(&kPlain, &before);
  for (int k = 0; k < 9; k++) {
    if (k == 8) t->describe(solo, before.mean, before.sd);
    t->update(solo, &ep[k], 1, k + 1);
  }
  sf_knowledge_update(&kPlain, &before, recs + 1, SF_SOLO_WINDOW, 9, &want);
  double got_mean[2], got_sd[2];
  t->describe(solo, got_mean, got_sd);
  for (int i = 0; i < 2; i++) {
    assert_near(got_mean[i], want.mean[i], 0);
    assert_near(got_sd[i], want.sd[i], 0);
  }
  t->destroy(solo);

  // the fleet: round 1 (episodes 0 .. 4), round 2 (5 .. 9) over a window of 2 x 5
  skill.solo = 0, skill.robots = 5;
  void* fleet = t->create(&skill);
  t->update(fleet, ep, 5, 5);
  t->describe(fleet, before.mean, before.sd);
  t->update(fleet, ep + 5, 5, 10);
  sf_knowledge_update(&kPlain, &before, recs, SF_FLEET_WINDOW_PER * 5, 10, &want);
  t->describe(fleet, got_mean, got_sd);
  for (int i = 0; i < 2; i++) {
    assert_near(got_mean[i], want.mean[i], 0);
    assert_near(got_sd[i], want.sd[i], 0);
  }
  t->destroy(fleet);
}

// one record with offsets: along = (1.0 + 0.6) / 2 = 0.8, across = (0.4 - 0.2) / 2 = 0.1, chord
// error = exit across - entry across = -0.2 - 0.4 = -0.6 (the normal offsets do not count). The
// aim it suggests: along 0.5 - 0.8 = -0.3, across -0.2 - 0.1 = -0.3, height 0.1 + 0.5 * -0.6 =
// -0.2 (values 3, 4, 2 of the skill)
static void test_aim_from_offsets(void** state) {
  sfEpisodeRecord r;
  memset(&r, 0, sizeof(r));
  r.theta[3] = 0.5;
  r.theta[4] = -0.2;
  r.theta[2] = 0.1;
  r.has_offsets = 1;
  const double entry[3] = {1.0, 0.4, 0.3}, exit[3] = {0.6, -0.2, -0.1};
  memcpy(r.entry_off_mm, entry, sizeof(entry));
  memcpy(r.exit_off_mm, exit, sizeof(exit));
  const double fallback[3] = {9, 9, 9};
  double aim[3];
  assert_int_equal(sf_policy_aim(&kAimed, &r, 1, fallback, aim), 1);
  assert_near(aim[0], -0.3, 1e-12);
  assert_near(aim[1], -0.3, 1e-12);
  assert_near(aim[2], -0.2, 1e-12);

  // a skill without aim values: zeros
  aim[0] = aim[1] = aim[2] = 7;
  assert_int_equal(sf_policy_aim(&kPlain, &r, 1, fallback, aim), 0);
  assert_near(aim[0], 0, 0);
  assert_near(aim[1], 0, 0);
  assert_near(aim[2], 0, 0);
}

// 20 records, the odd ones with offsets (zero offsets: each suggests the aim it used, along =
// 0.1 k for record k), the even ones without (and an absurd aim of 3.9 that must not count):
// the last 8 with offsets are k = 5, 7 .. 19, mean along 0.1 * 12 = 1.2; across and height
// 0.25 and -0.5 in every record. No record with offsets: the fallback
static void test_aim_window(void** state) {
  static sfEpisodeRecord recs[20];
  memset(recs, 0, sizeof(recs));
  for (int k = 0; k < 20; k++) {
    recs[k].has_offsets = k % 2;
    recs[k].theta[3] = recs[k].has_offsets ? 0.1 * k : 3.9;
    recs[k].theta[4] = recs[k].has_offsets ? 0.25 : 3.9;
    recs[k].theta[2] = recs[k].has_offsets ? -0.5 : 3.9;
  }
  const double fallback[3] = {0.7, -0.3, 0.2};
  double aim[3];
  assert_int_equal(sf_policy_aim(&kAimed, recs, 20, fallback, aim), SF_AIM_WINDOW);
  assert_int_equal(SF_AIM_WINDOW, 8);
  assert_near(aim[0], 1.2, 1e-12);
  assert_near(aim[1], 0.25, 1e-12);
  assert_near(aim[2], -0.5, 1e-12);

  // fewer than 8 with offsets: all of them (records 0 .. 6: k = 1, 3, 5; mean along 0.3)
  assert_int_equal(sf_policy_aim(&kAimed, recs, 7, fallback, aim), 3);
  assert_near(aim[0], 0.3, 1e-12);

  // none with offsets (records 0 only; or none at all): the fallback
  assert_int_equal(sf_policy_aim(&kAimed, recs, 1, fallback, aim), 0);
  assert_memory_equal(aim, fallback, sizeof(aim));
  assert_int_equal(sf_policy_aim(&kAimed, recs, 0, fallback, aim), 0);
  assert_memory_equal(aim, fallback, sizeof(aim));
}

// sampling: a pure function of (seed, key, round); other keys, rounds and seeds give other
// values; the aim values are the given aim; everything clipped to the bounds
static void test_sample(void** state) {
  sfKnowledge k;
  sf_knowledge_prior(&kAimed, &k);
  k.mean[0] = 5;
  k.sd[0] = 1;
  k.mean[1] = 0;
  k.sd[1] = 0.5;
  const double aim[3] = {0.5, -1.5, 2.5};
  double a[SF_MAX_THETA], b[SF_MAX_THETA];
  for (int i = 0; i < SF_MAX_THETA; i++) a[i] = b[i] = 99;
  sf_policy_sample(&kAimed, &k, aim, 7, 3, 2, a);
  sf_policy_sample(&kAimed, &k, aim, 7, 3, 2, b);
  assert_memory_equal(a, b, sizeof(a));
  assert_near(a[5], 99, 0);    // only n values written
  assert_near(a[3], 0.5, 0);   // along
  assert_near(a[4], -1.5, 0);  // across
  assert_near(a[2], 2.5, 0);   // height
  const uint64_t seeds[3] = {8, 7, 7};
  const uint32_t keys[3] = {3, 4, 3}, rounds[3] = {2, 2, 3};
  for (int c = 0; c < 3; c++) {
    sf_policy_sample(&kAimed, &k, aim, seeds[c], keys[c], rounds[c], b);
    assert_true(a[0] != b[0] && a[1] != b[1]);
    assert_memory_equal(a + 2, b + 2, 3 * sizeof(double));
  }

  // 4000 keys: mean 5 and SD 1 for x, to 4 standard errors (1 / sqrt(4000) = 0.016 for the
  // mean, 1 / sqrt(8000) = 0.011 for the SD)
  double s1 = 0, s2 = 0;
  for (uint32_t key = 0; key < 4000; key++) {
    sf_policy_sample(&kAimed, &k, aim, 7, key, 0, b);
    s1 += b[0];
    s2 += b[0] * b[0];
  }
  double mean = s1 / 4000, sd = sqrt(s2 / 4000 - mean * mean);
  print_message("x over 4000 keys: mean %.4f SD %.4f\n", mean, sd);
  assert_near(mean, 5, 4 / sqrt(4000));
  assert_near(sd, 1, 4 / sqrt(8000));

  // a huge SD and an aim beyond the bounds: every value clipped into [lo, hi]
  k.sd[0] = k.sd[1] = 100;
  const double wild[3] = {9, -9, 0};
  int at_bound = 0;
  for (uint32_t key = 0; key < 50; key++) {
    sf_policy_sample(&kAimed, &k, wild, 7, key, 0, b);
    for (int i = 0; i < 5; i++) {
      assert_true(b[i] >= kAimed.lo[i] && b[i] <= kAimed.hi[i]);
      at_bound += b[i] == kAimed.lo[i] || b[i] == kAimed.hi[i];
    }
    assert_near(b[3], 4, 0);
    assert_near(b[4], -4, 0);
  }
  assert_true(at_bound > 100);  // x, y nearly always, and both clipped aims
}

// the score: success with good metrics (throws 1/1, closure 1, trauma 0.2 mm^2, errors 0.1 mm,
// tip 6 mm out, 9 s): 10 + 3 + 3 - 3 ln 1.2 - 0.5 * 0.2 - 0 - 0.9 = 14.45304. Missing errors
// count 10 mm, a missing tip 5 mm: a failure with nothing measured (closure 0), 14 s:
// -10 - 5 - 1.4 = -16.4; dropped costs 5 more; an unknown closure (a schema-3 row) counts 0;
// closure earns 3 per share of the gap closed
static void test_score(void** state) {
  assert_near(sf_policy_score(1, 1, 1, 0.2, 0.1, 0.1, 6, 9, 0), 14.453035, 1e-6);
  assert_near(sf_policy_score(0, 0, 0, 0, NAN, NAN, NAN, 14, 0), -16.4, 1e-12);
  assert_near(sf_policy_score(0, 0, 0, 0, NAN, NAN, NAN, 14, 1), -21.4, 1e-12);
  assert_near(sf_policy_score(0, 0, NAN, 0, NAN, NAN, NAN, 14, 0), -16.4, 1e-12);
  assert_near(
      sf_policy_score(0, 1, 0.5, 0, 0, 0, 6, 9, 0) - sf_policy_score(0, 1, 0, 0, 0, 0, 6, 9, 0),
      1.5, 1e-12);

  // a success with poor metrics (trauma at the 2 mm^2 limit, errors at the 2.5 mm limit, tip
  // just 5 mm out) is above a failure with perfect ones (an otherwise perfect throw failed,
  // e.g. by the wrong pair), at the same time
  double success = sf_policy_score(1, 1, 0.8, 2.0, 2.5, 2.5, 5, 9, 0);
  double failure = sf_policy_score(0, 0, 1, 0, 0, 0, 6, 9, 0);
  print_message("poor success %.4f, perfect failure %.4f\n", success, failure);
  assert_true(success > failure);

  // trauma is penalised monotonically
  const double trauma[] = {0, 0.1, 0.5, 1, 2, 5, 20, 1e3, 1e5};
  double last = INFINITY;
  for (size_t i = 0; i < sizeof(trauma) / sizeof(trauma[0]); i++) {
    double s = sf_policy_score(1, 1, 1, trauma[i], 0.1, 0.1, 6, 9, 0);
    assert_true(s < last);
    last = s;
  }
}

// an episode's time as the score ranks it: a completed one's own; one that ran out of time after
// pulling 2 of its 4 throws through in 18 and 20 s, the pace of those for all 4 (76 s: its 56
// and more); the same ending otherwise (it gave up) keeps the limit, as does one that pulled
// none, or one whose pace was within the limit (it ran out of time in a throw that stalled)
static void test_score_time(void** state) {
  sfEpisodeResult r;
  memset(&r, 0, sizeof(r));
  r.stitches = 4;
  r.throws_done = 2;
  r.throw_time_s[0] = 18, r.throw_time_s[1] = 20;
  r.time_s = 4 * SF_THROW_TIME_S;
  r.entry_err_mm = r.exit_err_mm = r.tip_out_mm = r.closure = NAN;
  r.end_reason = SF_END_TIME;
  double paced = sf_policy_result_score(&r),
         at_limit = sf_policy_score(0, 0, 0, 0, NAN, NAN, NAN, r.time_s, 0);
  assert_near(at_limit - paced, 0.1 * (76 - r.time_s), 1e-9);
  r.end_reason = SF_END_GAVE_UP;
  assert_near(sf_policy_result_score(&r), at_limit, 1e-12);
  r.end_reason = SF_END_TIME;
  r.throws_done = 0;
  assert_near(sf_policy_result_score(&r), at_limit, 1e-12);
  r.throws_done = 2, r.throw_time_s[0] = r.throw_time_s[1] = 10;  // a pace within the limit
  assert_near(sf_policy_result_score(&r), at_limit, 1e-12);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_prior),           cmocka_unit_test(test_update_moves_towards_best),
      cmocka_unit_test(test_update_sd_floor), cmocka_unit_test(test_update_leaves_aim_values),
      cmocka_unit_test(test_cem_window),      cmocka_unit_test(test_aim_from_offsets),
      cmocka_unit_test(test_aim_window),      cmocka_unit_test(test_sample),
      cmocka_unit_test(test_score),           cmocka_unit_test(test_score_time),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
