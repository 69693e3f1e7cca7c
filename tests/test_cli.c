// test_cli.c: the command line in-process: exit codes and messages for bad input, help texts
// and the defaults they state, store safety, INI configuration with command-line overrides,
// cohorts doubling the rows. In child processes: --resume with the run's own options (equal ones
// taken, a different one named with both values), limits checked before any store exists
// (memory, episode count, thread count), and paths that are not regular files (directory, FIFO,
// device) refused at once, never read.
#include "sf_test.h"

#include <errno.h>
#include <hdf5.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "controller.h"

#define ARGS(...) ((const char* const[]){__VA_ARGS__, NULL})

// one bad command line: exit 2, and stderr names each of the given words
typedef struct bad_case_ {
  const char* args[8];   // arguments after the program name, NULL-terminated
  const char* words[4];  // what the message must contain, NULL-terminated
} bad_case;

// run a bad case: exit code 2, nothing on stdout, every word in the message
#define expect_bad sf_test_expect_bad

// bad options and values, each named with what was expected
static void test_bad_options(void** state) {
  static const bad_case cases[] = {
      {{"run", "--robots", "abc"}, {"--robots", "'abc'", "expected an integer from 1 to"}},
      {{"run", "--robots", "0"}, {"--robots", "'0'", "expected an integer from 1 to"}},
      {{"run", "--robots", "-3"}, {"--robots", "'-3'", "expected an integer from 1 to"}},
      {{"run", "--robots=7x"}, {"--robots", "'7x'", "expected an integer"}},
      {{"run", "--rounds", "1.5"}, {"--rounds", "'1.5'", "expected an integer from 1 to"}},
      {{"run", "--threads", "0"}, {"--threads", "'0'", "expected an integer from 1 to 1024"}},
      {{"run", "--seed", "-1"}, {"--seed", "'-1'", "expected a non-negative integer"}},
      {{"run", "--seed", "18446744073709551616"}, {"--seed", "non-negative integer"}},
      {{"run", "--bogus"}, {"unknown option '--bogus'", "suturefleet run --help"}},
      {{"run", "--robots"}, {"--robots", "expected a value"}},
      {{"run", "--config"}, {"--config", "expected a file path"}},
      {{"run", "--model", "/nonexistent.xml"}, {"'/nonexistent.xml'", "expected an MJCF file"}},
      {{"run", "--store", "/nonexistent-dir/x.h5"},
       {"'/nonexistent-dir/x.h5'", "directory '/nonexistent-dir' does not exist"}},
      {{"run", "--config", "/nonexistent.ini"},
       {"--config", "'/nonexistent.ini'", "expected an INI file"}},
      {{"bench", "--threads", "0"}, {"--threads", "'0'", "expected a positive integer"}},
      {{"bench", "--steps", "x"}, {"--steps", "'x'", "expected a positive integer"}},
      {{"bench", "--steps"}, {"--steps", "expected a value"}},
      {{"bench", "--bogus"}, {"unknown option '--bogus'", "suturefleet bench --help"}},
      {{"run", "--stitches", "0"}, {"--stitches", "'0'", "expected an integer from 1 to 4"}},
      {{"run", "--stitches", "5"}, {"--stitches", "'5'", "expected an integer from 1 to 4"}},
      {{"run", "--controller", "bogus"}, {"--controller 'bogus'", "scripted-arc", ".so"}},
      {{"run", "--mode", "team"}, {"--mode", "'team'", "expected fleet, solo or both"}},
      {{"run", "--join", "2"}, {"--join", "'2'", "expected N@R"}},
      {{"run", "--join", "2@0"}, {"--join", "'2@0'", "round R >= 1"}},
      {{"run", "--join", "2@1,x@3"}, {"--join", "'2@1,x@3'", "expected N@R"}},
      {{"run", "--rounds", "3", "--join", "2@3"},
       {"--join", "round 3 never practise", "a round from 1 to 2"}},
      {{"run", "--store", "x.h5", "--resume", "--force"}, {"--resume", "got --force"}},
      {{"frobnicate"},
       {"unknown command 'frobnicate'",
        "expected run, eval, info, bench, controllers, curves, replay or study"}},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    expect_bad(cases[i].args, cases[i].words);
  }
}

// a bad model is reported before the store is looked at: no store appears
static void test_bad_model_creates_nothing(void** state) {
  char store[4096];
  sf_test_path(store, sizeof(store), "cli_bad_model.h5");
  unlink(store);
  expect_bad(ARGS("run", "--model", "/nonexistent.xml", "--store", store),
             ARGS("/nonexistent.xml"));
  assert_int_equal(access(store, F_OK), -1);
}

// write an INI file into the scratch directory; its path goes to path
static void write_ini(const char* name, const char* text, char* path, size_t n) {
  sf_test_path(path, n, name);
  sf_test_write(path, text);
}

// a bad value in a config file: the message names the file, the line and the value
static void test_config_bad_value(void** state) {
  char ini[4096];
  write_ini("cli_bad_value.ini", "[run]\nrobots = 2\nrounds = many\n", ini, sizeof(ini));
  expect_bad(ARGS("run", "--config", ini),
             ARGS(ini, "line 3", "'many'", "expected an integer from 1 to"));
}

// an unknown key in a config file: named, with the keys that are expected
static void test_config_unknown_key(void** state) {
  char ini[4096];
  write_ini("cli_bad_key.ini", "# a comment\nrobots = 2\ncolour = red\n", ini, sizeof(ini));
  expect_bad(ARGS("run", "--config", ini),
             ARGS(ini, "line 3", "unknown setting 'colour'", "expected robots"));
}

// a line that is not 'key = value', and an unknown section
static void test_config_bad_syntax(void** state) {
  char ini[4096];
  write_ini("cli_bad_syntax.ini", "[run]\nrobots 4\n", ini, sizeof(ini));
  expect_bad(ARGS("run", "--config", ini), ARGS(ini, "line 2", "expected 'key = value'"));
  write_ini("cli_bad_section.ini", "[walk]\nrobots = 4\n", ini, sizeof(ini));
  expect_bad(ARGS("run", "--config", ini), ARGS(ini, "line 2", "unknown section [walk]"));
}

