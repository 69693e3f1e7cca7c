// test_learner.c: learners behind the plug-in ABI (learner.h, include/suturefleet/learner.h):
// the built-ins and their checks, each broken plug-in refused with its own message, one update
// of cmaes and of elite checked by hand, and through the command line: a plug-in learner
// recorded in the store, --resume loading it only from the file the user names with the store's
// hash, the resumed store equal to the uninterrupted one, a learner that is not a pure function
// of its episodes refused on --resume, a store that names no learner read as cem's, and each
// sharing model's pooling on a small run.
#include "sf_test.h"

#include <hdf5.h>
#include <unistd.h>

#include "cmaes.h"
#include "fleet.h"
#include "learner.h"
#include "store.h"
#include "store_check.h"

#define PLUGIN(name) SF_TEST_PLUGINS "/" name ".so"
#define SCENE SF_MODEL_DIR "/suture_scene.xml"
#define ARGS(...) ((const char* const[]){__VA_ARGS__, NULL})

// a small run: 2 robots in both cohorts, 3 rounds, no joiners, no trajectories
#define RUN_ARGS                                                                              \
  "run", "--robots", "2", "--rounds", "3", "--join", "none", "--mode", "both", "--seed", "5", \
      "--record", "none", "--model", SCENE, "--threads", "2", "--quiet"

// a scratch path under the build directory
static void scratch(char* buf, size_t n, const char* name) {
  sf_test_path(buf, n, name);
  unlink(buf);
}

// run a command line that must succeed
static void run_ok(const char* const* args) {
  sfTestCli r = sf_test_cli(args);
  if (r.code != 0) print_error("exit %d: %s\n", r.code, r.err);
  assert_int_equal(r.code, 0);
  sf_test_cli_free(&r);
}

// two stores hold the same /episodes and /knowledge rows, bit for bit
static void assert_same_rows(const char* a, const char* b) {
  sfStoreData x, y;
  sfError e = {{0}};
  assert_int_equal(sf_store_read(a, &x, &e), SF_OK);
  assert_int_equal(sf_store_read(b, &y, &e), SF_OK);
  assert_int_equal(x.nepisodes, y.nepisodes);
  assert_int_equal(x.nknowledge, y.nknowledge);
  assert_memory_equal(x.episodes, y.episodes, sizeof(sfEpisodeRow) * (size_t)x.nepisodes);
  assert_memory_equal(x.knowledge, y.knowledge, sizeof(sfKnowledgeRow) * (size_t)x.nknowledge);
  sf_store_data_free(&x);
  sf_store_data_free(&y);
}

// the built-ins: elite (the default) first, then cmaes and cem, each passing the loader's checks
static void test_builtins(void** state) {
  assert_int_equal(sf_learner_builtin_count(), 3);
  assert_string_equal(sf_learner_builtin(0)->name, SF_LEARNER_DEFAULT);
  const char* names[3] = {"elite", "cmaes", "cem"};
  for (int i = 0; i < 3; i++) {
    sfLearner l;
    sfError e = {{0}};
    assert_int_equal(sf_learner_open(names[i], &l, &e), SF_OK);
    assert_string_equal(l.name, names[i]);
    assert_string_equal(l.file.hash, SF_BUILTIN_HASH);
    assert_string_equal(l.file.path, "");
    sf_learner_close(&l);
  }
  assert_null(sf_learner_builtin(3));
}

