// test_study.c: study specs: lists, ranges and join alternatives expand into the grid of
// cells with their names and run settings; bad specs exit 2 naming the key and value and write
// nothing; rounds to target, Kaplan-Meier medians and t intervals by hand; a study runs its cells
// into its directory, and a resumed study (a cell removed) writes the same summary byte for byte.
#include "sf_test.h"

#include <math.h>
#include <sys/stat.h>
#include <unistd.h>

#include "study.h"

#define ARGS(...) ((const char* const[]){__VA_ARGS__, NULL})

// a spec file in the build tree
static void spec_file(char* path, size_t n, const char* name, const char* text) {
  sf_test_path(path, n, name);
  sf_test_write(path, text);
}

// path is a PNG file of more than min_bytes
static void assert_png(const char* path, size_t min_bytes) {
  size_t n = 0;
  char* bytes = sf_test_read(path, &n);
  assert_non_null(bytes);
  assert_true(n > min_bytes && !memcmp(bytes, "\x89PNG", 4));
  free(bytes);
}

// robots 2 values x seeds 1-3 x join 2 alternatives = 12 cells, last axis fastest; names carry
// the axes of more than one value; the cell's settings are the run's
static void test_grid(void** state) {
  (void)state;
  char path[4096], name[512];
  spec_file(path, sizeof(path), "study_grid.ini",
            "[study]\nname = grid\nrobots = 2, 8\nseeds = 1-3\nrounds = 20\n"
            "join = none | 2@5,1@10\ntarget = 0.8\n");
  sfStudySpec* s = calloc(1, sizeof(sfStudySpec));
  sfError e = {{0}};
  assert_int_equal(sf_study_load(s, path, &e), SF_OK);
  assert_string_equal(s->name, "grid");
  assert_int_equal(s->naxis, 4);
  assert_int_equal(s->ncell, 12);
  assert_near(s->target, 0.8, 0);
  assert_int_equal(s->window, 3);
  assert_string_equal(s->axis[1].key, "seed");
  assert_string_equal(s->axis[3].value[1], "2@5,1@10");

  // cell 9 (join fastest): join 9 % 2 = 1 (2@5,1@10), rounds (9 / 2) % 1 = 0, seed
  // (9 / 2) % 3 = 1 (seed 2), robots (9 / 6) % 2 = 1 (8)
  sf_study_cell_name(s, 9, name, sizeof(name));
  assert_string_equal(name, "robots-8_seed-2_join-2-5-1-10");
  sfRunConfig c;
  assert_int_equal(sf_study_cell_config(s, 9, &c, &e), SF_OK);
  assert_int_equal(c.robots, 8);
  assert_int_equal((int)c.seed, 2);
  assert_int_equal(c.rounds, 20);
  assert_int_equal(c.njoin, 2);
  assert_int_equal(c.join_count[0], 2);
  assert_int_equal(c.join_round[1], 10);
  // episodes: 8 robots x 20 rounds, 2 joiners x 15, 1 x 10, twice (mode both)
  assert_int_equal(sf_study_cell_episodes(&c), 2 * (8 * 20 + 2 * 15 + 10));
  sf_study_cell_name(s, 0, name, sizeof(name));
  assert_string_equal(name, "robots-2_seed-1_join-none");
  free(s);
}

// grids: each has the [study] settings, its own replacing (in place) or adding; cells grid by
// grid, named by the grid first; groups by grid
static void test_grids(void** state) {
  (void)state;
  char path[4096], name[512];
  spec_file(path, sizeof(path), "study_grids.ini",
            "[study]\nname = g\nseeds = 1-2\nrounds = 6\njoin = none\n"
            "[grid fleet]\nmode = fleet\nrobots = 2,4\n"
            "[grid solo]\nmode = solo\nrounds = 9\n");
  sfStudySpec* s = calloc(1, sizeof(sfStudySpec));
  sfError e = {{0}};
  assert_int_equal(sf_study_load(s, path, &e), SF_OK);
  assert_int_equal(s->ngrid, 2);
  assert_int_equal(s->ncell, 2 * 2 + 2);
  assert_int_equal(s->grid[1].first, 4);
  assert_int_equal(s->grid[1].naxis, 4);                  // seed, rounds (replaced), join, mode
  assert_string_equal(s->grid[1].axis[1].key, "rounds");  // in the [study] section's place
  assert_string_equal(s->grid[1].axis[1].value[0], "9");
  sf_study_cell_name(s, 3, name, sizeof(name));
  assert_string_equal(name, "fleet_seed-2_robots-4");
  sf_study_cell_name(s, 5, name, sizeof(name));
  assert_string_equal(name, "solo_seed-2");
  sfRunConfig c;
  assert_int_equal(sf_study_cell_config(s, 5, &c, &e), SF_OK);
  assert_int_equal(c.rounds, 9);
  assert_int_equal(c.mode, SF_MODE_SOLO);
  assert_int_equal(c.robots, 16);  // the default: neither section gives it
  assert_int_equal((int)c.seed, 2);
  assert_int_equal(sf_study_cell_config(s, 1, &c, &e), SF_OK);
  assert_int_equal(c.rounds, 6);
  assert_int_equal(c.robots, 4);
  free(s);
}