// with two bad lines the message reports the first one: its line, its key and its own value
// (inih goes on after a rejected entry and returns the first error's line)
static void test_config_first_error_reported(void** state) {
  char ini[4096];
  write_ini("cli_two_bad.ini", "robots = many\nrounds = lots\n", ini, sizeof(ini));
  sfTestCli r = sf_test_cli(ARGS("run", "--config", ini));
  print_message("%s", r.err);
  assert_int_equal(r.code, 2);
  assert_contains(r.err, "line 1 (robots)");
  assert_contains(r.err, "'many'");
  assert_null(strstr(r.err, "lots"));
  sf_test_cli_free(&r);
}

// numbers with leading white space or '+' are parsed as strictly as any other: " -1" is not
// a seed (strtoull would skip the blank and negate it to 2^64 - 1), nor is "+5"; " 4" is not a
// robot count
static void test_blank_and_plus_rejected(void** state) {
  expect_bad(ARGS("run", "--seed", " -1", "--model", "/nonexistent.xml"),
             ARGS("--seed", "' -1'", "non-negative integer"));
  expect_bad(ARGS("run", "--seed", "+5", "--model", "/nonexistent.xml"),
             ARGS("--seed", "'+5'", "non-negative integer"));
  expect_bad(ARGS("run", "--robots", " 4", "--model", "/nonexistent.xml"),
             ARGS("--robots", "' 4'", "expected an integer from 1 to"));
  expect_bad(ARGS("run", "--rounds", "+2", "--model", "/nonexistent.xml"),
             ARGS("--rounds", "'+2'", "expected an integer from 1 to"));

  // the parsers themselves: the whole text must be the number
  int i = 7;
  uint64_t u = 7;
  double x = 7;
  assert_int_equal(sf_parse_int(" 4", 1, 10, &i), -1);
  assert_int_equal(sf_parse_int("+4", 1, 10, &i), -1);
  assert_int_equal(sf_parse_int("4 ", 1, 10, &i), -1);
  assert_int_equal(sf_parse_int("", 1, 10, &i), -1);
  assert_int_equal(i, 7);  // untouched on failure
  assert_int_equal(sf_parse_int("4", 1, 10, &i), 0);
  assert_int_equal(i, 4);
  assert_int_equal(sf_parse_u64(" 1", &u), -1);
  assert_int_equal(sf_parse_u64("+1", &u), -1);
  assert_int_equal(sf_parse_u64("-1", &u), -1);
  assert_true(u == 7);
  assert_int_equal(sf_parse_u64("18446744073709551615", &u), 0);
  assert_true(u == UINT64_MAX);
  assert_int_equal(sf_parse_double(" 0.5", 0, 1, &x), -1);
  assert_int_equal(sf_parse_double("+0.5", 0, 1, &x), -1);
  assert_int_equal(sf_parse_double("nan", -1e9, 1e9, &x), -1);
  assert_int_equal(sf_parse_double("1.5", 0, 1, &x), -1);
  assert_near(x, 7, 0);
  assert_int_equal(sf_parse_double("0.25", 0, 1, &x), 0);
  assert_near(x, 0.25, 0);
}

// help goes to stdout with exit 0; no command at all is a usage error on stderr
static void test_help(void** state) {
  static const struct {
    const char* args[3];
    const char* head;
  } cases[] = {{{"--help"}, "usage: suturefleet <command>"},
               {{"-h"}, "usage: suturefleet <command>"},
               {{"run", "--help"}, "usage: suturefleet run [options]"},
               {{"bench", "--help"}, "usage: suturefleet bench [options]"},
               {{"eval", "--help"}, "usage: suturefleet eval [options]"},
               {{"info", "--help"}, "usage: suturefleet info STORE [--json]"},
               {{"controllers", "--help"}, "usage: suturefleet controllers [NAME|PATH.so]"}};
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    sfTestCli r = sf_test_cli(cases[i].args);
    assert_int_equal(r.code, 0);
    assert_true(strncmp(r.out, cases[i].head, strlen(cases[i].head)) == 0);
    assert_string_equal(r.err, "");
    sf_test_cli_free(&r);
  }
  sfTestCli r = sf_test_cli((const char* const[]){NULL});
  assert_int_equal(r.code, 2);
  assert_string_equal(r.out, "");
  assert_contains(r.err, "usage: suturefleet <command>");
  sf_test_cli_free(&r);

  // run's help lists every option
  r = sf_test_cli(ARGS("run", "--help"));
  const char* opts[] = {"--config", "--store", "--robots", "--rounds",   "--threads",
                        "--seed",   "--model", "--force",  "--stitches", "--controller",
                        "--join",   "--mode",  "--from",   "--resume"};
  for (size_t k = 0; k < sizeof(opts) / sizeof(opts[0]); k++) assert_contains(r.out, opts[k]);
  sf_test_cli_free(&r);

  // and eval's
  r = sf_test_cli(ARGS("eval", "--help"));
  const char* eopts[] = {"--skill",       "--episodes",   "--seed",  "--threads", "--stitches",
                         "--calibration", "--controller", "--model", "--json"};
  for (size_t k = 0; k < sizeof(eopts) / sizeof(eopts[0]); k++) assert_contains(r.out, eopts[k]);
  sf_test_cli_free(&r);
}

// rows in /episodes of the store at path, or -1 if it cannot be read
static long store_rows(const char* path) {
  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) return -1;
  hid_t ds = H5Dopen2(f, "/episodes", H5P_DEFAULT);
  hid_t sp = ds >= 0 ? H5Dget_space(ds) : -1;
  hsize_t dims[1] = {0};
  long rows = sp >= 0 && H5Sget_simple_extent_ndims(sp) == 1 &&
                      H5Sget_simple_extent_dims(sp, dims, NULL) == 1
                  ? (long)dims[0]
                  : -1;
  if (sp >= 0) H5Sclose(sp);
  if (ds >= 0) H5Dclose(ds);
  H5Fclose(f);
  return rows;
}

// run successfully; exit 0 and nothing on stderr
static void expect_run_ok(const char* const* args) {
  sfTestCli r = sf_test_cli(args);
  if (r.code != 0) print_error("%s", r.err);
  assert_int_equal(r.code, 0);
  assert_string_equal(r.err, "");
  sf_test_cli_free(&r);
}

