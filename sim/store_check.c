// store_check.c: a store's rows checked against its configuration, /robots and each other,
// field by field, before any reader uses them.
#include "store_check.h"

#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "robots.h"
#include "scene.h"
#include "score.h"

// replay indexes the score's holes with the pairs a row names
_Static_assert(SF_MAX_PAIRS == SF_MAX_PAIRS, "a scene's pairs are the score's holes");

#define SF_NOMAX LLONG_MAX  // a range without an upper end
#define SF_COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

// the settings every store's configuration records (sf_config_text)
static const char* kConfigKeys[] = {"robots", "stitches", "rounds", "seed",       "join",
                                    "mode",   "record",   "model",  "controller", NULL};

// what the rows are checked against
typedef struct sfCheck_ {
  const sfStoreData* d;
  const char* path;     // the store, for messages
  sfError* e;           // the caller's message buffer
  sfRunConfig cfg;      // the store's configuration
  int ntheta;           // skill values named by skill_names
  sfRobotRow* robots;   // the robots the configuration makes (d->nrobots of them, malloc'd)
  int* last_episode;    // per robot: round of its last episode so far (-1: none; malloc'd)
  int* last_knowledge;  // per robot + groups (0 .. groups - 1: the fleet's pools, group
                        //   groups - 1 first): round of its last knowledge row so far
} sfCheck;

// one integer field of a row and the range it must lie in
typedef struct sfRange_ {
  const char* field;   // the field's name
  long long value;     // its value
  long long lo, hi;    // the allowed range, inclusive (hi SF_NOMAX: no upper end)
  const char* expect;  // what is expected, in words
} sfRange;

// refuse the store: "store 'path': /table row i: why" (no table: the store as a whole; row < 0:
// the table as a whole); returns SF_ERR_INPUT
static sftStatus sf_check_fail(const sfCheck* x, const char* table, long row, const char* fmt, ...)
    __attribute__((format(printf, 4, 5)));

static sftStatus sf_check_fail(const sfCheck* x, const char* table, long row, const char* fmt,
                               ...) {
  char why[768], where[128] = "";
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(why, sizeof(why), fmt, ap);
  va_end(ap);
  if (table && row >= 0) snprintf(where, sizeof(where), "/%s row %ld: ", table, row);
  if (table && row < 0) snprintf(where, sizeof(where), "/%s: ", table);
  return sf_fail(x->e, SF_ERR_INPUT, "store '%s': %s%s", x->path, where, why);
}

// every field of ranges[0 .. n-1] within its range; else refuse row naming the first that is not
static sftStatus sf_check_ranges(const sfCheck* x, const char* table, long row,
                                 const sfRange* ranges, int n) {
  for (int i = 0; i < n; i++) {
    const sfRange* r = &ranges[i];
    if (r->value >= r->lo && r->value <= r->hi) continue;
    char range[64];
    if (r->lo == r->hi) {
      snprintf(range, sizeof(range), "%lld", r->lo);
    } else if (r->hi == SF_NOMAX) {
      snprintf(range, sizeof(range), ">= %lld", r->lo);
    } else {
      snprintf(range, sizeof(range), "%lld..%lld", r->lo, r->hi);
    }
    return sf_check_fail(x, table, row, "%s = %lld, expected %s (%s)", r->field, r->value,
                         r->expect, range);
  }
  return SF_OK;
}

// the values v[0 .. n-1] of an array field are finite (and > 0 with positive); else refuse row
static sftStatus sf_check_finite(const sfCheck* x, const char* table, long row, const char* field,
                                 const double* v, int n, int positive) {
  for (int i = 0; i < n; i++) {
    if (isfinite(v[i]) && (!positive || v[i] > 0)) continue;
    return sf_check_fail(x, table, row, "%s[%d] = %g, expected a finite number%s", field, i, v[i],
                         positive ? " > 0" : "");
  }
  return SF_OK;
}

// a fixed-size string field holds its terminating NUL; else refuse row
static sftStatus sf_check_string(const sfCheck* x, const char* table, long row, const char* field,
                                 const char* s, size_t n) {
  if (memchr(s, 0, n)) return SF_OK;
  return sf_check_fail(x, table, row, "%s is not terminated, expected at most %zu bytes", field,
                       n - 1);
}