// each broken plug-in (and a file that is none) is refused with SF_ERR_INPUT, its own message
// and nothing left loaded; the valid one loads and is hashed
static void test_refusals(void** state) {
  static const struct {
    const char* path;
    const char* words[2];
  } bad[] = {
      {PLUGIN("bad_learner_abi_version"), {"learner ABI version 99", "knows version 1"}},
      {PLUGIN("bad_learner_small_table"), {"learner table of 8 bytes", "needs at least"}},
      {PLUGIN("bad_learner_name"), {"learner name missing or not", "letters"}},
      {PLUGIN("bad_learner_no_create"), {"lacks the required function 'create'", "learner-ok"}},
      {PLUGIN("bad_learner_no_sample"), {"lacks the required function 'sample'", "learner-ok"}},
      {PLUGIN("bad_learner_no_update"), {"lacks the required function 'update'", "learner-ok"}},
      {PLUGIN("bad_learner_no_describe"), {"required function 'describe'", "learner-ok"}},
      {PLUGIN("bad_learner_null_entry"), {"suturefleet_learner_entry() returned NULL", "learner"}},
      {PLUGIN("learner_no_entry"), {"no entry symbol 'suturefleet_learner_entry'", "SFL_EXPORT"}},
      {SF_TEST_TMP "/no-such-learner.so", {"No such file", "include/suturefleet/learner.h"}},
      {SF_TEST_TMP, {"not a regular file", "learner plug-in"}},
  };
  for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
    sfLearner l;
    sfError e = {{0}};
    assert_int_equal(sf_learner_open(bad[k].path, &l, &e), SF_ERR_INPUT);
    print_message("%s\n", e.msg);
    for (int w = 0; w < 2; w++) assert_contains(e.msg, bad[k].words[w]);
    assert_null(l.api);
    assert_null(l.file.dl);
  }
  sfLearner l;
  sfError e = {{0}};
  assert_int_equal(sf_learner_open(PLUGIN("learner_ok"), &l, &e), SF_OK);
  assert_string_equal(l.name, "learner-ok");
  assert_int_equal(strlen(l.file.hash), 16);
  assert_non_null(l.file.dl);
  sf_learner_close(&l);
  assert_int_equal(sf_learner_open("nope", &l, &e), SF_ERR_INPUT);
  assert_contains(e.msg, "no such built-in learner");
}

// a one-value skill: x in [-10, 10], prior 0 +- 1
static const char* kNames[1] = {"x"};
static const double kLo[1] = {-10}, kHi[1] = {10}, kSd[1] = {1};

// sf_cma_eigen of [[2, 1], [1, 2]]: eigenvalues 1 and 3, eigenvectors (1, -1) / sqrt 2 and
// (1, 1) / sqrt 2 (in some order), orthonormal; the matrix is rebuilt from them
static void test_cma_eigen(void** state) {
  const double a[4] = {2, 1, 1, 2};
  double w[2], v[4];
  sf_cma_eigen(a, 2, w, v);
  assert_near(fmin(w[0], w[1]), 1, 1e-12);
  assert_near(fmax(w[0], w[1]), 3, 1e-12);
  for (int i = 0; i < 2; i++) {
    for (int j = 0; j < 2; j++) {
      double r = 0;
      for (int k = 0; k < 2; k++) r += v[i * 2 + k] * w[k] * v[j * 2 + k];
      assert_near(r, a[i * 2 + j], 1e-12);
    }
  }
  assert_near(fabs(v[0]), M_SQRT1_2, 1e-12);
}

// one CMA-ES generation by hand (Hansen 2016, the default constants), one value, prior 0 +- 1:
// lambda_min = 4 + floor(3 ln 1) = 4 episodes x = -1, 0, 1, 2 with score x. The better half,
// x = 2 and 1, weights ln 2.5 - ln i normalised: 0.80416, 0.19584, mu_eff 1.45979; the mean
// moves to 0.80416 * 2 + 0.19584 * 1 = 1.80416. c_sigma = 0.46379, d_sigma = 1.46379; p_sigma =
// sqrt(c_s (2 - c_s) mu_eff) 1.80416 = 1.83996, above the h_sigma threshold (1.4 + 2 / 2)
// 0.79762 sqrt(1 - (1 - c_s)^2) = 1.62146, so h_sigma = 0 and p_c = 0; C = (1 - c1 - c_mu +
// c1 c_c (2 - c_c)) 1 + c_mu (0.80416 * 4 + 0.19584 * 1) = 1.03822 (c1 = 0.29631, c_mu =
// 0.027691, c_c = 0.68940); sigma = exp(c_s / d_s (1.83996 / 0.79762 - 1)) = 1.51294; the SD
// described is sigma sqrt(C) = 1.54158. Fewer than 4 episodes: no generation yet
static void test_cmaes_by_hand(void** state) {
  const sflLearner* t = sf_learner_builtin(1);
  assert_string_equal(t->name, "cmaes");
  double mean[1] = {0}, sd[1] = {1};
  sflSkill skill = {1, kNames, kLo, kHi, mean, sd, kSd, 4, 0};
  void* s = t->create(&skill);
  double x[4] = {-1, 0, 1, 2};
  sflEpisode ep[4];
  for (int k = 0; k < 4; k++) ep[k] = (sflEpisode){.x = &x[k], .score = x[k]};
  double m, d;
  t->update(s, ep, 3, 3);  // three: buffered, no generation
  t->describe(s, &m, &d);
  assert_near(m, 0, 0);
  assert_near(d, 1, 0);
  t->update(s, ep + 3, 1, 4);
  t->describe(s, &m, &d);
  print_message("cmaes: mean %.12f, SD %.12f\n", m, d);
  assert_near(m, 1.8041628599327295, 1e-12);
  assert_near(d, 1.5415787277035353, 1e-12);
  double z = 1, out;
  t->sample(s, &z, &out);  // m + sigma sqrt(C) z
  assert_near(out, m + d, 1e-12);
  t->destroy(s);
}