// an existing file is never replaced without --force, byte for byte; with it, it is
static void test_store_not_replaced_without_force(void** state) {
  char store[4096];
  sf_test_path(store, sizeof(store), "existing.h5");
  const char* content = "precious results, not an HDF5 file\n";
  sf_test_write(store, content);

  expect_bad(ARGS("run", "--store", store, "--robots", "2", "--rounds", "1", "--join", "none"),
             ARGS(store, "already exists", "--force"));
  size_t n = 0;
  char* now = sf_test_read(store, &n);
  assert_non_null(now);
  assert_int_equal(n, strlen(content));
  assert_memory_equal(now, content, n);
  free(now);
  assert_true(H5Fis_hdf5(store) <= 0);

  // --force replaces it with a store
  expect_run_ok(ARGS("run", "--store", store, "--robots", "2", "--rounds", "1", "--force", "--mode",
                     "fleet", "--join", "none", "--record", "none"));
  assert_true(H5Fis_hdf5(store) > 0);
  assert_int_equal(store_rows(store), 2);

  // an existing store is protected the same way
  expect_bad(ARGS("run", "--store", store, "--robots", "3", "--rounds", "1", "--join", "none"),
             ARGS("--force"));
  assert_int_equal(store_rows(store), 2);
}

// robots, rounds and mode from an INI file; the command line overrides it. Rows: robots x
// rounds in mode fleet; mode both (the default) doubles them with a solo cohort
static void test_config_and_override(void** state) {
  char ini[4096], store[4096];
  write_ini("cli_run.ini",
            "; three robots, two rounds\n[run]\nrobots = 3\nrounds = 2\nmode = fleet\njoin = none\n"
            "record = none\n",
            ini, sizeof(ini));
  sf_test_path(store, sizeof(store), "cli_config.h5");
  unlink(store);
  expect_run_ok(ARGS("run", "--config", ini, "--store", store));
  assert_int_equal(store_rows(store), 3 * 2);

  // an option before or after --config wins over the file
  unlink(store);
  expect_run_ok(ARGS("run", "--robots", "2", "--config", ini, "--store", store));
  assert_int_equal(store_rows(store), 2 * 2);
  unlink(store);
  expect_run_ok(
      ARGS("run", "--config=" SF_TEST_TMP "/cli_run.ini", "--rounds=1", "--store", store));
  assert_int_equal(store_rows(store), 3 * 1);
  unlink(store);
  expect_run_ok(ARGS("run", "--config", ini, "--rounds", "1", "--mode", "both", "--store", store));
  assert_int_equal(store_rows(store), 2 * 3 * 1);

  // without a mode anywhere: both
  unlink(store);
  write_ini("cli_run_both.ini", "[run]\nrobots = 2\nrounds = 1\njoin = none\nrecord = none\n", ini,
            sizeof(ini));
  expect_run_ok(ARGS("run", "--config", ini, "--store", store));
  assert_int_equal(store_rows(store), 2 * 2 * 1);
  unlink(store);
}

// the reference skill of scripted-arc as a skill file: values in the controller's order
// (bite_angle_deg plane_yaw_deg entry_dx_mm entry_dy_mm entry_dz_mm drive_speed_dps
// drive_angle_deg regrasp_deg pull_tension_N pull_angle_deg handover_lift_mm
// handover_grasp_deg), with comments, commas and newlines
#define REF_SKILL_FILE                                   \
  "# scripted-arc reference skill\n"                     \
  "41.81, 0   # bite angle and plane yaw (deg)\n"        \
  "0,0,0\n"                                              \
  "\t60 122 20  # speed (deg/s), drive, regrasp (deg)\n" \
  "1.6 40  # pull tension (N) and angle (deg)\n"         \
  "10 25  # handover lift (mm) and grasp (deg)\n"

// a skill file for eval with one value out of its bounds: exit 2 and a message naming the file,
// the parameter, its value and its bounds (read from the controller's skill definition)
static void expect_skill_out_of_bounds(const char* name, int index, double value) {
  const sfSkillDef* def = &sf_test_scripted_arc()->skill;
  char text[512] = "", path[4096], want[256], num[32];
  for (int i = 0; i < def->n; i++) {
    snprintf(num, sizeof(num), "%s%.17g", i ? " " : "", i == index ? value : def->ref[i]);
    strcat(text, num);
  }
  strcat(text, "\n");
  write_ini(name, text, path, sizeof(path));
  snprintf(want, sizeof(want), "%s = %g is out of its bounds [%g, %g] %s", def->name[index], value,
           def->lo[index], def->hi[index], def->unit[index]);
  expect_bad(ARGS("eval", "--skill", path, "--episodes", "1"), ARGS(path, want));
}

// bad skill files for eval: exit 2 and a message naming the file and the problem; nothing is
// simulated (no output)
static void test_eval_bad_skill_files(void** state) {
  // scripted-arc has 12 skill values: bite_angle_deg, plane_yaw_deg, entry_dx_mm, entry_dy_mm,
  // entry_dz_mm, drive_speed_dps, drive_angle_deg, regrasp_deg, pull_tension_N, pull_angle_deg,
  // handover_lift_mm, handover_grasp_deg
  const sfSkillDef* def = &sf_test_scripted_arc()->skill;
  assert_int_equal(def->n, 12);
  assert_string_equal(def->name[0], "bite_angle_deg");
  assert_string_equal(def->name[7], "regrasp_deg");
  expect_skill_out_of_bounds("skill_regrasp.txt", 7, def->hi[7] + 1);
  expect_skill_out_of_bounds("skill_bite.txt", 0, def->lo[0] - 0.5);
  expect_skill_out_of_bounds("skill_speed.txt", 5, 1e6);
  expect_skill_out_of_bounds("skill_tension.txt", 8, def->hi[8] + 0.5);

  static const struct {
    const char* name;
    const char* text;
    const char* words[3];
  } cases[] = {
      {"skill_short.txt",
       "41.81 0 0 0 0 60 122 20 1.6 40 10\n",
       {"expected 12 skill values, got 11"}},
      {"skill_long.txt",
       "41.81 0 0 0 0 60 122 20 1.6 40 10 25 1\n",
       {"expected 12 skill values, got 13"}},
      {"skill_old.txt", "41.81 0 0 0 0 60 122 20 1.6 40\n", {"expected 12 skill values, got 10"}},
      {"skill_empty.txt", "# nothing here\n", {"expected 12 skill values, got 0"}},
      {"skill_word.txt",
       "41.81 0 0 0\n0 sixty 122 20 1.6 40\n",
       {"line 2", "expected a number, got 'sixty'"}},
      {"skill_unit.txt", "41.81deg 0 0 0 0 60 122 20 1.6 40\n", {"line 1", "got '41.81deg'"}},
      {"skill_nan.txt",
       "nan 0 0 0 0 60 122 20 1.6 40\n",
       {"line 1", "expected a number, got 'nan'"}},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    char path[4096];
    write_ini(cases[i].name, cases[i].text, path, sizeof(path));
    const char* words[5] = {path, cases[i].words[0], cases[i].words[1], cases[i].words[2], NULL};
    expect_bad(ARGS("eval", "--skill", path, "--episodes", "1"), words);
  }

  // a file that does not exist
  expect_bad(ARGS("eval", "--skill", SF_TEST_TMP "/no-such-skill.txt"),
             ARGS(SF_TEST_TMP "/no-such-skill.txt", "cannot open"));
}

