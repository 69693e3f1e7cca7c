// learner.h: learners behind the plug-in ABI: the built-ins, the plug-in loader, and a pool's
// learning state.
//
// Every learner, built-in or plug-in, is an sflLearner table (include/suturefleet/learner.h);
// sf_learner_open resolves a name or a shared-object path to a checked, loaded learner. A pool
// (the fleet's, or one solo robot's) holds one state of it and the knowledge it describes: the
// learned values from the learner, the aim values from the host (a robot's own aim comes from
// its own episodes, sf_policy_aim; the fleet's pooled aim is its robots' mean).
#ifndef SUTUREFLEET_SIM_LEARNER_H_
#define SUTUREFLEET_SIM_LEARNER_H_

#include <stdint.h>

#include <suturefleet/learner.h>

#include "plugin.h"
#include "policy.h"
#include "skill.h"
#include "status.h"

_Static_assert(SF_MAX_THETA == SFL_MAX_VALUES, "SF_MAX_THETA must equal SFL_MAX_VALUES");

#define SF_LEARNER_DEFAULT "elite"  // the learner a run uses unless told otherwise
#define SF_LEARNER_LEGACY "cem"     // the learner of stores that name none (before issue 15)

// a loaded, checked learner
typedef struct sfLearner_ {
  const sflLearner* api;  // its table (built-in, or the plug-in's)
  char name[SFL_NAME_MAX + 1];
  sfPlugin file;  // the plug-in file it came from (path "" and hash SF_BUILTIN_HASH: a built-in)
} sfLearner;

// built-in learners: how many, and the i-th table
int sf_learner_builtin_count(void);
const sflLearner* sf_learner_builtin(int i);

// check table t (who names it in messages) and make it the learner l, not loaded from a file;
// SF_ERR_INPUT naming who and the problem (unknown ABI version, short table, bad name, missing
// required function), l zeroed
sftStatus sf_learner_use(const sflLearner* t, const char* who, sfLearner* l, sfError* e);

// open the learner spec names (a built-in's name or a plug-in path) into l and check its table;
// expected (NULL: none) is the hash it must have (a plug-in file's is checked before the file is
// loaded; a built-in matches only SF_BUILTIN_HASH) and origin names where it comes from.
// SF_ERR_INPUT naming the spec and the problem, with nothing left open
sftStatus sf_learner_open_expect(const char* spec, const char* expected, const char* origin,
                                 sfLearner* l, sfError* e);

// sf_learner_open_expect without an expectation
sftStatus sf_learner_open(const char* spec, sfLearner* l, sfError* e);

// open the learner a store was written with (stored_spec, name, hash), never loading a file the
// store names: given (NULL: none) is what the user named (--learner); as
// sf_controller_open_stored
sftStatus sf_learner_open_stored(const char* given, const char* stored_spec, const char* name,
                                 const char* hash, const char* store, sfLearner* l, sfError* e);

// unload l (accepts a zeroed or closed learner)
void sf_learner_close(sfLearner* l);

// one pool's learning
typedef struct sfPool_ {
  const sfLearner* lr;    // its learner
  const sfSkillDef* def;  // the skill
  void* state;            // the learner's state
  int nx;                 // values learned: the skill's values but the aim values,
  int idx[SF_MAX_THETA];  //   their indices into the skill (nx)
  sfKnowledge k;          // the knowledge: every value of the skill (learned and aim)
} sfPool;

// a pool of learner lr for skill def starting from start (every value of the skill; its aim
// values are kept as the host's); robots and solo as in sflSkill. SF_ERR_RUN when the
// learner's create fails, p zeroed
sftStatus sf_pool_make(sfPool* p, const sfLearner* lr, const sfSkillDef* def,
                       const sfKnowledge* start, int robots, int solo, sfError* e);

// the skill a robot of the pool practises with this round (theta, def->n): every value drawn from
// the stream (seed, key, round, skill) as a standard normal, the learned ones mapped by the
// learner's sample, the aim values set from aim (3); clipped to the bounds
void sf_pool_sample(const sfPool* p, const double aim[3], uint64_t seed, uint32_t key,
                    uint32_t round, double* theta);

// learn from the round's n >= 1 records of the pool (store order); pooled counts the pool's
// episodes so far, these included; the knowledge's learned values from the learner's describe
// (a value it gives that is not finite, or an SD <= 0, keeps the previous one)
void sf_pool_update(sfPool* p, const sfEpisodeRecord* recs, int n, long pooled);

// release the pool's state (accepts a zeroed pool)
void sf_pool_free(sfPool* p);

#endif  // SUTUREFLEET_SIM_LEARNER_H_
