// test_curves.c: learning curves: groups, per-episode means and their bands by hand on a store
// built in memory; the CSV of a real run agrees with info --json; several stores give bands
// over stores; plots are PNG and SVG files with axes, labels, legend, bands and the literature
// curve; bad arguments exit 2 and write nothing.
#include "sf_test.h"

#include <unistd.h>

#include "curves.h"
#include "store.h"

#define ARGS(...) ((const char* const[]){__VA_ARGS__, NULL})

// an in-memory store: fleet founders 0..3 over 3 rounds, a fleet joiner (robot 4, round 1)
// and solo founders 5, 6; success of robot r in round k is (r + k) % 2 for the founders, the
// joiner succeeds always; time_s is 10 + r + k
static sfStoreData made_store(void) {
  sfStoreData d;
  memset(&d, 0, sizeof(d));
  d.episodes = calloc(32, sizeof(sfEpisodeRow));
  assert_non_null(d.episodes);
  for (int k = 0; k < 3; k++) {
    for (int r = 0; r < 7; r++) {
      if (r == 4 && k == 0) continue;
      sfEpisodeRow* e = &d.episodes[d.nepisodes++];
      e->round = k, e->robot = r;
      e->cohort = r >= 5;
      e->join_round = r == 4 ? 1 : 0;
      e->success = r == 4 ? 1 : (uint8_t)((r + k) % 2);
      e->time_s = 10 + r + k;
      e->entry_err_mm = r == 0 ? NAN : 0.5;  // robot 0 never inserts
      e->trauma_mm2 = 1;
    }
  }
  return d;
}

// the point of group (cohort, join) at episode, or NULL
static const sfCurvePoint* point(const sfCurvePoint* p, int n, int cohort, int join, int episode) {
  for (int i = 0; i < n; i++) {
    if (p[i].cohort == cohort && p[i].join_round == join && p[i].episode == episode) return &p[i];
  }
  return NULL;
}

// groups in order (fleet founders, fleet joined@1, solo founders), a robot's n-th episode, and
// the bands: Wilson for the success rate, t for the other metrics, by hand
static void test_curves_by_hand(void** state) {
  sfStoreData d = made_store();
  sfCurvePoint* p;
  int n;
  sfError e = {{0}};
  assert_int_equal(sf_curves(&d, 1, SF_METRIC_SUCCESS, &p, &n, &e), SF_OK);
  assert_int_equal(n, 3 + 2 + 3);
  assert_true(p[0].cohort == 0 && p[0].join_round == 0 && p[0].episode == 1);
  assert_true(p[3].cohort == 0 && p[3].join_round == 1 && p[3].episode == 1);
  assert_true(p[5].cohort == 1 && p[5].join_round == 0 && p[5].episode == 1);

  // fleet founders, episode 1 (round 0): robots 1 and 3 succeed: 2 of 4; Wilson (z = 1.96):
  // centre (0.5 + z^2/8) / (1 + z^2/4) = 0.5, half z sqrt(0.25/4 + z^2/64) / (1 + z^2/4)
  const sfCurvePoint* q = point(p, n, 0, 0, 1);
  double z = 1.959963984540054, half = z * sqrt(0.25 / 4 + z * z / 64) / (1 + z * z / 4);
  assert_int_equal(q->robots, 4);
  assert_int_equal(q->stores, 1);
  assert_near(q->mean, 0.5, 1e-12);
  assert_near(q->lo, 0.5 - half, 1e-9);
  assert_near(q->hi, 0.5 + half, 1e-9);

  // the joiner's first episode is its round 1: 1 of 1
  q = point(p, n, 0, 1, 1);
  assert_int_equal(q->robots, 1);
  assert_near(q->mean, 1, 0);
  assert_null(point(p, n, 0, 1, 3));
  free(p);

  // time of solo founders (robots 5, 6) at episode 2 (round 1): 16 and 17: mean 16.5, sd
  // sqrt(0.5), t(1) = 12.706: half 12.706 * sqrt(0.5 / 2)
  assert_int_equal(sf_curves(&d, 1, SF_METRIC_TIME, &p, &n, &e), SF_OK);
  q = point(p, n, 1, 0, 2);
  assert_near(q->mean, 16.5, 1e-12);
  assert_near(q->hi - q->mean, 12.706 * sqrt(0.25), 1e-9);
  assert_near(q->mean - q->lo, 12.706 * sqrt(0.25), 1e-9);
  free(p);

  // entry error skips the episodes without an insertion: 3 fleet founders, not 4
  assert_int_equal(sf_curves(&d, 1, SF_METRIC_ENTRY, &p, &n, &e), SF_OK);
  assert_int_equal(point(p, n, 0, 0, 1)->robots, 3);
  assert_near(point(p, n, 0, 0, 1)->mean, 0.5, 1e-12);
  free(p);

  // two stores: each store's mean is one sample (the same store twice: no spread)
  sfStoreData two[2] = {d, d};
  assert_int_equal(sf_curves(two, 2, SF_METRIC_SUCCESS, &p, &n, &e), SF_OK);
  q = point(p, n, 0, 0, 1);
  assert_int_equal(q->stores, 2);
  assert_int_equal(q->robots, 8);
  assert_near(q->mean, 0.5, 1e-12);
  assert_near(q->lo, 0.5, 1e-12);
  free(p);

  // no episodes: an input error
  sfStoreData empty;
  memset(&empty, 0, sizeof(empty));
  assert_int_equal(sf_curves(&empty, 1, SF_METRIC_SUCCESS, &p, &n, &e), SF_ERR_INPUT);
  assert_contains(e.msg, "no episodes");
  free(d.episodes);
}