// bad eval options: exit 2, the option, the value and what was expected
static void test_eval_bad_options(void** state) {
  static const bad_case cases[] = {
      {{"eval", "--episodes", "0"}, {"--episodes", "'0'", "expected a positive integer"}},
      {{"eval", "--episodes", "-4"}, {"--episodes", "'-4'", "expected a positive integer"}},
      {{"eval", "--episodes"}, {"--episodes", "expected a value"}},
      {{"eval", "--calibration", "x"}, {"--calibration", "'x'", "expected 'none' or 'robot'"}},
      {{"eval", "--stitches", "9"}, {"--stitches", "'9'", "expected an integer from 1 to 4"}},
      {{"eval", "--stitches", "0"}, {"--stitches", "'0'", "expected an integer from 1 to 4"}},
      {{"eval", "--threads", "0"}, {"--threads", "'0'", "expected an integer from 1 to 1024"}},
      {{"eval", "--seed", "-1"}, {"--seed", "'-1'", "non-negative integer"}},
      {{"eval", "--controller", "bogus"}, {"--controller", "'bogus'", "scripted-arc"}},
      {{"eval", "--model", "/nonexistent.xml"}, {"'/nonexistent.xml'", "expected an MJCF file"}},
      {{"eval", "--bogus"}, {"unknown option '--bogus'", "suturefleet eval --help"}},
      {{"eval", "--json=1"}, {"unknown option '--json=1'"}},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    expect_bad(cases[i].args, cases[i].words);
  }
}

// where the value of member key of a JSON object starts: of the top-level object when obj is
// NULL, else of its member object obj (keys of nested objects are not matched, so "trauma" is
// the top-level one and not failed's "trauma"); NULL if there is no such member
static const char* json_member(const char* json, const char* obj, const char* key) {
  const char* p = strchr(json, '{');
  if (p && obj) {
    p = json_member(json, NULL, obj);
    if (!p || *p != '{') return NULL;
  }
  if (!p) return NULL;
  size_t n = strlen(key);
  int depth = 0;
  for (p++; *p; p++) {
    if (*p == '"') {
      const char* s = ++p;
      while (*p && *p != '"') p += (*p == '\\' && p[1]) ? 2 : 1;
      if (!*p) return NULL;
      if (depth == 0 && (size_t)(p - s) == n && !strncmp(s, key, n) && !strncmp(p, "\": ", 3))
        return p + 3;
    } else if (*p == '{' || *p == '[') {
      depth++;
    } else if (*p == '}' || *p == ']') {
      if (depth-- == 0) return NULL;
    }
  }
  return NULL;
}

// the number that is member key of object obj (NULL: the top-level object) in a JSON text;
// fails if the key is missing or not a number
static double json_number_in(const char* json, const char* obj, const char* key) {
  const char* at = json_member(json, obj, key);
  if (!at) print_error("no key \"%s\" in %s of:\n%s\n", key, obj ? obj : "the top level", json);
  assert_non_null(at);
  char* end = NULL;
  double v = strtod(at, &end);
  assert_true(end > at);
  assert_true(*end == ',' || *end == '}' || *end == ']');
  return v;
}

// the number that is top-level member key of a JSON text
static double json_number(const char* json, const char* key) {
  return json_number_in(json, NULL, key);
}

