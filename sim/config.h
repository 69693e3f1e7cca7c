// config.h: run configuration: defaults, value parsing shared by the command line and INI
// files, and the canonical text recorded in every store.
#ifndef SUTUREFLEET_SIM_CONFIG_H_
#define SUTUREFLEET_SIM_CONFIG_H_

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include "status.h"

#define SF_MAX_JOIN 16       // most --join groups
#define SF_MAX_THREADS 1024  // most OpenMP threads a run or eval uses
#define SF_CONFIG_NKEY 14    // settings a configuration has (sf_config_key)
#define SF_MAX_GROUPS 4096   // most sharing groups (--share groups:K)
#define SF_MAX_DELAY 1000    // longest upload delay (--share delay:D), rounds

// which cohorts a run has
typedef enum sftMode_ {
  SF_MODE_FLEET = 0,  // robots pool their episodes
  SF_MODE_SOLO = 1,   // every robot learns from its own episodes only
  SF_MODE_BOTH = 2    // a fleet cohort and an equal solo cohort (twins: same contexts)
} sftMode;

// who shares with whom in the fleet cohort
typedef enum sftShare_ {
  SF_SHARE_ALL = 0,       // one pool: every fleet robot's episodes, as soon as a round ends
  SF_SHARE_GROUPS = 1,    // K pools (hospitals): robot i pools with the robots of group i mod K
  SF_SHARE_DELAY = 2,     // one pool that gets each round's episodes D rounds late (upload latency)
  SF_SHARE_KNOWLEDGE = 3  // robots learn from their own episodes and share only knowledge,
                          //   averaged after every round (federated averaging)
} sftShare;

// everything a run needs
typedef struct sfRunConfig_ {
  int robots;      // robots practising from round 0 (>= 1)
  int rounds;      // practice rounds (>= 1)
  int threads;     // OpenMP threads (>= 1); does not change results
  uint64_t seed;   // experiment seed
  int stitches;    // throws per episode (1 .. SF_MAX_STITCHES)
  int njoin;       // robots joining later: join_count[i] robots at round join_round[i]
  int join_given;  // the join groups were set (not the default)
  int join_count[SF_MAX_JOIN];
  int join_round[SF_MAX_JOIN];
  int mode;               // sftMode
  int share;              // sftShare
  int share_k;            // groups (SF_SHARE_GROUPS) or rounds of delay (SF_SHARE_DELAY)
  char from[4096];        // store whose pooled knowledge the fleet starts from ("" for none)
  int resume;             // continue the run in an existing store
  int record_every;       // record the trajectory of episodes whose id is a multiple of this (0:
                          //   none, 1: all)
  char controller[4096];  // built-in controller name or plug-in path (checked when opened)
  char learner[4096];     // built-in learner name or plug-in path (checked when opened)
  int force;              // replace an existing store
  int quiet;              // print nothing but errors (no progress, no summary)
  char model[4096];       // MJCF scene
  char store[4096];       // HDF5 store to create
  unsigned given;         // settings set by sf_config_set (bit k: sf_config_key(k)), whatever
                          //   their value; defaults are not given
} sfRunConfig;

// fill the defaults (threads from OpenMP, model from sf_scene_default_path)
void sf_config_defaults(sfRunConfig* c);

// the name of setting k (0 .. SF_CONFIG_NKEY - 1): robots, rounds, threads, seed, stitches,
// join, mode, from, record, controller, model, store, learner, share; NULL otherwise
const char* sf_config_key(int k);

// the index of the setting named key, or -1
int sf_config_key_index(const char* key);

// setting k of c as its canonical text, as sf_config_text writes it ("" for no --from)
void sf_config_value(const sfRunConfig* c, int k, char* buf, size_t n);

// set one key from text (its bit in c->given is set); origin names where the value came from
// ("--robots", "x.ini:3") for messages; SF_ERR_INPUT naming origin, the value and what was
// expected
sftStatus sf_config_set(sfRunConfig* c, const char* key, const char* value, const char* origin,
                        sfError* e);

// check settings that depend on each other (join rounds within the rounds; the default join
// group is dropped when the run is too short for it; a model not given is the default for the
// stitches, sf_scene_default_for); SF_ERR_INPUT
sftStatus sf_config_check(sfRunConfig* c, sfError* e);

// apply INI text (as sf_config_load, origin names it in messages)
sftStatus sf_config_load_text(sfRunConfig* c, const char* text, const char* origin, sfError* e);

// apply an INI file (keys as the long options without dashes, optionally under [run]);
// SF_ERR_INPUT naming the file and line on a missing file, one that is not a regular file (a
// directory, FIFO or device: refused before reading), bad syntax, key or value
sftStatus sf_config_load(sfRunConfig* c, const char* path, sfError* e);

// the result-determining settings as "key = value" lines (INI, loadable by sf_config_load);
// returns the length written (truncated to n - 1)
size_t sf_config_text(const sfRunConfig* c, char* buf, size_t n);

// the configuration can be stored as its text and read back unchanged (INI lines have at most
// INI_MAX_LINE - 1 characters, so a very long path cannot be); SF_ERR_INPUT naming the problem
sftStatus sf_config_check_text(const sfRunConfig* c, sfError* e);

// strict parsers: the whole text must be a number within [lo, hi]; 0 on success, -1 otherwise
int sf_parse_int(const char* text, long lo, long hi, int* out);
int sf_parse_u64(const char* text, uint64_t* out);
int sf_parse_double(const char* text, double lo, double hi, double* out);

// an INI stream read line by line, counting lines (for inih's ini_parse_stream: pass
// sf_ini_read as its reader and a pointer to this, or to a struct that starts with it, as
// its stream)
typedef struct sfIniLines_ {
  FILE* f;   // the file being read
  int line;  // lines read so far
} sfIniLines;

// inih's reader over an sfIniLines stream: the next line of f, counted; NULL at the end
char* sf_ini_read(char* str, int num, void* stream);

#endif  // SUTUREFLEET_SIM_CONFIG_H_