// the number after "key": in s (after from), NaN if absent
static double json_after(const char* s, const char* key) {
  const char* p = strstr(s, key);
  return p ? strtod(p + strlen(key), NULL) : NAN;
}

// a real run (no joiners): curves --csv's fleet founders' success at episode k equals info
// --json's fleet success in round k - 1, for every round; the same with --metric time and
// --metric closure
static void test_csv_matches_info(void** state) {
  char store[4096], csv[4096];
  sf_test_path(store, sizeof(store), "curves_run.h5");
  sf_test_path(csv, sizeof(csv), "curves_run.csv");
  unlink(store);
  sfTestCli r = sf_test_cli(ARGS("run", "--robots", "3", "--rounds", "3", "--join", "none",
                                 "--record", "none", "--seed", "4", "--store", store, "--quiet"));
  assert_int_equal(r.code, 0);
  sf_test_cli_free(&r);
  sfTestCli info = sf_test_cli(ARGS("info", store, "--json"));
  assert_int_equal(info.code, 0);
  static const char* kMetric[3] = {"success", "time", "closure"};
  static const char* kInfoKey[3] = {"\"success_rate\": ", "\"time_s\": ", "\"wound_closure\": "};
  for (int m = 0; m < 3; m++) {
    const char* metric = kMetric[m];
    r = sf_test_cli(ARGS("curves", store, "--metric", metric, "--csv", csv));
    assert_int_equal(r.code, 0);
    assert_string_equal(r.out, "");
    sf_test_cli_free(&r);
    char* text = sf_test_read(csv, NULL);
    assert_non_null(text);
    assert_true(!strncmp(text,
                         "cohort,group,join_round,metric,episode,stores,robots,mean,ci_lo,"
                         "ci_hi\n",
                         70));
    for (int k = 1; k <= 3; k++) {
      for (int c = 0; c < 2; c++) {
        const char* cohort = c ? "solo" : "fleet";
        char row[128], key[128];
        snprintf(row, sizeof(row), "%s,%s founders,0,%s,%d,1,3,", cohort, cohort, metric, k);
        const char* at = strstr(text, row);
        assert_non_null(at);
        double mean = strtod(at + strlen(row), NULL);
        snprintf(key, sizeof(key), "{\"cohort\": \"%s\", \"round\": %d, ", cohort, k - 1);
        const char* in = strstr(info.out, key);
        assert_non_null(in);
        double want = json_after(in, kInfoKey[m]);
        print_message("%s %s episode %d: curves %.6f, info %.6f\n", cohort, metric, k, mean, want);
        assert_near(mean, want, 1e-4);
      }
    }
    free(text);
  }
  sf_test_cli_free(&info);
  unlink(csv);
}