// the solo / fleet ratio of means by hand: fleet 10, 12, 14 (mean 12, se^2 4/3), solo 30, 36
// (mean 33, se^2 9): 2.75 +- t(1) = 12.706 x 2.75 x sqrt(9/1089 + (4/3)/144)
static void test_ratio(void** state) {
  (void)state;
  const double f[3] = {10, 12, 14}, so[2] = {30, 36};
  double r, lo, hi;
  sf_study_ratio(f, 3, so, 2, &r, &lo, &hi);
  double half = 12.706 * 2.75 * sqrt(9.0 / 1089 + (4.0 / 3) / 144);
  assert_near(r, 2.75, 1e-12);
  assert_near(lo, 2.75 - half, 1e-2);
  assert_near(hi, 2.75 + half, 1e-2);
  sf_study_ratio(f, 3, so, 1, &r, &lo, &hi);
  assert_true(isnan(r));
}

// a constructed store: 2 fleet founders (robots 0, 1) and a fleet joiner at round 2 (robot 2),
// 2 solo founders (3, 4); 5 rounds. Founders' successes per round: fleet 0/2, 1/2, 2/2, 2/2,
// 2/2 (window 2 mean reaches 0.9 at 4 rounds: (1 + 1) / 2, so 4 rounds and 2 x 4 = 8 episodes);
// solo 0/2, 0/2, 1/2, 0/2, 1/2 (never: censored at 5, final window (0 + .5) / 2 = .25); the
// joiner succeeds in its first round (1.0) while the founders' rate that round is 1.0; trauma 1
// mm2 on every fleet episode, 3 on solo ones
static void test_summarise_by_hand(void** state) {
  (void)state;
  static const int ok[5][5] = {{0, 1, 1, 1, 1},
                               {0, 0, 1, 1, 1},
                               {0, 0, 1, 0, 1},
                               {0, 0, 0, 0, 0},
                               {0, 0, 1, 0, 1}};  // [robot][round]; 2 from round 2
  sfStoreData d;
  memset(&d, 0, sizeof(d));
  sfRobotRow robots[5];
  memset(robots, 0, sizeof(robots));
  for (int r = 0; r < 5; r++) {
    robots[r].robot = r;
    robots[r].cohort = r >= 3;
    robots[r].join_round = r == 2 ? 2 : 0;
  }
  sfEpisodeRow ep[25];
  sfKnowledgeRow kn[5];
  memset(ep, 0, sizeof(ep));
  memset(kn, 0, sizeof(kn));
  for (int round = 0; round < 5; round++) {
    kn[round].round = round;
    for (int r = 0; r < 5; r++) {
      if (round < robots[r].join_round) continue;
      sfEpisodeRow* x = &ep[d.nepisodes++];
      x->round = round, x->robot = r, x->cohort = robots[r].cohort;
      x->join_round = robots[r].join_round;
      x->success = (uint8_t)ok[r][round];
      x->completed = 1;
      x->trauma_mm2 = x->cohort ? 3 : 1;
      x->time_s = 10;
    }
  }
  d.episodes = ep, d.robots = robots, d.nrobots = 5, d.knowledge = kn, d.nknowledge = 5;
  sfStudySpec* s = calloc(1, sizeof(sfStudySpec));
  s->target = 0.9, s->window = 2;
  sfStudyRow rows[2];
  assert_int_equal(sf_study_summarise(s, &d, rows), 2);
  assert_int_equal(rows[0].cohort, 0);
  assert_int_equal(rows[0].robots, 2);
  assert_int_equal(rows[0].rounds_to_target, 4);
  assert_int_equal(rows[0].censored, 0);
  assert_int_equal(rows[0].total_episodes_to_target, 8);
  assert_near(rows[0].final_success, 1.0, 1e-12);
  assert_int_equal(rows[0].joiners, 1);
  assert_near(rows[0].joiner_first_success, 1.0, 1e-12);
  assert_near(rows[0].fleet_success_at_join, 1.0, 1e-12);
  assert_near(rows[0].mean_trauma_mm2, 1.0, 1e-12);
  assert_int_equal(rows[1].cohort, 1);
  assert_int_equal(rows[1].rounds_to_target, 5);
  assert_int_equal(rows[1].censored, 1);
  assert_int_equal(rows[1].total_episodes_to_target, 10);
  assert_near(rows[1].final_success, 0.25, 1e-12);
  assert_int_equal(rows[1].joiners, 0);
  assert_true(isnan(rows[1].joiner_first_success));
  assert_near(rows[1].mean_trauma_mm2, 3.0, 1e-12);
  free(s);
}

