// test_skill.c: skill vectors: bounds checks and skill files (values, comments, separators,
// and every way a file can be wrong), on a small hand-made definition and on scripted-arc's.
#include "sf_test.h"

#include "controller.h"
#include "skill.h"

// a three-parameter skill
static const sfSkillDef kSkill = {
    .n = 3,
    .name = {"angle_deg", "speed_dps", "offset_mm"},
    .unit = {"deg", "deg/s", "mm"},
    .doc = {"an angle", "a speed", "an offset"},
    .lo = {10, 15, -4},
    .hi = {80, 120, 4},
    .ref = {40, 60, 0},
    .has_aim = 0,
};

// theta filled with a sentinel, to see that failures leave it alone
static void sentinel(double* theta) {
  for (int i = 0; i < SF_MAX_THETA; i++) theta[i] = 99;
}

// write text to the scratch file name; its path into path
static void skill_file(const char* name, const char* text, char* path, size_t n) {
  sf_test_path(path, n, name);
  sf_test_write(path, text);
}

// load a file expected to fail with SF_ERR_INPUT: the message names the file and each word,
// and theta is untouched
static void expect_load_error(const char* name, const char* text, const char* w1, const char* w2) {
  char path[4096];
  double theta[SF_MAX_THETA];
  sfError e = {{0}};
  skill_file(name, text, path, sizeof(path));
  sentinel(theta);
  assert_int_equal(sf_skill_load(&kSkill, path, theta, &e), SF_ERR_INPUT);
  print_message("%s\n", e.msg);
  assert_contains(e.msg, path);
  assert_contains(e.msg, w1);
  if (w2) assert_contains(e.msg, w2);
  for (int i = 0; i < SF_MAX_THETA; i++) assert_near(theta[i], 99, 0);
}

// values separated by blanks, tabs, commas and newlines, with comments; bounds inclusive
static void test_load_good(void** state) {
  char path[4096];
  double theta[SF_MAX_THETA];
  sfError e = {{0}};
  skill_file("skill_good.txt", "# a comment line\n10,\t120 # the speed\n\n  -4e0  # last\n", path,
             sizeof(path));
  sentinel(theta);
  assert_int_equal(sf_skill_load(&kSkill, path, theta, &e), SF_OK);
  assert_near(theta[0], 10, 0);
  assert_near(theta[1], 120, 0);
  assert_near(theta[2], -4, 0);
  assert_near(theta[3], 99, 0);  // only def->n values written
  assert_string_equal(e.msg, "");
}

// every way a file is wrong
static void test_load_errors(void** state) {
  expect_load_error("skill_over.txt", "40 60 4.5\n",
                    "offset_mm = 4.5 is out of its bounds [-4, 4] mm", NULL);
  expect_load_error("skill_under.txt", "9.99 60 0\n", "angle_deg = 9.99", "[10, 80] deg");
  expect_load_error("skill_two.txt", "40 60\n", "expected 3 skill values, got 2", NULL);
  expect_load_error("skill_four.txt", "40 60 0 0\n", "expected 3 skill values, got 4", NULL);
  expect_load_error("skill_many.txt", "1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20\n",
                    "expected 3 skill values, got 20", NULL);
  expect_load_error("skill_text.txt", "40\n60 fast\n", "line 2", "expected a number, got 'fast'");
  expect_load_error("skill_inf.txt", "inf 60 0\n", "line 1", "got 'inf'");
  expect_load_error("skill_semicolon.txt", "40; 60; 0\n", "line 1", "got '40;'");

  char path[4096];
  sf_test_path(path, sizeof(path), "no-such-skill-file.txt");
  double theta[SF_MAX_THETA];
  sfError e = {{0}};
  assert_int_equal(sf_skill_load(&kSkill, path, theta, &e), SF_ERR_INPUT);
  assert_contains(e.msg, path);
  assert_contains(e.msg, "cannot open");
}

// sf_skill_check: the origin, the parameter, its value and its bounds; NaN is out of bounds;
// the bounds themselves are in
static void test_check(void** state) {
  sfError e = {{0}};
  const double lo[3] = {10, 15, -4}, hi[3] = {80, 120, 4}, bad[3] = {40, NAN, 0};
  assert_int_equal(sf_skill_check(&kSkill, lo, 3, "test", &e), SF_OK);
  assert_int_equal(sf_skill_check(&kSkill, hi, 3, "test", &e), SF_OK);
  assert_int_equal(sf_skill_check(&kSkill, bad, 3, "--skill x", &e), SF_ERR_INPUT);
  assert_contains(e.msg, "--skill x: speed_dps = nan is out of its bounds [15, 120] deg/s");
  assert_int_equal(sf_skill_check(&kSkill, lo, 2, "here", &e), SF_ERR_INPUT);
  assert_contains(e.msg, "here: expected 3 skill values, got 2");
}

// scripted-arc's reference skill is within its own bounds, and every parameter is described
static void test_scripted_arc_reference(void** state) {
  const sfSkillDef* def = &sf_test_scripted_arc()->skill;
  sfError e = {{0}};
  assert_int_equal(def->n, 12);
  assert_int_equal(sf_skill_check(def, def->ref, def->n, "reference", &e), SF_OK);
  // the last two are the two-arm handover's: its lift and where psm1 takes the needle back
  assert_string_equal(def->name[10], "handover_lift_mm");
  assert_string_equal(def->name[11], "handover_grasp_deg");
  const double lo[2] = {3, 10}, hi[2] = {30, 60}, ref[2] = {10, 25};
  for (int i = 0; i < 2; i++) {
    assert_near(def->lo[10 + i], lo[i], 0);
    assert_near(def->hi[10 + i], hi[i], 0);
    assert_near(def->ref[10 + i], ref[i], 0);
  }
  for (int i = 0; i < def->n; i++) {
    assert_non_null(def->name[i]);
    assert_non_null(def->unit[i]);
    assert_non_null(def->doc[i]);
    assert_true(def->lo[i] < def->hi[i]);
  }

  // the reference bite angle follows the needle's arc through holes 12 mm apart:
  // asin(6 / 9) = 41.81 deg
  assert_near(def->ref[0], asin(6.0 / 9.0) * 180 / 3.141592653589793, 0.005);
}

// a comment line of 1500 bytes (longer than any fixed line buffer of 1 KiB) is still a comment:
// its tail must not be read as values
static void test_long_comment_line(void** state) {
  char text[3000] = "# ";
  memset(text + 2, 'x', 1500);
  strcpy(text + 1502, "\n40 60 0\n");
  char path[4096];
  double theta[SF_MAX_THETA];
  sfError e = {{0}};
  skill_file("skill_long_comment.txt", text, path, sizeof(path));
  sftStatus st = sf_skill_load(&kSkill, path, theta, &e);
  if (st != SF_OK) print_message("%.200s\n", e.msg);
  assert_int_equal(st, SF_OK);
  assert_near(theta[0], 40, 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_load_good),
      cmocka_unit_test(test_load_errors),
      cmocka_unit_test(test_check),
      cmocka_unit_test(test_scripted_arc_reference),
      cmocka_unit_test(test_long_comment_line),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