// does INI text set key: a line "key = ..." (or "key: ..."), blanks allowed around the key
static int sf_check_has_key(const char* text, const char* key) {
  size_t n = strlen(key);
  const char* line = text;
  while (line) {
    while (*line == ' ' || *line == '\t') line++;
    if (!strncmp(line, key, n)) {
      const char* p = line + n;
      while (*p == ' ' || *p == '\t') p++;
      if (*p == '=' || *p == ':') return 1;
    }
    line = strchr(line, '\n');
    if (line) line++;
  }
  return 0;
}

sftStatus sf_store_config(const sfStoreData* d, const char* path, sfRunConfig* c, sfError* e) {
  char origin[4200];
  snprintf(origin, sizeof(origin), "store '%s' configuration", path);
  sf_config_defaults(c);
  if (d->learner[0]) snprintf(c->learner, sizeof(c->learner), "%s", d->learner);
  return sf_config_load_text(c, d->configuration, origin, e);
}

// the configuration: present, every recorded setting there (none replaced by a default), parsed
// into x->cfg, consistent in itself and with the seed attribute
static sftStatus sf_check_config(sfCheck* x) {
  const char* text = x->d->configuration;
  if (!text || !text[0]) {
    return sf_check_fail(x, NULL, -1,
                         "root attribute 'configuration' is empty, expected the run's settings");
  }
  for (int i = 0; kConfigKeys[i]; i++) {
    if (sf_check_has_key(text, kConfigKeys[i])) continue;
    return sf_check_fail(x, NULL, -1,
                         "root attribute 'configuration' does not set '%s', expected every "
                         "setting of the run (robots, rounds, seed, stitches, join, mode, record, "
                         "controller, model)",
                         kConfigKeys[i]);
  }

  // parsed over the defaults, and checked as a run's would be
  char origin[4200];
  snprintf(origin, sizeof(origin), "store '%s' configuration", x->path);
  sftStatus st = sf_store_config(x->d, x->path, &x->cfg, x->e);
  if (st != SF_OK) return st;
  sfError why = {{0}};
  if (sf_config_check(&x->cfg, &why) != SF_OK) {
    return sf_fail(x->e, SF_ERR_INPUT, "%s: %s", origin, why.msg);
  }
  if (x->cfg.seed != x->d->seed) {
    return sf_check_fail(x, NULL, -1,
                         "root attribute 'seed' = %llu, expected its configuration's seed (%llu)",
                         (unsigned long long)x->d->seed, (unsigned long long)x->cfg.seed);
  }
  return SF_OK;
}

// the skill names: 1 to SF_MAX_THETA non-empty comma-separated names, counted into x->ntheta
static sftStatus sf_check_names(sfCheck* x) {
  const char* s = x->d->skill_names;
  int n = 1, empty = !s[0];
  for (const char* p = s; *p; p++) {
    if (*p != ',') continue;
    n++;
    if (p == s || p[1] == ',' || !p[1]) empty = 1;
  }
  if (empty || n > SF_MAX_THETA) {
    return sf_check_fail(x, NULL, -1,
                         "root attribute 'skill_names' = '%.200s', expected 1 to %d "
                         "comma-separated names",
                         s, SF_MAX_THETA);
  }
  x->ntheta = n;
  return SF_OK;
}

// the fleet's pools: its sharing groups (share groups:K), else 1; their knowledge rows have robot
// -1 - g
static int sf_check_groups(const sfCheck* x) {
  return x->cfg.share == SF_SHARE_GROUPS ? x->cfg.share_k : 1;
}

// the table sizes: the robots the configuration makes, and no more episodes (one per robot and
// round) or knowledge rows (the fleet's and one per robot, at the start and per round) than that
static sftStatus sf_check_counts(sfCheck* x) {
  static const char* modes[] = {"fleet", "solo", "both"};
  const sfStoreData* d = x->d;
  const sfRunConfig* c = &x->cfg;
  int n = sf_robots_list(c, NULL, 0);
  if (d->nrobots != n || (n && !d->robots)) {
    return sf_check_fail(x, "robots", -1,
                         "%ld rows, expected the %d robots its configuration makes (robots = %d, "
                         "mode %s, %d join groups)",
                         d->nrobots, n, c->robots, modes[c->mode], c->njoin);
  }
  long long max_episodes = (long long)n * c->rounds;
  if (d->nepisodes < 0 || d->nepisodes > max_episodes || (d->nepisodes && !d->episodes)) {
    return sf_check_fail(x, "episodes", -1,
                         "%ld rows, expected at most %lld (one per robot and round: %d robots, "
                         "rounds = %d)",
                         d->nepisodes, max_episodes, n, c->rounds);
  }
  long long max_knowledge = ((long long)n + sf_check_groups(x)) * ((long long)c->rounds + 1);
  if (d->nknowledge < 0 || d->nknowledge > max_knowledge || (d->nknowledge && !d->knowledge)) {
    return sf_check_fail(x, "knowledge", -1,
                         "%ld rows, expected at most %lld (the fleet's and one per robot, at the "
                         "start and after each of %d rounds)",
                         d->nknowledge, max_knowledge, c->rounds);
  }
  return SF_OK;
}

