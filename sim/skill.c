// skill.c: skill vector checks and skill files.
#include "skill.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

sftStatus sf_skill_check(const sfSkillDef* def, const double* theta, int n, const char* origin,
                         sfError* e) {
  if (n != def->n) {
    return sf_fail(e, SF_ERR_INPUT, "%s: expected %d skill values, got %d", origin, def->n, n);
  }
  for (int i = 0; i < n; i++) {
    if (!isfinite(theta[i]) || theta[i] < def->lo[i] || theta[i] > def->hi[i]) {
      return sf_fail(e, SF_ERR_INPUT, "%s: %s = %g is out of its bounds [%g, %g] %s", origin,
                     def->name[i], theta[i], def->lo[i], def->hi[i], def->unit[i]);
    }
  }
  return SF_OK;
}

sftStatus sf_skill_load(const sfSkillDef* def, const char* path, double* theta, sfError* e) {
  // a regular file only (a FIFO or a device would hang or never end), read through the
  // descriptor that was checked
  FILE* f;
  sftStatus st = sf_file_open_regular(path, "skill file", "a text file of skill values", &f, e);
  if (st != SF_OK) return st;
  st = sf_skill_read(def, f, path, theta, e);
  fclose(f);
  return st;
}

sftStatus sf_skill_read(const sfSkillDef* def, FILE* f, const char* path, double* theta,
                        sfError* e) {
  // numbers, separated by white space or commas, comments removed
  double v[SF_MAX_THETA + 1];
  int n = 0, line_no = 0;
  char* line = NULL;
  size_t cap = 0;
  sftStatus st = SF_OK;
  ssize_t len;
  while (st == SF_OK && (len = getline(&line, &cap, f)) >= 0) {
    line_no++;
    if (memchr(line, 0, (size_t)len)) {  // the rest of the line would be silently dropped
      st = sf_fail(e, SF_ERR_INPUT, "skill file '%s' line %d: expected text, got a NUL byte", path,
                   line_no);
      break;
    }
    char* hash = strchr(line, '#');
    if (hash) *hash = 0;
    for (char* tok = strtok(line, " \t\r\n,"); tok && st == SF_OK; tok = strtok(NULL, " \t\r\n,")) {
      char* end = NULL;
      double x = strtod(tok, &end);
      if (*end || !isfinite(x)) {
        st = sf_fail(e, SF_ERR_INPUT, "skill file '%s' line %d: expected a number, got '%s'", path,
                     line_no, tok);
      } else if (n <= SF_MAX_THETA) {
        v[n] = x;
      }
      n++;
    }
  }
  free(line);
  if (st != SF_OK) return st;

  // count and bounds
  char origin[4200];
  snprintf(origin, sizeof(origin), "skill file '%s'", path);
  if (n != def->n) return sf_skill_check(def, v, n, origin, e);
  st = sf_skill_check(def, v, n, origin, e);
  if (st == SF_OK) memcpy(theta, v, sizeof(double) * (size_t)n);
  return st;
}

void sf_skill_names(const sfSkillDef* def, char* out, size_t n) {
  size_t used = 0;
  out[0] = 0;
  for (int i = 0; i < def->n && used < n; i++) {
    int w = snprintf(out + used, n - used, "%s%s", i ? "," : "", def->name[i]);
    if (w > 0) used += (size_t)w;
  }
}

int sf_skill_is_aim(const sfSkillDef* def, int i) {
  return def->has_aim && (i == def->aim[0] || i == def->aim[1] || i == def->aim[2]);
}