// each bad spec: exit 2, the message names what is wrong, and no study directory is made
static void test_bad_specs(void** state) {
  (void)state;
  static const struct {
    const char* text;
    const char* says;
  } bad[] = {
      {"[study]\nname = b\nrobotz = 4\n", "unknown key 'robotz'"},
      {"[study]\nname = b\nthreads = 4\n", "unknown key 'threads'"},
      {"[study]\nname = b\nseeds = 5-2\n", "range a-b"},
      {"[study]\nname = b\nrobots = 4,,8\n", "empty value"},
      {"[study]\nname = b\nrobots = 4,\n", "expected a value or a list"},
      {"[study]\nname = b\nrobots = 4,0\n", "robots = 0"},
      {"[study]\nname = b\nrounds = 5\njoin = 2@9\n", "join"},
      {"[study]\nname = b\ntarget = 1.5\n", "target"},
      {"[study]\nrobots = 4\n", "name = ..."},
      {"[study]\nname = a/b\n", "(name): expected letters, digits"},
      {"[run]\nname = b\n", "unknown section [run]"},
      {"[study]\nname = b\nmode = fleet,many\n", "many"},
      {"[study]\nname = b\n[grid a]\nrobots = 2\n[grid a b]\nrobots = 4\n",
       "unknown section [grid a b]"},
      {"[study]\nname = b\n[grid a]\nrobots = 2\n[grid c]\nrobots = 3\n[grid a]\nrounds = 4\n",
       "[grid a] is given twice"},
      {"[study]\nname = b\n[grid a]\nrobots = 2\nrobots = 4\n", "given twice"},
      {"[study]\nname = b\n[grid a]\ntarget = 0.5\n", "a grid has run settings only"},
      {"[study]\nname = b\n[grid a]\nrobots = 2\n[study]\nrounds = 4\n", "[study] section first"},
      {"[study]\nname = b\n[grid a]\nrounds = 5\njoin = 2@9\n", "cell a: "},
  };
  char path[4096], dir[4096];
  sf_test_path(dir, sizeof(dir), "study_bad.out");
  char cmd[4200];
  snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
  assert_int_equal(system(cmd), 0);
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    spec_file(path, sizeof(path), "study_bad.ini", bad[i].text);
    sfTestCli r = sf_test_cli(ARGS("study", path, "--out", dir));
    if (!strstr(r.err, bad[i].says)) print_error("case %zu: %s", i, r.err);
    assert_int_equal(r.code, 2);
    assert_non_null(strstr(r.err, bad[i].says));
    assert_int_equal(access(dir, F_OK), -1);
    sf_test_cli_free(&r);
  }
}

// rounds to target: the first window whose mean reaches it, counted in rounds
static void test_rounds_to_target(void** state) {
  (void)state;
  const double rate[6] = {0.0, 0.5, 1.0, 0.9, 0.8, 1.0};
  // windows of 3: (0 + .5 + 1) / 3 = .5, (.5 + 1 + .9) / 3 = .8, (1 + .9 + .8) / 3 = .9
  assert_int_equal(sf_study_rounds_to_target(rate, 6, 3, 0.9), 5);
  assert_int_equal(sf_study_rounds_to_target(rate, 6, 3, 0.8), 4);
  assert_int_equal(sf_study_rounds_to_target(rate, 6, 1, 1.0), 3);
  assert_int_equal(sf_study_rounds_to_target(rate, 6, 3, 0.95), 0);  // never: censored
  assert_int_equal(sf_study_rounds_to_target(rate, 2, 3, 0.0), 0);   // shorter than a window
}

