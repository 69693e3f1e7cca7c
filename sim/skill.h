// skill.h: a controller's skill vector theta: names, units, bounds, reference values, and
// skill files.
#ifndef SUTUREFLEET_SIM_SKILL_H_
#define SUTUREFLEET_SIM_SKILL_H_

#include <stddef.h>
#include <stdio.h>

#include "status.h"

#define SF_MAX_THETA 16  // most skill parameters a controller may have

// the meaning of a controller's skill vector
typedef struct sfSkillDef_ {
  int n;                            // parameters
  const char* name[SF_MAX_THETA];   // e.g. "bite_angle_deg"
  const char* unit[SF_MAX_THETA];   // e.g. "deg"
  const char* doc[SF_MAX_THETA];    // one line each
  double lo[SF_MAX_THETA];          // lower bounds
  double hi[SF_MAX_THETA];          // upper bounds
  double ref[SF_MAX_THETA];         // reference skill (hand-tuned, calibrated robot)
  double prior_mean[SF_MAX_THETA];  // where learning starts: a novice's guess of each value
  double prior_sd[SF_MAX_THETA];    //   and its uncertainty (SD)
  int has_aim;                      // the skill has aim values (below); 0: none
  int aim[3];                       // values that shift the aimed entry point (mm) along the
                                    //   wound, across it, along the normal
  double aim_z_per_chord;           // height correction (mm) per mm of chord error
} sfSkillDef;

// check theta (n values) against def: SF_ERR_INPUT naming origin, the parameter, its value and
// bounds, or the length mismatch
sftStatus sf_skill_check(const sfSkillDef* def, const double* theta, int n, const char* origin,
                         sfError* e);

// read a skill file: the values in def's order separated by white space or commas, '#' to the
// end of a line is a comment; SF_ERR_INPUT naming the file for a missing file, one that is not
// a regular file (a directory, FIFO or device: refused before reading), a non-number, a wrong
// count, a value out of bounds or a NUL byte; theta (def->n) is written only on success
sftStatus sf_skill_load(const sfSkillDef* def, const char* path, double* theta, sfError* e);

// read a skill file's text from the open stream f, as sf_skill_load after opening it (path
// names it in messages; f is read to its end or to the first error and left open): the same
// failures but the open's, the same contract
sftStatus sf_skill_read(const sfSkillDef* def, FILE* f, const char* path, double* theta,
                        sfError* e);

// def's value names, comma-separated, into out (size n > 0; truncated to fit)
void sf_skill_names(const sfSkillDef* def, char* out, size_t n);

// is value i one of the skill's aim values (def->aim, when def->has_aim)
int sf_skill_is_aim(const sfSkillDef* def, int i);

#endif  // SUTUREFLEET_SIM_SKILL_H_