// one elite update by hand, one value, starting at 2 +- 1: 20 episodes, three successes at x =
// 4, 5, 6 (scores 12, 11, 10), the rest failures at x = 0 .. 16 scoring -x. K = max(10,
// ceil(0.2 * 20)) = 10, but with 3 successes only they count, ranked by their smoothed scores
// (the mean of their 7 nearest: 2.71, 2.14, 1.57, the raw order): weights ln 3.5 - ln i normalised
// 0.63704, 0.28457, 0.07839 (mu_eff 2.02861, rate mu_eff / (mu_eff + n / 2) = 0.80226); their
// mean 4.44134, so the mean becomes 0.19774 * 2 + 0.80226 * 4.44134 = 3.95860; their spread
// about the old mean, 0.63704 * 4 + 0.28457 * 9 + 0.07839 * 16 = 6.36350, blended: 0.19774 * 1
// + 0.80226 * 6.36350 = 5.30294, SD 2.30281
static void test_elite_by_hand(void** state) {
  const sflLearner* t = sf_learner_builtin(0);
  assert_string_equal(t->name, "elite");
  double mean[1] = {2}, sd[1] = {1};
  sflSkill skill = {1, kNames, kLo, kHi, mean, sd, kSd, 20, 0};
  void* s = t->create(&skill);
  double x[20];
  sflEpisode ep[20];
  for (int k = 0; k < 20; k++) {
    x[k] = k < 3 ? 4 + k : k - 3;
    ep[k] = (sflEpisode){.x = &x[k], .score = k < 3 ? 12 - k : -x[k], .success = k < 3};
  }
  t->update(s, ep, 20, 20);
  double m, d;
  t->describe(s, &m, &d);
  print_message("elite: mean %.12f, SD %.12f\n", m, d);
  assert_near(m, 3.958600486512047, 1e-12);
  assert_near(d, 2.3028103623064373, 1e-12);
  t->destroy(s);
}

// the smoothed score outranks a lucky success: one value, starting at 2 +- 1; successes at x =
// 9 (score 20, among failures at 8, 8.5, 9.5 and 10 scoring -8), 4, 4.5 and 5 (11, 10.5, 10,
// among failures at 3, 3.5, 5.5 and 6 scoring -1). The 7 nearest episodes of x = 9 average -2,
// those of 4, 4.5 and 5 all 3.92857 (ties: the later first), so the 4 successes rank 5, 4.5, 4,
// 9: weights 0.52993, 0.28571, 0.14286, 0.04150 (mu_eff 2.60018, rate 0.83872), their mean
// 4.88028, the new mean 0.16128 * 2 + 0.83872 * 4.88028 = 4.41574; spread about 2: 9.15994,
// blended 7.84389, SD 2.80070. Ranked by raw score, x = 9 would have led
static void test_elite_smoothing(void** state) {
  const sflLearner* t = sf_learner_builtin(0);
  double mean[1] = {2}, sd[1] = {1};
  sflSkill skill = {1, kNames, kLo, kHi, mean, sd, kSd, 12, 0};
  void* s = t->create(&skill);
  double x[12] = {9, 4, 4.5, 5, 8, 8.5, 9.5, 10, 3, 3.5, 5.5, 6};
  double score[12] = {20, 11, 10.5, 10, -8, -8, -8, -8, -1, -1, -1, -1};
  sflEpisode ep[12];
  for (int k = 0; k < 12; k++) {
    ep[k] = (sflEpisode){.x = &x[k], .score = score[k], .success = k < 4};
  }
  t->update(s, ep, 12, 12);
  double m, d;
  t->describe(s, &m, &d);
  print_message("elite, smoothed: mean %.12f, SD %.12f\n", m, d);
  assert_near(m, 4.415744887837832, 1e-12);
  assert_near(d, 2.800695051151083, 1e-12);
  t->destroy(s);
}