// /robots row i is the robot the configuration makes there, with a finite calibration
static sftStatus sf_check_robot(const sfCheck* x, long i) {
  const sfRobotRow* r = &x->d->robots[i];
  const sfRobotRow* want = &x->robots[i];
  long n = x->d->nrobots;
  const sfRange ranges[] = {
      {"robot", r->robot, i, i, "robot ids in row order from 0"},
      {"cohort", r->cohort, 0, 1, "0 (fleet) or 1 (solo)"},
      {"cohort", r->cohort, want->cohort, want->cohort, "the cohort its configuration gives it"},
      {"join_round", r->join_round, 0, x->cfg.rounds - 1, "a round of its configuration"},
      {"join_round", r->join_round, want->join_round, want->join_round,
       "the round its configuration has it join"},
      {"context_robot", r->context_robot, 0, n - 1, "a robot id in /robots"},
      {"context_robot", r->context_robot, want->context_robot, want->context_robot,
       "the robot whose contexts its configuration gives it"},
  };
  sftStatus st = sf_check_ranges(x, "robots", i, ranges, SF_COUNT(ranges));
  if (st == SF_OK) st = sf_check_finite(x, "robots", i, "calib_bias_mm", r->calib_bias_mm, 3, 0);
  if (st == SF_OK) st = sf_check_finite(x, "robots", i, "calib_rot_deg", r->calib_rot_deg, 3, 0);
  return st;
}

// every /robots row against the robots the configuration makes
static sftStatus sf_check_robots(sfCheck* x) {
  long n = x->d->nrobots;
  x->robots = SF_CALLOC((size_t)n + 1, sizeof(sfRobotRow));
  sf_robots_list(&x->cfg, x->robots, (int)n);
  sftStatus st = SF_OK;
  for (long i = 0; st == SF_OK && i < n; i++) st = sf_check_robot(x, i);
  return st;
}

// the fields of /episodes row i on their own
static sftStatus sf_check_episode_fields(const sfCheck* x, long i) {
  const sfEpisodeRow* r = &x->d->episodes[i];
  const sfRunConfig* c = &x->cfg;
  int schema3 = x->d->schema_version < SF_STORE_SCHEMA_SUTURE;  // no wound or thread columns
  const sfRange ranges[] = {
      {"episode_id", r->episode_id, i, i, "episode ids in row order from 0"},
      {"round", r->round, 0, c->rounds - 1, "a round of its configuration"},
      {"round", r->round, i ? x->d->episodes[i - 1].round : 0, SF_NOMAX,
       "rounds in row order (the previous row's round or later)"},
      {"robot", r->robot, 0, x->d->nrobots - 1, "a robot id in /robots"},
      {"stitches", r->stitches, 1, SF_MAX_STITCHES, "a throw count"},
      {"stitches", r->stitches, c->stitches, c->stitches, "its configuration's stitches"},
      {"first_pair", r->first_pair, 0, SF_MAX_PAIRS - (long long)r->stitches,
       "a first entry/exit pair with room for its stitches"},
      {"steps", r->steps, 0, SF_NOMAX, "a step count"},
      {"n_theta", r->n_theta, 1, SF_MAX_THETA, "a skill vector size"},
      {"n_theta", r->n_theta, x->ntheta, x->ntheta, "the number of skill_names"},
      {"throws_ok", r->throws_ok, 0, r->stitches, "at most its stitches"},
      {"insertions", r->insertions, 0, SF_NOMAX, "a count"},
      {"regrasp_failures", r->regrasp_failures, 0, SF_NOMAX, "a count"},
      {"completed", r->completed, 0, 1, "a flag"},
      {"dropped", r->dropped, 0, 1, "a flag"},
      {"diverged", r->diverged, 0, 1, "a flag"},
      {"fault", r->fault, 0, 1, "a flag"},
      {"success", r->success, 0, 1, "a flag"},
      {"has_offsets", r->has_offsets, 0, 1, "a flag"},
      {"end_reason", r->end_reason, 0, SF_END_COUNT - 1, "an end reason (datasets/README.md)"},
      {"ended_early", r->ended_early, r->end_reason > SF_END_TIME, r->end_reason > SF_END_TIME,
       "1 exactly when end_reason is neither done (0) nor the time limit (1)"},
      {"cut_through", r->cut_through, schema3 ? -1 : 0, schema3 ? -1 : r->stitches,
       schema3 ? "none in a schema-3 store (read as -1)" : "a count of at most its stitches"},
      {"handovers", r->handovers, 0, SF_NOMAX, "a count"},
      {"handovers_failed", r->handovers_failed, 0, SF_NOMAX, "a count"},
  };
  sftStatus st = sf_check_ranges(x, "episodes", i, ranges, SF_COUNT(ranges));
  if (st == SF_OK && !schema3 && !(r->wound_closure >= 0 && r->wound_closure <= 1)) {
    st = sf_check_fail(x, "episodes", i, "wound_closure = %g, expected a share from 0 to 1",
                       r->wound_closure);
  }
  if (st == SF_OK && (r->handovers ? !(r->handover_time_s >= 0 && isfinite(r->handover_time_s))
                                   : !isnan(r->handover_time_s))) {
    st = sf_check_fail(x, "episodes", i,
                       "handover_time_s = %g with %d handovers, expected a time of at least 0 "
                       "when there are handovers and NaN when there are none",
                       r->handover_time_s, (int)r->handovers);
  }
  if (st == SF_OK) st = sf_check_finite(x, "episodes", i, "theta", r->theta, r->n_theta, 0);
  if (st == SF_OK) {
    st = sf_check_string(x, "episodes", i, "controller", r->controller, sizeof(r->controller));
  }
  if (st == SF_OK) {
    st = sf_check_string(x, "episodes", i, "controller_hash", r->controller_hash,
                         sizeof(r->controller_hash));
  }
  return st;
}