// eval --episodes 4 --json: one JSON object on one line with the documented keys. Episodes use
// the context streams (seed 1, robot i, round 0); calibrated robots with the reference skill
// succeed in all four (test_episode checks them one by one). Every reference throw takes the
// same phases: approach 1.5 s, align 0.5, drive 122 deg at 60 deg/s 2.033, release 0.25,
// back-off 0.3, reach 0.9, regrasp 0.3, close 0.25, pull from 122 to 2 asin(6/9) + 180 + 15 =
// 278.62 deg 2.610, lift 0.4: 9.044 s, plus a step or a few per phase
static void test_eval_json(void** state) {
  sfTestCli r = sf_test_cli(ARGS("eval", "--episodes", "4", "--json", "--threads", "2"));
  if (r.code != 0) print_error("%s", r.err);
  assert_int_equal(r.code, 0);
  assert_string_equal(r.err, "");
  print_message("%s", r.out);
  assert_true(r.out[0] == '{');
  assert_non_null(strchr(r.out, '\n'));
  assert_string_equal(strchr(r.out, '\n'), "\n");  // one line
  assert_true(strchr(r.out, '\n')[-1] == '}');
  assert_near(json_number(r.out, "episodes"), 4, 0);
  assert_near(json_number(r.out, "success_rate"), 1, 0);
  double entry = json_number(r.out, "entry_err_mm"), exit = json_number(r.out, "exit_err_mm");
  assert_true(entry >= 0 && entry < 0.1);
  assert_true(exit >= 0 && exit < 0.1);
  double trauma = json_number(r.out, "trauma");
  assert_true(trauma > 0 && trauma <= 2.0);
  double force = json_number(r.out, "peak_force_N");
  assert_true(force > 0.3 && force < 2.0);
  double t = json_number(r.out, "time_s");
  assert_true(t >= 9.0 && t < 10.5);

  // the wound and the thread: closed over the span, tensioned near the skill's pull, intact
  double closure = json_number(r.out, "wound_closure");
  assert_true(closure >= 0.9 && closure <= 1);
  assert_true(json_number(r.out, "wound_closure_min") <= closure);
  double tension = json_number(r.out, "thread_tension_max_N");
  assert_true(tension >= 1.6 && tension < 2.2);
  assert_near(json_number(r.out, "cut_through"), 0, 0);
  assert_true(json_number(r.out, "thread_used_mm") > 12);
  assert_near(json_number_in(r.out, "skill", "pull_tension_N"), 1.6, 0);
  assert_near(json_number(r.out, "completed_rate"), 1, 0);
  assert_near(json_number(r.out, "faults"), 0, 0);
  assert_near(json_number(r.out, "diverged"), 0, 0);
  assert_near(json_number(r.out, "dropped"), 0, 0);
  assert_near(json_number(r.out, "seed"), 1, 0);
  assert_near(json_number(r.out, "stitches"), 1, 0);
  assert_contains(r.out, "\"calibration\": \"none\"");
  assert_contains(r.out, "\"controller\": \"scripted-arc\"");
  assert_near(json_number_in(r.out, "skill", "bite_angle_deg"), 41.81, 0);
  assert_near(json_number_in(r.out, "skill", "regrasp_deg"), 20, 0);
  assert_near(json_number_in(r.out, "skill", "handover_lift_mm"), 10, 0);
  assert_near(json_number_in(r.out, "skill", "handover_grasp_deg"), 25, 0);

  // one stitch in the one-arm scene: no handovers, so no handover time (null); all four
  // succeeded, so none missed any of success's criteria
  assert_near(json_number(r.out, "handovers"), 0, 0);
  assert_near(json_number(r.out, "handovers_failed"), 0, 0);
  assert_contains(r.out, "\"handover_time_s\": null");
  static const char* const criteria[] = {"not_completed", "throws_off", "dropped", "fault",
                                         "diverged",      "trauma",     "closure", "cut_through",
                                         "handovers",     "clash"};
  for (size_t i = 0; i < sizeof(criteria) / sizeof(criteria[0]); i++)
    assert_near(json_number_in(r.out, "failed", criteria[i]), 0, 0);

  // 4 of 4, Wilson interval with z = 1.96 and z^2 / n = 0.9604: centre (1 + 0.4802) / 1.9604
  // = 0.7550, half width 1.96 sqrt(0.9604 / 16) / 1.9604 = 0.2450
  assert_contains(r.out, "\"success_ci95\": [0.5101, 1.0000]");
  sf_test_cli_free(&r);
}

// the reference skill written to a file gives the same output as --skill reference, and the
// output does not depend on --threads
static void test_eval_skill_file_matches_reference(void** state) {
  char path[4096];
  write_ini("skill_ref.txt", REF_SKILL_FILE, path, sizeof(path));
  sfTestCli a = sf_test_cli(ARGS("eval", "--episodes", "2", "--threads", "2"));
  sfTestCli b = sf_test_cli(ARGS("eval", "--episodes", "2", "--threads", "1", "--skill", path));
  assert_int_equal(a.code, 0);
  assert_int_equal(b.code, 0);
  print_message("%s", a.out);
  assert_string_equal(a.out, b.out);
  assert_contains(a.out, "2 episodes, seed 1, 1 stitch(es), calibration none");
  assert_contains(a.out, "success rate   1.000");
  // one stitch, one arm: no handovers; both succeeded, so no criterion was missed
  assert_contains(a.out, "\nhandovers      0.00 per episode, 0 failed\n");
  assert_contains(a.out,
                  "\nfailed on      not_completed 0 throws_off 0 dropped 0 fault 0 diverged 0 "
                  "trauma 0 closure 0 cut_through 0 handovers 0 clash 0\n");
  sf_test_cli_free(&a);
  sf_test_cli_free(&b);
}

// does line (up to its newline) name a site of pairs 2 or 3
static int names_pair_2_or_3(const char* line) {
  const char* end = strchr(line, '\n');
  size_t len = end ? (size_t)(end - line) : strlen(line);
  char buf[1024];
  snprintf(buf, sizeof(buf), "%.*s", (int)(len < sizeof(buf) ? len : sizeof(buf) - 1), line);
  return strstr(buf, "name=\"entry_2\"") || strstr(buf, "name=\"exit_2\"") ||
         strstr(buf, "name=\"entry_3\"") || strstr(buf, "name=\"exit_3\"");
}

// a copy of the scene in the scratch directory dir with only pairs 0 and 1 (the site lines of
// entry_2, exit_2, entry_3, exit_3 removed from suture_base.xml); its path into path
static void two_pair_scene(const char* dir, char* path, size_t n) {
  char d[2048], dst[4096], src[4096];
  sf_test_path(d, sizeof(d), dir);
  assert_true(mkdir(d, 0755) == 0 || errno == EEXIST);
  const char* files[] = {"psm.xml", "suture_base.xml", "suture_scene.xml"};
  for (int i = 0; i < 3; i++) {
    snprintf(src, sizeof(src), "%s/%s", SF_MODEL_DIR, files[i]);
    snprintf(dst, sizeof(dst), "%s/%s", d, files[i]);
    char* text = sf_test_read(src, NULL);
    assert_non_null(text);
    char* out = text;
    int removed = 0;
    for (const char *line = text, *next; *line; line = next) {
      next = strchr(line, '\n');
      next = next ? next + 1 : line + strlen(line);
      if (i == 1 && names_pair_2_or_3(line)) {
        removed++;
        continue;
      }
      memmove(out, line, (size_t)(next - line));
      out += next - line;
    }
    *out = 0;
    assert_int_equal(removed, i == 1 ? 4 : 0);
    sf_test_write(dst, text);
    free(text);
  }
  snprintf(path, n, "%s/suture_scene.xml", d);
}