// Kaplan-Meier by hand: times 5, 7, 9 (censored), 12, 24 (censored): the share not yet
// reached is 4/5 after 5, 0.8 x 3/4 = 0.6 after 7, then 2 at risk at 12: 0.6 x 1/2 = 0.3, so
// the median is 12; with 12 censored too it never falls to 0.5 (0.6 is the last); and the
// mean and t interval of 1, 2, 3: 2 +- 4.303 x 1 / sqrt(3)
static void test_km_and_ci(void** state) {
  (void)state;
  const int t[5] = {5, 7, 9, 12, 24}, c[5] = {0, 0, 1, 0, 1}, c2[5] = {0, 0, 1, 1, 1};
  assert_int_equal(sf_study_km_median(t, c, 5), 12);
  assert_int_equal(sf_study_km_median(t, c2, 5), 0);
  const int u[4] = {3, 3, 8, 9}, none[4] = {0, 0, 0, 0};
  assert_int_equal(sf_study_km_median(u, none, 4), 3);  // 2 of 4 at 3: 0.5
  const double v[3] = {1, 2, 3};
  double m, lo, hi;
  sf_study_mean_ci(v, 3, &m, &lo, &hi);
  assert_near(m, 2, 1e-12);
  assert_near(hi - m, 4.303 / sqrt(3), 1e-9);
  assert_near(m - lo, 4.303 / sqrt(3), 1e-9);
  sf_study_mean_ci(v, 1, &m, &lo, &hi);
  assert_true(m == 1 && lo == 1 && hi == 1);
}

// the listed cell's estimated seconds in a --dry-run --json listing (NAN: null)
static double dry_estimate(const char* json, const char* cell) {
  char key[600];
  snprintf(key, sizeof(key), "\"cell\": \"%s\", ", cell);
  const char* at = strstr(json, key);
  assert_non_null(at);
  at = strstr(at, "\"estimated_s\": ");
  assert_non_null(at);
  at += strlen("\"estimated_s\": ");
  return strncmp(at, "null", 4) ? atof(at) : NAN;
}

// --dry-run times a reference episode of each cell's model, controller and stitches: the
// estimate follows the episodes (twice the robots, twice the time), the task (four stitches
// in the two-arm scene cost several times one in the one-arm scene) and the threads; a cell
// whose controller cannot do its task has no estimate; nothing is written
static void test_dry_run(void** state) {
  (void)state;
  char path[4096], dir[4096];
  spec_file(path, sizeof(path), "study_dry.ini",
            "[study]\nname = dry\nrounds = 3\njoin = none\nmode = fleet\n"
            "[grid a]\nrobots = 2,4\nstitches = 1,4\n"
            "[grid v1]\nrobots = 2\nstitches = 4\ncontroller = " SF_TEST_IMPEDANCE_V1 "\n");
  sf_test_path(dir, sizeof(dir), "study_dry.out");
  char cmd[8400];
  snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
  assert_int_equal(system(cmd), 0);
  sfTestCli r =
      sf_test_cli(ARGS("study", path, "--out", dir, "--dry-run", "--json", "--threads", "1"));
  if (r.code) print_error("%s", r.err);
  assert_int_equal(r.code, 0);
  double one2 = dry_estimate(r.out, "a_robots-2_stitches-1");
  double one4 = dry_estimate(r.out, "a_robots-4_stitches-1");
  double four2 = dry_estimate(r.out, "a_robots-2_stitches-4");
  assert_true(one2 > 0);
  assert_near(one4 / one2, 2, 0.02);  // one measurement per task, times the episodes
  assert_true(four2 > 2 * one2);      // 0.07 against 0.30 CPU s a reference episode here
  assert_true(isnan(dry_estimate(r.out, "v1")));
  assert_non_null(strstr(r.out, "], \"episodes\": 42, \"estimated_s\": null}"));  // the total
  assert_non_null(strstr(r.out, "\"why\": \"controller 'impedance-arc' drives one arm"));
  sf_test_cli_free(&r);
  r = sf_test_cli(ARGS("study", path, "--out", dir, "--dry-run", "--threads", "1"));
  assert_int_equal(r.code, 0);
  assert_non_null(strstr(r.out, "no estimate: controller 'impedance-arc' drives one arm"));
  assert_non_null(strstr(r.out, "no estimate of the time (a cell has none)"));
  sf_test_cli_free(&r);
  assert_int_equal(access(dir, F_OK), -1);  // nothing written
}