// /episodes row i against its robot: its cohort and join round, practising, once per round
static sftStatus sf_check_episode_robot(const sfCheck* x, long i) {
  const sfEpisodeRow* r = &x->d->episodes[i];
  const sfRobotRow* robot = &x->d->robots[r->robot];
  const sfRange ranges[] = {
      {"cohort", r->cohort, robot->cohort, robot->cohort, "its robot's cohort in /robots"},
      {"join_round", r->join_round, robot->join_round, robot->join_round,
       "its robot's join_round in /robots"},
      {"round", r->round, robot->join_round, SF_NOMAX, "a round its robot practises in"},
      {"round", r->round, x->last_episode[r->robot] + 1, SF_NOMAX,
       "a round its robot has no episode in yet (one episode per robot and round)"},
  };
  return sf_check_ranges(x, "episodes", i, ranges, SF_COUNT(ranges));
}

// every /episodes row
static sftStatus sf_check_episodes(sfCheck* x) {
  x->last_episode = SF_CALLOC((size_t)x->d->nrobots + 1, sizeof(int));
  for (long k = 0; k < x->d->nrobots; k++) x->last_episode[k] = -1;
  sftStatus st = SF_OK;
  for (long i = 0; st == SF_OK && i < x->d->nepisodes; i++) {
    st = sf_check_episode_fields(x, i);
    if (st == SF_OK) st = sf_check_episode_robot(x, i);
    if (st == SF_OK) x->last_episode[x->d->episodes[i].robot] = x->d->episodes[i].round;
  }
  return st;
}

// the fields of /knowledge row i on their own
static sftStatus sf_check_knowledge_fields(const sfCheck* x, long i) {
  const sfKnowledgeRow* r = &x->d->knowledge[i];
  const sfRange ranges[] = {
      {"round", r->round, -1, i ? x->cfg.rounds - 1 : -1,
       i ? "-1 (the start) or a round of its configuration" : "the start's rows first"},
      {"round", r->round, i ? x->d->knowledge[i - 1].round : -1, SF_NOMAX,
       "rounds in row order (the previous row's round or later)"},
      {"cohort", r->cohort, 0, 1, "0 (fleet) or 1 (solo)"},
      {"robot", r->robot, -sf_check_groups(x), x->d->nrobots - 1,
       "-1 (the fleet; -1 - g for sharing group g) or a robot id in /robots"},
      {"n_theta", r->n_theta, 1, SF_MAX_THETA, "a skill vector size"},
      {"n_theta", r->n_theta, x->ntheta, x->ntheta, "the number of skill_names"},
      {"episodes", r->episodes, 0, SF_NOMAX, "a count"},
  };
  sftStatus st = sf_check_ranges(x, "knowledge", i, ranges, SF_COUNT(ranges));
  if (st == SF_OK) st = sf_check_finite(x, "knowledge", i, "mean", r->mean, r->n_theta, 0);
  if (st == SF_OK) st = sf_check_finite(x, "knowledge", i, "sd", r->sd, r->n_theta, 1);
  return st;
}