// more stitches than the model has pairs: eval and run reject it with exit 2, naming both
// counts, before anything is simulated or any store is created
static void test_stitches_beyond_pairs(void** state) {
  char scene[4096], store[4096];
  two_pair_scene("cli_two_pairs", scene, sizeof(scene));
  expect_bad(ARGS("eval", "--model", scene, "--stitches", "3", "--episodes", "1"),
             ARGS("--stitches", "the model has 2 entry/exit pairs, got 3"));

  // two stitches fit
  sfTestCli r = sf_test_cli(ARGS("eval", "--model", scene, "--stitches", "2", "--episodes", "1"));
  assert_int_equal(r.code, 0);
  sf_test_cli_free(&r);

  // run, in a child process (an unchecked count would divide by npair - stitches + 1 = 0 in
  // sf_context_draw)
  sf_test_path(store, sizeof(store), "cli_two_pairs.h5");
  unlink(store);
  char cmd[16384];
  snprintf(cmd, sizeof(cmd),
           "'%s' run --model '%s' --stitches 3 --robots 1 --rounds 1 --join none --store '%s' "
           "> '%s/%s' 2>&1",
           SF_TEST_BIN, scene, store, SF_TEST_TMP, "cli_two_pairs.log");
  int rc = system(cmd);
  print_message("run --stitches 3 on a 2-pair model: %s %d\n", WIFEXITED(rc) ? "exit" : "signal",
                WIFEXITED(rc) ? WEXITSTATUS(rc) : WTERMSIG(rc));
  assert_true(WIFEXITED(rc));
  assert_int_equal(WEXITSTATUS(rc), 2);
  assert_int_equal(access(store, F_OK), -1);
  char log[4096];
  sf_test_path(log, sizeof(log), "cli_two_pairs.log");
  char* text = sf_test_read(log, NULL);
  assert_contains(text, "--stitches: the model has 2 entry/exit pairs, got 3");
  free(text);
}

// the defaults run --help states are the defaults: robots, rounds, seed, stitches, join
static void test_help_states_defaults(void** state) {
  sfRunConfig c;
  sf_config_defaults(&c);
  char join[64] = "none";
  if (c.njoin == 1) snprintf(join, sizeof(join), "%d@%d", c.join_count[0], c.join_round[0]);
  sfTestCli r = sf_test_cli(ARGS("run", "--help"));
  static const char* opts[] = {"--robots", "--rounds", "--seed", "--stitches", "--join"};
  char want[5][96];
  snprintf(want[0], sizeof(want[0]), "(default %d)", c.robots);
  snprintf(want[1], sizeof(want[1]), "(default %d)", c.rounds);
  snprintf(want[2], sizeof(want[2]), "(default %llu)", (unsigned long long)c.seed);
  snprintf(want[3], sizeof(want[3]), "(default %d)", c.stitches);
  snprintf(want[4], sizeof(want[4]), "(default %s)", join);
  for (int i = 0; i < 5; i++) {
    // the option's help: from its line to the next option's line
    const char* at = strstr(r.out, opts[i]);
    assert_non_null(at);
    const char* end = strstr(at + 2, "\n  --");
    char text[512];
    snprintf(text, sizeof(text), "%.*s", (int)(end ? end - at : 200), at);
    print_message("%s -> %s\n", opts[i], want[i]);
    assert_contains(text, want[i]);
  }
  sf_test_cli_free(&r);
}

// a short run with the default joiners (4 robots joining at a round beyond --rounds) either
// runs without them or says that the default is the problem and how to drop it; it must not
// blame a --join the user never gave
static void test_short_run_default_join(void** state) {
  char store[4096];
  sf_test_path(store, sizeof(store), "cli_short.h5");
  unlink(store);
  sfTestCli r = sf_test_cli(ARGS("run", "--robots", "1", "--rounds", "2", "--mode", "fleet",
                                 "--record", "none", "--store", store));
  print_message("exit %d: %s", r.code, r.err);
  int ok = r.code == 0 || (r.code == 2 && strstr(r.err, "default") && strstr(r.err, "--join none"));
  sf_test_cli_free(&r);
  if (!ok)
    known_bug(
        "sim/config.c:23 the default join group is checked "
        "against --rounds as if the user had given it");
  assert_true(ok);
  unlink(store);
}

// count of the occurrences of needle in haystack
static int count_of(const char* haystack, const char* needle) {
  int n = 0;
  for (const char* p = strstr(haystack, needle); p; p = strstr(p + 1, needle)) n++;
  return n;
}

// progress: not on a terminal, one line per round with the episodes, success per cohort,
// steps/s and an ETA that reaches 0s in the last round; --quiet prints nothing at all and
// writes the same store; --resume takes --quiet
static void test_progress(void** state) {
  char a[4096], b[4096];
  sf_test_path(a, sizeof(a), "cli_progress_a.h5");
  sf_test_path(b, sizeof(b), "cli_progress_b.h5");
  unlink(a);
  unlink(b);
  sfTestCli r = sf_test_cli(ARGS("run", "--robots", "2", "--rounds", "3", "--join", "none",
                                 "--mode", "fleet", "--record", "none", "--store", a));
  assert_int_equal(r.code, 0);
  print_message("%s", r.out);
  assert_int_equal(count_of(r.out, "\nround "), 3);
  assert_contains(r.out, "round 1/3: 2 episodes, success fleet ");
  assert_contains(r.out, "round 3/3: 2 episodes, success fleet ");
  assert_int_equal(count_of(r.out, " solo "), 0);
  assert_int_equal(count_of(r.out, "k steps/s, "), 3);
  assert_contains(r.out, "elapsed, ETA 0s\nwrote 6 episodes");
  assert_int_equal(count_of(r.out, "\033[K"), 0);  // no terminal control on a pipe
  sf_test_cli_free(&r);

  r = sf_test_cli(ARGS("run", "--robots", "2", "--rounds", "3", "--join", "none", "--mode", "fleet",
                       "--record", "none", "--store", b, "--quiet"));
  assert_int_equal(r.code, 0);
  assert_string_equal(r.out, "");
  assert_string_equal(r.err, "");
  sf_test_cli_free(&r);
  assert_int_equal(store_rows(a), 6);
  assert_int_equal(store_rows(b), 6);

  r = sf_test_cli(ARGS("run", "--store", b, "--resume", "--quiet"));
  assert_int_equal(r.code, 0);
  assert_string_equal(r.out, "");
  sf_test_cli_free(&r);
  unlink(a);
  unlink(b);
}