// a plug-in learner through the command line: recorded in the store (info names it and its
// hash); a store cut after round 0 resumes only from the file the user names, with the store's
// hash, and then equals the uninterrupted store row for row
static void test_plugin_run_and_resume(void** state) {
  char whole[4096], cut[4096];
  scratch(whole, sizeof(whole), "learner_whole.h5");
  scratch(cut, sizeof(cut), "learner_cut.h5");
  run_ok(ARGS(RUN_ARGS, "--learner", PLUGIN("learner_ok"), "--store", whole));
  sfTestCli r = sf_test_cli(ARGS("info", whole));
  assert_int_equal(r.code, 0);
  assert_contains(r.out, "learner learner-ok (");
  sf_test_cli_free(&r);

  // cut to round 0 (4 episodes; knowledge rows: round -1 and 0, 3 each)
  sf_test_copy(whole, cut);
  const long keep[3] = {4, 4, 6};
  sf_test_cut_store(cut, keep);
  sf_test_expect_bad(ARGS("run", "--store", cut, "--resume", "--quiet"),
                     ARGS("plug-in learner 'learner-ok'", "pass --learner PATH"));
  sf_test_expect_bad(ARGS("run", "--store", cut, "--resume", "--quiet", "--learner", SF_TEST_HILL),
                     ARGS("is not the learner store", "the file was not loaded"));
  sf_test_expect_bad(ARGS("run", "--store", cut, "--resume", "--quiet", "--learner", "elite"),
                     ARGS("built-in learner 'elite' is not the learner store"));
  run_ok(ARGS("run", "--store", cut, "--resume", "--quiet", "--learner", PLUGIN("learner_ok")));
  assert_same_rows(whole, cut);
}

// a learner that reads the clock cannot be replayed: --resume
// learns again from the stored rounds, gets other knowledge than the store holds and refuses,
// naming the value, with the store left as it was
static void test_impure_refused(void** state) {
  char store[4096];
  scratch(store, sizeof(store), "learner_impure.h5");
  run_ok(ARGS(RUN_ARGS, "--learner", PLUGIN("learner_impure"), "--store", store));
  const long keep[3] = {8, 4, 9};
  sf_test_cut_store(store, keep);
  size_t n0 = 0;
  char* before = sf_test_read(store, &n0);
  sf_test_expect_bad(
      ARGS("run", "--store", store, "--resume", "--quiet", "--learner", PLUGIN("learner_impure")),
      ARGS("does not give from its episodes", "bite_angle_deg", "another learner"));
  size_t n1 = 0;
  char* after = sf_test_read(store, &n1);
  assert_int_equal(n0, n1);
  assert_memory_equal(before, after, n0);
  free(before);
  free(after);
}