// a 2-cell study runs; a second run into the same directory is refused (exit 2) unless
// --resume; with a cell's store removed, --resume keeps the other, reruns it and writes the
// same summary byte for byte
static void test_run_and_resume(void** state) {
  (void)state;
  char path[4096], dir[4096], csv[4200], cell[4300];
  spec_file(
      path, sizeof(path), "study_run.ini",
      "[study]\nname = small\nrobots = 1,2\nrounds = 3\njoin = 1@1\nstitches = 2\nseed = 3\n");
  sf_test_path(dir, sizeof(dir), "study_run.out");
  char cmd[8400];
  snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
  assert_int_equal(system(cmd), 0);
  sfTestCli r = sf_test_cli(ARGS("study", path, "--out", dir, "--threads", "2"));
  if (r.code) print_error("%s", r.err);
  assert_int_equal(r.code, 0);
  assert_non_null(strstr(r.out, "cell 2/2 robots-2"));
  sf_test_cli_free(&r);
  snprintf(csv, sizeof(csv), "%s/summary.csv", dir);
  char* first = sf_test_read(csv, NULL);
  assert_non_null(first);
  assert_non_null(strstr(first, "robots-1,3,1@1,2,3,1,fleet,"));
  assert_non_null(strstr(first, "robots-2,3,1@1,2,3,2,solo,"));
  char md[4300];
  snprintf(md, sizeof(md), "%s/summary.md", dir);
  char* text = sf_test_read(md, NULL);
  assert_non_null(text);
  assert_non_null(strstr(text, "| robots 2 | solo | 1 |"));
  assert_non_null(strstr(text, "| group | fleet median | solo median | solo / fleet (medians) |"));
  free(text);

  // the scaling figure (robots is the one axis): SVG with its axis labels, and a PNG
  char fig[4300];
  snprintf(fig, sizeof(fig), "%s/scaling.svg", dir);
  text = sf_test_read(fig, NULL);
  assert_non_null(text);
  assert_non_null(strstr(text, "<svg"));
  assert_non_null(strstr(text, "episodes per robot to target"));
  assert_non_null(strstr(text, "ideal pooling"));
  free(text);
  snprintf(fig, sizeof(fig), "%s/scaling.png", dir);
  assert_png(fig, 8);

  // each group's learning curves, the groups compared, the joiners, the literature beside the
  // fleet
  const char* figs[] = {"curves/robots-1.png", "curves/robots-2.svg", "compare.svg",
                        "compare.png",         "joiners.png",         "joiners.svg",
                        "surgeons_time.png"};
  for (int i = 0; i < 7; i++) {
    snprintf(fig, sizeof(fig), "%s/%s", dir, figs[i]);
    assert_int_equal(access(fig, R_OK), 0);
  }
  snprintf(fig, sizeof(fig), "%s/surgeons.md", dir);
  text = sf_test_read(fig, NULL);
  assert_non_null(text);
  assert_contains(text, "| spacing_mm | 6.5 ± 1.8 mm | 20 surgeons");
  assert_contains(text, "episodes of up to 2 stitches");  // the fleet's spacing, measured
  assert_contains(text, "| time_s | 251 s at repetition 1 |");
  free(text);

  // again without --resume: refused
  r = sf_test_cli(ARGS("study", path, "--out", dir));
  assert_int_equal(r.code, 2);
  assert_non_null(strstr(r.err, "--resume"));
  sf_test_cli_free(&r);

  // a cell lost: resumed, the same summary
  snprintf(cell, sizeof(cell), "%s/cells/robots-2.h5", dir);
  assert_int_equal(unlink(cell), 0);
  r = sf_test_cli(ARGS("study", path, "--out", dir, "--threads", "1", "--resume"));
  assert_int_equal(r.code, 0);
  assert_non_null(strstr(r.out, "robots-1: complete, kept"));
  sf_test_cli_free(&r);
  char* second = sf_test_read(csv, NULL);
  assert_string_equal(first, second);
  free(first);
  free(second);
}