// controllers: the list names every built-in with its skill count; a built-in's description
// lists every skill value with its bounds and reference, in text and JSON; bad arguments exit 2
static void test_controllers(void** state) {
  const sfSkillDef* k = &sf_test_scripted_arc()->skill;
  sfTestCli r = sf_test_cli(ARGS("controllers"));
  assert_int_equal(r.code, 0);
  assert_contains(r.out, "scripted-arc");
  assert_contains(r.out, " 12 skill values");
  sf_test_cli_free(&r);

  r = sf_test_cli(ARGS("controllers", "scripted-arc"));
  assert_int_equal(r.code, 0);
  assert_contains(r.out, "controller scripted-arc (built-in, ABI version 3, hash built-in)");
  for (int i = 0; i < k->n; i++) {
    char row[256];
    snprintf(row, sizeof(row), "%-20s %-6s %9g %9g %9g", k->name[i], k->unit[i], k->lo[i], k->hi[i],
             k->ref[i]);
    assert_contains(r.out, row);
  }
  assert_contains(r.out,
                  "aim values (entry point along, across, normal): entry_dx_mm, "
                  "entry_dy_mm, entry_dz_mm");
  sf_test_cli_free(&r);

  r = sf_test_cli(ARGS("controllers", "scripted-arc", "--json"));
  assert_int_equal(r.code, 0);
  assert_contains(r.out, "\"abi_version\": 3");
  assert_contains(r.out, "\"aim\": [2, 3, 4]");
  assert_contains(r.out,
                  "{\"name\": \"bite_angle_deg\", \"unit\": \"deg\", \"lo\": 10, "
                  "\"hi\": 85, \"ref\": 41.81, \"prior_mean\": 50, \"prior_sd\": 8");
  assert_contains(r.out,
                  "{\"name\": \"handover_lift_mm\", \"unit\": \"mm\", \"lo\": 3, "
                  "\"hi\": 30, \"ref\": 10, \"prior_mean\": 15, \"prior_sd\": 5");
  assert_contains(r.out,
                  "{\"name\": \"handover_grasp_deg\", \"unit\": \"deg\", \"lo\": 10, "
                  "\"hi\": 60, \"ref\": 25, \"prior_mean\": 30, \"prior_sd\": 10");
  sf_test_cli_free(&r);

  sf_test_expect_bad(ARGS("controllers", "bogus"), ARGS("'bogus'", "no such built-in"));
  sf_test_expect_bad(ARGS("controllers", "/nonexistent/x.so"),
                     ARGS("'/nonexistent/x.so'", "No such file"));
  sf_test_expect_bad(ARGS("controllers", "a", "b"), ARGS("unexpected argument 'b'"));
  sf_test_expect_bad(ARGS("controllers", "--bogus"), ARGS("unexpected argument '--bogus'"));
}

#define SCENE SF_MODEL_DIR "/suture_scene.xml"

// run the suturefleet binary with args (NULL-terminated, argv[0] added) as a child process;
// killed after 60 s (a hang fails the test); returns its output (stdout and stderr, malloc'd)
// and its exit code in *code
static char* run_child(const char* const* args, int* code) {
  char* argv[64];
  sf_test_argv(args, argv);
  char log[4096];
  sf_test_path(log, sizeof(log), "cli_child.log");
  pid_t pid = sf_test_spawn(log, argv);

  // wait, at most 60 s
  int status = 0, waited = 0;
  struct timespec tick = {0, 20 * 1000 * 1000};
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (++waited > 3000) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      print_error("suturefleet %s did not finish within 60 s\n", args[0]);
      fail();
    }
    nanosleep(&tick, NULL);
  }
  *code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  char* out = sf_test_read(log, NULL);
  assert_non_null(out);
  return out;
}

// run_child: exit code `code`, and every word (NULL-terminated) in its output
static void child_expect(const char* const* args, int code, const char* const* words) {
  int got = 0;
  char* out = run_child(args, &got);
  print_message("exit %d: %s", got, out);
  assert_int_equal(got, code);
  for (int k = 0; words && words[k]; k++) assert_contains(out, words[k]);
  free(out);
}

// --resume accepts the run's own options (the same command plus --resume, as a requeued job
// gives it), on the command line or in a --config file, and refuses one that differs, naming
// the option, the store's value and the given one; options not given are not compared
static void test_resume_same_options(void** state) {
  char store[4096], same[4096], other[4096];
  sf_test_path(store, sizeof(store), "cli_resume_same.h5");
  unlink(store);
#define SAME_RUN                                                                            \
  "run", "--robots", "1", "--rounds", "2", "--join", "none", "--mode", "fleet", "--record", \
      "none", "--seed", "3", "--model", SCENE, "--store", store
  child_expect(ARGS(SAME_RUN), 0, NULL);

  // equal: taken (threads and quiet may differ; the controller by name)
  child_expect(ARGS(SAME_RUN, "--resume"), 0, ARGS("(resumed)"));
  child_expect(
      ARGS(SAME_RUN, "--resume", "--threads", "1", "--quiet", "--controller", "scripted-arc"), 0,
      NULL);
  child_expect(ARGS("run", "--store", store, "--resume", "--rounds", "2"), 0, NULL);
  write_ini("cli_resume_same.ini", "[run]\nrobots = 1\nseed = 3\nrecord = none\nthreads = 1\n",
            same, sizeof(same));
  child_expect(ARGS("run", "--store", store, "--resume", "--config", same), 0, NULL);

  // different: refused, naming the option and both values
  child_expect(ARGS(SAME_RUN, "--resume", "--robots", "2"), 2,
               ARGS("--resume: --robots 2 differs from the store's robots = 1"));
  child_expect(ARGS("run", "--store", store, "--resume", "--seed", "4"), 2,
               ARGS("--resume: --seed 4 differs from the store's seed = 3"));
  child_expect(ARGS("run", "--store", store, "--resume", "--record", "all"), 2,
               ARGS("--resume: --record all differs from the store's record = none"));
  child_expect(ARGS("run", "--store", store, "--resume", "--mode", "both"), 2,
               ARGS("--resume: --mode both differs from the store's mode = fleet"));
  child_expect(ARGS("run", "--store", store, "--resume", "--join", "1@1"), 2,
               ARGS("--resume: --join 1@1 differs from the store's join = none"));
  child_expect(ARGS("run", "--store", store, "--resume", "--from", store), 2,
               ARGS("--resume: --from ", "differs from the store's from = (none)"));
  write_ini("cli_resume_other.ini", "rounds = 3\n", other, sizeof(other));
  char want[8400];
  snprintf(want, sizeof(want),
           "--resume: rounds = 3 (--config '%s') differs from the store's rounds = 2", other);
  child_expect(ARGS("run", "--store", store, "--resume", "--config", other), 2, ARGS(want));
  child_expect(ARGS("run", "--store", store, "--resume", "--config", other, "--rounds", "2"), 0,
               NULL);
  child_expect(ARGS(SAME_RUN, "--resume", "--force"), 2, ARGS("--resume", "got --force"));
#undef SAME_RUN
  unlink(store);
}

