// robots.c: the robot list of a configuration.
#include "robots.h"

#include <string.h>

#include "episode.h"

// add one cohort's robots (initial ones, then join groups) from id `first`; twins: the context
// robots of a mirrored cohort (NULL: each robot is its own); returns the next id
static int sf_robots_cohort(const sfRunConfig* c, int cohort, int first, const sfRobotRow* twins,
                            sfRobotRow* robots, int max) {
  int id = first, k = 0;
  for (int g = -1; g < c->njoin; g++) {
    int count = g < 0 ? c->robots : c->join_count[g];
    int join = g < 0 ? 0 : c->join_round[g];
    for (int i = 0; i < count; i++, id++, k++) {
      if (!robots || id >= max) continue;
      sfRobotRow* r = &robots[id];
      memset(r, 0, sizeof(*r));
      r->robot = id;
      r->cohort = cohort;
      r->join_round = join;
      r->context_robot = twins ? twins[k].robot : id;
      sfCalib cal;
      sf_calib_draw(c->seed, r->context_robot, &cal);
      sf_calib_units(&cal, r->calib_bias_mm, r->calib_rot_deg);
    }
  }
  return id;
}

int sf_robots_list(const sfRunConfig* c, sfRobotRow* robots, int max) {
  int n = 0;
  if (c->mode != SF_MODE_SOLO) n = sf_robots_cohort(c, SF_COHORT_FLEET, 0, NULL, robots, max);
  if (c->mode == SF_MODE_SOLO) return sf_robots_cohort(c, SF_COHORT_SOLO, 0, NULL, robots, max);
  if (c->mode == SF_MODE_BOTH) {
    n = sf_robots_cohort(c, SF_COHORT_SOLO, n, robots && max >= n ? robots : NULL, robots, max);
  }
  return n;
}

sfRobotRow* sf_robots_make(const sfRunConfig* c, int* n) {
  *n = sf_robots_list(c, NULL, 0);
  sfRobotRow* robots = SF_CALLOC(*n, sizeof(sfRobotRow));
  sf_robots_list(c, robots, *n);
  return robots;
}