// plots: a PNG (its signature), an SVG with the title, axis labels, legend entries with robot
// counts, translucent bands and, for time, the literature curve on its own axis
static void test_plots(void** state) {
  char store[4096], png[4096], svg[4096];
  sf_test_path(store, sizeof(store), "curves_run.h5");
  sf_test_path(png, sizeof(png), "curves.png");
  sf_test_path(svg, sizeof(svg), "curves.svg");
  unlink(png);
  unlink(svg);
  sfTestCli r = sf_test_cli(ARGS("curves", store, store, "--plot", png));
  assert_int_equal(r.code, 0);
  sf_test_cli_free(&r);
  size_t n = 0;
  char* bytes = sf_test_read(png, &n);
  assert_true(n > 1000 && !memcmp(bytes, "\x89PNG\r\n\x1a\n", 8));
  free(bytes);

  r = sf_test_cli(ARGS("curves", store, "--plot", svg, "--metric", "time", "--title", "T1"));
  assert_int_equal(r.code, 0);
  sf_test_cli_free(&r);
  char* text = sf_test_read(svg, NULL);
  assert_non_null(text);
  const char* want[] = {"<svg",
                        ">T1<",
                        "practice episodes per robot",
                        "completion time (s)",
                        "fleet founders (3 robots)",
                        "solo founders (3 robots)",
                        "fill-opacity",
                        "literature: human novices",
                        "Leijte et al. 2020",
                        "human trainees, literature (s)"};
  for (size_t k = 0; k < sizeof(want) / sizeof(want[0]); k++) assert_contains(text, want[k]);
  free(text);

  // a title cannot break out of gnuplot's string: a newline becomes a space
  r = sf_test_cli(ARGS("curves", store, "--plot", svg, "--title",
                       "T2\nsystem(\"touch " SF_TEST_TMP "/pwned_title\")"));
  assert_int_equal(r.code, 0);
  sf_test_cli_free(&r);
  assert_int_equal(access(SF_TEST_TMP "/pwned_title", F_OK), -1);

  // --literature none: no literature curve
  r = sf_test_cli(ARGS("curves", store, "--plot", svg, "--metric", "time", "--literature", "none"));
  assert_int_equal(r.code, 0);
  sf_test_cli_free(&r);
  text = sf_test_read(svg, NULL);
  assert_null(strstr(text, "literature"));
  free(text);
}

// bad arguments: exit 2, a message naming the thing, no output file
static void test_curves_errors(void** state) {
  char store[4096];
  sf_test_path(store, sizeof(store), "curves_run.h5");
  sf_test_expect_bad(ARGS("curves"), ARGS("expected at least one store"));
  sf_test_expect_bad(ARGS("curves", store, "--metric", "speed"), ARGS("--metric", "'speed'"));
  sf_test_expect_bad(ARGS("curves", store, "--plot", SF_TEST_TMP "/c.jpg"),
                     ARGS("c.jpg", ".png or .svg"));
  sf_test_expect_bad(ARGS("curves", store, "--plot", "/nonexistent/dir/c.png"),
                     ARGS("/nonexistent/dir/c.png", "cannot write"));
  sf_test_expect_bad(ARGS("curves", store, "--csv", "/nonexistent/dir/c.csv"),
                     ARGS("/nonexistent/dir/c.csv", "cannot write"));
  sf_test_expect_bad(ARGS("curves", SF_TEST_TMP "/no-such.h5"), ARGS("no-such.h5"));
  sf_test_expect_bad(ARGS("curves", store, "--literature", "/nonexistent.csv"),
                     ARGS("/nonexistent.csv", "cannot read"));
  sf_test_expect_bad(ARGS("curves", store, "--bogus"), ARGS("unknown option '--bogus'"));
  sf_test_expect_bad(ARGS("curves", store, "--plot",
                          SF_TEST_TMP "/p\nsystem(\"touch " SF_TEST_TMP "/pwned\")\nx.png"),
                     ARGS("--plot", "control characters"));
  assert_int_equal(access(SF_TEST_TMP "/pwned", F_OK), -1);
  assert_int_equal(access(SF_TEST_TMP "/c.jpg", F_OK), -1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_curves_by_hand),
      cmocka_unit_test(test_csv_matches_info),
      cmocka_unit_test(test_plots),
      cmocka_unit_test(test_curves_errors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
