// robots.h: the robots of a run's configuration, the one place the robot list is made: their
// ids, cohorts, join rounds, context twins and drawn calibration errors (the /robots table).
#ifndef SUTUREFLEET_SIM_ROBOTS_H_
#define SUTUREFLEET_SIM_ROBOTS_H_

#include "config.h"
#include "store.h"

// cohorts
typedef enum sftCohort_ { SF_COHORT_FLEET = 0, SF_COHORT_SOLO = 1 } sftCohort;

// the robots of configuration c (ids in order: fleet cohort, then solo cohort; within a cohort
// the initial robots, then each join group), with their calibration errors; returns how many
// (at most max; pass robots = NULL to count)
int sf_robots_list(const sfRunConfig* c, sfRobotRow* robots, int max);

// the robots of configuration c in a new array (free it); *n is set to their count
sfRobotRow* sf_robots_make(const sfRunConfig* c, int* n);

#endif  // SUTUREFLEET_SIM_ROBOTS_H_