// /knowledge row i against whose it is: the fleet's (robot -1, when the run has a fleet cohort)
// or a solo robot's own from its join round, one row per round each
static sftStatus sf_check_knowledge_owner(const sfCheck* x, long i) {
  const sfKnowledgeRow* r = &x->d->knowledge[i];
  if (r->robot < 0 && x->cfg.mode == SF_MODE_SOLO) {
    return sf_check_fail(x, "knowledge", i,
                         "robot = -1 (the fleet), expected a solo robot: its configuration has no "
                         "fleet cohort (mode solo)");
  }
  const sfRobotRow* robot = r->robot >= 0 ? &x->d->robots[r->robot] : NULL;
  if (robot && robot->cohort != SF_COHORT_SOLO) {
    return sf_check_fail(x, "knowledge", i,
                         "robot = %d, expected -1 (the fleet) or a solo robot (robot %d is in the "
                         "fleet cohort)",
                         r->robot, r->robot);
  }
  int cohort = robot ? SF_COHORT_SOLO : SF_COHORT_FLEET;
  int from = robot && r->round >= 0 ? robot->join_round : -1;
  const sfRange ranges[] = {
      {"cohort", r->cohort, cohort, cohort,
       robot ? "1 for a solo robot's own knowledge" : "0 for the fleet's (robot -1)"},
      {"round", r->round, from, SF_NOMAX, "-1 (the start) or a round its robot practises in"},
      {"round", r->round, x->last_knowledge[r->robot + sf_check_groups(x)] + 1, SF_NOMAX,
       "a round with no knowledge row for its robot yet (one per round)"},
  };
  return sf_check_ranges(x, "knowledge", i, ranges, SF_COUNT(ranges));
}

// every /knowledge row
static sftStatus sf_check_knowledge(sfCheck* x) {
  int groups = sf_check_groups(x);
  x->last_knowledge = SF_CALLOC((size_t)x->d->nrobots + (size_t)groups, sizeof(int));
  for (long k = 0; k < x->d->nrobots + groups; k++) x->last_knowledge[k] = -2;
  sftStatus st = SF_OK;
  for (long i = 0; st == SF_OK && i < x->d->nknowledge; i++) {
    const sfKnowledgeRow* r = &x->d->knowledge[i];
    st = sf_check_knowledge_fields(x, i);
    if (st == SF_OK) st = sf_check_knowledge_owner(x, i);
    if (st == SF_OK) x->last_knowledge[r->robot + groups] = r->round;
  }
  return st;
}

// the tables against each other: at most one round of episodes (the last, its knowledge not yet
// written) after the last round with knowledge rows
static sftStatus sf_check_rounds(sfCheck* x) {
  const sfStoreData* d = x->d;
  int done = d->nknowledge ? d->knowledge[d->nknowledge - 1].round : -1;
  for (long i = 0; i < d->nepisodes; i++) {
    if (d->episodes[i].round <= done + 1) continue;
    return sf_check_fail(x, "episodes", i,
                         "round = %d, expected at most %d: /knowledge ends at round %d, and only "
                         "the last round's knowledge may be missing",
                         d->episodes[i].round, done + 1, done);
  }
  return SF_OK;
}

sftStatus sf_store_validate(const sfStoreData* d, const char* path, sfError* e) {
  // each check relies on the ones before it
  static sftStatus (*const checks[])(sfCheck*) = {
      sf_check_config,   sf_check_names,     sf_check_counts, sf_check_robots,
      sf_check_episodes, sf_check_knowledge, sf_check_rounds};
  sfCheck x;
  memset(&x, 0, sizeof(x));
  x.d = d;
  x.path = path;
  x.e = e;
  sftStatus st = SF_OK;
  for (int i = 0; st == SF_OK && i < SF_COUNT(checks); i++) st = checks[i](&x);

  // what the checks allocated
  free(x.robots);
  free(x.last_episode);
  free(x.last_knowledge);
  return st;
}

sftStatus sf_store_read(const char* path, sfStoreData* out, sfError* e) {
  sftStatus status = sf_store_read_raw(path, out, e);
  if (status == SF_OK) status = sf_store_validate(out, path, e);
  if (status != SF_OK) sf_store_data_free(out);
  return status;
}
