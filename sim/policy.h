// policy.h: learning the skill from pooled episodes.
//
// Knowledge is a Gaussian over the controller's shared skill values (mean and SD per value,
// natural units), updated after every round by the cross-entropy method (CEM; Rubinstein &
// Kroese 2004; as used for robot skills by e.g. Kalakrishnan et al. 2011) from the best-scoring
// recent episodes of the cohort that pools it: the whole fleet's episodes for fleet robots, a
// robot's own episodes for a solo robot. A robot's aim correction (the controller's entry-point
// correction values) is not shared: it is estimated from the robot's own episodes, by
// subtracting the observed SRC entry/exit offsets from the correction it used (a robot's
// calibration error cannot be copied). Everything here is a pure function of the episodes.
#ifndef SUTUREFLEET_SIM_POLICY_H_
#define SUTUREFLEET_SIM_POLICY_H_

#include <stdint.h>

#include <suturefleet/learner.h>

#include "episode.h"
#include "skill.h"

#define SF_CEM_ELITE 0.2        // share of the window kept as elites
#define SF_CEM_ALPHA 0.7        // mean smoothing: new = (1 - alpha) old + alpha elite mean
#define SF_CEM_ALPHA_SD 0.4     // SD smoothing, slower so the search does not freeze early
#define SF_CEM_MIN_SD 0.004     // SD floor, as a share of each value's range
#define SF_CEM_ANNEAL 250.0     // annealing: the SD may not exceed the prior SD times
#define SF_CEM_ANNEAL_MIN 0.05  //   max(ANNEAL_MIN, exp(-episodes pooled / ANNEAL))
#define SF_CEM_NOISE 0.02       // added exploration SD (share of the range) at the start, decaying
#define SF_CEM_NOISE_EPISODES \
  150.0                        //   as exp(-episodes pooled / this) (noisy CEM, Szita &
                               //   Lorincz 2006: keeps the search from freezing early)
#define SF_AIM_WINDOW 8        // own episodes averaged for the aim correction
#define SF_SOLO_WINDOW 8       // a solo robot's CEM window: its last 8 episodes
#define SF_FLEET_WINDOW_PER 2  // the fleet's CEM window: 2 episodes per active fleet robot

// pooled knowledge: the skill distribution robots sample from
typedef struct sfKnowledge_ {
  int n;                      // skill values
  double mean[SF_MAX_THETA];  // Gaussian mean per value (natural units)
  double sd[SF_MAX_THETA];    // Gaussian SD per value
  long episodes;              // episodes pooled so far
} sfKnowledge;

// what learning needs of one stored episode
typedef struct sfEpisodeRecord_ {
  double theta[SF_MAX_THETA];  // skill used
  double score;                // sf_policy_score of the episode
  int has_offsets;             // the tip went in and out, offsets below are valid
  double entry_off_mm[3];      // SRC insertion point minus entry hole: along wound, across
  double exit_off_mm[3];       //   (towards the exit), normal; likewise at the exit
  int success;                 // the episode succeeded
  int robot;                   // the robot that ran it
  int round;                   // its round
  double trauma_mm2;           // tissue trauma (mm^2)
  double time_s;               // completion time (s)
  double entry_err_mm;         // SRC entry and exit lateral errors (mm; NaN: none)
  double exit_err_mm;
} sfEpisodeRecord;

// an episode's learning score: 10 for success and 3 times the share of SRC-correct throws,
// minus 3 log(1 + trauma in mm^2), half the mean SRC errors (mm; 10 when missing), the tip's
// shortfall from standing 5 mm out beyond the exit (mm; 5 when missing), a tenth of the time
// (s) and 5 for a dropped needle
double sf_policy_score(int success, double throws_ok_share, double closure, double trauma_mm2,
                       double entry_err_mm, double exit_err_mm, double tip_out_mm, double time_s,
                       int dropped);

// the learning score of an episode's result (sf_policy_score of its metrics; the time of an
// episode that ran out of time after some throws is the time its throws' pace would have taken
// for all of them when that is beyond its limit)
double sf_policy_result_score(const sfEpisodeResult* r);

// the prior: the skill definition's prior mean and SD
void sf_knowledge_prior(const sfSkillDef* def, sfKnowledge* k);

// CEM step: from prev and the window's m records (recs[0 .. m-1], oldest first), the knowledge
// after them; pooled is the number of episodes pooled so far (the window's included: it sets
// the annealing); aim values keep prev's mean and SD
void sf_knowledge_update(const sfSkillDef* def, const sfKnowledge* prev,
                         const sfEpisodeRecord* recs, int m, long pooled, sfKnowledge* next);

// a robot's aim correction (3 values, mm, in the skill's aim order) from its own records
// (oldest first); `fallback` (3 values) when none has offsets; returns the records used
int sf_policy_aim(const sfSkillDef* def, const sfEpisodeRecord* recs, int n,
                  const double fallback[3], double aim[3]);

// the skill a robot practises with this round: shared values drawn from the knowledge with the
// stream (seed, key, round, skill), aim values from its correction; clipped to the bounds
void sf_policy_sample(const sfSkillDef* def, const sfKnowledge* k, const double aim[3],
                      uint64_t seed, uint32_t key, uint32_t round, double* theta);

// the built-in learner 'cem': sf_knowledge_update behind the learner ABI, over the pool's
// episodes in order; its window is a solo robot's last SF_SOLO_WINDOW episodes, or the
// fleet's last SF_FLEET_WINDOW_PER episodes per robot of the round (at least 2 robots)
const sflLearner* sf_learner_cem(void);

#endif  // SUTUREFLEET_SIM_POLICY_H_