// a study directory whose cell store is of an older schema (tests/data/schema4.h5, written
// before the handovers, and tests/data/schema3.h5, before the thread and the wound too) is not
// resumed: --resume exits 2 naming the store, its schema and the current one, and leaves the
// store as it was
static void test_resume_refuses_old_schema(void** state) {
  (void)state;
  char path[4096], dir[4096], cells[4200], cmd[9000], want[128];
  spec_file(path, sizeof(path), "study_old.ini",
            "[study]\nname = old\nrobots = 1\nrounds = 1\njoin = none\nmode = fleet\n");
  sf_test_path(dir, sizeof(dir), "study_old.out");
  snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
  assert_int_equal(system(cmd), 0);
  sfTestCli r = sf_test_cli(ARGS("study", path, "--out", dir, "--threads", "1", "--quiet"));
  assert_int_equal(r.code, 0);
  sf_test_cli_free(&r);
  snprintf(cells, sizeof(cells), "%s/cells", dir);

  const int old[2] = {4, 3};
  for (int k = 0; k < 2; k++) {
    int schema = old[k];
    // the one cell's store replaced by the old one
    snprintf(cmd, sizeof(cmd),
             "for f in '%s'/*.h5; do cp '%s/../tests/data/schema%d.h5' \"$f\"; done", cells,
             SF_MODEL_DIR, schema);
    assert_int_equal(system(cmd), 0);
    snprintf(cmd, sizeof(cmd), "cat '%s'/*.h5 | md5sum > '%s/before.md5'", cells, dir);
    assert_int_equal(system(cmd), 0);
    r = sf_test_cli(ARGS("study", path, "--out", dir, "--threads", "1", "--resume"));
    print_message("%s", r.err);
    assert_int_equal(r.code, 2);
    snprintf(want, sizeof(want), "has schema version %d; expected 5", schema);
    assert_contains(r.err, want);
    assert_contains(r.err, cells);
    sf_test_cli_free(&r);
    snprintf(cmd, sizeof(cmd), "cat '%s'/*.h5 | md5sum | cmp -s - '%s/before.md5'", cells, dir);
    assert_int_equal(system(cmd), 0);
  }
}

// the report: one page with the spec, the summary's tables and the figure inline; rendered by
// headless Chromium, its DOM has them and its screenshot is not blank
static void test_report_in_chromium(void** state) {
  (void)state;
  char dir[4096], html[4200], dom[4200], png[4200], cmd[20000];
  sf_test_path(dir, sizeof(dir), "study_run.out");
  snprintf(html, sizeof(html), "%s/report.html", dir);
  char* text = sf_test_read(html, NULL);
  assert_non_null(text);  // written by test_run_and_resume
  assert_non_null(strstr(text, "<table>"));
  assert_non_null(strstr(text, "<svg"));
  assert_non_null(strstr(text, "cells/robots-1.h5"));
  free(text);
  if (system("command -v chromium >/dev/null 2>&1") != 0) {
    print_message("skipped: chromium is not installed (scripts/setup.sh installs it)\n");
    skip();
  }
  snprintf(dom, sizeof(dom), "%s/report.dom", dir);
  snprintf(png, sizeof(png), "%s/report.png", dir);
  snprintf(cmd, sizeof(cmd),
           "chromium --headless --no-sandbox --disable-gpu --dump-dom 'file://%s' > '%s' "
           "2>/dev/null && chromium --headless --no-sandbox --disable-gpu --window-size=1200,1600 "
           "--screenshot='%s' 'file://%s' >/dev/null 2>&1",
           html, dom, png, html);
  assert_int_equal(system(cmd), 0);
  text = sf_test_read(dom, NULL);
  assert_non_null(text);
  assert_non_null(strstr(text, "<h1>Study small</h1>"));
  assert_non_null(strstr(text, "<th>final success (95 % CI)</th>"));
  assert_non_null(strstr(text, "<h2>Learning curves</h2>"));
  assert_non_null(strstr(text, "<h2>Groups compared</h2>"));
  assert_non_null(strstr(text, "<h2>Surgeons (literature)</h2>"));
  assert_non_null(strstr(text, "<td>spacing_mm</td>"));
  int nsvg = 0;
  for (const char* p = text; (p = strstr(p, "<svg")); p++) nsvg++;
  assert_int_equal(nsvg, 6);  // scaling, groups compared, 2 groups' curves, joiners, time
  free(text);
  assert_png(png, 20000);  // a blank page's screenshot is about 9 kB
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_grid),
      cmocka_unit_test(test_grids),
      cmocka_unit_test(test_ratio),
      cmocka_unit_test(test_summarise_by_hand),
      cmocka_unit_test(test_bad_specs),
      cmocka_unit_test(test_rounds_to_target),
      cmocka_unit_test(test_km_and_ci),
      cmocka_unit_test(test_dry_run),
      cmocka_unit_test(test_run_and_resume),
      cmocka_unit_test(test_resume_refuses_old_schema),
      cmocka_unit_test(test_report_in_chromium),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