// everything a run needs is checked before its store is created: 5000 robots x 100000 rounds
// (learning records alone about 358 GiB) and a robots x rounds product beyond an int are
// refused with exit 2 saying what is needed and what there is; so is a thread count from
// OMP_NUM_THREADS beyond 1024, naming where it came from; no store appears
static void test_run_limits(void** state) {
  char store[4096];
  sf_test_path(store, sizeof(store), "cli_limits.h5");
  unlink(store);
  child_expect(ARGS("run", "--robots", "5000", "--rounds", "100000", "--store", store), 2,
               ARGS("the run needs ", "GiB of memory (",
                    "GiB of learning records for 1000800000 "
                    "episodes",
                    "and this machine has ", "expected fewer robots, rounds or threads"));
  assert_int_equal(access(store, F_OK), -1);
  child_expect(ARGS("run", "--robots", "100000", "--rounds", "100000", "--join", "100000@1",
                    "--store", store),
               2,
               ARGS("--robots/--rounds: 400000 robots (with joiners and solo twins) x 100000 "
                    "rounds = 40000000000 episodes; expected at most 2147483647"));
  assert_int_equal(access(store, F_OK), -1);

  // threads from the environment
  assert_int_equal(setenv("OMP_NUM_THREADS", "100000", 1), 0);
  child_expect(ARGS("run", "--robots", "1", "--rounds", "1", "--store", store), 2,
               ARGS("OMP_NUM_THREADS=100000: 100000 threads; expected 1 to 1024"));
  child_expect(ARGS("eval", "--episodes", "1"), 2, ARGS("100000 threads; expected 1 to 1024"));
  child_expect(ARGS("run", "--robots", "1", "--rounds", "1", "--join", "none", "--record", "none",
                    "--threads", "1", "--store", store, "--quiet"),
               0, NULL);
  assert_int_equal(setenv("OMP_NUM_THREADS", "2", 1), 0);
  unlink(store);
}

// paths that are not regular files are refused at once with exit 2 naming the option, the path
// and what it is, never read (a FIFO would hang, /dev/zero never end, a directory read as an
// empty configuration): --config, eval's --skill, --store (new with --force, or resumed),
// --from, --model and --controller
static void test_not_regular_files(void** state) {
  char fifo[4096], dir[4096], store[4096];
  sf_test_path(fifo, sizeof(fifo), "cli_fifo");
  sf_test_path(dir, sizeof(dir), "cli_dir");
  sf_test_path(store, sizeof(store), "cli_fifo_run.h5");
  unlink(fifo);
  assert_int_equal(mkfifo(fifo, 0644), 0);
  assert_true(mkdir(dir, 0755) == 0 || errno == EEXIST);
  unlink(store);
  child_expect(ARGS("run", "--config", dir), 2,
               ARGS("--config '", "': a directory, not a regular file; expected an INI file"));
  child_expect(ARGS("run", "--config", fifo), 2, ARGS("': a FIFO, not a regular file"));
  child_expect(ARGS("run", "--config", "/dev/zero"), 2,
               ARGS("--config '/dev/zero': a character device, not a regular file"));
  child_expect(ARGS("eval", "--skill", fifo, "--episodes", "1"), 2,
               ARGS("skill file '", "': a FIFO, not a regular file"));
  child_expect(ARGS("eval", "--skill", "/dev/zero", "--episodes", "1"), 2,
               ARGS("skill file '/dev/zero': a character device"));
  child_expect(ARGS("eval", "--skill", dir, "--episodes", "1"), 2, ARGS("': a directory"));
  child_expect(ARGS("run", "--store", fifo, "--force", "--robots", "1", "--rounds", "1"), 2,
               ARGS("--store '", "': a FIFO, not a regular file"));
  child_expect(ARGS("run", "--store", "/dev/null", "--force", "--robots", "1", "--rounds", "1"), 2,
               ARGS("--store '/dev/null': a character device, not a regular file"));
  child_expect(ARGS("run", "--store", fifo, "--resume"), 2, ARGS("': a FIFO, not a regular file"));
  child_expect(ARGS("run", "--from", fifo, "--robots", "1", "--rounds", "1", "--store", store), 2,
               ARGS("--from '", "': a FIFO, not a regular file"));
  child_expect(ARGS("run", "--model", fifo, "--robots", "1", "--rounds", "1", "--store", store), 2,
               ARGS("--model '", "': a FIFO, not a regular file; expected an MJCF file"));
  child_expect(ARGS("eval", "--model", fifo, "--episodes", "1"), 2, ARGS("': a FIFO"));
  child_expect(ARGS("run", "--controller", fifo, "--store", store), 2,
               ARGS("': not a regular file"));
  assert_int_equal(access(store, F_OK), -1);
  unlink(fifo);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_bad_options),
      cmocka_unit_test(test_bad_model_creates_nothing),
      cmocka_unit_test(test_config_bad_value),
      cmocka_unit_test(test_config_unknown_key),
      cmocka_unit_test(test_config_bad_syntax),
      cmocka_unit_test(test_config_first_error_reported),
      cmocka_unit_test(test_blank_and_plus_rejected),
      cmocka_unit_test(test_help),
      cmocka_unit_test(test_store_not_replaced_without_force),
      cmocka_unit_test(test_config_and_override),
      cmocka_unit_test(test_eval_bad_skill_files),
      cmocka_unit_test(test_eval_bad_options),
      cmocka_unit_test(test_eval_json),
      cmocka_unit_test(test_eval_skill_file_matches_reference),
      cmocka_unit_test(test_stitches_beyond_pairs),
      cmocka_unit_test(test_help_states_defaults),
      cmocka_unit_test(test_short_run_default_join),
      cmocka_unit_test(test_controllers),
      cmocka_unit_test(test_progress),
      cmocka_unit_test(test_resume_same_options),
      cmocka_unit_test(test_run_limits),
      cmocka_unit_test(test_not_regular_files),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