// a fixed-length string attribute replaced (or removed, value NULL) with the HDF5 API
static void set_attr(const char* path, const char* name, const char* value) {
  hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
  assert_true(f >= 0);
  if (H5Aexists(f, name) > 0) assert_true(H5Adelete(f, name) >= 0);
  if (value) {
    hid_t type = H5Tcopy(H5T_C_S1), space = H5Screate(H5S_SCALAR);
    H5Tset_size(type, strlen(value) + 1);
    hid_t a = H5Acreate2(f, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
    assert_true(a >= 0);
    assert_true(H5Awrite(a, type, value) >= 0);
    H5Aclose(a);
    H5Sclose(space);
    H5Tclose(type);
  }
  assert_true(H5Fclose(f) >= 0);
}

// a store written before learners were recorded (no learner attributes, no learner line in its
// configuration) is cem's: info says so and --resume continues it with cem, to the store a run
// with --learner cem writes
static void test_legacy_store_is_cem(void** state) {
  char whole[4096], old[4096];
  scratch(whole, sizeof(whole), "learner_cem.h5");
  scratch(old, sizeof(old), "learner_legacy.h5");
  run_ok(ARGS(RUN_ARGS, "--learner", "cem", "--store", whole));
  sf_test_copy(whole, old);
  sfStoreData d;
  sfError e = {{0}};
  assert_int_equal(sf_store_read(old, &d, &e), SF_OK);
  char* cfg = strdup(d.configuration);
  sf_store_data_free(&d);
  char* line = strstr(cfg, "learner = cem\n");
  assert_non_null(line);
  memmove(line, line + strlen("learner = cem\n"), strlen(line + strlen("learner = cem\n")) + 1);
  set_attr(old, "configuration", cfg);
  set_attr(old, "learner", NULL);
  set_attr(old, "learner_hash", NULL);
  free(cfg);
  sfTestCli r = sf_test_cli(ARGS("info", old));
  assert_int_equal(r.code, 0);
  assert_contains(r.out, "learner cem (built-in)");
  sf_test_cli_free(&r);
  const long keep[3] = {4, 4, 6};
  sf_test_cut_store(old, keep);
  run_ok(ARGS("run", "--store", old, "--resume", "--quiet"));
  sfStoreData a, b;
  assert_int_equal(sf_store_read(whole, &a, &e), SF_OK);
  assert_int_equal(sf_store_read(old, &b, &e), SF_OK);
  assert_int_equal(a.nknowledge, b.nknowledge);
  assert_memory_equal(a.knowledge, b.knowledge, sizeof(sfKnowledgeRow) * (size_t)a.nknowledge);
  sf_store_data_free(&a);
  sf_store_data_free(&b);
}

// the learners command: the list (default marked), one described, a bad one refused
static void test_learners_command(void** state) {
  sfTestCli r = sf_test_cli(ARGS("learners"));
  assert_int_equal(r.code, 0);
  assert_contains(r.out, "elite");
  assert_contains(r.out, "(the default)");
  assert_contains(r.out, "cmaes");
  assert_contains(r.out, "cem");
  sf_test_cli_free(&r);
  r = sf_test_cli(ARGS("learners", SF_TEST_HILL, "--json"));
  assert_int_equal(r.code, 0);
  assert_contains(r.out, "\"name\": \"hill-climb\"");
  assert_contains(r.out, "\"abi_version\": 1");
  sf_test_cli_free(&r);
  sf_test_expect_bad(ARGS("learners", PLUGIN("bad_learner_no_update")),
                     ARGS("lacks the required function 'update'"));
}

// the stored knowledge row of (round, robot) of the fleet cohort
static const sfKnowledgeRow* fleet_row(const sfStoreData* d, int round, int robot) {
  for (long i = 0; i < d->nknowledge; i++) {
    const sfKnowledgeRow* r = &d->knowledge[i];
    if (r->round == round && r->cohort == 0 && r->robot == robot) return r;
  }
  return NULL;
}

// the learned values of knowledge k equal a stored row's (the aim values are the host's)
static void assert_learned(const sfKnowledge* k, const sfKnowledgeRow* row) {
  assert_non_null(row);
  const sfSkillDef* def = &sf_test_scripted_arc()->skill;
  for (int j = 0; j < def->n; j++) {
    if (j == def->aim[0] || j == def->aim[1] || j == def->aim[2]) continue;
    assert_near(row->mean[j], k->mean[j], 0);
    assert_near(row->sd[j], k->sd[j], 0);
  }
}

// a run of 4 fleet robots (and 1 joining at round 2) for 4 rounds with --share S, learner cem
#define SHARE_ARGS(share, store)                                                                   \
  ARGS("run", "--robots", "4", "--rounds", "4", "--join", "1@2", "--mode", "fleet", "--seed", "3", \
       "--record", "none", "--model", SCENE, "--threads", "2", "--quiet", "--learner", "cem",      \
       "--share", share, "--store", store)

// the round's episodes of the fleet robots in group g of K (robot id mod K), in store order
static int group_records(const sfStoreData* d, int round, int g, int k, sfEpisodeRecord* out) {
  int n = 0;
  for (long i = 0; i < d->nepisodes; i++) {
    const sfEpisodeRow* e = &d->episodes[i];
    if (e->round == round && e->robot % k == g) sf_fleet_record(e, &out[n++]);
  }
  return n;
}

// each sharing model pools as documented, checked on a small run against pools fed by hand:
// groups:2 keeps two pools (rows robot -1 and -2), each learning from its own group's episodes
// only; delay:2 learns nothing in rounds 0 and 1 and in round 2 from round 0's episodes;
// knowledge's row after round 0 is the mean of the four robots' knowledge, each learned from
// its own episode alone. Every model's store, cut after round 1 and resumed, equals the whole
static void test_sharing_models(void** state) {
  const sfSkillDef* def = &sf_test_scripted_arc()->skill;
  sfLearner cem;
  sfError e = {{0}};
  assert_int_equal(sf_learner_open("cem", &cem, &e), SF_OK);
  const char* shares[] = {"all", "groups:2", "delay:2", "knowledge"};
  for (int m = 0; m < 4; m++) {
    char store[4096], cut[4096];
    scratch(store, sizeof(store), "learner_share.h5");
    scratch(cut, sizeof(cut), "learner_share_cut.h5");
    run_ok(SHARE_ARGS(shares[m], store));
    sfStoreData d;
    assert_int_equal(sf_store_read(store, &d, &e), SF_OK);
    sfKnowledge prior;
    sf_knowledge_prior(def, &prior);
    sfEpisodeRecord recs[8];
    sfPool p;
    if (m == 1) {  // each group's pool from its own episodes of round 0
      for (int g = 0; g < 2; g++) {
        int n = group_records(&d, 0, g, 2, recs);
        assert_int_equal(n, 2);
        assert_int_equal(sf_pool_make(&p, &cem, def, &prior, 2, 0, &e), SF_OK);
        sf_pool_update(&p, recs, n, n);
        assert_learned(&p.k, fleet_row(&d, 0, -1 - g));
        sf_pool_free(&p);
      }
      assert_null(fleet_row(&d, 0, -3));
    }
    if (m == 2) {  // the prior until round 0's episodes arrive at the end of round 2
      assert_learned(&prior, fleet_row(&d, 0, -1));
      assert_learned(&prior, fleet_row(&d, 1, -1));
      int n = group_records(&d, 0, 0, 1, recs);
      assert_int_equal(sf_pool_make(&p, &cem, def, &prior, 4, 0, &e), SF_OK);
      sf_pool_update(&p, recs, n, n);
      assert_learned(&p.k, fleet_row(&d, 2, -1));
      sf_pool_free(&p);
    }
    if (m == 3) {  // the mean of each robot's own step from the prior
      int n = group_records(&d, 0, 0, 1, recs);
      sfKnowledge avg = prior;
      for (int j = 0; j < def->n; j++) avg.mean[j] = avg.sd[j] = 0;
      for (int a = 0; a < n; a++) {
        assert_int_equal(sf_pool_make(&p, &cem, def, &prior, 1, 0, &e), SF_OK);
        sf_pool_update(&p, &recs[a], 1, a + 1);
        for (int j = 0; j < def->n; j++) avg.mean[j] += p.k.mean[j] / n, avg.sd[j] += p.k.sd[j] / n;
        sf_pool_free(&p);
      }
      assert_learned(&avg, fleet_row(&d, 0, -1));
    }
    sf_store_data_free(&d);

    // cut after round 1 (8 episodes; knowledge: the start and rounds 0, 1 of every pool)
    int pools = m == 1 ? 2 : 1;
    sf_test_copy(store, cut);
    const long keep[3] = {8, 5, 3 * pools};
    sf_test_cut_store(cut, keep);
    run_ok(ARGS("run", "--store", cut, "--resume", "--quiet"));
    assert_same_rows(store, cut);
  }
  sf_learner_close(&cem);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_builtins),
      cmocka_unit_test(test_refusals),
      cmocka_unit_test(test_cma_eigen),
      cmocka_unit_test(test_cmaes_by_hand),
      cmocka_unit_test(test_elite_by_hand),
      cmocka_unit_test(test_elite_smoothing),
      cmocka_unit_test(test_plugin_run_and_resume),
      cmocka_unit_test(test_impure_refused),
      cmocka_unit_test(test_legacy_store_is_cem),
      cmocka_unit_test(test_learners_command),
      cmocka_unit_test(test_sharing_models),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
